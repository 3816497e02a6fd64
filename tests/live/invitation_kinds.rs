//! Invitations off the happy path (issue 16) against the real servers: a
//! copy a server left invalid is still answered, and a cancelled one is
//! removed without a decline reaching the organizer.

use crate::support;

use convene::caldav::{CalendarQuery, Get, Object};
use support::{Kind, Profile, client, server};

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The attendee's copy on the server (events of 2030-06).
async fn attendee_copy(kind: Kind, uid: &str) -> Option<Object> {
    let s = server(kind);
    let q = CalendarQuery {
        calendar: s.at(&s.default_calendar, "attendee"),
        start: "20300601T000000Z".into(),
        end: "20300701T000000Z".into(),
        with_data: true,
    };
    let hits = client(kind, "attendee").run(&q).await.ok()?;
    let hit = hits.into_iter().find(|h| h.data.as_deref().is_some_and(|d| d.contains(uid)))?;
    client(kind, "attendee").run(&Get { url: hit.url }).await.ok()
}

/// Cyrus 3.6.1 carries the attendee's TRANSP into an organizer's update
/// that has its own, and then refuses the attendee's PUT of that copy (403
/// valid-calendar-data). The reply keeps one TRANSP and gets through.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_answer_to_a_copy_with_two_transp_reaches_the_organizer() {
    let kind = Kind::Cyrus;
    let uid = support::uid("two-transp");
    let event = support::ics::Event::new(&uid)
        .summary("Roadmap")
        .line("TRANSP:OPAQUE")
        .organized()
        .invite("attendee");
    support::organizer_put(kind, &uid, &support::ics::object(event)).await;
    support::organizer_reschedule(kind, &uid, "20300605T140000Z", "20300605T150000Z").await;
    let copy = attendee_copy(kind, &uid).await.expect("the attendee's copy");
    assert_eq!(copy.data.matches("TRANSP:").count(), 2, "the server's duplicate (measured): {}", copy.data);

    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);
    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"), "{}", org.data);
    assert_eq!(support::dtstart(&org.data), "20300605T140000Z");
    let copy = attendee_copy(kind, &uid).await.expect("the attendee's copy");
    assert_eq!(copy.data.matches("TRANSP:").count(), 1, "{}", copy.data);
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
}
