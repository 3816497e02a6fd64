//! What the reader repairs without guessing, each repair said in words:
//! broken `X-` lines and parameters, 8-digit dates without `VALUE=DATE`,
//! all-day events that end where they start, and time zones a file names
//! but doesn't define. And what it flags for the person to confirm: rules
//! that make a server expand a huge or endless set. A zone name nothing
//! resolves waits for the person's choice (`choose_zone`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::zones;
use super::{Item, entries};
use crate::ical::lines::{self, Component, Document};
use crate::ical::repeat;

/// Occurrences above which a rule is flagged: a server expands them all.
pub(super) const HUGE_SET: u64 = 10_000;

/// Date and date-time properties whose 8-digit values are dates.
const DATE_PROPS: [&str; 6] = ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE"];

fn is_x(name: &str) -> bool {
    name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("X-"))
}

fn excerpt(s: &str) -> String {
    s.chars().take(40).collect()
}

/// How a logical line the parser refused can be mended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Fix {
    /// An `X-` property: the whole line goes.
    Drop(String),
    /// A standard property with broken `X-` parameters: the line without them.
    Replace { line: String, params: Vec<String> },
}

impl Fix {
    pub(super) fn note(&self) -> String {
        match self {
            Fix::Drop(name) => format!("skipped a broken {name} line"),
            Fix::Replace { params, .. } => format!("skipped a broken {} parameter", params.join(", ")),
        }
    }
}

/// Splits on `sep` outside double quotes.
fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(&text[start..i]);
            start = i + 1;
        }
    }
    out.push(&text[start..]);
    out
}

/// The mend for a line the parser refused, if it is an `X-` line or only
/// its `X-` parameters are broken. A broken standard property stays broken.
pub(super) fn mend(logical: &str) -> Option<Fix> {
    let mut quoted = false;
    let colon = logical.char_indices().find_map(|(i, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        (c == ':' && !quoted).then_some(i)
    });
    let head = colon.map_or(logical, |c| &logical[..c]);
    let parts = split_unquoted(head, ';');
    let name = parts[0].trim();
    if is_x(name) {
        return Some(Fix::Drop(excerpt(name)));
    }
    let colon = colon?;
    let (good, bad): (Vec<&str>, Vec<&str>) = parts[1..].iter().partition(|p| p.contains('='));
    if bad.is_empty() || !bad.iter().all(|p| is_x(p.trim())) || name.is_empty() {
        return None;
    }
    let mut line = name.to_owned();
    for p in good {
        line.push(';');
        line.push_str(p);
    }
    line.push_str(&logical[colon..]);
    Some(Fix::Replace { line, params: bad.iter().map(|p| excerpt(p.trim())).collect() })
}

/// `VALUE=DATE` on 8-digit date properties that lack it, and an all-day
/// event's DTEND moved to the day after DTSTART when it is not after it.
pub(super) fn dates(c: &mut Component, is_event: bool, notes: &mut Vec<String>) {
    for line in c.props_mut().filter(|l| DATE_PROPS.contains(&l.name.as_str())) {
        let eight_digits = |v: &str| v.trim().len() == 8 && v.trim().bytes().all(|b| b.is_ascii_digit());
        if line.param("VALUE").is_none()
            && line.param("TZID").is_none()
            && line.value.split(',').all(eight_digits)
        {
            line.set_param("VALUE", "DATE");
            let note = format!("{} read as a date", line.name);
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    if !is_event {
        return;
    }
    let date = |name: &str| {
        let line = c.prop(name)?;
        let is_date = line.param("VALUE").is_some_and(|v| v.value().eq_ignore_ascii_case("DATE"));
        is_date.then(|| NaiveDate::parse_from_str(line.value.trim(), "%Y%m%d").ok()).flatten()
    };
    if let (Some(start), Some(end)) = (date("DTSTART"), date("DTEND"))
        && end <= start
        && let Some(next) = start.succ_opt()
    {
        let value = next.format("%Y%m%d").to_string();
        if let Some(line) = c.props_mut().find(|l| l.name == "DTEND") {
            line.set_value(&value);
        }
        notes.push(format!(
            "DTEND was not after DTSTART: the all-day event now ends on {value}, one day later"
        ));
    }
}

/// Why a server would choke on this component's rules, if it would.
pub(super) fn huge_sets(c: &Component) -> Vec<String> {
    let start = c.prop("DTSTART").and_then(|l| {
        NaiveDateTime::parse_from_str(l.value.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()
    });
    let mut flags = Vec::new();
    for rule in c.props_named("RRULE") {
        let parts: HashMap<String, String> = repeat::parts(&rule.value).into_iter().collect();
        let freq = parts.get("FREQ").map(|f| f.to_ascii_uppercase()).unwrap_or_default();
        // Sub-daily frequencies only: a daily rule without end is ordinary.
        let step = repeat::period_seconds(&freq).filter(|s| *s < 86_400).unwrap_or(0);
        let unit = freq.strip_suffix("LY").unwrap_or_default().to_ascii_lowercase();
        let interval = parts.get("INTERVAL").and_then(|i| i.parse::<i64>().ok()).unwrap_or(1).max(1);
        let count = parts.get("COUNT").and_then(|n| n.parse::<u64>().ok());
        let until = parts.get("UNTIL").and_then(|u| {
            let u = u.trim_end_matches('Z');
            NaiveDateTime::parse_from_str(u, "%Y%m%dT%H%M%S")
                .ok()
                .or_else(|| NaiveDate::parse_from_str(u, "%Y%m%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        });
        let what = match (count, until) {
            (Some(n), _) if n > HUGE_SET => Some(format!("it repeats {n} times")),
            (None, None) if step > 0 => Some(format!("it repeats every {unit} without end")),
            (None, Some(u)) if step > 0 => {
                let span = start.map(|s| (u - s).num_seconds()).unwrap_or(i64::MAX);
                let n = span / (step * interval);
                (n > HUGE_SET as i64)
                    .then(|| format!("it repeats every {unit} until {}, about {n} times", u.date()))
            }
            _ => None,
        };
        if let Some(what) = what {
            flags.push(format!(
                "{what}: a server would expand a huge set (RRULE:{})",
                excerpt(rule.value.trim())
            ));
        }
    }
    flags
}

/// A zone name to write in TZID, and the database zone to build a
/// VTIMEZONE from when the file doesn't define that name.
#[derive(Debug, Clone)]
struct Zone {
    tzid: String,
    build: Option<Tz>,
}

/// The rule with a floating `UNTIL` date-time read in `tz` and written in
/// UTC; None when it has none.
fn until_in_utc(rule: &str, tz: Tz) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = rule
        .split(';')
        .map(|part| {
            let Some((key, value)) = part.split_once('=') else { return part.to_owned() };
            let local = key
                .trim()
                .eq_ignore_ascii_case("UNTIL")
                .then(|| NaiveDateTime::parse_from_str(value.trim(), "%Y%m%dT%H%M%S").ok())
                .flatten();
            match local.and_then(|l| tz.from_local_datetime(&l).earliest()) {
                Some(at) => {
                    changed = true;
                    format!("{key}={}", at.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ"))
                }
                None => part.to_owned(),
            }
        })
        .collect();
    changed.then(|| parts.join(";"))
}

fn zone_for(name: &str, defined: &HashMap<String, String>) -> Option<Zone> {
    if defined.contains_key(name) {
        return Some(Zone { tzid: name.to_owned(), build: None });
    }
    let tz = zones::resolve(name)?;
    Some(Zone { tzid: tz.name().to_owned(), build: Some(tz) })
}

/// What an item's time zones need: VTIMEZONEs to add, repairs, and the
/// names nothing resolves.
#[derive(Debug, Default)]
pub(super) struct Settled {
    pub vtimezones: Vec<String>,
    pub repairs: Vec<String>,
    pub unknown: Vec<String>,
}

/// Gives floating times the calendar's X-WR-TIMEZONE, maps each TZID the
/// file doesn't define to a database zone (or the calendar's zone), and
/// builds the VTIMEZONEs; a name nothing resolves waits for the person's
/// choice, never floated.
pub(super) fn settle_zones(
    docs: &mut [&mut Document],
    calendar_zone: Option<&str>,
    defined: &HashMap<String, String>,
    cache: &mut zones::Cache,
) -> Settled {
    let mut out = Settled::default();
    let calendar = calendar_zone.and_then(|z| zone_for(z, defined));
    let mut needed: Vec<Tz> = Vec::new();
    if let Some(zone) = &calendar {
        let mut floated = false;
        for c in docs.iter_mut().filter_map(|d| component_mut(d)) {
            for line in c.props_mut().filter(|l| DATE_PROPS.contains(&l.name.as_str())) {
                // A PERIOD (RDATE) takes a TZID like a DATE-TIME does.
                let is_date = line.param("VALUE").is_some_and(|v| v.value().eq_ignore_ascii_case("DATE"));
                let floating = line.param("TZID").is_none()
                    && line.value.contains('T')
                    && !line.value.trim().ends_with(['Z', 'z']);
                if floating && !is_date {
                    line.set_param("TZID", &zone.tzid);
                    floated = true;
                }
            }
            // With a zoned DTSTART, UNTIL must be UTC (RFC 5545 3.3.10).
            let tz = zone.build.or_else(|| zone.tzid.parse().ok());
            if let Some(tz) = tz.filter(|_| floated) {
                for line in c.props_mut().filter(|l| l.name == "RRULE") {
                    if let Some(rule) = until_in_utc(&line.value, tz) {
                        line.set_value(&rule);
                    }
                }
            }
        }
        if floated {
            out.repairs.push(format!("floating times read in {}, the calendar's X-WR-TIMEZONE", zone.tzid));
            needed.extend(zone.build);
        }
    }
    let mut used = Vec::new();
    for c in docs.iter().filter_map(|d| component(d)) {
        collect_tzids(c, &mut used);
    }
    for id in used.iter().filter(|id| !defined.contains_key(*id)) {
        let (zone, why) = match zone_for(id, defined) {
            Some(z) => (z, None),
            None => match &calendar {
                Some(z) => (z.clone(), Some("the calendar's X-WR-TIMEZONE")),
                None => {
                    out.unknown.push(id.clone());
                    continue;
                }
            },
        };
        if zone.tzid != *id {
            for c in docs.iter_mut().filter_map(|d| component_mut(d)) {
                rename_tzid(c, id, &zone.tzid);
            }
            out.repairs.push(read_as(id, &zone.tzid, why));
        }
        needed.extend(zone.build);
    }
    let (first, last) = years(docs.iter().filter_map(|d| component(d)));
    let mut added = Vec::new();
    for tz in needed {
        if !added.contains(&tz) {
            added.push(tz);
            out.vtimezones.push(cache.vtimezone(tz, first, last).to_owned());
            out.repairs.push(added_from_database(tz));
        }
    }
    out
}

fn read_as(name: &str, tzid: &str, why: Option<&str>) -> String {
    let because = why.map(|w| format!(", {w}")).unwrap_or_default();
    format!("the time zone {name:?} read as {tzid}{because}")
}

fn added_from_database(tz: Tz) -> String {
    format!("added the time zone {} from the time-zone database", tz.name())
}

/// The person's choice for a zone name nothing resolved, applied to one
/// item ready to send: its TZIDs renamed (a floating UNTIL made UTC, as
/// for X-WR-TIMEZONE), the zone's VTIMEZONE added unless the item holds
/// it already, the repair said. False when the item doesn't wait for `name`.
pub(super) fn choose_zone(item: &mut Item, name: &str, tz: Tz, cache: &mut zones::Cache) -> bool {
    if !item.unknown_zones.iter().any(|n| n == name) {
        return false;
    }
    // The reader wrote this text; it parses.
    let Ok(mut doc) = Document::parse(&item.data) else { return false };
    let Some(calendar) = doc.calendar_mut() else { return false };
    let is_zone = |c: &Component| c.name == "VTIMEZONE";
    let tzid = |c: &Component| c.prop("TZID").map(|l| crate::ical::event::unescape(l.value.trim()));
    let has_zone = calendar.children().any(|c| is_zone(c) && tzid(c).as_deref() == Some(tz.name()));
    for c in calendar.children_mut().filter(|c| !is_zone(c)) {
        let zoned_start = c.prop("DTSTART").and_then(|l| l.param("TZID")).is_some_and(|p| p.value() == name);
        rename_tzid(c, name, tz.name());
        // With a zoned DTSTART, UNTIL must be UTC (RFC 5545 3.3.10).
        for line in c.props_mut().filter(|l| zoned_start && l.name == "RRULE") {
            if let Some(rule) = until_in_utc(&line.value, tz) {
                line.set_value(&rule);
            }
        }
    }
    item.repairs.push(read_as(name, tz.name(), Some("as you chose")));
    if !has_zone {
        let (first, last) = years(calendar.children().filter(|c| !is_zone(c)));
        let text = format!("BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n", cache.vtimezone(tz, first, last));
        let built = Document::parse(&text).ok().and_then(|d| d.calendar()?.children().next().cloned());
        let Some(built) = built else { return false };
        // After the zones already there, before the entry's components.
        let at = calendar
            .items
            .iter()
            .position(|i| matches!(i, lines::Item::Child(c) if !is_zone(c)))
            .unwrap_or(calendar.items.len());
        calendar.items.insert(at, lines::Item::Child(built));
        item.repairs.push(added_from_database(tz));
    }
    (item.start, item.end) = entries::span(item.kind, calendar.children().filter(|c| !is_zone(c)));
    item.unknown_zones.retain(|n| n != name);
    item.data = doc.to_string();
    true
}

fn component(doc: &Document) -> Option<&Component> {
    doc.calendar()?.children().next()
}

fn component_mut(doc: &mut Document) -> Option<&mut Component> {
    doc.calendar_mut()?.children_mut().next()
}

/// The years a built zone covers: one before the earliest date the entries
/// name, to two after the later of their last date and this year.
fn years<'a>(components: impl Iterator<Item = &'a Component>) -> (i32, i32) {
    let mut found: Vec<i32> = Vec::new();
    for c in components {
        for line in c.props().filter(|l| DATE_PROPS.contains(&l.name.as_str())) {
            found.extend(line.value.split(',').filter_map(|v| v.trim().get(..4)?.parse::<i32>().ok()));
        }
    }
    let now = Utc::now().year();
    let last = found.iter().copied().max().unwrap_or(now).max(now).saturating_add(2).min(2200);
    let first = found.iter().copied().min().unwrap_or(now).saturating_sub(1).clamp(last - 200, last - 2);
    (first, last)
}

fn rename_tzid(c: &mut Component, from: &str, to: &str) {
    for item in &mut c.items {
        match item {
            lines::Item::Prop(line) => {
                if line.param("TZID").is_some_and(|p| p.value() == from) {
                    line.set_param("TZID", to);
                }
            }
            lines::Item::Child(child) => rename_tzid(child, from, to),
        }
    }
}

/// TZID parameters anywhere in the component, first use first.
pub(super) fn collect_tzids(c: &Component, out: &mut Vec<String>) {
    for item in &c.items {
        match item {
            lines::Item::Prop(line) => {
                if let Some(id) = line.param("TZID").map(|p| p.value())
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
            lines::Item::Child(child) => collect_tzids(child, out),
        }
    }
}

#[cfg(test)]
mod tests;
