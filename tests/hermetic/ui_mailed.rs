//! Files opened in the window (issue 16, without a window): a plain
//! calendar goes to the import wizard; an invitation by mail already on the
//! server is selected in Invitations; one that is not opens "Invitation by
//! mail", whose answer goes to the account's actor as `Control::Mailed`
//! and whose result it shows; a mailed CANCEL goes to the actor and shows
//! the cancelled invitation.

use std::path::PathBuf;

use convene::ical::Answer;
use convene::sync::{Cancelled, Control, Listing, MailedAnswer, MailedDone, Update};
use convene::ui::mailed::Stage;
use convene::ui::{App, Key, Message, Screen};
use iced_test::selector;

use crate::support::ics;
use crate::work_account;

const CALENDAR: &str = "https://h/cal/work/";

fn event(uid: &str) -> ics::Event {
    ics::Event::new(uid)
        .summary("Supplier visit")
        .at("20300604T100000Z", "20300604T110000Z")
        .organized()
        .invite("me")
}

fn mailed(method: &'static str, uid: &str) -> String {
    ics::Calendar::new().method(method).event(event(uid)).to_string()
}

fn listing(uid: &str) -> Listing {
    let mut l = work_account::listing(uid, &ics::object(event(uid)));
    l.calendar = url::Url::parse(CALENDAR).unwrap();
    l.url = l.calendar.join(&format!("{uid}.ics")).unwrap();
    l
}

/// …and after it has: one calendar, these invitations, its agenda.
fn holding(app: &mut App, invitations: Vec<Listing>) {
    let calendar = convene::caldav::Calendar {
        url: url::Url::parse(CALENDAR).unwrap(),
        display_name: Some("Work".into()),
        color: None,
        components: vec!["VEVENT".into()],
        ctag: None,
        sync_token: None,
        reports: vec![],
        read_only: false,
    };
    let addresses = vec!["mailto:me@example.com".to_owned()];
    work_account::update(app, Update::Calendars { calendars: vec![calendar], addresses, capabilities: None });
    work_account::update(app, Update::InvitationsChanged(invitations));
    work_account::update(app, Update::Agenda(vec![]));
}

fn app_with(invitations: Vec<Listing>) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    let (mut app, rx) = work_account::connected();
    holding(&mut app, invitations);
    (app, rx)
}

fn open(app: &mut App, name: &str, text: String) -> PathBuf {
    let file = PathBuf::from(format!("/tmp/mw-{name}"));
    let _ = app.update(Message::Opened(vec![(file.clone(), Some(text))]));
    file
}

fn shows(app: &App, what: &str) -> bool {
    iced_test::simulator(app.view()).find(what).is_ok()
}

/// Clicks the widget with `id`; what it sent, fed back to the app.
fn click(app: &mut App, id: &str) -> usize {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(selector::id(id.to_owned())).unwrap();
        ui.into_messages().collect()
    };
    let n = messages.len();
    for m in messages {
        let _ = app.update(m);
    }
    n
}

#[test]
fn a_plain_calendar_or_a_published_one_goes_to_the_import_wizard() {
    for text in [ics::object(event("mw-plain")), mailed("PUBLISH", "mw-plain")] {
        let (mut app, _rx) = app_with(vec![]);
        open(&mut app, "plain.ics", text);
        assert_eq!(app.screen, Screen::Import);
        assert!(app.mailed.is_none());
    }
}

#[test]
fn an_invitation_already_on_the_server_is_selected_in_invitations() {
    let (mut app, mut rx) = app_with(vec![listing("mw-there")]);
    let _ = app.update(Message::Show(Screen::Calendar));
    open(&mut app, "there.ics", mailed("REQUEST", "mw-there"));
    assert_eq!(app.screen, Screen::Invitations);
    assert_eq!(app.invitations.selected, Some(Key { account: "work".into(), uid: "mw-there".into() }));
    assert!(app.mailed.is_none(), "no second way to answer it");
    assert!(rx.try_recv().is_err(), "nothing sent before the person answers");
}

#[test]
fn a_copy_added_from_mail_earlier_is_answered_by_mail_again_in_the_panel() {
    let mut added = listing("mw-added");
    added.by_mail = true;
    let (mut app, mut rx) = app_with(vec![added]);
    open(&mut app, "again.ics", mailed("REQUEST", "mw-added"));
    assert!(shows(&app, "Invitation by mail"), "the panel, where the reply file is made");
    assert!(shows(&app, "In your calendar Work (work), added from mail earlier"));
    click(&mut app, "mailed-decline");
    let Ok(Control::Mailed { answer: Some(answer), .. }) = rx.try_recv() else { panic!("nothing sent") };
    assert_eq!((answer.answer, answer.calendar.as_str()), (Answer::Decline, CALENDAR));
    assert!(shows(&app, "Answering it with your answer declined…"));

    let refused =
        convene::sync::Failure::from(convene::sync::MailedError::NotAdded("the server said no".into()));
    let file = app.mailed.as_ref().unwrap().file.clone();
    work_account::update(&mut app, Update::Mailed { file, uid: "mw-added".into(), result: Err(refused) });
    assert!(shows(&app, "Your answer was not saved: the server did not take it: the server said no."));
    assert!(shows(
        &app,
        "Your copy keeps the answer it had, and no reply was written. Accept, Tentative or Decline sends that answer again."
    ));
}

#[test]
fn an_invitation_not_on_the_server_is_answered_in_the_panel_through_the_actor() {
    let (mut app, mut rx) = app_with(vec![]);
    let file = open(&mut app, "new.ics", mailed("REQUEST", "mw-new"));
    assert!(shows(&app, "Invitation by mail"));
    assert!(shows(&app, "Supplier visit"));
    assert!(shows(&app, "From Olga Organizer <organizer@example.com>"));
    assert_eq!(app.screen, Screen::Invitations, "not the import wizard");
    let _ = app.update(Message::Mailed(convene::ui::mailed::Message::Comment("Running late".into())));

    click(&mut app, "mailed-accept");
    let Ok(Control::Mailed { file: sent, text, answer }) = rx.try_recv() else { panic!("nothing sent") };
    assert_eq!(sent, file);
    assert!(text.contains("METHOD:REQUEST"));
    let expected = MailedAnswer {
        calendar: url::Url::parse(CALENDAR).unwrap(),
        answer: Answer::Accept,
        comment: Some("Running late".into()),
    };
    assert_eq!(answer, Some(expected));
    assert!(shows(&app, "Adding it with your answer accepted…"));
    // While it is added, answering again sends nothing.
    click(&mut app, "mailed-decline");
    assert!(rx.try_recv().is_err());

    // Refused: said, and the person may answer again.
    let refused =
        convene::sync::Failure::from(convene::sync::MailedError::NotAdded("the server said no".into()));
    work_account::update(
        &mut app,
        Update::Mailed { file: file.clone(), uid: "mw-new".into(), result: Err(refused) },
    );
    // What happened, and what answering again does (it used to say only
    // the error, beside the same buttons).
    assert!(shows(&app, "Not added to Work (work): the server did not take it: the server said no."));
    assert!(shows(
        &app,
        "It is not on the server, and no reply was written. Accept, Tentative or Decline tries adding it again, with that answer."
    ));
    click(&mut app, "mailed-tentative");
    assert!(matches!(
        rx.try_recv(),
        Ok(Control::Mailed { answer: Some(MailedAnswer { answer: Answer::Tentative, .. }), .. })
    ));

    let reply = PathBuf::from("/tmp/mw-replies/mw-new-tentative.ics");
    let done = MailedDone::Added {
        queued: false,
        reply: reply.clone(),
        organizer: "organizer@example.com".into(),
        subject: "Tentative: Supplier visit".into(),
    };
    work_account::update(&mut app, Update::Mailed { file, uid: "mw-new".into(), result: Ok(done) });
    let panel = app.mailed.as_ref().unwrap();
    assert!(matches!(&panel.stage, Stage::Added { answer: Answer::Tentative, reply: r, .. } if *r == reply));
    assert!(shows(&app, "Send by mail"));
    assert!(shows(&app, "Save reply…"));
    click(&mut app, "mailed-close");
    assert!(app.mailed.is_none());
}

#[test]
fn a_mailed_cancel_goes_to_the_actor_and_shows_the_cancelled_invitation() {
    let (mut app, mut rx) = app_with(vec![listing("mw-off")]);
    let file = open(&mut app, "cancel.ics", mailed("CANCEL", "mw-off"));
    let Ok(Control::Mailed { file: sent, answer: None, .. }) = rx.try_recv() else {
        panic!("not sent to the actor")
    };
    assert_eq!(sent, file);
    assert!(app.mailed.is_none());
    let _ = app.update(Message::Show(Screen::Calendar));
    work_account::update(
        &mut app,
        Update::Mailed { file, uid: "mw-off".into(), result: Ok(MailedDone::Cancelled(Cancelled::Marked)) },
    );
    assert_eq!(app.screen, Screen::Invitations);
    assert_eq!(app.invitations.selected, Some(Key { account: "work".into(), uid: "mw-off".into() }));
}

#[test]
fn a_mailed_answer_goes_to_the_actor_and_is_said_and_a_broken_file_is_refused() {
    let mut organized = listing("mw-ans");
    organized.invitation.role = convene::ical::Role::Organizer;
    let (mut app, mut rx) = app_with(vec![organized]);
    let file = open(&mut app, "answer.ics", mailed("REPLY", "mw-ans"));
    let Ok(Control::Mailed { answer: None, .. }) = rx.try_recv() else { panic!("not sent to the actor") };
    let answers = vec![("mailto:me@example.com".to_owned(), "DECLINED".to_owned())];
    work_account::update(
        &mut app,
        Update::Mailed { file, uid: "mw-ans".into(), result: Ok(MailedDone::Recorded(answers)) },
    );
    assert!(shows(&app, "Recorded from mail: me@example.com declined for Supplier visit"));

    let broken = mailed("REQUEST", "mw-broken")
        .replace("ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com\r\n", "");
    open(&mut app, "broken.ics", broken);
    assert!(app.mailed.is_none());
    assert!(shows(
        &app,
        "/tmp/mw-broken.ics: the event in the file has no ORGANIZER, so it is not an invitation"
    ));
    assert!(rx.try_recv().is_err(), "nothing sent for a broken file");
}

#[test]
fn a_file_opened_before_the_account_has_said_what_it_holds_waits_for_it() {
    let (mut app, mut rx) = work_account::connected();
    open(&mut app, "early.ics", mailed("REQUEST", "mw-early"));
    assert!(app.mailed.is_none());
    assert_ne!(app.screen, Screen::Import);
    holding(&mut app, vec![]);
    assert!(shows(&app, "Invitation by mail"), "opened once the account has reported");
    assert!(rx.try_recv().is_err());
}
