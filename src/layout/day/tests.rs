use chrono::{Local, TimeZone, Weekday};
use chrono_tz::Europe::Berlin;

use super::super::testing::{all_day, date, occurrence, timed};
use super::super::week_of;
use super::*;

/// (index, top, bottom, column, columns, continued, continues) of a day's boxes.
type Placed = (usize, u32, u32, usize, usize, bool, bool);

fn placed(day: &Day) -> Vec<Placed> {
    let mut out: Vec<Placed> = day
        .boxes
        .iter()
        .map(|b| (b.index, b.top, b.bottom, b.column.column, b.column.columns, b.continued, b.continues))
        .collect();
    out.sort();
    out
}

fn one_day(events: &[Occurrence], day: NaiveDate) -> Vec<Placed> {
    placed(&grid(events, day, 1, &Berlin).days[0])
}

const H: u32 = 60;

#[test]
fn boxes_in_a_day() {
    let d = (2026, 6, 3);
    let at = |h, m| (d.0, d.1, d.2, h, m);
    let cases: Vec<(&str, Vec<Occurrence>, Vec<Placed>)> = vec![
        ("one", vec![timed("a", at(9, 0), at(10, 30))], vec![(0, 9 * H, 10 * H + 30, 0, 1, false, false)]),
        (
            "two overlapping side by side",
            vec![timed("a", at(9, 0), at(11, 0)), timed("b", at(10, 0), at(12, 0))],
            vec![(0, 9 * H, 11 * H, 0, 2, false, false), (1, 10 * H, 12 * H, 1, 2, false, false)],
        ),
        (
            "three at once",
            vec![
                timed("a", at(9, 0), at(12, 0)),
                timed("b", at(9, 30), at(11, 0)),
                timed("c", at(10, 0), at(10, 30)),
            ],
            vec![
                (0, 9 * H, 12 * H, 0, 3, false, false),
                (1, 570, 11 * H, 1, 3, false, false),
                (2, 10 * H, 630, 2, 3, false, false),
            ],
        ),
        (
            "three in two columns",
            vec![
                timed("a", at(9, 0), at(12, 0)),
                timed("b", at(9, 30), at(10, 0)),
                timed("c", at(11, 0), at(13, 0)),
            ],
            vec![
                (0, 9 * H, 12 * H, 0, 2, false, false),
                (1, 570, 10 * H, 1, 2, false, false),
                (2, 11 * H, 13 * H, 1, 2, false, false),
            ],
        ),
        (
            "chain A-B, B-C: C takes A's column",
            vec![
                timed("a", at(9, 0), at(10, 0)),
                timed("b", at(9, 30), at(11, 0)),
                timed("c", at(10, 0), at(12, 0)),
            ],
            vec![
                (0, 9 * H, 10 * H, 0, 2, false, false),
                (1, 570, 11 * H, 1, 2, false, false),
                (2, 10 * H, 12 * H, 0, 2, false, false),
            ],
        ),
        (
            "back to back share a column",
            vec![timed("a", at(9, 0), at(10, 0)), timed("b", at(10, 0), at(11, 0))],
            vec![(0, 9 * H, 10 * H, 0, 1, false, false), (1, 10 * H, 11 * H, 0, 1, false, false)],
        ),
        (
            "zero length gets the minimum height",
            vec![timed("a", at(9, 0), at(9, 0))],
            vec![(0, 9 * H, 9 * H + MIN_MINUTES, 0, 1, false, false)],
        ),
        (
            "zero length before midnight grows upwards",
            vec![timed("a", at(23, 55), at(23, 55))],
            vec![(0, 1440 - MIN_MINUTES, 1440, 0, 1, false, false)],
        ),
        (
            "minimum heights overlap too",
            vec![timed("a", at(9, 0), at(9, 0)), timed("b", at(9, 10), at(9, 20))],
            vec![(0, 9 * H, 9 * H + 15, 0, 2, false, false), (1, 550, 565, 1, 2, false, false)],
        ),
        (
            "another day's event is not here",
            vec![timed("a", (2026, 6, 4, 9, 0), (2026, 6, 4, 10, 0))],
            vec![],
        ),
        ("an all-day event is not in the grid", vec![all_day("a", date(2026, 6, 3), 1)], vec![]),
    ];
    for (name, events, want) in cases {
        assert_eq!(one_day(&events, date(d.0, d.1, d.2)), want, "{name}");
    }
}

#[test]
fn crossing_midnight_is_split_per_day() {
    let events = [
        timed("night", (2026, 6, 3, 22, 0), (2026, 6, 4, 2, 0)),
        timed("to midnight", (2026, 6, 3, 23, 0), (2026, 6, 4, 0, 0)),
        timed("at midnight", (2026, 6, 4, 0, 0), (2026, 6, 4, 0, 0)),
    ];
    let g = grid(&events, date(2026, 6, 3), 2, &Berlin);
    assert_eq!(
        placed(&g.days[0]),
        [(0, 22 * H, 1440, 0, 2, false, true), (1, 23 * H, 1440, 1, 2, false, false)],
        "the part before midnight continues; one ending at midnight does not"
    );
    assert_eq!(
        placed(&g.days[1]),
        [(0, 0, 2 * H, 0, 2, true, false), (2, 0, MIN_MINUTES, 1, 2, false, false)],
        "the part after midnight is continued; a zero-length event at midnight is the new day's"
    );
    assert!(g.spanning.is_empty(), "shorter than a day: stays in the grid");
}

#[test]
fn all_day_row_lanes() {
    let monday = date(2026, 6, 1);
    let events = [
        all_day("holiday", date(2026, 6, 2), 1),
        all_day("conference", date(2026, 6, 1), 3),
        all_day("trip", date(2026, 5, 30), 4),
        all_day("after", date(2026, 6, 4), 1),
        timed("long flight", (2026, 6, 5, 18, 0), (2026, 6, 9, 10, 0)),
        all_day("next week", date(2026, 6, 8), 1),
        timed("meeting", (2026, 6, 2, 9, 0), (2026, 6, 2, 10, 0)),
    ];
    let g = grid(&events, monday, 7, &Berlin);
    let mut bars: Vec<_> =
        g.spanning.iter().map(|s| (s.index, s.lane, s.first, s.last, s.continued, s.continues)).collect();
    bars.sort();
    assert_eq!(
        bars,
        [
            (0, 2, 1, 1, false, false), // under the two that cover Tuesday
            (1, 1, 0, 2, false, false),
            (2, 0, 0, 1, true, false),  // from the Saturday before
            (3, 0, 3, 3, false, false), // the trip's lane is free again on Thursday
            (4, 0, 4, 6, false, true),  // a timed event of days is a bar, to the week's end
        ]
    );
    assert_eq!(g.lanes, 3);
    assert_eq!(
        placed(&g.days[1]),
        [(6, 9 * H, 10 * H, 0, 1, false, false)],
        "a timed event stays in the grid"
    );
    assert!(g.days.iter().all(|d| d.boxes.iter().all(|b| b.index != 4)), "the flight is only in the row");
}

#[test]
fn spring_forward_day_has_23_hours() {
    // Berlin, 2026-03-29: at 02:00 CET the clocks go to 03:00 CEST.
    let day = date(2026, 3, 29);
    let events = [timed("over the gap", (2026, 3, 29, 1, 30), (2026, 3, 29, 3, 30))];
    assert_eq!(events[0].end - events[0].start, chrono::Duration::hours(1), "one real hour");
    let g = grid(&events, day, 1, &Berlin);
    assert_eq!(g.days[0].shift, Some(Shift { from: 2 * H, to: 3 * H, repeated: false }));
    assert_eq!(g.days[0].real_minutes, 23 * H);
    assert_eq!(placed(&g.days[0]), [(0, 90, 210, 0, 1, false, false)], "drawn by the wall clock");
    let before = grid(&events, day.pred_opt().unwrap(), 1, &Berlin);
    assert_eq!((before.days[0].shift, before.days[0].real_minutes), (None, 24 * H));
}

#[test]
fn fall_back_day_has_25_hours() {
    // Berlin, 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET.
    let day = date(2026, 10, 25);
    let summer =
        |h, m| Berlin.with_ymd_and_hms(2026, 10, 25, h, m, 0).earliest().unwrap().with_timezone(&Local);
    let winter =
        |h, m| Berlin.with_ymd_and_hms(2026, 10, 25, h, m, 0).latest().unwrap().with_timezone(&Local);
    let events = [
        occurrence("first 02:00", summer(2, 0), summer(2, 30), false),
        occurrence("second 02:00", winter(2, 0), winter(2, 30), false),
        // 40 real minutes whose end reads earlier than its start.
        occurrence("folded", summer(2, 30), winter(2, 10), false),
    ];
    let g = grid(&events, day, 1, &Berlin);
    assert_eq!(g.days[0].shift, Some(Shift { from: 2 * H, to: 3 * H, repeated: true }));
    assert_eq!(g.days[0].real_minutes, 25 * H);
    assert_eq!(
        placed(&g.days[0]),
        [
            (0, 120, 150, 0, 2, false, false),
            (1, 120, 150, 1, 2, false, false),
            (2, 150, 190, 0, 1, false, false)
        ],
        "the two 02:00s share the wall hour side by side; the folded one keeps its 40 minutes"
    );
}

#[test]
fn a_change_at_midnight_is_found() {
    // São Paulo, 2018-11-04: midnight became 01:00.
    let tz = chrono_tz::America::Sao_Paulo;
    assert_eq!(shift(date(2018, 11, 4), &tz), Some(Shift { from: 0, to: H, repeated: false }));
    assert_eq!(shift(date(2018, 11, 3), &tz), None);
    assert_eq!(shift(date(2026, 6, 3), &chrono::Utc), None);
}

#[test]
fn the_current_time_line() {
    let now = Berlin.with_ymd_and_hms(2026, 6, 3, 14, 45, 30).unwrap();
    assert_eq!(now_line(&now, date(2026, 6, 3)), Some(14 * H + 45));
    assert_eq!(now_line(&now, date(2026, 6, 4)), None);
    let b = TimedBox {
        index: 0,
        top: 6 * H,
        bottom: 12 * H,
        column: Column { column: 0, columns: 1 },
        continued: false,
        continues: false,
    };
    assert_eq!(b.fractions(), (0.25, 0.25));
}

#[test]
fn weeks_start_where_asked() {
    let wednesday = date(2026, 6, 3);
    assert_eq!(week_of(wednesday, Weekday::Mon), date(2026, 6, 1));
    assert_eq!(week_of(wednesday, Weekday::Sun), date(2026, 5, 31));
    assert_eq!(week_of(date(2026, 5, 31), Weekday::Mon), date(2026, 5, 25), "a Sunday ends a Monday week");
    assert_eq!(week_of(date(2026, 5, 31), Weekday::Sun), date(2026, 5, 31));
}
