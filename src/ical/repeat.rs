//! The instances of a repeating event inside a window, with bounded work.
//!
//! The `rrule` crate steps from DTSTART one instance at a time, so a rule
//! like `FREQ=SECONDLY` from 2000 costs ~10⁹ steps before it reaches today
//! (anyone who can send an invitation could freeze every listing). Here,
//! for the fixed-period frequencies (SECONDLY … WEEKLY) the series' start
//! is first moved forward by a whole number of periods to just before the
//! window, which leaves every later instance where it was (COUNT is reduced
//! by the instances skipped). Whatever the rule, the work per event is then
//! capped by [`Bounds`]; a series that hits the cap says so (`truncated`).

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use rrule::{RRuleSet, Tz};

use super::lines::{Component, Line};

/// How much one event may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Instances returned inside the window.
    pub max_instances: usize,
    /// Instances generated in all, including those before the window.
    pub max_steps: u64,
    /// Time spent in all: one step of a filtered rule the start can't be
    /// jumped for (`FREQ=SECONDLY;COUNT=…;BYHOUR=0`) may try thousands of
    /// candidates, so steps alone don't bound the time.
    pub max_time: std::time::Duration,
}

/// Enough for every ordinary rule over a year or two (a weekday series
/// since 1990 is ~10,000 steps), and a few milliseconds at worst.
pub const BOUNDS: Bounds =
    Bounds { max_instances: 1000, max_steps: 50_000, max_time: std::time::Duration::from_millis(200) };

/// The instances found, and whether the bound cut the list short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instances {
    /// Instances in `[after, before)`, in order.
    pub dates: Vec<DateTime<Tz>>,
    /// The series has (or may have) more instances in the window than these.
    pub truncated: bool,
    /// Instances the rule generated to find these: the work done.
    pub steps: u64,
}

/// Instances of the master event `ev` in `[after, before)`. None when it has
/// no RRULE or the rule can't be read.
pub fn instances(
    ev: &Component,
    after: DateTime<Utc>,
    before: DateTime<Utc>,
    bounds: Bounds,
) -> Option<Instances> {
    let found = instances_from(ev, after, before, bounds)?;
    if found.truncated && found.dates.len() >= bounds.max_instances && before - after > Duration::days(1) {
        // The cap filled up on the window's first hours (an every-second
        // series): the days after would look free. Keep half the cap there
        // and share the rest out over the following days.
        if let Some(spread) = spread_over_days(ev, found.clone(), before, bounds) {
            return Some(spread);
        }
    }
    Some(found)
}

/// The start of a series' last instance: `Some(None)` when it has none
/// (endless, or more than the bound lets us count, which a caller must
/// treat as endless). None when it has no RRULE or the rule can't be read.
/// An UNTIL answers at once; a COUNT is counted, within [`BOUNDS`].
pub fn last_start(ev: &Component) -> Option<Option<DateTime<Utc>>> {
    let set: RRuleSet = rule_text(ev, None)?.parse().ok()?;
    let rules = set.get_rrule();
    if rules.iter().any(|r| r.get_count().is_none() && r.get_until().is_none()) {
        return Some(None);
    }
    let until = rules.iter().filter_map(|r| r.get_until()).map(|u| u.with_timezone(&Utc)).max();
    let counted = rules.iter().any(|r| r.get_count().is_some());
    let dated = set.get_rdate().iter().map(|d| d.with_timezone(&Utc)).max();
    if !counted {
        // Every rule has an UNTIL.
        return Some(until.max(dated));
    }
    let began = std::time::Instant::now();
    let mut last = None;
    for (steps, at) in set.limit().into_iter().enumerate() {
        if steps as u64 >= BOUNDS.max_steps || began.elapsed() >= BOUNDS.max_time {
            return Some(None);
        }
        last = Some(at.with_timezone(&Utc));
    }
    Some(last.max(until).max(dated))
}

/// `head` (a capped expansion) cut to half the cap, then the instances
/// after it taken day by day up to `before`, each day getting an equal share
/// of the other half. None when the rule's start can't be jumped (each day
/// would then step from DTSTART).
fn spread_over_days(
    ev: &Component,
    mut head: Instances,
    before: DateTime<Utc>,
    bounds: Bounds,
) -> Option<Instances> {
    let set: RRuleSet = rule_text(ev, None)?.parse().ok()?;
    jump(ev, &set, before)?;
    head.dates.truncate(bounds.max_instances / 2);
    let resume = head.dates.last()?.with_timezone(&Utc) + Duration::seconds(1);
    let days = (before - resume).num_days() + 1;
    let share = ((bounds.max_instances - head.dates.len()) as i64 / days).max(1) as usize;
    let per_day = Bounds { max_instances: share, ..bounds };
    let began = std::time::Instant::now();
    let mut day = resume;
    while day < before && head.dates.len() < bounds.max_instances && began.elapsed() < bounds.max_time {
        let end = (day + Duration::days(1)).min(before);
        let found = instances_from(ev, day, end, per_day)?;
        head.steps += found.steps;
        head.dates.extend(found.dates);
        day = end;
    }
    Some(head)
}

fn instances_from(
    ev: &Component,
    after: DateTime<Utc>,
    before: DateTime<Utc>,
    bounds: Bounds,
) -> Option<Instances> {
    let text = rule_text(ev, None)?;
    let set: RRuleSet = text.parse().ok()?;
    let set = jump(ev, &set, after).and_then(|t| t.parse().ok()).unwrap_or(set);
    let endless = set.get_rrule().iter().any(|r| r.get_count().is_none() && r.get_until().is_none());
    let mut iter = set.limit().into_iter();
    let mut out = Instances { dates: Vec::new(), truncated: false, steps: 0 };
    let began = std::time::Instant::now();
    loop {
        if out.steps >= bounds.max_steps || began.elapsed() >= bounds.max_time {
            out.truncated = true;
            break;
        }
        let Some(at) = iter.next() else {
            // An endless rule only ends early when the crate's own loop
            // guard stopped it: say so rather than show a short list.
            out.truncated = endless;
            break;
        };
        out.steps += 1;
        if at >= before {
            break;
        }
        if at >= after {
            if out.dates.len() >= bounds.max_instances {
                out.truncated = true;
                break;
            }
            out.dates.push(at);
        }
    }
    Some(out)
}

/// The rule lines of a master event as the `rrule` crate reads them,
/// optionally with DTSTART and COUNT replaced.
fn rule_text(ev: &Component, shifted: Option<(&str, Option<i64>)>) -> Option<String> {
    let keep = ["DTSTART", "RRULE", "RDATE", "EXDATE"];
    let mut out = String::new();
    for l in ev.props().filter(|l| keep.contains(&l.name.as_str())) {
        let line = match (shifted, l.name.as_str()) {
            (Some((start, _)), "DTSTART") => with_value(l, start),
            (Some((_, Some(count))), "RRULE") => with_value(l, &with_count(&l.value, count)),
            _ => l.clone(),
        };
        out.push_str(&line.unfolded());
        out.push('\n');
    }
    out.contains("RRULE").then_some(out)
}

fn with_value(line: &Line, value: &str) -> Line {
    let mut l = line.clone();
    l.set_value(value);
    l
}

/// The rule parts (`FREQ=DAILY;COUNT=3`) as upper-case names and values.
pub fn parts(rule: &str) -> Vec<(String, String)> {
    rule.trim()
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_owned()))
        .collect()
}

/// The length of one period of a fixed-period frequency (SECONDLY …
/// WEEKLY) in seconds; None for MONTHLY, YEARLY and unknown names.
pub fn period_seconds(freq: &str) -> Option<i64> {
    match freq.to_ascii_uppercase().as_str() {
        "SECONDLY" => Some(1),
        "MINUTELY" => Some(60),
        "HOURLY" => Some(3600),
        "DAILY" => Some(86_400),
        "WEEKLY" => Some(7 * 86_400),
        _ => None,
    }
}

fn with_count(rule: &str, count: i64) -> String {
    parts(rule)
        .into_iter()
        .map(|(k, v)| if k == "COUNT" { format!("COUNT={count}") } else { format!("{k}={v}") })
        .collect::<Vec<_>>()
        .join(";")
}

/// The rule text with DTSTART moved forward by a whole number of periods to
/// just before `after`, when the rule allows it; None to step from DTSTART.
///
/// For SECONDLY … WEEKLY the candidates are DTSTART + n × INTERVAL periods
/// in local wall-clock time (which is how the crate steps), and every BYxxx
/// part filters or expands each period the same way wherever it starts, so
/// a start moved by whole periods (same time of day, same weekday) gives the
/// same later instances. With COUNT every skipped period held exactly one
/// instance only when there is no BYxxx part: with one, step instead.
fn jump(ev: &Component, set: &RRuleSet, after: DateTime<Utc>) -> Option<String> {
    let mut rules = ev.props_named("RRULE");
    let (rule, None) = (rules.next()?, rules.next()) else { return None };
    let parts = parts(&rule.value);
    let get = |name: &str| parts.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let unit = period_seconds(get("FREQ")?)?;
    let interval: i64 = get("INTERVAL").map_or(Some(1), |i| i.parse().ok())?;
    let count: Option<i64> = match get("COUNT") {
        Some(c) => Some(c.parse().ok()?),
        None => None,
    };
    if interval < 1 || (count.is_some() && parts.iter().any(|(k, _)| k.starts_with("BY"))) {
        return None;
    }
    let written = ev.prop("DTSTART")?.value.trim().to_owned();
    let is_date = written.len() == 8;
    if is_date && unit < 86_400 {
        return None;
    }
    let period = unit.checked_mul(interval)?;
    let start = *set.get_dt_start();
    let tz = start.timezone();
    // Wall-clock time and instants differ by the zone's offset changes;
    // stopping 3 hours early keeps every instance near the window start.
    let margin = if tz == Tz::UTC { 0 } else { 3 * 3600 };
    let mut target = after.with_timezone(&tz).naive_local() - Duration::seconds(margin);
    if let Some(until) = set.get_rrule().first().and_then(|r| r.get_until()) {
        target = target.min(until.with_timezone(&tz).naive_local());
    }
    let first = start.naive_local();
    let mut k = (target - first).num_seconds().div_euclid(period);
    if let Some(c) = count {
        // At most to the last instance, so COUNT stays at least 1.
        k = k.min(c - 1);
    }
    // A moved start must exist once in the zone (not in a DST gap or fold):
    // back off by two hours' worth of periods, a few times at most.
    let back_off = (7200 + period - 1) / period;
    for _ in 0..4 {
        if k <= 0 {
            return None;
        }
        let moved: NaiveDateTime =
            first.checked_add_signed(Duration::try_seconds(k.checked_mul(period)?)?)?;
        if tz.from_local_datetime(&moved).single().is_some() {
            let value = if is_date {
                moved.format("%Y%m%d").to_string()
            } else if written.ends_with('Z') {
                moved.format("%Y%m%dT%H%M%SZ").to_string()
            } else {
                moved.format("%Y%m%dT%H%M%S").to_string()
            };
            return rule_text(ev, Some((value.as_str(), count.map(|c| c - k))));
        }
        k -= back_off;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::lines::Document;
    use chrono::TimeZone;
    use std::collections::HashSet;

    fn master(body: &str) -> Component {
        let data = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n{}END:VEVENT\r\nEND:VCALENDAR\r\n",
            body.lines().map(|l| format!("{l}\r\n")).collect::<String>()
        );
        let doc = Document::parse(&data).unwrap();
        doc.calendar().unwrap().children().next().unwrap().clone()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, mi, s).unwrap()
    }

    /// What the crate gives when stepping from DTSTART with no bound: the
    /// reference the jump must agree with.
    fn stepped(ev: &Component, after: DateTime<Utc>, before: DateTime<Utc>) -> Vec<DateTime<Tz>> {
        let set: RRuleSet = rule_text(ev, None).unwrap().parse().unwrap();
        let (a, b) = (after.with_timezone(&Tz::UTC), before.with_timezone(&Tz::UTC));
        set.into_iter().skip_while(|d| *d < a).take_while(|d| *d < b).collect()
    }

    #[test]
    fn an_endless_secondly_rule_from_2000_costs_a_handful_of_steps() {
        let ev = master("DTSTART:20000101T000000Z\nDTEND:20000101T000001Z\nRRULE:FREQ=SECONDLY");
        let (from, to) = (utc(2026, 12, 5, 9, 0, 0), utc(2026, 12, 5, 9, 0, 10));
        let got = instances(&ev, from, to, BOUNDS).unwrap();
        assert_eq!(got.dates.len(), 10);
        assert_eq!(got.dates[0], from.with_timezone(&Tz::UTC));
        assert!(!got.truncated, "all ten seconds are there");
        assert!(got.steps <= 12, "jumped to the window, not 850 million steps: {}", got.steps);

        // Over a year the bound stops it, says so, and still shows it on
        // every day rather than only on the first.
        let year = instances(&ev, from, from + Duration::days(400), BOUNDS).unwrap();
        assert!(year.truncated);
        assert!(year.dates.len() <= BOUNDS.max_instances);
        let days: HashSet<_> = year.dates.iter().map(|d| d.date_naive()).collect();
        assert_eq!(days.len(), 400, "one or more on each of the 400 days");
        assert!(year.steps <= 5 * BOUNDS.max_instances as u64, "{}", year.steps);
    }

    #[test]
    fn an_every_second_series_starting_midweek_shows_on_each_later_day() {
        // What a week view asks for: Monday to Monday, the series from Wednesday.
        let ev = master("DTSTART:20261202T090000Z\nRRULE:FREQ=SECONDLY");
        let (from, to) = (utc(2026, 11, 30, 0, 0, 0), utc(2026, 12, 7, 0, 0, 0));
        let week = instances(&ev, from, to, BOUNDS).unwrap();
        assert!(week.truncated);
        let days: Vec<_> = week
            .dates
            .iter()
            .map(|d| d.date_naive().to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut days = days;
        days.sort();
        assert_eq!(days, ["2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
        assert_eq!(week.dates[0], utc(2026, 12, 2, 9, 0, 0).with_timezone(&Tz::UTC));
    }

    #[test]
    fn a_rule_that_cannot_be_jumped_keeps_the_first_instances() {
        // MONTHLY can't be jumped by a fixed period: no per-day spread.
        let ev = master(
            "DTSTART:20261201T090000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=1,2,3,4,5,6,7;BYHOUR=9,10;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,30",
        );
        let got = instances(&ev, utc(2026, 12, 1, 0, 0, 0), utc(2026, 12, 8, 0, 0, 0), BOUNDS).unwrap();
        assert!(got.truncated);
        assert_eq!(got.dates.len(), BOUNDS.max_instances);
        assert_eq!(got.dates[0], utc(2026, 12, 1, 9, 0, 0).with_timezone(&Tz::UTC));
    }

    #[test]
    fn a_zoned_secondly_rule_is_bounded_too() {
        // From the day before, so the reference (stepping) stays quick.
        let ev = master("DTSTART;TZID=Europe/Berlin:20260328T000000\nRRULE:FREQ=SECONDLY;INTERVAL=7");
        let from = utc(2026, 3, 29, 0, 59, 0); // just before the hour Berlin skips
        let got = instances(&ev, from, from + Duration::minutes(3), BOUNDS).unwrap();
        assert!(got.steps < 3 * 3600 / 7 + 100, "{}", got.steps);
        assert_eq!(got.dates, stepped(&ev, from, from + Duration::minutes(3)));
        assert!(!got.dates.is_empty());
    }

    #[test]
    fn a_count_of_two_billion_is_bounded_and_counts_what_it_skipped() {
        let ev = master("DTSTART:20000101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=2000000000");
        let from = utc(2026, 12, 5, 9, 0, 0);
        let got = instances(&ev, from, from + Duration::seconds(5), BOUNDS).unwrap();
        assert_eq!(got.dates.len(), 5);
        assert!(got.steps <= 6, "{}", got.steps);
        // The last of the 2·10⁹ seconds is 2063-05-18 03:33:19; none after.
        let last = utc(2000, 1, 1, 0, 0, 0) + Duration::seconds(2_000_000_000 - 1);
        let end = instances(&ev, last - Duration::seconds(2), last + Duration::days(1), BOUNDS).unwrap();
        assert_eq!(end.dates.last().map(|d| d.with_timezone(&Utc)), Some(last));
        assert_eq!(end.dates.len(), 3);
        assert!(!end.truncated);
        assert!(end.steps <= 4, "{}", end.steps);
    }

    #[test]
    fn a_small_count_ends_where_it_always_did() {
        let ev = master("DTSTART:20200101T100000Z\nRRULE:FREQ=DAILY;COUNT=10");
        let got = instances(&ev, utc(2020, 1, 5, 0, 0, 0), utc(2021, 1, 1, 0, 0, 0), BOUNDS).unwrap();
        let days: Vec<u32> = got.dates.iter().map(chrono::Datelike::day).collect();
        assert_eq!(days, vec![5, 6, 7, 8, 9, 10]);
        assert!(got.steps <= 7, "{}", got.steps);
        let gone = instances(&ev, utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0), BOUNDS).unwrap();
        assert!(gone.dates.is_empty() && !gone.truncated);
    }

    #[test]
    fn jumps_agree_with_stepping_for_ordinary_rules() {
        let (from, to) = (utc(2026, 3, 1, 0, 0, 0), utc(2026, 12, 1, 0, 0, 0));
        for body in [
            "DTSTART;TZID=Europe/Berlin:20100104T091500\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR\nEXDATE;TZID=Europe/Berlin:20260401T091500",
            "DTSTART;TZID=America/New_York:20150310T023000\nRRULE:FREQ=DAILY;INTERVAL=3",
            "DTSTART;TZID=Europe/London:20180101T013000\nRRULE:FREQ=HOURLY;INTERVAL=5;BYHOUR=1,11,21",
            "DTSTART:20190101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=97;UNTIL=20260301T100000Z",
            "DTSTART:20190101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=97;UNTIL=20260201T100000Z",
            "DTSTART:20100105T100000Z\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=900\nRDATE:20260505T120000Z",
            "DTSTART;VALUE=DATE:20000229\nRRULE:FREQ=DAILY;INTERVAL=11",
            "DTSTART;TZID=Australia/Lord_Howe:20120101T020000\nRRULE:FREQ=DAILY;COUNT=6000",
        ] {
            let ev = master(body);
            let got = instances(&ev, from, to, BOUNDS).unwrap();
            assert_eq!(got.dates, stepped(&ev, from, to), "{body}");
            assert!(!got.truncated, "{body}");
            assert!(got.steps < 1200, "{body}: {} steps", got.steps);
        }
    }

    #[test]
    fn rules_that_cannot_jump_are_stepped_within_the_bound() {
        // COUNT with BYxxx: the instances skipped can't be counted cheaply.
        let ev = master("DTSTART:20000101T000000Z\nRRULE:FREQ=MINUTELY;BYSECOND=0;COUNT=2000000000");
        let from = utc(2026, 12, 5, 9, 0, 0);
        // The step bound alone (a slow debug build must not stop on time first).
        let steps_only = Bounds { max_time: std::time::Duration::from_secs(3600), ..BOUNDS };
        let got = instances(&ev, from, from + Duration::days(1), steps_only).unwrap();
        assert!(got.truncated, "stopped by the bound, and says so");
        assert_eq!(got.steps, BOUNDS.max_steps);
        // An ordinary one still steps to the exact answer.
        let ev = master("DTSTART:20200106T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=2000");
        let got = instances(&ev, from, from + Duration::days(14), BOUNDS).unwrap();
        assert_eq!(got.dates, stepped(&ev, from, from + Duration::days(14)));
        assert_eq!(got.dates.len(), 4);
        assert!(!got.truncated);
    }

    #[test]
    fn a_rule_that_cannot_be_jumped_stops_at_the_time_bound_and_says_so() {
        // COUNT with BY-parts: no jump, and each instance tries ~86,400 seconds.
        let ev = master(
            "DTSTART:20000101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=2000000000;BYHOUR=0;BYMINUTE=0;BYSECOND=0",
        );
        let from = utc(2026, 12, 5, 0, 0, 0);
        let no_time = Bounds { max_time: std::time::Duration::ZERO, ..BOUNDS };
        let got = instances(&ev, from, from + Duration::days(30), no_time).unwrap();
        assert!(got.truncated, "out of time is said, not shown as an empty month");
        assert_eq!(got.steps, 0);
    }
}
