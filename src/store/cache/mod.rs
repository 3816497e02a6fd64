//! The account cache: principal, capabilities, calendars, and every
//! calendar object with its ETag and Schedule-Tag as last seen.
//!
//! One SQLite database per account (`cache.db`, WAL): a row per object, so
//! a sync writes only what changed and opening reads only the account and
//! calendar rows; objects are read when asked for. The account and calendar
//! rows are mirrored in memory (a handful), and every write goes to both.

pub mod index;
pub mod legacy;
mod objects;
mod schema;
mod seen;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use url::Url;

use super::StoreError;
use crate::caldav::{Calendar, Capabilities, Etag, Object, Principal, ScheduleTag};
pub use index::{Indexed, Span};
pub use schema::SCHEMA;

#[derive(Debug)]
pub struct Cache {
    /// In a mutex only so the engine stays `Sync` (its futures cross
    /// threads); the account lock already keeps it to one user.
    conn: Mutex<Connection>,
    path: PathBuf,
    pub principal: Option<Principal>,
    pub capabilities: Option<Capabilities>,
    /// In the server's order.
    pub calendars: Vec<CachedCalendar>,
    /// Unix seconds of the last complete sync.
    pub synced_at: Option<i64>,
    /// Unix seconds of the last calendar-list refresh.
    pub listed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedCalendar {
    pub info: Calendar,
    /// The sync token or ctag the cached objects correspond to.
    pub synced_token: Option<String>,
    pub synced_ctag: Option<String>,
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

/// A reminder's key and the Unix time it is snoozed until (None: dismissed).
pub type Acknowledgement = (String, Option<i64>);

/// Where one calendar's sync left it; stored with its objects, atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub token: Option<String>,
    pub ctag: Option<String>,
}

/// SQLite's word for a file that is not (or no longer) a database is
/// "damaged"; anything else is a read or write failure.
pub(crate) fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + Copy + '_ {
    move |e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            StoreError::Damaged { path: path.to_owned(), problem: e.to_string() }
        }
        _ => StoreError::Database { path: path.to_owned(), source: e },
    }
}

impl Cache {
    /// Opens (creating, or importing `cache.json` beside it) the database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = schema::open(path)?;
        let mut cache = Cache {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            principal: None,
            capabilities: None,
            calendars: Vec::new(),
            synced_at: None,
            listed_at: None,
        };
        cache.reload()?;
        Ok(cache)
    }

    /// Reads the account and calendar rows into memory.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        let err = sql_error(&self.path);
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        let account = |key: &str| -> rusqlite::Result<Option<String>> {
            let mut st = conn.prepare_cached("SELECT value FROM account WHERE key = ?1")?;
            let mut rows = st.query([key])?;
            rows.next()?.map(|r| r.get(0)).transpose()
        };
        self.principal = from_json(account("principal").map_err(err)?).map_err(err)?;
        self.capabilities = from_json(account("capabilities").map_err(err)?).map_err(err)?;
        if let Some(caps) = &mut self.capabilities {
            caps.derive_new_facts();
        }
        self.synced_at = from_json(account("synced_at").map_err(err)?).map_err(err)?;
        self.listed_at = from_json(account("listed_at").map_err(err)?).map_err(err)?;
        let mut st = conn
            .prepare("SELECT info, synced_token, synced_ctag FROM calendars ORDER BY position")
            .map_err(err)?;
        let rows = st
            .query_map([], |r| {
                let info: Option<Calendar> = from_json(Some(r.get(0)?))?;
                let (synced_token, synced_ctag) = (r.get(1)?, r.get(2)?);
                Ok(info.map(|info| CachedCalendar { info, synced_token, synced_ctag }))
            })
            .map_err(err)?;
        self.calendars = rows.filter_map(Result::transpose).collect::<Result<_, _>>().map_err(err)?;
        Ok(())
    }

    /// Starts the transaction a sync's writes go into, so the whole sync
    /// is stored at once by [`Cache::save`]. Continues one left open by a
    /// sync that stopped early.
    pub fn begin(&mut self) -> Result<(), StoreError> {
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        if conn.is_autocommit() {
            conn.execute_batch("BEGIN IMMEDIATE").map_err(sql_error(&self.path))?;
        }
        Ok(())
    }

    /// Stores the account rows and commits the sync's transaction.
    pub fn save(&mut self) -> Result<(), StoreError> {
        let rows = [
            ("principal", schema::json(&self.principal)),
            ("capabilities", schema::json(&self.capabilities)),
            ("synced_at", schema::json(&self.synced_at)),
            ("listed_at", schema::json(&self.listed_at)),
        ];
        self.atomically(|conn| {
            for (key, value) in rows {
                conn.execute(
                    "INSERT OR REPLACE INTO account (key, value) VALUES (?1, ?2)",
                    params![key, value?],
                )?;
            }
            Ok(())
        })?;
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        if conn.is_autocommit() {
            return Ok(());
        }
        let Err(e) = conn.execute_batch("COMMIT") else { return Ok(()) };
        // Not stored: drop the sync (SQLite may already have) and forget
        // it in memory too, so the next sync starts from what is on disk.
        if !conn.is_autocommit()
            && let Err(e) = conn.execute_batch("ROLLBACK")
        {
            tracing::warn!("cache transaction not rolled back: {e}");
        }
        self.reload_or_warn();
        Err(sql_error(&self.path)(e))
    }

    /// Drops a sync's transaction left open by a sync that stopped early,
    /// and what memory holds of it.
    pub fn rollback_unsaved(&mut self) {
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        if conn.is_autocommit() {
            return;
        }
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::warn!("cache transaction not rolled back: {e}");
        }
        self.reload_or_warn();
    }

    /// Takes the calendar list the server gave: calendars still there keep
    /// their objects and tokens; those gone are dropped with their objects.
    pub fn set_calendars(&mut self, listed: Vec<Calendar>) -> Result<(), StoreError> {
        let gone: Vec<String> = self
            .calendars
            .iter()
            .filter(|c| !listed.iter().any(|l| l.url == c.info.url))
            .map(|c| c.info.url.to_string())
            .collect();
        self.atomically(|conn| {
            for url in &gone {
                conn.execute("DELETE FROM calendars WHERE url = ?1", [url])?;
            }
            for (position, info) in listed.iter().enumerate() {
                conn.execute(
                    "INSERT INTO calendars (url, position, info) VALUES (?1, ?2, ?3)
                     ON CONFLICT (url) DO UPDATE SET position = excluded.position, info = excluded.info",
                    params![info.url.as_str(), position as i64, schema::json(info)?],
                )?;
            }
            Ok(())
        })?;
        let mut old = std::mem::take(&mut self.calendars);
        self.calendars = listed
            .into_iter()
            .map(|info| match old.iter().position(|c| c.info.url == info.url) {
                Some(i) => CachedCalendar { info, ..old.swap_remove(i) },
                None => CachedCalendar { info, synced_token: None, synced_ctag: None },
            })
            .collect();
        Ok(())
    }

    /// The reminders dismissed (None) or snoozed until a Unix time, by the
    /// scheduler's key.
    pub fn reminders(&self) -> Result<Vec<Acknowledgement>, StoreError> {
        let err = sql_error(&self.path);
        let db = self.db();
        let mut st = db.prepare_cached("SELECT key, snoozed_until FROM reminders").map_err(err)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(err)
    }

    /// Keeps a dismissal (`snoozed_until` None) or a snooze at once (it
    /// must outlive a crash as much as a restart); `now` dates the row so
    /// old ones can be forgotten.
    pub fn acknowledge(&mut self, key: &str, snoozed_until: Option<i64>, now: i64) -> Result<(), StoreError> {
        self.atomically(|c| {
            c.execute(
                "INSERT OR REPLACE INTO reminders (key, snoozed_until, at) VALUES (?1, ?2, ?3)",
                params![key, snoozed_until, now],
            )
            .map(|_| ())
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn calendar(&self, url: &Url) -> Option<&CachedCalendar> {
        self.calendars.iter().find(|c| &c.info.url == url)
    }

    /// Runs `f` all or nothing (a savepoint, inside the sync's transaction
    /// when one is open). On failure the memory is re-read from the file,
    /// which SQLite may have rolled back further (a full disk).
    fn atomically<T>(&mut self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let err = sql_error(&self.path);
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        let result = conn.savepoint().map_err(err).and_then(|sp| {
            let out = f(&sp).map_err(err)?;
            sp.commit().map_err(err)?;
            Ok(out)
        });
        if result.is_err() {
            self.reload_or_warn();
        }
        result
    }

    fn reload_or_warn(&mut self) {
        if let Err(e) = self.reload() {
            tracing::warn!("cache not re-read after a failed write: {e}");
        }
    }
}

fn from_json<T: serde::de::DeserializeOwned>(text: Option<String>) -> rusqlite::Result<Option<T>> {
    let Some(text) = text else { return Ok(None) };
    serde_json::from_str::<Option<T>>(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}
