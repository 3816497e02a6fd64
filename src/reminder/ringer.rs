//! Between the scheduler and the desktop: which reminders to show now
//! (each once per due time; the missed ones together, in one notice), the
//! words and buttons of their notifications, and what each button does.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::schedule::{Ack, Acks, Ring, RingKey, plan};
use crate::desktop::Notice;

/// The buttons of a reminder: (action key, label, minutes).
pub const SNOOZES: [(&str, &str, i64); 3] =
    [("snooze-5", "Snooze 5 min", 5), ("snooze-15", "15 min", 15), ("snooze-60", "1 h", 60)];
pub const DISMISS: &str = "dismiss";
/// What the app's list offers ("Snooze for…"), where there is room for
/// more than the notification's three buttons.
pub const SNOOZE_CHOICES: [SnoozeFor; 8] = [
    SnoozeFor("5 minutes", 5),
    SnoozeFor("10 minutes", 10),
    SnoozeFor("15 minutes", 15),
    SnoozeFor("30 minutes", 30),
    SnoozeFor("1 hour", 60),
    SnoozeFor("2 hours", 120),
    SnoozeFor("1 day", 1440),
    SnoozeFor("1 week", 10080),
];

/// A snooze choice: its label and minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnoozeFor(pub &'static str, pub i64);

impl std::fmt::Display for SnoozeFor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The action key snoozing for `minutes`.
pub fn snooze_action(minutes: i64) -> String {
    format!("snooze-{minutes}")
}

/// The minutes of a snooze action ("snooze-N"), a week at most.
pub fn snooze_minutes(action: &str) -> Option<i64> {
    let minutes: i64 = action.strip_prefix("snooze-")?.parse().ok()?;
    (1..=10080).contains(&minutes).then_some(minutes)
}

/// A notification to put up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    Ring(Ring),
    /// Reminders that came due while nobody could see them: one notice.
    Missed(Vec<Ring>),
}

#[derive(Debug, Clone, Default)]
pub struct Ringer {
    acks: Acks,
    since: DateTime<Utc>,
    /// Shown in this run, at which due time: a reminder shows once per ring.
    shown: HashMap<RingKey, DateTime<Utc>>,
    missed: Vec<Ring>,
    next: Option<DateTime<Utc>>,
}

impl Ringer {
    /// `acks` as stored; reminders due before `since` are no longer
    /// mentioned (the app passes a day before its start).
    pub fn new(acks: Acks, since: DateTime<Utc>) -> Ringer {
        Ringer { acks, since, ..Ringer::default() }
    }

    /// Acknowledgements read from an account's cache, added to those known.
    pub fn remember(&mut self, acks: Acks) {
        self.acks.extend(acks);
    }

    /// What to show at `now`, given the person's events.
    pub fn plan<Z: TimeZone>(&mut self, objects: &[&str], now: DateTime<Utc>, zone: &Z) -> Vec<Show> {
        // A week back at most: what a long-running app expands stays small.
        let since = self.since.max(now - Duration::days(7));
        let p = plan(objects, &self.acks, since, now, zone);
        let mut out = Vec::new();
        for r in p.ringing {
            if self.shown.insert(r.key.clone(), r.due) != Some(r.due) {
                out.push(Show::Ring(r));
            }
        }
        // Rung and ignored is not news: only what was never shown.
        let fresh: Vec<Ring> =
            p.missed.iter().filter(|r| self.shown.get(&r.key) != Some(&r.due)).cloned().collect();
        for r in &fresh {
            self.shown.insert(r.key.clone(), r.due);
        }
        if !fresh.is_empty() {
            out.push(Show::Missed(fresh));
        }
        self.missed = p.missed;
        self.next = p.next;
        out
    }

    /// When to plan again (the caller also plans when events change).
    pub fn next(&self) -> Option<DateTime<Utc>> {
        self.next
    }

    /// Reminders past their time and not dismissed, for the in-app list.
    pub fn missed(&self) -> &[Ring] {
        &self.missed
    }

    /// A button pressed on reminder `key` (in a notification or the app):
    /// the acknowledgement, to be stored; None for anything else.
    pub fn answer(&mut self, key: &RingKey, action: &str, now: DateTime<Utc>) -> Option<Ack> {
        let ack = if action == DISMISS {
            Ack::Dismissed
        } else {
            Ack::Snoozed(now + Duration::minutes(snooze_minutes(action)?))
        };
        self.acks.insert(key.clone(), ack);
        self.missed.retain(|r| r.key != *key);
        Some(ack)
    }
}

/// "Standup" / "09:00–, in 15 min · Room 4", with the snooze and dismiss
/// buttons.
pub fn notice<Z: TimeZone>(r: &Ring, now: DateTime<Utc>, zone: &Z) -> Notice
where
    Z::Offset: std::fmt::Display,
{
    let when = if r.all_day {
        r.starts.with_timezone(zone).format("%a %d %b, all day").to_string()
    } else {
        let at = r.starts.with_timezone(zone).format("%H:%M");
        // Whole minutes, rounded away from now: 59 s ahead is "in 1 min".
        let seconds = (r.starts - now).num_seconds();
        let minutes = seconds.signum() * ((seconds.abs() + 59) / 60);
        match minutes {
            m if m > 0 => format!("{at}, in {}", words(m)),
            m if m < 0 => format!("{at}, started {} ago", words(-m)),
            _ => format!("{at}, now"),
        }
    };
    let mut body = when;
    if let Some(l) = &r.location {
        body.push_str(&format!(" · {l}"));
    }
    if let Some(d) = &r.description {
        body.push_str(&format!("\n{d}"));
    }
    let mut actions: Vec<(String, String)> =
        SNOOZES.iter().map(|(k, label, _)| ((*k).to_owned(), (*label).to_owned())).collect();
    actions.push((DISMISS.to_owned(), "Dismiss".to_owned()));
    Notice { summary: r.summary.clone(), body, actions, resident: true }
}

/// One notice for all the reminders missed while asleep; its body click
/// opens the list in the app.
pub fn missed_notice(rings: &[Ring]) -> Notice {
    let mut names: Vec<&str> = rings.iter().take(5).map(|r| r.summary.as_str()).collect();
    if rings.len() > 5 {
        names.push("…");
    }
    let summary = match rings.len() {
        1 => "1 reminder missed".to_owned(),
        n => format!("{n} reminders missed"),
    };
    Notice {
        summary,
        body: names.join(", "),
        actions: vec![("default".to_owned(), "Show".to_owned())],
        resident: false,
    }
}

pub(crate) fn words(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m % 60 == 0 && m < 48 * 60 => format!("{} h", m / 60),
        m if m < 48 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} days", m / (24 * 60)),
    }
}
