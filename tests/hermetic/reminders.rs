//! The notification service with no notification server (no session bus,
//! or Windows for now); its tests on a private D-Bus session are in
//! tests/live/reminders.rs.

use chrono::{DateTime, TimeZone, Utc};

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:rem-1\r\nSUMMARY:Dentist\r\nLOCATION:Main St 4\r\nDTSTART:20300610T090000Z\r\nDTEND:20300610T093000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 6, 10, h, m, 0).unwrap()
}

/// No notification server (no session bus, or Windows for now): the
/// service still plans, and the app still lists what was missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notification_server_missed_reminders_are_still_listed() {
    use convene::notices::{In, Out, Service};
    let mut service = Service::new(None, utc(8, 0));
    let events = In::Events {
        account: "work".into(),
        objects: vec![EVENT.to_owned()],
        accepted: Vec::new(),
        acks: Vec::new(),
    };
    service.input(events, utc(9, 0)).await;
    let (_, out) = service.tick(utc(9, 0)).await;
    let [Out::Missed(list)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(list.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>(), ["Dentist"]);
}

/// "Snooze for… 2 hours" in the app's list of missed reminders: the
/// reminder leaves the list, the acknowledgement goes to the account's
/// cache, and it comes back two hours later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_reminder_snoozed_for_two_hours_from_the_list_comes_back_then() {
    use convene::notices::{In, Out, Service};
    use convene::reminder::ringer::snooze_action;
    use convene::sync::Control;
    let mut service = Service::new(None, utc(8, 0));
    let events = In::Events {
        account: "work".into(),
        objects: vec![EVENT.to_owned()],
        accepted: vec![],
        acks: vec![],
    };
    service.input(events, utc(9, 0)).await;
    let (_, out) = service.tick(utc(9, 0)).await;
    let [Out::Missed(list)] = out.as_slice() else { panic!("{out:?}") };
    let key = list[0].key.clone();

    let out = service.input(In::Reminder { key: key.clone(), action: snooze_action(120) }, utc(9, 0)).await;
    let until = utc(11, 0).timestamp();
    assert!(
        out.iter().any(
            |o| matches!(o, Out::Control { account, control: Control::Acknowledge { key: k, snoozed_until } }
            if account == "work" && *k == key.to_text() && *snoozed_until == Some(until))
        ),
        "the snooze is kept in the account's cache: {out:?}"
    );
    assert!(out.iter().any(|o| matches!(o, Out::Missed(l) if l.is_empty())), "off the list: {out:?}");

    let (next, out) = service.tick(utc(10, 59)).await;
    assert!(!out.iter().any(|o| matches!(o, Out::Missed(l) if !l.is_empty())), "quiet until then: {out:?}");
    assert_eq!(next, Some(utc(11, 0)));
    // Rung at 11:00 where no notification server shows it: listed as
    // missed once it is more than LATE (5 min) late.
    let (_, out) = service.tick(utc(11, 10)).await;
    let [Out::Missed(list)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((list[0].key.clone(), list[0].due), (key, utc(11, 0)), "back at the end of the snooze");
}
