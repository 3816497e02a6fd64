//! Event facts in words a person reads: local times, durations, rules.

use chrono::{DateTime, Local};

use crate::ical::event::When;
use crate::ical::occurrence::parse_duration;
use crate::ical::time::to_local;
use crate::ical::{Invitation, time::describe_local};

pub fn time_range(inv: &Invitation) -> String {
    let Some(start) = &inv.start else { return "no date".into() };
    let Some(s) = to_local(start) else { return start.describe() };
    if start.is_date() {
        return format!("{} (all day)", s.format("%a %-d %b %Y"));
    }
    match end_of(inv) {
        Some(e) if e.date_naive() == s.date_naive() => {
            format!("{}–{}", s.format("%a %-d %b %Y, %H:%M"), e.format("%H:%M"))
        }
        Some(e) => format!("{} – {}", s.format("%a %-d %b %Y, %H:%M"), e.format("%a %-d %b, %H:%M")),
        None => s.format("%a %-d %b %Y, %H:%M").to_string(),
    }
}

fn end_of(inv: &Invitation) -> Option<DateTime<Local>> {
    if let Some(end) = inv.end.as_ref().and_then(to_local) {
        return Some(end);
    }
    let start = to_local(inv.start.as_ref()?)?;
    start.checked_add_signed(parse_duration(inv.duration.as_deref()?)?)
}

pub fn duration(inv: &Invitation) -> String {
    if inv.start.as_ref().is_some_and(When::is_date) {
        return "all day".into();
    }
    let (Some(s), Some(e)) = (inv.start.as_ref().and_then(to_local), end_of(inv)) else {
        return String::new();
    };
    let minutes = (e - s).num_minutes();
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// "every week on Tuesday, until 16 Jul 2030"
pub fn recurrence(rule: &str) -> String {
    let mut freq = "";
    let mut interval = 1;
    let (mut until, mut count, mut days) = (None, None, Vec::new());
    for part in rule.split(';') {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k.to_ascii_uppercase().as_str() {
            "FREQ" => freq = v,
            "INTERVAL" => interval = v.parse().unwrap_or(1),
            "UNTIL" => until = Some(v.to_owned()),
            "COUNT" => count = Some(v.to_owned()),
            "BYDAY" => days = v.split(',').map(day_name).collect(),
            _ => {}
        }
    }
    let unit = match freq.to_ascii_uppercase().as_str() {
        "DAILY" => "day",
        "WEEKLY" => "week",
        "MONTHLY" => "month",
        "YEARLY" => "year",
        _ => return format!("repeats ({rule})"),
    };
    let mut out = if interval == 1 { format!("every {unit}") } else { format!("every {interval} {unit}s") };
    if !days.is_empty() {
        out.push_str(&format!(" on {}", days.join(", ")));
    }
    if let Some(u) = until {
        let when = When { value: u.clone(), tzid: None };
        let shown = to_local(&when).map(|t| t.format("%-d %b %Y").to_string()).unwrap_or(u);
        out.push_str(&format!(", until {shown}"));
    } else if let Some(c) = count {
        out.push_str(&format!(", {c} times"));
    }
    out
}

fn day_name(code: &str) -> String {
    let code = code.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    match code {
        "MO" => "Monday",
        "TU" => "Tuesday",
        "WE" => "Wednesday",
        "TH" => "Thursday",
        "FR" => "Friday",
        "SA" => "Saturday",
        "SU" => "Sunday",
        other => other,
    }
    .to_owned()
}

pub fn answer(partstat: Option<&str>) -> &'static str {
    match partstat.unwrap_or("NEEDS-ACTION") {
        "ACCEPTED" => "Accepted",
        "TENTATIVE" => "Tentative",
        "DECLINED" => "Declined",
        "DELEGATED" => "Delegated",
        _ => "Needs an answer",
    }
}

/// A diff value like "20300604T100000Z – 20300604T110000Z" or
/// "20300604T100000 (Pacific/Auckland)" in local time.
pub fn diff_value(text: &str) -> String {
    let pretty = |part: &str| {
        let part = part.trim();
        let (value, tzid) = match part.split_once(" (") {
            Some((v, tz)) => (v, Some(tz.trim_end_matches(')').to_owned())),
            None => (part, None),
        };
        let looks_like_time = value.get(..8).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
        if looks_like_time {
            describe_local(&When { value: value.to_owned(), tzid })
        } else {
            part.to_owned()
        }
    };
    if let Some((a, b)) = text.split_once(" – ") {
        let (a, b) = (pretty(a), pretty(b));
        // "Tue 2030-06-04 10:00 – Tue 2030-06-04 11:00" → "Tue 2030-06-04 10:00–11:00"
        match (a.rsplit_once(' '), b.rsplit_once(' ')) {
            (Some((day_a, _)), Some((day_b, time_b))) if day_a == day_b => format!("{a}–{time_b}"),
            _ => format!("{a} – {b}"),
        }
    } else {
        pretty(text)
    }
}

/// A span of days as a title: "2 – 8 March 2026", "28 Feb – 6 Mar 2026",
/// "29 Dec 2025 – 4 Jan 2026".
pub fn date_range(first: chrono::NaiveDate, last: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if (first.year(), first.month()) == (last.year(), last.month()) {
        format!("{} – {}", first.day(), last.format("%-d %B %Y"))
    } else if first.year() == last.year() {
        format!("{} – {}", first.format("%-d %b"), last.format("%-d %b %Y"))
    } else {
        format!("{} – {}", first.format("%-d %b %Y"), last.format("%-d %b %Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_name_each_month_and_year_once() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_range(d(2026, 3, 2), d(2026, 3, 8)), "2 – 8 March 2026");
        assert_eq!(date_range(d(2026, 2, 23), d(2026, 3, 1)), "23 Feb – 1 Mar 2026");
        assert_eq!(date_range(d(2025, 12, 29), d(2026, 1, 4)), "29 Dec 2025 – 4 Jan 2026");
    }

    #[test]
    fn rules_read_as_words() {
        assert_eq!(recurrence("FREQ=WEEKLY;BYDAY=TU"), "every week on Tuesday");
        assert_eq!(recurrence("FREQ=DAILY;INTERVAL=2;COUNT=5"), "every 2 days, 5 times");
        assert!(recurrence("FREQ=WEEKLY;UNTIL=20300716T100000Z").starts_with("every week, until "));
    }

    #[test]
    fn diff_spans_become_local_times() {
        let s = diff_value("20300604T100000Z – 20300604T110000Z");
        assert!(s.contains("2030-06-0") && s.contains('–'), "{s}");
        assert_eq!(diff_value("Room 2"), "Room 2");
        assert_eq!(diff_value("2030061é"), "2030061é", "no panic inside a character");
    }
}
