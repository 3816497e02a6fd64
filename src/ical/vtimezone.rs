//! The VTIMEZONE a TZID needs (RFC 5545 §3.6.5), from the tz database:
//! the zone's two yearly transitions around `year` as rules ("the last
//! Sunday of March"), or one STANDARD observance for a zone without
//! daylight saving time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One change of offset: when (on the clock before it), from, to, and the
/// new abbreviation; `daylight` when the new offset includes DST.
struct Transition {
    local: NaiveDateTime,
    from: i32,
    to: i32,
    name: String,
    daylight: bool,
}

fn offset_at(tz: Tz, t: NaiveDateTime) -> (i32, String, bool) {
    let o = tz.offset_from_utc_datetime(&t);
    (o.fix().local_minus_utc(), o.abbreviation().unwrap_or_default().to_owned(), !o.dst_offset().is_zero())
}

/// The transitions in `year`, found day by day then narrowed to the second.
fn transitions(tz: Tz, year: i32) -> Vec<Transition> {
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut t = first;
    let mut before = offset_at(tz, t).0;
    for _ in 0..366 {
        let next = t + Duration::days(1);
        if offset_at(tz, next).0 != before {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid).0 == before { lo = mid } else { hi = mid }
            }
            let (to, name, daylight) = offset_at(tz, hi);
            out.push(Transition {
                local: hi + Duration::seconds(i64::from(before)),
                from: before,
                to,
                name,
                daylight,
            });
            before = to;
        }
        t = next;
    }
    out
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
}

fn day_code(d: Weekday) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d.num_days_from_monday() as usize]
}

/// "BYMONTH=3;BYDAY=-1SU" for the weekday-in-month the transition falls on.
fn rule(local: NaiveDateTime) -> String {
    let d = local.date();
    let last_week = (d + Duration::days(7)).month() != d.month();
    let nth = if last_week { "-1".to_owned() } else { ((d.day() - 1) / 7 + 1).to_string() };
    format!("FREQ=YEARLY;BYMONTH={};BYDAY={nth}{}", d.month(), day_code(d.weekday()))
}

/// The VTIMEZONE block (CRLF lines) for `zone` (an IANA name), or an empty
/// string for a name the tz database doesn't know.
pub fn render(zone: &str, year: i32) -> String {
    let Ok(tz) = zone.parse::<Tz>() else { return String::new() };
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n");
    let found = transitions(tz, year);
    if found.is_empty() {
        let noon =
            NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(12, 0, 0)).unwrap_or_default();
        let (offset, name, _) = offset_at(tz, noon);
        let o = offset_text(offset);
        out.push_str(&format!(
            "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{o}\r\nTZOFFSETTO:{o}\r\nTZNAME:{name}\r\nEND:STANDARD\r\n"
        ));
    }
    for t in found {
        let kind = if t.daylight { "DAYLIGHT" } else { "STANDARD" };
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nRRULE:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{}\r\nEND:{kind}\r\n",
            t.local.format("%Y%m%dT%H%M%S"),
            rule(t.local),
            offset_text(t.from),
            offset_text(t.to),
            t.name,
        ));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_its_two_sunday_rules() {
        let text = render("Europe/Berlin", 2030);
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20300331T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
        ), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20301027T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"), "{text}");
        let ny = render("America/New_York", 2030);
        assert!(ny.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"), "{ny}");
        assert!(ny.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"), "{ny}");
    }

    #[test]
    fn a_zone_without_dst_has_one_observance() {
        let text = render("Asia/Kolkata", 2030);
        assert!(text.contains("TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530"), "{text}");
        assert_eq!(render("Nowhere/Land", 2030), "");
    }
}
