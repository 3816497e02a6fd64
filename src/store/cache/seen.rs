//! The version of each invitation the person last saw or answered.

use rusqlite::{OptionalExtension, params};

use super::{Cache, sql_error};
use crate::store::StoreError;

impl Cache {
    /// The text of the invitation with this UID as the person last saw it.
    pub fn seen(&self, uid: &str) -> Result<Option<String>, StoreError> {
        let db = self.db();
        let mut st =
            db.prepare_cached("SELECT data FROM seen WHERE uid = ?1").map_err(sql_error(&self.path))?;
        st.query_row([uid], |r| r.get(0)).optional().map_err(sql_error(&self.path))
    }

    /// Records `data` as what the person saw of the invitation with this
    /// UID (its details opened, an answer given).
    pub fn set_seen(&self, uid: &str, data: &str) -> Result<(), StoreError> {
        self.db()
            .prepare_cached("INSERT OR REPLACE INTO seen (uid, data) VALUES (?1, ?2)")
            .and_then(|mut st| st.execute(params![uid, data]))
            .map(|_| ())
            .map_err(sql_error(&self.path))
    }

    /// [`Cache::set_seen`] for many invitations in one write (the first
    /// listing of a new cache records every invitation at once).
    pub fn set_seen_all(&self, rows: &[(String, String)]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let db = self.db();
        let write = || -> rusqlite::Result<()> {
            // A savepoint: its own transaction, or nested in a sync's.
            db.execute_batch("SAVEPOINT seen_all")?;
            let mut st = db.prepare_cached("INSERT OR REPLACE INTO seen (uid, data) VALUES (?1, ?2)")?;
            for (uid, data) in rows {
                if let Err(e) = st.execute(params![uid, data]) {
                    db.execute_batch("ROLLBACK TO seen_all; RELEASE seen_all")?;
                    return Err(e);
                }
            }
            db.execute_batch("RELEASE seen_all")
        };
        write().map_err(sql_error(&self.path))
    }
}
