//! Reading a [`Draft`] out of a stored event: what the editor starts from,
//! and the "before" and "theirs" of an edit's three-way merge.
//!
//! The draft is a view: what it can't express (an RRULE with BYSETPOS, an
//! alarm relative to the end) is read as the nearest thing it can. That
//! is safe because an edit writes only the fields that differ between two
//! drafts; a field the person did not touch keeps its server bytes.

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use url::Url;

use super::draft::{Draft, Frequency, Repeat, RepeatEnd, When};
use super::event::{self, unescape};
use super::identity::normalize;
use super::invitation::main_event;
use super::lines::{Component, Document};
use super::occurrence::parse_duration;

impl Draft {
    /// The draft of the event in `data` (its series, or the occurrence
    /// with this RECURRENCE-ID: its override when it has one, else the
    /// series moved to that occurrence). None when `data` holds no
    /// readable VEVENT.
    pub fn from_event(data: &str, calendar: Url, recurrence_id: Option<&str>) -> Option<Draft> {
        let doc = Document::parse(data).ok()?;
        let cal = doc.calendar()?;
        let main = main_event(cal)?;
        let own = recurrence_id.and_then(|rid| {
            cal.children()
                .filter(|c| c.name == "VEVENT")
                .find(|c| event::recurrence_id(c).is_some_and(|r| r.eq_ignore_ascii_case(rid.trim())))
        });
        let ev = own.unwrap_or(main);
        let mut when = when_of(ev)?;
        if let (None, Some(rid)) = (own, recurrence_id) {
            when = moved_to(&when, rid)?;
        }
        let organizer = event::organizer(ev).map(|o| address(&o.address));
        Some(Draft {
            calendar,
            summary: event::text(ev, "SUMMARY").unwrap_or_default(),
            when,
            location: event::text(ev, "LOCATION").unwrap_or_default(),
            description: event::text(ev, "DESCRIPTION").unwrap_or_default(),
            // An occurrence does not repeat; its series does.
            repeat: if recurrence_id.is_some() {
                None
            } else {
                ev.prop("RRULE").and_then(|r| repeat_of(&r.value))
            },
            reminders: reminders_of(ev),
            attendees: event::attendees(ev)
                .into_iter()
                .map(|a| address(&a.address))
                .filter(|a| organizer.as_ref().is_none_or(|o| !o.eq_ignore_ascii_case(a)))
                .collect(),
        })
    }
}

/// An attendee's address as the draft holds it: compared as servers do,
/// without `mailto:`.
fn address(cal_address: &str) -> String {
    let a = normalize(cal_address);
    a.strip_prefix("mailto:").map(str::to_owned).unwrap_or(a)
}

fn parse_date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y%m%d").ok()
}

fn parse_time(v: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(v.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()
}

/// The zone of a DATE-TIME: `UTC` for a `Z` value, the TZID (an IANA name
/// as servers write it, a leading `/` dropped), or empty for a floating time.
fn zone_of(w: &event::When) -> String {
    if w.value.trim().ends_with('Z') {
        return "UTC".into();
    }
    w.tzid.as_deref().map(|z| z.trim_start_matches('/').to_owned()).unwrap_or_default()
}

fn when_of(ev: &Component) -> Option<When> {
    let start = event::start(ev)?;
    let end = event::end(ev);
    let duration = ev.prop("DURATION").and_then(|d| parse_duration(&d.value));
    if start.is_date() {
        let s = parse_date(&start.value)?;
        let e = match (&end, duration) {
            (Some(e), _) => parse_date(&e.value)?,
            (None, Some(d)) => s + d,
            (None, None) => s.succ_opt()?,
        };
        return Some(When::AllDay { start: s, end: e });
    }
    let s = parse_time(&start.value)?;
    let zone = zone_of(&start);
    let e = match (&end, duration) {
        // DTEND in another zone than DTSTART is rare; read it on the start's clock.
        (Some(e), _) if zone_of(e) == zone => parse_time(&e.value)?,
        (Some(e), _) => {
            let len = super::time::to_local(e)? - super::time::to_local(&start)?;
            s + len
        }
        (None, Some(d)) => s + d,
        (None, None) => s,
    };
    Some(When::Timed { start: s, end: e, zone })
}

/// The series' times moved to the occurrence starting at `rid` (on the
/// series' own clock, as RECURRENCE-ID is written).
fn moved_to(when: &When, rid: &str) -> Option<When> {
    Some(match when {
        When::AllDay { start, end } => {
            let s = parse_date(rid.get(..8)?)?;
            When::AllDay { start: s, end: s + (*end - *start) }
        }
        When::Timed { start, end, zone } => {
            let s = parse_time(rid)?;
            When::Timed { start: s, end: s + (*end - *start), zone: zone.clone() }
        }
    })
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code.trim().trim_start_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit()) {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

impl Repeat {
    /// An RRULE value as a repetition the editor can show; None for a rule
    /// it can't (an unknown FREQ).
    pub fn parse(rule: &str) -> Option<Repeat> {
        repeat_of(rule)
    }
}

/// FREQ, INTERVAL, weekly BYDAY and the end; other parts are kept on the
/// server untouched unless the person changes the repetition.
fn repeat_of(rule: &str) -> Option<Repeat> {
    let parts = super::repeat::parts(rule);
    let get = |k: &str| parts.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let frequency = match get("FREQ")? {
        "DAILY" => Frequency::Daily,
        "WEEKLY" => Frequency::Weekly,
        "MONTHLY" => Frequency::Monthly,
        "YEARLY" => Frequency::Yearly,
        _ => return None,
    };
    let interval = get("INTERVAL").and_then(|i| i.parse().ok()).unwrap_or(1).max(1);
    let weekdays = match (frequency, get("BYDAY")) {
        (Frequency::Weekly, Some(days)) => days.split(',').filter_map(weekday).collect(),
        _ => Vec::new(),
    };
    let end = match (get("UNTIL"), get("COUNT")) {
        (Some(u), _) => RepeatEnd::Until(parse_date(u.get(..8)?)?),
        (None, Some(c)) => RepeatEnd::Count(c.parse().ok()?),
        (None, None) => RepeatEnd::Never,
    };
    Some(Repeat { frequency, interval, weekdays, end })
}

/// Minutes before the start of each alarm triggered relative to it.
fn reminders_of(ev: &Component) -> Vec<i64> {
    ev.children()
        .filter(|c| c.name == "VALARM")
        .filter_map(|a| a.prop("TRIGGER"))
        .filter(|t| t.param("RELATED").is_none_or(|r| r.value().eq_ignore_ascii_case("START")))
        .filter(|t| t.param("VALUE").is_none_or(|v| v.value().eq_ignore_ascii_case("DURATION")))
        .filter_map(|t| {
            let v = unescape(&t.value);
            let v = v.trim();
            match v.strip_prefix('-') {
                Some(before) => parse_duration(before).map(|d| d.num_minutes()),
                None => parse_duration(v).map(|d| -d.num_minutes()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Url {
        Url::parse("https://h/cal/").expect("a URL")
    }

    const MEETING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:m1\r\n\
DTSTART;TZID=Europe/Berlin:20300204T100000\r\nDTEND;TZID=Europe/Berlin:20300204T110000\r\n\
SUMMARY:Plan\\, review\r\nLOCATION:Room 1\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6\r\n\
ORGANIZER:mailto:Organizer@example.com\r\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:organizer@example.com\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:attendee@example.com\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:m1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20300206T100000\r\n\
DTSTART;TZID=Europe/Berlin:20300206T120000\r\nDTEND;TZID=Europe/Berlin:20300206T130000\r\n\
SUMMARY:Plan (moved)\r\nORGANIZER:mailto:organizer@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn at(s: &str) -> NaiveDateTime {
        parse_time(s).expect("a time")
    }

    #[test]
    fn a_meeting_reads_as_the_editor_shows_it() {
        let d = Draft::from_event(MEETING, cal(), None).expect("a draft");
        assert_eq!(d.summary, "Plan, review");
        assert_eq!(d.location, "Room 1");
        assert_eq!(
            d.when,
            When::Timed {
                start: at("20300204T100000"),
                end: at("20300204T110000"),
                zone: "Europe/Berlin".into()
            }
        );
        let r = d.repeat.expect("repeats");
        assert_eq!((r.frequency, r.interval, r.end), (Frequency::Weekly, 1, RepeatEnd::Count(6)));
        assert_eq!(r.weekdays, vec![Weekday::Mon, Weekday::Wed]);
        assert_eq!(d.reminders, vec![15]);
        assert_eq!(d.attendees, vec!["attendee@example.com"], "the organizer is not their own guest");
    }

    #[test]
    fn an_occurrence_reads_its_override_or_the_series_moved_there() {
        let own = Draft::from_event(MEETING, cal(), Some("20300206T100000")).expect("a draft");
        assert_eq!(own.summary, "Plan (moved)");
        assert!(matches!(own.when, When::Timed { start, .. } if start == at("20300206T120000")));
        assert_eq!(own.repeat, None);
        let plain = Draft::from_event(MEETING, cal(), Some("20300211T100000")).expect("a draft");
        assert_eq!(plain.summary, "Plan, review");
        assert_eq!(
            plain.when,
            When::Timed {
                start: at("20300211T100000"),
                end: at("20300211T110000"),
                zone: "Europe/Berlin".into()
            }
        );
    }

    #[test]
    fn all_day_utc_and_duration_forms() {
        let all_day = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20300301\nSUMMARY:Off\n\
RRULE:FREQ=YEARLY;UNTIL=20350301\nEND:VEVENT\nEND:VCALENDAR\n";
        let d = Draft::from_event(all_day, cal(), None).expect("a draft");
        let day = |s| parse_date(s).expect("a date");
        assert_eq!(d.when, When::AllDay { start: day("20300301"), end: day("20300302") });
        assert_eq!(d.repeat.expect("repeats").end, RepeatEnd::Until(day("20350301")));
        let utc = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:b\nDTSTART:20300301T090000Z\nDURATION:PT90M\n\
END:VEVENT\nEND:VCALENDAR\n";
        let d = Draft::from_event(utc, cal(), None).expect("a draft");
        assert_eq!(
            d.when,
            When::Timed { start: at("20300301T090000"), end: at("20300301T103000"), zone: "UTC".into() }
        );
        assert!(Draft::from_event("BEGIN:VCALENDAR\nEND:VCALENDAR\n", cal(), None).is_none());
    }
}
