use chrono::{Datelike, NaiveTime, Weekday};
use chrono_tz::Europe::Berlin;

use super::super::testing::{all_day, date, timed};
use super::*;

fn grid(events: &[Occurrence], year: i32, m: u32, start: Weekday, fits: usize) -> Month {
    month(events, year, m, start, fits, &Berlin).expect("a real month")
}

fn day(g: &Month, d: NaiveDate) -> &MonthDay {
    g.days.iter().find(|x| x.date == d).expect("the day is in the grid")
}

#[test]
fn six_weeks_from_the_week_holding_the_first() {
    // (year, month, week start, first day shown, last day shown)
    let cases = [
        (2026, 6, Weekday::Mon, date(2026, 6, 1), date(2026, 7, 12)), // starts on a Monday
        (2026, 6, Weekday::Sun, date(2026, 5, 31), date(2026, 7, 11)),
        (2026, 3, Weekday::Mon, date(2026, 2, 23), date(2026, 4, 5)), // starts on a Sunday
        (2026, 3, Weekday::Sun, date(2026, 3, 1), date(2026, 4, 11)),
        (2028, 2, Weekday::Mon, date(2028, 1, 31), date(2028, 3, 12)), // a leap February
        (2026, 8, Weekday::Mon, date(2026, 7, 27), date(2026, 9, 6)),  // 31 days from a Saturday: six weeks
    ];
    for (y, m, start, first, last) in cases {
        let g = grid(&[], y, m, start, 3);
        assert_eq!(g.days.len(), 42);
        assert_eq!((g.days[0].date, g.days[41].date), (first, last), "{y}-{m} from {start}");
        assert_eq!(g.days[0].date.weekday(), start);
        let in_month: Vec<NaiveDate> = g.days.iter().filter(|d| !d.other_month).map(|d| d.date).collect();
        assert_eq!(in_month.first().map(|d| d.day()), Some(1));
        assert!(in_month.iter().all(|d| d.month() == m));
    }
    let leap = grid(&[], 2028, 2, Weekday::Mon, 3);
    assert_eq!(leap.days.iter().filter(|d| !d.other_month).count(), 29);
    assert!(day(&leap, date(2028, 3, 1)).other_month);
    assert_eq!(month(&[], 2026, 13, Weekday::Mon, 3, &Berlin), None);
}

#[test]
fn weekends_are_flagged() {
    let g = grid(&[], 2026, 6, Weekday::Mon, 3);
    let weekend: Vec<u32> =
        g.days.iter().filter(|d| d.weekend && !d.other_month).map(|d| d.date.day()).take(4).collect();
    assert_eq!(weekend, [6, 7, 13, 14]);
}

#[test]
fn chips_in_time_order_all_day_first() {
    let events = [
        timed("lunch", (2026, 6, 3, 12, 0), (2026, 6, 3, 13, 0)),
        timed("breakfast", (2026, 6, 3, 8, 0), (2026, 6, 3, 9, 0)),
        all_day("holiday", date(2026, 6, 3), 1),
        timed("night", (2026, 6, 3, 22, 0), (2026, 6, 4, 2, 0)),
        all_day("trip", date(2026, 6, 2), 3),
        timed("to midnight", (2026, 6, 4, 23, 0), (2026, 6, 5, 0, 0)),
    ];
    let g = grid(&events, 2026, 6, Weekday::Mon, 10);
    let chips = |d| day(&g, d).chips.iter().map(|c| (c.index, c.time)).collect::<Vec<_>>();
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0);
    assert_eq!(chips(date(2026, 6, 2)), [(4, None)]);
    assert_eq!(chips(date(2026, 6, 3)), [(2, None), (4, None), (1, t(8)), (0, t(12)), (3, t(22))]);
    assert_eq!(chips(date(2026, 6, 4)), [(3, None), (4, None), (5, t(23))], "carried over: no time");
    assert_eq!(chips(date(2026, 6, 5)), [], "ending at midnight is not the next day's");
}

#[test]
fn plus_n_more_when_a_day_is_full() {
    let at = |h| timed("x", (2026, 6, 3, h, 0), (2026, 6, 3, h, 30));
    let events: Vec<Occurrence> = (8..13).map(at).collect(); // five events
    // (lines that fit, chips shown, more)
    let cases = [(6, 5, 0), (5, 5, 0), (4, 3, 2), (2, 1, 4), (1, 0, 5), (0, 0, 5)];
    for (fits, shown, more) in cases {
        let g = grid(&events, 2026, 6, Weekday::Mon, fits);
        let d = day(&g, date(2026, 6, 3));
        assert_eq!((d.chips.len(), d.more), (shown, more), "{fits} lines");
        assert!(d.chips.iter().enumerate().all(|(i, c)| c.index == i), "the earliest are kept");
    }
}
