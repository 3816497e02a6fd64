//! An event's details without a window: an agenda entry opens them, the
//! account's cache fills them in, Esc closes them, and an invitation's
//! details answer through the same outbox message as the invitation list.

use chrono::{Local, TimeZone, Utc};
use convene::config::{Account, Config};
use convene::ical::occurrence::Occurrence;
use convene::ical::{Answer, Identity};
use convene::sync::{AgendaItem, Control, Details, Listing, ReplyState, Update};
use convene::ui::{App, Message, Screen, connection, details};
use iced::keyboard::{self, Key as K, Modifiers, key::Named};
use iced_test::selector;

use crate::support::ics;

const ME: &str = "mailto:user@example.com";

/// A weekly meeting kept in Chatham time, with a link in its place and in
/// its description; invited or only in the calendar.
fn data(uid: &str, invited: bool) -> String {
    let mut event = ics::Event::new(uid)
        .summary("Design review")
        .line("DTSTART;TZID=Pacific/Chatham:20300604T091500")
        .line("DURATION:PT1H")
        .line("RRULE:FREQ=WEEKLY;BYDAY=TU")
        .line("LOCATION:Room 2 or https://meet.example.com/review")
        .line("DESCRIPTION:Agenda: https://wiki.example.com/review. Bring notes.")
        .organized()
        .line("ATTENDEE;CN=Bob;PARTSTAT=DECLINED;ROLE=OPT-PARTICIPANT:mailto:bob@example.com");
    if invited {
        event = event.invite("user");
    }
    // The builder's own DTSTART/DTEND give way to the zoned start above.
    let text = ics::object(event);
    text.replace("DTSTART:20300604T100000Z\r\n", "").replace("DTEND:20300604T110000Z\r\n", "")
}

fn url(uid: &str) -> url::Url {
    url::Url::parse(&format!("https://h/cal/work/{uid}.ics")).unwrap()
}

fn item(uid: &str, invited: bool) -> AgendaItem {
    // 09:15 in Chatham (+12:45 in June) is 20:30 UTC the day before.
    let start = Utc.with_ymd_and_hms(2030, 6, 3, 20, 30, 0).unwrap().with_timezone(&Local);
    AgendaItem {
        account: "work".into(),
        calendar: url::Url::parse("https://h/cal/work/").unwrap(),
        calendar_name: "Work".into(),
        url: url(uid),
        occurrence: Occurrence {
            uid: uid.into(),
            summary: "Design review".into(),
            start,
            end: start + chrono::Duration::hours(1),
            all_day: false,
            location: Some("Room 2 or https://meet.example.com/review".into()),
            recurrence_id: Some("20300604T091500".into()),
            cancelled: false,
        },
        invitation: invited,
        pending: invited,
        answer: None,
        repeats_too_often: false,
    }
}

fn details_of(uid: &str, invited: bool) -> Details {
    let me = Identity::new([ME]);
    let event = convene::ical::invitation::read(&data(uid, invited), &me).unwrap().unwrap();
    Details {
        event,
        calendar_name: "Work".into(),
        calendar_color: Some("#1a5fb4".into()),
        conflicts: vec![],
        day: vec![],
        since_seen: None,
    }
}

fn listing(uid: &str) -> Listing {
    Listing {
        invitation: details_of(uid, true).event,
        calendar: url::Url::parse("https://h/cal/work/").unwrap(),
        calendar_name: "Work".into(),
        url: url(uid),
        reply: ReplyState::None,
        occurrences: vec![],
        repeats_too_often: false,
        by_mail: false,
        conflicts: vec![],
        judged_day: None,
        since_seen: None,
    }
}

fn calendar_app(
    agenda: Vec<AgendaItem>,
    invitations: Vec<Listing>,
) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    let account = Account {
        name: "work".into(),
        url: url::Url::parse("https://h/").unwrap(),
        user: "user".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: None,
        aliases: vec![],
    };
    let mut app = App::new(
        convene::paths::Paths::profile(&std::env::temp_dir()),
        Config { accounts: vec![account], ..Config::default() },
    );
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    for event in [
        connection::Event::Connected(tx),
        connection::Event::Update(Update::InvitationsChanged(invitations)),
        connection::Event::Update(Update::Agenda(agenda)),
    ] {
        let _ = app.update(Message::Account("work".into(), event));
    }
    let _ = app.update(Message::Show(Screen::Calendar));
    // The agenda starts at this week; the test events are in June 2030.
    let _ = app.update(Message::Calendar(convene::ui::calendar::Message::Shift(weeks_to_june_2030())));
    (app, rx)
}

fn weeks_to_june_2030() -> i64 {
    let monday = convene::ui::calendar::week_of(Local::now().date_naive());
    let target = convene::ui::calendar::week_of(chrono::NaiveDate::from_ymd_opt(2030, 6, 3).unwrap());
    (target - monday).num_weeks()
}

/// Clicks the widget with `id`, or else the text `what`, and feeds what
/// it sends back to the app.
fn click(app: &mut App, what: &str) -> Vec<Message> {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        if ui.click(selector::id(what.to_owned())).is_err() {
            ui.click(what).unwrap_or_else(|e| panic!("{what}: {e}"));
        }
        ui.into_messages().collect()
    };
    for m in messages.clone() {
        let _ = app.update(m);
    }
    // A click on one's own event opens it once no second click followed.
    if messages.iter().any(|m| matches!(m, Message::Calendar(convene::ui::calendar::Message::Click(_)))) {
        let _ = app.update(Message::Calendar(convene::ui::calendar::Message::ClickSettled));
    }
    messages
}

fn shows(app: &App, what: &str) -> bool {
    iced_test::simulator(app.view()).find(what).is_ok()
}

fn press(app: &mut App, key: K) {
    let event = keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: keyboard::key::Physical::Unidentified(keyboard::key::NativeCode::Unidentified),
        location: keyboard::Location::Standard,
        modifiers: Modifiers::empty(),
        text: None,
        repeat: false,
    };
    let _ = app.update(Message::Key(event));
}

#[test]
fn an_agenda_entry_opens_its_details_from_the_cache() {
    let (mut app, mut rx) = calendar_app(vec![item("r", false)], vec![]);
    assert!(app.details.is_none());
    click(&mut app, "Design review");
    assert!(app.details.is_some());

    // At once: what the view knows, and the question to the account's actor.
    match rx.try_recv().unwrap() {
        Control::Details { url: asked, recurrence_id } => {
            assert_eq!((asked, recurrence_id.as_deref()), (url("r"), Some("20300604T091500")));
        }
        other => panic!("{other:?}"),
    }
    let when = convene::ui::format::times_in_words(
        &item("r", false).occurrence.start,
        &item("r", false).occurrence.end,
    );
    assert!(when.ends_with("(1 hour)"), "{when}");
    assert!(shows(&app, &when), "the time in words, in the person's zone");
    assert!(shows(&app, "Reading the rest from the calendar…"));
    assert!(!shows(&app, "Olga Organizer <organizer@example.com>"));

    // An answer about another event changes nothing; this one fills in.
    let other = Update::Details { url: url("x"), details: Some(Box::new(details_of("x", false))) };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(other)));
    assert!(shows(&app, "Reading the rest from the calendar…"));
    let mine = Update::Details { url: url("r"), details: Some(Box::new(details_of("r", false))) };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(mine)));
    for text in [
        "Olga Organizer <organizer@example.com>",
        "Accepted · chair",
        "Bob <bob@example.com>",
        "Declined · optional",
        "every week on Tuesday",
        "Work (work)",
    ] {
        assert!(shows(&app, text), "{text}");
    }
    assert!(!shows(&app, "Reading the rest from the calendar…"));
    assert!(!shows(&app, "Accept"), "no answer buttons on an event that is not an invitation");

    // Links open through the app (the browser), from the place and the description.
    // A click on the link in the description ("Agenda: " is before it).
    let sent: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        let text = ui.find(selector::id("details-description")).unwrap();
        let at = text.visible_bounds().unwrap().position();
        ui.point_at(iced::Point::new(at.x + 120.0, at.y + 8.0));
        let _ = ui.simulate(iced_test::simulator::click());
        ui.into_messages().collect()
    };
    assert!(
        sent.iter().any(|m| matches!(m, Message::Details(details::Message::OpenLink(u)) if u == "https://wiki.example.com/review")),
        "{sent:?}"
    );

    press(&mut app, K::Named(Named::Escape));
    assert!(app.details.is_none(), "Esc closes the details");
    assert!(shows(&app, "Design review"), "the agenda is still there");
    assert!(rx.try_recv().is_err(), "nothing else was sent");
}

#[test]
fn details_of_an_event_gone_from_the_cache_say_so_and_close_with_the_button() {
    let (mut app, mut rx) = calendar_app(vec![item("r", false)], vec![]);
    let _ = app.update(Message::Calendar(convene::ui::calendar::Message::Open(Box::new(item("r", false)))));
    assert!(matches!(rx.try_recv(), Ok(Control::Details { .. })));
    let gone = Update::Details { url: url("r"), details: None };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(gone)));
    assert!(shows(&app, "This event is no longer in the calendar."));
    click(&mut app, "details-close");
    assert!(app.details.is_none());
}

#[test]
fn an_invitations_details_answer_through_the_outbox_message() {
    let (mut app, mut rx) = calendar_app(vec![item("i", true)], vec![listing("i")]);
    let _ = app.update(Message::Calendar(convene::ui::calendar::Message::Open(Box::new(item("i", true)))));
    assert!(matches!(rx.try_recv(), Ok(Control::Details { .. })));
    assert_eq!(
        app.invitations.selected.as_ref().map(|k| k.uid.as_str()),
        Some("i"),
        "selected for its answer"
    );
    let found = Update::Details { url: url("i"), details: Some(Box::new(details_of("i", true))) };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(found)));
    assert!(shows(&app, "Needs an answer"));
    assert!(shows(&app, "user@example.com (you)"), "the person among the attendees");

    // The comment and the button are the invitation page's: one answer path.
    let _ =
        app.update(Message::Details(details::Message::Invitation(convene::ui::invitations::Message::Form(
            convene::ui::invitations::answer::Message::CommentChanged("I'll dial in".into()),
        ))));
    click(&mut app, "details-accept-i");
    match rx.try_recv().unwrap() {
        Control::Reply { uid, answer, comment, occurrence, .. } => {
            assert_eq!(
                (uid.as_str(), answer, comment.as_deref(), occurrence),
                ("i", Answer::Accept, Some("I'll dial in"), None)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(app.accounts[0].sending.contains("i"));
    assert!(shows(&app, "Sending…"), "the details show where the answer stands");

    // The letter keys answer the invitation shown.
    press(&mut app, K::Character("d".into()));
    assert!(matches!(rx.try_recv().unwrap(), Control::Reply { answer: Answer::Decline, .. }));
}

#[test]
fn letter_keys_answer_nothing_over_an_event_that_is_not_an_invitation() {
    // An invitation is selected in the list; the details shown are another event's.
    let (mut app, mut rx) = calendar_app(vec![item("r", false)], vec![listing("i")]);
    let _ = app.update(Message::Invitations(convene::ui::invitations::Message::Select(convene::ui::Key {
        account: "work".into(),
        uid: "i".into(),
    })));
    let _ = app.update(Message::Calendar(convene::ui::calendar::Message::Open(Box::new(item("r", false)))));
    assert!(matches!(rx.try_recv(), Ok(Control::Details { .. })));
    press(&mut app, K::Character("a".into()));
    press(&mut app, K::Named(Named::ArrowDown));
    assert!(rx.try_recv().is_err(), "nothing answered behind the details");
    assert_eq!(app.invitations.selected.as_ref().map(|k| k.uid.as_str()), Some("i"));
}

#[test]
fn a_long_description_leaves_the_answer_in_sight_and_the_page_where_it_was() {
    let (mut app, mut rx) = calendar_app(vec![item("i", true)], vec![listing("i")]);
    let title =
        |app: &App| iced_test::simulator(app.view()).find(selector::id("cal-title")).unwrap().bounds();
    let before = title(&app);
    let _ = app.update(Message::Calendar(convene::ui::calendar::Message::Open(Box::new(item("i", true)))));
    assert!(matches!(rx.try_recv(), Ok(Control::Details { .. })));
    let mut found = details_of("i", true);
    let lines: Vec<String> = (1..=80).map(|n| format!("Point {n} of the agenda.")).collect();
    found.event.description = Some(lines.join("\n"));
    let update = Update::Details { url: url("i"), details: Some(Box::new(found)) };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
    assert!(iced_test::simulator(app.view()).find(selector::id("details-description")).is_ok());
    assert_eq!(title(&app), before, "the calendar does not move under the dialog");

    let mut ui = iced_test::simulator(app.view());
    let close = ui.find(selector::id("details-close")).unwrap().bounds();
    assert!(close.y >= 40.0, "the dimmed page shows above the dialog: {close:?}");
    // The simulator clicks only what is in sight: no scrolling to answer.
    ui.click(selector::id("details-accept-i")).expect("Accept in sight above the description");
    let sent: Vec<Message> = ui.into_messages().collect();
    for m in sent {
        let _ = app.update(m);
    }
    assert!(matches!(rx.try_recv().unwrap(), Control::Reply { answer: Answer::Accept, .. }));
}

/// The organizer of a meeting sees, beside each attendee's answer, what the
/// server did with the invitation (SCHEDULE-STATUS in words); an attendee
/// does not (the codes are the organizer's bookkeeping).
#[test]
fn the_organizer_sees_whether_each_invitation_was_delivered() {
    let text = data("m", false)
        .replace(
            "ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com",
            "ORGANIZER:mailto:user@example.com",
        )
        .replace(
            "ATTENDEE;CN=Bob;PARTSTAT=DECLINED;ROLE=OPT-PARTICIPANT:mailto:bob@example.com",
            "ATTENDEE;CN=Bob;SCHEDULE-STATUS=1.2:mailto:bob@example.com\r\n\
             ATTENDEE;CN=Nobody;SCHEDULE-STATUS=\"3.7;Invalid calendar user\":mailto:nobody@example.com",
        );
    assert!(text.contains("ORGANIZER:mailto:user@example.com"), "{text}");
    let event = convene::ical::invitation::read(&text, &Identity::new([ME])).unwrap().unwrap();
    let details = Details {
        event,
        calendar_name: "Work".into(),
        calendar_color: None,
        conflicts: vec![],
        day: vec![],
        since_seen: None,
    };
    let (mut app, _rx) = calendar_app(vec![item("m", false)], vec![]);
    click(&mut app, "Design review");
    let update = Update::Details { url: url("m"), details: Some(Box::new(details)) };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(update)));
    assert!(shows(&app, "Needs an answer · delivered"));
    assert!(shows(&app, "Needs an answer · unknown address"));
}
