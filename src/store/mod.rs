//! On-disk state: the per-account cache of what the server holds (so the
//! app starts instantly and works offline; an SQLite database) and the
//! durable outbox of replies. Every write is atomic; every file carries a
//! format version.

pub mod cache;
pub mod lock;
pub mod outbox;

pub use cache::{Cache, CachedCalendar, CachedObject, Synced};
pub use outbox::{Entry, EntryState, EventChange, EventEntry, EventState, Outbox};

use std::path::{Path, PathBuf};

use crate::paths::Paths;

/// Directory-safe name for an account (names may hold '@', ':', '/').
pub fn account_dir_name(account: &str) -> String {
    account
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect()
}

/// Where one account's files live.
#[derive(Debug, Clone)]
pub struct AccountFiles {
    /// The SQLite cache; a `cache.json` beside it (up to 0.1) is imported.
    pub cache_file: PathBuf,
    pub outbox_dir: PathBuf,
    pub lock_file: PathBuf,
    /// One journal per import, so an interrupted import resumes.
    pub imports_dir: PathBuf,
}

impl AccountFiles {
    pub fn new(paths: &Paths, account: &str) -> Self {
        let name = account_dir_name(account);
        let data = paths.data.join(&name);
        AccountFiles {
            cache_file: paths.cache.join(&name).join("cache.db"),
            outbox_dir: data.join("outbox"),
            lock_file: data.join("lock"),
            imports_dir: data.join("imports"),
        }
    }

    pub fn remove_all(&self) -> std::io::Result<()> {
        for dir in [self.cache_file.parent(), self.outbox_dir.parent()].into_iter().flatten() {
            match std::fs::remove_dir_all(dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot read or write {path}: {source}")]
    Database { path: PathBuf, source: rusqlite::Error },
    #[error("{path} is damaged ({problem}); it was left untouched")]
    Damaged { path: PathBuf, problem: String },
    #[error("{path} was written by a newer Convene (format {found}, this one reads {supported})")]
    TooNew { path: PathBuf, found: u32, supported: u32 },
    #[error(
        "this account is in use by the Convene app or another convene command ({}); gave up after waiting {} s: close the app or let the command finish, then try again",
        .path.display(), .waited.as_secs()
    )]
    InUse { path: PathBuf, waited: std::time::Duration },
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_owned(), source }
}
