//! The hour grid of a day or a week: each timed event as a box on every
//! day it touches, placed by wall-clock minutes, in overlap columns; the
//! day's clock change, if any; where the current-time line goes.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

use super::allday::{self, Spanning};
use super::columns::{self, Column};
use super::{DAY_MINUTES, days_from, in_all_day_row, midnight, wall};
use crate::ical::occurrence::Occurrence;

/// The shortest box drawn, in minutes: a zero-length event (a deadline, a
/// reminder) must still show and take a click.
pub const MIN_MINUTES: u32 = 15;

/// One day or a week: the columns of the grid and the all-day row above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub days: Vec<Day>,
    /// The all-day row: all-day and day-long events, in lanes.
    pub spanning: Vec<Spanning>,
    /// How many lanes the all-day row has (its height).
    pub lanes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub boxes: Vec<TimedBox>,
    /// Where the clocks change on this day, if they do.
    pub shift: Option<Shift>,
    /// The day's real length: 1440, or 1380 and 1500 on a DST change day.
    pub real_minutes: u32,
}

/// One timed event's box on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedBox {
    /// The event's index in the occurrences given.
    pub index: usize,
    /// Wall-clock minutes from the day's midnight; `bottom - top` is at
    /// least [`MIN_MINUTES`].
    pub top: u32,
    pub bottom: u32,
    pub column: Column,
    /// It began on an earlier day (drawn without a top edge).
    pub continued: bool,
    /// It ends on a later day.
    pub continues: bool,
}

/// A clock change: wall-clock minutes `[from, to)` of the day that do not
/// exist (the clocks skip forward) or happen twice (they fall back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub from: u32,
    pub to: u32,
    pub repeated: bool,
}

impl TimedBox {
    /// Top and height as fractions of the day column (0..=1).
    pub fn fractions(&self) -> (f32, f32) {
        let day = DAY_MINUTES as f32;
        (self.top as f32 / day, (self.bottom - self.top) as f32 / day)
    }
}

/// The grid for `count` days from `first` in zone `tz`. Boxes and lanes
/// name occurrences by their index in `occurrences`.
pub fn grid<Tz: TimeZone>(occurrences: &[Occurrence], first: NaiveDate, count: usize, tz: &Tz) -> Grid {
    let (spanning, lanes) = allday::lanes(occurrences, first, count, tz);
    let days = days_from(first, count)
        .map(|date| {
            let pieces: Vec<Piece> = occurrences
                .iter()
                .enumerate()
                .filter(|(_, o)| !in_all_day_row(o))
                .filter_map(|(index, o)| piece(index, wall(o, tz), date))
                .collect();
            let spans: Vec<(u32, u32)> = pieces.iter().map(|p| (p.top, p.bottom)).collect();
            let boxes = pieces
                .iter()
                .zip(columns::assign(&spans))
                .map(|(p, column)| TimedBox {
                    index: p.index,
                    top: p.top,
                    bottom: p.bottom,
                    column,
                    continued: p.continued,
                    continues: p.continues,
                })
                .collect();
            let shift = shift(date, tz);
            let real_minutes = match shift {
                Some(s) if s.repeated => DAY_MINUTES + (s.to - s.from),
                Some(s) => DAY_MINUTES - (s.to - s.from),
                None => DAY_MINUTES,
            };
            Day { date, boxes, shift, real_minutes }
        })
        .collect();
    Grid { days, spanning, lanes }
}

struct Piece {
    index: usize,
    top: u32,
    bottom: u32,
    continued: bool,
    continues: bool,
}

/// The part of `[start, end)` on `date`, stretched to [`MIN_MINUTES`]
/// (upwards where it would run past midnight).
fn piece(index: usize, (start, end): (NaiveDateTime, NaiveDateTime), date: NaiveDate) -> Option<Piece> {
    let (day_start, day_end) = (midnight(date), midnight(date + Duration::days(1)));
    let zero_length_here = start == end && start.date() == date;
    if !(zero_length_here || start < day_end && end > day_start) {
        return None;
    }
    let minutes = |t: NaiveDateTime| (t - day_start).num_minutes().clamp(0, i64::from(DAY_MINUTES)) as u32;
    let (mut top, mut bottom) = (minutes(start), minutes(end));
    if bottom < top + MIN_MINUTES {
        bottom = (top + MIN_MINUTES).min(DAY_MINUTES);
        top = bottom - MIN_MINUTES;
    }
    Some(Piece { index, top, bottom, continued: start < day_start, continues: end > day_end })
}

/// The clock change on `date` in `tz`: found by halving the day until the
/// minute where the UTC offset changes.
pub fn shift<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> Option<Shift> {
    let offset = |t: DateTime<Utc>| (t.with_timezone(tz).naive_local() - t.naive_utc()).num_minutes();
    // From the minute before the day, so a change at midnight itself counts.
    let mut lo = first_instant(date, tz)? - Duration::minutes(1);
    let mut hi = first_instant(date + Duration::days(1), tz)? - Duration::minutes(1);
    let (before, after) = (offset(lo), offset(hi));
    if before == after {
        return None;
    }
    // Clocks change on a whole minute: `hi` ends as the first at the new offset.
    while hi - lo > Duration::minutes(1) {
        let mid = lo + (hi - lo) / 2;
        if offset(mid) == before { lo = mid } else { hi = mid }
    }
    let wall_at = |offset: i64| {
        let t = hi.naive_utc() + Duration::minutes(offset) - midnight(date);
        t.num_minutes().clamp(0, i64::from(DAY_MINUTES)) as u32
    };
    let (old, new) = (wall_at(before), wall_at(after));
    Some(Shift { from: old.min(new), to: old.max(new), repeated: new < old })
}

/// The first instant of `date` in `tz`, also where its midnight is skipped.
fn first_instant<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> Option<DateTime<Utc>> {
    let m = midnight(date);
    let at = tz.from_local_datetime(&m).earliest().map(|t| t.with_timezone(&Utc));
    // Skipped: the minute after the day before's last one.
    at.or_else(|| {
        let before = tz.from_local_datetime(&(m - Duration::minutes(1))).latest()?;
        Some(before.with_timezone(&Utc) + Duration::minutes(1))
    })
}

/// Where the current-time line goes on `date`: wall-clock minutes from
/// midnight, or `None` when `now` is another day.
pub fn now_line<Tz: TimeZone>(now: &DateTime<Tz>, date: NaiveDate) -> Option<u32> {
    let wall = now.naive_local();
    (wall.date() == date).then(|| wall.hour() * 60 + wall.minute())
}

#[cfg(test)]
mod tests;
