//! A reminder on a private D-Bus session with a stand-in notification
//! server: shown with its buttons, snoozed from the notification, kept
//! across a restart, and shown again when the snooze ends. The clock is
//! the test's: no minutes slept. Live because they start a `dbus-daemon`
//! (installed by the test command), which a bare machine may lack.

use std::time::Duration as Wait;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use convene::desktop::{Answer, Notifier};
use convene::reminder::desk::{Desk, Outcome};
use convene::reminder::ringer::Ringer;
use convene::reminder::{Ack, ack_row, acks_from};
use convene::store::cache::Cache;

use crate::support::notifications::{Bus, Notifications};

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:rem-1\r\nSUMMARY:Dentist\r\nLOCATION:Main St 4\r\nDTSTART:20300610T090000Z\r\nDTEND:20300610T093000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 6, 10, h, m, 0).unwrap()
}

const SOON: Wait = Wait::from_secs(5);
const QUIET: Wait = Wait::from_millis(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_reminder_snoozed_from_its_notification_rings_again_after_the_snooze_and_a_restart() {
    let bus = Bus::start();
    let mut server = Notifications::serve(&bus).await;
    let notifier = Notifier::at(&bus.address).await.unwrap();
    assert!(notifier.has_actions().await);
    let mut answers = notifier.answers().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cache = Cache::open(&dir.path().join("cache.db")).unwrap();

    let mut desk =
        Desk::new(Ringer::new(acks_from(cache.reminders().unwrap()), utc(0, 0)), Some(notifier.clone()));
    assert_eq!(desk.tick(&[EVENT], utc(8, 44), &Berlin).await, Some(utc(8, 45)));
    assert_eq!(server.next(QUIET).await, None, "not before its time");

    desk.tick(&[EVENT], utc(8, 45), &Berlin).await;
    let shown = server.next(SOON).await.expect("the reminder is shown");
    assert_eq!(shown.summary, "Dentist");
    assert_eq!(shown.body, "11:00, in 15 min · Main St 4", "Berlin time, CEST");
    let keys: Vec<&str> = shown.actions.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["snooze-5", "snooze-15", "snooze-60", "dismiss"]);
    desk.tick(&[EVENT], utc(8, 46), &Berlin).await;
    assert_eq!(server.next(QUIET).await, None, "shown once, not at every tick");

    server.press(shown.id, "snooze-5").await;
    let answer = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    assert_eq!(answer, Answer::Action { id: shown.id, key: "snooze-5".into() });
    let Some(Outcome::Acknowledged(key, ack)) = desk.answer(answer, utc(8, 46)).await else {
        panic!("a snooze")
    };
    assert_eq!(ack, Ack::Snoozed(utc(8, 51)));
    assert_eq!(tokio::time::timeout(SOON, server.closed.recv()).await.unwrap(), Some(shown.id), "taken down");
    let (text, until) = ack_row(&key, ack);
    cache.acknowledge(&text, until, utc(8, 46).timestamp()).unwrap();

    // Convene restarts: the snooze is read back from the cache.
    drop((desk, cache));
    let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
    let mut desk = Desk::new(Ringer::new(acks_from(cache.reminders().unwrap()), utc(0, 0)), Some(notifier));
    assert_eq!(desk.tick(&[EVENT], utc(8, 50), &Berlin).await, Some(utc(8, 51)));
    assert_eq!(server.next(QUIET).await, None, "still snoozed after the restart");
    desk.tick(&[EVENT], utc(8, 51), &Berlin).await;
    let again = server.next(SOON).await.expect("rings again when the snooze ends");
    assert_eq!((again.summary.as_str(), again.body.as_str()), ("Dentist", "11:00, in 9 min · Main St 4"));

    server.press(again.id, "dismiss").await;
    // The first notification's NotificationClosed (from the snooze) comes
    // first: passed on as the app does, it changes nothing.
    let closed = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    assert_eq!(closed, Answer::Closed { id: shown.id, reason: 3 });
    assert_eq!(desk.answer(closed, utc(8, 52)).await, None);
    let answer = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    assert!(matches!(desk.answer(answer, utc(8, 52)).await, Some(Outcome::Acknowledged(_, Ack::Dismissed))));
    desk.tick(&[EVENT], utc(9, 30), &Berlin).await;
    assert_eq!(server.next(QUIET).await, None, "dismissed: silent, and not announced as missed");
    assert!(desk.ringer.missed().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn reminders_missed_while_asleep_come_as_one_notification() {
    let bus = Bus::start();
    let mut server = Notifications::serve(&bus).await;
    let notifier = Notifier::at(&bus.address).await.unwrap();
    let daily = EVENT.replace("DTEND:20300610T093000Z", "DTEND:20300610T093000Z\r\nRRULE:FREQ=DAILY");
    let mut desk = Desk::new(Ringer::new(Default::default(), utc(0, 0)), Some(notifier));
    // Asleep from the 10th at midnight until the 14th at noon.
    let woke = Utc.with_ymd_and_hms(2030, 6, 14, 12, 0, 0).unwrap();
    desk.tick(&[&daily], woke, &Berlin).await;
    let shown = server.next(SOON).await.expect("one notice");
    assert_eq!(
        (shown.summary.as_str(), shown.body.as_str()),
        ("5 reminders missed", "Dentist, Dentist, Dentist, Dentist, Dentist")
    );
    assert_eq!(server.next(QUIET).await, None, "one, not five");
    assert_eq!(desk.ringer.missed().len(), 5, "all five listed in the app");
}

/// An invitation's notification: its buttons become the window's reply
/// message; an answer queued offline is followed by a notice saying so;
/// the body's click opens the invitation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_invitations_buttons_send_the_windows_reply_and_say_when_it_is_queued() {
    use convene::notices::{In, Out, Service};
    use convene::sync::Control;

    let bus = Bus::start();
    let mut server = Notifications::serve(&bus).await;
    let notifier = Notifier::at(&bus.address).await.unwrap();
    let mut answers = notifier.answers().await.unwrap();
    let mut service = Service::new(Some(notifier), utc(8, 0));
    let invite = |uid: &str| In::Invitation {
        account: "work".into(),
        uid: uid.into(),
        summary: "Budget".into(),
        body: "Tue 10:00 — from Olga".into(),
    };
    service.input(invite("u1"), utc(8, 0)).await;
    let shown = server.next(SOON).await.unwrap();
    assert_eq!(shown.summary, "Invitation: Budget");
    let labels: Vec<&str> = shown.actions.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["Accept", "Tentative", "Decline", "Open"]);

    server.press(shown.id, "tentative").await;
    let pressed = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    let out = service.pressed(pressed, utc(8, 1)).await;
    let [
        Out::Control {
            account,
            control:
                Control::Reply { uid, answer, comment: None, occurrence: None, as_address: None, silent: false },
        },
    ] = out.as_slice()
    else {
        panic!("{out:?}")
    };
    assert_eq!((account.as_str(), uid.as_str(), *answer), ("work", "u1", convene::ical::Answer::Tentative));

    service.input(In::ReplyQueued { account: "work".into(), uid: "u1".into() }, utc(8, 1)).await;
    let queued = server.next(SOON).await.expect("a follow-up notice");
    assert_eq!(queued.summary, "Answer queued");
    assert!(queued.body.contains("“Budget”"), "{}", queued.body);
    service.input(In::ReplyQueued { account: "work".into(), uid: "other".into() }, utc(8, 1)).await;
    assert_eq!(server.next(QUIET).await, None, "only for answers given from a notification");

    service.input(invite("u2"), utc(8, 2)).await;
    let second = server.next(SOON).await.unwrap();
    server.press(second.id, "default").await;
    let pressed = tokio::time::timeout(SOON, answers.recv()).await.unwrap().unwrap();
    let out = service.pressed(pressed, utc(8, 2)).await;
    assert!(
        matches!(out.as_slice(), [Out::OpenInvitation { account, uid }] if account == "work" && uid == "u2"),
        "{out:?}"
    );
}
