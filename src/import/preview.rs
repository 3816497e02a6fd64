//! What an import would do, before anything is written: the wizard's
//! preview and the first lines `convene import` prints.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::source::{Batch, Kind};
use crate::ical::Identity;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preview {
    pub events: usize,
    pub tasks: usize,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Entries that list attendees (the ones scheduling would mail).
    pub with_attendees: usize,
    /// Of those, how many the person organizes, and how many invite them.
    pub organizer_of: usize,
    pub attendee_of: usize,
    /// Every attendee address across the entries, counted once.
    pub attendees: usize,
    /// UIDs the target calendar already holds.
    pub duplicates: Vec<String>,
    pub bad: usize,
    /// Entries the reader mended (each says how in `Item::repairs`).
    pub repaired: usize,
    /// Entries held back until the person confirms them (`Item::flags`).
    pub flagged: usize,
    /// Entries that wait for the person to choose a time zone
    /// (`Item::unknown_zones`).
    pub zone_needed: usize,
    /// Lines skipped that belong to no entry.
    pub notes: usize,
}

impl Preview {
    pub fn new(batch: &Batch, me: &Identity, existing: &HashSet<String>) -> Self {
        let mut p = Preview { bad: batch.bad.len(), notes: batch.notes.len(), ..Preview::default() };
        let mut people = HashSet::new();
        for item in &batch.items {
            match item.kind {
                Kind::Event => p.events += 1,
                Kind::Task => p.tasks += 1,
            }
            if let Some(s) = item.start {
                p.first = Some(p.first.map_or(s, |f| f.min(s)));
            }
            if let Some(e) = item.end.or(item.start) {
                p.last = Some(p.last.map_or(e, |l| l.max(e)));
            }
            if !item.attendees.is_empty() {
                p.with_attendees += 1;
                if item.organizer.as_deref().is_some_and(|o| me.is_me(o)) {
                    p.organizer_of += 1;
                } else if item.attendees.iter().any(|a| me.is_me(a)) {
                    p.attendee_of += 1;
                }
            }
            p.repaired += usize::from(!item.repairs.is_empty());
            p.flagged += usize::from(!item.flags.is_empty());
            p.zone_needed += usize::from(!item.unknown_zones.is_empty());
            people.extend(item.attendees.iter().map(|a| crate::ical::identity::normalize(a)));
            if existing.contains(&item.uid) {
                p.duplicates.push(item.uid.clone());
            }
        }
        p.attendees = people.len();
        p
    }

    pub fn total(&self) -> usize {
        self.events + self.tasks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::source::parse;
    use std::path::Path;

    #[test]
    fn the_preview_counts_repairs_flags_and_skipped_lines() {
        let dates = include_str!("../../tests/fixtures/import/repairs/dates.ics");
        let flagged = include_str!("../../tests/fixtures/import/repairs/flagged.ics");
        let mut batch = parse(Path::new("dates.ics"), dates);
        let more = parse(Path::new("flagged.ics"), flagged);
        batch.items.extend(more.items);
        let p = Preview::new(&batch, &Identity::default(), &HashSet::new());
        assert_eq!((p.events, p.repaired, p.flagged, p.zone_needed, p.notes, p.bad), (5, 2, 1, 1, 1, 0));
    }
}
