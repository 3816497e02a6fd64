//! Finding invitations: events organized by someone else that list the
//! user as an attendee. When no attendee or several match the user's
//! addresses, the person chooses; nothing here guesses.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::event::{self, Person, When};
use super::identity::Identity;
use super::lines::{Component, Document, ParseError};

/// How the user stands in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Role {
    /// Invited under exactly one of the user's addresses.
    Invited { me: String },
    /// Several attendees are the user (invited under two aliases).
    SeveralAddresses { candidates: Vec<String> },
    /// Organized by someone else, but no attendee is one of the user's
    /// addresses (perhaps an alias not configured yet).
    NotListed,
    /// The user organizes it.
    Organizer,
    /// No ORGANIZER: a personal event, not an invitation.
    NoOrganizer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub uid: String,
    pub summary: Option<String>,
    pub organizer: Option<Person>,
    pub start: Option<When>,
    pub end: Option<When>,
    pub duration: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    /// The RRULE as written, when the event repeats.
    pub recurrence: Option<String>,
    pub cancelled: bool,
    pub attendees: Vec<Person>,
    pub role: Role,
    /// The user's PARTSTAT on the series (None unless `role` is `Invited`).
    pub my_partstat: Option<String>,
    /// RECURRENCE-IDs of occurrences that carry their own PARTSTAT for the user.
    pub occurrence_answers: Vec<(String, String)>,
}

impl Invitation {
    /// Whom the person delegated it to: DELEGATED-TO on their own line.
    pub fn my_delegate(&self) -> Option<&str> {
        let Role::Invited { me } = &self.role else { return None };
        self.attendees.iter().find(|a| a.address == *me)?.delegated_to.as_deref()
    }

    /// Needs an answer: invited and still NEEDS-ACTION (or no PARTSTAT).
    pub fn is_pending(&self) -> bool {
        matches!(self.role, Role::Invited { .. })
            && !self.cancelled
            && self.my_partstat.as_deref().is_none_or(|p| p == "NEEDS-ACTION")
    }

    /// What the server recorded when the person's answer went out: the
    /// SCHEDULE-STATUS on the ORGANIZER line of their copy (RFC 6638
    /// §3.2.9), else on their own attendee line, where a server writes it.
    pub fn my_schedule_status(&self) -> Option<&str> {
        let Role::Invited { me } = &self.role else { return None };
        let on_organizer = self.organizer.as_ref().and_then(|o| o.schedule_status.as_deref());
        on_organizer.or_else(|| self.attendees.iter().find(|a| &a.address == me)?.schedule_status.as_deref())
    }

    pub fn is_invitation(&self) -> bool {
        matches!(self.role, Role::Invited { .. } | Role::SeveralAddresses { .. } | Role::NotListed)
    }
}

/// How many attendees gave each answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub accepted: usize,
    pub tentative: usize,
    pub declined: usize,
    pub delegated: usize,
    /// No answer yet (NEEDS-ACTION, or none written).
    pub waiting: usize,
}

impl Counts {
    pub fn of(attendees: &[Person]) -> Self {
        let mut c = Counts::default();
        for a in attendees {
            match a.partstat.as_deref() {
                Some("ACCEPTED") => c.accepted += 1,
                Some("TENTATIVE") => c.tentative += 1,
                Some("DECLINED") => c.declined += 1,
                Some("DELEGATED") => c.delegated += 1,
                _ => c.waiting += 1,
            }
        }
        c
    }

    /// "4 accepted, 1 declined, 2 waiting": the answers given, none for a
    /// count of 0.
    pub fn words(&self) -> String {
        let parts = [
            (self.accepted, "accepted"),
            (self.tentative, "tentative"),
            (self.declined, "declined"),
            (self.delegated, "delegated"),
            (self.waiting, "waiting"),
        ];
        let said: Vec<String> =
            parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
        if said.is_empty() { "no attendees".into() } else { said.join(", ") }
    }
}

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
            let Ok(Some(inv)) = read(data, me) else { return false };
            let answered = matches!(inv.my_partstat.as_deref(), Some("ACCEPTED" | "TENTATIVE"));
            matches!(inv.role, Role::Invited { .. })
                && !inv.cancelled
                && (answered || accepting.contains(&inv.uid))
        })
        .map(str::to_owned)
        .collect()
}

/// The series' main VEVENT: the one without RECURRENCE-ID, else the first.
pub fn main_event(cal: &Component) -> Option<&Component> {
    let events = || cal.children().filter(|c| c.name == "VEVENT");
    events().find(|e| e.prop("RECURRENCE-ID").is_none()).or_else(|| events().next())
}

pub fn role(ev: &Component, me: &Identity) -> Role {
    let Some(org) = event::organizer(ev) else { return Role::NoOrganizer };
    if me.is_me(&org.address) {
        return Role::Organizer;
    }
    let mut mine: Vec<String> =
        event::attendees(ev).into_iter().map(|a| a.address).filter(|a| me.is_me(a)).collect();
    mine.dedup();
    match mine.len() {
        0 => Role::NotListed,
        1 => Role::Invited { me: mine.remove(0) },
        _ => Role::SeveralAddresses { candidates: mine },
    }
}

/// Reads one calendar object. `Ok(None)` when it holds no VEVENT (a task,
/// a journal entry).
pub fn read(data: &str, me: &Identity) -> Result<Option<Invitation>, ParseError> {
    read_occurrence(data, me, None)
}

/// Like [`read`], but the event's facts (title, times, place, description,
/// people) are those of the occurrence with this RECURRENCE-ID when the
/// object carries an override for it; the role and answers stay the series'.
pub fn read_occurrence(
    data: &str,
    me: &Identity,
    recurrence_id: Option<&str>,
) -> Result<Option<Invitation>, ParseError> {
    Ok(from_document(&Document::parse(data)?, me, recurrence_id))
}

/// [`read_occurrence`] of an object already parsed (a caller that needs
/// the document for more than this parses it once).
pub fn from_document(doc: &Document, me: &Identity, recurrence_id: Option<&str>) -> Option<Invitation> {
    let cal = doc.calendar()?;
    let main = main_event(cal)?;
    let own = recurrence_id.and_then(|rid| {
        cal.children()
            .filter(|c| c.name == "VEVENT")
            .find(|c| event::recurrence_id(c).as_deref() == Some(rid))
    });
    let mut inv = describe(cal, main, me)?;
    if let Some(ev) = own.and_then(|ev| describe(cal, ev, me)) {
        // The override repeats nothing: its rule is the series'.
        let (role, my_partstat, answers, rule) =
            (inv.role, inv.my_partstat, inv.occurrence_answers, inv.recurrence);
        inv = Invitation { role, my_partstat, occurrence_answers: answers, recurrence: rule, ..ev };
    }
    Some(inv)
}

fn describe(cal: &Component, ev: &Component, me: &Identity) -> Option<Invitation> {
    let role = role(ev, me);
    let partstat_of = |e: &Component, addr: &str| {
        event::attendees(e).into_iter().find(|a| a.address == addr).and_then(|a| a.partstat)
    };
    let (my_partstat, occurrence_answers) = match &role {
        Role::Invited { me } => {
            let overrides = cal
                .children()
                .filter(|c| c.name == "VEVENT")
                .filter_map(|c| Some((event::recurrence_id(c)?, partstat_of(c, me)?)))
                .collect();
            (partstat_of(ev, me), overrides)
        }
        _ => (None, Vec::new()),
    };
    Some(Invitation {
        uid: event::uid(ev).unwrap_or_default(),
        summary: event::text(ev, "SUMMARY"),
        organizer: event::organizer(ev),
        start: event::start(ev),
        end: event::end(ev),
        duration: ev.prop("DURATION").map(|d| d.value.trim().to_owned()),
        location: event::text(ev, "LOCATION"),
        description: event::text(ev, "DESCRIPTION"),
        recurrence: ev.prop("RRULE").map(|r| r.value.trim().to_owned()),
        cancelled: event::is_cancelled(ev),
        attendees: event::attendees(ev),
        role,
        my_partstat,
        occurrence_answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_partstat(uid: &str, partstat: &str, extra: &str) -> String {
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
            with_partstat("accepted", "ACCEPTED", ""),
            with_partstat("tentative", "TENTATIVE", ""),
            with_partstat("queued", "NEEDS-ACTION", ""),
            with_partstat("pending", "NEEDS-ACTION", ""),
            with_partstat("declined", "DECLINED", ""),
            with_partstat("with-alarm", "ACCEPTED", alarm),
            with_partstat("cancelled", "ACCEPTED", "STATUS:CANCELLED\r\n"),
            own.to_owned(),
        ];
        let accepting: HashSet<String> = ["queued".to_owned()].into();
        let got = accepted_without_alarms(objects.iter().map(String::as_str), &me, &accepting);
        let uids: Vec<&str> =
            got.iter().map(|d| d.split("UID:").nth(1).unwrap().split('\r').next().unwrap()).collect();
        assert_eq!(uids, ["accepted", "tentative", "queued"]);
    }

    fn ics(org: Option<&str>, attendees: &[&str]) -> String {
        let mut s = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:Sync\r\nDTSTART:20300101T100000Z\r\n",
        );
        if let Some(o) = org {
            s.push_str(&format!("ORGANIZER;CN=Olga:{o}\r\n"));
        }
        for a in attendees {
            s.push_str(&format!("ATTENDEE;PARTSTAT=NEEDS-ACTION:{a}\r\n"));
        }
        s.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
        s
    }

    fn me() -> Identity {
        Identity::new(["mailto:ann@example.com", "mailto:ann@old.example.com"])
    }

    #[test]
    fn answers_are_counted_and_delegations_read() {
        let data = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTART:20300604T100000Z\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com\r\nATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:dan@example.com\":mailto:cy@example.com\r\nATTENDEE;DELEGATED-FROM=\"mailto:cy@example.com\";PARTSTAT=NEEDS-ACTION:mailto:dan@example.com\r\nATTENDEE;ROLE=NON-PARTICIPANT:mailto:eve@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let i = read(data, &me()).unwrap().unwrap();
        let counts = Counts::of(&i.attendees);
        assert_eq!(counts.words(), "2 accepted, 1 declined, 1 delegated, 2 waiting");
        assert_eq!(i.attendees[3].delegated_to.as_deref(), Some("mailto:dan@example.com"));
        assert_eq!(i.attendees[4].delegated_from.as_deref(), Some("mailto:cy@example.com"));
        assert_eq!(Counts::of(&[]).words(), "no attendees");
    }

    #[test]
    fn an_override_has_its_own_facts_and_the_series_rule() {
        let data = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Review\r\nLOCATION:Room 1\r\nDTSTART:20300604T100000Z\r\nRRULE:FREQ=WEEKLY\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:olga@example.com\r\nATTENDEE;ROLE=OPT-PARTICIPANT:mailto:ann@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20300611T100000Z\r\nSUMMARY:Review (moved)\r\nLOCATION:Room 2\r\nDTSTART:20300611T140000Z\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:ann@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let series = read(data, &me()).unwrap().unwrap();
        assert_eq!(series.location.as_deref(), Some("Room 1"));
        let roles: Vec<_> = series.attendees.iter().map(|a| a.role.as_deref()).collect();
        assert_eq!(roles, vec![Some("CHAIR"), Some("OPT-PARTICIPANT")]);
        let moved = read_occurrence(data, &me(), Some("20300611T100000Z")).unwrap().unwrap();
        assert_eq!(moved.summary.as_deref(), Some("Review (moved)"));
        assert_eq!(moved.location.as_deref(), Some("Room 2"));
        assert_eq!(moved.attendees[0].partstat.as_deref(), Some("DECLINED"));
        assert_eq!(moved.recurrence.as_deref(), Some("FREQ=WEEKLY"), "the series' rule");
        assert_eq!(moved.my_partstat, series.my_partstat, "the series' answer");
        let other = read_occurrence(data, &me(), Some("20300618T100000Z")).unwrap().unwrap();
        assert_eq!(other, series, "an occurrence without an override is the series");
    }

    #[test]
    fn one_matching_attendee_is_an_invitation() {
        let i = read(
            &ics(Some("mailto:olga@example.com"), &["mailto:ANN@EXAMPLE.COM"]),
            &Identity::new(["mailto:ANN@example.com"]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(i.role, Role::Invited { me: "mailto:ANN@EXAMPLE.COM".into() });
        assert!(i.is_pending());
        assert_eq!(i.my_partstat.as_deref(), Some("NEEDS-ACTION"));
        assert_eq!(i.organizer.unwrap().display(), "Olga <olga@example.com>");
    }

    #[test]
    fn two_aliases_are_the_persons_choice() {
        let i = read(
            &ics(Some("mailto:olga@example.com"), &["mailto:ann@example.com", "mailto:ann@old.example.com"]),
            &me(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            i.role,
            Role::SeveralAddresses {
                candidates: vec!["mailto:ann@example.com".into(), "mailto:ann@old.example.com".into()]
            }
        );
        assert!(!i.is_pending());
    }

    #[test]
    fn none_matching_no_organizer_and_own_events_are_told_apart() {
        let none =
            read(&ics(Some("mailto:olga@example.com"), &["mailto:bob@example.com"]), &me()).unwrap().unwrap();
        assert_eq!(none.role, Role::NotListed);
        assert!(none.is_invitation());
        let personal = read(&ics(None, &[]), &me()).unwrap().unwrap();
        assert_eq!(personal.role, Role::NoOrganizer);
        assert!(!personal.is_invitation());
        let mine =
            read(&ics(Some("mailto:ann@example.com"), &["mailto:bob@example.com"]), &me()).unwrap().unwrap();
        assert_eq!(mine.role, Role::Organizer);
        let nobody =
            read(&ics(Some("mailto:olga@example.com"), &["mailto:ann@example.com"]), &Identity::default())
                .unwrap()
                .unwrap();
        assert_eq!(nobody.role, Role::NotListed);
    }

    #[test]
    fn cancelled_invitations_are_not_pending() {
        let data = ics(Some("mailto:olga@example.com"), &["mailto:ann@example.com"])
            .replace("SUMMARY:Sync", "STATUS:CANCELLED");
        let i = read(&data, &me()).unwrap().unwrap();
        assert!(i.cancelled);
        assert!(!i.is_pending());
    }

    #[test]
    fn tasks_are_not_events() {
        let todo = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        assert_eq!(read(todo, &me()).unwrap(), None);
    }
}
