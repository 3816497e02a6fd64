//! Invitations still unanswered, announced again before they start (by
//! default a day and an hour before: `[reminders] invitation_before`). A
//! pure function like the reminder scheduler: the invitations waiting, the
//! lead times, what was already announced or snoozed, and the time now
//! give what to announce and when to look again.
//!
//! An announcement is kept by (UID, start, lead), in the cache's reminder
//! table beside the reminders' dismissals, so a restart doesn't repeat it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::schedule::Ack;

/// One lead time of one invitation. Its text form has other fields than a
/// reminder's [`super::RingKey`], so neither reads as the other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InviteKey {
    pub invitation: String,
    /// The start announced, Unix seconds: a moved invitation is news again.
    pub starts: i64,
    /// Minutes before the start.
    pub lead: i64,
}

impl InviteKey {
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_text(text: &str) -> Option<InviteKey> {
        serde_json::from_str(text).ok()
    }
}

/// Announced (as [`Ack::Dismissed`]: nothing more to say) or snoozed.
pub type InviteAcks = HashMap<InviteKey, Ack>;

/// The cache's rows (as for [`super::acks_from`]) that are announcements.
pub fn invite_acks_from(rows: impl IntoIterator<Item = (String, Option<i64>)>) -> InviteAcks {
    rows.into_iter()
        .filter_map(|(key, until)| {
            let ack = match until {
                None => Ack::Dismissed,
                Some(t) => Ack::Snoozed(DateTime::from_timestamp(t, 0)?),
            };
            Some((InviteKey::from_text(&key)?, ack))
        })
        .collect()
}

/// An invitation waiting for the person's answer (none sent or queued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub uid: String,
    pub starts: DateTime<Utc>,
    /// When its "new invitation" notice was shown in this run, if it was:
    /// lead times already past then are not announced again.
    pub introduced: Option<DateTime<Utc>>,
}

/// What to do for one invitation now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announce {
    pub uid: String,
    /// Show a notification (false: only remember the keys, the person saw
    /// the invitation's own notice after these lead times).
    pub show: bool,
    /// The nearest lead time passed: what a snooze is kept under.
    pub key: InviteKey,
    /// Every lead time passed and not yet announced, to remember as
    /// announced: one notification, never one per lead time.
    pub passed: Vec<InviteKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvitePlan {
    pub announce: Vec<Announce>,
    pub next: Option<DateTime<Utc>>,
}

/// What to announce at `now`. Leads of zero or less are ignored; an
/// invitation that has started is not announced (its series' first start
/// for a repeating one).
pub fn invitations_due(
    waiting: &[Waiting],
    leads: &[i64],
    acks: &InviteAcks,
    now: DateTime<Utc>,
) -> InvitePlan {
    let mut out = InvitePlan::default();
    for w in waiting.iter().filter(|w| w.starts > now) {
        let mut passed: Vec<(DateTime<Utc>, InviteKey)> = Vec::new();
        for lead in leads.iter().copied().filter(|l| *l > 0) {
            let key = InviteKey { invitation: w.uid.clone(), starts: w.starts.timestamp(), lead };
            let due = match acks.get(&key) {
                Some(Ack::Dismissed) => continue,
                Some(Ack::Snoozed(until)) => *until,
                None => match Duration::try_minutes(lead).and_then(|d| w.starts.checked_sub_signed(d)) {
                    Some(t) => t,
                    None => continue,
                },
            };
            if due > now {
                out.next = Some(out.next.map_or(due, |n| n.min(due)));
            } else if !passed.iter().any(|(_, k)| *k == key) {
                passed.push((due, key));
            }
        }
        // The latest due time is the one to speak of (an hour before, not
        // a day before, when both passed while the app was closed).
        passed.sort_by_key(|(due, k)| (*due, std::cmp::Reverse(k.lead)));
        let Some((due, key)) = passed.last().cloned() else { continue };
        let show = w.introduced.is_none_or(|seen| seen < due);
        out.announce.push(Announce {
            uid: w.uid.clone(),
            show,
            key,
            passed: passed.into_iter().map(|(_, k)| k).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, d, h, m, 0).unwrap()
    }

    fn key(lead: i64) -> InviteKey {
        InviteKey { invitation: "i1".into(), starts: utc(10, 9, 0).timestamp(), lead }
    }

    const LEADS: &[i64] = &[1440, 60];

    /// (case, acks, introduced, now, announced: (shown, key's lead, passed leads), next)
    #[test]
    fn when_unanswered_invitations_are_announced_again() {
        #[allow(clippy::type_complexity)]
        let table: &[(
            &str,
            Vec<(i64, Ack)>,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
            Option<(bool, i64, Vec<i64>)>,
            Option<DateTime<Utc>>,
        )] = &[
            ("two days before: nothing yet", vec![], None, utc(8, 9, 0), None, Some(utc(9, 9, 0))),
            ("a day before", vec![], None, utc(9, 9, 0), Some((true, 1440, vec![1440])), Some(utc(10, 8, 0))),
            (
                "a day before, already announced (a restart)",
                vec![(1440, Ack::Dismissed)],
                None,
                utc(9, 9, 30),
                None,
                Some(utc(10, 8, 0)),
            ),
            (
                "an hour before",
                vec![(1440, Ack::Dismissed)],
                None,
                utc(10, 8, 0),
                Some((true, 60, vec![60])),
                None,
            ),
            (
                "both passed while the app was closed: one notice, of the hour before",
                vec![],
                None,
                utc(10, 8, 30),
                Some((true, 60, vec![1440, 60])),
                None,
            ),
            (
                "snoozed: silent until the snooze ends",
                vec![(1440, Ack::Snoozed(utc(9, 9, 15)))],
                None,
                utc(9, 9, 10),
                None,
                Some(utc(9, 9, 15)),
            ),
            (
                "snoozed: announced again when it ends",
                vec![(1440, Ack::Snoozed(utc(9, 9, 15)))],
                None,
                utc(9, 9, 15),
                Some((true, 1440, vec![1440])),
                Some(utc(10, 8, 0)),
            ),
            (
                "new this morning: its own notice was the day-before one",
                vec![],
                Some(utc(9, 20, 0)),
                utc(9, 20, 0),
                Some((false, 1440, vec![1440])),
                Some(utc(10, 8, 0)),
            ),
            (
                "new this morning, an hour before: announced",
                vec![(1440, Ack::Dismissed)],
                Some(utc(9, 20, 0)),
                utc(10, 8, 0),
                Some((true, 60, vec![60])),
                None,
            ),
            ("started: never", vec![], None, utc(10, 9, 0), None, None),
        ];
        for (case, acks, introduced, now, announced, next) in table {
            let acks: InviteAcks = acks.iter().map(|(lead, ack)| (key(*lead), *ack)).collect();
            let waiting = [Waiting { uid: "i1".into(), starts: utc(10, 9, 0), introduced: *introduced }];
            let plan = invitations_due(&waiting, LEADS, &acks, *now);
            let got = plan
                .announce
                .first()
                .map(|a| (a.show, a.key.lead, a.passed.iter().map(|k| k.lead).collect::<Vec<_>>()));
            assert_eq!(got, *announced, "{case}: announced");
            assert!(plan.announce.len() <= 1, "{case}: one invitation, one notice at most");
            assert_eq!(plan.next, *next, "{case}: next");
        }
    }

    #[test]
    fn no_leads_means_off_and_odd_leads_are_ignored() {
        let waiting = [Waiting { uid: "i1".into(), starts: utc(10, 9, 0), introduced: None }];
        assert_eq!(invitations_due(&waiting, &[], &InviteAcks::new(), utc(10, 8, 59)), InvitePlan::default());
        let odd = invitations_due(&waiting, &[0, -5, 60, 60, i64::MAX], &InviteAcks::new(), utc(10, 8, 30));
        assert_eq!(odd.announce.len(), 1);
        assert_eq!(odd.announce[0].passed, vec![key(60)], "the duplicate once, the absurd lead skipped");
    }

    #[test]
    fn keys_survive_the_cache_and_are_not_read_as_reminders() {
        let k = key(60);
        let ring = super::super::RingKey { uid: "i1".into(), occurrence: k.starts, alarm: "#0".into() };
        let acks = invite_acks_from(vec![(k.to_text(), None), (ring.to_text(), None)]);
        assert_eq!(acks.into_iter().collect::<Vec<_>>(), vec![(k.clone(), Ack::Dismissed)]);
        assert!(super::super::acks_from(vec![(k.to_text(), None)]).is_empty(), "not a reminder's key");
    }
}
