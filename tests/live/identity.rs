//! Who "me" is: invited under two of one's addresses, a cancelled
//! invitation, a personal event without ORGANIZER: clear outcomes, no panic.

use crate::support;

use convene::caldav::{Precondition, Put, SchedulingHeaders};
use serde_json::Value;
use support::{Kind, Profile};

fn rows(p: &Profile) -> Vec<Value> {
    let out = p.run(&["invitations", "--json"]);
    assert!(out.status.success());
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[tokio::test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn invited_under_two_aliases_the_person_chooses() {
    let kind = Kind::Cyrus;
    let uid = support::uid("alias");
    let data = support::ics::object(
        support::ics::Event::new(&uid)
            .summary("Two hats")
            .organized()
            .invite("attendee")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:Ann.Old@Example.COM"),
    );
    support::organizer_put(kind, &uid, &data).await;
    let p = Profile::at(
        kind,
        "attendee",
        support::server(kind).url.clone(),
        vec!["mailto:Ann.Old@example.com".into()],
    );
    assert!(p.run(&["sync"]).status.success());
    let row = rows(&p).into_iter().find(|r| r["uid"] == uid.as_str()).unwrap();
    assert_eq!(row["pending"], false, "not pending until the person says who answers");

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("several addresses") && err.contains("--as"), "{err}");

    let out = p.run(&["reply", &uid, "accept", "--as", "mailto:attendee@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));

    let out = p.run(&["reply", &uid, "accept", "--as", "mailto:someone.else@example.com"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("its attendees are"));
}

#[tokio::test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn cancelled_and_personal_events() {
    let kind = Kind::Cyrus;
    let uid = support::uid("cancel");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Called off", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    assert!(p.run(&["sync"]).status.success());
    let cancelled = support::organizer_copy(kind, &uid)
        .await
        .data
        .replace("SUMMARY:Called off", "SUMMARY:Called off\r\nSTATUS:CANCELLED");
    support::organizer_put(kind, &uid, &cancelled).await;

    // A personal event (no ORGANIZER) in the attendee's own calendar.
    let own = support::uid("own");
    let s = support::server(kind);
    let url = support::object_url(&s.at(&s.default_calendar, "attendee"), &own);
    let c = support::client(kind, "attendee");
    let put = Put {
        url,
        data: support::event(&own, "Dentist", "20300604T150000Z"),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    };
    c.run(&put).await.unwrap();

    assert!(p.run(&["sync"]).status.success());
    let all = rows(&p);
    let row = all.iter().find(|r| r["uid"] == uid.as_str()).unwrap();
    assert_eq!(row["cancelled"], true);
    assert_eq!(row["pending"], false);
    assert!(all.iter().all(|r| r["uid"] != own.as_str()), "a personal event is not an invitation");
    let text = String::from_utf8_lossy(&p.run(&["invitations"]).stdout).into_owned();
    assert!(text.contains("[cancelled]"), "{text}");
}
