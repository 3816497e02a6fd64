//! Changing events already in the calendar, without a window: moving
//! them on the grid (by the box, its bottom edge, an all-day bar), one
//! occurrence or all of a repeating one, deleting a meeting one organizes,
//! and the merge dialog when a change met another made elsewhere. Real
//! mouse events through the widgets; what reaches the account's actor is
//! read off its channel.

use chrono::{Duration, Local, NaiveDate};
use convene::ical::draft::{Draft, Scope, When};
use convene::sync::{Control, Update};
use convene::ui::{App, Message, calendar, editor};
use iced::mouse;
use iced_test::selector;

use crate::ui_calendar::{at, click, press, shows};
use crate::ui_editor::{HOUR, app, drag, form, sent, sent_all, standup, t, update, y};

/// Where the grid draws the event moved and not yet on the server.
fn moved(app: &App) -> Option<(chrono::DateTime<Local>, chrono::DateTime<Local>)> {
    match app.calendar.moves.items() {
        [] => None,
        [m] => Some((m.occurrence.start, m.occurrence.end)),
        more => panic!("one move at a time: {more:?}"),
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
