//! The reminder scheduler, a pure function: the events (with their
//! VALARMs), what the person dismissed or snoozed, and the time now give
//! the reminders to ring, those missed, and when to look again.
//!
//! Repeating events ring per occurrence (the expansion the views use).
//! A reminder whose time passed more than [`LATE`] ago without ringing
//! (the machine slept, the app was closed) is "missed": listed, and
//! announced together, never as a storm of notifications.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::alarm::{self, Alarm, Trigger};
use crate::ical::event;
use crate::ical::lines::{Component, Document};
use crate::ical::occurrence::{self, Occurrence};

/// How late a reminder may still ring as if on time: a wake-up or a slow
/// tick; later than this it is missed.
pub const LATE: Duration = Duration::minutes(5);

/// How far ahead the next wake-up is looked for; the caller plans again
/// at least this often and whenever the events change.
pub const HORIZON: Duration = Duration::days(7);

/// One alarm of one occurrence: what a dismissal or a snooze is kept by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RingKey {
    pub uid: String,
    /// The occurrence's start, Unix seconds (stable whatever the form of
    /// its RECURRENCE-ID).
    pub occurrence: i64,
    pub alarm: String,
}

impl RingKey {
    /// The text stored in the cache and used as the notification's tag.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_text(text: &str) -> Option<RingKey> {
        serde_json::from_str(text).ok()
    }
}

/// What the person did with a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    Dismissed,
    /// Rings again at this time.
    Snoozed(DateTime<Utc>),
}

pub type Acks = HashMap<RingKey, Ack>;

/// A reminder to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring {
    pub key: RingKey,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// The occurrence's start.
    pub starts: DateTime<Utc>,
    pub all_day: bool,
    /// When it was due (the latest repetition, or the snooze's end).
    pub due: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Due now (at most [`LATE`] ago), oldest first.
    pub ringing: Vec<Ring>,
    /// Due earlier and not yet dismissed, oldest first.
    pub missed: Vec<Ring>,
    /// The next time something becomes due, within [`HORIZON`].
    pub next: Option<DateTime<Utc>>,
}

/// The reminders of `objects` (iCalendar texts) due in `(since, now]` and
/// the next one after `now`. `zone` is the person's: all-day events start
/// at its midnight and "-P1D" counts its days.
pub fn plan<Z: TimeZone>(
    objects: &[&str],
    acks: &Acks,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: &Z,
) -> Plan {
    let mut out = Plan::default();
    for data in objects {
        if let Ok(doc) = Document::parse(data) {
            plan_object(&doc, acks, since, now, zone, &mut out);
        }
    }
    out.ringing.sort_by(|a, b| (a.due, &a.key).cmp(&(b.due, &b.key)));
    out.missed.sort_by(|a, b| (a.due, &a.key).cmp(&(b.due, &b.key)));
    out
}

fn plan_object<Z: TimeZone>(
    doc: &Document,
    acks: &Acks,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    zone: &Z,
    out: &mut Plan,
) {
    let Some(cal) = doc.calendar() else { return };
    let events: Vec<(&Component, Vec<Alarm>)> =
        cal.children().filter(|c| c.name == "VEVENT").map(|e| (e, alarm::alarms(e))).collect();
    if events.iter().all(|(_, a)| a.is_empty()) {
        return;
    }
    let reach = events
        .iter()
        .flat_map(|(_, a)| a)
        .map(|a| match &a.trigger {
            Trigger::Relative { offset, .. } => offset.reach() + a.every * a.repeat as i32,
            Trigger::Absolute(_) => Duration::zero(),
        })
        .max()
        .unwrap_or_else(Duration::zero);
    // A snooze still running may be for an occurrence long past (snoozed
    // for a week): it is expanded too, or it would never ring again.
    let uid = events.iter().find_map(|(e, _)| event::uid(e));
    let snoozed = acks
        .iter()
        .filter(|(k, ack)| {
            Some(&k.uid) == uid.as_ref() && matches!(ack, Ack::Snoozed(until) if *until > since)
        })
        .filter_map(|(k, _)| DateTime::from_timestamp(k.occurrence, 0))
        .min();
    let from = snoozed.map_or(since, |s| s.min(since)) - reach;
    let found = occurrence::expand_document(doc, from, now + HORIZON + reach);
    for occ in found.occurrences.iter().filter(|o| !o.cancelled) {
        // An overridden instance carries its own alarms (or none).
        let own = events.iter().find(|(e, _)| {
            e.prop("RECURRENCE-ID").is_some()
                && occ.recurrence_id.is_some()
                && event::recurrence_id(e) == occ.recurrence_id
        });
        let master = || events.iter().find(|(e, _)| e.prop("RECURRENCE-ID").is_none());
        let Some((ev, alarms)) = own.or_else(master) else { continue };
        let (starts, ends) = bounds(occ, zone);
        for a in alarms {
            let Trigger::Relative { offset, from_end } = &a.trigger else { continue };
            let Some(first) = offset.apply(if *from_end { ends } else { starts }, zone) else { continue };
            let ring = ring(ev, occ.all_day, starts, &occ.uid, a);
            decide(ring, a, first, acks, since, now, out);
        }
    }
    // Absolute triggers ring once, keyed by the event's own start.
    for (ev, alarms) in &events {
        let Some(start) = event::start(ev).as_ref().and_then(crate::ical::time::to_local) else { continue };
        for a in alarms {
            let Trigger::Absolute(at) = a.trigger else { continue };
            let uid = event::uid(ev).unwrap_or_default();
            let ring =
                ring(ev, event::start(ev).is_some_and(|s| s.is_date()), start.with_timezone(&Utc), &uid, a);
            decide(ring, a, at, acks, since, now, out);
        }
    }
}

/// An occurrence's start and end as instants; an all-day one from the
/// person's midnight.
fn bounds<Z: TimeZone>(occ: &Occurrence, zone: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
    let instant = |t: &DateTime<chrono::Local>| {
        if occ.all_day {
            zone.from_local_datetime(&t.naive_local()).earliest().map(|z| z.with_timezone(&Utc))
        } else {
            None
        }
        .unwrap_or_else(|| t.with_timezone(&Utc))
    };
    (instant(&occ.start), instant(&occ.end))
}

fn ring(ev: &Component, all_day: bool, starts: DateTime<Utc>, uid: &str, a: &Alarm) -> Ring {
    Ring {
        key: RingKey { uid: uid.to_owned(), occurrence: starts.timestamp(), alarm: a.id.clone() },
        summary: event::text(ev, "SUMMARY").unwrap_or_else(|| "(no title)".into()),
        description: a.description.clone().filter(|d| !d.trim().is_empty() && d.trim() != "Reminder"),
        location: event::text(ev, "LOCATION"),
        starts,
        all_day,
        due: starts,
    }
}

/// Where one alarm stands at `now`: ringing, missed, acknowledged, or to
/// come (which may bring the next wake-up forward).
fn decide(
    mut ring: Ring,
    a: &Alarm,
    first: DateTime<Utc>,
    acks: &Acks,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    out: &mut Plan,
) {
    let mut times: Vec<DateTime<Utc>> =
        (0..=a.repeat as i32).filter_map(|k| first.checked_add_signed(a.every * k)).collect();
    match acks.get(&ring.key) {
        Some(Ack::Dismissed) => return,
        Some(Ack::Snoozed(until)) => {
            times.retain(|t| t > until);
            times.insert(0, *until);
        }
        None => {}
    }
    if let Some(ack) = a.acknowledged {
        times.retain(|t| *t > ack);
    }
    if let Some(t) = times.iter().find(|t| **t > now)
        && *t <= now + HORIZON
    {
        out.next = Some(out.next.map_or(*t, |n| n.min(*t)));
    }
    let Some(due) = times.iter().rev().find(|t| **t <= now && **t > since) else { return };
    ring.due = *due;
    if now - *due <= LATE {
        out.ringing.push(ring);
    } else {
        out.missed.push(ring);
    }
}

/// The acknowledgements as the cache keeps them: (key text, snoozed until
/// in Unix seconds, or None for dismissed). Rows that don't read are
/// skipped (a key from a later version).
pub fn acks_from(rows: impl IntoIterator<Item = (String, Option<i64>)>) -> Acks {
    rows.into_iter()
        .filter_map(|(key, until)| {
            let ack = match until {
                None => Ack::Dismissed,
                Some(t) => Ack::Snoozed(DateTime::from_timestamp(t, 0)?),
            };
            Some((RingKey::from_text(&key)?, ack))
        })
        .collect()
}

/// One acknowledgement as a cache row.
pub fn ack_row(key: &RingKey, ack: Ack) -> (String, Option<i64>) {
    let until = match ack {
        Ack::Dismissed => None,
        Ack::Snoozed(t) => Some(t.timestamp()),
    };
    (key.to_text(), until)
}
