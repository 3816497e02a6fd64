//! Opening the editor and filling it in, without a window: a new event
//! from the grid, the button, Ctrl+N or a month's day, an existing one by
//! a double-click or Enter; its fields typed into, the calendars offered,
//! attendees completed and their busy times; what reaches the account's
//! actor read off its channel. Changing events already there (moves,
//! repeating ones, deletion, conflicts) is in `ui_editor_changes`.

use chrono::{Duration, Local, NaiveDate, NaiveDateTime};
use convene::ical::draft::{Draft, When};
use convene::sync::{Control, Update};
use convene::ui::{App, Message, calendar, connection, editor};
use iced::mouse;
use iced_test::selector;
use tokio::sync::mpsc;

use crate::ui_calendar::{at, calendar_app, click, press, shows, with_calendars};

pub(crate) const HOUR: f32 = 48.0;

/// The calendar on today's week, with calendars, and the actor's inbox.
pub(crate) fn app() -> (App, mpsc::Receiver<Control>, NaiveDate) {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    with_calendars(&mut app);
    let (tx, rx) = mpsc::channel(16);
    app.accounts[0].control = Some(tx);
    click(&mut app, "cal-week");
    (app, rx, today)
}

pub(crate) fn update(app: &mut App, update: Update) {
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
}

/// What reached the actor, but the attendees' busy times the editor asks
/// on its own (`the_editor_shows_the_attendees_busy_times…` tests those).
pub(crate) fn sent(rx: &mut mpsc::Receiver<Control>) -> Vec<Control> {
    sent_all(rx).into_iter().filter(|c| !matches!(c, Control::FreeBusy { .. })).collect()
}

pub(crate) fn sent_all(rx: &mut mpsc::Receiver<Control>) -> Vec<Control> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// Presses the left button at `from` in `day`'s column (y in pixels from
/// its top), moves to `to` (in `to_day`'s column) and lets go; the app
/// gets every message the widgets sent.
pub(crate) fn drag(app: &mut App, day: NaiveDate, from: f32, to_day: NaiveDate, to: f32) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        let column = |ui: &mut iced_test::Simulator<'_, Message>, d: NaiveDate| {
            ui.find(selector::id(format!("grid-{d}"))).unwrap().bounds()
        };
        let (a, b) = (column(&mut ui, day), column(&mut ui, to_day));
        // The left quarter: Standup's half, beside Review at 09:15.
        let start = iced::Point::new(a.x + a.width / 4.0, a.y + from);
        let end = iced::Point::new(b.x + b.width / 4.0, b.y + to);
        ui.point_at(start);
        ui.simulate([iced::Event::Mouse(mouse::Event::CursorMoved { position: start })]);
        ui.simulate([iced::Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left))]);
        ui.point_at(end);
        ui.simulate([iced::Event::Mouse(mouse::Event::CursorMoved { position: end })]);
        ui.simulate([iced::Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left))]);
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
}

pub(crate) fn y(h: u32, m: u32) -> f32 {
    (h as f32 + m as f32 / 60.0) * HOUR + 2.0
}

pub(crate) fn form(app: &App) -> &editor::Form {
    &app.editor.as_ref().expect("the editor is open").form
}

/// Clicks the (empty) field `id` and types `text` into it.
fn type_into(app: &mut App, id: &str, text: &str) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(selector::id(id.to_owned())).unwrap();
        ui.typewrite(text);
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
}

pub(crate) fn set(app: &mut App, field: editor::Field, text: &str) {
    let _ = app.update(Message::Editor(editor::Message::Text(field, text.into())));
}

pub(crate) fn t(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_hms_opt(h, m, 0).unwrap()
}

#[test]
fn dragging_on_empty_grid_opens_the_editor_on_the_quarter_hours_swept() {
    let (mut app, _rx, today) = app();
    drag(&mut app, today, y(6, 5), today, y(7, 40));
    let f = form(&app);
    let day = today.format("%Y-%m-%d").to_string();
    assert_eq!(
        (f.start_date.as_str(), f.start_time.as_str(), f.end_date.as_str(), f.end_time.as_str(), f.all_day),
        (day.as_str(), "06:00", day.as_str(), "07:45", false),
        "06:05 snaps down to 06:00; the 07:30 slot is included"
    );
    assert_eq!(f.zone, editor::local_zone());
    assert!(shows(&app, "New event"));

    // Upwards works as well; a click without a drag creates nothing.
    let _ = app.update(Message::Editor(editor::Message::Cancel));
    drag(&mut app, today, y(3, 50), today, y(2, 0));
    assert_eq!((form(&app).start_time.as_str(), form(&app).end_time.as_str()), ("02:00", "04:00"));
    let _ = app.update(Message::Editor(editor::Message::Cancel));
    drag(&mut app, today, y(5, 0), today, y(5, 5));
    assert!(app.editor.is_none(), "a click on empty grid is not a new event");
}

#[test]
fn saving_a_new_event_sends_its_draft_and_problems_are_named_first() {
    let (mut app, mut rx, today) = app();
    drag(&mut app, today, y(6, 0), today, y(6, 45));
    type_into(&mut app, "editor-title", "Dentist");
    type_into(&mut app, "editor-location", "Main St 4");
    set(&mut app, editor::Field::EndTime, "05:00");
    click(&mut app, "editor-save");
    assert!(shows(&app, "The event ends before it starts."), "the problem is named");
    assert!(sent(&mut rx).is_empty(), "nothing is written");

    set(&mut app, editor::Field::EndTime, "7:15");
    let _ = app.update(Message::Editor(editor::Message::AddReminder(15)));
    // Enter saves (when no field holds it).
    press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Enter), Default::default());
    assert!(app.editor.is_none(), "saved and closed");
    let sent = sent(&mut rx);
    let [Control::CreateEvent(draft)] = sent.as_slice() else { panic!("one create, got {sent:?}") };
    assert_eq!(
        **draft,
        Draft {
            calendar: url::Url::parse("https://h/cal/work/").unwrap(),
            summary: "Dentist".into(),
            when: When::Timed { start: t(today, 6, 0), end: t(today, 7, 15), zone: editor::local_zone() },
            location: "Main St 4".into(),
            description: String::new(),
            repeat: None,
            reminders: vec![15],
            attendees: vec![],
        }
    );
}

#[test]
fn new_event_button_ctrl_n_and_a_month_double_click_open_the_editor() {
    let (mut app, _rx, today) = app();
    click(&mut app, "cal-new");
    let next = Local::now().naive_local() + Duration::hours(1);
    let f = form(&app);
    assert_eq!(f.start_time, next.format("%H:00").to_string(), "at the next hour");
    let _ = app.update(Message::Editor(editor::Message::Cancel));

    press(&mut app, iced::keyboard::Key::Character("n".into()), iced::keyboard::Modifiers::CTRL);
    assert!(app.editor.is_some(), "Ctrl+N");
    press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape), Default::default());
    assert!(app.editor.is_none(), "Esc cancels");

    click(&mut app, "cal-month");
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        let cell = ui.find(selector::id(format!("day-{today}"))).unwrap().bounds();
        ui.point_at(iced::Point::new(cell.center_x(), cell.y + cell.height - 4.0));
        ui.simulate(iced_test::simulator::click().chain(iced_test::simulator::click()));
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    let f = form(&app);
    assert!(f.all_day, "a day of the month: all day");
    assert_eq!((f.start_date.clone(), f.end_date.clone()), (today.to_string(), today.to_string()));
}

#[test]
fn a_calendar_the_server_says_is_read_only_is_not_offered() {
    let (mut app, _rx, _) = app();
    let calendar = |path: &str, name: &str, read_only: bool| convene::caldav::Calendar {
        url: url::Url::parse(&format!("https://h/cal/{path}/")).unwrap(),
        display_name: Some(name.into()),
        color: None,
        components: vec!["VEVENT".into()],
        ctag: None,
        sync_token: None,
        reports: vec![],
        read_only,
    };
    let calendars = vec![calendar("holidays", "Holidays", true), calendar("work", "Work", false)];
    update(&mut app, Update::Calendars { calendars, addresses: vec![], capabilities: None });
    click(&mut app, "cal-new");
    let editor = app.editor.as_ref().expect("the editor is open");
    let offered: Vec<&str> = editor.choices.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(offered, ["Work"], "only the calendar the person may write to");
    assert_eq!(editor.calendar.as_ref().map(|c| c.name.as_str()), Some("Work"), "and it is the one chosen");
}

/// One occurrence of the weekly standup, as `Draft::from_event` reads it.
pub(crate) fn standup(today: NaiveDate) -> Draft {
    Draft {
        calendar: url::Url::parse("https://h/cal/work/").unwrap(),
        summary: "Standup".into(),
        when: When::Timed { start: t(today, 9, 0), end: t(today, 9, 30), zone: editor::local_zone() },
        location: String::new(),
        description: "Daily sync".into(),
        // An occurrence's draft does not repeat; its series does.
        repeat: None,
        reminders: vec![],
        attendees: vec!["ann@example.com".into()],
    }
}

#[test]
fn a_double_click_on_a_months_chip_or_an_agenda_entry_edits_it() {
    let (mut app, mut rx, today) = app();
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    for view in ["cal-month", "cal-agenda"] {
        click(&mut app, "cal-today");
        click(&mut app, view);
        for m in clicked_twice(&app, "Standup") {
            let _ = app.update(m);
        }
        // The first click's timer ends after the second: it opens nothing.
        let _ = app.update(Message::Calendar(calendar::Message::ClickSettled));
        assert!(app.details.is_none(), "{view}: the editor rather than the details");
        let asked = sent(&mut rx);
        assert!(
            matches!(asked.as_slice(), [Control::EditorDraft { url: u, recurrence_id: None }] if *u == url),
            "{view}: {asked:?}"
        );
        update(
            &mut app,
            Update::EditorDraft { url: url.clone(), draft: Some(Box::new(standup(today))), organizer: true },
        );
        assert_eq!(form(&app).title, "Standup", "{view}");
        press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape), Default::default());
        assert!(app.editor.is_none(), "{view}");
    }
    // Someone else's meeting opens its details; only its organizer edits it.
    click(&mut app, "cal-month");
    for m in clicked_twice(&app, "Review") {
        let _ = app.update(m);
    }
    assert!(app.editor.is_none() && app.details.is_some(), "an invitation is not edited");
}

fn clicked_twice(app: &App, what: &str) -> Vec<Message> {
    let mut ui = iced_test::simulator(app.view());
    ui.click(what).unwrap();
    ui.click(what).unwrap();
    ui.into_messages().collect()
}

#[test]
fn a_new_event_gets_the_default_reminder() {
    let (mut app, _rx, _today) = app();
    click(&mut app, "cal-new");
    assert!(form(&app).reminders.is_empty(), "no default: no reminder");
    let _ = app.update(Message::Editor(editor::Message::Cancel));

    app.config.reminders.default_before = Some(15);
    click(&mut app, "cal-new");
    assert_eq!(form(&app).reminders, vec![15]);
}

/// The editor asks the attendees' busy times for the event's day when
/// attendees are added or the day changes, shows them under the attendees
/// with whether the chosen time is free, and drops an older answer.
#[test]
fn the_editor_shows_the_attendees_busy_times_and_asks_again_when_they_change() {
    use convene::sync::Availability;
    let (mut app, mut rx, today) = app();
    // A new event today 10:00–11:00 (a drag over the grid).
    drag(&mut app, today, y(10, 0), today, y(10, 45));
    assert!(sent_all(&mut rx).is_empty(), "no attendees: nothing asked");
    let _ = app.update(Message::Editor(editor::Message::AddAttendee("ann@example.com".into())));
    let asked = sent_all(&mut rx);
    let day = |d: NaiveDate| at(d, 0, 0).with_timezone(&chrono::Utc);
    let [Control::FreeBusy { attendees, from, to }] = asked.as_slice() else { panic!("{asked:?}") };
    assert_eq!(attendees, &["ann@example.com"]);
    assert_eq!((*from, *to), (day(today), day(today + Duration::days(1))), "the event's day");
    assert!(shows(&app, "Asking the server when the attendees are busy…"));

    let busy = |h: u32| {
        (at(today, h, 0).with_timezone(&chrono::Utc), at(today, h + 1, 0).with_timezone(&chrono::Utc))
    };
    let ann =
        Availability { address: "ann@example.com".into(), status: "delivered".into(), busy: vec![busy(10)] };
    update(&mut app, Update::FreeBusy { from: day(today), answer: Ok(vec![ann.clone()]) });
    assert!(shows(&app, "ann@example.com: busy 10:00–11:00 · busy then"), "her meeting, and the clash");

    // Moved to the afternoon: the same day, nothing asked again; free then.
    set(&mut app, editor::Field::StartTime, "14:00");
    set(&mut app, editor::Field::EndTime, "15:00");
    assert!(sent_all(&mut rx).is_empty(), "the same day and attendees: the answer holds");
    assert!(shows(&app, "ann@example.com: busy 10:00–11:00 · free then"));

    // Another day: asked again; the old day's late answer is dropped.
    let tomorrow = today + Duration::days(1);
    set(&mut app, editor::Field::StartDate, &tomorrow.to_string());
    set(&mut app, editor::Field::EndDate, &tomorrow.to_string());
    let asked = sent_all(&mut rx);
    assert!(
        matches!(asked.as_slice(), [.., Control::FreeBusy { from, .. }] if *from == day(tomorrow)),
        "{asked:?}"
    );
    update(&mut app, Update::FreeBusy { from: day(today), answer: Ok(vec![ann.clone()]) });
    assert!(shows(&app, "Asking the server when the attendees are busy…"), "still waiting for tomorrow's");
    let free = Availability { busy: vec![], ..ann };
    update(&mut app, Update::FreeBusy { from: day(tomorrow), answer: Ok(vec![free]) });
    assert!(shows(&app, "ann@example.com: free all day"));
}

/// Attendees are completed from the people of the person's own events,
/// most used first, never the person themself; a suggestion clicked is
/// added.
#[test]
fn attendees_are_completed_from_the_people_of_ones_events_most_used_first() {
    let (mut app, _rx, _today) = app();
    let people =
        [("me@example.com", 9), ("anna@example.com", 1), ("hannah@example.com", 4), ("bob@example.com", 2)];
    update(&mut app, Update::People(people.iter().map(|(a, n)| (a.to_string(), *n)).collect()));
    app.accounts[0].addresses = vec!["mailto:me@example.com".into()];
    click(&mut app, "cal-new");
    type_into(&mut app, "editor-attendee", "ann");
    let offered = app.editor.as_ref().unwrap().suggestions();
    assert_eq!(offered, ["hannah@example.com", "anna@example.com"], "most used first; not me");
    assert!(shows(&app, "hannah@example.com"), "shown under the field");
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click("hannah@example.com").unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    assert_eq!(form(&app).attendees, ["hannah@example.com"]);
    assert_eq!(app.editor.as_ref().unwrap().suggestions(), Vec::<&str>::new(), "the field is emptied");
}

/// A click selects an event (its details open); Enter then edits it, as
/// the details' "Edit" does. An invitation is someone else's to edit:
/// Enter there changes nothing and sends nothing.
#[test]
fn enter_on_a_selected_event_opens_the_editor_but_not_on_an_invitation() {
    let (mut app, mut rx, today) = app();
    let select = |app: &mut App, what: &str| {
        for m in crate::ui_calendar::clicked(app, what) {
            let _ = app.update(m);
        }
        let _ = app.update(Message::Calendar(calendar::Message::ClickSettled));
    };
    let enter = iced::keyboard::Key::Named(iced::keyboard::key::Named::Enter);
    select(&mut app, "Standup");
    assert_eq!(app.details.as_ref().map(|d| d.item.occurrence.uid.as_str()), Some("Standup"));
    let _ = sent(&mut rx);
    press(&mut app, enter.clone(), Default::default());
    assert!(app.details.is_none(), "the details give way to the editor");
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    let asked = sent(&mut rx);
    assert!(
        matches!(asked.as_slice(), [Control::EditorDraft { url: u, recurrence_id: None }] if *u == url),
        "{asked:?}"
    );
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(standup(today))), organizer: true });
    assert_eq!(form(&app).title, "Standup", "the editor on the selected event");
    press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape), Default::default());
    assert!(app.editor.is_none());

    select(&mut app, "Review");
    assert_eq!(app.details.as_ref().map(|d| d.item.occurrence.uid.as_str()), Some("Review"));
    let _ = sent(&mut rx);
    press(&mut app, enter, Default::default());
    assert!(app.editor.is_none() && app.details.is_some(), "an invitation is not edited");
    assert!(sent(&mut rx).is_empty(), "nor answered");
}
