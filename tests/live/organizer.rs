//! The organizer's side (issue 14) against the real scheduling servers:
//! `convene event create | edit | cancel` never drops an attendee's answer
//! or another device's change, and a process killed mid-write neither
//! loses nor duplicates anything. Every test uses its own events (in
//! 2030) and deletes them.

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

/// An organizer profile reaching Cyrus through the fault-injecting proxy.
async fn behind_proxy() -> (Profile, proxy::Proxy) {
    let kind = Kind::Cyrus;
    let s = server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let url = proxy.url.join(&s.principal.replace("{user}", "organizer")).unwrap();
    let p = Profile::at(kind, "organizer", url, Vec::new());
    assert!(p.run(&["sync"]).status.success());
    (p, proxy)
}

/// Runs `args`, waits for its PUT to reach the server, SIGKILLs it.
async fn kill_after_put_lands(p: &Profile, proxy: &proxy::Proxy, args: &[&str]) {
    let before = proxy.puts_forwarded();
    proxy.set(Mode::HoldPutAfter);
    let mut child = p.command(args).spawn().unwrap();
    support::eventually("the PUT to land", || async { (proxy.puts_forwarded() > before).then_some(()) })
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    child.kill().unwrap(); // SIGKILL: no cleanup runs
    let _ = child.wait();
    proxy.set(Mode::Forward);
}

fn waiting(p: &Profile) -> serde_json::Value {
    let out = p.run(&["outbox", "--json"]);
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["events"].clone()
}

async fn copies_with_uid(uid: &str) -> usize {
    let q = CalendarQuery {
        calendar: calendar(Kind::Cyrus, "organizer"),
        start: "20300701T000000Z".into(),
        end: "20300704T000000Z".into(),
        with_data: true,
    };
    let hits = client(Kind::Cyrus, "organizer").run(&q).await.unwrap();
    hits.iter().filter(|h| h.data.as_deref().is_some_and(|d| d.contains(uid))).count()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn killed_during_a_create_then_rerun_makes_exactly_one_event() {
    let (p, proxy) = behind_proxy().await;
    // Through the proxy the calendar's URL is the proxy's: name it by path.
    let cal = calendar(Kind::Cyrus, "organizer").path().to_owned();
    let args =
        ["event", "create", "--calendar", &cal, "--summary", "Killed create", "--start", START, "--end", END];
    kill_after_put_lands(&p, &proxy, &args).await;
    let uid = waiting(&p)[0]["uid"].as_str().expect("the create waits in the outbox").to_owned();
    assert_eq!(copies_with_uid(&uid).await, 1, "the PUT landed");

    // Changed before Convene knew it landed: found by its UID, and the
    // change written onto it.
    let out = p.run(&["event", "edit", &uid, "--location", "Room 5"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(waiting(&p), serde_json::json!([]), "done");
    assert_eq!(copies_with_uid(&uid).await, 1, "exactly one event");
    assert_eq!(prop(&server_copy(Kind::Cyrus, &uid).await.data, "LOCATION").as_deref(), Some("Room 5"));
    clean(Kind::Cyrus, &uid).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn killed_during_an_edit_then_rerun_applies_it_once() {
    let (p, proxy) = behind_proxy().await;
    let cal = calendar(Kind::Cyrus, "organizer").path().to_owned();
    let out = p.run(&[
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "Killed edit",
        "--start",
        START,
        "--end",
        END,
        "--attendee",
        "attendee@example.com",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let sequence = |d: &str| prop(d, "SEQUENCE").and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let first = sequence(&server_copy(Kind::Cyrus, &uid).await.data);

    kill_after_put_lands(&p, &proxy, &["event", "edit", &uid, "--location", "Room 9"]).await;
    let puts = proxy.puts_forwarded();
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(proxy.puts_forwarded(), puts, "the edit was written twice");
    assert_eq!(waiting(&p), serde_json::json!([]));
    let now = server_copy(Kind::Cyrus, &uid).await.data;
    assert_eq!(prop(&now, "LOCATION").as_deref(), Some("Room 9"));
    assert_eq!(sequence(&now), first + 1, "one revision: {now}");
    clean(Kind::Cyrus, &uid).await;
}

/// The actor as the window's editor uses it: a repeating meeting created,
/// read back as the draft it was made from, one occurrence moved to another
/// room (an override), another deleted (an EXDATE the attendee's copy gets
/// too), then the whole meeting deleted.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn the_actor_creates_reads_and_changes_occurrences() {
    use convene::ical::draft::{Frequency, Repeat, RepeatEnd, When};
    use convene::ical::{Draft, Scope};
    use convene::sync::{Control, Update, spawn};

    let kind = Kind::Xandikos;
    let p = Profile::new(kind, "organizer");
    let mut h = spawn(crate::actor::settings(&p, Duration::from_secs(60)));
    let updates = &mut h.updates;
    crate::actor::expect(updates, "Ready", |u| matches!(u, Update::Ready { .. }).then_some(())).await;
    let cal = calendar(kind, "organizer");
    let offered = crate::actor::expect(updates, "the calendars", |u| match u {
        Update::Calendars { calendars, .. } => {
            Some(calendars.iter().map(|c| c.url.clone()).collect::<Vec<_>>())
        }
        _ => None,
    })
    .await;
    assert!(offered.contains(&cal), "{offered:?}");

    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap();
    let draft = Draft {
        calendar: cal.clone(),
        summary: "Weekly sync".into(),
        when: When::Timed {
            start: at("20300702T100000"),
            end: at("20300702T110000"),
            zone: "Europe/Berlin".into(),
        },
        location: "Room 1".into(),
        description: "Agenda in the doc".into(),
        repeat: Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: Vec::new(),
            end: RepeatEnd::Count(3),
        }),
        reminders: vec![10],
        attendees: vec!["attendee@example.com".into()],
    };
    h.control.send(Control::CreateEvent(Box::new(draft.clone()))).await.unwrap();
    let uid = crate::actor::expect(updates, "EventSaved", |u| match u {
        Update::EventSaved { uid } => Some(uid.clone()),
        Update::EventFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    let url = url_of(kind, &uid);

    h.control.send(Control::EditorDraft { url: url.clone(), recurrence_id: None }).await.unwrap();
    let (read, organizer) = crate::actor::expect(updates, "EditorDraft", |u| match u {
        Update::EditorDraft { url: x, draft, organizer } if *x == url => Some((draft.clone(), *organizer)),
        _ => None,
    })
    .await;
    assert_eq!(read.as_deref(), Some(&draft), "the server's copy reads back as the draft");
    assert!(organizer);

    // The second occurrence in another room.
    let second = "20300709T100000";
    let before = Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), Some(second)).unwrap();
    let mut after = before.clone();
    after.location = "Room 7".into();
    let scope = Scope::ThisOne { recurrence_id: second.into() };
    let edit =
        Control::EditEvent { url: url.clone(), scope, before: Box::new(before), after: Box::new(after) };
    h.control.send(edit).await.unwrap();
    crate::actor::expect(updates, "the occurrence saved", |u| match u {
        Update::EventSaved { uid: x } if *x == uid => Some(()),
        Update::EventFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    let now = server_copy(kind, &uid).await.data;
    let own = Draft::from_event(&now, cal.clone(), Some(second)).unwrap();
    assert_eq!(own.location, "Room 7");
    assert_eq!(
        Draft::from_event(&now, cal.clone(), None).unwrap().location,
        "Room 1",
        "the series keeps its room"
    );

    // The third occurrence deleted: an EXDATE, on the attendee's copy too.
    let third = "20300716T100000";
    let del = Control::DeleteEvent {
        url: url.clone(),
        scope: Scope::ThisOne { recurrence_id: third.into() },
        cancel_meeting: true,
    };
    h.control.send(del).await.unwrap();
    crate::actor::expect(updates, "the occurrence deleted", |u| match u {
        Update::EventSaved { uid: x } if *x == uid => Some(()),
        Update::EventFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    assert!(convene::ical::edit::is_excluded(&server_copy(kind, &uid).await.data, third));
    support::eventually("the EXDATE at the attendee's", || async {
        let copy = attendee_copy(kind, &uid).await?;
        convene::ical::edit::is_excluded(&copy.data, third).then_some(())
    })
    .await;

    h.control
        .send(Control::DeleteEvent { url: url.clone(), scope: Scope::All, cancel_meeting: true })
        .await
        .unwrap();
    crate::actor::expect(updates, "the meeting deleted", |u| match u {
        Update::EventSaved { uid: x } if *x == uid => Some(()),
        Update::EventFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    assert!(client(kind, "organizer").run(&Get { url }).await.is_err());
    h.control.send(Control::Shutdown).await.unwrap();
    clean(kind, &uid).await;
}

/// An occurrence of a weekly series dragged from Tuesday to Thursday for
/// "all of them": the whole series moves to Thursdays (its start and its
/// BYDAY), not only the occurrence's date onto a rule that still says
/// Tuesday.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_occurrence_moved_for_all_moves_the_series_weekdays() {
    use chrono::Weekday;
    use convene::ical::draft::{Frequency, Repeat, RepeatEnd, When};
    use convene::ical::{Draft, Scope};
    use convene::sync::{Control, Update, spawn};

    let kind = Kind::Xandikos;
    let p = Profile::new(kind, "organizer");
    let mut h = spawn(crate::actor::settings(&p, Duration::from_secs(60)));
    let updates = &mut h.updates;
    crate::actor::expect(updates, "Ready", |u| matches!(u, Update::Ready { .. }).then_some(())).await;
    let cal = calendar(kind, "organizer");
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap();
    let draft = Draft {
        calendar: cal.clone(),
        summary: "Tuesday review".into(),
        when: When::Timed {
            start: at("20300702T100000"),
            end: at("20300702T110000"),
            zone: "Europe/Berlin".into(),
        },
        location: String::new(),
        description: String::new(),
        repeat: Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: vec![Weekday::Tue],
            end: RepeatEnd::Count(3),
        }),
        reminders: vec![],
        attendees: vec![],
    };
    h.control.send(Control::CreateEvent(Box::new(draft))).await.unwrap();
    let saved = |uid: Option<String>| {
        move |u: &Update| match u {
            Update::EventSaved { uid: x } if uid.as_ref().is_none_or(|w| w == x) => Some(x.clone()),
            Update::EventFailed { error, .. } => panic!("{error}"),
            _ => None,
        }
    };
    let uid = crate::actor::expect(updates, "EventSaved", saved(None)).await;
    let url = url_of(kind, &uid);

    // The second occurrence (Tuesday 9 July) dragged to Thursday 11 July, an hour later.
    let before =
        Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), Some("20300709T100000")).unwrap();
    let mut after = before.clone();
    after.when = When::Timed {
        start: at("20300711T110000"),
        end: at("20300711T120000"),
        zone: "Europe/Berlin".into(),
    };
    let edit =
        Control::EditEvent { url, scope: Scope::All, before: Box::new(before), after: Box::new(after) };
    h.control.send(edit).await.unwrap();
    crate::actor::expect(updates, "the series moved", saved(Some(uid.clone()))).await;

    let series = Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), None).unwrap();
    assert_eq!(
        series.when,
        When::Timed {
            start: at("20300704T110000"),
            end: at("20300704T120000"),
            zone: "Europe/Berlin".into()
        },
        "the series starts two days and an hour later"
    );
    assert_eq!(series.repeat.map(|r| r.weekdays), Some(vec![Weekday::Thu]), "and repeats on Thursdays");
    h.control.send(Control::Shutdown).await.unwrap();
    clean(kind, &uid).await;
}

/// Offline: a new event and a change to an existing one wait in the outbox
/// (exit 75) and go out in order with the next sync.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn offline_changes_wait_and_go_out_in_order() {
    let (p, proxy) = behind_proxy().await;
    let cal = calendar(Kind::Cyrus, "organizer").path().to_owned();
    let out = p.run(&[
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "Before the train",
        "--start",
        START,
        "--end",
        END,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = String::from_utf8_lossy(&out.stdout).trim().to_owned();

    proxy.set(Mode::Refuse);
    let out = p.run(&["event", "edit", &first, "--summary", "Before the train (moved)"]);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out));
    let out = p.run(&[
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "On the train",
        "--start",
        START,
        "--end",
        END,
    ]);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out));
    let second = waiting(&p)[1]["uid"].as_str().unwrap().to_owned();
    // Changing the new event before it left changes what will be sent.
    let out = p.run(&["event", "edit", &second, "--location", "Coach 12"]);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out));
    let queued = waiting(&p);
    assert_eq!(queued.as_array().map(Vec::len), Some(2), "{queued}");
    assert_eq!(queued[0]["uid"], first, "in the order they were made");
    assert_eq!(
        prop(&server_copy(Kind::Cyrus, &first).await.data, "SUMMARY").as_deref(),
        Some("Before the train")
    );

    proxy.set(Mode::Forward);
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(waiting(&p), serde_json::json!([]));
    assert_eq!(
        prop(&server_copy(Kind::Cyrus, &first).await.data, "SUMMARY").as_deref(),
        Some("Before the train (moved)")
    );
    assert_eq!(copies_with_uid(&second).await, 1);
    let created = server_copy(Kind::Cyrus, &second).await.data;
    assert_eq!(prop(&created, "LOCATION").as_deref(), Some("Coach 12"), "{created}");
    assert_eq!(prop(&created, "SEQUENCE").as_deref(), Some("0"), "still its first version");
    clean(Kind::Cyrus, &first).await;
    clean(Kind::Cyrus, &second).await;
}

/// "This and the following": the series ends before the occurrence (UNTIL)
/// and a new one, with the change, takes the rest of its COUNT.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn this_and_the_following_splits_the_series() {
    use convene::ical::draft::RepeatEnd;
    use convene::ical::{Draft, Scope};

    let kind = Kind::Xandikos;
    let p = organizer(kind);
    let cal = calendar(kind, "organizer").to_string();
    let out = p.run(&[
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "Course",
        "--start",
        START,
        "--end",
        END,
        "--location",
        "Hall A",
        "--rrule",
        "FREQ=WEEKLY;COUNT=4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let url = url_of(kind, &uid);
    let third = "20300716T100000Z";
    let mut engine = p.engine();
    let data = server_copy(kind, &uid).await.data;
    let before = Draft::from_event(&data, calendar(kind, "organizer"), Some(third)).unwrap();
    let mut after = before.clone();
    after.location = "Hall B".into();
    let uids = engine
        .queue_edit(&url, Scope::ThisAndFollowing { recurrence_id: third.into() }, &before, &after)
        .unwrap();
    assert_eq!(uids.len(), 2, "{uids:?}");
    for u in &uids {
        let outcome = engine.send_event(u).await.unwrap();
        assert!(matches!(outcome, convene::sync::EventOutcome::Saved { .. }), "{outcome:?}");
    }
    let old = server_copy(kind, &uid).await.data;
    assert!(old.contains("RRULE:FREQ=WEEKLY;UNTIL=20300716T095959Z"), "{old}");
    let rest = server_copy(kind, &uids[1]).await.data;
    let new = Draft::from_event(&rest, calendar(kind, "organizer"), None).unwrap();
    assert_eq!(new.location, "Hall B");
    assert_eq!(new.repeat.map(|r| r.end), Some(RepeatEnd::Count(2)));
    assert_eq!(support::dtstart(&rest), third);
    drop(engine);
    clean(kind, &uid).await;
    clean(kind, &uids[1]).await;
}

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
