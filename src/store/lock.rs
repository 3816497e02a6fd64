//! One engine per account at a time: an OS file lock on the account's data
//! directory. A second one (a `convene` command while the app runs) waits.

use std::fs::File;
use std::path::Path;

use super::{StoreError, io_error};

#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Takes the lock, calling `waiting` first if someone else holds it;
    /// it is released when the value is dropped or the process dies.
    pub fn acquire(path: &Path, waiting: impl FnOnce()) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let file =
            File::options().create(true).truncate(false).write(true).open(path).map_err(io_error(path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock().map_err(io_error(path))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(path)(e)),
        }
        Ok(AccountLock { _file: file })
    }
}
