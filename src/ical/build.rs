//! New events, built with the `icalendar` crate from a [`Draft`]: UID,
//! DTSTAMP, SEQUENCE 0, DTSTART/DTEND on the draft's clock (with the
//! VTIMEZONE the TZID needs), RRULE, DISPLAY alarms, and for a meeting the
//! ORGANIZER and each ATTENDEE asked to answer.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use icalendar::{Alarm, Calendar, CalendarDateTime, Component, EventLike, Property, Trigger};

use super::draft::{Draft, Frequency, Repeat, RepeatEnd, When};
use super::vtimezone;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("unknown time zone {0:?} (use an IANA name such as Europe/Berlin)")]
    UnknownZone(String),
    #[error("the event ends before it starts")]
    EndsBeforeStart,
    #[error("a meeting needs your address as its organizer (the account has none)")]
    NoOrganizer,
}

/// A new UID: random enough never to meet another (RFC 5545 §3.8.4.7).
pub fn new_uid() -> String {
    let mut bytes = [0u8; 16];
    // getrandom through std's hasher keys: no extra dependency.
    for chunk in bytes.chunks_mut(8) {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}@convene", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Checks what a write would refuse, so bad input writes nothing.
pub fn check(draft: &Draft) -> Result<(), BuildError> {
    match &draft.when {
        When::AllDay { start, end } if end <= start => Err(BuildError::EndsBeforeStart),
        When::Timed { start, end, .. } if end < start => Err(BuildError::EndsBeforeStart),
        When::Timed { zone, .. } if !zone.is_empty() && zone != "UTC" && tz(zone).is_none() => {
            Err(BuildError::UnknownZone(zone.clone()))
        }
        _ => Ok(()),
    }
}

fn tz(zone: &str) -> Option<chrono_tz::Tz> {
    zone.parse().ok()
}

/// The iCalendar object of a new event. `organizer` is the account's
/// address (with `mailto:`), needed when the draft has attendees.
pub fn new_event(
    draft: &Draft,
    uid: &str,
    organizer: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, BuildError> {
    check(draft)?;
    let mut ev = icalendar::Event::new();
    ev.uid(uid).timestamp(now).sequence(0).summary(&draft.summary);
    let (start, end) = date_values(&draft.when);
    ev.starts(start).ends(end);
    if !draft.location.is_empty() {
        ev.location(&draft.location);
    }
    if !draft.description.is_empty() {
        ev.description(&draft.description);
    }
    if let Some(r) = &draft.repeat {
        ev.add_property("RRULE", rrule(r, &draft.when));
    }
    if !draft.attendees.is_empty() {
        let organizer = organizer.ok_or(BuildError::NoOrganizer)?;
        ev.append_property(Property::new("ORGANIZER", organizer));
        for a in &draft.attendees {
            ev.append_multi_property(attendee(a));
        }
    }
    for &minutes in &draft.reminders {
        let alarm = Alarm::display(&draft.summary, Trigger::before_start(chrono::Duration::minutes(minutes)));
        ev.alarm(alarm);
    }
    let mut cal = Calendar::new();
    cal.push(ev.done());
    let text = cal.done().to_string();
    Ok(match zone_of(&draft.when) {
        Some(zone) => with_vtimezone(&text, &vtimezone::render(zone, year_of(&draft.when))),
        None => text,
    })
}

/// `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:…`
pub fn attendee(address: &str) -> Property {
    let mut p = Property::new("ATTENDEE", mailto(address));
    p.add_parameter("PARTSTAT", "NEEDS-ACTION").add_parameter("RSVP", "TRUE");
    p.done()
}

pub fn mailto(address: &str) -> String {
    let a = address.trim();
    if a.to_ascii_lowercase().starts_with("mailto:") { a.to_owned() } else { format!("mailto:{a}") }
}

/// A named zone that needs a VTIMEZONE (not UTC, not floating).
fn zone_of(when: &When) -> Option<&str> {
    match when {
        When::Timed { zone, .. } if !zone.is_empty() && zone != "UTC" => Some(zone),
        _ => None,
    }
}

fn year_of(when: &When) -> i32 {
    use chrono::Datelike;
    match when {
        When::AllDay { start, .. } => start.year(),
        When::Timed { start, .. } => start.year(),
    }
}

fn date_values(when: &When) -> (icalendar::DatePerhapsTime, icalendar::DatePerhapsTime) {
    match when {
        When::AllDay { start, end } => ((*start).into(), (*end).into()),
        When::Timed { start, end, zone } => (timed(*start, zone).into(), timed(*end, zone).into()),
    }
}

fn timed(t: NaiveDateTime, zone: &str) -> CalendarDateTime {
    match zone {
        "" => CalendarDateTime::Floating(t),
        "UTC" => CalendarDateTime::Utc(Utc.from_utc_datetime(&t)),
        z => CalendarDateTime::WithTimezone { date_time: t, tzid: z.to_owned() },
    }
}

/// DTSTART/DTEND as the byte editor writes them: (parameters, value).
pub fn date_line(t: &When, end: bool) -> (Option<String>, String) {
    match t {
        When::AllDay { start, end: e } => {
            (Some("VALUE=DATE".into()), if end { e } else { start }.format("%Y%m%d").to_string())
        }
        When::Timed { start, end: e, zone } => {
            let v = if end { e } else { start }.format("%Y%m%dT%H%M%S").to_string();
            match zone.as_str() {
                "" => (None, v),
                "UTC" => (None, format!("{v}Z")),
                z => (Some(format!("TZID={z}")), v),
            }
        }
    }
}

fn day_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The RRULE value of a repetition starting at `when`.
pub fn rrule(r: &Repeat, when: &When) -> String {
    let freq = match r.frequency {
        Frequency::Daily => "DAILY",
        Frequency::Weekly => "WEEKLY",
        Frequency::Monthly => "MONTHLY",
        Frequency::Yearly => "YEARLY",
    };
    let mut out = format!("FREQ={freq}");
    if r.interval > 1 {
        out.push_str(&format!(";INTERVAL={}", r.interval));
    }
    if r.frequency == Frequency::Weekly && !r.weekdays.is_empty() {
        let days: Vec<&str> = r.weekdays.iter().map(|d| day_code(*d)).collect();
        out.push_str(&format!(";BYDAY={}", days.join(",")));
    }
    match r.end {
        RepeatEnd::Never => {}
        RepeatEnd::Count(n) => out.push_str(&format!(";COUNT={n}")),
        RepeatEnd::Until(day) => out.push_str(&format!(";UNTIL={}", until(day, when))),
    }
    out
}

/// UNTIL for "no occurrence starts after `day`": a DATE for all-day
/// events, else the day's last second in UTC (RFC 5545 §3.3.10 wants UTC
/// when DTSTART has a zone).
pub fn until(day: NaiveDate, when: &When) -> String {
    let last = day.and_hms_opt(23, 59, 59).unwrap_or_default();
    match when {
        When::AllDay { .. } => day.format("%Y%m%d").to_string(),
        When::Timed { zone, .. } if zone.is_empty() => last.format("%Y%m%dT%H%M%S").to_string(),
        When::Timed { zone, .. } => {
            let utc = tz(zone)
                .and_then(|z| z.from_local_datetime(&last).earliest())
                .map_or(last, |t| t.with_timezone(&Utc).naive_utc());
            utc.format("%Y%m%dT%H%M%SZ").to_string()
        }
    }
}

/// Puts the VTIMEZONE before the first VEVENT.
fn with_vtimezone(text: &str, vtimezone: &str) -> String {
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{vtimezone}{}", &text[..at], &text[at..]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::Document;
    use url::Url;

    fn draft() -> Draft {
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").expect("a time");
        Draft {
            calendar: Url::parse("https://h/cal/").expect("a URL"),
            summary: "Plan; review, all".into(),
            when: When::Timed {
                start: at("20300204T100000"),
                end: at("20300204T110000"),
                zone: "Europe/Berlin".into(),
            },
            location: "Room 1".into(),
            description: String::new(),
            repeat: Some(Repeat {
                frequency: Frequency::Weekly,
                interval: 2,
                weekdays: vec![Weekday::Mon],
                end: RepeatEnd::Until(NaiveDate::from_ymd_opt(2030, 6, 30).expect("a date")),
            }),
            reminders: vec![15],
            attendees: vec!["attendee@example.com".into()],
        }
    }

    #[test]
    fn a_new_meeting_has_what_servers_and_attendees_need() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single().expect("a time");
        let text =
            new_event(&draft(), "u1@convene", Some("mailto:organizer@example.com"), now).expect("built");
        let doc = Document::parse(&text).expect("parses");
        let cal = doc.calendar().expect("a calendar");
        let tzc = cal.children().find(|c| c.name == "VTIMEZONE").expect("a VTIMEZONE");
        assert_eq!(tzc.prop("TZID").map(|l| l.value.as_str()), Some("Europe/Berlin"));
        let ev = cal.children().find(|c| c.name == "VEVENT").expect("an event");
        let v = |n: &str| ev.prop(n).map(|l| l.value.clone()).unwrap_or_default();
        assert_eq!(v("UID"), "u1@convene");
        assert_eq!(v("SEQUENCE"), "0");
        assert_eq!(v("DTSTAMP"), "20300101T000000Z");
        assert_eq!(v("DTSTART"), "20300204T100000");
        assert_eq!(
            ev.prop("DTSTART").and_then(|l| l.param("TZID")).map(|p| p.value()),
            Some("Europe/Berlin".into())
        );
        assert_eq!(v("SUMMARY"), "Plan\\; review\\, all");
        assert_eq!(v("RRULE"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20300630T215959Z");
        assert_eq!(v("ORGANIZER"), "mailto:organizer@example.com");
        let att = ev.prop("ATTENDEE").expect("an attendee");
        assert_eq!(att.value, "mailto:attendee@example.com");
        assert_eq!(att.param("PARTSTAT").map(|p| p.value()), Some("NEEDS-ACTION".into()));
        assert_eq!(att.param("RSVP").map(|p| p.value()), Some("TRUE".into()));
        let alarm = ev.children().find(|c| c.name == "VALARM").expect("an alarm");
        assert_eq!(alarm.prop("ACTION").map(|l| l.value.as_str()), Some("DISPLAY"));
        // What Convene reads back is what the person made.
        let back = Draft::from_event(&text, draft().calendar, None).expect("reads back");
        assert_eq!(back, draft());
    }

    #[test]
    fn bad_input_is_refused_before_anything_is_written() {
        let mut d = draft();
        d.when = When::Timed {
            start: NaiveDateTime::default(),
            end: NaiveDateTime::default(),
            zone: "Mars/Olympus".into(),
        };
        assert_eq!(check(&d), Err(BuildError::UnknownZone("Mars/Olympus".into())));
        let now = Utc::now();
        assert_eq!(new_event(&draft(), "u", None, now), Err(BuildError::NoOrganizer));
    }
}
