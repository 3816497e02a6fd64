//! The day, week and month views drawn from the layout, without a window:
//! the views switch, move, and show events where the agenda puts them.

use chrono::{Datelike, Duration, Local, NaiveDate, TimeZone};
use convene::config::{Account, Config};
use convene::ical::occurrence::Occurrence;
use convene::sync::{AgendaItem, Update};
use convene::ui::{App, Message, Screen, calendar, connection};
use iced_test::selector;

fn at(day: NaiveDate, h: u32, m: u32) -> chrono::DateTime<Local> {
    Local.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap()).earliest().unwrap()
}

fn item(
    summary: &str,
    start: chrono::DateTime<Local>,
    end: chrono::DateTime<Local>,
    all_day: bool,
) -> AgendaItem {
    AgendaItem {
        account: "work".into(),
        calendar_name: "Work".into(),
        url: url::Url::parse("https://h/cal/").unwrap().join(summary).unwrap(),
        occurrence: Occurrence {
            uid: summary.into(),
            summary: summary.into(),
            start,
            end,
            all_day,
            location: None,
            recurrence_id: None,
            cancelled: false,
        },
        invitation: summary == "Review",
        pending: summary == "Review",
        repeats_too_often: false,
    }
}

fn calendar_app(today: NaiveDate) -> App {
    let account = Account {
        name: "work".into(),
        url: url::Url::parse("https://h/").unwrap(),
        user: "me".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: None,
        aliases: vec![],
    };
    let mut app =
        App::new(convene::paths::Paths::profile(&std::env::temp_dir()), Config { accounts: vec![account] });
    let next_week = today + Duration::days(7);
    let agenda = vec![
        item("Holiday", at(today, 0, 0), at(today + Duration::days(1), 0, 0), true),
        item("Standup", at(today, 9, 0), at(today, 9, 30), false),
        item("Review", at(today, 9, 15), at(today, 10, 0), false),
        item("Planning", at(next_week, 14, 0), at(next_week, 15, 0), false),
    ];
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(Update::Agenda(agenda))));
    let _ = app.update(Message::Show(Screen::Calendar));
    app
}

/// Clicks the widget with `id` and feeds what it sends back to the app.
fn click(app: &mut App, id: &str) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(selector::id(id.to_owned())).unwrap();
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "{id} sent nothing");
    for m in messages {
        let _ = app.update(m);
    }
}

fn shows(app: &App, what: &str) -> bool {
    iced_test::simulator(app.view()).find(what).is_ok()
}

#[test]
fn week_and_day_views_place_events_and_move() {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    click(&mut app, "cal-week");
    assert_eq!(app.calendar.mode, calendar::Mode::Week);
    assert!(shows(&app, "09:00") && shows(&app, "23:00"), "hours down the side");
    assert!(shows(&app, "Standup") && shows(&app, "Holiday"), "the grid and the all-day row");
    assert!(shows(&app, "09:15–10:00 · needs your answer"), "the invitation says what it waits for");
    assert!(!shows(&app, "Planning"), "next week's event is not in this week");

    click(&mut app, "cal-next");
    assert!(shows(&app, "Planning") && !shows(&app, "Standup"), "a week on");

    click(&mut app, "cal-today");
    click(&mut app, "cal-day");
    assert_eq!((app.calendar.mode, app.calendar.day), (calendar::Mode::Day, today), "opens on today");
    assert!(shows(&app, "Standup") && shows(&app, "Review"));
    click(&mut app, "cal-next");
    assert_eq!(app.calendar.day, today + Duration::days(1), "the day view moves by days");
    assert!(!shows(&app, "Standup"));

    click(&mut app, "cal-week");
    assert_eq!(app.calendar.week_start, calendar::week_of(today + Duration::days(1)));
}

#[test]
fn the_month_shows_chips_and_more_opens_the_day() {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    let busy: Vec<AgendaItem> =
        (8..20).map(|h| item(&format!("Slot {h}"), at(today, h, 0), at(today, h, 30), false)).collect();
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(Update::Agenda(busy))));
    click(&mut app, "cal-month");
    assert_eq!(app.calendar.mode, calendar::Mode::Month);
    assert!(shows(&app, "08:00 Slot 8"), "the earliest chips, with their times");
    assert!(!shows(&app, "19:00 Slot 19"), "twelve events do not fit in a day's cell");

    click(&mut app, &format!("more-{today}"));
    assert_eq!((app.calendar.mode, app.calendar.day), (calendar::Mode::Day, today), "+N more opens the day");
    assert!(shows(&app, "Slot 19"));

    click(&mut app, "cal-month");
    click(&mut app, "cal-next");
    let next = today.with_day(1).unwrap().checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(app.calendar.day, next, "the month view moves by months");
}
