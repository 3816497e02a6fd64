//! An event as the person shapes it: what the editor fills in, a drag on
//! the grid changes and `convene event create` builds. It says nothing of
//! how it is written: a new event becomes iCalendar with the `icalendar`
//! crate; a change to an existing one is the difference between two drafts
//! (what the person started from, what they made of it), applied to the
//! server's bytes by the byte-faithful editor.

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The calendar collection it is (to be) in.
    pub calendar: Url,
    pub summary: String,
    pub when: When,
    pub location: String,
    pub description: String,
    pub repeat: Option<Repeat>,
    /// A DISPLAY reminder per entry: minutes before the start.
    pub reminders: Vec<i64>,
    /// Attendees' addresses, without `mailto:`; empty for an event that is
    /// not a meeting.
    pub attendees: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum When {
    /// Whole days: the first day and the day after the last (iCalendar's
    /// DTEND is exclusive).
    AllDay { start: NaiveDate, end: NaiveDate },
    /// A start and an end on the clock of `zone` (an IANA name such as
    /// `Europe/Berlin`; `UTC` for UTC; empty for a floating time, read
    /// from an event written without a zone: the person's own clock).
    Timed { start: NaiveDateTime, end: NaiveDateTime, zone: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeat {
    pub frequency: Frequency,
    /// Every `interval` days, weeks, months or years (1 and up).
    pub interval: u32,
    /// For a weekly repeat, the days it falls on (empty: the start's day).
    pub weekdays: Vec<Weekday>,
    pub end: RepeatEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepeatEnd {
    Never,
    /// The last day an occurrence may start on.
    Until(NaiveDate),
    Count(u32),
}

/// Which occurrences of a repeating event a change or a deletion is for.
/// `recurrence_id` is the occurrence's RECURRENCE-ID value as the cache
/// knows it (its original start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// The whole event (the only scope of one that does not repeat).
    All,
    /// One occurrence: a RECURRENCE-ID override, or an EXDATE to delete it.
    ThisOne { recurrence_id: String },
    /// This occurrence and every later one: the series is split, its first
    /// part ending with UNTIL before this one.
    ThisAndFollowing { recurrence_id: String },
}

impl When {
    fn start_day(&self) -> NaiveDate {
        match self {
            When::AllDay { start, .. } => *start,
            When::Timed { start, .. } => start.date(),
        }
    }
}

impl Draft {
    /// The series `self` with the change the person made to one of its
    /// occurrences (`before` → `after`) carried over to every occurrence:
    /// what "All of them" means when an occurrence was edited or dragged.
    /// Changed fields are copied; a new time moves the series' start by as
    /// much as the occurrence moved (with the occurrence's new length), and
    /// a weekly rule's days move with it, so the series does not fall back
    /// to its old weekdays.
    pub fn with_occurrence_change(&self, before: &Draft, after: &Draft) -> Draft {
        let mut series = self.clone();
        if before.summary != after.summary {
            series.summary.clone_from(&after.summary);
        }
        if before.location != after.location {
            series.location.clone_from(&after.location);
        }
        if before.description != after.description {
            series.description.clone_from(&after.description);
        }
        if before.reminders != after.reminders {
            series.reminders.clone_from(&after.reminders);
        }
        if before.attendees != after.attendees {
            series.attendees.clone_from(&after.attendees);
        }
        if before.calendar != after.calendar {
            series.calendar = after.calendar.clone();
        }
        if before.when != after.when {
            let days = (after.when.start_day() - before.when.start_day()).num_days();
            series.when = match (&self.when, &before.when, &after.when) {
                (
                    When::Timed { start: s, .. },
                    When::Timed { start: b, .. },
                    When::Timed { start, end, zone },
                ) => {
                    let begin = *s + (*start - *b);
                    When::Timed { start: begin, end: begin + (*end - *start), zone: zone.clone() }
                }
                (_, _, When::AllDay { start, end }) => {
                    let begin = self.when.start_day() + chrono::Duration::days(days);
                    When::AllDay { start: begin, end: begin + (*end - *start) }
                }
                (_, _, When::Timed { start, end, zone }) => {
                    let begin = (self.when.start_day() + chrono::Duration::days(days)).and_time(start.time());
                    When::Timed { start: begin, end: begin + (*end - *start), zone: zone.clone() }
                }
            };
            if let Some(repeat) = series.repeat.as_mut().filter(|r| r.frequency == Frequency::Weekly) {
                let shift = days.rem_euclid(7);
                for day in &mut repeat.weekdays {
                    for _ in 0..shift {
                        *day = day.succ();
                    }
                }
            }
        }
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M").expect("test date")
    }

    fn draft(start: &str, end: &str, repeat: Option<Repeat>) -> Draft {
        Draft {
            calendar: Url::parse("https://example.com/cal/").expect("url"),
            summary: "Standup".into(),
            when: When::Timed { start: at(start), end: at(end), zone: "Europe/Berlin".into() },
            location: String::new(),
            description: String::new(),
            repeat,
            reminders: vec![],
            attendees: vec![],
        }
    }

    fn weekly(days: &[Weekday]) -> Option<Repeat> {
        Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: days.to_vec(),
            end: RepeatEnd::Never,
        })
    }

    #[test]
    fn an_occurrence_dragged_two_days_later_moves_the_series_and_its_weekdays() {
        // A Tuesday series since 1 Dec; its 15 Dec occurrence dragged to
        // Thursday 17 Dec, an hour later and half an hour longer.
        let series = draft("2026-12-01 10:00", "2026-12-01 10:30", weekly(&[Weekday::Tue]));
        let before = draft("2026-12-15 10:00", "2026-12-15 10:30", None);
        let after = draft("2026-12-17 11:00", "2026-12-17 12:00", None);
        let moved = series.with_occurrence_change(&before, &after);
        assert_eq!(
            moved.when,
            When::Timed {
                start: at("2026-12-03 11:00"),
                end: at("2026-12-03 12:00"),
                zone: "Europe/Berlin".into()
            }
        );
        assert_eq!(moved.repeat, weekly(&[Weekday::Thu]));
    }

    #[test]
    fn a_new_title_on_an_occurrence_renames_the_series_and_keeps_its_time() {
        let series = draft("2026-12-01 10:00", "2026-12-01 10:30", weekly(&[Weekday::Tue, Weekday::Sun]));
        let before = draft("2026-12-15 10:00", "2026-12-15 10:30", None);
        let mut after = before.clone();
        after.summary = "Daily standup".into();
        let renamed = series.with_occurrence_change(&before, &after);
        assert_eq!(renamed.summary, "Daily standup");
        assert_eq!(renamed.when, series.when);
        assert_eq!(renamed.repeat, series.repeat);
    }

    #[test]
    fn weekdays_wrap_past_sunday() {
        let series = draft("2026-12-06 10:00", "2026-12-06 11:00", weekly(&[Weekday::Sat, Weekday::Sun]));
        let before = draft("2026-12-13 10:00", "2026-12-13 11:00", None);
        let after = draft("2026-12-14 10:00", "2026-12-14 11:00", None);
        assert_eq!(
            series.with_occurrence_change(&before, &after).repeat,
            weekly(&[Weekday::Sun, Weekday::Mon])
        );
    }
}
