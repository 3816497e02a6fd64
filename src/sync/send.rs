//! Sending one reply so that an organizer's concurrent change is never
//! overwritten, on every server:
//!
//! * The precondition is `If-Schedule-Tag-Match` only where the capability
//!   record trusts the server's tag; elsewhere `If-Match` on a strong ETag
//!   (Cyrus 3.6.1 accepts stale tags; DAViCal ignores the header). With no
//!   usable ETag the server's copy is read first.
//! * On 412 the server's version is read and compared with the version the
//!   person answered. Only other attendees' answers or bookkeeping changed:
//!   the reply is re-applied on the new version and sent again (bounded).
//!   Anything consequential: stop, keep the reply, report the conflict.
//! * The entry is marked `Sending` on disk before each PUT, so a process
//!   killed mid-send re-reads the server's copy on recovery instead of
//!   sending the answer twice.

use serde::{Deserialize, Serialize};

use super::engine::EngineError;
use crate::caldav::{
    self, Capabilities, Client, Error, Get, Object, Precondition, Put, SchedulingHeaders, Written,
};
use crate::ical::{self, Diff, Document, Identity};
use crate::store::{Entry, EntryState, Outbox};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The server has the answer; `object` is its copy now.
    Sent { object: Object },
    /// Not sent yet; it stays in the outbox. `offline`: the server could
    /// not be reached (as opposed to, say, a refused password).
    Pending { error: String, offline: bool },
    /// The organizer changed something that matters; the person decides.
    Conflict { diff: Diff, server: Object },
    /// Refused for good (UID conflict, forbidden change, event gone).
    Failed { error: String },
}

/// Automatic re-applications after inconsequential changes.
const MAX_MERGES: usize = 3;

fn precondition(caps: Option<&Capabilities>, base: &Object) -> Option<Precondition> {
    let trusted = caps.is_some_and(|c| c.schedule_tag_trusted.is_true());
    match (&base.schedule_tag, &base.etag) {
        (Some(tag), _) if trusted => Some(Precondition::IfScheduleTagMatch(tag.clone())),
        (_, Some(etag)) if !etag.is_weak() => Some(Precondition::IfMatch(etag.clone())),
        _ => None,
    }
}

/// Whether the tags in a PUT response may be stored as the new version's.
fn response_tags_reliable(caps: Option<&Capabilities>, written: &Written) -> bool {
    let Some(c) = caps else { return false };
    let tag_ok =
        !c.schedule_tag.is_true() || (c.schedule_tag_trusted.is_true() && written.schedule_tag.is_some());
    c.etag_on_put.is_true() && written.etag.as_ref().is_some_and(|e| !e.is_weak()) && tag_ok
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

fn set_state(outbox: &Outbox, entry: &mut Entry, state: EntryState) -> Result<(), EngineError> {
    entry.state = state;
    outbox.put(entry)?;
    Ok(())
}

pub async fn send(
    client: &Client,
    outbox: &Outbox,
    caps: Option<&Capabilities>,
    me: &Identity,
    mut entry: Entry,
) -> Result<Outcome, EngineError> {
    let person_saw = entry.base.clone();
    let mut current = entry.base.clone();
    let mut must_read = matches!(entry.state, EntryState::Sending);

    for _ in 0..=MAX_MERGES {
        // A send may have landed before a crash, or the copy has no usable
        // tag: look at the server's copy before writing.
        let pre = match precondition(caps, &current) {
            Some(pre) if !must_read => pre,
            _ => {
                let fresh = match client.run(&Get { url: current.url.clone() }).await {
                    Ok(o) => o,
                    Err(e) => return finish_error(outbox, &mut entry, e),
                };
                if ical::reply::is_applied(&fresh.data, &entry.reply) {
                    outbox.remove(&entry.uid)?;
                    return Ok(Outcome::Sent { object: fresh });
                }
                let d = diff(&person_saw, &fresh, me);
                if d.is_consequential() {
                    return conflict(outbox, &mut entry, d, fresh);
                }
                current = fresh;
                match precondition(caps, &current) {
                    Some(pre) => pre,
                    None => {
                        let error =
                            "the server gives this event no strong ETag, so a safe reply is impossible"
                                .to_owned();
                        set_state(outbox, &mut entry, EntryState::Failed { error: error.clone() })?;
                        return Ok(Outcome::Failed { error });
                    }
                }
            }
        };
        let body = ical::reply::apply(&current.data, &entry.reply)?;
        set_state(outbox, &mut entry, EntryState::Sending)?;
        let put = Put {
            url: current.url.clone(),
            data: body.clone(),
            precondition: pre,
            scheduling: SchedulingHeaders::default(),
        };
        match client.run(&put).await {
            Ok(written) => {
                outbox.remove(&entry.uid)?;
                let object = if response_tags_reliable(caps, &written) {
                    Object {
                        url: current.url.clone(),
                        etag: written.etag,
                        schedule_tag: written.schedule_tag,
                        data: body,
                    }
                } else {
                    // The server may have merged others' answers or given a
                    // tag that isn't the resource's: read the real thing.
                    match client.run(&Get { url: current.url.clone() }).await {
                        Ok(o) => o,
                        Err(_) => {
                            Object { url: current.url.clone(), etag: None, schedule_tag: None, data: body }
                        }
                    }
                };
                return Ok(Outcome::Sent { object });
            }
            Err(Error::ScheduleTagMismatch | Error::EtagMismatch) => {
                tracing::info!(uid = %entry.uid, "the event changed on the server; comparing");
                must_read = true;
            }
            Err(e) => return finish_error(outbox, &mut entry, e),
        }
    }
    let error = "the event kept changing on the server; try again later".to_owned();
    set_state(outbox, &mut entry, EntryState::Pending { last_error: Some(error.clone()) })?;
    Ok(Outcome::Pending { error, offline: false })
}

fn conflict(outbox: &Outbox, entry: &mut Entry, diff: Diff, server: Object) -> Result<Outcome, EngineError> {
    set_state(outbox, entry, EntryState::Conflict { server: server.clone(), diff: diff.clone() })?;
    Ok(Outcome::Conflict { diff, server })
}

/// Refusals that asking again can't change; everything else (offline, a
/// changed password, a captive portal's certificate…) keeps the answer
/// pending for the next sync.
fn is_final(e: &caldav::Error) -> bool {
    matches!(
        e,
        Error::UidConflict { .. } | Error::AttendeeChangeForbidden | Error::Forbidden(_) | Error::NotFound(_)
    )
}

fn finish_error(outbox: &Outbox, entry: &mut Entry, e: caldav::Error) -> Result<Outcome, EngineError> {
    let error = e.to_string();
    if !is_final(&e) {
        // Keep `Sending` if a PUT may have landed: recovery re-reads first.
        if entry.state != EntryState::Sending {
            set_state(outbox, entry, EntryState::Pending { last_error: Some(error.clone()) })?;
        }
        return Ok(Outcome::Pending { error, offline: e.is_transient() });
    }
    let error = match e {
        Error::NotFound(_) => "the organizer removed this event".to_owned(),
        _ => error,
    };
    set_state(outbox, entry, EntryState::Failed { error: error.clone() })?;
    Ok(Outcome::Failed { error })
}
