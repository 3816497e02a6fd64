//! Invitations in iCalendar: who the user is in an event, the reply edit
//! that keeps every other byte, and what changed between two versions.

pub mod build;
pub mod conflicts;
pub mod delegation;
pub mod diff;
pub mod draft;
pub mod edit;
pub mod event;
pub mod freebusy;
mod from_event;
pub mod identity;
pub mod imip;
pub mod invitation;
pub mod lines;
pub mod occurrence;
pub mod repeat;
pub mod reply;
pub mod seen;
pub mod time;
pub mod vtimezone;

pub use diff::{Change, Diff, Field};
pub use draft::{Draft, Scope};
pub use edit::Clash;
pub use identity::Identity;
pub use invitation::{Invitation, Role};
pub use lines::{Document, ParseError};
pub use reply::{Answer, Reply, ReplyError};
