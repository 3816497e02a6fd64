//! One entry at a time: checking each VEVENT or VTODO, grouping a series
//! with its overrides by UID, and building the calendar object to PUT.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::repair::{self, collect_tzids};
use super::zones;
use super::{
    Chunk, DEFAULT_PRODID, DEFAULT_VERSION, Header, Item, Kind, Problem, WRAP_BEGIN, WRAP_END, fnv1a_64,
};
use crate::ical::event::{self, When};
use crate::ical::lines::{Component, Document, Line};
use crate::ical::occurrence::{length, parse_duration};
use crate::ical::time::to_local;

/// A VEVENT or VTODO that parsed and passed its checks.
#[derive(Debug)]
pub(super) struct Entry {
    kind: Kind,
    uid: String,
    recurrence_id: Option<String>,
    line: usize,
    calendar: usize,
    /// The component alone in a VCALENDAR wrapper, as written but for a
    /// generated UID and the repairs.
    doc: Document,
    repairs: Vec<String>,
    flags: Vec<String>,
}

impl Entry {
    fn component(&self) -> &Component {
        // read_entry only makes entries whose wrapper holds the component.
        self.doc.calendar().and_then(|c| c.children().next()).expect("an entry's component")
    }
}

pub(super) fn read_entry(chunk: &Chunk) -> Result<Entry, Problem> {
    let (mut doc, mut repairs) = chunk.parse()?;
    if chunk.bare {
        repairs.insert(0, "read as if inside a VCALENDAR (the file has none around it)".to_owned());
    }
    let Some(component) = doc.calendar_mut().and_then(|c| c.children_mut().next()) else {
        return Err(chunk.problem(format!("{} is empty", chunk.name)));
    };
    let uid = match event::uid(component).filter(|u| !u.is_empty()) {
        Some(uid) => uid,
        None => {
            // Derived from the text, so importing the same file again finds
            // the same UID and creates no duplicate.
            // Stamps change with every export of the same event: leave them out.
            let stable: String = chunk
                .text
                .split_inclusive('\n')
                .filter(|l| {
                    !["DTSTAMP", "LAST-MODIFIED"].iter().any(|p| l.to_ascii_uppercase().starts_with(p))
                })
                .collect();
            let uid = format!("convene-import-{:016x}", fnv1a_64(stable.as_bytes()));
            component.remove_props("UID");
            component.push_prop(Line::new("UID", Vec::new(), &uid));
            uid
        }
    };
    let kind = if chunk.name == "VTODO" { Kind::Task } else { Kind::Event };
    repair::dates(component, kind == Kind::Event, &mut repairs);
    check_entry(kind, component).map_err(|problem| chunk.problem(problem))?;
    let flags = repair::huge_sets(component);
    Ok(Entry {
        kind,
        recurrence_id: event::recurrence_id(component),
        uid,
        line: chunk.line,
        calendar: chunk.calendar,
        doc,
        repairs,
        flags,
    })
}

/// What a server would refuse, or what would make the preview wrong.
fn check_entry(kind: Kind, c: &Component) -> Result<(), String> {
    let name = &c.name;
    let start = c.prop("DTSTART");
    // RFC 5545 lets a VEVENT go without DTSTART when there is a METHOD;
    // CalDAV servers refuse such events.
    if kind == Kind::Event && start.is_none() {
        return Err(format!("{name} has no DTSTART"));
    }
    for prop in ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"] {
        if let Some(line) = c.prop(prop)
            && !is_date_or_date_time(&line.value)
        {
            let value = line.value.trim();
            let what = if value.contains('T') { "date-time" } else { "date" };
            return Err(format!("{prop} {value:?} is not a valid {what}"));
        }
    }
    let end_prop = if kind == Kind::Event { "DTEND" } else { "DUE" };
    if let Some(duration) = c.prop("DURATION") {
        if c.prop(end_prop).is_some() {
            return Err(format!("{name} has both {end_prop} and DURATION"));
        }
        if parse_duration(&duration.value).is_none() {
            return Err(format!("DURATION {:?} is not a valid duration", duration.value.trim()));
        }
        if start.is_none() {
            return Err(format!("{name} has DURATION but no DTSTART"));
        }
    }
    // Compared only where both instants are known: an unknown zone name
    // (Outlook's Windows names) reads as floating time, and a flight from
    // one such zone to another can rightly end "before" it starts.
    let when = |prop: &str| c.prop(prop).map(When::from_line);
    let known = |w: &When| {
        w.tzid.as_deref().is_none_or(|z| z.trim_start_matches('/').parse::<chrono_tz::Tz>().is_ok())
    };
    let (start_at, end_at) = (when("DTSTART"), when(end_prop));
    let comparable = match (&start_at, &end_at) {
        (Some(a), Some(b)) => a.tzid == b.tzid || (known(a) && known(b)),
        _ => false,
    };
    if comparable
        && let (Some(s), Some(e)) = (start_at.as_ref().and_then(to_local), end_at.as_ref().and_then(to_local))
        && e < s
    {
        return Err(format!("{end_prop} is before DTSTART"));
    }
    Ok(())
}

/// `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]` naming a real day and time. The shape
/// is checked first because chrono's parser accepts shorter fields.
pub(super) fn is_date_or_date_time(value: &str) -> bool {
    let v = value.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match v.split_once('T') {
        None => digits(v, 8) && NaiveDate::parse_from_str(v, "%Y%m%d").is_ok(),
        Some((date, time)) => {
            let time = time.strip_suffix('Z').unwrap_or(time);
            digits(date, 8)
                && digits(time, 6)
                && NaiveDateTime::parse_from_str(&format!("{date}T{time}"), "%Y%m%dT%H%M%S").is_ok()
        }
    }
}

pub(super) fn read_zone(chunk: &Chunk, zones: &mut HashMap<String, String>) -> Result<(), Problem> {
    // A broken X- line in a zone is left out; the zone's rules are intact.
    let (doc, _) = chunk.parse()?;
    let zone = doc.calendar().and_then(|c| c.children().next());
    // The property is TEXT (`\,` escapes); the parameters naming it are not.
    let tzid =
        zone.and_then(|z| z.prop("TZID")).map(|l| event::unescape(l.value.trim())).filter(|t| !t.is_empty());
    let Some(tzid) = tzid else { return Err(chunk.problem("VTIMEZONE has no TZID")) };
    // Exports that repeat a zone repeat it identically: the first serves.
    zones.entry(tzid).or_insert_with(|| component_text(&doc));
    Ok(())
}

/// The one component of a wrapped chunk, as the writer gives it back.
fn component_text(doc: &Document) -> String {
    let all = doc.to_string();
    all.strip_prefix(WRAP_BEGIN).and_then(|s| s.strip_suffix(WRAP_END)).unwrap_or(&all).to_owned()
}

/// Groups entries by UID in file order. An entry that can't join its group
/// (another kind, a second master, an instance already there) is reported.
pub(super) fn group_by_uid(entries: Vec<Entry>, problems: &mut Vec<Problem>) -> Vec<Vec<Entry>> {
    let mut groups: Vec<Vec<Entry>> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let Some(&g) = by_uid.get(&entry.uid) else {
            by_uid.insert(entry.uid.clone(), groups.len());
            groups.push(vec![entry]);
            continue;
        };
        let clash = groups[g].iter().find(|m| m.kind != entry.kind || m.recurrence_id == entry.recurrence_id);
        match clash {
            Some(earlier) => problems.push(Problem {
                line: entry.line,
                uid: Some(entry.uid.clone()),
                problem: format!("UID {} already appears at line {}", entry.uid, earlier.line),
            }),
            None => groups[g].push(entry),
        }
    }
    groups
}

pub(super) fn make_item(
    file: &Path,
    mut members: Vec<Entry>,
    calendars: &[Header],
    zones: &HashMap<String, String>,
    cache: &mut zones::Cache,
) -> Option<Item> {
    let header = calendars.get(members.first()?.calendar);
    let mut docs: Vec<&mut Document> = members.iter_mut().map(|m| &mut m.doc).collect();
    let settled = repair::settle_zones(&mut docs, header.and_then(|h| h.time_zone.as_deref()), zones, cache);
    let members = &members;
    let first = members.first()?;
    let main = members.iter().find(|m| m.recurrence_id.is_none()).unwrap_or(first);
    let (start, end) = span(first.kind, members.iter().map(Entry::component));
    let mut repairs: Vec<String> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    for note in members.iter().flat_map(|m| &m.repairs).chain(&settled.repairs) {
        if !repairs.contains(note) {
            repairs.push(note.clone());
        }
    }
    for flag in members.iter().flat_map(|m| &m.flags) {
        if !flags.contains(flag) {
            flags.push(flag.clone());
        }
    }
    Some(Item {
        uid: first.uid.clone(),
        kind: first.kind,
        summary: event::text(main.component(), "SUMMARY"),
        file: file.to_owned(),
        line: first.line,
        start,
        end,
        organizer: event::organizer(main.component()).map(|p| p.address),
        attendees: attendees(members),
        has_master: members.iter().any(|m| m.recurrence_id.is_none()),
        data: calendar_data(members, header, zones, &settled.vtimezones),
        repairs,
        flags,
        unknown_zones: settled.unknown,
    })
}

/// Earliest start and latest end over a series' components.
pub(super) fn span<'a>(
    kind: Kind,
    components: impl Iterator<Item = &'a Component>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let (mut start, mut end) = (None, None);
    for (s, e) in components.filter_map(|c| component_span(kind, c)) {
        start = Some(start.map_or(s, |t: DateTime<Utc>| t.min(s)));
        end = end.max(Some(e));
    }
    (start, end)
}

fn component_span(kind: Kind, c: &Component) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let utc = |w: &When| to_local(w).map(|t| t.with_timezone(&Utc));
    match kind {
        Kind::Event => {
            // The first occurrence only: RRULEs are not expanded here.
            let when = event::start(c)?;
            let start = utc(&when)?;
            Some((start, start.checked_add_signed(length(c, &when)).unwrap_or(start)))
        }
        Kind::Task => {
            let start = event::start(c).as_ref().and_then(utc);
            let due = c.prop("DUE").map(When::from_line).as_ref().and_then(utc);
            let after_duration = || start?.checked_add_signed(parse_duration(&c.prop("DURATION")?.value)?);
            let end = due.or_else(after_duration).or(start);
            Some((start.or(due)?, end?))
        }
    }
}

/// ATTENDEE addresses, first spelling of each (compared ignoring case).
fn attendees(members: &[Entry]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for person in members.iter().flat_map(|m| event::attendees(m.component())) {
        if !out.iter().any(|a| a.eq_ignore_ascii_case(&person.address)) {
            out.push(person.address);
        }
    }
    out
}

/// The object to PUT. No METHOD: RFC 4791 §4.1 forbids it in stored objects,
/// and mailed .ics files usually carry one.
fn calendar_data(
    members: &[Entry],
    header: Option<&Header>,
    zones: &HashMap<String, String>,
    built: &[String],
) -> String {
    let mut out = String::from(WRAP_BEGIN);
    out.push_str(header.and_then(|h| h.version.as_deref()).unwrap_or(DEFAULT_VERSION));
    out.push_str(header.and_then(|h| h.prodid.as_deref()).unwrap_or(DEFAULT_PRODID));
    out.push_str(header.and_then(|h| h.calscale.as_deref()).unwrap_or_default());
    let mut tzids = Vec::new();
    for m in members {
        collect_tzids(m.component(), &mut tzids);
    }
    for zone in tzids.iter().filter_map(|id| zones.get(id)) {
        out.push_str(zone);
    }
    // Those the file names without defining them, from the database.
    for zone in built {
        out.push_str(zone);
    }
    for m in members {
        out.push_str(&component_text(&m.doc));
    }
    out.push_str(WRAP_END);
    out
}
