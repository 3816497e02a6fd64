//! The person's default reminder on invitations they accepted (which ones:
//! [`crate::ical::invitation::accepted_without_alarms`]): a local alarm,
//! added to the scheduler's copy of the event only. The server's
//! copy is the organizer's and the attendee's together; an attendee may
//! change its own alarms there (RFC 6638 §3.2.2.1), but a reminder kept
//! here needs no write, no conflict and no reply, and rings the same.

use crate::ical::lines::{Component, Document, Item, Line};

/// The alarm id (what its dismissal is kept by) of the added reminder.
pub const DEFAULT_ALARM: &str = "convene-default-reminder";

/// `data` with a display alarm `minutes` before the start of each of its
/// VEVENTs (the series and its overrides); None if it doesn't read.
pub fn with_default_alarm(data: &str, minutes: i64) -> Option<String> {
    let mut doc = Document::parse(data).ok()?;
    let cal = doc.calendar_mut()?;
    for ev in cal.children_mut().filter(|c| c.name == "VEVENT") {
        let mut alarm = Component::new("VALARM");
        alarm.push_prop(Line::new("UID", Vec::new(), DEFAULT_ALARM));
        alarm.push_prop(Line::new("ACTION", Vec::new(), "DISPLAY"));
        alarm.push_prop(Line::new("DESCRIPTION", Vec::new(), "Reminder"));
        alarm.push_prop(Line::new("TRIGGER", Vec::new(), &format!("-PT{}M", minutes.max(0))));
        ev.items.push(Item::Child(alarm));
    }
    Some(doc.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use chrono_tz::Europe::Berlin;

    use super::*;
    use crate::reminder::{Ack, Acks, plan};

    const ACCEPTED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:i1\r\nSUMMARY:Budget\r\nDTSTART:20300610T090000Z\r\nDTEND:20300610T100000Z\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn the_scheduler_rings_the_default_on_an_accepted_invitation_and_keeps_its_dismissal() {
        let data = with_default_alarm(ACCEPTED, 15).unwrap();
        assert!(data.contains("ORGANIZER:mailto:olga@example.com"), "the event is otherwise as it was");
        let now = Utc.with_ymd_and_hms(2030, 6, 10, 8, 45, 0).unwrap();
        let p = plan(&[&data], &Acks::new(), now - Duration::days(1), now, &Berlin);
        assert_eq!(p.ringing.len(), 1, "{p:?}");
        let ring = &p.ringing[0];
        assert_eq!((ring.summary.as_str(), ring.due), ("Budget", now));
        assert_eq!((ring.key.uid.as_str(), ring.key.alarm.as_str()), ("i1", DEFAULT_ALARM));
        assert_eq!(ring.description, None, "no \"Reminder\" text in the notice");

        let before =
            plan(&[&data], &Acks::new(), now - Duration::days(1), now - Duration::minutes(1), &Berlin);
        assert_eq!(before.next, Some(now));
        let acks: Acks = [(ring.key.clone(), Ack::Dismissed)].into();
        assert_eq!(plan(&[&data], &acks, now - Duration::days(1), now, &Berlin).ringing, vec![]);
    }
}
