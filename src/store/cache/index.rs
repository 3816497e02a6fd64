//! Where an object lies in time, for the time-range index: a view asks
//! the database for the objects that may overlap its range instead of
//! expanding every cached object.

use crate::ical::lines::Component;
use crate::ical::time::to_local;
use crate::ical::{Document, event, invitation, occurrence};

/// Bump when the rules below change: the index is rebuilt at open.
pub const VERSION: i64 = 2;

/// Floating times and all-day dates are read in the local zone, which may
/// change between indexing and asking (up to 26 hours apart): widen every
/// span by more than that, so the index never misses an event. The caller
/// expands the candidates, which decides exactly.
const SLACK: i64 = 2 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Nothing a view shows (no event, or unreadable).
    Never,
    /// A series: its instances are expanded per range
    /// ([`occurrence::expand`]), so it is a candidate for every range.
    Repeats,
    /// Unix seconds, `[start, end]` widened by the slack.
    Between(i64, i64),
}

/// What the cache keeps beside an object to find it without parsing it:
/// where it lies in time, and whether it is a scheduling object (its main
/// event has an ORGANIZER; only those can be invitations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indexed {
    pub span: Span,
    pub scheduling: bool,
}

/// Reads both from one parse of the object.
pub fn read(data: &str) -> Indexed {
    let Ok(doc) = Document::parse(data) else { return Indexed { span: Span::Never, scheduling: false } };
    let Some(cal) = doc.calendar() else { return Indexed { span: Span::Never, scheduling: false } };
    let scheduling = invitation::main_event(cal).is_some_and(|ev| ev.prop("ORGANIZER").is_some());
    Indexed { span: span(cal), scheduling }
}

fn span(cal: &Component) -> Span {
    // Wider than what `expand` repeats (RRULE only): a rule it ignores
    // still makes a candidate, never a miss.
    let rule = ["RRULE", "RDATE", "EXDATE", "EXRULE"];
    if cal.children().filter(|c| c.name == "VEVENT").any(|e| rule.iter().any(|r| e.prop(r).is_some())) {
        return Span::Repeats;
    }
    // Without a rule, `expand` shows each VEVENT once, at its DTSTART for
    // its length, whatever the window: the same here, without parsing the
    // text a second time (a first sync stores thousands of objects).
    let mut hull: Option<(i64, i64)> = None;
    for ev in cal.children().filter(|c| c.name == "VEVENT") {
        let Some(when) = event::start(ev) else { continue };
        let Some(start) = to_local(&when) else { continue };
        let end = start.checked_add_signed(occurrence::length(ev, &when)).unwrap_or(start);
        let (s, e) = (start.timestamp(), end.timestamp().max(start.timestamp()));
        hull = Some(hull.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
    }
    match hull {
        Some((s, e)) => Span::Between(s.saturating_sub(SLACK), e.saturating_add(SLACK)),
        None => Span::Never,
    }
}
