//! Calendar objects: a row each, with its place in the time index.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use url::Url;

use super::index::{self, Indexed, Span};
use super::{Cache, CachedCalendar, CachedObject, Synced, sql_error};
use crate::caldav::{Etag, Object, ScheduleTag};
use crate::store::StoreError;

/// One object as read: its calendar's URL, its URL, the object.
type Read = (String, Url, CachedObject);

const COLUMNS: &str = "c.url, o.url, o.etag, o.schedule_tag, o.data";

// `COLUMNS` written out: a const can't be formatted.
/// Single events whose span overlaps `[?3, ?2]`, given that none starts
/// before `?1` (`?3` less the longest span): bounding the start on both
/// sides lets the index do the work. Then the series whose first instance
/// and last end (the end of time for an endless one) enclose part of it.
pub(super) const OVERLAPPING: &str = "
    SELECT c.url, o.url, o.etag, o.schedule_tag, o.data
    FROM spans s JOIN objects o ON o.id = s.object JOIN calendars c ON c.id = o.calendar
    WHERE s.repeats = 0 AND s.start_utc >= ?1 AND s.start_utc <= ?2 AND s.end_utc >= ?3
    UNION ALL
    SELECT c.url, o.url, o.etag, o.schedule_tag, o.data
    FROM spans s JOIN objects o ON o.id = s.object JOIN calendars c ON c.id = o.calendar
    WHERE s.repeats = 1 AND s.start_utc <= ?2 AND s.end_utc >= ?3";

/// [`OVERLAPPING`]'s objects by id, with their indexed span and whether
/// they repeat, without their data.
const OVERLAPPING_SPANS: &str = "
    SELECT s.object, s.repeats, s.start_utc, s.end_utc FROM spans s
    WHERE s.repeats = 0 AND s.start_utc >= ?1 AND s.start_utc <= ?2 AND s.end_utc >= ?3
    UNION ALL
    SELECT s.object, s.repeats, s.start_utc, s.end_utc FROM spans s
    WHERE s.repeats = 1 AND s.start_utc <= ?2 AND s.end_utc >= ?3";

pub(super) const LONGEST: &str = "SELECT coalesce(max(length), 0) FROM spans";

/// Inserts or replaces one object of calendar `id`, with its index.
pub(super) fn upsert(conn: &Connection, id: i64, url: &Url, o: &CachedObject) -> rusqlite::Result<()> {
    upsert_indexed(conn, id, url, o, index::read(&o.data))
}

/// [`upsert`] with the index already read.
fn upsert_indexed(
    conn: &Connection,
    id: i64,
    url: &Url,
    o: &CachedObject,
    at: Indexed,
) -> rusqlite::Result<()> {
    let object: i64 = conn
        .prepare_cached(
            "INSERT INTO objects (calendar, url, etag, schedule_tag, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (calendar, url) DO UPDATE
         SET etag = excluded.etag, schedule_tag = excluded.schedule_tag, data = excluded.data
         RETURNING id",
        )?
        .query_row(
            params![
                id,
                url.as_str(),
                o.etag.as_ref().map(Etag::as_str),
                o.schedule_tag.as_ref().map(ScheduleTag::as_str),
                o.data
            ],
            |r| r.get(0),
        )?;
    put_index(conn, object, at)
}

fn put_index(conn: &Connection, object: i64, indexed: index::Indexed) -> rusqlite::Result<()> {
    put_span(conn, object, indexed.span)?;
    match indexed.scheduling {
        Some(uid) => conn
            .prepare_cached("INSERT OR REPLACE INTO scheduling (object, uid) VALUES (?1, ?2)")?
            .execute(params![object, uid])?,
        None => conn.prepare_cached("DELETE FROM scheduling WHERE object = ?1")?.execute([object])?,
    };
    conn.prepare_cached("DELETE FROM people WHERE object = ?1")?.execute([object])?;
    let mut add = conn.prepare_cached("INSERT OR IGNORE INTO people (object, address) VALUES (?1, ?2)")?;
    for address in &indexed.people {
        add.execute(params![object, address])?;
    }
    Ok(())
}

fn put_span(conn: &Connection, object: i64, span: Span) -> rusqlite::Result<()> {
    let (repeats, start, end) = match span {
        Span::Never => {
            conn.prepare_cached("DELETE FROM spans WHERE object = ?1")?.execute([object])?;
            return Ok(());
        }
        // An endless series ends at the end of time; a series has no
        // length (the longest single event bounds the singles' query).
        Span::Repeats(s, e) => (true, s, e.unwrap_or(i64::MAX)),
        Span::Between(s, e) => (false, s, e),
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO spans (object, repeats, start_utc, end_utc, length)
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?2 THEN NULL ELSE ?4 - ?3 END)",
    )?
    .execute(params![object, repeats, start, end])?;
    Ok(())
}

/// Recomputes every object's index (its rules changed).
pub(super) fn reindex(conn: &Connection) -> rusqlite::Result<()> {
    let mut st = conn.prepare("SELECT id, data FROM objects")?;
    let rows: Vec<(i64, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (id, data) in rows {
        put_index(conn, id, index::read(&data))?;
    }
    Ok(())
}

fn read(r: &Row<'_>) -> rusqlite::Result<Read> {
    let url: String = r.get(1)?;
    let url = Url::parse(&url).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let object = CachedObject {
        etag: r.get::<_, Option<String>>(2)?.map(Etag),
        schedule_tag: r.get::<_, Option<String>>(3)?.map(ScheduleTag),
        data: r.get(4)?,
    };
    Ok((r.get(0)?, url, object))
}

impl Cache {
    fn calendar_id(conn: &Connection, url: &Url) -> rusqlite::Result<Option<i64>> {
        conn.prepare_cached("SELECT id FROM calendars WHERE url = ?1")?
            .query_row([url.as_str()], |r| r.get(0))
            .optional()
    }

    /// Runs a query of [`COLUMNS`] and pairs each object with its calendar.
    fn read_all(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        let err = sql_error(&self.path);
        let conn = self.db();
        let mut st = conn.prepare_cached(sql).map_err(err)?;
        let rows: Vec<Read> =
            st.query_map(args, read).map_err(err)?.collect::<Result<_, _>>().map_err(err)?;
        Ok(rows
            .into_iter()
            .filter_map(|(cal, url, o)| {
                let cal = self.calendars.iter().find(|c| c.info.url.as_str() == cal)?;
                Some((cal, url, o))
            })
            .collect())
    }

    /// Every cached object with the calendar holding it, calendar by
    /// calendar in the server's order.
    pub fn objects(&self) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        self.read_all(
            &format!(
                "SELECT {COLUMNS} FROM objects o JOIN calendars c ON c.id = o.calendar ORDER BY c.position, o.url"
            ),
            [],
        )
    }

    /// The objects with an organizer (what may be an invitation) whose
    /// last occurrence ends at or after `since` (Unix seconds; endless and
    /// undated ones always), and whatever the time those with a UID in
    /// `uids` (a reply still on its way keeps its invitation listed).
    pub fn scheduling_since(
        &self,
        since: i64,
        uids: &[String],
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM scheduling g JOIN objects o ON o.id = g.object
             JOIN calendars c ON c.id = o.calendar LEFT JOIN spans s ON s.object = g.object
             WHERE s.end_utc IS NULL OR s.end_utc >= ?1 ORDER BY c.position, o.url"
        );
        let mut found = self.read_all(&sql, [since])?;
        for uid in uids {
            for hit in self.with_uid(uid)? {
                if !found.iter().any(|(c, u, _)| c.info.url == hit.0.info.url && *u == hit.1) {
                    found.push(hit);
                }
            }
        }
        Ok(found)
    }

    /// The organizer and attendee addresses of the cached events, each
    /// with the number of events it is in, most used first (then by name).
    pub fn people(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let err = sql_error(&self.path);
        let conn = self.db();
        let mut st = conn
            .prepare_cached(
                "SELECT address, count(*) AS n FROM people GROUP BY address ORDER BY n DESC, address",
            )
            .map_err(err)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize))).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The scheduling objects with this UID (one per calendar holding it).
    pub fn with_uid(&self, uid: &str) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM scheduling g JOIN objects o ON o.id = g.object
             JOIN calendars c ON c.id = o.calendar WHERE g.uid = ?1 ORDER BY c.position, o.url"
        );
        self.read_all(&sql, [uid])
    }

    /// The objects of one calendar.
    pub fn objects_in(&self, calendar: &Url) -> Result<Vec<(Url, CachedObject)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM objects o JOIN calendars c ON c.id = o.calendar WHERE c.url = ?1 ORDER BY o.url"
        );
        Ok(self.read_all(&sql, [calendar.as_str()])?.into_iter().map(|(_, u, o)| (u, o)).collect())
    }

    pub fn object(&self, url: &Url) -> Result<Option<(&CachedCalendar, CachedObject)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM objects o JOIN calendars c ON c.id = o.calendar WHERE o.url = ?1 ORDER BY c.position LIMIT 1"
        );
        Ok(self.read_all(&sql, [url.as_str()])?.into_iter().next().map(|(c, _, o)| (c, o)))
    }

    /// The objects that may have an occurrence overlapping `[from, to)`:
    /// the series and the single events whose indexed span overlaps it
    /// (a series is expanded per range by the caller). A superset: the
    /// caller's expansion decides exactly; nothing it would show is left out.
    pub fn overlapping(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        let longest: i64 = self.db().query_row(LONGEST, [], |r| r.get(0)).map_err(sql_error(&self.path))?;
        let (from, to) = (from.timestamp(), to.timestamp());
        self.read_all(OVERLAPPING, params![from.saturating_sub(longest), to, from])
    }

    /// [`Cache::overlapping`], keeping of the single events only those whose
    /// span overlaps one of `wanted` (UTC seconds, start and end, in order
    /// of start): what the invitations' conflicts need, read without the
    /// data of the events on other days. Every series is kept.
    pub fn overlapping_any(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        wanted: &[(i64, i64)],
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, StoreError> {
        let err = sql_error(&self.path);
        let ids: Vec<i64> = {
            let conn = self.db();
            let longest: i64 = conn.query_row(LONGEST, [], |r| r.get(0)).map_err(err)?;
            let (from, to) = (from.timestamp(), to.timestamp());
            let mut st = conn.prepare_cached(OVERLAPPING_SPANS).map_err(err)?;
            let rows = st
                .query_map(params![from.saturating_sub(longest), to, from], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
                })
                .map_err(err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            let merged = merge(wanted);
            let meets = |start: i64, end: i64| {
                let i = merged.partition_point(|(_, e)| *e < start);
                merged.get(i).is_some_and(|(s, _)| *s <= end)
            };
            rows.into_iter()
                .filter(|&(_, repeats, start, end)| repeats || meets(start, end))
                .map(|r| r.0)
                .collect()
        };
        let sql =
            format!("SELECT {COLUMNS} FROM objects o JOIN calendars c ON c.id = o.calendar WHERE o.id = ?1");
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.read_all(&sql, [id])?);
        }
        Ok(out)
    }

    /// URL → ETag of every object cached for `calendar`, without the data.
    pub fn etags(&self, calendar: &Url) -> Result<BTreeMap<Url, Option<Etag>>, StoreError> {
        let err = sql_error(&self.path);
        let conn = self.db();
        let mut st = conn
            .prepare_cached(
                "SELECT o.url, o.etag FROM objects o JOIN calendars c ON c.id = o.calendar WHERE c.url = ?1",
            )
            .map_err(err)?;
        let rows = st
            .query_map([calendar.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(err)?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (url, etag) = row.map_err(err)?;
            if let Ok(url) = Url::parse(&url) {
                out.insert(url, etag.map(Etag));
            }
        }
        Ok(out)
    }

    /// Stores one calendar's sync at once: drops `removed`, stores
    /// `fetched`, and records where it left the calendar only with
    /// `synced` (none when something was not delivered, so the next sync
    /// asks again). Returns how many cached objects were removed.
    pub fn apply(
        &mut self,
        calendar: &Url,
        removed: &BTreeSet<Url>,
        fetched: Vec<Object>,
        synced: Option<Synced>,
    ) -> Result<usize, StoreError> {
        let fetched = fetched.into_iter().map(|o| (index::read(&o.data), o)).collect();
        self.apply_indexed(calendar, removed, fetched, synced)
    }

    /// [`Cache::apply`] of objects whose index the caller has read (from
    /// the parse it needed anyway).
    pub fn apply_indexed(
        &mut self,
        calendar: &Url,
        removed: &BTreeSet<Url>,
        fetched: Vec<(Indexed, Object)>,
        synced: Option<Synced>,
    ) -> Result<usize, StoreError> {
        let n_removed = self.atomically(|conn| {
            let Some(id) = Self::calendar_id(conn, calendar)? else { return Ok(0) };
            let mut n = 0;
            for u in removed {
                n += conn
                    .prepare_cached("DELETE FROM objects WHERE calendar = ?1 AND url = ?2")?
                    .execute(params![id, u.as_str()])?;
            }
            for (at, o) in fetched {
                let url = o.url.clone();
                upsert_indexed(conn, id, &url, &o.into(), at)?;
            }
            if let Some(s) = &synced {
                conn.execute(
                    "UPDATE calendars SET synced_token = ?1, synced_ctag = ?2 WHERE id = ?3",
                    params![s.token, s.ctag, id],
                )?;
            }
            Ok(n)
        })?;
        if let (Some(s), Some(c)) = (synced, self.calendars.iter_mut().find(|c| &c.info.url == calendar)) {
            c.synced_token = s.token;
            c.synced_ctag = s.ctag;
        }
        Ok(n_removed)
    }

    /// Adds Schedule-Tags read after the objects: each goes to its object
    /// only if that still has the ETag the tag was read with.
    pub fn set_schedule_tags(
        &mut self,
        calendar: &Url,
        tags: &[(Url, Etag, ScheduleTag)],
    ) -> Result<(), StoreError> {
        self.atomically(|conn| {
            let Some(id) = Self::calendar_id(conn, calendar)? else { return Ok(()) };
            let mut st = conn.prepare_cached(
                "UPDATE objects SET schedule_tag = ?1 WHERE calendar = ?2 AND url = ?3 AND etag = ?4",
            )?;
            for (url, etag, tag) in tags {
                st.execute(params![tag.as_str(), id, url.as_str(), etag.as_str()])?;
            }
            Ok(())
        })
    }

    /// Stores one object (a reply's result, a conflict's server copy).
    pub fn put_object(&mut self, calendar: &Url, url: &Url, object: CachedObject) -> Result<(), StoreError> {
        self.atomically(|conn| match Self::calendar_id(conn, calendar)? {
            Some(id) => upsert(conn, id, url, &object),
            None => Ok(()),
        })
    }
}

/// Intervals in order of start, merged where they overlap or touch: in
/// order of both start and end, for a binary search.
fn merge(intervals: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for &(start, end) in intervals {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end.max(start))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn overlapping_and_touching_intervals_merge_and_a_gap_stays() {
        let merged = merge(&[(0, 10), (5, 20), (20, 25), (30, 30), (31, 40), (32, 35)]);
        assert_eq!(merged, [(0, 25), (30, 30), (31, 40)]);
    }
}
