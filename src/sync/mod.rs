//! The sync engine and its actor. The engine owns one account's client,
//! cache and outbox; the actor runs it as a tokio task that the UI talks to
//! only by messages: [`Control`] in, [`Update`] out. No UI type in here.

pub mod actor;
pub mod engine;
pub mod failure;
mod importing;
pub mod listing;
mod mailed;
mod messages;
mod organizing;
mod reading;
mod refresh;
mod replying;
pub mod send;

pub use actor::{Control, Handle, Resolution, Update, spawn};
pub use engine::{Engine, EngineError, Held};
pub use failure::{Failure, Kind as FailureKind};
pub use importing::{ImportRequest, calendar_label};
pub use listing::{AgendaItem, Details, Listing, ReplyState, TOO_OFTEN};
pub use mailed::{Cancelled, MailedAnswer, MailedDone, MailedError, MailedOutcome, Stored};
pub use organizing::Availability;
pub use reading::LISTED_AFTER_DAYS;
pub use refresh::{NotSynced, SyncProgress, SyncReport};
pub use send::{EventOutcome, Outcome};

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
