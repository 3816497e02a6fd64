//! The account cache: principal, capabilities, calendars, and every
//! calendar object with its ETag and Schedule-Tag as last seen.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{StoreError, io_error};
use crate::caldav::{Calendar, Capabilities, Etag, Object, Principal, ScheduleTag};
use crate::paths::write_atomic;

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cache {
    pub format: u32,
    pub principal: Option<Principal>,
    pub capabilities: Option<Capabilities>,
    pub calendars: Vec<CachedCalendar>,
    /// Unix seconds of the last complete sync.
    pub synced_at: Option<i64>,
    /// Unix seconds of the last calendar-list refresh.
    pub listed_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedCalendar {
    pub info: Calendar,
    /// The sync token or ctag the objects below correspond to.
    pub synced_token: Option<String>,
    pub synced_ctag: Option<String>,
    pub objects: BTreeMap<Url, CachedObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedObject {
    pub etag: Option<Etag>,
    pub schedule_tag: Option<ScheduleTag>,
    pub data: String,
}

impl CachedObject {
    pub fn to_object(&self, url: &Url) -> Object {
        Object {
            url: url.clone(),
            etag: self.etag.clone(),
            schedule_tag: self.schedule_tag.clone(),
            data: self.data.clone(),
        }
    }
}

impl From<Object> for CachedObject {
    fn from(o: Object) -> Self {
        CachedObject { etag: o.etag, schedule_tag: o.schedule_tag, data: o.data }
    }
}

impl Cache {
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Cache { format: FORMAT, ..Cache::default() });
            }
            Err(e) => return Err(io_error(path)(e)),
        };
        #[derive(Deserialize)]
        struct Version {
            format: u32,
        }
        let damaged =
            |e: serde_json::Error| StoreError::Damaged { path: path.to_owned(), problem: e.to_string() };
        let v: Version = serde_json::from_slice(&bytes).map_err(damaged)?;
        if v.format > FORMAT {
            return Err(StoreError::TooNew { path: path.to_owned(), found: v.format, supported: FORMAT });
        }
        serde_json::from_slice(&bytes).map_err(damaged)
    }

    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(self)
            .map_err(|e| StoreError::Damaged { path: path.to_owned(), problem: e.to_string() })?;
        write_atomic(path, &bytes).map_err(io_error(path))
    }

    pub fn calendar_mut(&mut self, url: &Url) -> Option<&mut CachedCalendar> {
        self.calendars.iter_mut().find(|c| &c.info.url == url)
    }

    /// Every cached object with the calendar holding it.
    pub fn objects(&self) -> impl Iterator<Item = (&CachedCalendar, &Url, &CachedObject)> {
        self.calendars.iter().flat_map(|c| c.objects.iter().map(move |(u, o)| (c, u, o)))
    }

    pub fn object(&self, url: &Url) -> Option<(&CachedCalendar, &CachedObject)> {
        self.calendars.iter().find_map(|c| c.objects.get(url).map(|o| (c, o)))
    }

    pub fn put_object(&mut self, calendar: &Url, url: &Url, object: CachedObject) {
        if let Some(c) = self.calendar_mut(calendar) {
            c.objects.insert(url.clone(), object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_and_newer_files_are_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        std::fs::write(&path, b"{\"format\":1,\"calendars\":[tru").unwrap();
        assert!(matches!(Cache::load(&path), Err(StoreError::Damaged { .. })));
        std::fs::write(&path, b"{\"format\":99}").unwrap();
        assert!(matches!(Cache::load(&path), Err(StoreError::TooNew { found: 99, .. })));
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"format\":99}");
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/cache.json");
        let mut c = Cache::load(&path).unwrap();
        c.synced_at = Some(5);
        c.save(&path).unwrap();
        assert_eq!(Cache::load(&path).unwrap().synced_at, Some(5));
    }
}
