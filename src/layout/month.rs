//! The month grid: six weeks from the week holding the 1st, so every
//! month has the same height; each day with its events as chips in time
//! order and a "+N more" when they do not fit.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Weekday};

use super::{days_from, last_date, midnight, wall, week_of};
use crate::ical::occurrence::Occurrence;

/// Weeks in the grid: enough for any month (a 31-day month starting on
/// the last weekday spans six).
pub const WEEKS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `WEEKS * 7` days, week by week.
    pub days: Vec<MonthDay>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthDay {
    pub date: NaiveDate,
    /// A day of the month before or after, set apart.
    pub other_month: bool,
    pub weekend: bool,
    /// The chips that fit, in order: all-day first, then by start time.
    pub chips: Vec<Chip>,
    /// Events left out for want of room: the "+N more" that opens the day.
    pub more: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chip {
    /// The event's index in the occurrences given.
    pub index: usize,
    /// The wall-clock start on this day; `None` for all-day events and
    /// for days a longer event runs through from an earlier day.
    pub time: Option<NaiveTime>,
}

/// The grid of `year`-`month` in `tz`, weeks starting on `week_start`.
/// A day shows at most `fits` lines: when more events fall on it, the last
/// line becomes "+N more" and `fits - 1` chips show.
pub fn month<Tz: TimeZone>(
    occurrences: &[Occurrence],
    year: i32,
    month: u32,
    week_start: Weekday,
    fits: usize,
    tz: &Tz,
) -> Option<Month> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let walls: Vec<_> = occurrences.iter().map(|o| wall(o, tz)).collect();
    let days = days_from(week_of(first, week_start), WEEKS * 7)
        .map(|date| {
            // (all-day or carried over, start time, index): the chip order.
            let mut on: Vec<(bool, NaiveTime, usize)> = walls
                .iter()
                .enumerate()
                .filter(|(_, (start, end))| start.date() <= date && last_date(*start, *end) >= date)
                .map(|(index, (start, _))| {
                    let timed_here = !occurrences[index].all_day && start.date() == date;
                    (!timed_here, if timed_here { start.time() } else { midnight(date).time() }, index)
                })
                .collect();
            on.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let shown = if on.len() > fits { fits.saturating_sub(1) } else { on.len() };
            let chips = on[..shown]
                .iter()
                .map(|&(whole_day, time, index)| Chip { index, time: (!whole_day).then_some(time) })
                .collect();
            MonthDay {
                date,
                other_month: date.month() != month,
                weekend: matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                chips,
                more: on.len() - shown,
            }
        })
        .collect();
    Some(Month { days })
}

#[cfg(test)]
mod tests;
