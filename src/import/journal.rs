//! The import journal: one JSON line per step, appended as the import goes,
//! so a run after a crash or cancel knows what already happened. "writing"
//! is recorded before each PUT: if that PUT landed but its answer was lost,
//! the rerun's `If-None-Match: *` fails and the journal says it was ours.
//! A rerun leaves imported and updated entries alone; skipped and failed
//! ones are decided again (the person may now choose to update duplicates).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use url::Url;

use super::source::{Item, fnv1a_64};
use crate::store::{StoreError, io_error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Writing,
    Imported,
    Updated,
    Skipped,
    Failed,
}

impl Step {}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    uid: String,
    step: Step,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    /// The last step each UID reached in earlier runs (reasons are in the
    /// file for people to read).
    earlier: HashMap<String, Step>,
}

/// Names the journal of one import: the same entries into the same
/// calendar are the same job, whichever files they came from.
pub fn job_id(calendar: &Url, items: &[Item]) -> String {
    let mut keys: Vec<String> =
        items.iter().map(|i| format!("{}\n{:016x}", i.uid, fnv1a_64(i.data.as_bytes()))).collect();
    keys.sort();
    let text = format!("{calendar}\n{}", keys.join("\n"));
    format!("{:016x}", fnv1a_64(text.as_bytes()))
}

impl Journal {
    /// Opens (or starts) the journal at `path`. Lines that don't parse, such
    /// as one torn by a crash mid-write, are ignored: their entries are
    /// simply tried again, which the preconditions make safe.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut earlier = HashMap::new();
        let mut torn = false;
        match std::fs::read(path) {
            Ok(bytes) => {
                torn = !bytes.is_empty() && !bytes.ends_with(b"\n");
                let text = String::from_utf8_lossy(&bytes);
                for r in text.lines().filter_map(|l| serde_json::from_str::<Record>(l).ok()) {
                    earlier.insert(r.uid, r.step);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(path)(e)),
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(io_error(path))?;
        if torn {
            // End the torn line so the next record starts on its own.
            file.write_all(b"\n").map_err(io_error(path))?;
        }
        Ok(Journal { path: path.to_owned(), file: Mutex::new(file), earlier })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn earlier(&self, uid: &str) -> Option<Step> {
        self.earlier.get(uid).copied()
    }

    /// Appends one step. Each line is one `write` of a complete line, so a
    /// crash leaves at most the last line torn.
    pub fn record(&self, uid: &str, step: Step, reason: Option<&str>) -> Result<(), StoreError> {
        let record = Record { uid: uid.to_owned(), step, reason: reason.map(str::to_owned) };
        let mut line = serde_json::to_string(&record)
            .map_err(|e| StoreError::Damaged { path: self.path.clone(), problem: e.to_string() })?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(line.as_bytes()).map_err(io_error(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_step_wins_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("imports/job.jsonl");
        {
            let j = Journal::open(&path).unwrap();
            j.record("a", Step::Writing, None).unwrap();
            j.record("a", Step::Imported, None).unwrap();
            j.record("b", Step::Writing, None).unwrap();
            j.record("c", Step::Failed, Some("403")).unwrap();
        }
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"uid\":\"b\",\"st").unwrap();
        Journal::open(&path).unwrap().record("e", Step::Imported, None).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.earlier("e"), Some(Step::Imported), "a record after a torn line survives");
        assert_eq!(j.earlier("a"), Some(Step::Imported));
        assert_eq!(j.earlier("b"), Some(Step::Writing));
        assert_eq!(j.earlier("c"), Some(Step::Failed));
        assert_eq!(j.earlier("d"), None);
    }
}
