//! What an invitation shows to answer it, without a window: its conflicts
//! in its row and details (not those in a hidden calendar), who is coming,
//! and what the organizer changed, until the person moves on from it.

use convene::ical::conflicts::Conflict;
use convene::ical::seen::SinceSeen;
use convene::ical::{Change, Field, Identity};
use convene::sync::{Control, Listing, ReplyState, Update};
use convene::ui::{App, Key, Message, invitations};
use iced_test::selector;

use crate::support::ics;
use crate::work_account;

fn listing(uid: &str, conflicts: Vec<Conflict>, since_seen: Option<SinceSeen>) -> Listing {
    let data = ics::object(
        ics::Event::new(uid)
            .summary(&format!("Meeting {uid}"))
            .at("20300604T100000Z", "20300604T110000Z")
            .line("ORGANIZER:mailto:o@example.com")
            .line("ATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:o@example.com")
            .line("ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com")
            .line("ATTENDEE;PARTSTAT=DECLINED;ROLE=OPT-PARTICIPANT:mailto:bob@example.com")
            .line("ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:dan@example.com\":mailto:cy@example.com")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM=\"mailto:cy@example.com\":mailto:dan@example.com"),
    );
    let me = Identity::new(["mailto:me@example.com"]);
    let url = url::Url::parse(&format!("https://h/c/{uid}.ics")).unwrap();
    Listing {
        invitation: convene::ical::invitation::read(&data, &me).unwrap().unwrap(),
        calendar: url.join("./").unwrap(),
        calendar_name: "Work".into(),
        url,
        reply: ReplyState::None,
        occurrences: vec![],
        repeats_too_often: false,
        by_mail: false,
        conflicts,
        judged_day: chrono::NaiveDate::from_ymd_opt(2030, 6, 4),
        since_seen,
    }
}

/// A conflict at `h1`:`m1`–`h2`:00 local time on the invitation's day, in
/// `calendar`.
fn conflict(summary: &str, from: (u32, u32), to: u32, calendar: &str) -> Conflict {
    use chrono::TimeZone;
    let at = |h, m| chrono::Local.with_ymd_and_hms(2030, 6, 4, h, m, 0).unwrap().to_rfc3339();
    Conflict {
        uid: summary.to_lowercase(),
        summary: summary.into(),
        start: at(from.0, from.1),
        end: at(to, 0),
        all_day: false,
        calendar: calendar.into(),
    }
}

fn app_with(list: Vec<Listing>) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    let (mut app, rx) = work_account::connected();
    work_account::update(&mut app, Update::InvitationsChanged(list));
    (app, rx)
}

fn shows(app: &App, what: &str) -> bool {
    iced_test::simulator(app.view()).find(what).is_ok()
}

fn select(app: &mut App, uid: &str) {
    let key = Key { account: "work".into(), uid: uid.into() };
    let _ = app.update(Message::Invitations(invitations::Message::Select(key)));
}

#[test]
fn a_row_names_its_first_conflict_and_counts_the_rest() {
    let conflicts = vec![
        conflict("Team sync", (10, 30), 11, "https://h/c/"),
        conflict("Dentist", (10, 0), 11, "https://h/c/"),
        conflict("Lunch", (10, 45), 12, "https://h/c/"),
    ];
    let (mut app, _rx) = app_with(vec![listing("a", conflicts, None)]);
    assert!(shows(&app, "Conflicts with: Team sync 10:30–11:00 +2 more"));
    select(&mut app, "a");
    for line in ["Team sync 10:30–11:00", "Dentist 10:00–11:00", "Lunch 10:45–12:00"] {
        assert!(shows(&app, line), "{line} in the details");
    }
}

#[test]
fn conflicts_in_a_hidden_calendar_are_not_shown() {
    let conflicts = vec![conflict("Private", (10, 0), 11, "https://h/private/")];
    let (mut app, _rx) = app_with(vec![listing("a", conflicts, None)]);
    assert!(shows(&app, "Conflicts with: Private 10:00–11:00"));
    app.calendar.hidden.insert(url::Url::parse("https://h/private/").unwrap());
    assert!(!shows(&app, "Conflicts with: Private 10:00–11:00"));
    let (app, _rx) = app_with(vec![listing("b", vec![], None)]);
    assert!(
        iced_test::simulator(app.view()).find(selector::id("conflicts-b")).is_err(),
        "no line without conflicts"
    );
}

#[test]
fn the_details_say_who_is_coming() {
    let (mut app, _rx) = app_with(vec![listing("a", vec![], None)]);
    select(&mut app, "a");
    assert!(shows(&app, "2 accepted, 1 declined, 1 delegated, 1 waiting"));
    assert!(shows(&app, "Accepted · chair"));
    assert!(shows(&app, "Declined · optional"));
    assert!(shows(&app, "Delegated · to dan@example.com"));
    assert!(shows(&app, "Needs an answer · for cy@example.com"));
    assert!(shows(&app, "me@example.com (you)"));
}

/// The organizer moved it from Room 1 to Room 2, which reset the answer.
fn moved() -> SinceSeen {
    SinceSeen {
        changes: vec![Change {
            field: Field::Location,
            occurrence: None,
            before: "Room 1".into(),
            after: "Room 2".into(),
        }],
        answer_reset: Some("ACCEPTED".into()),
    }
}

#[test]
fn an_updated_invitation_comes_back_to_the_top() {
    // One waiting for an answer on 4 June, one updated on 10 June.
    let mut waiting = listing("waiting", vec![], None);
    waiting.invitation.my_partstat = Some("NEEDS-ACTION".into());
    let mut updated = listing("updated", vec![], Some(moved()));
    updated.invitation.start.as_mut().unwrap().value = "20300610T100000Z".into();
    let (app, _rx) = app_with(vec![waiting, updated]);
    let mut ui = iced_test::simulator(app.view());
    let mut top = |summary: &str| ui.find(summary).unwrap().bounds().y;
    assert!(top("Meeting updated") < top("Meeting waiting"), "the updated one is listed first");
}

#[test]
fn an_update_is_shown_until_the_person_moves_on() {
    let moved = moved();
    let (mut app, mut rx) = app_with(vec![listing("a", vec![], Some(moved)), listing("b", vec![], None)]);
    assert!(shows(&app, "Updated: Place (answer reset) · Accepted"));
    select(&mut app, "a");
    assert!(shows(&app, "Place: Room 1 → Room 2"));
    assert!(shows(&app, "Your answer (Accepted) was reset by the change: answer again"));
    assert!(rx.try_recv().is_err(), "its changes stay while it is selected");
    select(&mut app, "b");
    match rx.try_recv() {
        Ok(Control::Seen { uid }) => assert_eq!(uid, "a"),
        other => panic!("{other:?}"),
    }
    select(&mut app, "a");
    assert!(rx.try_recv().is_err(), "moving on from one not updated marks nothing");
}

#[test]
fn a_crowded_day_names_five_conflicts_and_counts_the_rest_above_the_answer() {
    let conflicts: Vec<Conflict> =
        (0..7).map(|i| conflict(&format!("Busy {i}"), (10, i * 5), 11, "https://h/c/")).collect();
    let (mut app, _rx) = app_with(vec![listing("a", conflicts, None)]);
    select(&mut app, "a");
    assert!(shows(&app, "Busy 4 10:20–11:00"));
    assert!(!shows(&app, "Busy 5 10:25–11:00"), "the sixth is counted, not named");
    assert!(shows(&app, "and 2 more"));
    let mut ui = iced_test::simulator(app.view());
    let answer = ui.find(selector::id("detail-accept-a")).unwrap().bounds().y;
    let attendees = ui.find("Attendees").unwrap().bounds().y;
    assert!(answer < attendees, "the answer comes before the attendees");
}
