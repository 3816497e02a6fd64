//! Reminders on the desktop: the [`Ringer`] driven by a clock the caller
//! holds (the app's timer, a test's chosen times), its notices put up
//! through a [`Notifier`], and the buttons pressed turned back into
//! acknowledgements. No window needed.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::ringer::{self, Ringer, Show};
use super::schedule::{Ack, RingKey};
use crate::desktop::{Answer, Notifier};

/// What the caller acts on after a notification's button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Dismissed or snoozed: store it (it outlives a restart).
    Acknowledged(RingKey, Ack),
    /// The missed reminders' notice was clicked: show the list in the app.
    OpenMissed,
}

enum Shown {
    Ring(RingKey),
    Missed,
}

pub struct Desk {
    pub ringer: Ringer,
    /// None where there is no notification server: the reminders are
    /// still planned, and listed in the app when missed.
    notifier: Option<Notifier>,
    shown: HashMap<u32, Shown>,
}

impl Desk {
    pub fn new(ringer: Ringer, notifier: Option<Notifier>) -> Desk {
        Desk { ringer, notifier, shown: HashMap::new() }
    }

    /// Plans at `now` and shows what is due; the next time to call again.
    pub async fn tick<Z: TimeZone>(
        &mut self,
        objects: &[&str],
        now: DateTime<Utc>,
        zone: &Z,
    ) -> Option<DateTime<Utc>>
    where
        Z::Offset: std::fmt::Display,
    {
        for show in self.ringer.plan(objects, now, zone) {
            let (notice, shown) = match show {
                Show::Ring(r) => (ringer::notice(&r, now, zone), Shown::Ring(r.key)),
                Show::Missed(list) => (ringer::missed_notice(&list), Shown::Missed),
            };
            let Some(notifier) = &self.notifier else { continue };
            match notifier.show(&notice, 0).await {
                Ok(id) => {
                    self.shown.insert(id, shown);
                }
                // Still in the app's list of missed reminders.
                Err(e) => tracing::info!("reminder not shown: {e}"),
            }
        }
        self.ringer.next()
    }

    /// A signal from the notification server; None when it isn't ours or
    /// needs nothing (a reminder closed unanswered rings no more until
    /// the next start, and stays in the missed list).
    pub async fn answer(&mut self, answer: Answer, now: DateTime<Utc>) -> Option<Outcome> {
        match answer {
            Answer::Closed { id, .. } => {
                self.shown.remove(&id);
                None
            }
            Answer::Action { id, key } => match self.shown.remove(&id)? {
                Shown::Missed => Some(Outcome::OpenMissed),
                Shown::Ring(ring) => {
                    let ack = self.ringer.answer(&ring, &key, now)?;
                    if let Some(n) = &self.notifier {
                        let _ = n.close(id).await;
                    }
                    Some(Outcome::Acknowledged(ring, ack))
                }
            },
        }
    }
}
