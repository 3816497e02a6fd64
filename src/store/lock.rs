//! One engine per account at a time (the app and a `convene` command may
//! both run): an OS file lock on the account's data directory.

use std::fs::File;
use std::path::Path;

use super::{StoreError, io_error};

#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Waits for the lock; it is released when the value is dropped or the
    /// process dies.
    pub fn acquire(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let file =
            File::options().create(true).truncate(false).write(true).open(path).map_err(io_error(path))?;
        file.lock().map_err(io_error(path))?;
        Ok(AccountLock { _file: file })
    }
}
