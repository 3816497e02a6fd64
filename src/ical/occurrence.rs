//! Expanding events into the occurrences a calendar view shows: RRULE,
//! RDATE and EXDATE (bounded, in `repeat`), overridden instances, time
//! zones converted to the person's local time.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Local, Utc};

use super::event::{self, When};
use super::lines::{Component, Document};
use super::repeat;
use super::time::to_local;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub uid: String,
    pub summary: String,
    pub start: DateTime<Local>,
    pub end: DateTime<Local>,
    pub all_day: bool,
    pub location: Option<String>,
    /// Set for one instance of a repeating event.
    pub recurrence_id: Option<String>,
    pub cancelled: bool,
}

/// DTEND − DTSTART, else DURATION, else a day for a DATE and nothing for
/// a DATE-TIME (RFC 5545 §3.6.1).
pub fn length(ev: &Component, start: &When) -> Duration {
    if let (Some(s), Some(e)) = (to_local(start), event::end(ev).as_ref().and_then(to_local)) {
        return e - s;
    }
    if let Some(d) = ev.prop("DURATION").and_then(|d| parse_duration(&d.value)) {
        return d;
    }
    if start.is_date() { Duration::days(1) } else { Duration::zero() }
}

/// RFC 5545 DURATION ("PT1H30M", "P1D").
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim().trim_start_matches('+').strip_prefix('P')?;
    let (mut total, mut number, mut in_time) = (Duration::zero(), String::new(), false);
    for c in t.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = std::mem::take(&mut number).parse().ok()?;
                // Hostile values (P999999999999W) give None, never a panic.
                let part = match (unit, in_time) {
                    ('W', _) => Duration::try_weeks(n),
                    ('D', _) => Duration::try_days(n),
                    ('H', true) => Duration::try_hours(n),
                    ('M', true) => Duration::try_minutes(n),
                    ('S', true) => Duration::try_seconds(n),
                    _ => None,
                }?;
                total = total.checked_add(&part)?;
            }
        }
    }
    Some(total)
}

fn make(
    ev: &Component,
    start: DateTime<Local>,
    len: Duration,
    all_day: bool,
    rid: Option<String>,
) -> Occurrence {
    Occurrence {
        uid: event::uid(ev).unwrap_or_default(),
        summary: event::text(ev, "SUMMARY").unwrap_or_else(|| "(no title)".into()),
        start,
        end: start.checked_add_signed(len).unwrap_or(start),
        all_day,
        location: event::text(ev, "LOCATION"),
        recurrence_id: rid,
        cancelled: event::is_cancelled(ev),
    }
}

/// An instance's RECURRENCE-ID in the form of the series' DTSTART (same
/// zone, DATE or DATE-TIME, UTC or not), as a reply's override needs it.
fn recurrence_id_like(dtstart: &str, instance: &DateTime<rrule::Tz>) -> String {
    if dtstart.len() == 8 {
        instance.format("%Y%m%d").to_string()
    } else if dtstart.ends_with('Z') {
        instance.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
    } else {
        instance.format("%Y%m%dT%H%M%S").to_string()
    }
}

/// The occurrences of one object in a window, and whether a series in it
/// repeats too often to show them all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    pub occurrences: Vec<Occurrence>,
    /// A series hit the bound on work ([`repeat::BOUNDS`]): it repeats too
    /// often to show every occurrence; `occurrences` holds those found.
    pub truncated: bool,
    /// Instances generated in all (the work done), for tests and benchmarks.
    pub steps: u64,
}

/// Occurrences of one object that overlap `[from, to)`, at bounded cost.
pub fn expand(data: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Expansion {
    Document::parse(data).map(|doc| expand_document(&doc, from, to)).unwrap_or_default()
}

/// [`expand`] of an object already parsed.
pub fn expand_document(doc: &Document, from: DateTime<Utc>, to: DateTime<Utc>) -> Expansion {
    let mut out = Expansion::default();
    let Some(cal) = doc.calendar() else { return out };
    let events: Vec<&Component> = cal.children().filter(|c| c.name == "VEVENT").collect();
    let moved: HashSet<DateTime<Local>> =
        events.iter().filter_map(|e| to_local(&When::from_line(e.prop("RECURRENCE-ID")?))).collect();
    let overlaps = |o: &Occurrence| {
        o.start.with_timezone(&Utc) < to && o.end.with_timezone(&Utc) > from
            || o.start.with_timezone(&Utc) == from
    };
    let list = &mut out.occurrences;
    for ev in &events {
        let Some(start) = event::start(ev) else { continue };
        let Some(first) = to_local(&start) else { continue };
        let len = length(ev, &start);
        let all_day = start.is_date();
        if ev.prop("RECURRENCE-ID").is_some() {
            let rid = event::recurrence_id(ev);
            list.push(make(ev, first, len, all_day, rid));
            continue;
        }
        let earliest = from.checked_sub_signed(len + Duration::seconds(1)).unwrap_or(from);
        let Some(found) = repeat::instances(ev, earliest, to, repeat::BOUNDS) else {
            // No rule, or an unreadable one: the first occurrence rather than nothing.
            list.push(make(ev, first, len, all_day, None));
            continue;
        };
        out.truncated |= found.truncated;
        out.steps += found.steps;
        for instance in found.dates {
            let local = instance.with_timezone(&Local);
            if moved.contains(&local) {
                continue;
            }
            let rid = recurrence_id_like(&start.value, &instance);
            list.push(make(ev, local, len, all_day, Some(rid)));
        }
    }
    list.retain(overlaps);
    list.sort_by_key(|o| o.start);
    out
}

/// The series' first occurrence (its DTSTART), whatever the window: what a
/// list shows of a series whose bound left nothing in the window.
pub fn first(data: &str) -> Option<Occurrence> {
    first_document(&Document::parse(data).ok()?)
}

/// [`first`] of an object already parsed.
pub fn first_document(doc: &Document) -> Option<Occurrence> {
    let ev = super::invitation::main_event(doc.calendar()?)?;
    let start = event::start(ev)?;
    let len = length(ev, &start);
    Some(make(ev, to_local(&start)?, len, start.is_date(), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const WEEKLY: &str = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:w\r\nSUMMARY:Standup\r\nDTSTART;TZID=Pacific/Chatham:20300604T091500\r\nDURATION:PT15M\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Pacific/Chatham:20300618T091500\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;TZID=Pacific/Chatham:20300611T091500\r\nSUMMARY:Standup (moved)\r\nDTSTART;TZID=Pacific/Chatham:20300611T140000\r\nDURATION:PT15M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn rules_exdates_and_overrides() {
        let from = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap();
        let all = expand(WEEKLY, from, to).occurrences;
        let names: Vec<&str> = all.iter().map(|o| o.summary.as_str()).collect();
        assert_eq!(names, vec!["Standup", "Standup (moved)", "Standup"], "4 weekly, one excluded, one moved");
        // 09:15 in Chatham (+12:45 in June) is 20:30 UTC the day before.
        assert_eq!(all[0].start.with_timezone(&Utc), Utc.with_ymd_and_hms(2030, 6, 3, 20, 30, 0).unwrap());
        assert_eq!(all[0].end - all[0].start, Duration::minutes(15));
        assert_eq!(
            all[2].recurrence_id.as_deref(),
            Some("20300625T091500"),
            "in the series' own zone and form"
        );
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P1D"), Some(Duration::days(1)));
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("P999999999999W"), None);
    }

    #[test]
    fn a_window_only_shows_what_overlaps_it() {
        let from = Utc.with_ymd_and_hms(2030, 6, 10, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2030, 6, 12, 0, 0, 0).unwrap();
        let some = expand(WEEKLY, from, to).occurrences;
        assert_eq!(some.len(), 1);
        assert_eq!(some[0].summary, "Standup (moved)");
    }

    #[test]
    fn ordinary_series_are_complete() {
        let from = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let all = expand(WEEKLY, from, from + Duration::days(365));
        assert!(!all.truncated);
        assert!(all.steps <= 4, "{}", all.steps);
    }

    /// The invitation from issue 11: `convene invitations` took minutes.
    #[test]
    fn an_endless_secondly_invitation_is_bounded_and_says_so() {
        let data = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:h\r\nSUMMARY:Every second\r\nDTSTART:20000101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nORGANIZER:mailto:o@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();
        let e = expand(data, now, now + Duration::days(400));
        assert!(e.truncated, "hit the bound: a note, not a silent drop");
        assert!(e.occurrences.len() <= repeat::BOUNDS.max_instances);
        assert_eq!(e.occurrences[0].start.with_timezone(&Utc), now);
        // Shown on every day of the window, not only on its first hours.
        let last = e.occurrences.last().unwrap().start.with_timezone(&Utc);
        assert!(last > now + Duration::days(399), "{last}");
        assert!(e.steps <= repeat::BOUNDS.max_steps, "{}", e.steps);
        assert_eq!(first(data).map(|o| o.summary), Some("Every second".into()));
    }
}
