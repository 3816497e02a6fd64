//! The person's default reminder on invitations they accepted: a local
//! alarm, added to the scheduler's copy of the event only. The server's
//! copy is the organizer's and the attendee's together; an attendee may
//! change its own alarms there (RFC 6638 §3.2.2.1), but a reminder kept
//! here needs no write, no conflict and no reply, and rings the same.

use std::collections::HashSet;

use crate::ical::identity::Identity;
use crate::ical::invitation::{self, Role};
use crate::ical::lines::{Component, Document, Item, Line};

/// The alarm id (what its dismissal is kept by) of the added reminder.
pub const DEFAULT_ALARM: &str = "convene-default-reminder";

/// Among `objects`, the invitations the person accepted (or tentatively,
/// or whose acceptance waits in the outbox: `accepting`, by UID) that carry
/// no alarm of their own: those to ring with the default reminder.
pub fn accepted_without_alarms<'a>(
    objects: impl IntoIterator<Item = &'a str>,
    me: &Identity,
    accepting: &HashSet<String>,
) -> Vec<String> {
    objects
        .into_iter()
        .filter(|data| !data.contains("BEGIN:VALARM"))
        .filter(|data| {
            let Ok(Some(inv)) = invitation::read(data, me) else { return false };
            let answered = matches!(inv.my_partstat.as_deref(), Some("ACCEPTED" | "TENTATIVE"));
            matches!(inv.role, Role::Invited { .. })
                && !inv.cancelled
                && (answered || accepting.contains(&inv.uid))
        })
        .map(str::to_owned)
        .collect()
}

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

    fn invitation(uid: &str, partstat: &str, extra: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:Budget\r\nDTSTART:20300610T090000Z\r\nDTEND:20300610T100000Z\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT={partstat}:mailto:ann@example.com\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    #[test]
    fn only_accepted_invitations_without_alarms_get_the_default() {
        let me = Identity::new(["mailto:ann@example.com"]);
        let alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n";
        let own = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:own\r\nDTSTART:20300610T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let objects = [
            invitation("accepted", "ACCEPTED", ""),
            invitation("tentative", "TENTATIVE", ""),
            invitation("queued", "NEEDS-ACTION", ""),
            invitation("pending", "NEEDS-ACTION", ""),
            invitation("declined", "DECLINED", ""),
            invitation("with-alarm", "ACCEPTED", alarm),
            invitation("cancelled", "ACCEPTED", "STATUS:CANCELLED\r\n"),
            own.to_owned(),
        ];
        let accepting: HashSet<String> = ["queued".to_owned()].into();
        let got = accepted_without_alarms(objects.iter().map(String::as_str), &me, &accepting);
        let uids: Vec<&str> =
            got.iter().map(|d| d.split("UID:").nth(1).unwrap().split('\r').next().unwrap()).collect();
        assert_eq!(uids, ["accepted", "tentative", "queued"]);
    }

    #[test]
    fn the_scheduler_rings_the_default_on_an_accepted_invitation_and_keeps_its_dismissal() {
        let data = with_default_alarm(&invitation("i1", "ACCEPTED", ""), 15).unwrap();
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
