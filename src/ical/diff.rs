//! What changed between two versions of an event, split into what the
//! organizer changed (a person must look) and what is only other attendees'
//! answers or server bookkeeping (a reply can be re-applied on top).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::event::{self, unescape};
use super::identity::{Identity, normalize};
use super::lines::{Component, Document};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Time,
    Duration,
    Location,
    Summary,
    Description,
    Recurrence,
    Status,
    Attendees,
    Organizer,
    Other,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Time => "Time",
            Field::Duration => "Duration",
            Field::Location => "Place",
            Field::Summary => "Title",
            Field::Description => "Description",
            Field::Recurrence => "Repeats",
            Field::Status => "Status",
            Field::Attendees => "Attendees",
            Field::Organizer => "Organizer",
            Field::Other => "Other",
        }
    }
}

/// One consequential change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: Field,
    /// The occurrence (RECURRENCE-ID) it concerns, None for the series.
    pub occurrence: Option<String>,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Inconsequential differences, in words (for logs and the dialog's footnote).
    pub minor: Vec<String>,
}

impl Diff {
    pub fn is_consequential(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// Properties that are server bookkeeping or the attendee's own business.
const IGNORED: &[&str] = &[
    "DTSTAMP",
    "LAST-MODIFIED",
    "CREATED",
    "SEQUENCE",
    "TRANSP",
    "COMMENT",
    "UID",
    "RECURRENCE-ID",
    "REQUEST-STATUS",
];

fn field_of(name: &str) -> Option<Field> {
    Some(match name {
        "DTSTART" | "DTEND" => Field::Time,
        "DURATION" => Field::Duration,
        "LOCATION" => Field::Location,
        "SUMMARY" => Field::Summary,
        "DESCRIPTION" => Field::Description,
        "RRULE" | "RDATE" | "EXDATE" => Field::Recurrence,
        "STATUS" => Field::Status,
        "ORGANIZER" => Field::Organizer,
        "ATTENDEE" => Field::Attendees,
        n if IGNORED.contains(&n) || n.starts_with("X-") => return None,
        _ => Field::Other,
    })
}

/// The comparable text of each property (name → sorted values with the
/// parameters that matter), so reordering and bookkeeping don't count.
fn fingerprint(ev: &Component) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in ev.props() {
        if field_of(&line.name).is_none() || line.name == "ATTENDEE" {
            continue;
        }
        let tz = line.param("TZID").map(|p| format!(" ({})", p.value())).unwrap_or_default();
        let value = match line.name.as_str() {
            "ORGANIZER" => normalize(&line.value),
            "DTSTART" | "DTEND" | "RRULE" | "RDATE" | "EXDATE" | "DURATION" | "STATUS" => {
                format!("{}{tz}", line.value.trim())
            }
            _ => unescape(&line.value),
        };
        out.entry(line.name.clone()).or_default().push(value);
    }
    for values in out.values_mut() {
        values.sort();
    }
    out
}

fn events_by_occurrence(doc: &Document) -> BTreeMap<Option<String>, &Component> {
    doc.calendar()
        .map(|cal| {
            cal.children().filter(|c| c.name == "VEVENT").map(|c| (event::recurrence_id(c), c)).collect()
        })
        .unwrap_or_default()
}

fn attendee_map(ev: &Component) -> BTreeMap<String, String> {
    event::attendees(ev)
        .into_iter()
        .map(|a| (normalize(&a.address), a.partstat.unwrap_or_else(|| "NEEDS-ACTION".into())))
        .collect()
}

/// Compares `before` (what the person saw) with `after` (the server's now).
pub fn diff(before: &Document, after: &Document, me: &Identity) -> Diff {
    let mut out = Diff::default();
    let old = events_by_occurrence(before);
    let new = events_by_occurrence(after);
    let old_master = old.get(&None).copied();
    let new_master = new.get(&None).copied();

    for (rid, ev) in &new {
        match old.get(rid) {
            Some(prev) => compare(prev, ev, rid, me, &mut out),
            // An override the server added for someone else's answer to one
            // occurrence differs from the series only in answers.
            None => match old_master {
                Some(m) if rid.is_some() && same_as_series(m, ev, rid.as_deref()) => {
                    out.minor.push(format!(
                        "occurrence {} now carries attendees' answers",
                        rid.as_deref().unwrap_or("")
                    ));
                }
                _ => out.changes.push(Change {
                    field: Field::Recurrence,
                    occurrence: rid.clone(),
                    before: "as in the series".into(),
                    after: describe_occurrence(ev),
                }),
            },
        }
    }
    for (rid, ev) in &old {
        if !new.contains_key(rid) {
            let series_keeps_it =
                new_master.is_some_and(|m| rid.is_some() && same_as_series(m, ev, rid.as_deref()));
            if series_keeps_it {
                out.minor.push("an answers-only occurrence was folded back into the series".into());
            } else {
                out.changes.push(Change {
                    field: Field::Recurrence,
                    occurrence: rid.clone(),
                    before: describe_occurrence(ev),
                    after: "removed".into(),
                });
            }
        }
    }
    out
}

fn describe_occurrence(ev: &Component) -> String {
    let when = event::start(ev).map(|w| w.describe()).unwrap_or_default();
    if event::is_cancelled(ev) { format!("{when} cancelled") } else { when }
}

/// An override equal to the series apart from its start (at its own
/// RECURRENCE-ID), end, and answers.
fn same_as_series(master: &Component, ov: &Component, rid: Option<&str>) -> bool {
    let mut m = fingerprint(master);
    let mut o = fingerprint(ov);
    for k in ["DTSTART", "DTEND", "RRULE", "RDATE", "EXDATE"] {
        m.remove(k);
        o.remove(k);
    }
    let rid_zone = ov.prop("RECURRENCE-ID").and_then(|r| r.param("TZID")).map(|p| p.value());
    let starts_on_time =
        event::start(ov).is_some_and(|s| Some(s.value.as_str()) == rid && s.tzid == rid_zone);
    let same_people = attendee_map(master).keys().eq(attendee_map(ov).keys());
    m == o && starts_on_time && same_people && length(master) == length(ov)
}

/// How long an event lasts, for comparing an occurrence with its series.
fn length(ev: &Component) -> Option<chrono::Duration> {
    Some(super::occurrence::length(ev, &event::start(ev)?))
}

fn compare(prev: &Component, ev: &Component, rid: &Option<String>, me: &Identity, out: &mut Diff) {
    let a = fingerprint(prev);
    let b = fingerprint(ev);
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    // DTSTART and DTEND are reported together as one time change.
    let mut time_done = false;
    for name in names {
        let (va, vb) = (a.get(name), b.get(name));
        if va == vb {
            continue;
        }
        let field = field_of(name).unwrap_or(Field::Other);
        if field == Field::Time {
            if time_done {
                continue;
            }
            time_done = true;
            out.changes.push(Change { field, occurrence: rid.clone(), before: span(prev), after: span(ev) });
            continue;
        }
        let show = |v: Option<&Vec<String>>| v.map(|v| v.join(", ")).unwrap_or_else(|| "(none)".into());
        let label = if field == Field::Other { format!("{name}: ") } else { String::new() };
        out.changes.push(Change {
            field,
            occurrence: rid.clone(),
            before: format!("{label}{}", show(va)),
            after: format!("{label}{}", show(vb)),
        });
    }
    // Attendees: who is invited matters; how others answered does not.
    let (pa, pb) = (attendee_map(prev), attendee_map(ev));
    let added: Vec<&String> = pb.keys().filter(|k| !pa.contains_key(*k)).collect();
    let removed: Vec<&String> = pa.keys().filter(|k| !pb.contains_key(*k)).collect();
    if !added.is_empty() || !removed.is_empty() {
        let list =
            |v: &[&String]| v.iter().map(|s| s.trim_start_matches("mailto:")).collect::<Vec<_>>().join(", ");
        out.changes.push(Change {
            field: Field::Attendees,
            occurrence: rid.clone(),
            before: if removed.is_empty() { String::new() } else { format!("removed {}", list(&removed)) },
            after: if added.is_empty() { String::new() } else { format!("added {}", list(&added)) },
        });
    }
    for (who, before) in &pa {
        if let Some(after) = pb.get(who).filter(|after| *after != before) {
            let whose = if me.is_me(who) { "your answer" } else { who.trim_start_matches("mailto:") };
            out.minor.push(format!("{whose}: {before} → {after}"));
        }
    }
}

fn span(ev: &Component) -> String {
    let start = event::start(ev).map(|w| w.describe()).unwrap_or_else(|| "(no start)".into());
    match (event::end(ev), ev.prop("DURATION")) {
        (Some(end), _) => format!("{start} – {}", end.describe()),
        (None, Some(d)) => format!("{start} for {}", d.value.trim()),
        _ => start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20300101T000000Z\r\nSEQUENCE:0\r\nDTSTART:20300604T100000Z\r\nDTEND:20300604T110000Z\r\nSUMMARY:Plan\r\nLOCATION:Room 1\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-STATUS=1.2:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn d(before: &str, after: &str) -> Diff {
        let me = Identity::new(["mailto:ann@example.com"]);
        diff(&Document::parse(before).unwrap(), &Document::parse(after).unwrap(), &me)
    }

    #[test]
    fn other_attendees_answers_and_bookkeeping_are_minor() {
        let after = BASE
            .replace("NEEDS-ACTION;SCHEDULE-STATUS=1.2:mailto:bob", "ACCEPTED;SCHEDULE-STATUS=2.0:mailto:bob")
            .replace("DTSTAMP:20300101T000000Z", "DTSTAMP:20300102T000000Z")
            .replace("SEQUENCE:0", "SEQUENCE:1")
            .replace("UID:1\r\n", "UID:1\r\nLAST-MODIFIED:20300102T000000Z\r\nX-CYRUS-THING:1\r\n");
        let diff = d(BASE, &after);
        assert!(!diff.is_consequential(), "{diff:?}");
        assert_eq!(diff.minor, vec!["bob@example.com: NEEDS-ACTION → ACCEPTED"]);
    }

    #[test]
    fn a_reschedule_is_one_time_change() {
        let after = BASE
            .replace("20300604T100000Z", "20300605T140000Z")
            .replace("20300604T110000Z", "20300605T150000Z");
        let diff = d(BASE, &after);
        assert_eq!(diff.changes.len(), 1, "{diff:?}");
        let c = &diff.changes[0];
        assert_eq!(c.field, Field::Time);
        assert_eq!(c.before, "20300604T100000Z – 20300604T110000Z");
        assert_eq!(c.after, "20300605T140000Z – 20300605T150000Z");
    }

    #[test]
    fn place_recurrence_status_and_people_are_consequential() {
        let after = BASE
            .replace("LOCATION:Room 1", "LOCATION:Room 2")
            .replace("SUMMARY:Plan\r\n", "SUMMARY:Plan\r\nRRULE:FREQ=WEEKLY\r\nSTATUS:CANCELLED\r\n")
            .replace(
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-STATUS=1.2:mailto:bob@example.com\r\n",
                "ATTENDEE:mailto:cy@example.com\r\n",
            );
        let fields: Vec<Field> = d(BASE, &after).changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, vec![Field::Location, Field::Recurrence, Field::Status, Field::Attendees]);
    }

    #[test]
    fn a_longer_occurrence_is_consequential() {
        let weekly = BASE.replace("SUMMARY:Plan\r\n", "SUMMARY:Plan\r\nRRULE:FREQ=WEEKLY\r\n");
        let override_for = |end: &str| {
            let ov = format!(
                "BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID:20300611T100000Z\r\nDTSTART:20300611T100000Z\r\nDTEND:{end}\r\nSUMMARY:Plan\r\nLOCATION:Room 1\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\nEND:VEVENT\r\n"
            );
            weekly.replace("END:VCALENDAR", &format!("{ov}END:VCALENDAR"))
        };
        assert!(!d(&weekly, &override_for("20300611T110000Z")).is_consequential(), "answers only");
        let longer = d(&weekly, &override_for("20300611T120000Z"));
        assert!(longer.is_consequential(), "{longer:?}");
        assert_eq!(longer.changes[0].field, Field::Recurrence);
    }

    #[test]
    fn reordered_properties_are_not_a_change() {
        let after =
            BASE.replace("SUMMARY:Plan\r\nLOCATION:Room 1\r\n", "LOCATION:Room 1\r\nSUMMARY:Plan\r\n");
        assert_eq!(d(BASE, &after), Diff::default());
    }
}
