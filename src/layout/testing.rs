//! Occurrences for the layout tests, written in a fixed zone so the tests
//! do not depend on the machine's.

use chrono::{Local, NaiveDate, TimeZone};
use chrono_tz::Europe::Berlin;

use crate::ical::occurrence::Occurrence;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// A timed event from `(y, m, d, h, min)` to another, Berlin wall clock.
/// Ambiguous times (the repeated hour) take the first, summer one.
pub fn timed(name: &str, from: (i32, u32, u32, u32, u32), to: (i32, u32, u32, u32, u32)) -> Occurrence {
    let at = |(y, m, d, h, min): (i32, u32, u32, u32, u32)| {
        Berlin.with_ymd_and_hms(y, m, d, h, min, 0).earliest().expect("a Berlin time").with_timezone(&Local)
    };
    occurrence(name, at(from), at(to), false)
}

/// An all-day event over `days` days from `first`, as `ical::time` makes
/// one: local midnights.
pub fn all_day(name: &str, first: NaiveDate, days: u64) -> Occurrence {
    let at =
        |d: NaiveDate| Local.from_local_datetime(&super::midnight(d)).earliest().expect("a local midnight");
    occurrence(name, at(first), at(first + chrono::Days::new(days)), true)
}

pub fn occurrence(
    name: &str,
    start: chrono::DateTime<Local>,
    end: chrono::DateTime<Local>,
    all_day: bool,
) -> Occurrence {
    Occurrence {
        uid: name.to_owned(),
        summary: name.to_owned(),
        start,
        end,
        all_day,
        location: None,
        recurrence_id: None,
        cancelled: false,
    }
}
