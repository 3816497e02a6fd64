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
