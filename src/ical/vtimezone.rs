//! VTIMEZONEs built from the time-zone database (chrono-tz): the zone's
//! state at the start of the range, each transition in it, and yearly rules
//! ("the last Sunday of March") from the last year on, so repetitions
//! beyond the range stay right. New events (`build`) and imports of files
//! that name a zone without defining it (`import::source::zones`) use it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The VTIMEZONE block (CRLF lines) for `zone` (an IANA name) around
/// `year`, or an empty string for a name the database doesn't know.
pub fn render(zone: &str, year: i32) -> String {
    zone.parse::<Tz>().map(|tz| build(tz, year, year)).unwrap_or_default()
}

/// An offset from UTC and whether it is daylight time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    offset: i32,
    dst: bool,
    name: String,
}

fn state(tz: Tz, at: DateTime<Utc>) -> State {
    let o = tz.offset_from_utc_datetime(&at.naive_utc());
    State {
        offset: o.fix().local_minus_utc(),
        dst: o.dst_offset() != Duration::zero(),
        name: o.abbreviation().unwrap_or_default().to_owned(),
    }
}

#[derive(Debug)]
struct Transition {
    /// Local wall time just before the change (what DTSTART holds).
    local: NaiveDateTime,
    from: i32,
    to: State,
}

/// Every change of offset or DST flag from `first` to the end of `last`,
/// found a day at a time and then to the second.
fn transitions(tz: Tz, first: i32, last: i32) -> Vec<Transition> {
    let same = |a: &State, b: &State| a.offset == b.offset && a.dst == b.dst;
    let (Some(mut t), Some(end)) = (year_start(first), year_start(last + 1)) else { return Vec::new() };
    let mut before = state(tz, t);
    let mut out = Vec::new();
    while t < end {
        let next = t + Duration::days(1);
        let after = state(tz, next);
        if !same(&before, &after) {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if same(&state(tz, mid), &before) { lo = mid } else { hi = mid }
            }
            let to = state(tz, hi);
            out.push(Transition {
                local: (hi + Duration::seconds(i64::from(before.offset))).naive_utc(),
                from: before.offset,
                to,
            });
        }
        before = after;
        t = next;
    }
    out
}

fn year_start(year: i32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single()
}

/// "The 2nd Sunday of March" (n 1..=4) or "the last Sunday" (n = -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    month: u32,
    weekday: Weekday,
    n: i32,
}

impl Rule {
    fn candidates(date: NaiveDate) -> Vec<Rule> {
        let (month, weekday) = (date.month(), date.weekday());
        let nth = (date.day() as i32 - 1) / 7 + 1;
        let mut out = Vec::new();
        // "Last" first: the 4th Sunday is often also the last, and the
        // rules that say "last" are the common ones.
        if date.checked_add_signed(Duration::days(7)).is_none_or(|d| d.month() != month) {
            out.push(Rule { month, weekday, n: -1 });
        }
        if nth <= 4 {
            out.push(Rule { month, weekday, n: nth });
        }
        out
    }

    fn date_in(self, year: i32) -> Option<NaiveDate> {
        if self.n > 0 {
            NaiveDate::from_weekday_of_month_opt(year, self.month, self.weekday, self.n as u8)
        } else {
            let next = if self.month == 12 { (year + 1, 1) } else { (year, self.month + 1) };
            let mut d = NaiveDate::from_ymd_opt(next.0, next.1, 1)?.pred_opt()?;
            while d.weekday() != self.weekday {
                d = d.pred_opt()?;
            }
            Some(d)
        }
    }

    fn rrule(self) -> String {
        let day = super::build::day_code(self.weekday);
        format!("RRULE:FREQ=YEARLY;BYMONTH={};BYDAY={}{day}\r\n", self.month, self.n)
    }
}

/// A rule per transition of `last`, if the years around it (eight after,
/// enough to meet a fifth Sunday) all follow them.
fn yearly_rules(tz: Tz, last: i32) -> Option<Vec<Rule>> {
    let ts = transitions(tz, last - 2, last + 8);
    let in_year = |y: i32| ts.iter().filter(|t| t.local.year() == y).collect::<Vec<_>>();
    let this = in_year(last);
    if this.is_empty() || this.len() > 2 {
        return None;
    }
    let years: Vec<Vec<&Transition>> = (last - 2..=last + 7).map(in_year).collect();
    if years.iter().any(|y| y.len() != this.len()) {
        return None;
    }
    this.iter()
        .enumerate()
        .map(|(k, t)| {
            Rule::candidates(t.local.date()).into_iter().find(|rule| {
                years.iter().all(|y| {
                    let o = y[k];
                    Some(o.local.date()) == rule.date_in(o.local.year())
                        && o.local.time() == t.local.time()
                        && o.from == t.from
                        && o.to == t.to
                })
            })
        })
        .collect()
}

fn offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{s:02}") }
}

fn observance(out: &mut String, from: i32, to: &State, local: NaiveDateTime, rule: Option<Rule>) {
    let kind = if to.dst { "DAYLIGHT" } else { "STANDARD" };
    out.push_str(&format!("BEGIN:{kind}\r\nDTSTART:{}\r\n", local.format("%Y%m%dT%H%M%S")));
    out.push_str(&format!("TZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n", offset(from), offset(to.offset)));
    if !to.name.is_empty() {
        out.push_str(&format!("TZNAME:{}\r\n", to.name));
    }
    if let Some(rule) = rule {
        out.push_str(&rule.rrule());
    }
    out.push_str(&format!("END:{kind}\r\n"));
}

/// The zone as the range `first..=last` sees it: its state on 1 January of
/// `first`, then each transition (the last year's with a yearly rule, so
/// later repetitions stay right).
pub fn build(tz: Tz, first: i32, last: i32) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let start = year_start(first).unwrap_or_default();
    let s0 = state(tz, start);
    observance(&mut out, s0.offset, &s0, (start + Duration::seconds(i64::from(s0.offset))).naive_utc(), None);
    let ts = transitions(tz, first, last);
    let rules = yearly_rules(tz, last);
    let mut k = 0;
    for t in &ts {
        let rule = match &rules {
            Some(r) if t.local.year() == last => {
                k += 1;
                r.get(k - 1).copied()
            }
            _ => None,
        };
        observance(&mut out, t.from, &t.to, t.local, rule);
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_gets_its_summer_time_rules_and_a_fixed_zone_one_observance() {
        let berlin = build(Tz::Europe__Berlin, 2029, 2031);
        assert!(berlin.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:20290101T010000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"), "{berlin}");
        assert!(berlin.contains("BEGIN:DAYLIGHT\r\nDTSTART:20300331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT"), "{berlin}");
        assert!(berlin.contains("DTSTART:20311026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"), "{berlin}");
        assert!(berlin.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), "{berlin}");
        let new_york = build(Tz::America__New_York, 2030, 2032);
        assert!(new_york.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"), "{new_york}");
        assert!(new_york.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"), "{new_york}");
        let tokyo = build(Tz::Asia__Tokyo, 2030, 2032);
        assert_eq!(tokyo.matches("BEGIN:STANDARD").count(), 1, "{tokyo}");
        assert!(tokyo.contains("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"), "{tokyo}");
        // What Convene builds, its own reader parses.
        crate::ical::Document::parse(&format!("BEGIN:VCALENDAR\r\n{berlin}END:VCALENDAR\r\n")).unwrap();
    }

    #[test]
    fn an_unknown_zone_renders_nothing() {
        assert!(render("Europe/Berlin", 2030).contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
        assert_eq!(render("Nowhere/Land", 2030), "");
    }
}
