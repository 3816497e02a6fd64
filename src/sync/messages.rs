//! What the UI and an account's actor say to each other: the UI sends
//! [`Control`], the actor answers with [`Update`]. Plain data, so the UI
//! never touches the network or the cache itself.

use std::collections::HashSet;
use std::path::PathBuf;

use url::Url;

use super::failure::Failure;
use super::importing::ImportRequest;
use super::listing::{AgendaItem, Details, Listing};
use super::mailed::{MailedAnswer, MailedDone};
use super::organizing::Availability;
use super::refresh::SyncProgress;
use crate::caldav::{Calendar, Capabilities};
use crate::ical::{Answer, Clash, Diff, Draft, Scope};
use crate::import::{Progress, Report};

#[derive(Debug, Clone)]
pub enum Control {
    SyncNow,
    Reply {
        uid: String,
        answer: Answer,
        comment: Option<String>,
        occurrence: Option<String>,
        as_address: Option<String>,
        /// "Don't send": the organizer is not told (refused where the
        /// server can't keep it from them).
        silent: bool,
    },
    /// Someone else goes instead: PARTSTAT=DELEGATED, the delegate `to`
    /// (an address) added; answered as [`Control::Reply`] is.
    Delegate {
        uid: String,
        to: String,
        comment: Option<String>,
    },
    Resolve {
        uid: String,
        resolution: Resolution,
    },
    /// Which UIDs a calendar holds (the import preview's duplicates).
    ImportTarget {
        calendar: Url,
    },
    Import(Box<ImportRequest>),
    /// An event's details (answered by [`Update::Details`]); an
    /// invitation's are then marked seen.
    Details {
        url: Url,
        recurrence_id: Option<String>,
    },
    /// The person has seen the invitation with this UID as it is now: it
    /// is no longer "updated" (answered by [`Update::InvitationsChanged`]
    /// when it was).
    Seen {
        uid: String,
    },
    /// Stop the running import after the writes in flight.
    CancelImport,
    /// A new event, in `draft.calendar`. Answered by [`Update::EventSaved`],
    /// [`Update::EventQueued`] or [`Update::EventFailed`] (the UID is the one
    /// Convene gives it, so the window can find it in the next agenda).
    CreateEvent(Box<Draft>),
    /// A change to the event at `url`. `before` is the draft the person
    /// started from (as [`Update::EditorDraft`] gave it, or read from the
    /// cache); the fields that differ between `before` and `after` are what
    /// is written, on the server's bytes. A conflict is answered by
    /// [`Update::EventConflict`] and decided with [`Control::Resolve`]:
    /// `SendOnNewVersion` = "keep mine on top of theirs", `Discard` = "keep
    /// theirs" (and "edit again" is `Discard`, then the editor on theirs).
    EditEvent {
        url: Url,
        scope: Scope,
        before: Box<Draft>,
        after: Box<Draft>,
    },
    /// Deletes the event (or, by `scope`, one occurrence: an EXDATE; this
    /// and the following: the series ends before it). `cancel_meeting`: the
    /// person organizes it and the attendees are told (STATUS:CANCELLED).
    DeleteEvent {
        url: Url,
        scope: Scope,
        cancel_meeting: bool,
    },
    /// Removes the person's copy of an invitation its organizer cancelled,
    /// with no decline to the organizer (through the outbox: offline it
    /// waits). Answered by [`Update::Removed`], [`Update::RemoveFailed`]
    /// or, offline, [`Update::EventQueued`].
    RemoveCancelled {
        uid: String,
    },
    /// Attendees' busy times in `[from, to)` (answered by
    /// [`Update::FreeBusy`]); where the server doesn't answer such lookups
    /// (the capability record), the answer says so and nothing is asked.
    FreeBusy {
        attendees: Vec<String>,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    },
    /// The draft the editor opens on (answered by [`Update::EditorDraft`]).
    /// The calendars it can offer are those of [`Update::Calendars`].
    EditorDraft {
        url: Url,
        recurrence_id: Option<String>,
    },
    /// Keep a reminder dismissed (`snoozed_until` None) or snoozed until
    /// a Unix time, by the scheduler's key.
    Acknowledge {
        key: String,
        snoozed_until: Option<i64>,
    },
    /// A file that came by mail (`file` names it in messages): a
    /// METHOD:REQUEST not on the server is added to `answer.calendar` with
    /// the answer and `SCHEDULE-AGENT=CLIENT`, and its METHOD:REPLY written
    /// for mail; a CANCEL or REPLY is applied to the copy it is about (as
    /// `convene invitation-file` does). Answered by [`Update::Mailed`].
    Mailed {
        file: PathBuf,
        text: String,
        answer: Option<MailedAnswer>,
    },
    Shutdown,
}

/// The person's decision in the merge dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Send the same answer on the organizer's new version.
    SendOnNewVersion,
    /// Send a different answer on the new version.
    ChangeAnswer {
        answer: Answer,
        comment: Option<String>,
    },
    Discard,
}

#[derive(Debug, Clone)]
pub enum Update {
    /// The engine is open; the cache's invitations are shown at once.
    Ready {
        account: String,
        capabilities: Option<Box<Capabilities>>,
        invitations: Vec<Listing>,
    },
    Syncing,
    /// How far the running sync has come (a first sync of a big calendar
    /// takes seconds).
    SyncProgress(SyncProgress),
    Synced {
        at: i64,
        fetched: usize,
        removed: usize,
    },
    InvitationsChanged(Vec<Listing>),
    /// Every event occurrence from a month ago to a year ahead.
    Agenda(Vec<AgendaItem>),
    /// The organizer and attendee addresses of the cached events, each with
    /// the number of events it is in, most used first: what the editor
    /// completes attendees from.
    People(Vec<(String, usize)>),
    Sending {
        uid: String,
    },
    Replied {
        uid: String,
    },
    /// Not sent yet; it stays in the outbox and is retried.
    ReplyPending {
        uid: String,
        reason: Failure,
    },
    Conflict {
        uid: String,
        diff: Diff,
    },
    ReplyFailed {
        uid: String,
        error: Failure,
    },
    /// The calendars that take events, and the addresses the user may act as.
    Calendars {
        calendars: Vec<Calendar>,
        addresses: Vec<String>,
        capabilities: Option<Box<Capabilities>>,
    },
    TargetUids {
        calendar: Url,
        uids: HashSet<String>,
    },
    /// The details asked for; None when the event is no longer cached.
    Details {
        url: Url,
        details: Option<Box<Details>>,
    },
    /// The editor's draft of the event at `url`; None when it is no longer
    /// cached. `organizer`: the person may change the event (they organize
    /// it, or it has no ORGANIZER: a personal event); false for an
    /// invitation, whose fields are the organizer's. (Whether the calendar
    /// is writable is not known before a write: a refused one comes back as
    /// [`Update::EventFailed`].)
    EditorDraft {
        url: Url,
        draft: Option<Box<Draft>>,
        organizer: bool,
    },
    /// The busy times asked for with [`Control::FreeBusy`], or why there
    /// are none.
    FreeBusy {
        from: chrono::DateTime<chrono::Utc>,
        answer: Result<Vec<Availability>, Failure>,
    },
    /// The server has the new event or the change.
    EventSaved {
        uid: String,
    },
    /// Another change to the same fields reached the server first: the
    /// person decides (the merge dialog); the change waits in the outbox.
    EventConflict {
        uid: String,
        clashes: Vec<Clash>,
    },
    /// Offline (or the server did not answer): kept in the outbox, sent on
    /// reconnect in order.
    EventQueued {
        uid: String,
    },
    /// Refused, with why; nothing was written.
    EventFailed {
        uid: String,
        error: Failure,
    },
    /// The cancelled invitation is gone from the person's calendar.
    Removed {
        uid: String,
    },
    /// The cancelled invitation was not removed, with why.
    RemoveFailed {
        uid: String,
        error: Failure,
    },
    /// What [`Control::Mailed`] did with the file, or why not.
    Mailed {
        file: PathBuf,
        uid: String,
        result: Result<MailedDone, Failure>,
    },
    ImportProgress(Progress),
    /// Err: the import did not start (or its journal failed), with why.
    ImportFinished(Result<Box<Report>, Failure>),
    Offline {
        reason: Failure,
    },
    Online,
    Error {
        message: Failure,
    },
    /// The events with reminders, the accepted invitations without (rung
    /// with the default reminder), and the stored dismissals and snoozes
    /// (after every change of the cache).
    Reminders {
        objects: Vec<String>,
        accepted: Vec<String>,
        acks: Vec<(String, Option<i64>)>,
    },
    Stopped,
}
