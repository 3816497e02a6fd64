//! The all-day row above the hour grid: all-day and day-long events as
//! bars across the days they cover, each in the first lane free for all
//! of them, so no two bars overlap.

use chrono::{NaiveDate, TimeZone};

use super::{in_all_day_row, last_date, wall};
use crate::ical::occurrence::Occurrence;

/// One bar of the all-day row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spanning {
    /// The event's index in the occurrences given.
    pub index: usize,
    pub lane: usize,
    /// The first and last day it covers, as indexes into the days shown.
    pub first: usize,
    pub last: usize,
    /// It began before the first day shown (drawn with an open end).
    pub continued: bool,
    /// It ends after the last day shown.
    pub continues: bool,
}

/// The bars of the all-day row for `count` days from `first`, and how
/// many lanes they need.
pub fn lanes<Tz: TimeZone>(
    occurrences: &[Occurrence],
    first: NaiveDate,
    count: usize,
    tz: &Tz,
) -> (Vec<Spanning>, usize) {
    let days = chrono::Days::new(count.saturating_sub(1) as u64);
    let Some(last_shown) = first.checked_add_days(days).filter(|_| count > 0) else {
        return (Vec::new(), 0);
    };
    let mut bars: Vec<(NaiveDate, NaiveDate, usize)> = occurrences
        .iter()
        .enumerate()
        .filter(|(_, o)| in_all_day_row(o))
        .map(|(index, o)| {
            let (start, end) = wall(o, tz);
            (start.date(), last_date(start, end), index)
        })
        .filter(|&(from, to, _)| from <= last_shown && to >= first)
        .collect();
    // Earlier first, then longer, so long bars keep the top lanes.
    bars.sort_by_key(|&(from, to, index)| (from, std::cmp::Reverse(to), index));
    // The last day taken in each lane.
    let mut taken: Vec<NaiveDate> = Vec::new();
    let out = bars
        .into_iter()
        .map(|(from, to, index)| {
            let lane = match taken.iter().position(|&end| end < from) {
                Some(free) => {
                    taken[free] = to;
                    free
                }
                None => {
                    taken.push(to);
                    taken.len() - 1
                }
            };
            let at =
                |d: NaiveDate| d.clamp(first, last_shown).signed_duration_since(first).num_days() as usize;
            Spanning {
                index,
                lane,
                first: at(from),
                last: at(to),
                continued: from < first,
                continues: to > last_shown,
            }
        })
        .collect();
    (out, taken.len())
}
