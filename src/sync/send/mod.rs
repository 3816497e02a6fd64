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
//!
//! The decisions are [`steps::Steps`], without I/O; [`send`] only runs its
//! actions against the server and the outbox and feeds the results back.

pub mod event;
pub mod steps;
#[cfg(test)]
mod tests;

use super::engine::EngineError;
use crate::caldav::{Capabilities, Client, Error, Get, Put, SchedulingHeaders};
use crate::ical::Identity;
use crate::store::{Entry, EntryState, Outbox};
use crate::sync::failure::Failure;
pub use event::EventOutcome;
pub use steps::Outcome;
use steps::{Action, Observation, Steps, Trust};

pub async fn send(
    client: &Client,
    outbox: &Outbox,
    caps: Option<&Capabilities>,
    me: &Identity,
    mut entry: Entry,
) -> Result<Outcome, EngineError> {
    // "Don't send" goes out only with what keeps it from the organizer; a
    // server that can't (the record changed since it was queued) gets nothing.
    let scheduling = match entry.reply.silent {
        false => SchedulingHeaders::default(),
        true => match caps.map(Capabilities::silent_reply) {
            Some(Ok(headers)) => headers,
            refused => {
                let reason = match refused {
                    Some(Err(why)) => why,
                    _ => "the server has not been reached yet".to_owned(),
                };
                let error = Failure::from(EngineError::SilentUnsupported(reason));
                entry.state = EntryState::Failed { error: error.to_string() };
                outbox.put(&entry)?;
                return Ok(Outcome::Failed { error });
            }
        },
    };
    let mut steps = Steps::new(&entry, Trust::of(caps), me.clone());
    let mut action = steps.start();
    loop {
        let seen = match action {
            Action::Get { url } => match client.run(&Get { url }).await {
                Ok(object) => Observation::Fetched(object),
                Err(e) => Observation::Failed(e),
            },
            Action::Record(state) => {
                entry.state = state;
                outbox.put(&entry)?;
                Observation::Stored
            }
            Action::Put { url, data, precondition } => {
                let put = Put { url, data, precondition, scheduling: scheduling.clone() };
                match client.run(&put).await {
                    Ok(written) => Observation::Written(written),
                    Err(e) => {
                        if matches!(e, Error::ScheduleTagMismatch | Error::EtagMismatch) {
                            tracing::info!(uid = %entry.uid, "the event changed on the server; comparing");
                        }
                        Observation::Failed(e)
                    }
                }
            }
            Action::MarkSent => {
                outbox.remove(&entry.uid)?;
                Observation::Stored
            }
            Action::Finish(outcome) => return Ok(outcome),
            Action::Abort(e) => return Err(e.into()),
        };
        action = steps.next(seen);
    }
}
