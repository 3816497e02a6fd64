//! VTIMEZONEs for zones a file names but doesn't define: built from the
//! time-zone database (chrono-tz), a Windows name mapped to IANA first.
//! Servers refuse a TZID they can't resolve, and a guessed offset would
//! move the event, so only names the database knows are built.

use std::collections::HashMap;

use chrono_tz::{TZ_VARIANTS, Tz};

use crate::ical::vtimezone::build;

use super::windows_zones::WINDOWS_ZONES;

/// The IANA zone a TZID names: an IANA name (also behind a `/vendor/…`
/// prefix, as some exporters write) or a Windows name (CLDR windowsZones).
pub(super) fn resolve(tzid: &str) -> Option<Tz> {
    let id = tzid.trim();
    if let Ok(tz) = id.parse::<Tz>() {
        return Some(tz);
    }
    if let Some(path) = id.strip_prefix('/') {
        let parts: Vec<&str> = path.split('/').collect();
        // "/mozilla.org/20050126_1/America/Argentina/Buenos_Aires": the longest tail that is a zone.
        for k in (2..=3.min(parts.len())).rev() {
            if let Ok(tz) = parts[parts.len() - k..].join("/").parse::<Tz>() {
                return Some(tz);
            }
        }
    }
    let name = WINDOWS_ZONES.iter().find(|(windows, _)| windows.eq_ignore_ascii_case(id))?.1;
    name.parse().ok()
}

/// The database zone spelled `name`, in any letter case: what the person
/// may choose for a name nothing resolves.
pub fn named(name: &str) -> Option<Tz> {
    let name = name.trim();
    TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name))
}

/// Database zones whose name holds every word of `query` (any case; a
/// space also matches `_`, so "new york" finds America/New_York), in
/// alphabetical order.
pub fn matching(query: &str) -> impl Iterator<Item = Tz> + '_ {
    let words: Vec<String> =
        query.split([' ', '/', '_']).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    TZ_VARIANTS.iter().copied().filter(move |tz| {
        let name = tz.name().to_lowercase();
        words.iter().all(|w| name.contains(w.as_str()))
    })
}

/// VTIMEZONEs built so far, by zone and year range: a file's entries
/// share a few, and each takes some thousand offset lookups to build.
#[derive(Debug, Default)]
pub(super) struct Cache(HashMap<(Tz, i32, i32), String>);

impl Cache {
    /// The VTIMEZONE of `tz` covering `first..=last` exactly, with a
    /// yearly rule from `last` on where the transitions follow one.
    pub(super) fn vtimezone(&mut self, tz: Tz, first: i32, last: i32) -> &str {
        self.0.entry((tz, first, last)).or_insert_with(|| build(tz, first, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_from_iana_windows_and_vendor_prefixes() {
        assert_eq!(resolve("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(resolve("W. Europe Standard Time"), Some(Tz::Europe__Berlin));
        assert_eq!(resolve("/mozilla.org/20050126_1/America/New_York"), Some(Tz::America__New_York));
        assert_eq!(resolve("Nowhere/Atlantis"), None);
        assert_eq!(named(" europe/berlin "), Some(Tz::Europe__Berlin));
        assert_eq!(named("Europe/Berlni"), None);
        assert_eq!(named("W. Europe Standard Time"), None, "a choice is a database name");
        assert_eq!(matching("new york").collect::<Vec<_>>(), [Tz::America__New_York]);
        assert_eq!(matching("Europe/BERL").collect::<Vec<_>>(), [Tz::Europe__Berlin]);
        assert_eq!(matching("").count(), TZ_VARIANTS.len());
        for (windows, iana) in WINDOWS_ZONES.iter() {
            assert!(iana.parse::<Tz>().is_ok(), "{windows} maps to {iana}, unknown to chrono-tz");
        }
    }
}
