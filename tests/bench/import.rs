//! Prints how fast an import writes: events per second at concurrency 1
//! and at the default concurrency, each beside its floor: the same PUTs
//! sent bare (no planning, no journal, no report) at the same concurrency
//! into a calendar of their own, so the figures show what the client adds
//! to the server's own write path. Each run writes into a fresh calendar
//! (MKCALENDAR), deleted afterwards.
//!
//! By default 1,000 events into Cyrus, a fast server, to measure the
//! client. `CONVENE_BENCH_FULL=1` runs the old 5,000-event import into
//! Xandikos (every PUT a git commit: about 20 minutes, mostly the server's).
//! Run with the test servers up: `cargo bench --bench import`
//! (`CONVENE_BENCH_IMPORT_EVENTS` changes the number of events).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use convene::caldav::http::Depth;
use convene::caldav::multistatus::same_resource;
use convene::caldav::xml::DAV;
use convene::caldav::{
    Capabilities, Client, Delete, MkCalendar, Precondition, Propfind, Put, SchedulingHeaders, SchedulingMode,
    discover,
};
use convene::import::{self, DEFAULT_CONCURRENCY, Job, Outcome, Plan, journal::Journal};
use support::{Kind, server};
use url::Url;

#[tokio::main]
async fn main() {
    let full = std::env::var_os("CONVENE_BENCH_FULL").is_some_and(|v| v == "1");
    let (kind, default_events) = if full { (Kind::Xandikos, 5_000) } else { (Kind::Cyrus, 1_000) };
    let n = match std::env::var("CONVENE_BENCH_IMPORT_EVENTS") {
        Ok(v) => {
            v.trim().parse().unwrap_or_else(|_| panic!("CONVENE_BENCH_IMPORT_EVENTS={v:?} is not a number"))
        }
        Err(_) => default_events,
    };
    println!("Convene import benchmark (debug={})\n", cfg!(debug_assertions));

    let client = support::client(kind, "organizer");
    let found = discover(&client).await.unwrap();
    let caps = Capabilities::build(&found, None);
    let plan = import::plan::plan(&caps, SchedulingMode::All, None, false)
        .unwrap_or_else(|u| panic!("no plan for --scheduling all: {}", u.reason));
    println!(
        "Import of {n} new events (no attendees) into {} as organizer; scheduling: {} ({})",
        caps.server.describe(),
        plan.mode.as_str(),
        plan.method.describe()
    );
    println!("Each run writes into a fresh calendar (MKCALENDAR) that is deleted afterwards.\n");

    let started = Instant::now();
    let text = ics(n);
    let batch = import::source::parse(Path::new("bench-import.ics"), &text);
    assert!(batch.bad.is_empty(), "the generated file has unreadable entries: {:?}", batch.bad);
    assert_eq!(batch.items.len(), n, "the generated file should hold {n} events");
    println!(
        "Generated and parsed {n} events ({:.1} MB) in {:.2} s\n",
        text.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    println!(
        "| concurrency | events | import s | import events/s | floor s (bare PUTs) | floor events/s | import/floor | HTTP requests | requests/event |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut notes = Vec::new();
    for concurrency in [1, DEFAULT_CONCURRENCY] {
        let floor = bare_puts(kind, &client, &batch.items, concurrency).await;
        let run = one_run(kind, &client, &plan, &batch.items, concurrency).await;
        println!(
            "| {concurrency} | {n} | {:.1} | {:.1} | {floor:.1} | {:.1} | {:.2} | {} | {:.2} |",
            run.seconds,
            n as f64 / run.seconds,
            n as f64 / floor,
            run.seconds / floor,
            run.requests,
            run.requests as f64 / n as f64
        );
        notes.extend(run.notes);
    }
    if !notes.is_empty() {
        println!();
        for note in notes {
            println!("{note}");
        }
    }
}

/// One calendar's worth of VEVENTs in one VCALENDAR, in 2030, each with a
/// UID of its own and no attendees (so nobody is scheduled).
fn ics(n: usize) -> String {
    let tag = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
    );
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene benchmark//EN\r\n");
    for i in 0..n {
        let month = 1 + (i / 28) % 12;
        let day = 1 + i % 28;
        let hour = 8 + i % 10;
        let _ = write!(
            out,
            "BEGIN:VEVENT\r\nUID:bench-import-{tag}-{i}@convene.test\r\nDTSTAMP:20300101T000000Z\r\n\
DTSTART:2030{month:02}{day:02}T{hour:02}0000Z\r\nDTEND:2030{month:02}{day:02}T{hour:02}4500Z\r\n\
SUMMARY:Imported event {i}\r\nDESCRIPTION:Benchmark import, event {i} of {n}.\r\nEND:VEVENT\r\n"
        );
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

struct Run {
    seconds: f64,
    requests: u64,
    notes: Vec<String>,
}

/// A fresh calendar of the organizer's for one run.
async fn new_calendar(kind: Kind, client: &Client, tag: &str) -> Url {
    let s = server(kind);
    let name = support::uid(tag).replace(['@', '.'], "-");
    let calendar = s.at(&format!("{}{name}/", s.calendar_home), "organizer");
    client
        .run(&MkCalendar { url: calendar.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap_or_else(|e| panic!("MKCALENDAR {calendar}: {e}"));
    calendar
}

/// The floor: the items' PUTs (If-None-Match: *) and nothing else, at the
/// same concurrency, into a calendar of their own. Seconds taken.
async fn bare_puts(kind: Kind, client: &Client, items: &[import::Item], concurrency: usize) -> f64 {
    let calendar = new_calendar(kind, client, &format!("bench-floor-c{concurrency}")).await;
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let started = Instant::now();
    let mut puts = tokio::task::JoinSet::new();
    for item in items {
        let put = Put {
            url: import::run::resource_url(&calendar, &item.uid),
            data: item.data.clone(),
            precondition: Precondition::IfNoneMatchAny,
            scheduling: SchedulingHeaders::default(),
        };
        let (client, limit) = (client.clone(), limit.clone());
        puts.spawn(async move {
            let _permit = limit.acquire_owned().await.unwrap();
            client.run(&put).await.map(|_| ()).map_err(|e| format!("{}: {e}", put.url))
        });
    }
    let results = puts.join_all().await;
    let seconds = started.elapsed().as_secs_f64();
    let delete =
        Delete { url: calendar, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    let _ = client.run(&delete).await;
    let failed: Vec<String> = results.into_iter().filter_map(Result::err).take(5).collect();
    assert!(failed.is_empty(), "bare PUTs failed, so the floor means nothing:\n{}", failed.join("\n"));
    seconds
}

async fn one_run(
    kind: Kind,
    client: &Client,
    plan: &Plan,
    items: &[import::Item],
    concurrency: usize,
) -> Run {
    let n = items.len();
    let calendar = new_calendar(kind, client, &format!("bench-import-c{concurrency}")).await;

    let dir = tempfile::tempdir().unwrap();
    let job = Job {
        calendar: calendar.clone(),
        items: items.to_vec(),
        bad: Vec::new(),
        notes: Vec::new(),
        import_flagged: false,
        existing: HashMap::new(),
        update_duplicates: false,
        loud_updates_confirmed: false,
        plan: plan.clone(),
        concurrency,
        journal: Journal::open(&dir.path().join("bench-import.jsonl")).unwrap(),
    };
    let before = client.request_count();
    let started = Instant::now();
    let report = import::run::run(client.clone(), job, Arc::new(AtomicBool::new(false)), |_| {}).await;
    let seconds = started.elapsed().as_secs_f64();
    let requests = client.request_count() - before;

    // Checked before the calendar goes, asserted after (so a failure
    // does not leave thousands of events behind).
    let counts = report.as_ref().map(|r| (r.counts(), r.headline()));
    let failures: Vec<String> = report
        .iter()
        .flat_map(|r| &r.entries)
        .filter(|e| !matches!(e.outcome, Outcome::Imported))
        .take(5)
        .map(|e| format!("  {}: {:?}", e.uid, e.outcome))
        .collect();
    let stored = count(client, &calendar).await;

    let mut notes = Vec::new();
    let delete = Delete {
        url: calendar.clone(),
        precondition: Precondition::None,
        scheduling: SchedulingHeaders::default(),
    };
    if let Err(e) = client.run(&delete).await {
        notes.push(format!("Note: the server refused to delete {calendar} ({e}); it is left in place."));
    }

    let (counts, headline) = match counts {
        Ok(c) => c,
        Err(e) => panic!("the import at concurrency {concurrency} stopped: {e}"),
    };
    assert!(
        counts.imported == n,
        "at concurrency {concurrency}, {} of {n} were imported ({headline}); first others:\n{}",
        counts.imported,
        failures.join("\n")
    );
    match stored {
        Ok(stored) => assert!(
            stored == n,
            "at concurrency {concurrency}, the report says {n} imported but {calendar} holds {stored}"
        ),
        Err(e) => panic!("could not count what {calendar} holds: {e}"),
    }
    Run { seconds, requests, notes }
}

/// Objects in the calendar, from a Depth-1 PROPFIND of their ETags.
async fn count(client: &Client, calendar: &Url) -> Result<usize, convene::caldav::Error> {
    let ms = client
        .run(&Propfind { url: calendar.clone(), depth: Depth::One, props: vec![(DAV, "getetag")] })
        .await?;
    Ok(ms
        .entries
        .iter()
        .filter(|e| !same_resource(&e.url, calendar))
        .filter(|e| e.text(DAV, "getetag").is_some())
        .count())
}
