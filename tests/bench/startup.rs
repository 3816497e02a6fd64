//! Prints how long the app takes from start to its first rendered screen
//! with 2,000 cached events (goal: under a second), phase by phase:
//! read the cache, list invitations, expand the calendar, lay out and draw
//! the window (iced_test, CPU renderer). No server needed.
//!
//! `cargo bench --bench startup` (`CONVENE_BENCH_EVENTS` changes the 2,000).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use convene::caldav::{Calendar, Etag, Password, Principal};
use convene::config::{Account, Config};
use convene::store::AccountFiles;
use convene::store::cache::{Cache, CachedCalendar, CachedObject};
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

fn main() {
    let n: usize = std::env::var("CONVENE_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let url = Url::parse("https://calendar.example.com/").unwrap();
    let account = Account {
        name: "bench".into(),
        url: url.clone(),
        user: "attendee".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: vec![],
    };
    let cal_url = url.join("/cal/").unwrap();
    let objects: BTreeMap<Url, CachedObject> = (0..n)
        .map(|i| {
            let o = CachedObject {
                etag: Some(Etag::new(format!("\"{i}\""))),
                schedule_tag: None,
                data: event(i),
            };
            (cal_url.join(&format!("{i}.ics")).unwrap(), o)
        })
        .collect();
    let cache = Cache {
        format: convene::store::cache::FORMAT,
        principal: Some(Principal {
            url: url.join("/p/attendee/").unwrap(),
            display_name: None,
            calendar_homes: vec![url.join("/cal-home/").unwrap()],
            addresses: vec!["mailto:attendee@example.com".into()],
            inbox: None,
            outbox: None,
        }),
        capabilities: None,
        calendars: vec![CachedCalendar {
            info: Calendar {
                url: cal_url,
                display_name: Some("Work".into()),
                color: None,
                components: vec!["VEVENT".into()],
                ctag: None,
                sync_token: None,
                reports: vec![],
            },
            synced_token: None,
            synced_ctag: None,
            objects,
        }],
        synced_at: Some(0),
        listed_at: Some(0),
    };
    cache.save(&AccountFiles::new(&paths, "bench").cache_file).unwrap();

    let t0 = Instant::now();
    let engine = Engine::open(&paths, &account, Password::new("unused")).unwrap();
    let t_open = t0.elapsed();
    let invitations = engine.invitations().unwrap();
    let t_list = t0.elapsed();
    let now = chrono::Utc::now();
    let agenda = engine.agenda(now - chrono::Duration::days(31), now + chrono::Duration::days(366));
    let t_agenda = t0.elapsed();
    let mut app = App::new(paths.clone(), Config { accounts: vec![account.clone()] });
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
}
