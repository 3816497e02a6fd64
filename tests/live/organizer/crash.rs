//! The organizer's changes survive a process killed mid-write and a
//! server out of reach: exactly one event, each edit applied once, offline
//! changes sent in the order made (Cyrus and DAViCal, the plain-HTTP
//! scheduling servers, behind the fault-injecting proxy).

use std::time::Duration;

use convene::caldav::CalendarQuery;

use super::*;

/// An organizer profile reaching `kind` through the fault-injecting proxy.
async fn behind_proxy(kind: Kind) -> (Profile, proxy::Proxy) {
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

async fn copies_with_uid(kind: Kind, uid: &str) -> usize {
    let q = CalendarQuery {
        calendar: calendar(kind, "organizer"),
        start: "20300701T000000Z".into(),
        end: "20300704T000000Z".into(),
        with_data: true,
    };
    let hits = client(kind, "organizer").run(&q).await.unwrap();
    hits.iter().filter(|h| h.data.as_deref().is_some_and(|d| d.contains(uid))).count()
}

async fn killed_during_a_create_then_rerun_makes_exactly_one_event(kind: Kind) {
    let (p, proxy) = behind_proxy(kind).await;
    // Through the proxy the calendar's URL is the proxy's: name it by path.
    let cal = calendar(kind, "organizer").path().to_owned();
    let args =
        ["event", "create", "--calendar", &cal, "--summary", "Killed create", "--start", START, "--end", END];
    kill_after_put_lands(&p, &proxy, &args).await;
    let uid = waiting(&p)[0]["uid"].as_str().expect("the create waits in the outbox").to_owned();
    assert_eq!(copies_with_uid(kind, &uid).await, 1, "the PUT landed");

    // Changed before Convene knew it landed: found by its UID, and the
    // change written onto it.
    let out = p.run(&["event", "edit", &uid, "--location", "Room 5"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(waiting(&p), serde_json::json!([]), "done");
    assert_eq!(copies_with_uid(kind, &uid).await, 1, "exactly one event");
    assert_eq!(prop(&server_copy(kind, &uid).await.data, "LOCATION").as_deref(), Some("Room 5"));
    clean(kind, &uid).await;
}
on_servers!(killed_during_a_create_then_rerun_makes_exactly_one_event: cyrus, davical);

async fn killed_during_an_edit_then_rerun_applies_it_once(kind: Kind) {
    let (p, proxy) = behind_proxy(kind).await;
    let cal = calendar(kind, "organizer").path().to_owned();
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
    let first = sequence(&server_copy(kind, &uid).await.data);

    kill_after_put_lands(&p, &proxy, &["event", "edit", &uid, "--location", "Room 9"]).await;
    let puts = proxy.puts_forwarded();
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(proxy.puts_forwarded(), puts, "the edit was written twice");
    assert_eq!(waiting(&p), serde_json::json!([]));
    let now = server_copy(kind, &uid).await.data;
    assert_eq!(prop(&now, "LOCATION").as_deref(), Some("Room 9"));
    assert_eq!(sequence(&now), first + 1, "one revision: {now}");
    clean(kind, &uid).await;
}
on_servers!(killed_during_an_edit_then_rerun_applies_it_once: cyrus, davical);

/// Offline: a new event and a change to an existing one wait in the outbox
/// (exit 75) and go out in order with the next sync.
async fn offline_changes_wait_and_go_out_in_order(kind: Kind) {
    let (p, proxy) = behind_proxy(kind).await;
    let cal = calendar(kind, "organizer").path().to_owned();
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
    assert_eq!(prop(&server_copy(kind, &first).await.data, "SUMMARY").as_deref(), Some("Before the train"));

    proxy.set(Mode::Forward);
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(waiting(&p), serde_json::json!([]));
    assert_eq!(
        prop(&server_copy(kind, &first).await.data, "SUMMARY").as_deref(),
        Some("Before the train (moved)")
    );
    assert_eq!(copies_with_uid(kind, &second).await, 1);
    let created = server_copy(kind, &second).await.data;
    assert_eq!(prop(&created, "LOCATION").as_deref(), Some("Coach 12"), "{created}");
    assert_eq!(prop(&created, "SEQUENCE").as_deref(), Some("0"), "still its first version");
    clean(kind, &first).await;
    clean(kind, &second).await;
}
on_servers!(offline_changes_wait_and_go_out_in_order: cyrus, davical);
