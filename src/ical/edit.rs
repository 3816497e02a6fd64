//! Changing an existing event: the fields that differ between two drafts
//! (what the person started from, what they made of it), merged three ways
//! with the server's version, and written onto the server's bytes with the
//! byte-faithful editor, so every property nobody touched (attendees'
//! answers, SCHEDULE-STATUS, other clients' X- properties) goes back as it
//! came.

use serde::{Deserialize, Serialize};

use super::build::{self, date_line, mailto, rrule};
use super::diff::Field;
use super::draft::{Draft, Scope, When};
use super::event::{self, escape};
use super::identity::normalize;
use super::lines::{Component, Document, Item, Line, Param};
use super::reply::{ReplyError, override_for, same_instant};

/// One field changed both here and on the server since the person started
/// (another device moved the meeting while this one moved it too): the
/// person decides, nothing is sent before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clash {
    pub field: Field,
    /// What the person started from.
    pub before: String,
    /// The person's change.
    pub mine: String,
    /// The server's version now.
    pub theirs: String,
}

/// The parts of a draft an edit writes, each as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Summary,
    When,
    Location,
    Description,
    Repeat,
    Reminders,
    Attendees,
}

const PARTS: [Part; 7] = [
    Part::Summary,
    Part::When,
    Part::Location,
    Part::Description,
    Part::Repeat,
    Part::Reminders,
    Part::Attendees,
];

impl Part {
    fn field(self) -> Field {
        match self {
            Part::Summary => Field::Summary,
            Part::When => Field::Time,
            Part::Location => Field::Location,
            Part::Description => Field::Description,
            Part::Repeat => Field::Recurrence,
            Part::Reminders => Field::Other,
            Part::Attendees => Field::Attendees,
        }
    }

    /// The part's value in words, for comparing and for the merge dialog.
    fn of(self, d: &Draft) -> String {
        match self {
            Part::Summary => d.summary.clone(),
            Part::Location => d.location.clone(),
            Part::Description => d.description.clone(),
            Part::When => match &d.when {
                When::AllDay { start, end } => format!("{start} – {end} (all day)"),
                When::Timed { start, end, zone } => {
                    format!("{} – {} {zone}", start.format("%Y-%m-%d %H:%M"), end.format("%Y-%m-%d %H:%M"))
                }
            },
            Part::Repeat => {
                d.repeat.as_ref().map(|r| rrule(r, &d.when)).unwrap_or_else(|| "does not repeat".into())
            }
            Part::Reminders => format!("reminders {:?}", d.reminders),
            Part::Attendees => {
                let mut a: Vec<String> = d.attendees.iter().map(|x| x.to_ascii_lowercase()).collect();
                a.sort();
                a.join(", ")
            }
        }
    }

    /// Copies this part from one draft to another.
    pub fn copy(self, from: &Draft, to: &mut Draft) {
        match self {
            Part::Summary => to.summary.clone_from(&from.summary),
            Part::When => to.when = from.when.clone(),
            Part::Location => to.location.clone_from(&from.location),
            Part::Description => to.description.clone_from(&from.description),
            Part::Repeat => to.repeat.clone_from(&from.repeat),
            Part::Reminders => to.reminders.clone_from(&from.reminders),
            Part::Attendees => to.attendees.clone_from(&from.attendees),
        }
    }

    /// A reschedule (RFC 5546): attendees are asked to answer again.
    fn reschedules(self) -> bool {
        matches!(self, Part::When | Part::Repeat)
    }
}

/// The parts that differ between two drafts.
pub fn changed(before: &Draft, after: &Draft) -> Vec<Part> {
    PARTS.into_iter().filter(|p| p.of(before) != p.of(after)).collect()
}

/// The three-way merge of the person's change with the server's version
/// now (`theirs`): the parts still to write (those the server doesn't
/// already have), or the clashes (changed on both sides, differently).
pub fn merge(before: &Draft, mine: &Draft, theirs: &Draft) -> Result<Vec<Part>, Vec<Clash>> {
    let mut todo = Vec::new();
    let mut clashes = Vec::new();
    for p in changed(before, mine) {
        let (b, m, t) = (p.of(before), p.of(mine), p.of(theirs));
        if t == m {
            continue; // already there (landed before a crash, or the same change elsewhere)
        }
        if t == b {
            todo.push(p);
        } else {
            clashes.push(Clash { field: p.field(), before: b, mine: m, theirs: t });
        }
    }
    if clashes.is_empty() { Ok(todo) } else { Err(clashes) }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Reply(#[from] ReplyError),
    #[error(transparent)]
    Parse(#[from] super::lines::ParseError),
    #[error("the event has no occurrence {0}")]
    NoOccurrence(String),
}

fn events(cal: &mut Component) -> impl Iterator<Item = &mut Component> {
    cal.children_mut().filter(|c| c.name == "VEVENT")
}

fn is_master(c: &Component) -> bool {
    c.prop("RECURRENCE-ID").is_none()
}

/// The VEVENT `scope` names, creating the occurrence's override when there
/// is none yet.
fn target<'a>(cal: &'a mut Component, scope: &Scope) -> Result<&'a mut Component, EditError> {
    let rid = match scope {
        Scope::All | Scope::ThisAndFollowing { .. } => None,
        Scope::ThisOne { recurrence_id } => Some(recurrence_id.as_str()),
    };
    let Some(rid) = rid else {
        return events(cal).find(|c| is_master(c)).ok_or(EditError::Reply(ReplyError::NoEvent));
    };
    let has = |c: &Component| event::recurrence_id(c).is_some_and(|r| same_instant(&r, rid));
    if !cal.children().any(|c| c.name == "VEVENT" && has(c)) {
        let master = cal
            .children()
            .find(|c| c.name == "VEVENT" && is_master(c))
            .ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))?;
        let ov = override_for(master, rid)?;
        let at = cal
            .items
            .iter()
            .rposition(|i| matches!(i, Item::Child(c) if c.name == "VEVENT"))
            .map_or(cal.items.len(), |i| i + 1);
        cal.items.insert(at, Item::Child(ov));
    }
    events(cal).find(|c| has(c)).ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))
}

/// Sets (or with an empty value removes) a TEXT property in place.
fn set_text(ev: &mut Component, name: &str, value: &str) {
    if value.is_empty() {
        ev.remove_props(name);
        return;
    }
    put_value(ev, name, &escape(value));
}

/// Sets the value of the first `name` property, or adds one.
fn put_value(ev: &mut Component, name: &str, value: &str) {
    if let Some(l) = ev.props_mut().find(|l| l.name == name) {
        l.set_value(value);
    } else {
        ev.push_prop(Line::new(name, Vec::new(), value));
    }
}

fn set_time(ev: &mut Component, name: &str, when: &When, end: bool) {
    let (param, value) = date_line(when, end);
    let params: Vec<Param> = param
        .iter()
        .map(|p| Param { name: p.split('=').next().unwrap_or_default().to_owned(), raw: p.clone() })
        .collect();
    let line = Line::new(name, params, &value);
    if let Some(l) = ev.props_mut().find(|l| l.name == name) {
        if l.params != line.params || l.value.trim() != value {
            *l = line;
        }
    } else {
        ev.push_prop(line);
    }
}

fn sequence(ev: &Component) -> u32 {
    ev.prop("SEQUENCE").and_then(|l| l.value.trim().parse().ok()).unwrap_or(0)
}

/// SEQUENCE+1: the organizer revises the event (RFC 5546 §2.1.4).
pub fn bump_sequence(ev: &mut Component) {
    let next = (sequence(ev) + 1).to_string();
    put_value(ev, "SEQUENCE", &next);
}

/// Attendees other than the organizer answer again (RFC 5546 §2.1.5).
fn ask_again(ev: &mut Component) {
    let organizer = ev.prop("ORGANIZER").map(|o| normalize(&o.value));
    for l in ev.props_mut().filter(|l| l.name == "ATTENDEE") {
        if Some(normalize(&l.value)) == organizer {
            continue;
        }
        l.set_param("PARTSTAT", "NEEDS-ACTION");
        l.set_param("RSVP", "TRUE");
    }
}

fn parse_components(text: &str) -> Vec<Component> {
    Document::parse(text).map(|d| d.components).unwrap_or_default()
}

fn set_reminders(ev: &mut Component, summary: &str, minutes: &[i64]) {
    ev.items.retain(|i| !matches!(i, Item::Child(c) if c.name == "VALARM"));
    for m in minutes {
        let text = format!(
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT{m}M\r\nDESCRIPTION:{}\r\nEND:VALARM\r\n",
            escape(summary)
        );
        ev.items.extend(parse_components(&text).into_iter().map(Item::Child));
    }
}

fn set_attendees(ev: &mut Component, wanted: &[String], organizer: Option<&str>) {
    let key = |a: &str| normalize(&mailto(a)).to_ascii_lowercase();
    let org = ev.prop("ORGANIZER").map(|o| key(&o.value));
    let wanted_keys: Vec<String> = wanted.iter().map(|a| key(a)).collect();
    ev.items.retain(|i| match i {
        Item::Prop(l) if l.name == "ATTENDEE" => {
            let k = key(&l.value);
            Some(&k) == org.as_ref() || wanted_keys.contains(&k)
        }
        _ => true,
    });
    let present: Vec<String> = ev.props_named("ATTENDEE").map(|l| key(&l.value)).collect();
    for (a, k) in wanted.iter().zip(&wanted_keys) {
        if !present.contains(k) {
            let p = build::attendee(a);
            let params = vec![
                Param { name: "PARTSTAT".into(), raw: "PARTSTAT=NEEDS-ACTION".into() },
                Param { name: "RSVP".into(), raw: "RSVP=TRUE".into() },
            ];
            ev.push_prop(Line::new("ATTENDEE", params, p.value()));
        }
    }
    if ev.prop("ORGANIZER").is_none()
        && !wanted.is_empty()
        && let Some(o) = organizer
    {
        ev.push_prop(Line::new("ORGANIZER", Vec::new(), &mailto(o)));
    }
}

/// Adds the VTIMEZONE a newly used TZID needs.
fn ensure_vtimezone(cal: &mut Component, when: &When) {
    let When::Timed { zone, start, .. } = when else { return };
    if zone.is_empty() || zone == "UTC" {
        return;
    }
    let known = cal
        .children()
        .filter(|c| c.name == "VTIMEZONE")
        .any(|c| c.prop("TZID").is_some_and(|t| t.value.trim() == zone));
    if known {
        return;
    }
    use chrono::Datelike;
    let at = cal.items.iter().position(|i| matches!(i, Item::Child(_))).unwrap_or(cal.items.len());
    for (k, c) in parse_components(&super::vtimezone::render(zone, start.year())).into_iter().enumerate() {
        cal.items.insert(at + k, Item::Child(c));
    }
}

/// Writes `parts` of `after` onto the server's object `data`, for `scope`.
/// With `revise` (the event is on the server already), a meeting's
/// SEQUENCE goes up (the attendees see the change) and a new time or
/// repetition asks them to answer again. `organizer`: the account's
/// address, for an event that becomes a meeting.
pub fn apply(
    data: &str,
    scope: &Scope,
    after: &Draft,
    parts: &[Part],
    organizer: Option<&str>,
    revise: bool,
) -> Result<String, EditError> {
    let mut doc = Document::parse(data)?;
    let cal = doc.calendar_mut().ok_or(EditError::Reply(ReplyError::NoEvent))?;
    if parts.contains(&Part::When) {
        ensure_vtimezone(cal, &after.when);
    }
    let ev = target(cal, scope)?;
    for p in parts {
        match p {
            Part::Summary => set_text(ev, "SUMMARY", &after.summary),
            Part::Location => set_text(ev, "LOCATION", &after.location),
            Part::Description => set_text(ev, "DESCRIPTION", &after.description),
            Part::When => {
                set_time(ev, "DTSTART", &after.when, false);
                ev.remove_props("DURATION");
                set_time(ev, "DTEND", &after.when, true);
            }
            Part::Repeat => match &after.repeat {
                Some(r) => put_value(ev, "RRULE", &rrule(r, &after.when)),
                None => ev.remove_props("RRULE"),
            },
            Part::Reminders => set_reminders(ev, &after.summary, &after.reminders),
            Part::Attendees => set_attendees(ev, &after.attendees, organizer),
        }
    }
    let meeting = revise && ev.prop("ORGANIZER").is_some();
    if meeting && parts.iter().any(|p| *p != Part::Reminders) {
        bump_sequence(ev);
    }
    if meeting && parts.iter().any(|p| p.reschedules()) {
        ask_again(ev);
    }
    Ok(doc.to_string())
}

/// Removes one occurrence (an EXDATE on the series, and its override if
/// any). `tell`: SEQUENCE+1, so the attendees' copies lose it too.
pub fn exclude(data: &str, rid: &str, tell: bool) -> Result<String, EditError> {
    let mut doc = Document::parse(data)?;
    let cal = doc.calendar_mut().ok_or(EditError::Reply(ReplyError::NoEvent))?;
    cal.items.retain(|i| {
        !matches!(i, Item::Child(c) if c.name == "VEVENT" && event::recurrence_id(c).is_some_and(|r| same_instant(&r, rid)))
    });
    let master = events(cal).find(|c| is_master(c)).ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))?;
    let params = master.prop("DTSTART").map(|d| d.params.clone()).unwrap_or_default();
    master.push_prop(Line::new("EXDATE", params, rid));
    if tell {
        bump_sequence(master);
    }
    Ok(doc.to_string())
}

/// Ends the series before the occurrence `rid` (RRULE's UNTIL; its COUNT
/// dropped): "this and the following" are cut off. `tell`: SEQUENCE+1.
pub fn end_before(data: &str, rid: &str, tell: bool) -> Result<String, EditError> {
    let mut doc = Document::parse(data)?;
    let cal = doc.calendar_mut().ok_or(EditError::Reply(ReplyError::NoEvent))?;
    let master = events(cal).find(|c| is_master(c)).ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))?;
    let start = event::start(master).ok_or(EditError::Reply(ReplyError::NoEvent))?;
    let until = until_before(&start, rid).ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))?;
    let line = master
        .props_mut()
        .find(|l| l.name == "RRULE")
        .ok_or_else(|| EditError::NoOccurrence(rid.to_owned()))?;
    let mut parts: Vec<String> = line
        .value
        .split(';')
        .filter(|p| {
            !p.to_ascii_uppercase().starts_with("UNTIL=") && !p.to_ascii_uppercase().starts_with("COUNT=")
        })
        .map(str::to_owned)
        .collect();
    parts.push(format!("UNTIL={until}"));
    line.set_value(&parts.join(";"));
    if tell {
        bump_sequence(master);
    }
    Ok(doc.to_string())
}

/// The UNTIL that keeps every occurrence before `rid`: the day before for
/// all-day events, else one second before, in UTC where DTSTART has a zone.
fn until_before(start: &event::When, rid: &str) -> Option<String> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
    if start.is_date() {
        let day = NaiveDate::parse_from_str(rid.get(..8)?, "%Y%m%d").ok()?.pred_opt()?;
        return Some(day.format("%Y%m%d").to_string());
    }
    let t = NaiveDateTime::parse_from_str(rid.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()?;
    let utc = if rid.trim().ends_with('Z') {
        t
    } else if let Some(tz) =
        start.tzid.as_deref().and_then(|z| z.trim_start_matches('/').parse::<chrono_tz::Tz>().ok())
    {
        tz.from_local_datetime(&t).earliest()?.with_timezone(&Utc).naive_utc()
    } else {
        // Floating: UNTIL is floating too.
        return Some((t - chrono::Duration::seconds(1)).format("%Y%m%dT%H%M%S").to_string());
    };
    Some((utc - chrono::Duration::seconds(1)).format("%Y%m%dT%H%M%SZ").to_string())
}

/// Whether the event has its own override for the occurrence `rid`.
pub fn has_override(data: &str, rid: &str) -> bool {
    let Ok(doc) = Document::parse(data) else { return false };
    let Some(cal) = doc.calendar() else { return false };
    cal.children()
        .filter(|c| c.name == "VEVENT" && !is_master(c))
        .filter_map(|c| c.prop("RECURRENCE-ID"))
        .any(|l| same_instant(&l.value, rid))
}

/// Whether the occurrence `rid` is already excluded.
pub fn is_excluded(data: &str, rid: &str) -> bool {
    let Ok(doc) = Document::parse(data) else { return false };
    let Some(cal) = doc.calendar() else { return false };
    cal.children()
        .filter(|c| c.name == "VEVENT" && is_master(c))
        .flat_map(|c| c.props_named("EXDATE"))
        .any(|l| l.value.split(',').any(|v| same_instant(v, rid)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    const SERVER: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nUID:m1\r\n\
DTSTAMP:20300101T000000Z\r\nDTSTART:20300204T100000Z\r\nDTEND:20300204T110000Z\r\nSEQUENCE:3\r\n\
SUMMARY:Plan\r\nLOCATION:Room 1\r\nORGANIZER:mailto:organizer@example.com\r\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:organizer@example.com\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=\"2.0;Success\":mailto:attendee@example.com\r\n\
X-OTHER-CLIENT;X-A=\"b;c\":keep me\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn draft(data: &str) -> Draft {
        Draft::from_event(data, Url::parse("https://h/c/").expect("a URL"), None).expect("a draft")
    }

    fn lines(s: &str) -> Vec<String> {
        s.replace("\r\n ", "").split("\r\n").map(str::to_owned).collect()
    }

    #[test]
    fn a_new_place_changes_that_line_and_the_sequence_only() {
        let before = draft(SERVER);
        let mut after = before.clone();
        after.location = "Room 2, east".into();
        let parts = changed(&before, &after);
        assert_eq!(parts, vec![Part::Location]);
        let out = apply(SERVER, &Scope::All, &after, &parts, None, true).expect("applied");
        let changed_lines: Vec<(String, String)> =
            lines(SERVER).into_iter().zip(lines(&out)).filter(|(a, b)| a != b).collect();
        assert_eq!(
            changed_lines,
            vec![
                ("SEQUENCE:3".into(), "SEQUENCE:4".into()),
                ("LOCATION:Room 1".into(), "LOCATION:Room 2\\, east".into())
            ]
        );
        assert!(out.contains("PARTSTAT=ACCEPTED;SCHEDULE-STATUS"), "the answer stays");
    }

    #[test]
    fn a_move_asks_the_attendees_again() {
        let before = draft(SERVER);
        let mut after = before.clone();
        let When::Timed { start, end, .. } = before.when.clone() else { panic!("timed") };
        after.when = When::Timed {
            start: start + chrono::Duration::hours(2),
            end: end + chrono::Duration::hours(2),
            zone: "Europe/Berlin".into(),
        };
        let out = apply(SERVER, &Scope::All, &after, &changed(&before, &after), None, true).expect("applied");
        assert!(out.contains("DTSTART;TZID=Europe/Berlin:20300204T120000\r\n"), "{out}");
        assert!(out.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"), "{out}");
        assert!(out.contains("SEQUENCE:4\r\n"));
        let out = out.replace("\r\n ", "");
        assert!(out.contains("ATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-STATUS=\"2.0;Success\";RSVP=TRUE:mailto:attendee@example.com"), "{out}");
        assert!(
            out.contains("ATTENDEE;PARTSTAT=ACCEPTED:mailto:organizer@example.com"),
            "the organizer's own stays"
        );
        assert!(out.contains("X-OTHER-CLIENT;X-A=\"b;c\":keep me\r\n"));
    }

    #[test]
    fn the_merge_keeps_both_sides_and_stops_on_the_same_field() {
        let before = draft(SERVER);
        let mut mine = before.clone();
        mine.location = "Room 2".into();
        let mut theirs = before.clone();
        theirs.summary = "Plan (renamed)".into();
        assert_eq!(merge(&before, &mine, &theirs), Ok(vec![Part::Location]));
        assert_eq!(merge(&before, &mine, &mine), Ok(vec![]), "already applied: nothing to write twice");
        theirs.location = "Room 3".into();
        let clashes = merge(&before, &mine, &theirs).expect_err("a clash");
        assert_eq!(clashes.len(), 1);
        assert_eq!(
            (clashes[0].field, clashes[0].mine.as_str(), clashes[0].theirs.as_str()),
            (Field::Location, "Room 2", "Room 3")
        );
    }

    #[test]
    fn one_occurrence_is_excluded_once() {
        let weekly = SERVER.replace("SEQUENCE:3\r\n", "SEQUENCE:3\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n");
        let out = exclude(&weekly, "20300211T100000Z", true).expect("excluded");
        assert!(out.contains("EXDATE:20300211T100000Z\r\n"));
        assert!(out.contains("SEQUENCE:4\r\n"));
        assert!(is_excluded(&out, "20300211T100000Z"));
        assert!(!is_excluded(&weekly, "20300211T100000Z"));
        let cut = end_before(&weekly, "20300218T100000Z", false).expect("cut");
        assert!(cut.contains("RRULE:FREQ=WEEKLY;UNTIL=20300218T095959Z\r\n"), "{cut}");
    }
}
