//! The organizer's side (issue 14) against the real scheduling servers:
//! `convene event create | edit | cancel` never drops an attendee's answer
//! or another device's change, and a process killed mid-write neither
//! loses nor duplicates anything. Every test uses its own events (in
//! 2030) and deletes them.

mod cli;
mod crash;
mod keep_theirs;
mod series;

use crate::support;

use std::time::Duration;

use convene::caldav::{CalendarQuery, Delete, Get, Object, Precondition, Put, SchedulingHeaders};
use support::proxy::{self, Mode};
use support::{Kind, Profile, client, server};
use url::Url;

const START: &str = "2030-07-02T10:00:00Z";
const END: &str = "2030-07-02T11:00:00Z";

fn calendar(kind: Kind, user: &str) -> Url {
    let s = server(kind);
    s.at(&s.default_calendar, user)
}

fn organizer(kind: Kind) -> Profile {
    let p = Profile::new(kind, "organizer");
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `convene event create` a meeting with `attendee` (a plain event where
/// the server does not schedule); returns its UID.
fn create(p: &Profile, kind: Kind, summary: &str) -> String {
    let cal = calendar(kind, "organizer").to_string();
    let mut args = vec![
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        summary,
        "--start",
        START,
        "--end",
        END,
        "--location",
        "Room 1",
    ];
    if kind.schedules() {
        args.extend(["--attendee", "attendee@example.com"]);
    }
    let out = p.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Where Convene put the new event (the UID's letters, digits and dashes).
fn url_of(kind: Kind, uid: &str) -> Url {
    let name: String = uid.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    calendar(kind, "organizer").join(&format!("{name}.ics")).unwrap()
}

async fn server_copy(kind: Kind, uid: &str) -> Object {
    client(kind, "organizer").run(&Get { url: url_of(kind, uid) }).await.expect("the organizer's copy")
}

fn prop(data: &str, name: &str) -> Option<String> {
    let doc = convene::ical::Document::parse(data).ok()?;
    let cal = doc.calendar()?;
    let ev = convene::ical::invitation::main_event(cal)?;
    ev.prop(name).map(|l| convene::ical::event::unescape(&l.value))
}

/// Another device (the organizer's phone) changes the event on the server.
async fn other_device(kind: Kind, uid: &str, change: impl Fn(&str) -> String) {
    let now = server_copy(kind, uid).await;
    let precondition = now.etag.clone().map_or(Precondition::None, Precondition::IfMatch);
    let put = Put {
        url: now.url.clone(),
        data: change(&now.data),
        precondition,
        scheduling: SchedulingHeaders::default(),
    };
    client(kind, "organizer").run(&put).await.expect("the other device's PUT");
}

async fn attendee_copy(kind: Kind, uid: &str) -> Option<Object> {
    let q = CalendarQuery {
        calendar: calendar(kind, "attendee"),
        start: "20300701T000000Z".into(),
        end: "20300704T000000Z".into(),
        with_data: true,
    };
    let hits = client(kind, "attendee").run(&q).await.ok()?;
    let hit = hits.into_iter().find(|h| h.data.as_deref().is_some_and(|d| d.contains(uid)))?;
    client(kind, "attendee").run(&Get { url: hit.url }).await.ok()
}

/// Deletes what a test made, on both sides.
async fn clean(kind: Kind, uid: &str) {
    let del =
        |url| Delete { url, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    let _ = client(kind, "organizer").run(&del(url_of(kind, uid))).await;
    if let Some(copy) = attendee_copy(kind, uid).await {
        let _ = client(kind, "attendee").run(&del(copy.url)).await;
    }
}

async fn attendee_answers_while_the_organizer_changes_the_place(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "Budget review");
    // The attendee accepts with Convene; the server merges the answer into
    // the organizer's copy, which Convene's organizer has not seen.
    let att = Profile::new(kind, "attendee");
    support::eventually("the invitation", || async { attendee_copy(kind, &uid).await }).await;
    assert!(att.run(&["sync"]).status.success());
    let out = att.run(&["reply", &uid, "accept"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    support::eventually("the answer at the organizer's", || async {
        let data = server_copy(kind, &uid).await.data;
        (support::partstat(&data, "attendee", None).as_deref() == Some("ACCEPTED")).then_some(())
    })
    .await;

    let out = org.run(&["event", "edit", &uid, "--location", "Room 2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    assert_eq!(prop(&now, "LOCATION").as_deref(), Some("Room 2"), "{now}");
    assert_eq!(
        support::partstat(&now, "attendee", None).as_deref(),
        Some("ACCEPTED"),
        "the answer was reset: {now}"
    );
    clean(kind, &uid).await;
}

on_servers!(attendee_answers_while_the_organizer_changes_the_place: xandikos, cyrus, davical);

async fn another_device_moves_it_while_convene_moves_it(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "Planning");
    other_device(kind, &uid, |d| d.replace("T100000Z", "T120000Z").replace("T110000Z", "T130000Z")).await;

    let out = org.run(&["event", "edit", &uid, "--start", "2030-07-02T14:00:00Z"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("Time"), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    assert_eq!(
        support::dtstart(&now),
        "20300702T120000Z",
        "the other device's time is kept until the person decides"
    );
    assert!(String::from_utf8_lossy(&org.run(&["outbox"]).stdout).contains("conflict"));

    let out = org.run(&["event", "edit", &uid, "--resend"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    assert_eq!(support::dtstart(&now), "20300702T140000Z", "{now}");
    assert_eq!(prop(&now, "DTEND").as_deref(), Some("20300702T150000Z"), "{now}");
    clean(kind, &uid).await;
}

on_servers!(another_device_moves_it_while_convene_moves_it: xandikos, cyrus, davical);

async fn a_rename_elsewhere_and_a_new_place_here_both_land(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "Offsite");
    other_device(kind, &uid, |d| d.replace("SUMMARY:Offsite", "SUMMARY:Offsite (day 1)")).await;
    let out = org.run(&["event", "edit", &uid, "--location", "Lake house"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    assert_eq!(prop(&now, "SUMMARY").as_deref(), Some("Offsite (day 1)"), "{now}");
    assert_eq!(prop(&now, "LOCATION").as_deref(), Some("Lake house"), "{now}");
    clean(kind, &uid).await;
}

on_servers!(a_rename_elsewhere_and_a_new_place_here_both_land: xandikos, cyrus, davical, radicale);

async fn a_cancelled_meeting_reaches_the_attendee(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "Retro");
    support::eventually("the invitation", || async { attendee_copy(kind, &uid).await }).await;
    let out = org.run(&["event", "cancel", &uid]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Cyrus and Xandikos keep the attendee's copy as STATUS:CANCELLED;
    // DAViCal deletes it (servers.md).
    support::eventually("the attendee's copy cancelled", || async {
        match attendee_copy(kind, &uid).await {
            None => Some(()),
            Some(c) => (prop(&c.data, "STATUS").as_deref() == Some("CANCELLED")).then_some(()),
        }
    })
    .await;
    assert!(client(kind, "organizer").run(&Get { url: url_of(kind, &uid) }).await.is_err(), "deleted");
    clean(kind, &uid).await;
}

on_servers!(a_cancelled_meeting_reaches_the_attendee: xandikos, cyrus, davical);

/// Free/busy where the server answers it (DAViCal: the attendee's meeting
/// as busy, an unknown address said in words); elsewhere the capability
/// record says no and nothing is asked (Cyrus 3.6.1 hangs on the POST).
async fn free_busy_as_the_capability_record_says(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "Busy hour");
    if kind.schedules() {
        support::eventually("the invitation", || async { attendee_copy(kind, &uid).await }).await;
    }
    let engine = org.engine();
    let at = |h| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2030, 7, 2, h, 0, 0).single().unwrap();
    let asked = ["attendee@example.com".to_owned(), "nobody@example.com".to_owned()];
    let answer = engine.free_busy(&asked, at(0), at(23)).await;
    let offered = engine.capabilities().unwrap().free_busy.is_true();
    drop(engine);
    clean(kind, &uid).await;
    if !offered {
        let e = answer.expect_err("not asked");
        assert!(matches!(e, convene::sync::EngineError::NoFreeBusy(_)), "{e}");
        return;
    }
    let answer = answer.unwrap();
    let attendee = answer.iter().find(|a| a.address == "attendee@example.com").unwrap();
    assert!(attendee.busy.contains(&(at(10), at(11))), "{answer:?}");
    let nobody = answer.iter().find(|a| a.address == "nobody@example.com").unwrap();
    assert_eq!(nobody.status, "unknown address");
}

on_servers!(free_busy_as_the_capability_record_says: xandikos, cyrus, davical, radicale);

/// An invitation's fields are its organizer's: the attendee's edit is
/// refused before anything is written, naming why.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_attendee_cannot_change_the_organizers_fields() {
    let kind = Kind::Xandikos;
    let org = organizer(kind);
    let uid = create(&org, kind, "Their meeting");
    let copy = support::eventually("the invitation", || async { attendee_copy(kind, &uid).await }).await;
    let att = Profile::new(kind, "attendee");
    assert!(att.run(&["sync"]).status.success());
    for args in [vec!["event", "edit", &uid, "--location", "My office"], vec!["event", "cancel", &uid]] {
        let out = att.run(&args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("organized by someone else"), "{}", text(&out));
    }
    let now = client(kind, "attendee").run(&Get { url: copy.url.clone() }).await.unwrap();
    assert_eq!(now.data, copy.data, "nothing written");
    clean(kind, &uid).await;
}
