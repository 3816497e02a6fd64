//! One account's engine: its client, cache and outbox, and the operations
//! the CLI and the actor share.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::listing::{AgendaItem, Details, Listing, ReplyState};
use super::refresh::SyncProgress;
use super::send::{self, Outcome};
use crate::caldav::{self, Capabilities, Client, ClientConfig, Password};
use crate::config::Account;
use crate::ical::{self, Answer, Identity, Reply, ReplyError, Role};
use crate::paths::Paths;
use crate::store::cache::{Acknowledgement, CachedCalendar, CachedObject};
use crate::store::lock::AccountLock;
use crate::store::{AccountFiles, Cache, Entry, EntryState, Outbox, StoreError};
use url::Url;

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
    #[error("nothing waits to be resent for {0}")]
    NothingToResend(String),
    #[error("no calendar named {name:?}{}", if .known.is_empty() { String::new() } else { format!("; this account has: {}", .known.join(", ")) })]
    UnknownCalendar { name: String, known: Vec<String> },
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
    #[error("{}: {}", .0.reason, .0.what_happens)]
    Unhonourable(Box<crate::import::Unhonourable>),
}

pub struct Engine {
    pub account: Account,
    pub(crate) client: Client,
    pub(crate) files: AccountFiles,
    pub(crate) cache: Cache,
    pub(crate) outbox: Outbox,
    /// Hears a running sync's progress (the window, a terminal).
    on_progress: Option<Box<dyn Fn(SyncProgress) + Send + Sync>>,
    /// Objects fetched so far by the running sync.
    fetched: AtomicUsize,
    /// Held for the engine's life by a command (one operation); None for
    /// the app's engine, which takes it per operation ([`Engine::hold`]).
    lock: Option<AccountLock>,
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

/// The next occurrences of a repeating event, for "answer this one", and
/// whether it repeats too often to show them all.
fn upcoming(doc: &ical::Document) -> (Vec<(String, String)>, bool) {
    let now = chrono::Utc::now();
    let found = ical::occurrence::expand_document(doc, now, now + chrono::Duration::days(400));
    let next = found
        .occurrences
        .into_iter()
        .filter_map(|o| Some((o.recurrence_id?, o.start.format("%a %-d %b %Y, %H:%M").to_string())))
        .take(12)
        .collect();
    (next, found.truncated)
}

pub fn client_config(account: &Account, password: Password) -> ClientConfig {
    let mut cfg = ClientConfig::new(account.url.clone(), &account.user, password);
    cfg.ca_file = account.ca_file.clone();
    cfg.allow_insecure_http = account.allow_insecure_http;
    cfg
}

/// The invitation list leaves out events that ended more than this many
/// days ago (unless a reply to one is still on its way): years of answered
/// meetings are history, shown in the calendar, and listing them would
/// parse every one at each start.
pub const LISTED_AFTER_DAYS: i64 = 7;

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
        let files = AccountFiles::new(paths, &account.name);
        let lock = AccountLock::acquire(&files.lock_file, limit, || {
            tracing::warn!(account = %account.name, "waiting for the Convene app or another command to release this account");
            waiting();
        })?;
        let client = Client::new(client_config(account, password))?;
        let cache = Cache::open(&files.cache_file)?;
        Ok(Engine {
            account: account.clone(),
            client,
            outbox: Outbox::new(&files.outbox_dir),
            files,
            cache,
            on_progress: None,
            fetched: AtomicUsize::new(0),
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
        self.on_progress = Some(Box::new(f));
    }

    pub(crate) fn progress_reset(&self) {
        self.fetched.store(0, Ordering::Relaxed);
    }

    pub(crate) fn progress_done(&self) -> usize {
        self.fetched.load(Ordering::Relaxed)
    }

    /// `n` more objects fetched, of `of` where known.
    pub(crate) fn progressed(&self, n: usize, of: Option<usize>) {
        let fetched = self.fetched.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(f) = &self.on_progress {
            f(SyncProgress { fetched, of });
        }
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

    /// Invitations from the cache (works offline), pending first.
    pub fn invitations(&self) -> Result<Vec<Listing>, EngineError> {
        let waiting = self.outbox.list()?;
        let mut out = self.listings(self.listed_objects(&waiting)?, &waiting);
        out.sort_by_key(Listing::order);
        Ok(out)
    }

    /// How many of the [`Engine::invitations`] wait for an answer, without
    /// building the list (no occurrences to expand): what a sync reports.
    pub fn pending_count(&self) -> Result<usize, EngineError> {
        let me = self.identity();
        let objects = self.listed_objects(&self.outbox.list()?)?;
        let pending =
            |data: &str| ical::invitation::read(data, &me).is_ok_and(|i| i.is_some_and(|i| i.is_pending()));
        Ok(objects.iter().filter(|(_, _, o)| pending(&o.data)).count())
    }

    /// The objects the invitation list looks at: those with an organizer
    /// that end after [`LISTED_AFTER_DAYS`] ago, and any with a reply on
    /// its way.
    fn listed_objects(
        &self,
        waiting: &[Entry],
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, EngineError> {
        let since = (chrono::Utc::now() - chrono::Duration::days(LISTED_AFTER_DAYS)).timestamp();
        let replying: Vec<String> = waiting.iter().map(|e| e.uid.clone()).collect();
        Ok(self.cache.scheduling_since(since, &replying)?)
    }

    /// The invitations among `objects`, each with its reply on its way.
    fn listings(
        &self,
        objects: Vec<(&CachedCalendar, Url, CachedObject)>,
        waiting: &[Entry],
    ) -> Vec<Listing> {
        let me = self.identity();
        let mut out = Vec::new();
        for (cal, url, obj) in objects {
            // Parsed once for the invitation and its occurrences.
            let Ok(doc) = ical::Document::parse(&obj.data) else { continue };
            let Some(inv) = ical::invitation::from_document(&doc, &me, None) else { continue };
            if !inv.is_invitation() {
                continue;
            }
            let entry = waiting.iter().find(|e| e.uid == inv.uid);
            let (occurrences, repeats_too_often) =
                if inv.recurrence.is_some() { upcoming(&doc) } else { (Vec::new(), false) };
            out.push(Listing {
                occurrences,
                repeats_too_often,
                calendar: cal.info.url.clone(),
                calendar_name: cal
                    .info
                    .display_name
                    .clone()
                    .unwrap_or_else(|| cal.info.url.path().to_owned()),
                url,
                reply: ReplyState::from_entry(entry),
                invitation: inv,
            });
        }
        out
    }

    /// The invitation with this UID, however long ago it took place.
    fn find(&self, uid: &str) -> Result<Listing, EngineError> {
        let waiting = self.outbox.list()?;
        self.listings(self.cache.with_uid(uid)?, &waiting)
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::UnknownUid(uid.to_owned()))
    }

    /// Which attendee address answers: the one the event lists for the
    /// user, or the person's explicit choice among the candidates.
    fn answering_as(listing: &Listing, chosen: Option<&str>) -> Result<String, EngineError> {
        let inv = &listing.invitation;
        let attendees: Vec<String> = inv.attendees.iter().map(|a| a.address.clone()).collect();
        let pick = |candidates: &[String], chosen: &str| {
            candidates
                .iter()
                .find(|c| ical::identity::normalize(c) == ical::identity::normalize(chosen))
                .cloned()
        };
        match (&inv.role, chosen) {
            (Role::Invited { me }, None) => Ok(me.clone()),
            (Role::Invited { .. } | Role::SeveralAddresses { .. } | Role::NotListed, Some(c)) => {
                pick(&attendees, c).ok_or_else(|| EngineError::NotListed {
                    uid: inv.uid.clone(),
                    attendees: attendees.clone(),
                })
            }
            (Role::SeveralAddresses { candidates }, None) => {
                Err(EngineError::SeveralAddresses(candidates.clone()))
            }
            (Role::NotListed, None) => Err(EngineError::NotListed { uid: inv.uid.clone(), attendees }),
            _ => Err(EngineError::NotInvitation(inv.uid.clone())),
        }
    }

    /// Writes the person's answer to the outbox, based on the cached copy
    /// they saw. Nothing is sent yet; the entry survives any crash.
    pub fn queue(
        &mut self,
        uid: &str,
        answer: Answer,
        comment: Option<String>,
        occurrence: Option<String>,
        chosen: Option<&str>,
    ) -> Result<Entry, EngineError> {
        let listing = self.find(uid)?;
        let me = Self::answering_as(&listing, chosen)?;
        let (_, cached) =
            self.cache.object(&listing.url)?.ok_or_else(|| EngineError::UnknownUid(uid.to_owned()))?;
        if occurrence.is_some() {
            self.check_occurrence_support(&listing)?;
        }
        let reply = Reply { answer, comment, occurrence, me };
        // Refuse now what can never apply (wrong occurrence, not an attendee).
        ical::reply::apply(&cached.data, &reply)?;
        let entry = Entry {
            format: crate::store::outbox::FORMAT,
            uid: uid.to_owned(),
            calendar: listing.calendar.clone(),
            reply,
            base: cached.to_object(&listing.url),
            state: EntryState::Pending { last_error: None },
            created: super::now(),
        };
        self.outbox.put(&entry)?;
        Ok(entry)
    }

    /// An occurrence answer the organizer would never see is a lost answer:
    /// refuse it up front, saying why.
    fn check_occurrence_support(&self, listing: &Listing) -> Result<(), EngineError> {
        let Some(caps) = self.capabilities() else { return Ok(()) };
        if caps.occurrence_replies.value == Some(false) {
            return Err(EngineError::OccurrenceUnsupported(caps.server.describe()));
        }
        let counted = listing
            .invitation
            .recurrence
            .as_deref()
            .is_some_and(|r| r.to_ascii_uppercase().contains("COUNT="));
        if caps.occurrence_replies_need_until && counted {
            return Err(EngineError::OccurrenceUnsupported(format!(
                "{} drops such answers for a series limited by COUNT",
                caps.server.describe()
            )));
        }
        Ok(())
    }

    /// Answers again after a conflict (on the server's new version) or a
    /// refusal (on the same base; the send re-reads the server's copy if it
    /// moved), optionally with a changed answer.
    pub fn resend(
        &mut self,
        uid: &str,
        answer: Option<Answer>,
        comment: Option<String>,
    ) -> Result<Entry, EngineError> {
        let mut entry = self.outbox.get(uid)?.ok_or_else(|| EngineError::NothingToResend(uid.to_owned()))?;
        match &entry.state {
            EntryState::Conflict { server, .. } => {
                entry.base = server.clone();
                let calendar = entry.calendar.clone();
                self.cache.put_object(&calendar, &entry.base.url.clone(), entry.base.clone().into())?;
            }
            EntryState::Failed { .. } => {}
            EntryState::Pending { .. } | EntryState::Sending => {
                return Err(EngineError::NothingToResend(uid.to_owned()));
            }
        }
        if let Some(a) = answer {
            entry.reply.answer = a;
        }
        if comment.is_some() {
            entry.reply.comment = comment;
        }
        ical::reply::apply(&entry.base.data, &entry.reply)?;
        entry.state = EntryState::Pending { last_error: None };
        self.outbox.put(&entry)?;
        Ok(entry)
    }

    /// Drops the person's pending answer.
    pub fn discard(&mut self, uid: &str) -> Result<(), EngineError> {
        Ok(self.outbox.remove(uid)?)
    }

    /// Sends one outbox entry and records the outcome.
    pub async fn send(&mut self, uid: &str) -> Result<Outcome, EngineError> {
        let Some(entry) = self.outbox.get(uid)? else {
            return Err(EngineError::NothingToResend(uid.to_owned()));
        };
        let caps = self.cache.capabilities.clone();
        let identity = self.identity();
        let outcome = send::send(&self.client, &self.outbox, caps.as_ref(), &identity, entry).await?;
        if let Outcome::Sent { object } = &outcome {
            // The server has the answer; a cache that can't be saved is
            // refreshed by the next sync, not a failed reply.
            let calendar = self.cache.object(&object.url).map(|o| o.map(|(c, _)| c.info.url.clone()));
            let saved = match calendar {
                Ok(Some(cal)) => self
                    .cache
                    .put_object(&cal, &object.url.clone(), object.clone().into())
                    .and_then(|()| self.save_cache()),
                other => other.map(|_| ()),
            };
            if let Err(e) = saved {
                tracing::warn!("cache not saved after a reply: {e}");
            }
        }
        Ok(outcome)
    }

    /// Sends everything waiting, oldest first; stops early when offline.
    pub async fn flush(&mut self) -> Result<Vec<(String, Outcome)>, EngineError> {
        let mut out = Vec::new();
        for entry in self.outbox.list()? {
            if !entry.is_waiting() {
                continue;
            }
            let outcome = self.send(&entry.uid).await?;
            let offline = matches!(outcome, Outcome::Pending { offline: true, .. });
            out.push((entry.uid, outcome));
            if offline {
                break;
            }
        }
        Ok(out)
    }

    /// One cached event's details, for the occurrence with this
    /// RECURRENCE-ID (or the series); None when it is no longer cached
    /// (or the cache can't be read: logged, and the window says it is gone).
    pub fn details(&self, url: &Url, recurrence_id: Option<&str>) -> Option<Details> {
        let found = self.cache.object(url).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            None
        });
        let (cal, obj) = found?;
        let event = ical::invitation::read_occurrence(&obj.data, &self.identity(), recurrence_id).ok()??;
        Some(Details {
            event,
            calendar_name: cal.info.display_name.clone().unwrap_or_else(|| cal.info.url.path().to_owned()),
            calendar_color: cal.info.color.clone(),
        })
    }

    /// The editor's draft of a cached event (the occurrence with this
    /// RECURRENCE-ID, or the series), and whether the person may change it:
    /// they organize it, or it has no ORGANIZER.
    pub fn editor_draft(&self, url: &Url, recurrence_id: Option<&str>) -> (Option<ical::Draft>, bool) {
        let found = self.cache.object(url).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            None
        });
        let Some((cal, obj)) = found else { return (None, false) };
        let draft = ical::Draft::from_event(&obj.data, cal.info.url.clone(), recurrence_id);
        let role = ical::invitation::read(&obj.data, &self.identity()).ok().flatten().map(|i| i.role);
        let organizer = matches!(role, Some(ical::Role::Organizer | ical::Role::NoOrganizer));
        (draft, organizer)
    }

    /// Every event occurrence in `[from, to)` from the cache, in order.
    pub fn agenda(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Vec<AgendaItem> {
        let me = self.identity();
        let mut out = Vec::new();
        // The time index leaves out what can't overlap the range.
        let objects = self.cache.overlapping(from, to).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            Vec::new()
        });
        for (cal, url, obj) in objects {
            // Parsed once for the role and the occurrences.
            let Ok(doc) = ical::Document::parse(&obj.data) else { continue };
            let role = ical::invitation::from_document(&doc, &me, None);
            let invitation = role.as_ref().is_some_and(|i| i.is_invitation());
            let pending = role.as_ref().is_some_and(|i| i.is_pending());
            let found = ical::occurrence::expand_document(&doc, from, to);
            let mut occurrences = found.occurrences;
            if found.truncated && occurrences.is_empty() {
                // Nothing found in the window before the bound: still list
                // the series, so its note is seen.
                occurrences.extend(ical::occurrence::first_document(&doc));
            }
            for occurrence in occurrences {
                let answer = role.as_ref().and_then(|i| answer_to(i, occurrence.recurrence_id.as_deref()));
                out.push(AgendaItem {
                    account: self.account.name.clone(),
                    calendar: cal.info.url.clone(),
                    calendar_name: cal.info.display_name.clone().unwrap_or_default(),
                    url: url.clone(),
                    occurrence,
                    invitation,
                    pending,
                    answer,
                    repeats_too_often: found.truncated,
                });
            }
        }
        out.sort_by_key(|i| i.occurrence.start);
        out
    }
}

/// The person's answer to one occurrence: its own PARTSTAT where the
/// occurrence carries one, else the series'.
fn answer_to(invitation: &ical::Invitation, recurrence_id: Option<&str>) -> Option<Answer> {
    let own = recurrence_id.and_then(|rid| {
        invitation.occurrence_answers.iter().find(|(r, _)| r == rid).map(|(_, p)| p.as_str())
    });
    Answer::parse(own.or(invitation.my_partstat.as_deref())?)
}
