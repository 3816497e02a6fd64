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
