//! The reply algorithm without I/O: [`Steps`] decides, one [`Action`] at a
//! time, what the driver in [`super`] does next, and learns the result from
//! the [`Observation`] fed back. Like a [`crate::caldav::Operation`], it
//! never touches the network or the disk itself, so every path through it
//! is a table test (see `tests.rs`).

use url::Url;

use crate::caldav::{self, Capabilities, Error, Object, Precondition, Written};
use crate::ical::{self, Diff, Document, Identity, Reply, ReplyError};
use crate::store::{Entry, EntryState};
use crate::sync::failure::{Cause, Failure};

/// Automatic re-applications after inconsequential changes.
pub const MAX_MERGES: usize = 3;

/// What the send's outcome is, for the person and the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The server has the answer; `object` is its copy now.
    Sent { object: Object },
    /// Not sent yet; it stays in the outbox. `offline`: the server could
    /// not be reached (as opposed to, say, a refused password).
    Pending { error: Failure, offline: bool },
    /// The organizer changed something that matters; the person decides.
    Conflict { diff: Diff, server: Object },
    /// Refused for good (UID conflict, forbidden change, event gone).
    Failed { error: Failure },
}

impl Outcome {
    /// Kept in the outbox for the next sync, for this reason.
    pub fn pending(error: Failure) -> Self {
        Outcome::Pending { offline: error.is_offline(), error }
    }
}

/// What the capability record says about the server's tags, as far as a
/// reply cares. No record: nothing is trusted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trust {
    /// The server keeps Schedule-Tags at all.
    pub schedule_tag: bool,
    /// …and `If-Schedule-Tag-Match` on them can be relied on.
    pub schedule_tag_trusted: bool,
    /// A PUT response's ETag is the new version's.
    pub etag_on_put: bool,
}

impl Trust {
    pub fn of(caps: Option<&Capabilities>) -> Self {
        caps.map_or_else(Trust::default, |c| Trust {
            schedule_tag: c.schedule_tag.is_true(),
            schedule_tag_trusted: c.schedule_tag_trusted.is_true(),
            etag_on_put: c.etag_on_put.is_true(),
        })
    }

    /// The precondition that protects a PUT on `base`, if any can.
    pub(crate) fn precondition(self, base: &Object) -> Option<Precondition> {
        match (&base.schedule_tag, &base.etag) {
            (Some(tag), _) if self.schedule_tag_trusted => {
                Some(Precondition::IfScheduleTagMatch(tag.clone()))
            }
            (_, Some(etag)) if !etag.is_weak() => Some(Precondition::IfMatch(etag.clone())),
            _ => None,
        }
    }

    /// Whether the tags in a PUT response may be stored as the new version's.
    fn response_tags_reliable(self, written: &Written) -> bool {
        let tag_ok = !self.schedule_tag || (self.schedule_tag_trusted && written.schedule_tag.is_some());
        self.etag_on_put && written.etag.as_ref().is_some_and(|e| !e.is_weak()) && tag_ok
    }
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read the server's copy; answer with [`Observation::Fetched`] or
    /// [`Observation::Failed`].
    Get { url: Url },
    /// Write the entry with this state to the outbox; answer with
    /// [`Observation::Stored`].
    Record(EntryState),
    /// Send the reply (the entry is already recorded as `Sending`); answer
    /// with [`Observation::Written`] or [`Observation::Failed`].
    Put { url: Url, data: String, precondition: Precondition },
    /// The server has the answer: drop the entry from the outbox; answer
    /// with [`Observation::Stored`].
    MarkSent,
    /// Done: the outbox is up to date; return this outcome. (A conflict is
    /// the person's merge dialog; `Pending`/`Failed` are giving up for now
    /// or for good.)
    Finish(Outcome),
    /// Done: the reply can't be applied to the server's version.
    Abort(ReplyError),
}

/// What the driver saw when it did the last [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The GET's object, with its ETag and Schedule-Tag.
    Fetched(Object),
    /// The PUT went through.
    Written(Written),
    /// The outbox write (record or removal) went through.
    Stored,
    /// The GET or PUT failed: 412 (`ScheduleTagMismatch`/`EtagMismatch`),
    /// 404 (`NotFound`), unreachable, refused…
    Failed(Error),
}

#[derive(Debug)]
enum Stage {
    /// Nothing done yet.
    Start,
    /// Waiting for the server's copy before a PUT.
    Reading,
    /// Waiting for `Sending` to be on disk, then PUT `body`.
    Marking {
        body: String,
        precondition: Precondition,
    },
    /// Waiting for the PUT of `body`.
    Putting {
        body: String,
    },
    /// Waiting for the entry's removal, then `then`.
    Removing {
        then: AfterRemoval,
    },
    /// Waiting for the real copy after a PUT whose response can't be used.
    Rereading {
        body: String,
    },
    /// Waiting for the outbox record, then finish with the outcome.
    Recording(Box<Outcome>),
    Done,
}

#[derive(Debug)]
enum AfterRemoval {
    Finish(Box<Outcome>),
    Reread { body: String },
}

/// One reply's way to the server; see the module of [`super`] for the
/// rules it follows.
#[derive(Debug)]
pub struct Steps {
    reply: Reply,
    me: Identity,
    trust: Trust,
    /// The version the person answered.
    person_saw: Object,
    /// The version the reply is applied to next.
    current: Object,
    /// Read the server's copy before the next PUT.
    must_read: bool,
    /// The outbox holds the entry as `Sending` (a PUT may have landed).
    sending: bool,
    /// Rounds (read-or-not, then PUT) begun.
    rounds: usize,
    stage: Stage,
}

impl Steps {
    pub fn new(entry: &Entry, trust: Trust, me: Identity) -> Self {
        let sending = matches!(entry.state, EntryState::Sending);
        Steps {
            reply: entry.reply.clone(),
            me,
            trust,
            person_saw: entry.base.clone(),
            current: entry.base.clone(),
            // A send may have landed before a crash: look first.
            must_read: sending,
            sending,
            rounds: 0,
            stage: Stage::Start,
        }
    }

    /// The first action.
    pub fn start(&mut self) -> Action {
        debug_assert!(matches!(self.stage, Stage::Start), "start() called twice");
        self.round()
    }

    /// The action after `seen`, the result of the previous one.
    ///
    /// # Panics
    /// If `seen` can't be the result of the previous action (a driver bug).
    pub fn next(&mut self, seen: Observation) -> Action {
        match (std::mem::replace(&mut self.stage, Stage::Done), seen) {
            (Stage::Reading, Observation::Fetched(fresh)) => self.read(fresh),
            (Stage::Reading, Observation::Failed(e)) => self.error(e),
            (Stage::Marking { body, precondition }, Observation::Stored) => {
                let url = self.current.url.clone();
                self.stage = Stage::Putting { body: body.clone() };
                Action::Put { url, data: body, precondition }
            }
            (Stage::Putting { body }, Observation::Written(written)) => {
                // A delegation adds an attendee the server schedules and
                // writes SCHEDULE-STATUS on (Xandikos 0.4.10, measured): its
                // copy is not the body sent, and a later write of the body
                // would be refused as a change to that attendee. Read it.
                let server_edits = self.reply.delegate.is_some();
                let then = if self.trust.response_tags_reliable(&written) && !server_edits {
                    let object = Object {
                        url: self.current.url.clone(),
                        etag: written.etag,
                        schedule_tag: written.schedule_tag,
                        data: body,
                    };
                    AfterRemoval::Finish(Box::new(Outcome::Sent { object }))
                } else {
                    // The server may have merged others' answers or given a
                    // tag that isn't the resource's: read the real thing.
                    AfterRemoval::Reread { body }
                };
                self.stage = Stage::Removing { then };
                Action::MarkSent
            }
            (
                Stage::Putting { .. },
                Observation::Failed(Error::ScheduleTagMismatch | Error::EtagMismatch),
            ) => {
                self.must_read = true;
                self.round()
            }
            (Stage::Putting { .. }, Observation::Failed(e)) => self.error(e),
            (Stage::Removing { then: AfterRemoval::Finish(outcome) }, Observation::Stored) => {
                Action::Finish(*outcome)
            }
            (Stage::Removing { then: AfterRemoval::Reread { body } }, Observation::Stored) => {
                self.stage = Stage::Rereading { body };
                Action::Get { url: self.current.url.clone() }
            }
            (Stage::Rereading { .. }, Observation::Fetched(object)) => {
                Action::Finish(Outcome::Sent { object })
            }
            (Stage::Rereading { body }, Observation::Failed(_)) => {
                let object =
                    Object { url: self.current.url.clone(), etag: None, schedule_tag: None, data: body };
                Action::Finish(Outcome::Sent { object })
            }
            (Stage::Recording(outcome), Observation::Stored) => Action::Finish(*outcome),
            (stage, seen) => panic!("reply steps: {seen:?} can't follow {stage:?}"),
        }
    }

    /// One round: read if need be, then PUT; after the last, give up for now.
    fn round(&mut self) -> Action {
        if self.rounds > MAX_MERGES {
            let error = Failure::from(Cause::KeptChanging);
            return self.record(
                EntryState::Pending { last_error: Some(error.to_string()) },
                Outcome::pending(error),
            );
        }
        self.rounds += 1;
        // A first sync leaves most copies without their Schedule-Tag (asking
        // for it makes some servers many times slower): where the tag is
        // what protects a reply, the GET below brings it.
        let tag_missing = self.trust.schedule_tag_trusted && self.current.schedule_tag.is_none();
        match self.trust.precondition(&self.current) {
            Some(pre) if !self.must_read && !tag_missing => self.put(pre),
            // A send may have landed before a crash, or the copy has no
            // usable tag: look at the server's copy before writing.
            _ => {
                self.stage = Stage::Reading;
                Action::Get { url: self.current.url.clone() }
            }
        }
    }

    fn read(&mut self, fresh: Object) -> Action {
        if ical::reply::is_applied(&fresh.data, &self.reply) {
            self.stage =
                Stage::Removing { then: AfterRemoval::Finish(Box::new(Outcome::Sent { object: fresh })) };
            return Action::MarkSent;
        }
        let d = diff(&self.person_saw, &fresh, &self.me);
        if d.is_consequential() {
            return self.record(
                EntryState::Conflict { server: fresh.clone(), diff: d.clone() },
                Outcome::Conflict { diff: d, server: fresh },
            );
        }
        self.current = fresh;
        match self.trust.precondition(&self.current) {
            Some(pre) => self.put(pre),
            None => {
                let error = Failure::from(Cause::NoStrongEtag);
                self.record(EntryState::Failed { error: error.to_string() }, Outcome::Failed { error })
            }
        }
    }

    fn put(&mut self, precondition: Precondition) -> Action {
        match ical::reply::apply(&self.current.data, &self.reply) {
            Ok(body) => {
                self.sending = true;
                self.stage = Stage::Marking { body, precondition };
                Action::Record(EntryState::Sending)
            }
            Err(e) => {
                self.stage = Stage::Done;
                Action::Abort(e)
            }
        }
    }

    fn record(&mut self, state: EntryState, outcome: Outcome) -> Action {
        self.stage = Stage::Recording(Box::new(outcome));
        Action::Record(state)
    }

    fn error(&mut self, e: caldav::Error) -> Action {
        if !is_final(&e) {
            let error = Failure::from(e);
            let last_error = Some(error.to_string());
            let outcome = Outcome::pending(error);
            // Keep `Sending` if a PUT may have landed: recovery re-reads first.
            if self.sending {
                return Action::Finish(outcome);
            }
            return self.record(EntryState::Pending { last_error }, outcome);
        }
        let error = match e {
            Error::NotFound(_) => Failure::from(Cause::Removed(e)),
            _ => Failure::from(e),
        };
        self.record(EntryState::Failed { error: error.to_string() }, Outcome::Failed { error })
    }
}

fn diff(person_saw: &Object, now: &Object, me: &Identity) -> Diff {
    match (Document::parse(&person_saw.data), Document::parse(&now.data)) {
        (Ok(a), Ok(b)) => ical::diff::diff(&a, &b, me),
        // Unreadable on either side: a person must look.
        _ => Diff {
            changes: vec![ical::Change {
                field: ical::Field::Other,
                occurrence: None,
                before: "(unreadable)".into(),
                after: "(unreadable)".into(),
            }],
            minor: Vec::new(),
        },
    }
}

/// Refusals that asking again can't change; everything else (offline, a
/// changed password, a captive portal's certificate…) keeps the answer
/// pending for the next sync.
pub(crate) fn is_final(e: &caldav::Error) -> bool {
    matches!(
        e,
        Error::UidConflict { .. } | Error::AttendeeChangeForbidden | Error::Forbidden(_) | Error::NotFound(_)
    )
}
