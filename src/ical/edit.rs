//! Changing an existing event: the fields that differ between two drafts
//! (what the person started from, what they made of it), and where the
//! server's version changed the same field meanwhile.

use serde::{Deserialize, Serialize};

use super::diff::Field;

/// One field changed both here and on the server since the person started
/// (another device moved the meeting while this one moved it too): the
/// person decides, nothing is sent before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clash {
    pub field: Field,
    /// What the person started from.
    pub before: String,
    /// The person's change.
    pub mine: String,
    /// The server's version now.
    pub theirs: String,
}
