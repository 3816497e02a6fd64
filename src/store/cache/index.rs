//! Where an object lies in time, for the time-range index: a view asks
//! the database for the objects that may overlap its range instead of
//! expanding every cached object.

use crate::ical::lines::Component;
use crate::ical::time::to_local;
use crate::ical::{Document, event, invitation, occurrence, repeat};

/// Bump when the rules below change: the index is rebuilt at open.
/// (4 added the people of each event.)
pub const VERSION: i64 = 4;

/// Floating times and all-day dates are read in the local zone, which may
/// change between indexing and asking (up to 26 hours apart): widen every
/// span by more than that, so the index never misses an event. The caller
/// expands the candidates, which decides exactly.
const SLACK: i64 = 2 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Nothing a view shows (no event, or unreadable).
    Never,
    /// A series, from its first instance to the end of its last (`None`:
    /// endless), widened by the slack; its instances are expanded per
    /// range ([`occurrence::expand`]).
    Repeats(i64, Option<i64>),
    /// Unix seconds, `[start, end]` widened by the slack.
    Between(i64, i64),
}

/// What the index holds of one object: where it lies in time, its UID
/// when it has an organizer (a scheduling object: maybe an invitation),
/// and the addresses of its organizer and attendees (what the editor
/// completes attendees from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub span: Span,
    pub scheduling: Option<String>,
    pub people: Vec<String>,
}

impl Indexed {
    /// An object no view shows (unreadable, or without an event).
    pub const NEVER: Indexed = Indexed { span: Span::Never, scheduling: None, people: Vec::new() };
}

pub fn read(data: &str) -> Indexed {
    Document::parse(data).map(|doc| of(&doc)).unwrap_or(Indexed::NEVER)
}

/// [`read`] of an object already parsed (a sync parses each object once
/// for the index and the invitation check).
pub fn of(doc: &Document) -> Indexed {
    let Some(cal) = doc.calendar() else { return Indexed::NEVER };
    // Its main event's organizer, as the invitation reader decides.
    let scheduling = invitation::main_event(cal)
        .filter(|e| e.prop("ORGANIZER").is_some())
        .and_then(|e| Some(e.prop("UID")?.value.trim().to_owned()));
    Indexed { span: span(cal), scheduling, people: people(cal) }
}

/// The organizer and attendee addresses of every event in it, each once:
/// lower case, without `mailto:` (how a person types them).
fn people(cal: &Component) -> Vec<String> {
    let lines = cal
        .children()
        .filter(|c| c.name.eq_ignore_ascii_case("VEVENT"))
        .flat_map(|ev| ev.props_named("ORGANIZER").chain(ev.props_named("ATTENDEE")));
    let addresses = lines.filter_map(|l| {
        let v = l.value.trim();
        let bare = v.get(..7).filter(|p| p.eq_ignore_ascii_case("mailto:")).map_or(v, |_| &v[7..]);
        bare.contains('@').then(|| bare.to_lowercase())
    });
    let set: std::collections::BTreeSet<String> = addresses.collect();
    set.into_iter().collect()
}

fn span(cal: &Component) -> Span {
    // Wider than what `expand` repeats (RRULE only): a rule it ignores
    // still makes a candidate, never a miss.
    let rule = ["RRULE", "RDATE", "EXDATE", "EXRULE"];
    let mut repeats = false;
    // `Some(None)`: a series with no last instance (or one too far to count).
    let mut open_end = false;
    // Every VEVENT's first instance and the end of its last (moved
    // instances are VEVENTs of their own, so they widen the hull too).
    let mut hull: Option<(i64, i64)> = None;
    for ev in cal.children().filter(|c| c.name == "VEVENT") {
        let Some(when) = event::start(ev) else { continue };
        let Some(start) = to_local(&when) else { continue };
        let length = occurrence::length(ev, &when);
        let mut last = start.timestamp();
        if rule.iter().any(|r| ev.prop(r).is_some()) {
            repeats = true;
            match repeat::last_start(ev) {
                Some(Some(at)) => last = last.max(at.timestamp()),
                Some(None) => open_end = true,
                // A rule `expand` can't read shows the first instance only;
                // RDATE/EXRULE without RRULE: leave it open, never a miss.
                None if ev.prop("RRULE").is_some() => {}
                None => open_end = true,
            }
        }
        let (s, e) = (start.timestamp(), last.saturating_add(length.num_seconds().max(0)));
        hull = Some(hull.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
    }
    let Some((s, e)) = hull else { return Span::Never };
    let (s, e) = (s.saturating_sub(SLACK), e.saturating_add(SLACK));
    match (repeats, open_end) {
        (false, _) => Span::Between(s, e),
        (true, false) => Span::Repeats(s, Some(e)),
        (true, true) => Span::Repeats(s, None),
    }
}
