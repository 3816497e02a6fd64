//! The cache as it was up to 0.1: one JSON file per account (`cache.json`,
//! format 1), rewritten whole after every sync. Kept only to import it
//! into the database once, losing nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use url::Url;

use super::super::{StoreError, io_error};
use super::CachedObject;
use crate::caldav::{Calendar, Capabilities, Principal};

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JsonCache {
    pub format: u32,
    pub principal: Option<Principal>,
    pub capabilities: Option<Capabilities>,
    pub calendars: Vec<JsonCalendar>,
    pub synced_at: Option<i64>,
    pub listed_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonCalendar {
    pub info: Calendar,
    pub synced_token: Option<String>,
    pub synced_ctag: Option<String>,
    pub objects: BTreeMap<Url, CachedObject>,
}

impl JsonCache {
    /// `None` when there is no file; a damaged or newer file is an error
    /// (and is left as it is).
    pub fn load(path: &Path) -> Result<Option<Self>, StoreError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
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
        serde_json::from_slice(&bytes).map(Some).map_err(damaged)
    }
}
