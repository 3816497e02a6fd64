//! Event facts in words a person reads: local times, durations, rules.

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Offset, TimeZone};

use crate::ical::conflicts::Conflict;
use crate::ical::event::When;
use crate::ical::occurrence::parse_duration;
use crate::ical::time::to_local;
use crate::ical::{Invitation, time::describe_local};

pub fn time_range(inv: &Invitation) -> String {
    let Some(start) = &inv.start else { return "no date".into() };
    let Some(s) = to_local(start) else { return start.describe() };
    if start.is_date() {
        let (first, end) = all_day_dates(inv, s);
        return days_between(first, end, false);
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

/// An all-day event's first day and the day after its last (at least one
/// day: DTEND, else DURATION, else the start day alone).
fn all_day_dates(inv: &Invitation, start: DateTime<Local>) -> (NaiveDate, NaiveDate) {
    let first = start.date_naive();
    let end = end_of(inv).map(|e| e.date_naive()).filter(|e| *e > first);
    (first, end.unwrap_or(first + Duration::days(1)))
}

pub fn duration(inv: &Invitation) -> String {
    if let Some(start) = inv.start.as_ref().filter(|s| s.is_date()) {
        let Some(s) = to_local(start) else { return "all day".into() };
        let (first, end) = all_day_dates(inv, s);
        return match (end - first).num_days() {
            1 => "all day".into(),
            n => format!("{n} days"),
        };
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

/// "Tuesday 8 December 2026, 10:00–11:00 (1 hour)", or across midnight
/// "Tuesday 8 December 2026, 22:00 – Wednesday 9 December, 02:00 (4 hours)".
/// The length is the time that passes, so a DST change counts.
pub fn times_in_words<Tz: TimeZone>(start: &DateTime<Tz>, end: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let first = start.format("%A %-d %B %Y, %H:%M");
    let length = end.clone().signed_duration_since(start.clone());
    if length <= Duration::zero() {
        return first.to_string();
    }
    let same_year = start.year() == end.year();
    let last = match (start.date_naive() == end.date_naive(), same_year) {
        (true, _) => end.format("–%H:%M").to_string(),
        (false, true) => end.format(" – %A %-d %B, %H:%M").to_string(),
        (false, false) => end.format(" – %A %-d %B %Y, %H:%M").to_string(),
    };
    format!("{first}{last} ({})", length_in_words(length))
}

/// All-day dates, `end` exclusive as in iCalendar: "Tuesday 8 December 2026
/// (all day)", "Monday 7 – Wednesday 9 December 2026 (3 days)".
pub fn days_in_words(first: NaiveDate, end: NaiveDate) -> String {
    days_between(first, end, true)
}

/// All-day dates in full (`long`) or short ("Thu 4 – Fri 5 Mar 2027 (2 days)").
fn days_between(first: NaiveDate, end: NaiveDate, long: bool) -> String {
    let (day, day_month, full) =
        if long { ("%A %-d", "%A %-d %B", "%A %-d %B %Y") } else { ("%a %-d", "%a %-d %b", "%a %-d %b %Y") };
    let days = (end - first).num_days().max(1);
    let last = first + Duration::days(days - 1);
    if days == 1 {
        return format!("{} (all day)", first.format(full));
    }
    let from = if first.year() != last.year() {
        first.format(full)
    } else if first.month() != last.month() {
        first.format(day_month)
    } else {
        first.format(day)
    };
    format!("{from} – {} ({days} days)", last.format(full))
}

/// "1 hour", "1 hour 30 minutes", "2 days 3 hours".
pub fn length_in_words(length: Duration) -> String {
    let minutes = length.num_minutes();
    let parts = [(minutes / 1440, "day"), (minutes % 1440 / 60, "hour"), (minutes % 60, "minute")];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| if *n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") })
        .collect();
    if words.is_empty() { "under a minute".into() } else { words.join(" ") }
}

/// The same span in the event's own zone (its TZID), when that zone's
/// clock differs from `here`'s at the time: "Wednesday 9 December 2026,
/// 03:45–04:45 (1 hour), Pacific/Chatham time". None for the same clock
/// or a zone not in the database.
pub fn in_own_zone<Here: TimeZone>(start: &DateTime<Here>, end: &DateTime<Here>, tzid: &str) -> Option<String>
where
    Here::Offset: std::fmt::Display,
{
    let zone: chrono_tz::Tz = tzid.trim_start_matches('/').parse().ok()?;
    let differs = |t: &DateTime<Here>| t.offset().fix() != t.with_timezone(&zone).offset().fix();
    if !differs(start) && !differs(end) {
        return None;
    }
    let words = times_in_words(&start.with_timezone(&zone), &end.with_timezone(&zone));
    Some(format!("{words}, {} time", zone.name()))
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

/// One change in words: "Time: Tue 10:00–11:00 → Wed 14:00–15:00".
pub fn change(c: &crate::ical::Change) -> String {
    let occ = c.occurrence.as_ref().map(|o| format!(" ({})", diff_value(o))).unwrap_or_default();
    format!(
        "{}{occ}: {} → {}",
        c.field.label(),
        field_value(c.field, &c.before),
        field_value(c.field, &c.after)
    )
}

/// A field's value in words (times and repeat rules read out).
pub fn field_value(field: crate::ical::Field, value: &str) -> String {
    use crate::ical::Field;
    match field {
        Field::Time | Field::Recurrence => diff_value(value),
        _ if value.is_empty() => "—".into(),
        _ => value.to_owned(),
    }
}

/// A span of days as a title: "2 – 8 March 2026", "28 Feb – 6 Mar 2026",
/// "29 Dec 2025 – 4 Jan 2026".
pub fn date_range(first: NaiveDate, last: NaiveDate) -> String {
    use chrono::Datelike;
    if (first.year(), first.month()) == (last.year(), last.month()) {
        format!("{} – {}", first.day(), last.format("%-d %B %Y"))
    } else if first.year() == last.year() {
        format!("{} – {}", first.format("%-d %b"), last.format("%-d %b %Y"))
    } else {
        format!("{} – {}", first.format("%-d %b %Y"), last.format("%-d %b %Y"))
    }
}

/// One of the person's events that overlaps an invitation: "Team sync
/// 10:00–11:00", "Offsite (all day)", with the day when it starts on
/// another.
pub fn conflict(c: &Conflict, day: Option<NaiveDate>) -> String {
    let (Some(start), Some(end)) = (c.start(), c.end()) else { return c.summary.clone() };
    if c.all_day {
        return format!("{} (all day)", c.summary);
    }
    let from = match day {
        Some(d) if d != start.date_naive() => start.format("%a %-d %b, %H:%M").to_string(),
        _ => start.format("%H:%M").to_string(),
    };
    let to = if end.date_naive() == start.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%a %-d %b, %H:%M").to_string()
    };
    format!("{} {from}–{to}", c.summary)
}

/// "Conflicts with: Team sync 10:00–11:00 +2 more", or nothing when none.
pub fn conflicts_line(conflicts: &[&Conflict], day: Option<NaiveDate>) -> Option<String> {
    let first = conflicts.first()?;
    let more = match conflicts.len() - 1 {
        0 => String::new(),
        n => format!(" +{n} more"),
    };
    Some(format!("Conflicts with: {}{more}", conflict(first, day)))
}

/// An attendee's answer, role and delegation in words: "Accepted ·
/// chair", "Delegated · to dan@example.com"; with `delivery`, what the
/// server did with the invitation to them (what the organizer sees).
pub fn attendee(a: &crate::ical::event::Person, delivery: bool) -> String {
    let mut words = vec![answer(a.partstat.as_deref()).to_owned()];
    if let Some(role) = a.role.as_deref().and_then(role_in_words) {
        words.push(role.to_owned());
    }
    let bare = |s: &str| s.replace("mailto:", "");
    if let Some(to) = a.delegated_to.as_deref() {
        words.push(format!("to {}", bare(to)));
    }
    if let Some(from) = a.delegated_from.as_deref() {
        words.push(format!("for {}", bare(from)));
    }
    if let Some(code) = a.schedule_status.as_deref().filter(|_| delivery) {
        words.push(crate::ical::event::delivery(code));
    }
    words.join(" · ")
}

/// ROLE in words; the default (a required participant) says nothing.
fn role_in_words(role: &str) -> Option<&'static str> {
    match role {
        "CHAIR" => Some("chair"),
        "OPT-PARTICIPANT" => Some("optional"),
        "NON-PARTICIPANT" => Some("for information"),
        _ => None,
    }
}

/// `s` with its first letter upper case (a reason said as a sentence).
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_name_each_month_and_year_once() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_range(d(2026, 3, 2), d(2026, 3, 8)), "2 – 8 March 2026");
        assert_eq!(date_range(d(2026, 2, 23), d(2026, 3, 1)), "23 Feb – 1 Mar 2026");
        assert_eq!(date_range(d(2025, 12, 29), d(2026, 1, 4)), "29 Dec 2025 – 4 Jan 2026");
    }

    fn all_day(end: &str) -> Invitation {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:u\r\n\
             DTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:20270304\r\n{end}SUMMARY:Offsite\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let me = crate::ical::Identity::new(["mailto:me@example.com"]);
        crate::ical::invitation::read(&text, &me).unwrap().unwrap()
    }

    #[test]
    fn all_day_events_say_how_many_days() {
        let two = all_day("DTEND;VALUE=DATE:20270306\r\n");
        assert_eq!(
            (time_range(&two), duration(&two)),
            ("Thu 4 – Fri 5 Mar 2027 (2 days)".into(), "2 days".into())
        );
        let by_duration = all_day("DURATION:P3D\r\n");
        assert_eq!(time_range(&by_duration), "Thu 4 – Sat 6 Mar 2027 (3 days)");
        for one in [all_day("DTEND;VALUE=DATE:20270305\r\n"), all_day("")] {
            assert_eq!(
                (time_range(&one), duration(&one)),
                ("Thu 4 Mar 2027 (all day)".into(), "all day".into())
            );
        }
    }

    #[test]
    fn rules_read_as_words() {
        assert_eq!(recurrence("FREQ=WEEKLY;BYDAY=TU"), "every week on Tuesday");
        assert_eq!(recurrence("FREQ=DAILY;INTERVAL=2;COUNT=5"), "every 2 days, 5 times");
        assert!(recurrence("FREQ=WEEKLY;UNTIL=20300716T100000Z").starts_with("every week, until "));
    }

    fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<chrono_tz::Tz> {
        chrono_tz::Europe::Berlin.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn times_read_as_words() {
        assert_eq!(
            times_in_words(&berlin(2026, 12, 8, 10, 0), &berlin(2026, 12, 8, 11, 0)),
            "Tuesday 8 December 2026, 10:00–11:00 (1 hour)"
        );
        assert_eq!(
            times_in_words(&berlin(2026, 12, 8, 22, 0), &berlin(2026, 12, 9, 2, 30)),
            "Tuesday 8 December 2026, 22:00 – Wednesday 9 December, 02:30 (4 hours 30 minutes)"
        );
        assert_eq!(
            times_in_words(&berlin(2026, 12, 31, 23, 0), &berlin(2027, 1, 2, 1, 0)),
            "Thursday 31 December 2026, 23:00 – Saturday 2 January 2027, 01:00 (1 day 2 hours)"
        );
        assert_eq!(
            times_in_words(&berlin(2026, 12, 8, 10, 0), &berlin(2026, 12, 8, 10, 0)),
            "Tuesday 8 December 2026, 10:00",
            "no length for an instant"
        );
    }

    #[test]
    fn a_dst_change_counts_the_time_that_passes() {
        // Clocks go from 02:00 to 03:00 on 29 March 2026 in Berlin, and back on 25 October.
        assert_eq!(
            times_in_words(&berlin(2026, 3, 29, 1, 0), &berlin(2026, 3, 29, 4, 0)),
            "Sunday 29 March 2026, 01:00–04:00 (2 hours)"
        );
        assert_eq!(
            times_in_words(&berlin(2026, 10, 25, 1, 0), &berlin(2026, 10, 25, 4, 0)),
            "Sunday 25 October 2026, 01:00–04:00 (4 hours)"
        );
        // A day-long event over the spring change lasts 23 hours.
        assert_eq!(
            times_in_words(&berlin(2026, 3, 28, 12, 0), &berlin(2026, 3, 29, 12, 0)),
            "Saturday 28 March 2026, 12:00 – Sunday 29 March, 12:00 (23 hours)"
        );
    }

    #[test]
    fn all_day_and_several_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(days_in_words(d(2026, 12, 8), d(2026, 12, 9)), "Tuesday 8 December 2026 (all day)");
        assert_eq!(days_in_words(d(2026, 12, 8), d(2026, 12, 8)), "Tuesday 8 December 2026 (all day)");
        assert_eq!(
            days_in_words(d(2026, 12, 7), d(2026, 12, 10)),
            "Monday 7 – Wednesday 9 December 2026 (3 days)"
        );
        assert_eq!(
            days_in_words(d(2026, 11, 30), d(2026, 12, 3)),
            "Monday 30 November – Wednesday 2 December 2026 (3 days)"
        );
        assert_eq!(
            days_in_words(d(2026, 12, 31), d(2027, 1, 2)),
            "Thursday 31 December 2026 – Friday 1 January 2027 (2 days)"
        );
    }

    #[test]
    fn the_events_own_zone_only_when_its_clock_differs() {
        let (s, e) = (berlin(2026, 12, 8, 10, 0), berlin(2026, 12, 8, 11, 0));
        assert_eq!(
            in_own_zone(&s, &e, "Pacific/Chatham").as_deref(),
            // Chatham is UTC+13:45 in its summer: 09:00 UTC is 22:45.
            Some("Tuesday 8 December 2026, 22:45–23:45 (1 hour), Pacific/Chatham time")
        );
        assert_eq!(in_own_zone(&s, &e, "Europe/Paris"), None, "another name for the same clock");
        assert_eq!(in_own_zone(&s, &e, "Europe/Berlin"), None);
        assert_eq!(in_own_zone(&s, &e, "My Custom Zone"), None);
        // New York has moved its clocks by 22 March 2026, Berlin not yet:
        // four hours apart that week, not the usual six.
        let (s, e) = (berlin(2026, 3, 22, 15, 0), berlin(2026, 3, 22, 16, 0));
        assert_eq!(
            in_own_zone(&s, &e, "America/New_York").as_deref(),
            Some("Sunday 22 March 2026, 10:00–11:00 (1 hour), America/New_York time")
        );
    }

    #[test]
    fn lengths_read_as_words() {
        assert_eq!(length_in_words(Duration::minutes(45)), "45 minutes");
        assert_eq!(length_in_words(Duration::minutes(61)), "1 hour 1 minute");
        assert_eq!(length_in_words(Duration::days(2)), "2 days");
        assert_eq!(length_in_words(Duration::seconds(20)), "under a minute");
    }

    #[test]
    fn diff_spans_become_local_times() {
        let s = diff_value("20300604T100000Z – 20300604T110000Z");
        assert!(s.contains("2030-06-0") && s.contains('–'), "{s}");
        assert_eq!(diff_value("Room 2"), "Room 2");
        assert_eq!(diff_value("2030061é"), "2030061é", "no panic inside a character");
    }
}
