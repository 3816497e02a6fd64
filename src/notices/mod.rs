//! The app's desktop notifications as a service without a window: reminders
//! (scheduled, rung, snoozed, dismissed) and new invitations with Accept /
//! Tentative / Decline. It owns the notification connection; the app (or a
//! test) talks to it by messages: [`In`] from the accounts' actors, [`Out`]
//! to pass on. A reply from a notification is the same [`Control::Reply`]
//! the window's buttons send, so it goes through the same outbox and
//! precondition rules. Invitations still unanswered are announced again
//! before they start ([`crate::reminder::invites`]), with the same buttons
//! and a snooze.

mod again;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Local, Utc};
use tokio::sync::mpsc;

use crate::desktop::{Answer as Pressed, Notice, Notifier};
use crate::ical::Answer;
use crate::reminder::default::with_default_alarm;
use crate::reminder::desk::{Desk, Outcome};
use crate::reminder::invites::{InviteAcks, InviteKey};
use crate::reminder::ringer::Ringer;
use crate::reminder::{Ring, RingKey, ack_row, acks_from};
use crate::sync::Control;

pub use again::WaitingInvitation;

/// The buttons of an invitation's notification: (action key, label, answer).
pub const REPLIES: [(&str, &str, Answer); 3] = [
    ("accept", "Accept", Answer::Accept),
    ("tentative", "Tentative", Answer::Tentative),
    ("decline", "Decline", Answer::Decline),
];

#[derive(Debug, Clone)]
pub enum In {
    /// An account's events that have alarms, its accepted invitations
    /// without (rung with the default reminder), and its stored dismissals
    /// and snoozes (sent after every sync).
    Events { account: String, objects: Vec<String>, accepted: Vec<String>, acks: Vec<(String, Option<i64>)> },
    /// A new invitation to announce with its buttons.
    Invitation { account: String, uid: String, summary: String, body: String },
    /// An answer could not be sent now and waits in the outbox.
    ReplyQueued { account: String, uid: String },
    /// A reminder dismissed or snoozed in the app's list.
    Reminder { key: RingKey, action: String },
    /// An account's invitations waiting for an answer (none sent or
    /// queued), after every change of its list.
    Waiting { account: String, invitations: Vec<WaitingInvitation> },
    /// The reminder settings (`[reminders]` in the config): minutes before
    /// the start that accepted invitations without alarms ring, and that
    /// unanswered invitations are announced again.
    Settings { default_before: Option<i64>, invitation_before: Vec<i64> },
}

#[derive(Debug, Clone)]
pub enum Out {
    /// Send to this account's actor, as the window's button would.
    Control { account: String, control: Control },
    /// The body of an invitation's notification was clicked.
    OpenInvitation { account: String, uid: String },
    /// The reminders past their time and not dismissed, for the app's list.
    Missed(Vec<Ring>),
    /// The "reminders missed" notification was clicked.
    OpenMissed,
}

enum Shown {
    /// `again`: announced again before it starts, under this key (what
    /// its snooze is kept by); None for a new invitation.
    Invitation { account: String, uid: String, summary: String, again: Option<InviteKey> },
}

/// The service's state; [`run`] drives it with the real clock.
pub struct Service {
    /// None without a notification server: reminders are then only listed
    /// in the app, and invitations only answered there.
    notifier: Option<Notifier>,
    desk: Desk,
    objects: HashMap<String, Vec<String>>,
    /// Accepted invitations without alarms, by account.
    accepted: HashMap<String, Vec<String>>,
    /// Minutes before the start that they ring; None: they don't.
    default_before: Option<i64>,
    /// Which account each event (by UID) is in: where a dismissal is kept.
    accounts: HashMap<String, String>,
    invitations: HashMap<u32, Shown>,
    /// Answered from a notification and not yet known sent.
    answered: HashMap<(String, String), String>,
    /// Minutes before the start that unanswered invitations are announced again.
    leads: Vec<i64>,
    waiting: HashMap<String, Vec<WaitingInvitation>>,
    /// By account, once its cache's rows arrived: announcing before then
    /// could repeat what was said before a restart.
    invite_acks: HashMap<String, InviteAcks>,
    /// When each (account, UID)'s new-invitation notice was shown.
    introduced: HashMap<(String, String), DateTime<Utc>>,
}

impl Service {
    pub fn new(notifier: Option<Notifier>, now: DateTime<Utc>) -> Service {
        // Reminders of the last day that nobody dismissed count as missed.
        let ringer = Ringer::new(Default::default(), now - chrono::Duration::days(1));
        Service {
            desk: Desk::new(ringer, notifier.clone()),
            notifier,
            objects: HashMap::new(),
            accounts: HashMap::new(),
            invitations: HashMap::new(),
            answered: HashMap::new(),
            accepted: HashMap::new(),
            default_before: None,
            // None until the app's settings arrive.
            leads: Vec::new(),
            waiting: HashMap::new(),
            invite_acks: HashMap::new(),
            introduced: HashMap::new(),
        }
    }

    /// Plans the reminders at `now` and shows what is due (reminders, and
    /// invitations announced again); when to call again, and the missed
    /// reminders then the announcements to keep.
    pub async fn tick(&mut self, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, Vec<Out>) {
        let defaulted: Vec<String> = match self.default_before {
            Some(m) => self.accepted.values().flatten().filter_map(|d| with_default_alarm(d, m)).collect(),
            None => Vec::new(),
        };
        let all: Vec<&str> = self.objects.values().flatten().chain(&defaulted).map(String::as_str).collect();
        let next = self.desk.tick(&all, now, &Local).await;
        let mut out = vec![Out::Missed(self.desk.ringer.missed().to_vec())];
        let (again, kept) = self.announce_again(now).await;
        out.extend(kept);
        let next = match (next, again) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        (next, out)
    }

    pub async fn input(&mut self, message: In, now: DateTime<Utc>) -> Vec<Out> {
        match message {
            In::Events { account, objects, accepted, acks } => {
                for o in objects.iter().chain(&accepted) {
                    for uid in uids(o) {
                        self.accounts.insert(uid, account.clone());
                    }
                }
                self.desk.ringer.remember(acks_from(acks.clone()));
                self.remember_announced(&account, acks);
                self.objects.insert(account.clone(), objects);
                self.accepted.insert(account, accepted);
                Vec::new()
            }
            In::Waiting { account, invitations } => {
                self.waiting.insert(account, invitations);
                Vec::new()
            }
            In::Settings { default_before, invitation_before } => {
                self.leads = invitation_before;
                self.default_before = default_before;
                Vec::new()
            }
            In::Invitation { account, uid, summary, body } => {
                self.introduced.insert((account.clone(), uid.clone()), now);
                let mut actions: Vec<(String, String)> =
                    REPLIES.iter().map(|(k, l, _)| ((*k).to_owned(), (*l).to_owned())).collect();
                actions.push(("default".into(), "Open".into()));
                let notice =
                    Notice { summary: format!("Invitation: {summary}"), body, actions, resident: true };
                if let Some(n) = &self.notifier
                    && let Ok(id) = n.show(&notice, 0).await
                {
                    self.invitations.insert(id, Shown::Invitation { account, uid, summary, again: None });
                }
                Vec::new()
            }
            In::ReplyQueued { account, uid } => {
                if let Some(summary) = self.answered.remove(&(account, uid)) {
                    let notice = Notice {
                        summary: "Answer queued".into(),
                        body: format!(
                            "You are offline: your answer to “{summary}” is kept and sent when the server is reachable."
                        ),
                        ..Notice::default()
                    };
                    if let Some(n) = &self.notifier {
                        let _ = n.show(&notice, 0).await;
                    }
                }
                Vec::new()
            }
            In::Reminder { key, action } => match self.desk.ringer.answer(&key, &action, now) {
                Some(ack) => self.acknowledged(&key, ack, now),
                None => Vec::new(),
            },
        }
    }

    /// A button pressed on one of our notifications.
    pub async fn pressed(&mut self, pressed: Pressed, now: DateTime<Utc>) -> Vec<Out> {
        if let Pressed::Action { id, key } = &pressed
            && let Some(Shown::Invitation { account, uid, summary, again }) = self.invitations.remove(id)
        {
            if key == "default" {
                return vec![Out::OpenInvitation { account, uid }];
            }
            if let Some(again) = again
                && key == again::SNOOZE.0
            {
                return self.snoozed(*id, account, again, now).await;
            }
            let Some((_, _, answer)) = REPLIES.iter().find(|(k, _, _)| k == key) else { return Vec::new() };
            // Answered: not announced again, whatever the list says until
            // it is read again.
            if let Some(list) = self.waiting.get_mut(&account) {
                list.retain(|w| w.uid != uid);
            }
            self.answered.insert((account.clone(), uid.clone()), summary);
            let control =
                Control::Reply { uid, answer: *answer, comment: None, occurrence: None, as_address: None };
            return vec![Out::Control { account, control }];
        }
        if let Pressed::Closed { id, .. } = &pressed {
            self.invitations.remove(id);
        }
        match self.desk.answer(pressed, now).await {
            Some(Outcome::Acknowledged(key, ack)) => self.acknowledged(&key, ack, now),
            Some(Outcome::OpenMissed) => vec![Out::OpenMissed],
            None => Vec::new(),
        }
    }

    fn acknowledged(&mut self, key: &RingKey, ack: crate::reminder::Ack, _now: DateTime<Utc>) -> Vec<Out> {
        let mut out = vec![Out::Missed(self.desk.ringer.missed().to_vec())];
        if let Some(account) = self.accounts.get(&key.uid) {
            let (key, snoozed_until) = ack_row(key, ack);
            out.push(Out::Control {
                account: account.clone(),
                control: Control::Acknowledge { key, snoozed_until },
            });
        }
        out
    }
}

fn uids(data: &str) -> HashSet<String> {
    data.lines().filter_map(|l| l.strip_prefix("UID:")).map(|u| u.trim().to_owned()).collect()
}

/// Runs the service until `input` closes: wakes for the next reminder (and
/// every minute, so a clock change or a wake from sleep is noticed soon).
pub async fn run(notifier: Option<Notifier>, mut input: mpsc::Receiver<In>, out: mpsc::Sender<Out>) {
    let answers = match &notifier {
        Some(n) => n.answers().await.ok(),
        None => None,
    };
    // Without a server, a channel nobody sends on: no button is pressed.
    let (_none, silent) = mpsc::unbounded_channel();
    let notifier = notifier.filter(|_| answers.is_some());
    let mut pressed = answers.unwrap_or(silent);
    let mut service = Service::new(notifier, Utc::now());
    loop {
        let (next, outs) = service.tick(Utc::now()).await;
        for o in outs {
            if out.send(o).await.is_err() {
                return;
            }
        }
        let minute = Utc::now() + chrono::Duration::minutes(1);
        let wait = (next.unwrap_or(minute).min(minute) - Utc::now()).to_std().unwrap_or_default();
        let outs = tokio::select! {
            _ = tokio::time::sleep(wait) => Vec::new(),
            m = input.recv() => match m {
                Some(m) => service.input(m, Utc::now()).await,
                None => return,
            },
            Some(p) = pressed.recv() => service.pressed(p, Utc::now()).await,
        };
        for o in outs {
            if out.send(o).await.is_err() {
                return;
            }
        }
    }
}
