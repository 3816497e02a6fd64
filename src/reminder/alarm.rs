//! One event's VALARMs as the scheduler needs them: what rings (DISPLAY,
//! and AUDIO shown the same way), when (RFC 5545 §3.8.6.3 TRIGGER), and how
//! often (REPEAT/DURATION). EMAIL and PROCEDURE alarms are not ours to run.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::ical::event::When;
use crate::ical::lines::{Component, Line};
use crate::ical::time::to_local;

/// A signed trigger offset. Weeks and days are nominal (RFC 5545 §3.3.6):
/// "-P1D" before 09:00 is 09:00 the day before, even across a DST change;
/// hours, minutes and seconds are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    pub days: i64,
    pub exact: Duration,
}

impl Offset {
    /// "-PT15M", "P1D", "+PT0S", "-P1DT2H"; None for anything else.
    pub fn parse(text: &str) -> Option<Offset> {
        let t = text.trim();
        let (sign, rest) = match t.strip_prefix('-') {
            Some(r) => (-1, r),
            None => (1, t.trim_start_matches('+')),
        };
        let rest = rest.strip_prefix('P')?;
        let (mut days, mut exact, mut number, mut in_time) = (0i64, Duration::zero(), String::new(), false);
        for c in rest.chars() {
            match c {
                'T' => in_time = true,
                '0'..='9' => number.push(c),
                unit => {
                    let n: i64 = std::mem::take(&mut number).parse().ok()?;
                    match (unit, in_time) {
                        ('W', false) => days = days.checked_add(n.checked_mul(7)?)?,
                        ('D', false) => days = days.checked_add(n)?,
                        ('H', true) => exact = exact.checked_add(&Duration::try_hours(n)?)?,
                        ('M', true) => exact = exact.checked_add(&Duration::try_minutes(n)?)?,
                        ('S', true) => exact = exact.checked_add(&Duration::try_seconds(n)?)?,
                        _ => return None,
                    }
                }
            }
        }
        if !number.is_empty() || days.abs() > 100_000 {
            return None;
        }
        Some(Offset { days: sign * days, exact: if sign < 0 { -exact } else { exact } })
    }

    /// `at` moved by this offset, the days counted on the wall clock of
    /// `zone` (the person's). A day landing in a DST gap moves by 24 hours.
    pub fn apply<Z: TimeZone>(&self, at: DateTime<Utc>, zone: &Z) -> Option<DateTime<Utc>> {
        let by_days = if self.days == 0 {
            at
        } else {
            let wall =
                at.with_timezone(zone).naive_local().checked_add_signed(Duration::try_days(self.days)?)?;
            match zone.from_local_datetime(&wall).earliest() {
                Some(t) => t.with_timezone(&Utc),
                None => at.checked_add_signed(Duration::try_days(self.days)?)?,
            }
        };
        by_days.checked_add_signed(self.exact)
    }

    /// The largest shift, either way, for the window to expand events in.
    pub fn reach(&self) -> Duration {
        Duration::days(self.days.abs() + 1) + self.exact.abs()
    }
}

/// When an alarm's first ring is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// From the occurrence's start, or end with RELATED=END.
    Relative { offset: Offset, from_end: bool },
    /// VALUE=DATE-TIME: once, whatever the occurrence.
    Absolute(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// The VALARM's UID when it has one (RFC 9074), else its position: what
    /// a dismissal is remembered by.
    pub id: String,
    pub trigger: Trigger,
    /// REPEAT further rings, DURATION apart.
    pub repeat: u32,
    pub every: Duration,
    /// RFC 9074 ACKNOWLEDGED, as another client may have written it.
    pub acknowledged: Option<DateTime<Utc>>,
    pub description: Option<String>,
}

/// The alarms of one VEVENT that Convene rings, in the order written.
pub fn alarms(ev: &Component) -> Vec<Alarm> {
    ev.children().filter(|c| c.name == "VALARM").enumerate().filter_map(|(i, a)| read(a, i)).collect()
}

fn read(a: &Component, index: usize) -> Option<Alarm> {
    let action = a.prop("ACTION")?.value.trim().to_ascii_uppercase();
    if action != "DISPLAY" && action != "AUDIO" {
        return None;
    }
    let line = a.prop("TRIGGER")?;
    let trigger = if line.param("VALUE").is_some_and(|v| v.value().eq_ignore_ascii_case("DATE-TIME")) {
        Trigger::Absolute(utc(line)?)
    } else {
        let from_end = line.param("RELATED").is_some_and(|r| r.value().eq_ignore_ascii_case("END"));
        Trigger::Relative { offset: Offset::parse(&line.value)?, from_end }
    };
    // REPEAT without a DURATION (or the reverse) is invalid: ring once.
    let every = a.prop("DURATION").and_then(|d| Offset::parse(&d.value)).filter(|o| o.days >= 0);
    let every = every.map(|o| Duration::days(o.days) + o.exact).filter(|d| *d > Duration::zero());
    let repeat = match every {
        Some(_) => a.prop("REPEAT").and_then(|r| r.value.trim().parse::<u32>().ok()).unwrap_or(0).min(100),
        None => 0,
    };
    Some(Alarm {
        id: a.prop("UID").map(|u| u.value.trim().to_owned()).unwrap_or_else(|| format!("#{index}")),
        trigger,
        repeat,
        every: every.unwrap_or_else(Duration::zero),
        acknowledged: a.prop("ACKNOWLEDGED").and_then(utc),
        description: a.prop("DESCRIPTION").map(|d| crate::ical::event::unescape(&d.value)),
    })
}

fn utc(line: &Line) -> Option<DateTime<Utc>> {
    to_local(&When::from_line(line)).map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_with_sign_and_nominal_days() {
        let o = Offset::parse("-PT15M").unwrap();
        assert_eq!((o.days, o.exact), (0, Duration::minutes(-15)));
        let o = Offset::parse("-P1DT2H").unwrap();
        assert_eq!((o.days, o.exact), (-1, Duration::hours(-2)));
        let o = Offset::parse("+P1W").unwrap();
        assert_eq!((o.days, o.exact), (7, Duration::zero()));
        assert_eq!(Offset::parse("PT5").map(|o| o.days), None, "a number without a unit");
        assert_eq!(Offset::parse("15M"), None);
        assert_eq!(Offset::parse("-P99999999999999W"), None, "hostile values: None, no panic");
    }

    #[test]
    fn a_nominal_day_before_a_dst_change_keeps_the_wall_clock() {
        use chrono_tz::Europe::Berlin;
        // Sunday 2030-03-31 09:00 CEST is 07:00Z; Saturday 09:00 CET is 08:00Z.
        let sunday = Utc.with_ymd_and_hms(2030, 3, 31, 7, 0, 0).unwrap();
        let day_before = Offset::parse("-P1D").unwrap().apply(sunday, &Berlin).unwrap();
        assert_eq!(day_before, Utc.with_ymd_and_hms(2030, 3, 30, 8, 0, 0).unwrap());
        let hours_before = Offset::parse("-PT24H").unwrap().apply(sunday, &Berlin).unwrap();
        assert_eq!(hours_before, Utc.with_ymd_and_hms(2030, 3, 30, 7, 0, 0).unwrap());
    }
}
