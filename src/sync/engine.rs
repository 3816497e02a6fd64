//! One account's engine: its client, cache and outbox, shared by the CLI
//! and the actor. Its operations live by kind: `reading` (the list, the
//! agenda, details), `replying` (answers), `organizing` (the person's own
//! events), `refresh` (sync), `mailed` and `importing`.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::refresh::SyncProgress;
use crate::caldav::{self, Capabilities, Client, ClientConfig, Password};
use crate::config::Account;
use crate::ical::{self, Answer, Identity, ReplyError};
use crate::paths::Paths;
use crate::store::cache::Acknowledgement;
use crate::store::lock::AccountLock;
use crate::store::{AccountFiles, Cache, Entry, Outbox, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Server(#[from] caldav::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Reply(#[from] ReplyError),
    #[error("no invitation with UID {0} in the cache (run `convene sync`?)")]
    UnknownUid(String),
    #[error("you are invited under several addresses ({}); choose one with --as", .0.join(", "))]
    SeveralAddresses(Vec<String>),
    #[error("none of your addresses is an attendee of {uid}; its attendees are {}; answer --as one of them, or add it as an alias", .attendees.join(", "))]
    NotListed { uid: String, attendees: Vec<String> },
    #[error("{0} is not an invitation (you organize it, or it has no organizer)")]
    NotInvitation(String),
    #[error(
        "this server can't pass an answer for a single occurrence to the organizer ({0}); answer the whole series instead"
    )]
    OccurrenceUnsupported(String),
    #[error("this answer can't be kept from the organizer: {0}; answer without \"don't send\" to tell them")]
    SilentUnsupported(String),
    #[error(
        "you delegated this invitation to {to} already, and {why}: ask the organizer to invite the new person"
    )]
    DelegationUnchangeable { to: String, why: String },
    #[error(
        "you answered {0} without telling the organizer, and the server tells the organizer only of a changed answer, so the same answer can't reach them now: tell them yourself, or answer differently"
    )]
    SameAnswerUntold(String),
    #[error("nothing waits to be resent for {0}")]
    NothingToResend(String),
    #[error("no calendar named {name:?}{}", if .known.is_empty() { String::new() } else { format!("; this account has: {}", .known.join(", ")) })]
    UnknownCalendar { name: String, known: Vec<String> },
    #[error(
        "{0} can't store a change to one occurrence of a meeting (it fails with a server error); change the whole series, or this and the following occurrences"
    )]
    MeetingOccurrenceUnsupported(String),
    #[error("{0} is read-only for you on the server: choose a calendar you may add events to")]
    ReadOnlyCalendar(String),
    #[error("{address} is not one of your addresses on this server ({})", .known.join(", "))]
    NotYourAddress { address: String, known: Vec<String> },
    #[error("the server has not been reached yet: connect once, then try again")]
    NoCapabilities,
    #[error("no event at {0} in the cache (run `convene sync`?)")]
    UnknownEvent(String),
    #[error("no event with UID {0} in the cache (run `convene sync`?)")]
    UnknownEventUid(String),
    #[error(transparent)]
    Build(#[from] ical::build::BuildError),
    #[error("the change can't be written: {0}")]
    Edit(String),
    #[error(
        "{0} is organized by someone else: only they can change or cancel it (answer it, or change your own reminders)"
    )]
    NotYourEvent(String),
    #[error("{0} does not answer free/busy lookups, so attendees' busy times can't be shown")]
    NoFreeBusy(String),
    #[error(
        "an earlier change to {0} is still waiting (a conflict to decide, or a different kind of change): `convene sync`, or decide it first"
    )]
    ChangeWaiting(String),
    #[error(
        "{0} is not cancelled by its organizer, so it stays: answer it (Decline tells the organizer you won't come)"
    )]
    NotCancelled(String),
    #[error(
        "an answer to {0} is still in the outbox: send it with `convene sync`, or drop it with `convene outbox drop {0}`, then remove it"
    )]
    ReplyWaiting(String),
    #[error("{}: {}", .0.reason, .0.what_happens)]
    Unhonourable(Box<crate::import::Unhonourable>),
}

pub struct Engine {
    pub account: Account,
    pub(crate) client: Client,
    pub(crate) files: AccountFiles,
    pub(crate) cache: Cache,
    pub(crate) outbox: Outbox,
    pub(crate) progress: Progress,
    /// Invitations looked up to be answered (the tests count them).
    #[cfg(test)]
    pub(super) lookups: AtomicUsize,
    /// Held for the engine's life by a command (one operation); None for
    /// the app's engine, which takes it per operation ([`Engine::hold`]).
    lock: Option<AccountLock>,
}

/// A running sync's progress: objects fetched so far, and who hears of it
/// (the window, a terminal). Apart from the cache, so calendars fetched
/// side by side report it while the cache stores others.
#[derive(Default)]
pub(crate) struct Progress {
    fetched: AtomicUsize,
    on_progress: Option<Box<dyn Fn(SyncProgress) + Send + Sync>>,
}

impl Progress {
    pub(crate) fn reset(&self) {
        self.fetched.store(0, Ordering::Relaxed);
    }

    pub(crate) fn done(&self) -> usize {
        self.fetched.load(Ordering::Relaxed)
    }

    /// `n` more objects fetched, of `of` where known.
    pub(crate) fn add(&self, n: usize, of: Option<usize>) {
        let fetched = self.fetched.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(f) = &self.on_progress {
            f(SyncProgress { fetched, of });
        }
    }
}

/// The account, held for one operation of the app's engine.
#[derive(Debug)]
pub struct Held {
    _lock: AccountLock,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("account", &self.account.name).finish()
    }
}

pub fn client_config(account: &Account, password: Password) -> ClientConfig {
    let mut cfg = ClientConfig::new(account.url.clone(), &account.user, password);
    cfg.ca_file = account.ca_file.clone();
    cfg.allow_insecure_http = account.allow_insecure_http;
    cfg
}

impl Engine {
    /// Opens the account's cache and outbox (waiting for another process
    /// that holds them). No network I/O.
    pub fn open(paths: &Paths, account: &Account, password: Password) -> Result<Self, EngineError> {
        Self::open_with(paths, account, password, None, || {})
    }

    /// [`Engine::open`], calling `waiting` once first if another process
    /// holds the account (so a command can say why it waits), and giving
    /// up after `limit` ([`StoreError::InUse`]).
    pub fn open_with(
        paths: &Paths,
        account: &Account,
        password: Password,
        limit: Option<std::time::Duration>,
        waiting: impl FnOnce(),
    ) -> Result<Self, EngineError> {
        let started = std::time::Instant::now();
        let files = AccountFiles::new(paths, &account.name);
        let lock = AccountLock::acquire(&files.lock_file, limit, || {
            tracing::warn!(account = %account.name, "waiting for the Convene app or another command to release this account");
            waiting();
        })?;
        // Side by side: the client loads the system's certificates, and a
        // new cache's file is created and synced to disk (each 15-20 ms of
        // a first sync that is otherwise waiting).
        let (client, cache) = std::thread::scope(|s| {
            let client = s.spawn(|| Client::new(client_config(account, password)));
            let cache = Cache::open(&files.cache_file);
            (client.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), cache)
        });
        let (client, cache) = (client?, cache?);
        tracing::debug!(ms = started.elapsed().as_millis(), "engine: client made and cache opened");
        Ok(Engine {
            account: account.clone(),
            client,
            outbox: Outbox::new(&files.outbox_dir),
            files,
            cache,
            progress: Progress::default(),
            #[cfg(test)]
            lookups: AtomicUsize::new(0),
            lock: Some(lock),
        })
    }

    /// The app's engine: like [`Engine::open`], but it lets the account go
    /// once open, and takes it again for each operation with
    /// [`Engine::hold`], so a `convene` command never waits for the app to
    /// quit, only for the operation under way.
    pub fn open_per_operation(
        paths: &Paths,
        account: &Account,
        password: Password,
    ) -> Result<Self, EngineError> {
        let mut engine = Self::open(paths, account, password)?;
        engine.lock = None;
        Ok(engine)
    }

    /// Takes the account for one operation, waiting (without blocking the
    /// runtime) for a command that has it, and re-reads what another
    /// process may have changed since the last one. None when the engine
    /// holds the account for its life already.
    pub async fn hold(&mut self) -> Result<Option<Held>, EngineError> {
        if self.lock.is_some() {
            return Ok(None);
        }
        let mut told = false;
        let lock = loop {
            match AccountLock::acquire(&self.files.lock_file, Some(std::time::Duration::ZERO), || {}) {
                Ok(lock) => break lock,
                Err(StoreError::InUse { .. }) => {
                    if !std::mem::replace(&mut told, true) {
                        tracing::info!(account = %self.account.name, "waiting for a convene command to release this account");
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        self.cache.reload()?;
        Ok(Some(Held { _lock: lock }))
    }

    /// Ends an operation begun with [`Engine::hold`]: a sync cut short
    /// (offline) leaves its writes uncommitted; they are dropped, not kept
    /// open, so the next holder starts from what is on disk, and the next
    /// sync fetches them again.
    pub fn release(&mut self, held: Option<Held>) {
        if held.is_some() {
            self.cache.rollback_unsaved();
        }
    }

    /// Has `f` hear how far each sync has come, as objects arrive.
    pub fn report_progress(&mut self, f: impl Fn(SyncProgress) + Send + Sync + 'static) {
        self.progress.on_progress = Some(Box::new(f));
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.cache.capabilities.as_ref()
    }

    /// The user: the principal's addresses plus configured aliases.
    pub fn identity(&self) -> Identity {
        let principal = self.cache.principal.iter().flat_map(|p| p.addresses.iter().cloned());
        Identity::new(principal.chain(self.account.aliases.iter().cloned()))
    }

    pub(crate) fn save_cache(&mut self) -> Result<(), StoreError> {
        self.cache.save()
    }

    pub fn outbox(&self) -> Result<Vec<Entry>, StoreError> {
        self.outbox.list()
    }

    /// The events that have reminders (a VALARM) and the reminders the
    /// person dismissed or snoozed: what the reminder scheduler needs.
    pub fn reminders(&self) -> Result<(Vec<String>, Vec<Acknowledgement>), StoreError> {
        let objects = self.cache.objects()?;
        let with_alarms =
            objects.into_iter().filter(|(_, _, o)| o.data.contains("BEGIN:VALARM")).map(|(_, _, o)| o.data);
        Ok((with_alarms.collect(), self.cache.reminders()?))
    }

    /// The invitations the person accepted (or whose acceptance waits in
    /// the outbox) without an alarm of their own: the scheduler rings them
    /// with the default reminder, added locally, never written.
    pub fn accepted_without_alarms(&self) -> Result<Vec<String>, EngineError> {
        let waiting = self.outbox.list()?;
        let accepting = waiting
            .iter()
            .filter(|e| {
                e.reply.occurrence.is_none() && matches!(e.reply.answer, Answer::Accept | Answer::Tentative)
            })
            .map(|e| e.uid.clone())
            .collect();
        let objects = self.listed_objects(&waiting)?;
        let data = objects.iter().map(|(_, _, o)| o.data.as_str());
        Ok(ical::invitation::accepted_without_alarms(data, &self.identity(), &accepting))
    }

    /// Keeps a reminder's dismissal (`snoozed_until` None) or snooze.
    pub fn acknowledge(&mut self, key: &str, snoozed_until: Option<i64>) -> Result<(), StoreError> {
        self.cache.acknowledge(key, snoozed_until, chrono::Utc::now().timestamp())
    }
}
