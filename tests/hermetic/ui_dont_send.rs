//! "Don't send my answer to the organizer" in the answer form: offered
//! where the account's server can keep the answer from the organizer, the
//! answer then carries it; elsewhere shown off, with the reason.

use convene::ical::Answer;
use convene::sync::{Control, Listing};
use convene::ui::{App, Key, Message, invitations};
use iced_test::selector;

use crate::support::ics;
use crate::work_account;

const LABEL: &str = "Don't send my answer to the organizer";

fn listing(uid: &str) -> Listing {
    let data = ics::object(
        ics::Event::new(uid)
            .summary("Budget review")
            .at("20300604T100000Z", "20300604T110000Z")
            .line("ORGANIZER:mailto:o@example.com")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com"),
    );
    work_account::listing(uid, &data)
}

/// The account on `product`'s server, the invitation "a" selected.
fn app_on(product: &str) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    work_account::ready_on(product, vec![listing("a")])
}

fn click<S>(app: &mut App, what: S)
where
    S: iced_test::Selector + Send,
    S::Output: iced_test::selector::Bounded + Clone + Send + Sync + 'static,
{
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(what).unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
}

fn sent(rx: &mut tokio::sync::mpsc::Receiver<Control>) -> (Answer, bool) {
    match rx.try_recv().unwrap() {
        Control::Reply { answer, silent, .. } => (answer, silent),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ticked_the_answer_goes_without_telling_the_organizer() {
    let (mut app, mut rx) = app_on("Cyrus");
    assert!(iced_test::simulator(app.view()).find(selector::id("detail-dont-send")).is_ok());
    click(&mut app, LABEL);
    assert!(app.invitations.form.silent);
    click(&mut app, selector::id("detail-accept-a"));
    assert_eq!(sent(&mut rx), (Answer::Accept, true));
}

#[test]
fn not_ticked_or_another_invitation_tells_the_organizer() {
    let (mut app, mut rx) = app_on("Cyrus");
    click(&mut app, selector::id("detail-decline-a"));
    assert_eq!(sent(&mut rx), (Answer::Decline, false));
    // Ticked, then moved on: it goes with the invitation it was ticked for.
    click(&mut app, LABEL);
    let _ = app.update(Message::Invitations(invitations::Message::Select(Key {
        account: "work".into(),
        uid: "b".into(),
    })));
    assert!(!app.invitations.form.silent, "cleared when the selection moves");
}

#[test]
fn where_the_server_would_tell_anyway_it_is_off_with_the_reason() {
    let (mut app, mut rx) = app_on("Xandikos");
    let why = work_account::scheduling_server("Xandikos").silent_reply().unwrap_err();
    assert!(why.starts_with("Xandikos (measured 0.4.10) tells the organizer of every answer"), "{why}");
    let note = format!("Not possible on this server: {why}.");
    assert!(iced_test::simulator(app.view()).find(note.as_str()).is_ok(), "the reason is shown");
    click(&mut app, LABEL);
    assert!(!app.invitations.form.silent, "it can't be ticked");
    click(&mut app, selector::id("detail-tentative-a"));
    assert_eq!(sent(&mut rx), (Answer::Tentative, false));
}
