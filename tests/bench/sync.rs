//! Prints what a reply and a sync cost against real servers: HTTP requests
//! and wall time per reply (goal: 1 request where the Schedule-Tag is
//! trusted), an initial sync of 10,000 events from Xandikos, and an
//! incremental sync with one change among them (goal: 2 requests).
//!
//! Run with the test servers up: `cargo bench --bench sync`
//! (`CONVENE_BENCH_EVENTS` changes the 10,000).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../support/mod.rs"]
mod support;

use std::time::Instant;

use convene::caldav::{Precondition, Put, SchedulingHeaders};
use support::{Kind, Profile};

const REPLIES: usize = 10;

#[tokio::main]
async fn main() {
    println!("Convene benchmark (debug={})\n", cfg!(debug_assertions));
    replies().await;
    sync_10k().await;
}

async fn replies() {
    println!("Replies ({REPLIES} per server): HTTP requests and wall time per reply");
    println!("| server | protection | requests/reply | ms/reply |");
    println!("| --- | --- | --- | --- |");
    for kind in [Kind::Xandikos, Kind::Cyrus, Kind::Davical] {
        let mut uids = Vec::new();
        for i in 0..REPLIES {
            let uid = support::uid(&format!("bench-reply-{i}"));
            support::organizer_put(kind, &uid, &support::invitation(&uid, "Bench", &["attendee"])).await;
            uids.push(uid);
        }
        let p = Profile::new(kind, "attendee");
        let mut engine = p.engine();
        engine.sync().await.unwrap();
        let protection = engine.capabilities().unwrap().reply_protection();
        let before = engine.client().request_count();
        let start = Instant::now();
        for uid in &uids {
            engine.queue(uid, convene::ical::Answer::Accept, None, None, None).unwrap();
            let outcome = engine.send(uid).await.unwrap();
            assert!(matches!(outcome, convene::sync::Outcome::Sent { .. }), "{outcome:?}");
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / REPLIES as f64;
        let requests = (engine.client().request_count() - before) as f64 / REPLIES as f64;
        println!("| {} | {protection} | {requests:.1} | {ms:.1} |", kind.key());
    }
    println!();
}

async fn sync_10k() {
    let n: usize = std::env::var("CONVENE_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let kind = Kind::Xandikos;
    let s = support::server(kind);
    // attendee2's only event calendar, so the account has one calendar to sync.
    let cal = s.at(&s.default_calendar, "attendee2");
    let client = support::client(kind, "attendee2");
    let tag = std::process::id();
    let start = Instant::now();
    bulk_load(tag, n);
    println!(
        "Seeded {n} events into Xandikos in {:.1} s (not Convene's cost)\n",
        start.elapsed().as_secs_f64()
    );

    let p = Profile::new(kind, "attendee2");
    let mut engine = p.engine();
    let start = Instant::now();
    let first = engine.sync().await.unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "Initial sync of {} events: {} HTTP requests, {secs:.2} s ({:.0} events/s)",
        first.fetched,
        first.requests,
        first.fetched as f64 / secs
    );
    let cache = p.paths().cache;
    let size: u64 = walk(&cache);
    println!("Cache on disk: {:.1} MB", size as f64 / 1e6);

    // One change among them.
    let changed = cal.join(&format!("bench-{tag}-7.ics")).unwrap();
    let data =
        support::event(&format!("bench-{tag}-7@convene.test"), "Bench event 7 (moved)", "20300420T090000Z");
    client
        .run(&Put {
            url: changed,
            data,
            precondition: Precondition::None,
            scheduling: SchedulingHeaders::default(),
        })
        .await
        .unwrap();
    let start = Instant::now();
    let second = engine.sync().await.unwrap();
    println!(
        "Incremental sync, 1 change: {} HTTP requests, {} fetched, {:.1} ms",
        second.requests,
        second.fetched,
        start.elapsed().as_secs_f64() * 1000.0
    );
    drop(engine);

    let start = Instant::now();
    let engine = p.engine();
    let list = engine.invitations().unwrap();
    println!(
        "Open from cache ({n} events) and list invitations: {:.0} ms ({} invitations)",
        start.elapsed().as_secs_f64() * 1000.0,
        list.len()
    );
}

/// Writes `n` events straight into Xandikos's git store for attendee2's
/// calendar and commits them once: over CalDAV each PUT is a git commit
/// over a growing tree (10,000 of them take over 30 minutes), and seeding is
/// not what this benchmark measures. Xandikos serves the commit at once.
fn bulk_load(tag: u32, n: usize) {
    let out = std::process::Command::new("bash")
        .args([concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/harness.sh"), "store-path", "attendee2"])
        .output()
        .unwrap();
    let dir = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    assert!(dir.join(".git").is_dir(), "no Xandikos store at {}", dir.display());
    for i in 0..n {
        let day = 1 + i % 28;
        let data = support::event(
            &format!("bench-{tag}-{i}@convene.test"),
            &format!("Bench event {i}"),
            &format!("203003{day:02}T{:02}0000Z", 8 + i % 10),
        );
        std::fs::write(dir.join(format!("bench-{tag}-{i}.ics")), data).unwrap();
    }
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git").arg("-C").arg(&dir).args(args).status().unwrap();
        assert!(status.success(), "git {args:?} failed");
    };
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=Convene benchmark",
        "-c",
        "user.email=bench@localhost",
        "commit",
        "-q",
        "-m",
        "Benchmark events",
    ]);
}

fn walk(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => walk(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
