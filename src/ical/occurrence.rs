//! Expanding events into the occurrences a calendar view shows: RRULE,
//! RDATE and EXDATE (with the `rrule` crate), overridden instances, time
//! zones converted to the person's local time.

use chrono::{DateTime, Duration, Local, Utc};

use super::event::{self, When};
use super::lines::{Component, Document};
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

/// Upper bound per event, so a FREQ=SECONDLY rule can't flood a view.
const MAX_PER_EVENT: u16 = 1000;

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

/// The rule lines of a master event as the `rrule` crate reads them.
fn rule_text(ev: &Component) -> Option<String> {
    let keep = ["DTSTART", "RRULE", "RDATE", "EXDATE"];
    let mut out = String::new();
    for l in ev.props().filter(|l| keep.contains(&l.name.as_str())) {
        out.push_str(&l.unfolded());
        out.push('\n');
    }
    out.contains("RRULE").then_some(out)
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

/// Occurrences of one object that overlap `[from, to)`.
pub fn expand(data: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
    let Ok(doc) = Document::parse(data) else { return Vec::new() };
    let Some(cal) = doc.calendar() else { return Vec::new() };
    let events: Vec<&Component> = cal.children().filter(|c| c.name == "VEVENT").collect();
    let overrides: Vec<(&Component, DateTime<Local>)> = events
        .iter()
        .filter_map(|e| {
            let rid = e.prop("RECURRENCE-ID")?;
            Some((*e, to_local(&When::from_line(rid))?))
        })
        .collect();
    let overlaps = |o: &Occurrence| {
        o.start.with_timezone(&Utc) < to && o.end.with_timezone(&Utc) > from
            || o.start.with_timezone(&Utc) == from
    };
    let mut out = Vec::new();
    for ev in &events {
        let Some(start) = event::start(ev) else { continue };
        let Some(first) = to_local(&start) else { continue };
        let len = length(ev, &start);
        let all_day = start.is_date();
        if ev.prop("RECURRENCE-ID").is_some() {
            let rid = event::recurrence_id(ev);
            out.push(make(ev, first, len, all_day, rid));
            continue;
        }
        let Some(rules) = rule_text(ev) else {
            out.push(make(ev, first, len, all_day, None));
            continue;
        };
        let Ok(set) = rules.parse::<rrule::RRuleSet>() else {
            // An unreadable rule: show the first occurrence rather than nothing.
            out.push(make(ev, first, len, all_day, None));
            continue;
        };
        let earliest = from.checked_sub_signed(len + Duration::seconds(1)).unwrap_or(from);
        let after = earliest.with_timezone(&rrule::Tz::UTC);
        let before = to.with_timezone(&rrule::Tz::UTC);
        for instance in set.after(after).before(before).all(MAX_PER_EVENT).dates {
            let local = instance.with_timezone(&Local);
            if overrides.iter().any(|(_, at)| *at == local) {
                continue;
            }
            let rid = recurrence_id_like(&start.value, &instance);
            out.push(make(ev, local, len, all_day, Some(rid)));
        }
    }
    out.retain(overlaps);
    out.sort_by_key(|o| o.start);
    out
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
        let all = expand(WEEKLY, from, to);
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
        let some = expand(WEEKLY, from, to);
        assert_eq!(some.len(), 1);
        assert_eq!(some[0].summary, "Standup (moved)");
    }
}
