//! The day, week and month views drawn from the layout, without a window:
//! the views switch, move, and show events where the agenda puts them.

use chrono::{Datelike, Duration, Local, NaiveDate, TimeZone};
use convene::config::Config;
use convene::ical::occurrence::Occurrence;
use convene::sync::{AgendaItem, Update};
use convene::ui::{App, Message, Screen, calendar, connection};
use iced_test::selector;

pub(crate) fn at(day: NaiveDate, h: u32, m: u32) -> chrono::DateTime<Local> {
    Local.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap()).earliest().unwrap()
}

pub(crate) fn item(
    summary: &str,
    start: chrono::DateTime<Local>,
    end: chrono::DateTime<Local>,
    all_day: bool,
) -> AgendaItem {
    let url = url::Url::parse(&format!("https://h/cal/work/{summary}.ics")).unwrap();
    AgendaItem {
        account: "work".into(),
        calendar: url.join("./").unwrap(),
        calendar_name: "Work".into(),
        url,
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
        answer: None,
        repeats_too_often: false,
    }
}

pub(crate) fn calendar_app(today: NaiveDate) -> App {
    let mut app = crate::work_account::app();
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
pub(crate) fn click(app: &mut App, id: &str) {
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

pub(crate) fn shows(app: &App, what: &str) -> bool {
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
    assert!(shows(&app, "Slot 8") && shows(&app, "08:00"), "the earliest chips, with their times");
    assert!(!shows(&app, "Slot 19"), "twelve events do not fit in a day's cell");

    click(&mut app, &format!("more-{today}"));
    assert_eq!((app.calendar.mode, app.calendar.day), (calendar::Mode::Day, today), "+N more opens the day");
    assert!(shows(&app, "Slot 19"));

    click(&mut app, "cal-month");
    click(&mut app, "cal-next");
    let next = today.with_day(1).unwrap().checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(app.calendar.day, next, "the month view moves by months");
}

pub(crate) fn press(app: &mut App, key: iced::keyboard::Key, modifiers: iced::keyboard::Modifiers) {
    use iced::keyboard;
    let event = keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: keyboard::key::Physical::Unidentified(keyboard::key::NativeCode::Unidentified),
        location: keyboard::Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    };
    let _ = app.update(Message::Key(event));
}

/// What clicking the text `what` sends, without acting on it.
pub(crate) fn clicked(app: &App, what: &str) -> Vec<Message> {
    let mut ui = iced_test::simulator(app.view());
    ui.click(what).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    ui.into_messages().collect()
}

#[test]
fn clicking_an_event_anywhere_opens_the_details_of_that_occurrence() {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    for view in ["cal-week", "cal-day", "cal-month", "cal-agenda"] {
        click(&mut app, "cal-today");
        click(&mut app, view);
        let messages = clicked(&app, "Standup");
        let opens =
            messages.iter().filter(|m| matches!(m, Message::Calendar(calendar::Message::Open(_)))).count();
        for m in messages {
            let _ = app.update(m);
        }
        // A click waits for a possible second one (a double-click edits);
        // the timer's message then opens it.
        assert_eq!(opens, 0, "{view}");
        assert!(app.details.is_none(), "{view}: not before the double-click time");
        let _ = app.update(Message::Calendar(calendar::Message::ClickSettled));
        // Its details open over the view, which stays; Esc closes them.
        assert_eq!(app.screen, Screen::Calendar, "{view}");
        let k = &app.details.as_ref().unwrap_or_else(|| panic!("{view}: details open")).item;
        assert_eq!(
            (
                k.account.as_str(),
                k.calendar.as_str(),
                k.url.as_str(),
                k.occurrence.uid.as_str(),
                k.occurrence.start
            ),
            ("work", "https://h/cal/work/", "https://h/cal/work/Standup.ics", "Standup", at(today, 9, 0)),
            "{view}"
        );
        press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape), Default::default());
        assert!(app.details.is_none(), "{view}: Esc closes the details");
    }
}

#[test]
fn clicking_an_invitation_opens_its_details_with_the_invitation_selected() {
    use convene::sync::{Listing, ReplyState};
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    let data = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:Review\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300604T100000Z\r\nSUMMARY:Review\r\nORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let me = convene::ical::Identity::new(["mailto:me@example.com"]);
    let listing = Listing {
        invitation: convene::ical::invitation::read(data, &me).unwrap().unwrap(),
        calendar: url::Url::parse("https://h/cal/work/").unwrap(),
        calendar_name: "Work".into(),
        url: url::Url::parse("https://h/cal/work/Review.ics").unwrap(),
        reply: ReplyState::None,
        occurrences: vec![],
        repeats_too_often: false,
        by_mail: false,
        conflicts: vec![],
        judged_day: None,
        since_seen: None,
    };
    let update = Update::InvitationsChanged(vec![listing]);
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
    click(&mut app, "cal-week");
    for m in clicked(&app, "Review") {
        let _ = app.update(m);
    }
    assert_eq!(app.screen, Screen::Calendar, "the details open over the week");
    let shown = app.details.as_ref().map(|d| d.item.occurrence.uid.clone());
    assert_eq!(shown.as_deref(), Some("Review"));
    assert!(shows(&app, "Accept"), "an invitation's details keep the answer buttons");
    assert_eq!(app.invitations.selected.as_ref().map(|k| k.uid.as_str()), Some("Review"));
}

pub(crate) fn with_calendars(app: &mut App) {
    let calendar = |path: &str, name: &str, color: Option<&str>| convene::caldav::Calendar {
        url: url::Url::parse(&format!("https://h/cal/{path}/")).unwrap(),
        display_name: Some(name.into()),
        color: color.map(Into::into),
        components: vec!["VEVENT".into()],
        ctag: None,
        sync_token: None,
        reports: vec![],
        read_only: false,
    };
    let update = Update::Calendars {
        calendars: vec![calendar("work", "Work", Some("#FF0000FF")), calendar("home", "Home", None)],
        addresses: vec![],
        capabilities: None,
    };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
}

#[test]
fn a_hidden_calendar_leaves_every_view_and_comes_back() {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    with_calendars(&mut app);
    click(&mut app, "cal-week");
    assert!(shows(&app, "Work") && shows(&app, "Home"), "the side list names every calendar");
    assert!(shows(&app, "Standup"));

    click(&mut app, "show-https://h/cal/work/");
    assert!(app.calendar.hidden.contains(&url::Url::parse("https://h/cal/work/").unwrap()));
    for view in ["cal-week", "cal-day", "cal-month", "cal-agenda"] {
        click(&mut app, view);
        assert!(!shows(&app, "Standup") && !shows(&app, "Review"), "{view}: Work's events hidden");
    }
    assert_eq!(app.config.calendar.hidden.len(), 1, "the setting is kept for saving");

    click(&mut app, "show-https://h/cal/work/");
    assert!(shows(&app, "Standup"), "shown again");
    assert!(app.config.calendar.hidden.is_empty());
}

#[test]
fn keys_switch_views_move_and_come_back_to_today() {
    use iced::keyboard::{Key as K, Modifiers, key::Named};
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    let _ = app.update(Message::Show(Screen::Invitations));
    for (key, mode) in [
        ("1", calendar::Mode::Day),
        ("2", calendar::Mode::Week),
        ("3", calendar::Mode::Month),
        ("4", calendar::Mode::Agenda),
    ] {
        press(&mut app, K::Character(key.into()), Modifiers::CTRL);
        assert_eq!((app.screen, app.calendar.mode), (Screen::Calendar, mode), "Ctrl+{key}");
    }
    press(&mut app, K::Character("2".into()), Modifiers::CTRL);
    press(&mut app, K::Named(Named::ArrowRight), Modifiers::empty());
    press(&mut app, K::Named(Named::ArrowRight), Modifiers::empty());
    assert_eq!(app.calendar.week_start, calendar::week_of(today) + Duration::weeks(2));
    press(&mut app, K::Named(Named::Home), Modifiers::empty());
    assert_eq!(app.calendar.week_start, calendar::week_of(today), "Home: today");
    press(&mut app, K::Named(Named::ArrowLeft), Modifiers::empty());
    press(&mut app, K::Character("t".into()), Modifiers::CTRL);
    assert_eq!(app.calendar.week_start, calendar::week_of(today), "Ctrl+T: today");
}

#[test]
fn the_month_picker_jumps_to_a_day_in_the_same_view() {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    click(&mut app, "cal-week");
    let shown = app.calendar.picker;
    click(&mut app, "pick-next");
    click(&mut app, "pick-next");
    assert_eq!(app.calendar.week_start, calendar::week_of(today), "turning the picker's page moves nothing");
    let first = shown.checked_add_months(chrono::Months::new(2)).unwrap();
    assert_eq!(app.calendar.picker, first);
    let target = first + Duration::days(9);
    click(&mut app, &format!("pick-{target}"));
    assert_eq!(
        (app.calendar.mode, app.calendar.week_start),
        (calendar::Mode::Week, calendar::week_of(target))
    );
    assert!(shows(
        &app,
        &convene::ui::format::date_range(
            calendar::week_of(target),
            calendar::week_of(target) + Duration::days(6)
        )
    ));
}

#[test]
fn the_view_the_date_and_hidden_calendars_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let config = Config { accounts: vec![crate::work_account::account()], ..Config::default() };
    config.save(&paths.config_file()).unwrap();
    let mut app = App::new(paths.clone(), config);
    with_calendars(&mut app);
    let _ = app.update(Message::Show(Screen::Calendar));
    let day = NaiveDate::from_ymd_opt(2031, 5, 14).unwrap();
    for m in [
        calendar::Message::Mode(calendar::Mode::Month),
        calendar::Message::Jump(day),
        calendar::Message::Toggle(url::Url::parse("https://h/cal/home/").unwrap(), false),
    ] {
        let _ = app.update(Message::Calendar(m));
    }
    // What the app's save task writes (update only hands it the settings).
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(calendar::save(paths.clone(), app.config.calendar.clone())).unwrap();

    let (restarted, _) = App::boot(paths.clone(), &[]);
    let c = &restarted.calendar;
    assert_eq!((c.mode, c.day), (calendar::Mode::Month, day));
    assert_eq!(c.hidden.iter().map(url::Url::as_str).collect::<Vec<_>>(), ["https://h/cal/home/"]);
    assert_eq!(restarted.config.accounts.len(), 1, "the accounts are kept beside the settings");
}
