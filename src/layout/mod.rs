//! Where a calendar view puts its events, as plain data: the day and week
//! grid (timed boxes in overlap columns, the all-day row) and the month
//! grid (chips per day, "+N more"). Pure functions of the occurrences, the
//! days shown and a time zone, so they are table-tested here and the iced
//! views only draw what they are given.
//!
//! Positions are wall-clock minutes of the day (0 ..= 1440), as GNOME
//! Calendar does: the hour labels down the side hold for every column of a
//! week, and an event at 09:00 lines up with 09:00 on every day. A day
//! whose clocks change says so in [`day::Day::shift`] (the skipped or the
//! repeated hour) and [`day::Day::real_minutes`] (23 or 25 hours).

pub mod allday;
pub mod columns;
pub mod day;
pub mod drag;
pub mod month;
#[cfg(test)]
mod testing;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Weekday};

use crate::ical::occurrence::Occurrence;

/// Minutes in a wall-clock day: the height of a day column.
pub const DAY_MINUTES: u32 = 24 * 60;

/// The first day of the week holding `day`, for weeks that begin on `start`.
pub fn week_of(day: NaiveDate, start: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - start.num_days_from_monday()) % 7;
    day - Duration::days(i64::from(back))
}

/// `count` days from `first`.
pub fn days_from(first: NaiveDate, count: usize) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take(count)
}

/// An occurrence's start and end as wall-clock times in `tz`.
///
/// All-day events keep the dates they were written with: `ical::time`
/// made them local midnights, so their local dates are the DATE values
/// whatever zone the view is in. A timed event whose end reads earlier
/// than its start (it lies in an hour the clocks repeat) keeps its real
/// length, so it is never folded to nothing.
pub(crate) fn wall<Tz: TimeZone>(o: &Occurrence, tz: &Tz) -> (NaiveDateTime, NaiveDateTime) {
    if o.all_day {
        let start = o.start.date_naive();
        let end = o.end.date_naive().max(start + Duration::days(1));
        return (midnight(start), midnight(end));
    }
    let start = o.start.with_timezone(tz).naive_local();
    let end = o.end.with_timezone(tz).naive_local();
    let elapsed = (o.end - o.start).max(Duration::zero());
    (start, if end < start { start + elapsed } else { end })
}

/// The occurrences shown in the all-day row rather than the hour grid:
/// all-day events and timed ones of a day or more. Overnight events
/// shorter than a day stay in the grid, split at midnight.
pub fn in_all_day_row(o: &Occurrence) -> bool {
    o.all_day || o.end - o.start >= Duration::days(1)
}

pub(crate) fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// The last date an event `[start, end)` covers: an end at midnight
/// belongs to the day before, a zero-length event to its own day.
pub(crate) fn last_date(start: NaiveDateTime, end: NaiveDateTime) -> NaiveDate {
    if end > start && end == midnight(end.date()) { end.date() - Duration::days(1) } else { end.date() }
}
