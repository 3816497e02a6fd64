//! What the invitation list shows: an invitation, where it lives, and
//! where the person's reply stands.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::ical::conflicts::Conflict;
use crate::ical::seen::SinceSeen;
use crate::ical::{Diff, Invitation, Reply};
use crate::store::{Entry, EntryState};

/// Why not every occurrence of a series is shown (its expansion stopped at
/// its bound), said after the verb: "it repeats {TOO_OFTEN}".
pub const TOO_OFTEN: &str = "too often to show every occurrence";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub invitation: Invitation,
    pub calendar: Url,
    pub calendar_name: String,
    pub url: Url,
    pub reply: ReplyState,
    /// For a repeating event: upcoming occurrences (RECURRENCE-ID, when in
    /// words), so the person can answer one of them.
    #[serde(default)]
    pub occurrences: Vec<(String, String)>,
    /// The series repeats too often to show every occurrence: the
    /// expansion stopped at its bound, and `occurrences` are those found.
    #[serde(default)]
    pub repeats_too_often: bool,
    /// The copy was added from a mailed invitation (its organizer scheduled
    /// by the client): the server tells the organizer nothing, so an
    /// answer must go back by mail as well.
    #[serde(default)]
    pub by_mail: bool,
    /// The person's own events that overlap it (its next occurrence, for a
    /// series), in order.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// The day (the person's) of the occurrence the conflicts are judged
    /// on, so one on another day can say which.
    #[serde(default)]
    pub judged_day: Option<chrono::NaiveDate>,
    /// What the organizer changed since the person last saw or answered
    /// it (None: nothing to look at).
    #[serde(default)]
    pub since_seen: Option<SinceSeen>,
}

/// One occurrence in the calendar views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub account: String,
    /// The calendar collection holding it (what its colour and the
    /// show/hide setting go by).
    pub calendar: Url,
    pub calendar_name: String,
    /// The calendar object it comes from (what its details are asked by).
    pub url: Url,
    pub occurrence: crate::ical::occurrence::Occurrence,
    /// Someone else organizes it and invited the user.
    pub invitation: bool,
    /// …and it still waits for an answer.
    pub pending: bool,
    /// The person's answer to this occurrence, when invited and answered.
    pub answer: Option<crate::ical::Answer>,
    /// Its series repeats too often to show every occurrence (the
    /// expansion stopped at its bound).
    pub repeats_too_often: bool,
}

/// Everything the details of one event show, read from the cache when
/// they are opened (the agenda carries only what the views draw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// The event as the person sees it, with the occurrence's own facts
    /// where it was changed on its own.
    pub event: Invitation,
    pub calendar_name: String,
    /// `#RRGGBB` or `#RRGGBBAA`: the server's calendar colour, if any.
    pub calendar_color: Option<String>,
    /// For an invitation: the person's events that overlap this occurrence.
    pub conflicts: Vec<Conflict>,
    /// For an invitation: the person's events that day, it among them.
    pub day: Vec<AgendaItem>,
    /// For an invitation: what the organizer changed since the person last
    /// saw it (opening the details marks it seen).
    pub since_seen: Option<SinceSeen>,
}

/// The person's reply, as the outbox knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ReplyState {
    /// Nothing waiting: the server's copy is the truth.
    None,
    /// Waiting to be sent (offline, or not tried yet).
    Pending {
        reply: Reply,
        last_error: Option<String>,
    },
    /// The organizer changed the event; the person must decide.
    Conflict {
        reply: Reply,
        diff: Diff,
    },
    Failed {
        reply: Reply,
        error: String,
    },
}

impl ReplyState {
    pub fn from_entry(entry: Option<&Entry>) -> Self {
        let Some(e) = entry else { return ReplyState::None };
        let reply = e.reply.clone();
        match &e.state {
            EntryState::Pending { last_error } => {
                ReplyState::Pending { reply, last_error: last_error.clone() }
            }
            EntryState::Sending => ReplyState::Pending { reply, last_error: None },
            EntryState::Conflict { diff, .. } => ReplyState::Conflict { reply, diff: diff.clone() },
            EntryState::Failed { error } => ReplyState::Failed { reply, error: error.clone() },
        }
    }
}

impl Listing {
    /// List order: changed by the organizer since the person saw it
    /// first (it comes back to the top), then the rest waiting for them
    /// (unanswered, or an answer not yet on the server), then the others;
    /// each by start.
    pub fn order(&self) -> (u8, String) {
        let group = if self.since_seen.is_some() {
            0
        } else if self.invitation.is_pending() || self.reply != ReplyState::None {
            1
        } else {
            2
        };
        (group, self.invitation.start.as_ref().map(|s| s.value.clone()).unwrap_or_default())
    }
}
