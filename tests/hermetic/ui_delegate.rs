//! "Delegate…" in the answer form: an address field completed from the
//! addresses in the invitations, a *Delegate* button that is off until the
//! address is one, and what the account's server will do with it: where it
//! won't invite the delegate (measured), the person is told to forward it.

use convene::sync::{Control, Listing};
use convene::ui::{App, Key, Message, invitations};
use iced_test::selector;

use crate::support::ics;
use crate::work_account;

fn listing(uid: &str, others: &[&str]) -> Listing {
    listing_as(uid, "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com", others)
}

fn listing_as(uid: &str, mine: &str, others: &[&str]) -> Listing {
    let event = ics::Event::new(uid)
        .summary("Budget review")
        .at("20300604T100000Z", "20300604T110000Z")
        .line("ORGANIZER:mailto:o@example.com")
        .line(mine);
    let event = others.iter().fold(event, |e, o| e.line(&format!("ATTENDEE:mailto:{o}")));
    work_account::listing(uid, &ics::object(event))
}

/// The account on `product`'s server with invitation "a" selected; "b"
/// lists kim@example.com (an address to complete from), "a" lists lee.
fn app_on(product: &str) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    app_with(product, listing("a", &["lee@example.com"]))
}

fn app_with(product: &str, a: Listing) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    work_account::ready_on(product, vec![a, listing("b", &["kim@example.com"])])
}

fn act(app: &mut App, f: impl FnOnce(&mut iced_test::Simulator<'_, Message>)) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        f(&mut ui);
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
}

fn click(app: &mut App, id: &str) {
    act(app, |ui| {
        ui.click(selector::id(id.to_owned())).unwrap();
    });
}

fn type_address(app: &mut App, text: &str) {
    act(app, |ui| {
        ui.click(selector::id("delegate-to")).unwrap();
        ui.typewrite(text);
    });
}

fn shows(app: &App, words: &str) -> bool {
    iced_test::simulator(app.view()).find(words).is_ok()
}

#[test]
fn a_delegation_goes_to_the_address_typed_and_says_to_forward_it_where_the_server_wont() {
    let (mut app, mut rx) = app_on("Cyrus");
    assert!(!shows(&app, "Delegate"), "the form opens on demand");
    click(&mut app, "detail-delegate-a");
    assert_eq!(app.invitations.form.delegate.as_deref(), Some(""));
    assert!(shows(
        &app,
        "Cyrus records the delegation but won't invite them: forward the invitation yourself."
    ));

    // Not an address: the button does nothing; named once it looks like one.
    type_address(&mut app, "kim@");
    assert!(shows(&app, "\"kim@\" is not an e-mail address (like bob@example.com)."));
    click(&mut app, "detail-delegate-send");
    assert!(rx.try_recv().is_err(), "nothing sent for a non-address");
    let _ = app.update(Message::Invitations(invitations::Message::Form(
        invitations::answer::Message::DelegateTyped("kim".into()),
    )));
    assert!(
        !shows(&app, "\"kim\" is not an e-mail address (like bob@example.com)."),
        "not while typing a name"
    );

    // Completed from the other invitation's attendees.
    click_text(&mut app, "kim@example.com");
    assert_eq!(app.invitations.form.delegate.as_deref(), Some("kim@example.com"));
    assert!(shows(
        &app,
        "Cyrus records the delegation but won't invite kim@example.com: forward the invitation yourself."
    ));
    let _ = app.update(Message::Invitations(invitations::Message::Form(
        invitations::answer::Message::CommentChanged("Kim knows it".into()),
    )));
    click(&mut app, "detail-delegate-send");
    match rx.try_recv().unwrap() {
        Control::Delegate { uid, to, comment } => {
            assert_eq!(
                (uid.as_str(), to.as_str(), comment.as_deref()),
                ("a", "mailto:kim@example.com", Some("Kim knows it"))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.invitations.form.delegate, None, "the form closes once sent");
    assert!(shows(&app, "Sending…"));
}

fn click_text(app: &mut App, words: &str) {
    act(app, |ui| {
        ui.click(words).unwrap();
    });
}

#[test]
fn where_the_server_invites_the_delegate_no_forwarding_is_asked() {
    let (mut app, _rx) = app_on("Xandikos");
    click(&mut app, "detail-delegate-a");
    type_address(&mut app, "kim@example.com");
    assert!(shows(&app, "The server sends them the invitation and tells the organizer."));
    assert!(!shows(
        &app,
        "Xandikos records the delegation but won't invite kim@example.com: forward the invitation yourself."
    ));
    // Someone already invited to it is not offered; moving on closes the form.
    let _ = app.update(Message::Invitations(invitations::Message::Form(
        invitations::answer::Message::DelegateTyped("lee".into()),
    )));
    click_text(&mut app, "lee@example.com"); // the attendee list's, not a suggestion
    assert_eq!(app.invitations.form.delegate.as_deref(), Some("lee"));
    let _ = app.update(Message::Invitations(invitations::Message::Select(Key {
        account: "work".into(),
        uid: "b".into(),
    })));
    assert_eq!(app.invitations.form.delegate, None);
}

#[test]
fn a_server_that_wont_take_another_delegate_says_so_instead_of_the_form() {
    let delegated =
        "ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:kim@example.com\":mailto:me@example.com";
    let mine = listing_as("a", delegated, &["kim@example.com"]);
    let (app, _rx) = app_with("Xandikos", mine.clone());
    assert!(shows(
        &app,
        "Delegated to kim@example.com. Xandikos (measured 0.4.10) does not let an attendee change a delegation to another person: ask the organizer to invite someone else."
    ));
    assert!(!shows(&app, "Delegate…"));
    // Where the server takes it, the form is offered again.
    let (app, _rx) = app_with("Cyrus", mine);
    assert!(shows(&app, "Delegate…"));
    assert!(shows(
        &app,
        "Cyrus records the delegation but won't invite kim@example.com: forward the invitation yourself."
    ));
}

#[test]
fn dont_send_rules_delegating_out_and_says_why() {
    let (mut app, mut rx) = app_on("Cyrus");
    click_text(&mut app, "Don't send my answer to the organizer");
    assert!(app.invitations.form.silent, "ticked");
    assert!(shows(&app, "A delegation always tells the organizer: untick \"Don't send\" to delegate."));
    click(&mut app, "detail-delegate-a");
    assert_eq!(app.invitations.form.delegate, None, "Delegate… is off");
    assert!(rx.try_recv().is_err(), "nothing sent");

    click_text(&mut app, "Don't send my answer to the organizer");
    click(&mut app, "detail-delegate-a");
    assert_eq!(app.invitations.form.delegate.as_deref(), Some(""), "untick it and the form opens");
}
