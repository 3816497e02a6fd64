//! Opening the database: the version check before anything is written,
//! WAL, the tables, and the one-time import of `cache.json`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::legacy::JsonCache;
use super::{index, objects, sql_error};
use crate::store::StoreError;

/// `PRAGMA user_version` of the tables below; 0 is a new, empty file.
/// 2 added `reminders`, 3 `seen` (a file of an earlier version gets what
/// it lacks on open; an older Convene then refuses the file rather than
/// forget a dismissal or what the person saw).
pub const SCHEMA: u32 = 3;

const TABLES: &str = "
CREATE TABLE account (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    info TEXT NOT NULL,
    synced_token TEXT,
    synced_ctag TEXT
);
CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    calendar INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    schedule_tag TEXT,
    data TEXT NOT NULL,
    UNIQUE (calendar, url)
);
CREATE INDEX objects_url ON objects(url);
-- The time index: a row per object a view may show; series are expanded
-- per range by the caller, so they carry no times.
CREATE TABLE spans (
    object INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
    repeats INTEGER NOT NULL,
    start_utc INTEGER,
    end_utc INTEGER,
    length INTEGER
);
CREATE INDEX spans_start ON spans(repeats, start_utc);
CREATE INDEX spans_length ON spans(length);
";

/// Derived like `spans`, and added to a file made before it: the objects
/// with an organizer (the only ones that can be invitations), by UID, so
/// the invitation list parses those alone.
const SCHEDULING: &str = "
CREATE TABLE IF NOT EXISTS scheduling (
    object INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
    uid TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scheduling_uid ON scheduling(uid);
";

/// Derived like `spans`: each object's organizer and attendee addresses
/// (of all its events, once each), what the editor completes attendees
/// from, most used first.
const PEOPLE: &str = "
CREATE TABLE IF NOT EXISTS people (
    object INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    PRIMARY KEY (object, address)
);
CREATE INDEX IF NOT EXISTS people_address ON people(address);
";

/// The reminders the person dismissed (`snoozed_until` NULL) or snoozed,
/// by the scheduler's key (event UID, occurrence, alarm). Not derived:
/// kept whatever the server sends.
const REMINDERS: &str = "
CREATE TABLE IF NOT EXISTS reminders (
    key TEXT PRIMARY KEY,
    snoozed_until INTEGER,
    at INTEGER NOT NULL
);
";

/// The version of each invitation the person last saw or answered (its
/// text), what "updated" is measured against. Not derived from the
/// server: kept across re-indexing.
const SEEN: &str = "
CREATE TABLE IF NOT EXISTS seen (uid TEXT PRIMARY KEY, data TEXT NOT NULL);
";

/// The account row holding the index's [`index::VERSION`].
pub const INDEX_KEY: &str = "index_version";

pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let err = sql_error(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(crate::store::io_error(path))?;
    }
    let mut conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
    // Read before anything is written: a newer or damaged file is left
    // exactly as it is.
    let found: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(err)?;
    if found > SCHEMA {
        return Err(StoreError::TooNew { path: path.to_owned(), found, supported: SCHEMA });
    }
    // A new file gets 16 kB pages (SQLite's default is 4 kB): a first sync
    // writes the whole calendar, and a quarter of the writes is a quarter
    // of the system calls (a quarter of its time went to them in perf).
    if found == 0 {
        conn.pragma_update(None, "page_size", 16_384).map_err(err)?;
    }
    // WAL: a crash mid-write leaves the last committed sync intact; NORMAL
    // sync is enough for that (a power cut may lose the last sync, which
    // the next one fetches again).
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(())).map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(err)?;
    if found == 0 {
        create(&mut conn, path)?;
    } else if found < SCHEMA {
        upgrade(&mut conn, path)?;
    }
    reindex_if_stale(&mut conn, path)?;
    Ok(conn)
}

/// Creates the tables and imports `cache.json` beside the database, in one
/// transaction (a crash leaves version 0, so the next open imports again);
/// then renames the JSON file, never deleting it.
fn create(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = sql_error(path);
    let json = path.with_file_name("cache.json");
    let legacy = JsonCache::load(&json)?;
    let tx = conn.transaction().map_err(err)?;
    tx.execute_batch(TABLES).map_err(err)?;
    tx.execute_batch(SCHEDULING).map_err(err)?;
    tx.execute_batch(PEOPLE).map_err(err)?;
    tx.execute_batch(REMINDERS).map_err(err)?;
    tx.execute_batch(SEEN).map_err(err)?;
    if let Some(old) = &legacy {
        import(&tx, old).map_err(err)?;
    }
    set_index_version(&tx).map_err(err)?;
    tx.pragma_update(None, "user_version", SCHEMA).map_err(err)?;
    tx.commit().map_err(err)?;
    if legacy.is_some() {
        let to = path.with_file_name("cache.json.migrated");
        if let Err(e) = std::fs::rename(&json, &to) {
            // Harmless: an initialised database never reads it again.
            tracing::warn!("imported {} but could not rename it: {e}", json.display());
        }
    }
    Ok(())
}

/// Adds what later versions added to a file made by an earlier one (the
/// tables are created only where missing), in one transaction with the new
/// version number (a crash leaves the old version, upgraded again next time).
fn upgrade(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = sql_error(path);
    let tx = conn.transaction().map_err(err)?;
    tx.execute_batch(REMINDERS).map_err(err)?;
    tx.execute_batch(SEEN).map_err(err)?;
    tx.pragma_update(None, "user_version", SCHEMA).map_err(err)?;
    tx.commit().map_err(err)
}

fn import(tx: &Connection, old: &JsonCache) -> rusqlite::Result<()> {
    let account = [
        ("principal", json(&old.principal)?),
        ("capabilities", json(&old.capabilities)?),
        ("synced_at", json(&old.synced_at)?),
        ("listed_at", json(&old.listed_at)?),
    ];
    for (key, value) in account {
        tx.execute("INSERT INTO account (key, value) VALUES (?1, ?2)", params![key, value])?;
    }
    for (position, cal) in old.calendars.iter().enumerate() {
        tx.execute(
            "INSERT INTO calendars (url, position, info, synced_token, synced_ctag) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cal.info.url.as_str(), position as i64, json(&cal.info)?, cal.synced_token, cal.synced_ctag],
        )?;
        let id = tx.last_insert_rowid();
        for (url, object) in &cal.objects {
            objects::upsert(tx, id, url, object)?;
        }
    }
    Ok(())
}

/// The index is derived data: rebuilt whole when its rules changed.
fn reindex_if_stale(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = sql_error(path);
    let stored: Option<String> = conn
        .query_row("SELECT value FROM account WHERE key = ?1", [INDEX_KEY], |r| r.get(0))
        .optional()
        .map_err(err)?;
    if stored.and_then(|v| v.parse::<i64>().ok()) == Some(index::VERSION) {
        return Ok(());
    }
    let tx = conn.transaction().map_err(err)?;
    tx.execute_batch(SCHEDULING).map_err(err)?;
    tx.execute_batch(PEOPLE).map_err(err)?;
    objects::reindex(&tx).map_err(err)?;
    set_index_version(&tx).map_err(err)?;
    tx.commit().map_err(err)
}

fn set_index_version(tx: &Connection) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO account (key, value) VALUES (?1, ?2)",
        params![INDEX_KEY, index::VERSION.to_string()],
    )?;
    Ok(())
}

/// Values stored as JSON text: the caldav types already serialize.
pub fn json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}
