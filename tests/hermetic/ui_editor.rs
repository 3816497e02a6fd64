//! Creating, editing and moving events in the window, without a window:
//! real mouse events through the grid's widgets, the editor's fields typed
//! into, and what reaches the account's actor read off its channel.

use chrono::{Duration, Local, NaiveDate, NaiveDateTime};
use convene::ical::draft::{Draft, Scope, When};
use convene::sync::{Control, Update};
use convene::ui::{App, Message, calendar, connection, editor};
use iced::mouse;
use iced_test::selector;
use tokio::sync::mpsc;

use crate::ui_calendar::{at, calendar_app, click, press, shows, with_calendars};

const HOUR: f32 = 48.0;

/// The calendar on today's week, with calendars, and the actor's inbox.
fn app() -> (App, mpsc::Receiver<Control>, NaiveDate) {
    let today = Local::now().date_naive();
    let mut app = calendar_app(today);
    with_calendars(&mut app);
    let (tx, rx) = mpsc::channel(16);
    app.accounts[0].control = Some(tx);
    click(&mut app, "cal-week");
    (app, rx, today)
}

fn update(app: &mut App, update: Update) {
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
}

/// What reached the actor, but the attendees' busy times the editor asks
/// on its own (`the_editor_shows_the_attendees_busy_times…` tests those).
fn sent(rx: &mut mpsc::Receiver<Control>) -> Vec<Control> {
    sent_all(rx).into_iter().filter(|c| !matches!(c, Control::FreeBusy { .. })).collect()
}

fn sent_all(rx: &mut mpsc::Receiver<Control>) -> Vec<Control> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// Presses the left button at `from` in `day`'s column (y in pixels from
/// its top), moves to `to` (in `to_day`'s column) and lets go; the app
/// gets every message the widgets sent.
fn drag(app: &mut App, day: NaiveDate, from: f32, to_day: NaiveDate, to: f32) {
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

fn y(h: u32, m: u32) -> f32 {
    (h as f32 + m as f32 / 60.0) * HOUR + 2.0
}

fn form(app: &App) -> &editor::Form {
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

fn set(app: &mut App, field: editor::Field, text: &str) {
    let _ = app.update(Message::Editor(editor::Message::Text(field, text.into())));
}

/// Where the grid draws the event moved and not yet on the server.
fn moved(app: &App) -> Option<(chrono::DateTime<Local>, chrono::DateTime<Local>)> {
    match app.calendar.moves.items() {
        [] => None,
        [m] => Some((m.occurrence.start, m.occurrence.end)),
        more => panic!("one move at a time: {more:?}"),
    }
}

fn t(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
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
fn standup(today: NaiveDate) -> Draft {
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

/// The agenda's Standup as one occurrence of a series.
fn repeating(app: &mut App, today: NaiveDate) {
    let mut items = app.accounts[0].agenda.clone();
    for i in &mut items {
        if i.occurrence.uid == "Standup" {
            i.occurrence.recurrence_id = Some(today.format("%Y%m%dT090000").to_string());
        }
    }
    update(app, Update::Agenda(items));
}

#[test]
fn editing_one_occurrence_of_a_repeating_event_asks_which_and_sends_before_and_after() {
    let (mut app, mut rx, today) = app();
    repeating(&mut app, today);
    // A double-click on the box opens the editor, which asks for the draft.
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click("Standup").unwrap();
        ui.click("Standup").unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    assert!(app.details.is_none(), "a double-click edits rather than opening the details");
    let asked = sent(&mut rx);
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    let rid = today.format("%Y%m%dT090000").to_string();
    assert!(
        matches!(asked.as_slice(), [Control::EditorDraft { url: u, recurrence_id: Some(r) }] if *u == url && *r == rid),
        "{asked:?}"
    );
    assert!(shows(&app, "Reading the event from the calendar…"));
    update(
        &mut app,
        Update::EditorDraft { url: url.clone(), draft: Some(Box::new(standup(today))), organizer: true },
    );
    assert_eq!(form(&app).attendees, ["ann@example.com"], "the fields fill in");
    assert!(shows(
        &app,
        "One occurrence of a repeating event: saving asks which occurrences the change is for."
    ));

    let _ = app.update(Message::Editor(editor::Message::Title("Standup (short)".into())));
    click(&mut app, "editor-save");
    assert!(shows(&app, "Which occurrences does the change apply to?"));
    assert!(sent(&mut rx).is_empty(), "nothing before the answer");
    click(&mut app, "editor-scope-one");
    let sent = sent(&mut rx);
    let [Control::EditEvent { url: u, scope, before, after }] = sent.as_slice() else { panic!("{sent:?}") };
    assert_eq!((u, scope), (&url, &Scope::ThisOne { recurrence_id: rid }));
    assert_eq!(**before, standup(today), "what the person started from");
    assert_eq!(**after, Draft { summary: "Standup (short)".into(), ..standup(today) });
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
fn deleting_a_meeting_one_organizes_asks_the_scope_then_whether_to_cancel_it() {
    let (mut app, mut rx, today) = app();
    repeating(&mut app, today);
    let item = app.accounts[0].agenda.iter().find(|i| i.occurrence.uid == "Standup").unwrap().clone();
    let _ = app.update(Message::Calendar(calendar::Message::DoubleClick(Box::new(item.clone()))));
    let _ = sent(&mut rx);
    update(
        &mut app,
        Update::EditorDraft { url: item.url.clone(), draft: Some(Box::new(standup(today))), organizer: true },
    );
    click(&mut app, "editor-delete");
    assert!(shows(&app, "Which occurrences do you want to delete?"));
    click(&mut app, "editor-scope-following");
    assert!(shows(&app, "Cancel the meeting"), "a meeting the person organizes");
    click(&mut app, "editor-cancel-meeting");
    let sent = sent(&mut rx);
    let rid = item.occurrence.recurrence_id.clone().unwrap();
    assert!(
        matches!(sent.as_slice(), [Control::DeleteEvent { url, scope: Scope::ThisAndFollowing { recurrence_id }, cancel_meeting: true }]
            if *url == item.url && *recurrence_id == rid),
        "{sent:?}"
    );
}

#[test]
fn dragging_a_box_moves_it_at_once_and_a_failure_puts_it_back() {
    let (mut app, mut rx, today) = app();
    // Standup 09:00–09:30 today: grab it at 09:10, drop it at 11:25.
    drag(&mut app, today, y(9, 10), today, y(11, 25));
    assert_eq!(moved(&app), Some((at(today, 11, 15), at(today, 11, 45))), "drawn at its new place at once");
    assert!(shows(&app, "Standup"));
    let asked = sent(&mut rx);
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    assert!(matches!(asked.as_slice(), [Control::EditorDraft { url: u, .. }] if *u == url), "{asked:?}");
    let before = Draft { repeat: None, attendees: vec![], ..standup(today) };
    update(
        &mut app,
        Update::EditorDraft { url: url.clone(), draft: Some(Box::new(before.clone())), organizer: false },
    );
    assert!(app.editor.is_none(), "a move of a single event asks nothing");
    let sent = sent(&mut rx);
    let [Control::EditEvent { scope, before: b, after, .. }] = sent.as_slice() else { panic!("{sent:?}") };
    assert_eq!((scope, &**b), (&Scope::All, &before));
    assert_eq!(
        after.when,
        When::Timed { start: t(today, 11, 15), end: t(today, 11, 45), zone: editor::local_zone() }
    );

    let error = convene::sync::failure::Cause::KeptChanging.into();
    update(&mut app, Update::EventFailed { uid: "Standup".into(), error });
    assert_eq!(moved(&app), None, "back where it was");
    assert!(app.banners.iter().any(|b| b.text.contains("kept changing on the server")), "{:?}", app.banners);

    // Saved: it stays at its new place until the agenda shows it there.
    drag(&mut app, today, y(9, 10), today, y(11, 25));
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(before)), organizer: false });
    update(&mut app, Update::EventSaved { uid: "Standup".into() });
    assert_eq!(moved(&app), Some((at(today, 11, 15), at(today, 11, 45))), "saved, the agenda not yet read");
    let agenda = app.accounts[0].agenda.clone();
    update(&mut app, Update::Agenda(agenda));
    assert_eq!(moved(&app), None, "drawn from the agenda again");
}

#[test]
fn the_bottom_edge_changes_the_length_and_across_days_moves_the_day() {
    let (mut app, mut rx, today) = app();
    // The bottom edge of Standup (09:30) is its last few pixels.
    drag(&mut app, today, 9.5 * HOUR - 2.0, today, y(10, 20));
    // Grabbed in the 09:15 slot, let go in the 10:15 one: an hour longer.
    assert_eq!(moved(&app), Some((at(today, 9, 0), at(today, 10, 30))), "longer by the hour dragged");
    assert!(shows(&app, "09:00–10:30"), "the taller box says its new times");
    let _ = sent(&mut rx);
    let tomorrow = today + Duration::days(1);
    if calendar::week_of(tomorrow) == calendar::week_of(today) {
        let mut app2 = self::app().0;
        drag(&mut app2, today, y(9, 10), tomorrow, y(9, 10));
        assert_eq!(moved(&app2), Some((at(tomorrow, 9, 0), at(tomorrow, 9, 30))), "a day on, same time");
    }
}

#[test]
fn moving_an_occurrence_of_a_repeating_event_asks_which_and_backing_out_puts_it_back() {
    let (mut app, mut rx, today) = app();
    repeating(&mut app, today);
    drag(&mut app, today, y(9, 10), today, y(10, 10));
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    let _ = sent(&mut rx);
    update(
        &mut app,
        Update::EditorDraft { url: url.clone(), draft: Some(Box::new(standup(today))), organizer: true },
    );
    assert!(shows(&app, "Which occurrences does the change apply to?"), "the move asks");
    assert_eq!(moved(&app), Some((at(today, 10, 0), at(today, 10, 30))), "shown moved meanwhile");
    press(&mut app, iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape), Default::default());
    assert!(app.editor.is_none() && sent(&mut rx).is_empty(), "Esc: nothing sent");
    assert_eq!(moved(&app), None, "back where it was");

    drag(&mut app, today, y(9, 10), today, y(10, 10));
    let _ = sent(&mut rx);
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(standup(today))), organizer: true });
    click(&mut app, "editor-scope-all");
    let sent = sent(&mut rx);
    let [Control::EditEvent { scope: Scope::All, after, .. }] = sent.as_slice() else { panic!("{sent:?}") };
    assert_eq!(
        after.when,
        When::Timed { start: t(today, 10, 0), end: t(today, 10, 30), zone: editor::local_zone() }
    );
}

#[test]
fn a_clash_with_a_change_made_elsewhere_shows_both_and_sends_nothing_until_decided() {
    use convene::ical::{Clash, Field};
    use convene::sync::Resolution;
    let (mut app, mut rx, today) = app();
    drag(&mut app, today, y(9, 10), today, y(11, 25));
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    let before = Draft { repeat: None, attendees: vec![], ..standup(today) };
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(before)), organizer: true });
    let _ = sent(&mut rx);
    let clash = || Clash {
        field: Field::Location,
        before: "Room 1".into(),
        mine: "Room 2".into(),
        theirs: "Room 3".into(),
    };
    update(&mut app, Update::EventConflict { uid: "Standup".into(), clashes: vec![clash()] });
    assert_eq!(moved(&app), None, "the server's version is drawn");
    for what in ["Changed elsewhere meanwhile", "Place: Room 1", "Place: Room 2", "Place: Room 3"] {
        assert!(shows(&app, what), "{what}");
    }
    assert!(sent(&mut rx).is_empty(), "nothing until the person decides");
    click(&mut app, "conflict-mine");
    let got = sent(&mut rx);
    assert!(
        matches!(got.as_slice(), [Control::Resolve { uid, resolution: Resolution::SendOnNewVersion }] if uid == "Standup"),
        "{got:?}"
    );

    // "Edit again": theirs kept, the editor opens on the event anew.
    update(&mut app, Update::EventConflict { uid: "Standup".into(), clashes: vec![clash()] });
    click(&mut app, "conflict-edit");
    let got = sent(&mut rx);
    assert!(
        matches!(
            got.as_slice(),
            [Control::Resolve { resolution: Resolution::Discard, .. }, Control::EditorDraft { .. }]
        ),
        "{got:?}"
    );
    assert!(app.conflict.is_none() && app.editor.is_some());
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

/// Presses the left button on `day`'s cell of the all-day row, moves to
/// `to_day`'s and lets go, as the mouse does.
fn drag_all_day(app: &mut App, day: NaiveDate, to_day: NaiveDate) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        let cell = |ui: &mut iced_test::Simulator<'_, Message>, d: NaiveDate| {
            ui.find(selector::id(format!("all-day-{d}"))).unwrap().bounds()
        };
        let (a, b) = (cell(&mut ui, day), cell(&mut ui, to_day));
        let start = iced::Point::new(a.center_x(), a.y + 6.0);
        let end = iced::Point::new(b.center_x(), b.y + 6.0);
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

#[test]
fn dragging_an_all_day_bar_moves_it_by_whole_days() {
    let (mut app, mut rx, today) = app();
    let monday = calendar::week_of(today);
    let wednesday = monday + Duration::days(2);
    // A two-day offsite, Monday and Tuesday.
    let offsite =
        crate::ui_calendar::item("Offsite", at(monday, 0, 0), at(monday + Duration::days(2), 0, 0), true);
    update(&mut app, Update::Agenda(vec![offsite]));
    drag_all_day(&mut app, monday, wednesday);
    assert_eq!(
        moved(&app),
        Some((at(wednesday, 0, 0), at(wednesday + Duration::days(2), 0, 0))),
        "drawn on Wednesday and Thursday at once"
    );
    assert!(shows(&app, "Offsite"));
    let url = url::Url::parse("https://h/cal/work/Offsite.ics").unwrap();
    let asked = sent(&mut rx);
    assert!(matches!(asked.as_slice(), [Control::EditorDraft { url: u, .. }] if *u == url), "{asked:?}");
    let before = Draft {
        calendar: url::Url::parse("https://h/cal/work/").unwrap(),
        summary: "Offsite".into(),
        when: When::AllDay { start: monday, end: monday + Duration::days(2) },
        location: String::new(),
        description: String::new(),
        repeat: None,
        reminders: vec![],
        attendees: vec![],
    };
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(before.clone())), organizer: true });
    let sent = sent(&mut rx);
    let [Control::EditEvent { scope, before: b, after, .. }] = sent.as_slice() else { panic!("{sent:?}") };
    assert_eq!((scope, &**b), (&Scope::All, &before));
    assert_eq!(
        after.when,
        When::AllDay { start: wednesday, end: wednesday + Duration::days(2) },
        "whole days, still all day"
    );
    assert_eq!(**after, Draft { when: after.when.clone(), ..before }, "nothing else changed");

    // Pressed and let go on the same day: a click, which opens the details.
    let mut app = self::app().0;
    let offsite =
        crate::ui_calendar::item("Offsite", at(monday, 0, 0), at(monday + Duration::days(1), 0, 0), true);
    update(&mut app, Update::Agenda(vec![offsite]));
    drag_all_day(&mut app, monday, monday);
    assert_eq!(moved(&app), None);
    let _ = app.update(Message::Calendar(calendar::Message::ClickSettled));
    assert!(app.details.is_some() && app.editor.is_none(), "a click opens it");
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

/// "Keep theirs": the change made here is dropped (the one `Resolve`
/// with `Discard`, nothing written), the event drawn where the server has
/// it, and no editor opens.
#[test]
fn keep_theirs_drops_the_change_and_sends_nothing_else() {
    use convene::ical::{Clash, Field};
    use convene::sync::Resolution;
    let (mut app, mut rx, today) = app();
    drag(&mut app, today, y(9, 10), today, y(11, 25));
    let url = url::Url::parse("https://h/cal/work/Standup.ics").unwrap();
    let before = Draft { repeat: None, attendees: vec![], ..standup(today) };
    update(&mut app, Update::EditorDraft { url, draft: Some(Box::new(before)), organizer: true });
    let _ = sent(&mut rx);
    let clash = Clash {
        field: Field::Time,
        before: "20301202T090000Z".into(),
        mine: "20301202T111500Z".into(),
        theirs: "20301202T120000Z".into(),
    };
    update(&mut app, Update::EventConflict { uid: "Standup".into(), clashes: vec![clash] });
    assert!(shows(&app, "Keep theirs"));
    click(&mut app, "conflict-theirs");
    let got = sent_all(&mut rx);
    assert!(
        matches!(got.as_slice(), [Control::Resolve { uid, resolution: Resolution::Discard }] if uid == "Standup"),
        "{got:?}"
    );
    assert!(app.conflict.is_none() && app.editor.is_none(), "decided: nothing more to ask");
    assert_eq!(moved(&app), None, "drawn where the server has it");
    assert!(!shows(&app, "Changed elsewhere meanwhile"));
}
