//! Dragging on the hour grid, as plain numbers: where the pointer is
//! (a day and a wall-clock minute, snapped to [`SNAP`] minutes), and where
//! a drag puts an event: a new one over the range swept, an existing one
//! moved by the distance dragged, or made longer or shorter by its bottom
//! edge. The iced views only report the pointer and draw the result.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::{DAY_MINUTES, midnight};

/// Drags snap to quarter hours, as GNOME Calendar and Outlook do.
pub const SNAP: u32 = 15;

/// What a drag does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gesture {
    /// Sweeps out a new event on empty grid.
    Create,
    /// Moves an event that runs `[start, end)`.
    Move { start: NaiveDateTime, end: NaiveDateTime },
    /// Drags the bottom edge of an event that runs `[start, end)`.
    Resize { start: NaiveDateTime, end: NaiveDateTime },
}

/// The wall-clock minute `y` pixels down a day column of `hour` pixels an
/// hour, rounded down to its slot and kept inside the day.
pub fn minute_at(y: f32, hour: f32) -> u32 {
    let minutes = (y.max(0.0) / hour * 60.0) as u32;
    (minutes / SNAP * SNAP).min(DAY_MINUTES - SNAP)
}

/// The start of the slot at `minute` on `day`.
pub fn at(day: NaiveDate, minute: u32) -> NaiveDateTime {
    midnight(day) + Duration::minutes(i64::from(minute))
}

/// Where the event goes when the pointer went down in the slot starting
/// at `from` and is now in the slot starting at `to`; `None` while the
/// drag has not left its first slot (a click, not a drag).
pub fn outcome(
    gesture: Gesture,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    if from == to {
        return None;
    }
    let slot = Duration::minutes(i64::from(SNAP));
    match gesture {
        // The slots swept, both ends included, on the day the drag began.
        Gesture::Create => {
            let to = midnight(from.date()) + (to - midnight(to.date()));
            Some((from.min(to), from.max(to) + slot))
        }
        Gesture::Move { start, end } => Some((start + (to - from), end + (to - from))),
        // The end follows the pointer's slot; at least one slot long.
        Gesture::Resize { start, end } => {
            let end = (end + (to - from)).max(start + slot);
            Some((start, end))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Gesture::Create;
    use super::*;

    fn t(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2030, 6, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_pointer_snaps_down_to_its_quarter_hour_inside_the_day() {
        let hour = 48.0;
        assert_eq!(minute_at(0.0, hour), 0);
        assert_eq!(minute_at(9.0 * hour + 11.0, hour), 9 * 60, "09:13 is in the 09:00 slot");
        assert_eq!(minute_at(9.0 * hour + 12.0, hour), 9 * 60 + 15);
        assert_eq!(minute_at(-5.0, hour), 0, "above the grid");
        assert_eq!(minute_at(25.0 * hour, hour), 23 * 60 + 45, "below it: the last slot");
    }

    #[test]
    fn sweeping_creates_the_slots_swept_either_way() {
        assert_eq!(outcome(Create, t(4, 9, 0), t(4, 10, 15)), Some((t(4, 9, 0), t(4, 10, 30))));
        assert_eq!(outcome(Create, t(4, 10, 15), t(4, 9, 0)), Some((t(4, 9, 0), t(4, 10, 30))), "upwards");
        assert_eq!(outcome(Create, t(4, 9, 0), t(4, 9, 0)), None, "a click creates nothing");
        assert_eq!(
            outcome(Create, t(4, 9, 0), t(5, 11, 0)),
            Some((t(4, 9, 0), t(4, 11, 15))),
            "into the next day's column: the times, on the first day"
        );
        assert_eq!(
            outcome(Create, t(4, 23, 0), t(4, 23, 45)),
            Some((t(4, 23, 0), t(5, 0, 0))),
            "to midnight"
        );
    }

    #[test]
    fn moving_keeps_the_length_and_the_minutes_off_the_grid() {
        let grab = Gesture::Move { start: t(4, 9, 5), end: t(4, 9, 50) };
        assert_eq!(outcome(grab, t(4, 9, 0), t(4, 11, 30)), Some((t(4, 11, 35), t(4, 12, 20))));
        assert_eq!(outcome(grab, t(4, 9, 15), t(6, 9, 0)), Some((t(6, 8, 50), t(6, 9, 35))), "two days on");
        assert_eq!(outcome(grab, t(4, 9, 0), t(4, 9, 0)), None, "a click opens it instead");
    }

    #[test]
    fn the_bottom_edge_changes_the_length_and_never_below_a_slot() {
        let edge = Gesture::Resize { start: t(4, 9, 0), end: t(4, 10, 0) };
        assert_eq!(outcome(edge, t(4, 9, 45), t(4, 10, 45)), Some((t(4, 9, 0), t(4, 11, 0))));
        assert_eq!(
            outcome(edge, t(4, 9, 45), t(4, 7, 0)),
            Some((t(4, 9, 0), t(4, 9, 15))),
            "up past the start"
        );
    }
}
