//! The reply engine against real servers: answers reach the organizer, an
//! organizer's concurrent change is never overwritten (Cyrus included), and
//! other attendees' answers merge by themselves.

use crate::support;

use support::{Kind, Profile};

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Organizer invites; the attendee's profile syncs it in.
async fn invited(kind: Kind, tag: &str, attendees: &[&str], weekly: bool) -> (String, Profile) {
    let uid = support::uid(tag);
    let data = support::invitation_at(
        &uid,
        "Quarterly planning",
        attendees,
        "20300604T100000Z",
        "20300604T110000Z",
        weekly,
    );
    support::organizer_put(kind, &uid, &data).await;
    let p = Profile::new(kind, "attendee");
    let out = p.run(&["sync"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    (uid, p)
}

async fn answers_reach_the_organizer(kind: Kind) {
    for (answer, partstat) in [("accept", "ACCEPTED"), ("tentative", "TENTATIVE"), ("decline", "DECLINED")] {
        let (uid, p) = invited(kind, answer, &["attendee"], false).await;
        let row = p.invitation_row(&uid);
        assert_eq!(row["pending"], true);
        assert_eq!(row["organizer_address"], "mailto:organizer@example.com");

        let comment = format!("{answer}: see you there, maybe");
        let out = p.run(&["reply", &uid, answer, "--comment", &comment]);
        assert_eq!(code(&out), 0, "{}", text(&out));
        let org = support::organizer_copy(kind, &uid).await;
        assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some(partstat), "{}", org.data);
        // The attendee's own copy holds the comment (servers differ on
        // whether they pass it on to the organizer's copy).
        let mine = p.engine().invitations().unwrap().into_iter().find(|l| l.invitation.uid == uid).unwrap();
        assert_eq!(mine.invitation.my_partstat.as_deref(), Some(partstat));
        assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
    }
}

on_servers!(answers_reach_the_organizer: xandikos, cyrus, davical);

async fn one_occurrence_only(kind: Kind) {
    let (uid, p) = invited(kind, "weekly", &["attendee"], true).await;
    let out = p.run(&["reply", &uid, "decline", "--occurrence", "20300611T100000Z"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(
        support::partstat(&org.data, "attendee", Some("20300611T100000Z")).as_deref(),
        Some("DECLINED"),
        "{}",
        org.data
    );
    let series = support::partstat(&org.data, "attendee", None);
    assert_ne!(series.as_deref(), Some("DECLINED"), "the series must stay unanswered: {}", org.data);
}

on_servers!(one_occurrence_only: cyrus);

/// Where the organizer would never see an occurrence answer, it is refused
/// up front with the reason, and nothing is sent or queued.
async fn occurrence_refused(kind: Kind, count_rule: bool) {
    let uid = support::uid("occ-refused");
    let weekly = support::ics::Event::new(&uid).summary("Weekly").organized().invite("attendee");
    let weekly = match count_rule {
        true => weekly.line("RRULE:FREQ=WEEKLY;COUNT=6"),
        false => weekly.weekly_until("20300716T100000Z"),
    };
    let data = support::ics::object(weekly);
    support::organizer_put(kind, &uid, &data).await;
    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);
    let out = p.run(&["reply", &uid, "decline", "--occurrence", "20300611T100000Z"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("can't pass an answer for a single occurrence"), "{}", text(&out));
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("NEEDS-ACTION"));
    // The whole series can still be answered.
    assert_eq!(code(&p.run(&["reply", &uid, "accept"])), 0);
}

on_servers!(occurrence_refused_for_the_series_rule = occurrence_refused(false): xandikos, davical);
on_servers!(occurrence_refused_for_a_count_series = occurrence_refused(true): cyrus);

/// The organizer moves the meeting after the attendee synced; the
/// attendee's answer must not put the old time back.
async fn reschedule_race(kind: Kind, answered_before: bool) {
    let (uid, p) = invited(kind, "race", &["attendee"], false).await;
    if answered_before {
        // Cyrus stops updating the copy's Schedule-Tag once the attendee wrote it.
        let out = p.run(&["reply", &uid, "accept"]);
        assert_eq!(code(&out), 0, "{}", text(&out));
    }
    support::organizer_reschedule(kind, &uid, "20300605T140000Z", "20300605T150000Z").await;

    let answer = if answered_before { "decline" } else { "accept" };
    let out = p.run(&["reply", &uid, answer]);
    assert_eq!(code(&out), 3, "a conflict must stop the reply: {}", text(&out));
    let said = text(&out);
    // Read out on the person's clock, as the window does.
    let local = |utc: &str| {
        chrono::NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%SZ")
            .unwrap()
            .and_utc()
            .with_timezone(&chrono::Local)
    };
    let span = |from: &str, to: &str| {
        format!("{}–{}", local(from).format("%a %Y-%m-%d %H:%M"), local(to).format("%H:%M"))
    };
    let expected = format!(
        "Time: {} → {}",
        span("20300604T100000Z", "20300604T110000Z"),
        span("20300605T140000Z", "20300605T150000Z")
    );
    assert!(said.contains(&expected), "{expected} in: {said}");
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::dtstart(&org.data), "20300605T140000Z", "the organizer's new time was overwritten");

    // The answer waits in the outbox as a conflict until the person decides.
    let outbox = String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned();
    assert!(outbox.contains("conflict"), "{outbox}");

    let out = p.run(&["reply", &uid, answer, "--resend"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::dtstart(&org.data), "20300605T140000Z");
    let expected = if answered_before { "DECLINED" } else { "ACCEPTED" };
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some(expected), "{}", org.data);
}

on_servers!(reschedule_race_unanswered = reschedule_race(false): xandikos, cyrus, davical);
on_servers!(reschedule_race_after_an_earlier_answer = reschedule_race(true): cyrus, xandikos);

/// The organizer deletes the event (DAViCal then deletes the attendee's
/// copy): the answer is refused with a plain reason, stays visible as
/// failed, and --resend may try again without starting over.
#[tokio::test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_failed_reply_stays_visible_and_can_be_resent() {
    let kind = Kind::Davical;
    let (uid, p) = invited(kind, "failed-resend", &["attendee"], false).await;
    let delete = convene::caldav::Delete {
        url: support::organizer_url(kind, &uid),
        precondition: convene::caldav::Precondition::None,
        scheduling: Default::default(),
    };
    support::client(kind, "organizer").run(&delete).await.unwrap();

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("the organizer removed this event"), "{}", text(&out));
    let outbox = String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned();
    assert!(outbox.contains("failed: the organizer removed this event"), "{outbox}");

    let again = p.run(&["reply", &uid, "decline", "--resend"]);
    assert_eq!(code(&again), 1, "{}", text(&again));
    let outbox = String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned();
    assert!(outbox.contains("DECLINED  failed"), "the changed answer is kept: {outbox}");
}

/// Another attendee answers between our sync and our reply: merged.
async fn other_answer_merges(kind: Kind) {
    let (uid, p) = invited(kind, "merge", &["attendee", "attendee2"], false).await;
    let other = Profile::new(kind, "attendee2");
    assert_eq!(code(&other.run(&["sync"])), 0);
    let out = other.run(&["reply", &uid, "tentative"]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"), "{}", org.data);
    assert_eq!(support::partstat(&org.data, "attendee2", None).as_deref(), Some("TENTATIVE"), "{}", org.data);
    assert_eq!(support::dtstart(&org.data), "20300604T100000Z");
}

on_servers!(other_answer_merges: xandikos, cyrus, davical);
