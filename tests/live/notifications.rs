//! An invitation answered from its desktop notification: the notification
//! service on a private D-Bus session with a stand-in notification server,
//! the account's real sync actor, and Cyrus. The service's reply goes to
//! the actor as the same `Control` the window's Accept sends.

use std::time::Duration;

use convene::desktop::Notifier;
use convene::notices::{In, Out};
use convene::sync::{Control, Update};
use tokio::sync::mpsc;

use crate::actor::expect;
use crate::support::notifications::{Bus, Notifications};
use crate::support::{self, Kind};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn accept_from_the_notification_reaches_the_organizer() {
    let kind = Kind::Cyrus;
    let (p, mut actor, listing) = crate::actor::invited(kind, "notified").await;
    let uid = listing.invitation.uid.clone();

    let bus = Bus::start();
    let mut server = Notifications::serve(&bus).await;
    let notifier = Notifier::at(&bus.address).await.unwrap();
    let (to_service, input) = mpsc::channel(10);
    let (output, mut from_service) = mpsc::channel(10);
    tokio::spawn(convene::notices::run(Some(notifier), input, output));
    let account = p.account.name.clone();
    let summary = listing.invitation.summary.clone().unwrap_or_default();
    let body = "Tue 4 Jun 10:00 — from organizer".to_owned();
    to_service
        .send(In::Invitation { account: account.clone(), uid: uid.clone(), summary, body })
        .await
        .unwrap();

    let shown = server.next(Duration::from_secs(10)).await.expect("the invitation's notification");
    assert_eq!(shown.summary, "Invitation: Budget review");
    let keys: Vec<&str> = shown.actions.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["accept", "tentative", "decline", "default"]);

    server.press(shown.id, "accept").await;
    let control = loop {
        let out = tokio::time::timeout(Duration::from_secs(10), from_service.recv()).await.unwrap().unwrap();
        if let Out::Control { account: a, control } = out {
            assert_eq!(a, account);
            break control;
        }
    };
    assert!(matches!(&control, Control::Reply { uid: u, .. } if *u == uid), "{control:?}");
    // What the app does with it: the account's actor, as for the window's button.
    actor.control.send(control).await.unwrap();
    expect(&mut actor.updates, "Replied", |u| {
        matches!(u, Update::Replied { uid: x } if *x == uid).then_some(())
    })
    .await;
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"), "{}", org.data);
    let _ = actor.control.send(Control::Shutdown).await;
}
