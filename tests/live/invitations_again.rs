//! An invitation left unanswered is announced again before it starts: the
//! notification service on a private D-Bus session with a stand-in
//! notification server, the attendee's real sync actor, and Cyrus. The
//! clock is the test's (the invitation is in 2030): the announcement is
//! snoozed, kept across a restart through the account's cache, and its
//! Accept reaches the organizer's copy.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use convene::desktop::Notifier;
use convene::notices::{In, Out, Service, WaitingInvitation};
use convene::sync::{Control, Listing, Update};

use crate::actor::expect;
use crate::support::notifications::{Bus, Notifications};
use crate::support::{self, Kind};

const SOON: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(300);

/// The invitation as the app hands it to the service, if still waiting.
fn waiting(l: &Listing) -> Option<WaitingInvitation> {
    WaitingInvitation::of(l, || "Tue 4 Jun 12:00 — from organizer".into())
}

/// The controls among `outs` (what the app sends to the account's actor).
fn controls(outs: Vec<Out>) -> Vec<Control> {
    outs.into_iter()
        .filter_map(|o| match o {
            Out::Control { control, .. } => Some(control),
            _ => None,
        })
        .collect()
}

type Rows = Vec<(String, Option<i64>)>;

/// The account's stored acknowledgements as the actor reports them after a
/// sync (what the app hands the service at start), once they are as `want`
/// says (an earlier report may still be on its way).
/// With them, the accepted invitations without alarms.
async fn stored(
    actor: &mut convene::sync::Handle,
    want: impl Fn(&Rows, &[String]) -> bool,
) -> (Rows, Vec<String>) {
    actor.control.send(Control::SyncNow).await.unwrap();
    expect(&mut actor.updates, "the stored reminders", |u| match u {
        Update::Reminders { acks, accepted, .. } if want(acks, accepted) => {
            Some((acks.clone(), accepted.clone()))
        }
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_unanswered_invitation_is_announced_again_and_accepted_from_there() {
    let kind = Kind::Cyrus;
    let (p, mut actor, listing) = crate::actor::invited(kind, "n3-again").await;
    let uid = listing.invitation.uid.clone();
    let invitation = waiting(&listing).expect("waiting for an answer");
    let starts: DateTime<Utc> = Utc.with_ymd_and_hms(2030, 6, 4, 10, 0, 0).unwrap();
    assert_eq!(invitation.starts, starts);
    let account = p.account.name.clone();

    let bus = Bus::start();
    let mut server = Notifications::serve(&bus).await;
    let notifier = Notifier::at(&bus.address).await.unwrap();
    let mut answers = notifier.answers().await.unwrap();
    // The attendee's account is shared with other tests: of its accepted
    // invitations (rung with the default reminder), only this test's.
    let start_service = |now: DateTime<Utc>, (acks, mut accepted): (Rows, Vec<String>)| {
        accepted.retain(|d| d.contains(&uid));
        let notifier = notifier.clone();
        let (account, invitation) = (account.clone(), invitation.clone());
        async move {
            let mut service = Service::new(Some(notifier), now);
            let settings = In::Settings { default_before: Some(15), invitation_before: vec![1440, 60] };
            service.input(settings, now).await;
            service.input(In::Waiting { account: account.clone(), invitations: vec![invitation] }, now).await;
            service.input(In::Events { account, objects: Vec::new(), accepted, acks }, now).await;
            service
        }
    };

    // Half an hour before: both lead times have passed, one notice.
    let now = starts - chrono::Duration::minutes(30);
    let mut service = start_service(now, stored(&mut actor, |_, _| true).await).await;
    let (_, outs) = service.tick(now).await;
    let shown = server.next(SOON).await.expect("announced again");
    assert_eq!(shown.summary, "Not answered yet: Budget review");
    assert_eq!(shown.body, "Starts in 30 min · Tue 4 Jun 12:00 — from organizer");
    let keys: Vec<&str> = shown.actions.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["accept", "tentative", "decline", "snooze-15", "default"]);
    assert_eq!(server.next(QUIET).await, None, "one notice for both lead times");
    let kept = controls(outs);
    assert_eq!(kept.len(), 2, "both lead times kept as announced: {kept:?}");
    for c in kept {
        actor.control.send(c).await.unwrap();
    }
    service.tick(now + chrono::Duration::minutes(1)).await;
    assert_eq!(server.next(QUIET).await, None, "not at every tick");

    // Snoozed from the notification, then Convene restarts: the snooze
    // and the announcements come back from the account's cache.
    server.press(shown.id, "snooze-15").await;
    let pressed = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    let snooze = controls(service.pressed(pressed, now).await);
    assert!(
        matches!(snooze.as_slice(), [Control::Acknowledge { snoozed_until: Some(t), .. }] if *t == (now + chrono::Duration::minutes(15)).timestamp()),
        "{snooze:?}"
    );
    actor.control.send(snooze.into_iter().next().unwrap()).await.unwrap();
    drop(service);
    let until = (now + chrono::Duration::minutes(15)).timestamp();
    let acks = stored(&mut actor, |rows, _| rows.iter().any(|(_, t)| *t == Some(until))).await;
    assert_eq!(acks.0.len(), 2, "{acks:?}");
    assert!(!acks.1.iter().any(|d| d.contains(&uid)), "not accepted yet: no default reminder");
    let later = now + chrono::Duration::minutes(10);
    let mut service = start_service(later, acks.clone()).await;
    let (next, outs) = service.tick(later).await;
    assert_eq!(server.next(QUIET).await, None, "snoozed after the restart");
    assert_eq!(next, Some(now + chrono::Duration::minutes(15)));
    assert!(controls(outs).is_empty());

    let ends = now + chrono::Duration::minutes(15);
    let (_, outs) = service.tick(ends).await;
    let again = server.next(SOON).await.expect("announced when the snooze ends");
    assert_eq!(again.body, "Starts in 15 min · Tue 4 Jun 12:00 — from organizer");
    for c in controls(outs) {
        actor.control.send(c).await.unwrap();
    }

    // Accept from the announcement: the same reply as the window's button.
    server.press(again.id, "accept").await;
    let control = loop {
        let pressed = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
        let mut c = controls(service.pressed(pressed, ends).await);
        if let Some(c) = c.pop() {
            break c;
        }
    };
    assert!(
        matches!(&control, Control::Reply { uid: u, answer: convene::ical::Answer::Accept, .. } if *u == uid),
        "{control:?}"
    );
    actor.control.send(control).await.unwrap();
    expect(&mut actor.updates, "Replied", |u| {
        matches!(u, Update::Replied { uid: x } if *x == uid).then_some(())
    })
    .await;
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"), "{}", org.data);
    service.tick(ends + chrono::Duration::minutes(1)).await;
    assert_eq!(server.next(QUIET).await, None, "answered: not again");

    // A restart after the answer: the attendee's list, read again, no
    // longer has it waiting; nothing is announced.
    // Accepted without an alarm of its own: it rings with the person's
    // default reminder (15 min), added locally, not on the server.
    let acks = stored(&mut actor, |rows, accepted| {
        rows.len() == 2 && rows.iter().all(|(_, t)| t.is_none()) && accepted.iter().any(|d| d.contains(&uid))
    })
    .await;
    actor.control.send(Control::SyncNow).await.unwrap();
    let listing = expect(&mut actor.updates, "the answered invitation", |u| match u {
        Update::InvitationsChanged(l) => l
            .iter()
            .find(|x| x.invitation.uid == uid && x.invitation.my_partstat.as_deref() == Some("ACCEPTED"))
            .cloned(),
        _ => None,
    })
    .await;
    assert_eq!(waiting(&listing), None);
    let mut restarted = start_service(ends, acks).await;
    restarted
        .input(
            In::Waiting { account: account.clone(), invitations: waiting(&listing).into_iter().collect() },
            ends,
        )
        .await;
    restarted.tick(ends + chrono::Duration::minutes(2)).await;
    let reminder = server.next(SOON).await.expect("the default reminder of the accepted invitation");
    assert_eq!(reminder.summary, "Budget review");
    let keys: Vec<&str> = reminder.actions.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["snooze-5", "snooze-15", "snooze-60", "dismiss"], "a reminder, not an announcement");
    assert_eq!(server.next(QUIET).await, None, "answered: not announced again");
    let _ = actor.control.send(Control::Shutdown).await;
}
