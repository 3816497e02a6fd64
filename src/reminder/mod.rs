//! Reminders: the VALARMs of the person's events, when each rings, and
//! what was dismissed or snoozed; the default reminder on accepted
//! invitations; and unanswered invitations announced again before they
//! start. No I/O and no clock of its own: the caller
//! passes the time, so the rules are tested at any date.

pub mod alarm;
pub mod default;
pub mod desk;
pub mod invites;
pub mod ringer;
pub mod schedule;
#[cfg(test)]
mod tests;

pub use schedule::{Ack, Acks, LATE, Plan, Ring, RingKey, ack_row, acks_from, plan};
