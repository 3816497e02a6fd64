//! The durable outbox: a reply, or a change the person made to an event
//! (create, edit, delete, cancel, removing a cancelled invitation), is on disk before it is sent, one file
//! per event and kind, and leaves only once the server has it. A process
//! killed at any point finds it again on the next start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use super::{StoreError, io_error};
use crate::caldav::Object;
use crate::ical::{Clash, Diff, Draft, Reply, Scope};
use crate::paths::write_atomic;

pub const FORMAT: u32 = 1;

/// File name prefixes of the kinds of entries.
const REPLY: &str = "reply";
const EVENT: &str = "event";
const UNTOLD: &str = "untold";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub format: u32,
    pub uid: String,
    pub calendar: Url,
    pub reply: Reply,
    /// The version the person answered (with its ETag and Schedule-Tag).
    pub base: Object,
    pub state: EntryState,
    /// Unix seconds when the person answered.
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EntryState {
    /// Not sent yet (or the server was unreachable).
    Pending { last_error: Option<String> },
    /// A PUT may be under way; on recovery, read the server's copy first.
    Sending,
    /// The organizer changed the event in a way the person must see.
    Conflict { server: Object, diff: Diff },
    /// The server refused it for a reason retrying won't fix.
    Failed { error: String },
}

impl Entry {
    pub fn is_waiting(&self) -> bool {
        matches!(self.state, EntryState::Pending { .. } | EntryState::Sending)
    }
}

/// A change to an event the person may change (they organize it, or it is
/// their own), waiting to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEntry {
    pub format: u32,
    pub uid: String,
    pub calendar: Url,
    pub change: EventChange,
    /// The version the person changed, with its ETag and Schedule-Tag. For
    /// a new event: its address-to-be and its bytes as built (so a retry
    /// sends the same bytes), without tags.
    pub base: Object,
    pub state: EventState,
    /// Unix milliseconds when the person made the change: the sending
    /// order (changes made within a second keep theirs).
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EventChange {
    /// A new event: `base.data`, written with `If-None-Match: *`.
    Create,
    /// The parts that differ between `before` and `after`, for `scope`.
    Edit { scope: Scope, before: Box<Draft>, after: Box<Draft> },
    /// Delete (by scope: an EXDATE, or the series ended before it);
    /// `cancel`: the attendees are told.
    Delete { scope: Scope, cancel: bool },
    /// The person's copy of an invitation its organizer cancelled: a DELETE
    /// with `Schedule-Reply: F` (RFC 6638 §8.1), so the server sends the
    /// organizer no decline, conditional on the version seen.
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EventState {
    Pending {
        last_error: Option<String>,
    },
    /// A write may be under way; on recovery, read the server's copy first.
    Sending,
    /// The same fields changed on the server: the person decides.
    Conflict {
        server: Object,
        clashes: Vec<Clash>,
    },
    Failed {
        error: String,
    },
}

impl EventEntry {
    pub fn is_waiting(&self) -> bool {
        matches!(self.state, EventState::Pending { .. } | EventState::Sending)
    }
}

/// Answers the server has but the organizer was not told of ("don't
/// send"), per event: a server that tells the organizer only of a changed
/// answer (Cyrus 3.6.1, measured) would never pass the same answer on, so
/// sending it later must not be reported as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Untold {
    pub format: u32,
    pub uid: String,
    /// (occurrence answered, or None for the series; its PARTSTAT).
    pub answers: Vec<(Option<String>, String)>,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// UIDs are arbitrary text: a hex name is safe on every file system. Long
/// UIDs get a hash of the whole UID, so two never share a file.
fn file_name(kind: &str, uid: &str) -> String {
    if uid.len() <= 100 {
        let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
        return format!("{kind}-{hex}.json");
    }
    // FNV-1a, 64 bits: stable across runs and versions, unlike std's hasher.
    let hash =
        uid.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let prefix: String = uid.bytes().take(40).map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{prefix}-{hash:016x}-{}.json", uid.len())
}

impl Outbox {
    pub fn new(dir: &Path) -> Self {
        Outbox { dir: dir.to_owned() }
    }

    /// Stores (or replaces: the latest answer is the person's intent) the
    /// entry for its event. Returns once it is durably on disk.
    pub fn put(&self, entry: &Entry) -> Result<(), StoreError> {
        self.write(REPLY, &entry.uid, entry)
    }

    pub fn get(&self, uid: &str) -> Result<Option<Entry>, StoreError> {
        Ok(self.read(REPLY, uid)?.filter(|e: &Entry| e.uid == uid))
    }

    pub fn remove(&self, uid: &str) -> Result<(), StoreError> {
        self.delete(REPLY, uid)
    }

    /// All readable replies, oldest first. A damaged file is logged and left
    /// on disk untouched; it does not stop the others from being sent.
    pub fn list(&self) -> Result<Vec<Entry>, StoreError> {
        let mut out: Vec<Entry> = self.read_all(REPLY)?;
        out.sort_by_key(|e| e.created);
        Ok(out)
    }

    /// Stores (or replaces) an event's change; returns once it is on disk.
    pub fn put_event(&self, entry: &EventEntry) -> Result<(), StoreError> {
        self.write(EVENT, &entry.uid, entry)
    }

    pub fn get_event(&self, uid: &str) -> Result<Option<EventEntry>, StoreError> {
        Ok(self.read(EVENT, uid)?.filter(|e: &EventEntry| e.uid == uid))
    }

    pub fn remove_event(&self, uid: &str) -> Result<(), StoreError> {
        self.delete(EVENT, uid)
    }

    /// The answers to this event the organizer was not told of.
    pub fn untold(&self, uid: &str) -> Result<Untold, StoreError> {
        let found = self.read(UNTOLD, uid)?.filter(|u: &Untold| u.uid == uid);
        Ok(found.unwrap_or_else(|| Untold { format: FORMAT, uid: uid.to_owned(), answers: Vec::new() }))
    }

    /// Records what the organizer now knows of this occurrence's answer:
    /// `untold` is the PARTSTAT they were not told of, None once they were.
    pub fn set_untold(
        &self,
        uid: &str,
        occurrence: Option<&str>,
        untold: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut u = self.untold(uid)?;
        u.answers.retain(|(occ, _)| occ.as_deref() != occurrence);
        if let Some(partstat) = untold {
            u.answers.push((occurrence.map(str::to_owned), partstat.to_owned()));
        }
        match u.answers.is_empty() {
            true => self.delete(UNTOLD, uid),
            false => self.write(UNTOLD, uid, &u),
        }
    }

    fn write<T: Serialize>(&self, kind: &str, uid: &str, entry: &T) -> Result<(), StoreError> {
        let path = self.dir.join(file_name(kind, uid));
        let bytes = serde_json::to_vec_pretty(entry)
            .map_err(|e| StoreError::Damaged { path: path.clone(), problem: e.to_string() })?;
        write_atomic(&path, &bytes).map_err(io_error(&path))
    }

    fn read<T: Versioned>(&self, kind: &str, uid: &str) -> Result<Option<T>, StoreError> {
        let path = self.dir.join(file_name(kind, uid));
        match std::fs::read(&path) {
            Ok(bytes) => parse(&path, &bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path)(e)),
        }
    }

    fn delete(&self, kind: &str, uid: &str) -> Result<(), StoreError> {
        let path = self.dir.join(file_name(kind, uid));
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(&path)(e)),
            _ => Ok(()),
        }
    }

    /// All readable event changes, oldest first (the order they go out in).
    pub fn list_events(&self) -> Result<Vec<EventEntry>, StoreError> {
        let mut out: Vec<EventEntry> = self.read_all(EVENT)?;
        out.sort_by_key(|e| e.created);
        Ok(out)
    }

    fn read_all<T: Versioned>(&self, kind: &str) -> Result<Vec<T>, StoreError> {
        let read = match std::fs::read_dir(&self.dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir)(e)),
        };
        let mut out = Vec::new();
        for item in read {
            let path = item.map_err(io_error(&self.dir))?.path();
            let ours =
                path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{kind}-")));
            if path.extension().is_none_or(|e| e != "json") || !ours {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(io_error(&path))?;
            match parse::<T>(&path, &bytes) {
                Ok(entry) => out.push(entry),
                Err(e) => tracing::error!("{e}"),
            }
        }
        Ok(out)
    }
}

/// An outbox file's entry: it says which format it was written in.
trait Versioned: serde::de::DeserializeOwned {
    fn format(&self) -> u32;
}

impl Versioned for Entry {
    fn format(&self) -> u32 {
        self.format
    }
}

impl Versioned for Untold {
    fn format(&self) -> u32 {
        self.format
    }
}

impl Versioned for EventEntry {
    fn format(&self) -> u32 {
        self.format
    }
}

fn parse<T: Versioned>(path: &Path, bytes: &[u8]) -> Result<T, StoreError> {
    let entry: T = serde_json::from_slice(bytes)
        .map_err(|e| StoreError::Damaged { path: path.to_owned(), problem: e.to_string() })?;
    if entry.format() > FORMAT {
        return Err(StoreError::TooNew { path: path.to_owned(), found: entry.format(), supported: FORMAT });
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::Answer;

    fn entry(uid: &str, created: i64) -> Entry {
        Entry {
            format: FORMAT,
            uid: uid.into(),
            calendar: Url::parse("https://h/c/").unwrap(),
            reply: Reply {
                answer: Answer::Accept,
                comment: None,
                occurrence: None,
                me: "mailto:a@b".into(),
                silent: false,
                delegate: None,
            },
            base: Object {
                url: Url::parse("https://h/c/1.ics").unwrap(),
                etag: None,
                schedule_tag: None,
                data: String::new(),
            },
            state: EntryState::Pending { last_error: None },
            created,
        }
    }

    #[test]
    fn one_entry_per_event_latest_wins() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        o.put(&entry("a/../b@c", 2)).unwrap();
        o.put(&entry("z", 1)).unwrap();
        let mut later = entry("a/../b@c", 3);
        later.reply.answer = Answer::Decline;
        o.put(&later).unwrap();
        let all = o.list().unwrap();
        assert_eq!(all.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), vec!["z", "a/../b@c"]);
        assert_eq!(o.get("a/../b@c").unwrap().unwrap().reply.answer, Answer::Decline);
        o.remove("z").unwrap();
        assert_eq!(o.list().unwrap().len(), 1);
    }

    #[test]
    fn long_uids_sharing_a_prefix_get_their_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        let base = "https://calendar.example.com/events/".repeat(4);
        let (a, b) = (format!("{base}a"), format!("{base}b"));
        o.put(&entry(&a, 1)).unwrap();
        o.put(&entry(&b, 2)).unwrap();
        o.put(&entry("", 3)).unwrap();
        assert_eq!(o.list().unwrap().len(), 3);
        assert_eq!(o.get(&a).unwrap().unwrap().uid, a);
    }

    fn change(uid: &str, created: i64) -> EventEntry {
        EventEntry {
            format: FORMAT,
            uid: uid.into(),
            calendar: Url::parse("https://h/c/").unwrap(),
            change: EventChange::Delete {
                scope: Scope::ThisOne { recurrence_id: "20300101T100000Z".into() },
                cancel: true,
            },
            base: entry(uid, 0).base,
            state: EventState::Sending,
            created,
        }
    }

    #[test]
    fn event_changes_and_replies_live_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        o.put(&entry("same-uid", 5)).unwrap();
        o.put_event(&change("same-uid", 7)).unwrap();
        o.put_event(&change("earlier", 6)).unwrap();
        assert_eq!(o.list().unwrap().iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), vec!["same-uid"]);
        let events = o.list_events().unwrap();
        assert_eq!(events.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), vec!["earlier", "same-uid"]);
        assert_eq!(o.get_event("same-uid").unwrap(), Some(change("same-uid", 7)), "read back whole");
        o.remove_event("same-uid").unwrap();
        assert!(o.get("same-uid").unwrap().is_some(), "the reply stays");
        assert_eq!(o.list_events().unwrap().len(), 1);
    }

    #[test]
    fn untold_answers_are_kept_per_occurrence_beside_the_replies() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        o.put(&entry("e", 1)).unwrap();
        o.set_untold("e", None, Some("ACCEPTED")).unwrap();
        o.set_untold("e", Some("20300611T100000Z"), Some("DECLINED")).unwrap();
        o.set_untold("e", None, Some("TENTATIVE")).unwrap();
        let u = Outbox::new(dir.path()).untold("e").unwrap();
        assert_eq!(
            u.answers,
            vec![(Some("20300611T100000Z".into()), "DECLINED".into()), (None, "TENTATIVE".into())]
        );
        assert_eq!(o.list().unwrap().len(), 1, "not taken for a reply");
        o.set_untold("e", Some("20300611T100000Z"), None).unwrap();
        o.set_untold("e", None, None).unwrap();
        assert!(o.untold("e").unwrap().answers.is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the reply's file is left");
    }

    #[test]
    fn a_reply_written_before_dont_send_existed_reads_as_sent_normally() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        let mut e = entry("old", 1);
        o.put(&e).unwrap();
        let path = dir.path().join(file_name(REPLY, "old"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("silent"), "a normal answer's file is as before: {text}");
        assert!(!o.get("old").unwrap().unwrap().reply.silent);
        e.reply.silent = true;
        o.put(&e).unwrap();
        assert!(Outbox::new(dir.path()).get("old").unwrap().unwrap().reply.silent, "kept on disk");
    }

    #[test]
    fn a_damaged_entry_does_not_hide_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::new(dir.path());
        o.put(&entry("good", 1)).unwrap();
        std::fs::write(dir.path().join("reply-bad.json"), b"{ truncated").unwrap();
        assert_eq!(o.list().unwrap().iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), vec!["good"]);
        assert!(dir.path().join("reply-bad.json").exists(), "left on disk, untouched");
    }
}
