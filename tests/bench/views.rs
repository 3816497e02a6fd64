//! Prints how long the calendar takes to show this week and this month when
//! the cache holds 100,000 events (19 years of a person's history and one
//! ahead: a tenth repeating weekly, a tenth in Europe/Berlin time, a third
//! invitations, answered but for a tenth of the future ones),
//! next to a floor measured in the same run: merely reading every cached
//! event from the database. Phase by phase, best of several runs:
//!
//! - filter: the engine's occurrences for the range (what the actor sends
//!   the window: the cache's time index, then each found event expanded);
//! - layout: `layout::day::grid` for the week, `layout::month::month`;
//! - view: the window's calendar page built and laid out (iced_test, CPU
//!   renderer), from a year of occurrences as the window holds them.
//!
//! Then a start in a fresh process: opening the cache, listing invitations,
//! the calendar's year and the week drawn, with its resident memory.
//!
//! Goals (issue 12): the week and the month each built in ≤ 5 ms; start to
//! the first drawn screen ≤ 400 ms; resident memory after start ≤ 200 MB.
//! `cargo bench --bench views` (`CONVENE_BENCH_EVENTS` changes the 100,000).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{Datelike, Local, NaiveDate, TimeZone, Utc, Weekday};
use convene::caldav::{Calendar, Etag, Object, Password, Principal};
use convene::config::{Account, Config};
use convene::layout;
use convene::store::AccountFiles;
use convene::store::Cache;
use convene::sync::{Engine, Update};
use convene::ui::{App, Message, Screen, calendar, connection};
use url::Url;

const RUNS: usize = 5;

/// The first day of the history: 19 years before today, so the cache
/// holds 19 years of the past and one of the future.
fn first_day() -> NaiveDate {
    Local::now().date_naive() - chrono::Days::new(19 * 365)
}

fn event(i: usize) -> String {
    // Spread over the 20 years, 08:00–18:00.
    let day = first_day() + chrono::Days::new((i * 7 % (20 * 365)) as u64);
    let hour = 8 + i % 10;
    let start = if i % 10 == 1 {
        format!("DTSTART;TZID=Europe/Berlin:{}T{hour:02}0000", day.format("%Y%m%d"))
    } else {
        format!("DTSTART:{}T{hour:02}0000Z", day.format("%Y%m%d"))
    };
    let weekly = if i.is_multiple_of(10) { "RRULE:FREQ=WEEKLY;COUNT=20\r\n" } else { "" };
    // A third are invitations: answered in the past, one in ten of the
    // future ones still waiting.
    let answer =
        if day < Local::now().date_naive() || !i.is_multiple_of(10) { "ACCEPTED" } else { "NEEDS-ACTION" };
    let invited = if i.is_multiple_of(3) {
        format!(
            "ORGANIZER:mailto:organizer@example.com\r\nATTENDEE;PARTSTAT={answer}:mailto:attendee@example.com\r\n"
        )
    } else {
        String::new()
    };
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:view-{i}\r\nDTSTAMP:20240101T000000Z\r\n{start}\r\nDURATION:PT45M\r\nSUMMARY:Event {i}\r\n{weekly}{invited}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn account() -> Account {
    Account {
        name: "bench".into(),
        url: Url::parse("https://calendar.example.com/").unwrap(),
        user: "attendee".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: vec![],
    }
}

fn profile(n: usize) -> (tempfile::TempDir, convene::paths::Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let url = Url::parse("https://calendar.example.com/").unwrap();
    let mut cache = Cache::open(&AccountFiles::new(&paths, "bench").cache_file).unwrap();
    cache.principal = Some(Principal {
        url: url.join("/p/attendee/").unwrap(),
        display_name: None,
        calendar_homes: vec![url.join("/cal/").unwrap()],
        addresses: vec!["mailto:attendee@example.com".into()],
        inbox: None,
        outbox: None,
    });
    // Four calendars, as several accounts' worth would be.
    let cal_url = |c: usize| url.join(&format!("/cal/{c}/")).unwrap();
    let calendars = (0..4)
        .map(|c| Calendar {
            url: cal_url(c),
            display_name: Some(format!("Calendar {c}")),
            color: None,
            components: vec!["VEVENT".into()],
            ctag: None,
            sync_token: None,
            reports: vec![],
            read_only: false,
        })
        .collect();
    cache.set_calendars(calendars).unwrap();
    cache.begin().unwrap();
    for c in 0..4 {
        let objects = (0..n)
            .filter(|i| i % 4 == c)
            .map(|i| Object {
                url: cal_url(c).join(&format!("{i}.ics")).unwrap(),
                etag: Some(Etag::new(format!("\"{i}\""))),
                schedule_tag: None,
                data: event(i),
            })
            .collect();
        cache.apply(&cal_url(c), &BTreeSet::new(), objects, None).unwrap();
    }
    (cache.synced_at, cache.listed_at) = (Some(0), Some(0));
    cache.save().unwrap();
    (dir, paths)
}

/// Best of `RUNS`, in milliseconds, and the last result.
fn best<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut fastest = Duration::MAX;
    let mut out = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = std::hint::black_box(f());
        fastest = fastest.min(t.elapsed());
        out = Some(r);
    }
    (fastest.as_secs_f64() * 1000.0, out.unwrap())
}

/// Kilobytes of a `/proc/self/status` line (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Run in a fresh process (this binary again, `CONVENE_BENCH_START` naming
/// the profile): what a start does before its first drawn screen, as the
/// actor and the window do it. Prints milliseconds, invitations listed,
/// occurrences, the resident set before and its peak after (KiB), and the
/// milliseconds to open the cache and list the invitations.
fn start(profile: &std::path::Path) {
    let before = status_kb("VmRSS:");
    let paths = convene::paths::Paths::profile(profile);
    let t = Instant::now();
    let engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    let invitations = engine.invitations().unwrap();
    let listed = t.elapsed().as_secs_f64() * 1000.0;
    let now = Utc::now();
    let agenda = engine.agenda(now - chrono::Duration::days(31), now + chrono::Duration::days(366));
    let mut app = App::new(paths.clone(), Config { accounts: vec![account()], ..Config::default() });
    let ready =
        Update::Ready { account: "bench".into(), capabilities: None, invitations: invitations.clone() };
    let _ = app.update(Message::Account("bench".into(), connection::Event::Update(ready)));
    let _ = app
        .update(Message::Account("bench".into(), connection::Event::Update(Update::Agenda(agenda.clone()))));
    let _ = app.update(Message::Show(Screen::Calendar));
    let _ = app.update(Message::Calendar(calendar::Message::Mode(calendar::Mode::Week)));
    let mut ui = iced_test::simulator(app.view());
    let _ = ui.snapshot(&iced::Theme::Light).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("{ms} {} {} {before} {} {listed}", invitations.len(), agenda.len(), status_kb("VmHWM:"));
}

fn main() {
    if let Some(profile) = std::env::var_os("CONVENE_BENCH_START") {
        return start(std::path::Path::new(&profile));
    }
    let n: usize = std::env::var("CONVENE_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let (dir, paths) = profile(n);
    let engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    let cache = Cache::open(&AccountFiles::new(&paths, "bench").cache_file).unwrap();

    let today = Local::now().date_naive();
    let monday = layout::week_of(today, Weekday::Mon);
    let utc = |d: NaiveDate| Local.from_local_datetime(&d.into()).earliest().unwrap().with_timezone(&Utc);
    let week = (utc(monday), utc(monday + chrono::Days::new(7)));
    let month_first = layout::week_of(today.with_day(1).unwrap(), Weekday::Mon);
    let month = (utc(month_first), utc(month_first + chrono::Days::new(42)));

    let (floor, count) =
        best(|| cache.objects().unwrap().iter().map(|(_, _, o)| o.data.len()).filter(|l| *l > 0).count());
    let (week_filter, week_items) = best(|| engine.agenda(week.0, week.1));
    let (month_filter, month_items) = best(|| engine.agenda(month.0, month.1));
    let occurrences =
        |items: &[convene::sync::AgendaItem]| items.iter().map(|i| i.occurrence.clone()).collect::<Vec<_>>();
    let (week_occ, month_occ) = (occurrences(&week_items), occurrences(&month_items));
    let (week_layout, _) = best(|| layout::day::grid(&week_occ, monday, 7, &Local));
    let (month_layout, _) =
        best(|| layout::month::month(&month_occ, today.year(), today.month(), Weekday::Mon, 4, &Local));

    // The window holds a year of occurrences (what the actor sends) and
    // draws the range from them.
    let year = engine.agenda(utc(today - chrono::Days::new(31)), utc(today + chrono::Days::new(366)));
    let mut app = App::new(paths.clone(), Config { accounts: vec![account()], ..Config::default() });
    let agenda = Update::Agenda(year.clone());
    let _ = app.update(Message::Account("bench".into(), connection::Event::Update(agenda)));
    let _ = app.update(Message::Show(Screen::Calendar));
    let mut view = |mode: calendar::Mode| {
        let _ = app.update(Message::Calendar(calendar::Message::Mode(mode)));
        let _ = app.update(Message::Calendar(calendar::Message::Jump(monday)));
        best(|| {
            let ui = iced_test::simulator(app.view());
            drop(ui);
        })
        .0
    };
    let (week_view, month_view) = (view(calendar::Mode::Week), view(calendar::Mode::Month));
    drop((app, engine, cache));

    println!(
        "Calendar views with {count} cached events over 20 years ({} occurrences in the window's year), best of {RUNS}:",
        year.len()
    );
    println!("  floor: read every cached event          {floor:>8.2} ms");
    println!(
        "                                        week ({:>3})  month ({:>4})",
        week_items.len(),
        month_items.len()
    );
    println!("  filter the cache to the range        {week_filter:>8.2} ms  {month_filter:>8.2} ms");
    println!("  layout (layout::day / month)          {week_layout:>8.2} ms  {month_layout:>8.2} ms");
    println!(
        "  view built and laid out (from a year) {week_view:>8.2} ms  {month_view:>8.2} ms   (goal ≤ 5 ms)"
    );

    // A start, in a process of its own so its memory is its own: open the
    // cache, list invitations, the calendar's year, the week drawn.
    let mut starts = Vec::new();
    for _ in 0..RUNS {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env("CONVENE_BENCH_START", dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let f: Vec<f64> = line.split_whitespace().map(|v| v.parse().unwrap()).collect();
        starts.push(f);
    }
    starts.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let s = &starts[starts.len() / 2];
    println!("A start, in a fresh process (median of {RUNS}):");
    println!("  open the cache, list {} invitations  {:>7.1} ms   (goal ≤ 150 ms)", s[1], s[5]);
    println!("  to the first drawn week ({} occurrences) {:>7.1} ms   (goal ≤ 400 ms)", s[2], s[0]);
    println!(
        "  resident memory {:.0} MB before opening, peak {:.0} MB   (goal ≤ 200 MB)",
        s[3] / 1024.0,
        s[4] / 1024.0
    );
}
