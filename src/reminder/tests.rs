//! The scheduler at chosen times: DST changes in Europe/Berlin, repeating
//! events, all-day events, acknowledgements, and a machine that slept.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

use super::ringer::{DISMISS, Ringer, SNOOZE_CHOICES, SNOOZES, SnoozeFor, snooze_action, snooze_minutes};
use super::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// One VEVENT (`props` between its BEGIN and its alarms) with `alarms`.
fn event(props: &str, alarms: &[&str]) -> String {
    let mut s =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e1\r\nSUMMARY:Standup\r\n");
    for p in props.split('|') {
        s.push_str(p);
        s.push_str("\r\n");
    }
    for a in alarms {
        s.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n");
        for p in a.split('|') {
            s.push_str(p);
            s.push_str("\r\n");
        }
        s.push_str("END:VALARM\r\n");
    }
    s.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    s
}

fn at(data: &str, acks: &Acks, now: DateTime<Utc>) -> Plan {
    plan(&[data], acks, now - Duration::days(1), now, &Berlin)
}

const WEEKLY_MARCH: &str =
    "DTSTART;TZID=Europe/Berlin:20300324T090000|DURATION:PT30M|RRULE:FREQ=WEEKLY;COUNT=3";
const WEEKLY_OCTOBER: &str =
    "DTSTART;TZID=Europe/Berlin:20301020T090000|DURATION:PT30M|RRULE:FREQ=WEEKLY;COUNT=3";

/// (case, event, alarm, now, ringing occurrence starts + due, next)
#[test]
fn when_reminders_ring() {
    #[allow(clippy::type_complexity)]
    let table: &[(
        &str,
        &str,
        &str,
        DateTime<Utc>,
        Option<(DateTime<Utc>, DateTime<Utc>)>,
        Option<DateTime<Utc>>,
    )] = &[
        (
            "a minute before: nothing yet, wake at the trigger",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER:-PT15M",
            utc(2030, 6, 10, 8, 44),
            None,
            Some(utc(2030, 6, 10, 8, 45)),
        ),
        (
            "on time",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER:-PT15M",
            utc(2030, 6, 10, 8, 45),
            Some((utc(2030, 6, 10, 9, 0), utc(2030, 6, 10, 8, 45))),
            None,
        ),
        (
            "relative to the end",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER;RELATED=END:-PT5M",
            utc(2030, 6, 10, 9, 55),
            Some((utc(2030, 6, 10, 9, 0), utc(2030, 6, 10, 9, 55))),
            None,
        ),
        (
            "a positive offset, after the start",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER:PT10M",
            utc(2030, 6, 10, 9, 0),
            None,
            Some(utc(2030, 6, 10, 9, 10)),
        ),
        (
            "absolute",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER;VALUE=DATE-TIME:20300609T180000Z",
            utc(2030, 6, 9, 18, 2),
            Some((utc(2030, 6, 10, 9, 0), utc(2030, 6, 9, 18, 0))),
            None,
        ),
        (
            "spring forward: 09:00 CEST is 07:00Z the week after 08:00Z",
            WEEKLY_MARCH,
            "TRIGGER:-PT15M",
            utc(2030, 3, 31, 6, 45),
            Some((utc(2030, 3, 31, 7, 0), utc(2030, 3, 31, 6, 45))),
            Some(utc(2030, 4, 7, 6, 45)),
        ),
        (
            "spring forward: the wake-up from the week before is an hour earlier in UTC",
            WEEKLY_MARCH,
            "TRIGGER:-PT15M",
            utc(2030, 3, 24, 8, 0),
            None,
            Some(utc(2030, 3, 31, 6, 45)),
        ),
        (
            "fall back: 09:00 CET is 08:00Z",
            WEEKLY_OCTOBER,
            "TRIGGER:-PT15M",
            utc(2030, 10, 27, 7, 45),
            Some((utc(2030, 10, 27, 8, 0), utc(2030, 10, 27, 7, 45))),
            Some(utc(2030, 11, 3, 7, 45)),
        ),
        (
            "fall back: at the old UTC time nothing rings",
            WEEKLY_OCTOBER,
            "TRIGGER:-PT15M",
            utc(2030, 10, 27, 6, 45),
            None,
            Some(utc(2030, 10, 27, 7, 45)),
        ),
        (
            "a day before, across spring forward: 09:00 CET on Saturday",
            WEEKLY_MARCH,
            "TRIGGER:-P1D",
            utc(2030, 3, 30, 8, 0),
            Some((utc(2030, 3, 31, 7, 0), utc(2030, 3, 30, 8, 0))),
            Some(utc(2030, 4, 6, 7, 0)),
        ),
        (
            "all day: from the person's midnight (Berlin, 22:00Z the day before in summer)",
            "DTSTART;VALUE=DATE:20300615|DTEND;VALUE=DATE:20300616",
            "TRIGGER:-PT15H",
            utc(2030, 6, 14, 7, 0),
            Some((utc(2030, 6, 14, 22, 0), utc(2030, 6, 14, 7, 0))),
            None,
        ),
        (
            "REPEAT: the latest repetition rings",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER:-PT15M|REPEAT:2|DURATION:PT5M",
            utc(2030, 6, 10, 8, 51),
            Some((utc(2030, 6, 10, 9, 0), utc(2030, 6, 10, 8, 50))),
            Some(utc(2030, 6, 10, 8, 55)),
        ),
        (
            "ACKNOWLEDGED by another client (RFC 9074): silent",
            "DTSTART:20300610T090000Z|DTEND:20300610T100000Z",
            "TRIGGER:-PT15M|ACKNOWLEDGED:20300610T084600Z",
            utc(2030, 6, 10, 8, 47),
            None,
            None,
        ),
    ];
    for (case, props, alarm, now, ringing, next) in table {
        // Awake all along: what passed before the last few minutes was seen.
        let p = plan(&[&event(props, &[alarm])], &Acks::new(), *now - LATE, *now, &Berlin);
        let got = p.ringing.first().map(|r| (r.starts, r.due));
        assert_eq!(got, *ringing, "{case}: ringing");
        assert_eq!(p.ringing.len(), usize::from(ringing.is_some()), "{case}: one at most");
        assert!(p.missed.is_empty(), "{case}: nothing missed");
        assert_eq!(p.next, *next, "{case}: next wake-up");
    }
}

#[test]
fn email_and_procedure_alarms_are_not_rung() {
    let data = event("DTSTART:20300610T090000Z", &[]).replace(
        "END:VEVENT",
        "BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER:-PT15M\r\nSUMMARY:x\r\nEND:VALARM\r\nEND:VEVENT",
    );
    let p = at(&data, &Acks::new(), utc(2030, 6, 10, 8, 45));
    assert_eq!(p, Plan::default());
}

#[test]
fn a_machine_that_slept_lists_what_it_missed_and_rings_what_is_due() {
    let daily = event(
        "DTSTART;TZID=Europe/Berlin:20300325T090000|DURATION:PT30M|RRULE:FREQ=DAILY",
        &["TRIGGER:-PT10M"],
    );
    // Asleep from Wednesday evening to Monday 08:52 CEST (06:52Z): the
    // days across the DST change are missed, Monday's rings now.
    let since = utc(2030, 3, 27, 20, 0);
    let now = utc(2030, 4, 1, 6, 52);
    let p = plan(&[&daily], &Acks::new(), since, now, &Berlin);
    let missed: Vec<DateTime<Utc>> = p.missed.iter().map(|r| r.due).collect();
    assert_eq!(
        missed,
        vec![
            utc(2030, 3, 28, 7, 50),
            utc(2030, 3, 29, 7, 50),
            utc(2030, 3, 30, 7, 50),
            utc(2030, 3, 31, 6, 50)
        ],
        "Thursday to Saturday in CET, Sunday in CEST"
    );
    assert_eq!(p.ringing.iter().map(|r| r.due).collect::<Vec<_>>(), vec![utc(2030, 4, 1, 6, 50)]);
    assert_eq!(p.next, Some(utc(2030, 4, 2, 6, 50)));
    let keys: std::collections::HashSet<_> = p.missed.iter().map(|r| &r.key).collect();
    assert_eq!(keys.len(), 4, "one key per occurrence");
}

#[test]
fn dismissed_stays_silent_and_snoozed_rings_again_at_its_time() {
    let data = event("DTSTART:20300610T090000Z|DTEND:20300610T100000Z", &["TRIGGER:-PT15M"]);
    let due = utc(2030, 6, 10, 8, 45);
    let key = at(&data, &Acks::new(), due).ringing[0].key.clone();

    let mut acks = Acks::new();
    acks.insert(key.clone(), Ack::Dismissed);
    assert_eq!(at(&data, &acks, due), Plan::default());
    assert_eq!(at(&data, &acks, due + Duration::hours(2)), Plan::default(), "nor is it missed later");

    let until = due + Duration::minutes(5);
    acks.insert(key.clone(), Ack::Snoozed(until));
    let before = at(&data, &acks, due + Duration::minutes(1));
    assert!(before.ringing.is_empty() && before.missed.is_empty());
    assert_eq!(before.next, Some(until));
    let again = at(&data, &acks, until);
    assert_eq!(again.ringing.len(), 1);
    assert_eq!((again.ringing[0].key.clone(), again.ringing[0].due), (key.clone(), until));
    // The key's text form survives the cache.
    assert_eq!(RingKey::from_text(&key.to_text()), Some(key));
}

#[test]
fn an_overridden_instance_rings_with_its_own_alarms() {
    let data = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Series\r\nDTSTART:20300610T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20300611T090000Z\r\nSUMMARY:Moved\r\nDTSTART:20300611T140000Z\r\nDURATION:PT1H\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let p = at(data, &Acks::new(), utc(2030, 6, 11, 13, 0));
    assert_eq!(p.ringing.len(), 1);
    assert_eq!((p.ringing[0].summary.as_str(), p.ringing[0].starts), ("Moved", utc(2030, 6, 11, 14, 0)));
    assert_eq!(p.next, Some(utc(2030, 6, 12, 8, 45)), "the series' own alarm the day after");
    let none = at(data, &Acks::new(), utc(2030, 6, 11, 8, 45));
    assert!(none.ringing.is_empty(), "the moved instance's old time rings nothing");
}

#[test]
fn every_listed_snooze_is_understood_as_that_long() {
    let data = event("DTSTART:20300610T090000Z|DTEND:20300610T100000Z", &["TRIGGER:-PT15M"]);
    let due = utc(2030, 6, 10, 8, 45);
    let key = at(&data, &Acks::new(), due).ringing[0].key.clone();
    let mut ringer = Ringer::new(Acks::new(), due - Duration::days(1));
    for SnoozeFor(label, minutes) in SNOOZE_CHOICES {
        let ack = ringer.answer(&key, &snooze_action(minutes), due);
        assert_eq!(ack, Some(Ack::Snoozed(due + Duration::minutes(minutes))), "{label}");
    }
    // The notification's own buttons are the same actions.
    for (action, _, minutes) in SNOOZES {
        assert_eq!(snooze_minutes(action), Some(minutes));
    }
    for bad in ["snooze-0", "snooze--5", "snooze-10081", "snooze-x", "snooze"] {
        assert_eq!(ringer.answer(&key, bad, due), None, "{bad} is not a snooze");
    }
    assert_eq!(ringer.answer(&key, DISMISS, due), Some(Ack::Dismissed));
}

#[test]
fn a_reminder_snoozed_for_a_week_comes_back_after_a_restart() {
    let data = event("DTSTART:20300610T090000Z|DTEND:20300610T100000Z", &["TRIGGER:-PT15M"]);
    let due = utc(2030, 6, 10, 8, 45);
    let key = at(&data, &Acks::new(), due).ringing[0].key.clone();
    let until = due + Duration::weeks(1);
    let acks = Acks::from([(key.clone(), Ack::Snoozed(until))]);
    // The app started (again) a day before the snooze ends, long after
    // the event: what it plans from is a day before its start.
    let started = until - Duration::hours(2);
    let p = plan(&[&data], &acks, started - Duration::days(1), until + Duration::minutes(10), &Berlin);
    let missed: Vec<_> = p.missed.iter().map(|r| (r.key.clone(), r.due)).collect();
    assert_eq!(missed, vec![(key.clone(), until)], "back when the week is over");
    let before = plan(&[&data], &acks, started - Duration::days(1), until - Duration::minutes(1), &Berlin);
    assert!(before.missed.is_empty() && before.ringing.is_empty());
    assert_eq!(before.next, Some(until));
}
