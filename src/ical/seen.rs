//! What the organizer changed in an invitation since the person last saw
//! or answered it: what brings it back to the top of their list.

use serde::{Deserialize, Serialize};

use super::diff::{Change, diff};
use super::identity::Identity;
use super::invitation;
use super::lines::Document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceSeen {
    /// The organizer's changes (time, place, description, attendees…).
    pub changes: Vec<Change>,
    /// The person's answer the change set back to NEEDS-ACTION (a
    /// reschedule does that on most servers), when it did.
    pub answer_reset: Option<String>,
}

/// Compares the version the person saw (`seen`) with the cached one
/// (`now`). None when nothing the person must look at changed (other
/// attendees' answers, server bookkeeping, their own answer going out), or
/// when either can't be read.
pub fn since_seen(seen: &str, now: &str, me: &Identity) -> Option<SinceSeen> {
    let (before, after) = (Document::parse(seen).ok()?, Document::parse(now).ok()?);
    let changes = diff(&before, &after, me).changes;
    let answer = |doc: &Document| invitation::from_document(doc, me, None).and_then(|i| i.my_partstat);
    let answered = |p: &Option<String>| p.as_deref().is_some_and(|p| p != "NEEDS-ACTION");
    let (was, is) = (answer(&before), answer(&after));
    let answer_reset = (answered(&was) && !answered(&is)).then(|| was.unwrap_or_default());
    (!changes.is_empty() || answer_reset.is_some()).then_some(SinceSeen { changes, answer_reset })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::Field;

    fn version(start: &str, place: &str, mine: &str, others: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20300101T000000Z\r\nSUMMARY:Review\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nLOCATION:{place}\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT={mine}:mailto:ann@example.com\r\nATTENDEE;PARTSTAT={others}:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    fn me() -> Identity {
        Identity::new(["mailto:ann@example.com"])
    }

    #[test]
    fn a_reschedule_lists_the_time_and_says_the_answer_was_reset() {
        let seen = version("20300604T100000Z", "Room 1", "ACCEPTED", "NEEDS-ACTION");
        let now = version("20300605T140000Z", "Room 1", "NEEDS-ACTION", "NEEDS-ACTION");
        let s = since_seen(&seen, &now, &me()).unwrap();
        let fields: Vec<Field> = s.changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, vec![Field::Time]);
        assert_ne!(s.changes[0].before, s.changes[0].after);
        assert_eq!(s.answer_reset.as_deref(), Some("ACCEPTED"));
    }

    #[test]
    fn a_new_place_with_the_answer_kept_is_a_change_without_a_reset() {
        let seen = version("20300604T100000Z", "Room 1", "TENTATIVE", "NEEDS-ACTION");
        let now = version("20300604T100000Z", "Room 2", "TENTATIVE", "NEEDS-ACTION");
        let s = since_seen(&seen, &now, &me()).unwrap();
        assert_eq!(s.changes.len(), 1);
        assert_eq!((s.changes[0].field, s.changes[0].after.as_str()), (Field::Location, "Room 2"));
        assert_eq!(s.answer_reset, None);
    }

    #[test]
    fn answers_alone_are_not_an_update() {
        let seen = version("20300604T100000Z", "Room 1", "NEEDS-ACTION", "NEEDS-ACTION");
        let answered = version("20300604T100000Z", "Room 1", "ACCEPTED", "DECLINED");
        assert_eq!(since_seen(&seen, &answered, &me()), None, "the person's own and others' answers");
        assert_eq!(since_seen(&seen, "not a calendar", &me()), None);
    }
}
