//! Invitations still unanswered, announced again before they start: the
//! service's side of [`crate::reminder::invites`]. What was announced (or
//! snoozed) is kept in the account's cache through the same
//! [`Control::Acknowledge`] as a reminder's dismissal.

use chrono::{DateTime, Duration, Utc};

use super::{Out, REPLIES, Service, Shown};
use crate::desktop::Notice;
use crate::reminder::Ack;
use crate::reminder::invites::{InviteKey, Waiting, invitations_due, invite_acks_from};
use crate::reminder::ringer::words;
use crate::sync::{Control, Listing, ReplyState};

/// The snooze of an announcement: (action key, label, minutes).
pub const SNOOZE: (&str, &str, i64) = ("snooze-15", "Snooze 15 min", 15);

/// An invitation waiting for an answer, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingInvitation {
    pub uid: String,
    /// Its start (a repeating one's first).
    pub starts: DateTime<Utc>,
    pub summary: String,
    /// "Tue 4 Jun 10:00 — from Olga", as in the new-invitation notice.
    pub body: String,
}

impl WaitingInvitation {
    /// `l` if it waits for the person's answer (pending, and no reply sent
    /// or queued), with the notification's `body`.
    pub fn of(l: &Listing, body: impl FnOnce() -> String) -> Option<WaitingInvitation> {
        if !l.invitation.is_pending() || l.reply != ReplyState::None {
            return None;
        }
        let starts = l.invitation.start.as_ref().and_then(crate::ical::time::to_local)?;
        Some(WaitingInvitation {
            uid: l.invitation.uid.clone(),
            starts: starts.with_timezone(&Utc),
            summary: l.invitation.summary.clone().unwrap_or_default(),
            body: body(),
        })
    }
}

impl Service {
    /// Shows the announcements due at `now`; when the next one is, and the
    /// acknowledgements to keep in the accounts' caches.
    pub(super) async fn announce_again(&mut self, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Vec<Out>) {
        let mut next: Option<DateTime<Utc>> = None;
        let mut out = Vec::new();
        // Nowhere to show them: left for a run that can.
        let Some(notifier) = self.notifier.clone() else { return (None, out) };
        let accounts: Vec<String> = self.waiting.keys().cloned().collect();
        for account in accounts {
            let Some(acks) = self.invite_acks.get(&account) else { continue };
            let list = self.waiting.get(&account).cloned().unwrap_or_default();
            let waiting: Vec<Waiting> = list
                .iter()
                .map(|w| Waiting {
                    uid: w.uid.clone(),
                    starts: w.starts,
                    introduced: self.introduced.get(&(account.clone(), w.uid.clone())).copied(),
                })
                .collect();
            let plan = invitations_due(&waiting, &self.leads, acks, now);
            next = match (next, plan.next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            for a in plan.announce {
                let acks = self.invite_acks.entry(account.clone()).or_default();
                for k in &a.passed {
                    acks.insert(k.clone(), Ack::Dismissed);
                }
                let Some(w) = list.iter().find(|w| w.uid == a.uid) else { continue };
                let kept = if a.show {
                    match notifier.show(&notice(w, now), 0).await {
                        Ok(id) => {
                            let (uid, summary) = (w.uid.clone(), w.summary.clone());
                            let shown = Shown::Invitation {
                                account: account.clone(),
                                uid,
                                summary,
                                again: Some(a.key),
                            };
                            self.invitations.insert(id, shown);
                            true
                        }
                        // Not said: not kept, so the next run may say it.
                        Err(e) => {
                            tracing::info!("invitation not announced: {e}");
                            false
                        }
                    }
                } else {
                    true
                };
                if kept {
                    out.extend(a.passed.iter().map(|k| Out::Control {
                        account: account.clone(),
                        control: Control::Acknowledge { key: k.to_text(), snoozed_until: None },
                    }));
                }
            }
        }
        (next, out)
    }

    /// The announcement `id` snoozed: shown again when the snooze ends
    /// (if still unanswered), also after a restart.
    pub(super) async fn snoozed(
        &mut self,
        id: u32,
        account: String,
        key: InviteKey,
        now: DateTime<Utc>,
    ) -> Vec<Out> {
        let until = now + Duration::minutes(SNOOZE.2);
        self.invite_acks.entry(account.clone()).or_default().insert(key.clone(), Ack::Snoozed(until));
        if let Some(n) = &self.notifier {
            let _ = n.close(id).await;
        }
        let control = Control::Acknowledge { key: key.to_text(), snoozed_until: Some(until.timestamp()) };
        vec![Out::Control { account, control }]
    }

    /// The announcements kept in `account`'s cache. What this run knows is
    /// newer than a row read before it was written: kept.
    pub(super) fn remember_announced(&mut self, account: &str, rows: Vec<(String, Option<i64>)>) {
        let acks = self.invite_acks.entry(account.to_owned()).or_default();
        for (k, ack) in invite_acks_from(rows) {
            acks.entry(k).or_insert(ack);
        }
    }
}

/// "Not answered yet: Budget" / "In 1 h · Tue 10:00 — from Olga", with the
/// new invitation's buttons and a snooze.
fn notice(w: &WaitingInvitation, now: DateTime<Utc>) -> Notice {
    let minutes = ((w.starts - now).num_seconds() + 59) / 60;
    let body = format!("Starts in {} · {}", words(minutes.max(1)), w.body);
    let mut actions: Vec<(String, String)> =
        REPLIES.iter().map(|(k, l, _)| ((*k).to_owned(), (*l).to_owned())).collect();
    actions.push((SNOOZE.0.to_owned(), SNOOZE.1.to_owned()));
    actions.push(("default".into(), "Open".into()));
    Notice { summary: format!("Not answered yet: {}", w.summary), body, actions, resident: true }
}
