//! Writing one change to an event the person organizes (or owns) so that
//! nobody's change is overwritten:
//!
//! * A new event is PUT with `If-None-Match: *`, so a retry after a crash
//!   can't make a second one: a 412 then means it landed (the resource
//!   there has its UID) or the address is taken (refused).
//! * An edit is written onto the server's bytes, conditional on the version
//!   it was made from: `If-Match` on its strong ETag, which changes when
//!   the server merges an attendee's answer (RFC 6638 §3.2.10 has the
//!   server merge answers into a write whose Schedule-Tag matches, but
//!   Xandikos 0.4.10, whose tags the capability record trusts, stores the
//!   stale copy and resets the answer: measured by the live test
//!   `attendee_answers_while_the_organizer_changes_the_place`); the tag
//!   only where no strong ETag is given. On 412 the server's version is
//!   read and merged three ways: parts changed on one side only are merged and
//!   written; the same part changed on both sides stops the write, the
//!   change waits in the outbox and the person decides.
//! * The entry is `Sending` on disk before each write; a process killed
//!   mid-write re-reads the server's copy first, and a change already
//!   there is not applied twice.

use serde::Serialize;
use url::Url;

use super::steps::{MAX_MERGES, Trust, is_final};
use crate::caldav::{
    self, Capabilities, Client, Delete, Error, Get, Object, Precondition, Put, SchedulingHeaders,
};
use crate::ical::{self, Clash, Draft, Scope, edit};
use crate::store::{EventChange, EventEntry, EventState, Outbox};
use crate::sync::engine::EngineError;
use crate::sync::failure::{Cause, Failure};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum EventOutcome {
    /// The server has it; its copy now (None once deleted).
    Saved { object: Option<Object> },
    /// Not written yet; it stays in the outbox for the next sync.
    Queued { error: Failure, offline: bool },
    /// The same fields changed on the server: the person decides.
    Conflict { clashes: Vec<Clash>, server: Object },
    /// Refused for good; with why.
    Failed { error: Failure },
}

struct Run<'a> {
    client: &'a Client,
    outbox: &'a Outbox,
    trust: Trust,
    entry: EventEntry,
    /// A write may have landed (the entry is `Sending` on disk).
    sending: bool,
}

pub async fn send(
    client: &Client,
    outbox: &Outbox,
    caps: Option<&Capabilities>,
    organizer: Option<&str>,
    entry: EventEntry,
) -> Result<EventOutcome, EngineError> {
    let sending = matches!(entry.state, EventState::Sending);
    let mut run = Run { client, outbox, trust: Trust::of(caps), entry, sending };
    match run.entry.change.clone() {
        EventChange::Create => run.create(organizer).await,
        EventChange::Edit { scope, before, after } => run.edit(&scope, &before, &after, organizer).await,
        EventChange::Delete { scope, .. } => run.delete(&scope).await,
        EventChange::Remove => run.remove().await,
    }
}

fn rid(scope: &Scope) -> Option<&str> {
    match scope {
        Scope::All => None,
        Scope::ThisOne { recurrence_id } | Scope::ThisAndFollowing { recurrence_id } => Some(recurrence_id),
    }
}

impl Run<'_> {
    fn url(&self) -> Url {
        self.entry.base.url.clone()
    }

    fn record(&mut self, state: EventState) -> Result<(), EngineError> {
        self.entry.state = state;
        Ok(self.outbox.put_event(&self.entry)?)
    }

    async fn mark_sending(&mut self) -> Result<(), EngineError> {
        self.sending = true;
        self.record(EventState::Sending)
    }

    /// Done: the entry leaves the outbox; the server's copy is read for the
    /// cache (Cyrus and DAViCal send no ETag with a PUT's answer).
    async fn saved(&mut self, deleted: bool) -> Result<EventOutcome, EngineError> {
        self.outbox.remove_event(&self.entry.uid)?;
        if deleted {
            return Ok(EventOutcome::Saved { object: None });
        }
        let object = self.client.run(&Get { url: self.url() }).await.ok();
        Ok(EventOutcome::Saved { object })
    }

    fn error(&mut self, e: caldav::Error) -> Result<EventOutcome, EngineError> {
        let final_ = is_final(&e);
        let error = match e {
            Error::NotFound(_) => Failure::from(Cause::Removed(e)),
            e => Failure::from(e),
        };
        if final_ {
            self.record(EventState::Failed { error: error.to_string() })?;
            return Ok(EventOutcome::Failed { error });
        }
        // Keep `Sending` if a write may have landed: recovery re-reads first.
        if !self.sending {
            self.record(EventState::Pending { last_error: Some(error.to_string()) })?;
        }
        Ok(EventOutcome::Queued { offline: error.is_offline(), error })
    }

    fn failed(&mut self, error: Failure) -> Result<EventOutcome, EngineError> {
        self.record(EventState::Failed { error: error.to_string() })?;
        Ok(EventOutcome::Failed { error })
    }

    async fn get(&self) -> Result<Object, caldav::Error> {
        self.client.run(&Get { url: self.url() }).await
    }

    async fn create(&mut self, organizer: Option<&str>) -> Result<EventOutcome, EngineError> {
        self.mark_sending().await?;
        let put = Put {
            url: self.url(),
            data: self.entry.base.data.clone(),
            precondition: Precondition::IfNoneMatchAny,
            scheduling: SchedulingHeaders::default(),
        };
        match self.client.run(&put).await {
            Ok(_) => self.saved(false).await,
            Err(Error::AlreadyExists) => match self.get().await {
                // It landed before (a crash, a lost answer): exactly one. A
                // change made to it since goes out as an edit of that copy.
                Ok(there) if uid_of(&there.data).as_deref() == Some(self.entry.uid.as_str()) => {
                    let read = |data: &str| Draft::from_event(data, self.entry.calendar.clone(), None);
                    match (read(&there.data), read(&self.entry.base.data)) {
                        (Some(theirs), Some(ours)) if theirs != ours => {
                            self.entry.change = EventChange::Edit {
                                scope: Scope::All,
                                before: Box::new(theirs.clone()),
                                after: Box::new(ours.clone()),
                            };
                            self.entry.base = there;
                            self.record(EventState::Pending { last_error: None })?;
                            self.sending = false;
                            Box::pin(self.edit(&Scope::All, &theirs, &ours, organizer)).await
                        }
                        _ => self.saved(false).await,
                    }
                }
                Ok(_) => self.error(Error::AlreadyExists),
                Err(e) => self.error(e),
            },
            Err(e) => self.error(e),
        }
    }

    async fn edit(
        &mut self,
        scope: &Scope,
        before: &Draft,
        after: &Draft,
        organizer: Option<&str>,
    ) -> Result<EventOutcome, EngineError> {
        let mut current = self.entry.base.clone();
        // After a crash the write may have landed: look first.
        let mut must_read = self.sending;
        for _ in 0..=MAX_MERGES {
            if must_read || precondition(self.trust, &current).is_none() {
                current = match self.get().await {
                    Ok(o) => o,
                    Err(e) => return self.error(e),
                };
            }
            let theirs = Draft::from_event(&current.data, before.calendar.clone(), rid(scope))
                .unwrap_or_else(|| before.clone());
            let parts = match edit::merge(before, after, &theirs) {
                Ok(parts) => parts,
                Err(clashes) => {
                    self.record(EventState::Conflict { server: current.clone(), clashes: clashes.clone() })?;
                    return Ok(EventOutcome::Conflict { clashes, server: current });
                }
            };
            if parts.is_empty() {
                return self.saved(false).await;
            }
            let body = match edit::apply(&current.data, scope, after, &parts, organizer, true) {
                Ok(b) => b,
                Err(e) => return self.failed(Cause::Edit(e.to_string()).into()),
            };
            let Some(precondition) = precondition(self.trust, &current) else {
                return self.failed(Cause::NoStrongEtag.into());
            };
            self.mark_sending().await?;
            let put =
                Put { url: self.url(), data: body, precondition, scheduling: SchedulingHeaders::default() };
            match self.client.run(&put).await {
                Ok(_) => return self.saved(false).await,
                Err(Error::ScheduleTagMismatch | Error::EtagMismatch) => {
                    tracing::info!(uid = %self.entry.uid, "the event changed on the server; merging");
                    must_read = true;
                }
                Err(e) => return self.error(e),
            }
        }
        let error = Failure::from(Cause::KeptChanging);
        self.record(EventState::Pending { last_error: Some(error.to_string()) })?;
        Ok(EventOutcome::Queued { error, offline: false })
    }

    /// Always reads first: a deletion of what is already gone is done, and
    /// an occurrence's EXDATE is written on the server's current version.
    /// The attendees' copies follow each: an occurrence's EXDATE and a
    /// series' new end go out with SEQUENCE+1.
    async fn delete(&mut self, scope: &Scope) -> Result<EventOutcome, EngineError> {
        for _ in 0..=MAX_MERGES {
            let current = match self.get().await {
                Ok(o) => o,
                Err(Error::NotFound(_)) => return self.saved(true).await,
                Err(e) => return self.error(e),
            };
            let Some(precondition) = precondition(self.trust, &current) else {
                return self.failed(Cause::NoStrongEtag.into());
            };
            let body = match scope {
                // DELETE is how every scheduling server measured cancels the
                // attendees' copies (servers.md); a cancel is the same write.
                Scope::All => None,
                Scope::ThisOne { recurrence_id } => {
                    if edit::is_excluded(&current.data, recurrence_id) {
                        return self.saved(false).await;
                    }
                    Some(edit::exclude(&current.data, recurrence_id, true))
                }
                Scope::ThisAndFollowing { recurrence_id } => {
                    match edit::end_before(&current.data, recurrence_id, false) {
                        Ok(same) if same == current.data => return self.saved(false).await,
                        _ => Some(edit::end_before(&current.data, recurrence_id, true)),
                    }
                }
            };
            self.mark_sending().await?;
            let result = match body {
                None => {
                    let del =
                        Delete { url: self.url(), precondition, scheduling: SchedulingHeaders::default() };
                    self.client.run(&del).await
                }
                Some(Ok(data)) => {
                    let put =
                        Put { url: self.url(), data, precondition, scheduling: SchedulingHeaders::default() };
                    self.client.run(&put).await.map(|_| ())
                }
                Some(Err(e)) => return self.failed(Cause::Edit(e.to_string()).into()),
            };
            match result {
                Ok(()) | Err(Error::NotFound(_)) => return self.saved(matches!(scope, Scope::All)).await,
                Err(Error::ScheduleTagMismatch | Error::EtagMismatch) => continue,
                Err(e) => return self.error(e),
            }
        }
        let error = Failure::from(Cause::KeptChanging);
        self.record(EventState::Pending { last_error: Some(error.to_string()) })?;
        Ok(EventOutcome::Queued { error, offline: false })
    }

    /// The person's copy of a cancelled invitation, with `Schedule-Reply: F`
    /// so no decline goes to the organizer (all three scheduling servers
    /// measured honour it; DAViCal otherwise declines even a cancelled
    /// copy). Reads first: a copy already gone is done, and one the
    /// organizer has reinstated meanwhile stays (it is a live invitation
    /// again); a 412 reads again.
    async fn remove(&mut self) -> Result<EventOutcome, EngineError> {
        for _ in 0..=MAX_MERGES {
            let current = match self.get().await {
                Ok(o) => o,
                Err(Error::NotFound(_)) => return self.saved(true).await,
                Err(e) => return self.error(e),
            };
            if !is_cancelled(&current.data) {
                return self.failed(Cause::Reinstated.into());
            }
            let Some(precondition) = precondition(self.trust, &current) else {
                return self.failed(Cause::NoStrongEtag.into());
            };
            self.mark_sending().await?;
            let scheduling =
                SchedulingHeaders { schedule_reply: Some(false), ..SchedulingHeaders::default() };
            match self.client.run(&Delete { url: self.url(), precondition, scheduling }).await {
                Ok(()) | Err(Error::NotFound(_)) => return self.saved(true).await,
                Err(Error::ScheduleTagMismatch | Error::EtagMismatch) => continue,
                Err(e) => return self.error(e),
            }
        }
        let error = Failure::from(Cause::KeptChanging);
        self.record(EventState::Pending { last_error: Some(error.to_string()) })?;
        Ok(EventOutcome::Queued { error, offline: false })
    }
}

/// The whole event is cancelled (its main VEVENT's STATUS).
fn is_cancelled(data: &str) -> bool {
    ical::Document::parse(data).ok().is_some_and(|doc| {
        doc.calendar().and_then(ical::invitation::main_event).is_some_and(ical::event::is_cancelled)
    })
}

/// The organizer's precondition: the strong ETag first (see the module),
/// else a trusted Schedule-Tag.
fn precondition(trust: Trust, current: &Object) -> Option<Precondition> {
    match &current.etag {
        Some(etag) if !etag.is_weak() => Some(Precondition::IfMatch(etag.clone())),
        _ => trust.precondition(current),
    }
}

fn uid_of(data: &str) -> Option<String> {
    let doc = ical::Document::parse(data).ok()?;
    ical::invitation::main_event(doc.calendar()?).and_then(ical::event::uid)
}
