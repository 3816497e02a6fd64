//! Prints how long the app takes from start to its first rendered screen
//! with 2,000 cached events (goal: under a second), phase by phase:
//! read the cache, list invitations, expand the calendar, lay out and draw
//! the window (iced_test, CPU renderer); and first what storing them costs
//! (the cache's share of a first sync). No server needed.
//!
//! Then the same cache with one hostile invitation added (`RRULE:FREQ=SECONDLY`
//! from 2000, no end; issue 11): opening the cache and listing invitations,
//! and expanding the calendar, with and without it, side by side.
//!
//! `cargo bench --bench startup` (`CONVENE_BENCH_EVENTS` changes the 2,000).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::time::Instant;

use convene::caldav::{Calendar, Etag, Object, Password, Principal};
use convene::config::{Account, Config};
use convene::store::AccountFiles;
use convene::store::Cache;
use convene::sync::{Engine, Update};
use convene::ui::{App, Message, connection};
use url::Url;

fn event(i: usize) -> String {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let invited = if i.is_multiple_of(3) {
        "ORGANIZER;CN=Olga:mailto:organizer@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:attendee@example.com\r\n"
    } else {
        ""
    };
    let weekly = if i.is_multiple_of(10) { "RRULE:FREQ=WEEKLY;COUNT=20\r\n" } else { "" };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:start-{i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:2027{month:02}{day:02}T{:02}0000Z\r\nDURATION:PT1H\r\nSUMMARY:Event number {i}\r\nLOCATION:Room {}\r\n{weekly}{invited}END:VEVENT\r\nEND:VCALENDAR\r\n",
        8 + i % 9,
        i % 7
    )
}

/// Anyone who can invite the user can send this.
const HOSTILE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:hostile\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20000101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Every second\r\nORGANIZER:mailto:organizer@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:attendee@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn account(url: &Url) -> Account {
    Account {
        name: "bench".into(),
        url: url.clone(),
        user: "attendee".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: vec![],
    }
}

/// A profile whose cache holds `n` events, and the hostile one if asked.
fn profile(n: usize, hostile: bool) -> (tempfile::TempDir, convene::paths::Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let url = Url::parse("https://calendar.example.com/").unwrap();
    let cal_url = url.join("/cal/").unwrap();
    let hostile = hostile.then(|| HOSTILE.to_owned());
    let objects: Vec<Object> = (0..n)
        .map(event)
        .chain(hostile)
        .enumerate()
        .map(|(i, data)| Object {
            url: cal_url.join(&format!("{i}.ics")).unwrap(),
            etag: Some(Etag::new(format!("\"{i}\""))),
            schedule_tag: None,
            data,
        })
        .collect();
    let mut cache = Cache::open(&AccountFiles::new(&paths, "bench").cache_file).unwrap();
    cache.principal = Some(Principal {
        url: url.join("/p/attendee/").unwrap(),
        display_name: None,
        calendar_homes: vec![url.join("/cal-home/").unwrap()],
        addresses: vec!["mailto:attendee@example.com".into()],
        inbox: None,
        outbox: None,
    });
    cache
        .set_calendars(vec![Calendar {
            url: cal_url.clone(),
            display_name: Some("Work".into()),
            color: None,
            components: vec!["VEVENT".into()],
            ctag: None,
            sync_token: None,
            reports: vec![],
            read_only: false,
        }])
        .unwrap();
    cache.begin().unwrap();
    cache.apply(&cal_url, &BTreeSet::new(), objects, None).unwrap();
    (cache.synced_at, cache.listed_at) = (Some(0), Some(0));
    cache.save().unwrap();
    (dir, paths)
}

/// Best of `runs`: open the cache and list invitations; expand the calendar.
fn open_list_expand(paths: &convene::paths::Paths, runs: usize) -> (f64, f64) {
    let account = account(&Url::parse("https://calendar.example.com/").unwrap());
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let (mut list, mut expand) = (f64::MAX, f64::MAX);
    for _ in 0..runs {
        let t0 = Instant::now();
        let engine = Engine::open(paths, &account, Password::new("unused")).unwrap();
        let invitations = engine.invitations().unwrap();
        let t_list = t0.elapsed();
        let now = chrono::Utc::now();
        let agenda = engine.agenda(now - chrono::Duration::days(31), now + chrono::Duration::days(366));
        let t_agenda = t0.elapsed();
        std::hint::black_box((invitations, agenda));
        list = list.min(ms(t_list));
        expand = expand.min(ms(t_agenda - t_list));
    }
    (list, expand)
}

fn main() {
    let n: usize = std::env::var("CONVENE_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let t_store = Instant::now();
    let (_dir, paths) = profile(n, false);
    let t_store = t_store.elapsed();
    let url = Url::parse("https://calendar.example.com/").unwrap();
    let account = account(&url);

    let t0 = Instant::now();
    let engine = Engine::open(&paths, &account, Password::new("unused")).unwrap();
    let t_open = t0.elapsed();
    let invitations = engine.invitations().unwrap();
    let t_list = t0.elapsed();
    let now = chrono::Utc::now();
    let agenda = engine.agenda(now - chrono::Duration::days(31), now + chrono::Duration::days(366));
    let t_agenda = t0.elapsed();
    let mut app = App::new(paths.clone(), Config { accounts: vec![account.clone()], ..Config::default() });
    let ready =
        Update::Ready { account: "bench".into(), capabilities: None, invitations: invitations.clone() };
    let _ = app.update(Message::Account("bench".into(), connection::Event::Update(ready)));
    let _ = app
        .update(Message::Account("bench".into(), connection::Event::Update(Update::Agenda(agenda.clone()))));
    let mut ui = iced_test::simulator(app.view());
    let _ = ui.snapshot(&iced::Theme::Light).unwrap();
    let t_drawn = t0.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "Startup with {n} cached events ({} invitations, {} calendar occurrences):",
        invitations.len(),
        agenda.len()
    );
    println!("  (store them in the cache, one transaction: {:.1} ms)", ms(t_store));
    println!("  read cache        {:>7.1} ms", ms(t_open));
    println!("  list invitations  {:>7.1} ms", ms(t_list - t_open));
    println!("  expand calendar   {:>7.1} ms", ms(t_agenda - t_list));
    println!("  lay out and draw  {:>7.1} ms", ms(t_drawn - t_agenda));
    println!("  first screen      {:>7.1} ms (goal: under 1000 ms)", ms(t_drawn));

    // Scrolling: rebuilding and drawing the list again, as each scroll frame does.
    let frames = 20;
    let t = Instant::now();
    for _ in 0..frames {
        let mut ui = iced_test::simulator(app.view());
        let _ = ui.snapshot(&iced::Theme::Light).unwrap();
    }
    println!("  redraw (scroll frame) {:>5.1} ms per frame", ms(t.elapsed()) / frames as f64);

    // The hostile invitation: the same cache with and without it.
    drop(ui);
    drop((app, engine));
    let (_hostile_dir, hostile) = profile(n, true);
    let runs = 5;
    let (list_without, expand_without) = open_list_expand(&paths, runs);
    let (list_with, expand_with) = open_list_expand(&hostile, runs);
    println!("With an endless FREQ=SECONDLY invitation from 2000 in the cache (best of {runs}):");
    println!("                                    without     with");
    println!("  open cache + list invitations  {list_without:>7.1} ms {list_with:>7.1} ms");
    println!("  expand calendar                {expand_without:>7.1} ms {expand_with:>7.1} ms");
}
