//! A hostile repeating invitation (issue 11): `RRULE:FREQ=SECONDLY` from
//! 2000 with no end used to cost every command minutes (the expansion of
//! upcoming occurrences stepped from DTSTART one second at a time). Now it
//! is listed with a note and answered like any other; the test simply
//! has to finish.
//!
//! Not on DAViCal: the server itself then spends minutes of CPU per
//! request on that user's calendar (its single PHP process stalls every
//! later test), the harm issue 11 has the import flag for. The event is
//! deleted at the end so the servers' later work is not slowed by it.

use crate::support;

use support::{Kind, Profile, ics};

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn endless_secondly_invitation(kind: Kind) {
    let uid = support::uid("every-second");
    let event = ics::Event::new(&uid)
        .summary("Every second")
        .lasting("20000101T000000Z", "PT1S")
        .line("RRULE:FREQ=SECONDLY")
        .organized()
        .invite("attendee");
    support::organizer_put(kind, &uid, &ics::object(event)).await;
    let p = Profile::new(kind, "attendee");

    let out = p.run(&["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let row = p.invitation_row(&uid);
    assert_eq!(row["pending"], true, "{row}");
    assert_eq!(row["recurrence"], "FREQ=SECONDLY", "{row}");
    assert_eq!(row["repeats_too_often"], true, "listed with its note: {row}");
    let out = p.run(&["invitations"]);
    assert!(text(&out).contains(&format!("repeats {}", convene::sync::TOO_OFTEN)), "{}", text(&out));

    // Answering one occurrence offers the next ones, found at once.
    let mine = p.engine().invitations().unwrap().into_iter().find(|l| l.invitation.uid == uid).unwrap();
    assert!(mine.repeats_too_often);
    assert_eq!(mine.occurrences.len(), 12, "{:?}", mine.occurrences);

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"), "{}", org.data);

    let delete = |url: url::Url| convene::caldav::Delete {
        url,
        precondition: convene::caldav::Precondition::None,
        scheduling: Default::default(),
    };
    support::client(kind, "organizer").run(&delete(support::organizer_url(kind, &uid))).await.unwrap();
    // The organizer's cancel may have replaced the copy meanwhile: gone either way.
    let attendee = support::client(kind, "attendee").run(&delete(mine.url.clone())).await;
    assert!(matches!(attendee, Ok(()) | Err(convene::caldav::Error::NotFound(_))), "{attendee:?}");
}

on_servers!(endless_secondly_invitation: cyrus, xandikos);
