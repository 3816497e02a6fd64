//! One engine per account at a time: an OS file lock on the account's data
//! directory. A second one (a `convene` command while the app runs) waits,
//! for a limited time when it is given one.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{StoreError, io_error};

/// How often a limited wait tries the lock again.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Takes the lock, calling `waiting` first if someone else holds it,
    /// and giving up after `limit` (None: waits as long as it takes); it
    /// is released when the value is dropped or the process dies.
    pub fn acquire(path: &Path, limit: Option<Duration>, waiting: impl FnOnce()) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let file =
            File::options().create(true).truncate(false).write(true).open(path).map_err(io_error(path))?;
        let busy = |r: Result<(), std::fs::TryLockError>| match r {
            Ok(()) => Ok(false),
            Err(std::fs::TryLockError::WouldBlock) => Ok(true),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error(path)(e)),
        };
        if busy(file.try_lock())? {
            waiting();
            match limit {
                None => file.lock().map_err(io_error(path))?,
                Some(limit) => {
                    let start = Instant::now();
                    while busy(file.try_lock())? {
                        if start.elapsed() >= limit {
                            return Err(StoreError::InUse { path: path.to_owned(), waited: limit });
                        }
                        std::thread::sleep(POLL);
                    }
                }
            }
        }
        Ok(AccountLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limited_wait_gives_up_saying_what_it_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.lock");
        let _held = AccountLock::acquire(&path, None, || {}).unwrap();
        let mut told = false;
        let err = AccountLock::acquire(&path, Some(Duration::from_millis(300)), || told = true).unwrap_err();
        assert!(told, "the wait was announced");
        assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
        assert!(err.to_string().contains("another"), "{err}");
    }

    #[test]
    fn a_lock_released_during_the_wait_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.lock");
        let held = AccountLock::acquire(&path, None, || {}).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let t = std::thread::spawn(move || {
            AccountLock::acquire(&p, Some(Duration::from_secs(30)), || tx.send(()).unwrap())
        });
        rx.recv().unwrap();
        drop(held);
        assert!(t.join().unwrap().is_ok());
    }
}
