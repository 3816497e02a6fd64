use super::*;

const OUTLOOK: &str = include_str!("../../../tests/fixtures/imip/outlook-request.ics");
const THUNDERBIRD: &str = include_str!("../../../tests/fixtures/imip/thunderbird-request.ics");
const ME: &str = "mailto:attendee@example.com";
const OUTLOOK_UID: &str = "040000008200E00074C5B7101A82E00800000000A0F1C2D3E4F5D8010000000000000000100000004A6F6E61732D696D69702D66697874757265";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2030-06-02T08:30:00Z").unwrap().to_utc()
}

fn with_method(text: &str, method: &str) -> String {
    text.replace("METHOD:REQUEST\r\n", &format!("METHOD:{method}\r\n"))
}

/// The logical (unfolded) lines of `text` that start with `name`.
fn lines_named(text: &str, name: &str) -> Vec<String> {
    logical(text).into_iter().filter(|l| l.starts_with(name)).collect()
}

fn logical(text: &str) -> Vec<String> {
    text.replace("\r\n ", "").lines().map(str::to_owned).collect()
}

#[test]
fn the_method_decides_what_a_file_is() {
    assert_eq!(method(OUTLOOK), Method::Request);
    assert_eq!(method(THUNDERBIRD), Method::Request);
    assert_eq!(method(&with_method(OUTLOOK, "CANCEL")), Method::Cancel);
    assert_eq!(method(&with_method(OUTLOOK, "reply")), Method::Reply);
    assert_eq!(method(&with_method(OUTLOOK, "PUBLISH")), Method::Import);
    assert_eq!(method(&OUTLOOK.replace("METHOD:REQUEST\r\n", "")), Method::Import);
    assert_eq!(
        method(&format!("\u{feff}{THUNDERBIRD}")),
        Method::Request,
        "a byte-order mark is no reason to import"
    );
    assert_eq!(method("not a calendar"), Method::Import);
}

#[test]
fn an_outlook_request_is_read_with_its_folded_uid() {
    let m = Message::parse(OUTLOOK).unwrap();
    assert_eq!(m.method, Method::Request);
    assert_eq!(m.uid, OUTLOOK_UID);
    assert_eq!(m.sequence, 2);
    assert_eq!(m.recurrence_id, None);
    assert_eq!(m.organizer, "mailto:organizer@example.com");
    assert_eq!(m.summary.as_deref(), Some("Quarterly planning"));
    assert_eq!(m.attendees(), ["mailto:attendee@example.com", "mailto:attendee2@example.com"]);
}

#[test]
fn the_reply_carries_only_the_persons_answer() {
    let reply = reply_text(OUTLOOK, "MAILTO:attendee@Example.COM", Answer::Accept, None, now()).unwrap();
    assert!(reply.contains("\r\nMETHOD:REPLY\r\n"), "{reply}");
    assert!(!reply.contains("\n\n") && reply.split("\r\n").all(|l| !l.contains('\n')), "CRLF throughout");
    let read = Message::parse(&reply).unwrap_or_else(|e| panic!("{e}: {reply}"));
    assert_eq!(read.method, Method::Reply);
    assert_eq!(read.uid, OUTLOOK_UID, "the UID, unfolded and folded again, is the request's");
    assert_eq!(read.sequence, 2);
    assert_eq!(read.organizer, "mailto:organizer@example.com");
    assert_eq!(read.answers(), [("mailto:attendee@example.com".to_owned(), "ACCEPTED".to_owned())]);
    let attendee = lines_named(&reply, "ATTENDEE");
    assert_eq!(
        attendee,
        ["ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Anna Attendee;PARTSTAT=ACCEPTED:mailto:attendee@example.com"]
    );
    assert_eq!(lines_named(&reply, "DTSTAMP"), ["DTSTAMP:20300602T083000Z"]);
    assert_eq!(
        lines_named(&reply, "ORGANIZER"),
        ["ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com"]
    );
    for absent in [
        "attendee2",
        "DTSTART",
        "SUMMARY",
        "DESCRIPTION",
        "VTIMEZONE",
        "VALARM",
        "RSVP",
        "X-MICROSOFT",
        "RECURRENCE-ID",
        "COMMENT",
    ] {
        assert!(!reply.contains(absent), "{absent} in {reply}");
    }
}

#[test]
fn a_comment_and_an_occurrence_go_into_the_reply() {
    let one = THUNDERBIRD.replace(
        "RRULE:FREQ=WEEKLY;UNTIL=20300716T080000Z\r\n",
        "RECURRENCE-ID;TZID=Europe/Berlin:20300611T100000\r\n",
    );
    let reply = reply_text(&one, ME, Answer::Decline, Some("Away, sorry; back on the 20th"), now()).unwrap();
    assert!(reply.contains("\r\nRECURRENCE-ID;TZID=Europe/Berlin:20300611T100000\r\n"), "{reply}");
    assert!(reply.contains("\r\nCOMMENT:Away\\, sorry\\; back on the 20th\r\n"), "{reply}");
    let read = Message::parse(&reply).unwrap();
    assert_eq!(read.recurrence_id.as_deref(), Some("20300611T100000"));
    assert_eq!(read.answers()[0].1, "DECLINED");
    // Thunderbird lists the organizer as an attendee too: only the person answers.
    assert_eq!(read.answers().len(), 1);
}

#[test]
fn someone_not_invited_cannot_reply() {
    let e = reply_text(OUTLOOK, "mailto:stranger@example.com", Answer::Accept, None, now()).unwrap_err();
    assert_eq!(e, ImipError::NotAttendee("mailto:stranger@example.com".into()));
}

#[test]
fn a_file_with_two_events_or_none_is_refused_with_why() {
    let two = THUNDERBIRD.replace(
        "END:VEVENT\r\nEND:VCALENDAR",
        "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:other\r\nDTSTART:20300101T100000Z\r\nORGANIZER:mailto:o@x\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    assert_eq!(Message::parse(&two).unwrap_err(), ImipError::SeveralEvents(2));
    let none = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
    assert_eq!(Message::parse(none).unwrap_err(), ImipError::NoEvent);
    let no_organizer = OUTLOOK.replace("ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com\r\n", "");
    assert_eq!(Message::parse(&no_organizer).unwrap_err(), ImipError::NoOrganizer);
}

#[test]
fn the_copy_added_from_mail_tells_the_server_the_client_answers() {
    assert!(!answered_by_mail(OUTLOOK));
    let marked = mark_organizer_client(OUTLOOK).unwrap();
    assert!(answered_by_mail(&marked));
    assert_eq!(
        lines_named(&marked, "ORGANIZER"),
        ["ORGANIZER;CN=Olga Organizer;SCHEDULE-AGENT=CLIENT:mailto:organizer@example.com"]
    );
    assert!(lines_named(&marked, "ATTENDEE").iter().all(|l| !l.contains("SCHEDULE-AGENT")));
    // Every other line is kept byte for byte.
    let (before, after) = (logical(OUTLOOK), logical(&marked));
    assert_eq!(before.len(), after.len());
    let changed: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(!answered_by_mail(&marked.replace("SCHEDULE-AGENT=CLIENT", "SCHEDULE-AGENT=SERVER")));
}

#[test]
fn a_cancel_marks_the_copy_cancelled_and_keeps_the_rest() {
    let cancel =
        Message::parse(&with_method(&OUTLOOK.replace("SEQUENCE:2", "SEQUENCE:3"), "CANCEL")).unwrap();
    let stored = mark_organizer_client(OUTLOOK).unwrap();
    let out = apply_cancel(&stored, &cancel).unwrap();
    assert_eq!(lines_named(&out, "STATUS"), ["STATUS:CANCELLED"]);
    assert_eq!(lines_named(&out, "SEQUENCE"), ["SEQUENCE:3"]);
    assert_eq!(out.lines().count(), stored.lines().count());
    assert!(
        crate::ical::invitation::read(&out, &crate::ical::Identity::new([ME])).unwrap().unwrap().cancelled
    );
    // An older cancel does not lower the SEQUENCE.
    let old = Message::parse(&with_method(&OUTLOOK.replace("SEQUENCE:2", "SEQUENCE:1"), "CANCEL")).unwrap();
    assert_eq!(lines_named(&apply_cancel(&stored, &old).unwrap(), "SEQUENCE"), ["SEQUENCE:2"]);
}

#[test]
fn a_cancel_of_an_occurrence_the_copy_lacks_is_refused() {
    let one = with_method(
        &THUNDERBIRD.replace(
            "RRULE:FREQ=WEEKLY;UNTIL=20300716T080000Z\r\n",
            "RECURRENCE-ID;TZID=Europe/Berlin:20300611T100000\r\n",
        ),
        "CANCEL",
    );
    let e = apply_cancel(THUNDERBIRD, &Message::parse(&one).unwrap()).unwrap_err();
    assert_eq!(e, ImipError::NoOccurrence("20300611T100000".into()));
}

#[test]
fn a_mailed_reply_sets_that_attendees_answer_in_the_organizers_copy() {
    let reply = Message::parse(&reply_text(OUTLOOK, ME, Answer::Tentative, None, now()).unwrap()).unwrap();
    let stored = OUTLOOK.replace("METHOD:REQUEST\r\n", "");
    let out = apply_reply(&stored, &reply).unwrap();
    let me = crate::ical::Identity::new(["mailto:organizer@example.com"]);
    let read = crate::ical::invitation::read(&out, &me).unwrap().unwrap();
    let answer =
        |who: &str| read.attendees.iter().find(|a| a.address.contains(who)).unwrap().partstat.clone();
    assert_eq!(answer("attendee@").as_deref(), Some("TENTATIVE"));
    assert_eq!(answer("attendee2@").as_deref(), Some("NEEDS-ACTION"), "the others' answers stay");
    let (before, after) = (logical(&stored), logical(&out));
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!((before.len(), changed), (after.len(), 1), "only the attendee's line changes");

    let stranger = Message::parse(
        &logical(&reply_text(OUTLOOK, ME, Answer::Accept, None, now()).unwrap())
            .join("\r\n")
            .replace("attendee@example.com", "eve@example.com"),
    )
    .unwrap();
    assert_eq!(
        apply_reply(&stored, &stranger).unwrap_err(),
        ImipError::NotAttendee("mailto:eve@example.com".into())
    );
}
