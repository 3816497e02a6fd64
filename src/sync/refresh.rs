//! Bringing the cache up to date. A calendar's first sync is one
//! calendar-query for every object's data (the sync token from the
//! calendar list, read before it, covers them). After that every sync reads
//! the calendar list; a calendar whose sync token (or ctag) is the one
//! synced costs nothing more, the others a sync-collection that brings the
//! changed objects' data (else ctag + ETag comparison and a multiget).

use std::collections::BTreeSet;

use url::Url;

use super::engine::{Engine, EngineError, Progress};
use super::failure::{Cause, Failure};
use super::listing::Listing;
use crate::caldav::Client;
use crate::caldav::Operation;
use crate::caldav::http::Depth;
use crate::caldav::{
    self, AllEntry, Capabilities, Etag, FetchAll, Listed, Multiget, Object, Propfind, ScheduleTags, changes,
    xml,
};
use crate::store::Cache;
use crate::store::Synced;
use crate::store::cache::{Indexed, index};

/// Objects per multiget request.
const MULTIGET_CHUNK: usize = 200;

/// The most Schedule-Tags read after a sync: one request's worth. On
/// Xandikos 200 tags cost about 0.4 s of its time, so they are not part of
/// the first sync the person waits for (issue 13).
const TAGS_AFTER_SYNC: usize = MULTIGET_CHUNK;

/// How far a running sync has come: objects fetched so far, of how many
/// where that is known (a multiget's list; a calendar-query's answer says
/// its size only at its end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub fetched: usize,
    pub of: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Calendars that could not be synced, with the reason.
    pub failed: Vec<NotSynced>,
    pub calendars: usize,
    pub fetched: usize,
    pub removed: usize,
    pub requests: u64,
}

/// One calendar a sync could not bring up to date (its cached copy is
/// kept as it was); the words are the [`Failure`]'s.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotSynced {
    pub calendar: Url,
    pub name: String,
    pub error: Failure,
}

impl NotSynced {
    /// The failure as the actor and the CLI report it.
    pub fn failure(&self) -> Failure {
        Cause::CalendarNotSynced { calendar: self.name.clone(), reason: self.error.clone() }.into()
    }
}

/// Milliseconds since `start`, for the debug log of a sync's phases.
fn ms_since(start: std::time::Instant) -> String {
    format!("{:.1}", start.elapsed().as_secs_f64() * 1000.0)
}

/// What a first sync's reading task sends: the `usize` is the calendar's
/// place in the list of those read.
enum Arrived {
    Object(usize, Indexed, Object),
    WithoutData(usize, Url),
    Truncated(usize),
    /// The answer ended: whole, or how it failed.
    Ended(usize, Result<(), caldav::Error>),
}

/// Objects on their way from the reading tasks to the cache: the most a
/// first sync holds besides one batch per calendar.
const ARRIVED_IN_FLIGHT: usize = 64;

/// One calendar's first fetch so far.
#[derive(Debug, Default)]
struct FirstRead {
    /// Read, not yet stored.
    batch: Vec<(Indexed, Object)>,
    stored: usize,
    without_data: Vec<Url>,
    truncated: bool,
    /// A write that failed: the calendar is not synced.
    failed: Option<EngineError>,
}

impl FirstRead {
    /// Stores the batch (without a token) in the sync's transaction.
    fn store(&mut self, cache: &mut Cache, calendar: &Url) {
        if self.failed.is_some() || self.batch.is_empty() {
            self.batch.clear();
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let n = batch.len();
        match cache.apply_indexed(calendar, &BTreeSet::new(), batch, None) {
            Ok(_) => self.stored += n,
            Err(e) => self.failed = Some(e.into()),
        }
    }
}

/// Calendars fetched side by side in a first sync. Each is one request the
/// server answers on its own connection; more than a few would only hold
/// more calendars in memory at once.
const FIRST_FETCHES_AT_ONCE: usize = 3;

/// How often a first sync reports progress while a calendar streams in.
const PROGRESS_EVERY: usize = 250;

impl Engine {
    /// Brings the cache up to date with the server and saves it.
    pub async fn sync(&mut self) -> Result<SyncReport, EngineError> {
        let start_requests = self.client().request_count();
        let started = std::time::Instant::now();
        self.progress.reset();
        let now = super::now();
        // One transaction for the whole sync, committed by `save_cache`.
        self.cache.begin()?;
        // An account's first sync asks the server what it can do (OPTIONS,
        // and which server it is) beside listing and fetching the
        // calendars: nothing fetched depends on the answer.
        let mut found = None;
        if self.cache.principal.is_none() || self.cache.capabilities.is_none() {
            found = Some(caldav::discovery::find_account(self.client()).await?);
        }
        let probe_client = self.client().clone();
        let probe = async {
            match &found {
                Some((_, home)) => Some(caldav::discovery::about_server(&probe_client, home.clone()).await),
                None => None,
            }
        };
        let principal = found.as_ref().map(|(p, _)| p.clone());
        let (about, synced) = tokio::join!(probe, self.sync_calendars(principal, now, started));
        let (mut report, listed, offline) = synced?;
        let about = match about.transpose() {
            Ok(about) => about,
            // The data fetched is kept; without the server's capabilities
            // the next sync asks for them again.
            Err(e) => {
                self.save_cache()?;
                return Err(e.into());
            }
        };
        if let (Some((options, server)), Some((principal, _))) = (about, found) {
            let d = caldav::Discovery { server, principal, options, calendars: listed };
            self.cache.capabilities = Some(Capabilities::build(&d, None));
        }
        if let Some(e) = offline {
            self.save_cache()?;
            return Err(e.into());
        }
        tracing::debug!(ms = ms_since(started), "sync: calendars fetched");
        self.cache.synced_at = Some(now);
        self.save_cache()?;
        tracing::debug!(ms = ms_since(started), "sync: cache saved");
        report.requests = self.client().request_count() - start_requests;
        Ok(report)
    }

    /// Lists the calendars (under `principal`'s homes when it was just
    /// found, else the cached one's) and brings each up to date. Returns
    /// the report, the calendars listed, and the transient error that
    /// stopped it (offline: what came before is kept).
    async fn sync_calendars(
        &mut self,
        principal: Option<caldav::Principal>,
        now: i64,
        started: std::time::Instant,
    ) -> Result<(SyncReport, Vec<caldav::Calendar>, Option<caldav::Error>), EngineError> {
        // Every sync reads the calendar list: its sync tokens and ctags say
        // which calendars changed, so an unchanged calendar costs no
        // request of its own (one change: this and one more).
        let listed = match &principal {
            Some(p) => caldav::discovery::list_calendars(self.client(), p).await?,
            None => {
                let cached = self.cache.principal.as_ref().ok_or(EngineError::NoCapabilities)?;
                caldav::discovery::list_calendars(self.client(), cached).await?
            }
        };
        if principal.is_some() {
            self.cache.principal = principal;
        }
        self.cache.set_calendars(listed.clone())?;
        self.cache.listed_at = Some(now);
        tracing::debug!(ms = ms_since(started), "sync: calendars listed");
        let mut report = SyncReport::default();
        // First syncs are fetched side by side; the rest, and any whose
        // first fetch was cut short, one after the other.
        let (mut first, mut rest) = (Vec::new(), Vec::new());
        for cal in self.cache.calendars.iter().filter(|c| c.info.holds_events()) {
            let url = cal.info.url.clone();
            match cal.info.sync_token.clone() {
                Some(token)
                    if cal.synced_token.is_none()
                        && cal.info.supports_sync_collection()
                        && self.cache.etags(&url)?.is_empty() =>
                {
                    first.push((url, token, cal.info.ctag.clone()));
                }
                _ => rest.push(url),
            }
        }
        let mut offline = self.first_syncs(first, &mut rest, &mut report).await;
        if offline.is_some() {
            return Ok((report, listed, offline));
        }
        for url in rest {
            match self.sync_calendar(&url).await {
                Ok((fetched, removed)) => {
                    report.calendars += 1;
                    report.fetched += fetched;
                    report.removed += removed;
                }
                Err(EngineError::Server(e)) if e.is_transient() => {
                    offline = Some(e);
                    break;
                }
                Err(e) => report.failed.push(not_synced(&self.cache, url, e)),
            }
        }
        Ok((report, listed, offline))
    }

    /// The calendars never synced, each by one calendar-query for every
    /// object's data, up to [`FIRST_FETCHES_AT_ONCE`] side by side. Each
    /// answer is read on a task of its own (parsed as it arrives on its
    /// parse thread) while the objects already read are stored here: the
    /// writes overlap the transfer instead of following it. The sync token
    /// read before is stored once the calendar's last object is, in the same
    /// transaction; an answer cut short stores no token (the calendar is
    /// then listed, in `rest`, and what came is not fetched again), and one
    /// that fails leaves what came stored without a token, so the next sync
    /// fetches only the rest. Returns the transient error that stopped it.
    async fn first_syncs(
        &mut self,
        first: Vec<(Url, String, Option<String>)>,
        rest: &mut Vec<Url>,
        report: &mut SyncReport,
    ) -> Option<caldav::Error> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Arrived>(ARRIVED_IN_FLIGHT);
        let mut tasks = tokio::task::JoinSet::new();
        let mut waiting = first.iter().enumerate();
        let client = self.client.clone();
        let mut start_next = |tasks: &mut tokio::task::JoinSet<()>| {
            let Some((i, (url, _, _))) = waiting.next() else { return 0 };
            tasks.spawn(read_all(client.clone(), url.clone(), i, tx.clone()));
            1
        };
        let mut open = 0;
        for _ in 0..FIRST_FETCHES_AT_ONCE {
            open += start_next(&mut tasks);
        }
        let mut read: Vec<FirstRead> = first.iter().map(|_| FirstRead::default()).collect();
        while open > 0 {
            // Every task ends by sending `Ended`, unless it panicked.
            let arrived = tokio::select! {
                Some(arrived) = rx.recv() => arrived,
                Some(Err(e)) = tasks.join_next() => std::panic::resume_unwind(e.into_panic()),
            };
            match arrived {
                Arrived::Object(i, indexed, object) => {
                    let r = &mut read[i];
                    r.batch.push((indexed, object));
                    if r.batch.len() == PROGRESS_EVERY {
                        self.progress.add(PROGRESS_EVERY, None);
                        r.store(&mut self.cache, &first[i].0);
                    }
                }
                Arrived::WithoutData(i, url) => read[i].without_data.push(url),
                Arrived::Truncated(i) => read[i].truncated = true,
                Arrived::Ended(i, ended) => {
                    open = open - 1 + start_next(&mut tasks);
                    let (url, token, ctag) = &first[i];
                    let r = std::mem::take(&mut read[i]);
                    match self.finish_first(url, token, ctag, r, ended).await {
                        Ok(Some((fetched, removed))) => {
                            report.calendars += 1;
                            report.fetched += fetched;
                            report.removed += removed;
                        }
                        Ok(None) => {
                            tracing::info!(calendar = %url, "the server cut the calendar-query short; listing instead");
                            rest.push(url.clone());
                        }
                        // Offline: the whole sync is off (what came before
                        // is kept, the other calendars' objects read so far
                        // too, without their tokens; dropping the tasks
                        // stops them).
                        Err(EngineError::Server(e)) if e.is_transient() => {
                            while let Ok(arrived) = rx.try_recv() {
                                if let Arrived::Object(j, indexed, object) = arrived {
                                    read[j].batch.push((indexed, object));
                                }
                            }
                            for (j, r) in read.iter_mut().enumerate() {
                                r.store(&mut self.cache, &first[j].0);
                            }
                            return Some(e);
                        }
                        // One calendar refusing (access revoked, a broken
                        // answer…) must not stop the rest.
                        Err(e) => report.failed.push(not_synced(&self.cache, url.clone(), e)),
                    }
                }
            }
        }
        None
    }

    /// Stores what a calendar's first fetch brought after its answer
    /// ended: the rest of its objects, those listed without data (by
    /// multiget), and the sync token where nothing is missing. Returns
    /// (fetched, removed), or None when the answer was cut short.
    async fn finish_first(
        &mut self,
        url: &Url,
        token: &str,
        ctag: &Option<String>,
        mut read: FirstRead,
        ended: Result<(), caldav::Error>,
    ) -> Result<Option<(usize, usize)>, EngineError> {
        if !read.batch.is_empty() {
            self.progress.add(read.batch.len(), None);
        }
        // What came is stored whatever came after it: valid objects, with
        // their ETags, and no token that would claim the rest.
        read.store(&mut self.cache, url);
        if let Some(e) = read.failed.take() {
            return Err(e);
        }
        ended?;
        if read.truncated {
            return Ok(None);
        }
        let (objects, missing, incomplete) =
            multiget(&self.client, &self.progress, url, std::mem::take(&mut read.without_data)).await?;
        let n = read.stored + objects.len();
        let synced = (!incomplete).then(|| Synced { token: Some(token.to_owned()), ctag: ctag.clone() });
        // The token is stored with the objects it covers, or not at all.
        let removed = self.cache.apply(url, &missing.into_iter().collect(), objects, synced)?;
        Ok(Some((n, removed)))
    }

    /// Brings one calendar up to date from the sync token (or ctag) it
    /// was last synced to; a calendar never synced is listed whole.
    /// Returns (objects fetched, objects removed).
    async fn sync_calendar(&mut self, url: &Url) -> Result<(usize, usize), EngineError> {
        let Some(cal) = self.cache.calendar(url).cloned() else { return Ok((0, 0)) };
        let cached = self.cache.etags(url)?;
        let unchanged =
            |synced: &Option<String>, listed: &Option<String>| synced.is_some() && synced == listed;
        let (listed, full, token) = if cal.info.supports_sync_collection() {
            if unchanged(&cal.synced_token, &cal.info.sync_token) {
                return Ok((0, 0));
            }
            let c = changes::since(self.client(), url, cal.synced_token.clone()).await?;
            let removed: BTreeSet<Url> = c.removed.into_iter().collect();
            (Some((c.changed, removed)), c.full, c.token)
        } else if unchanged(&cal.synced_ctag, &cal.info.ctag) {
            (None, false, None)
        } else {
            let ms = self
                .client()
                .run(&Propfind { url: url.clone(), depth: Depth::One, props: vec![(xml::DAV, "getetag")] })
                .await?;
            let changed = ms
                .entries
                .iter()
                .filter(|e| !caldav::multistatus::same_resource(&e.url, url))
                .map(|e| Listed {
                    url: e.url.clone(),
                    etag: e.text(xml::DAV, "getetag").map(Etag::new),
                    schedule_tag: None,
                    data: None,
                })
                .collect();
            (Some((changed, BTreeSet::new())), true, None)
        };
        let Some((changed, mut removed)) = listed else { return Ok((0, 0)) };
        if full {
            let present: BTreeSet<&Url> = changed.iter().map(|l| &l.url).collect();
            removed.extend(cached.keys().filter(|u| !present.contains(u)).cloned());
        }
        // What came with its data is stored as it is; the rest is fetched.
        let (mut with_data, mut to_fetch) = (Vec::new(), Vec::new());
        for listed in changed {
            if listed.etag.is_some() && cached.get(&listed.url) == Some(&listed.etag) {
                continue;
            }
            let url = listed.url.clone();
            match listed.into_object() {
                Some(object) => with_data.push(object),
                None => to_fetch.push(url),
            }
        }
        let (mut fetched, missing, incomplete) =
            multiget(self.client(), &self.progress, url, to_fetch).await?;
        fetched.append(&mut with_data);
        removed.extend(missing);
        let n_fetched = fetched.len();
        let synced = (!incomplete).then(|| Synced { token: token.or(cal.synced_token), ctag: cal.info.ctag });
        // The token is stored with the objects it covers, or not at all.
        let n_removed = self.cache.apply(url, &removed, fetched, synced)?;
        Ok((n_fetched, n_removed))
    }

    /// Where the server's Schedule-Tag protects replies, reads it for the
    /// `listed` invitations still waiting for the person's answer whose
    /// cached copy lacks one (a first sync leaves them out; at most
    /// [`TAGS_AFTER_SYNC`]), in a small request per calendar without their
    /// data: their replies then need no GET first. A tag is kept only if
    /// the ETag beside it is the cached copy's: a tag read after a change
    /// would vouch for a version the person never saw. A shortcut only:
    /// any other invitation is read again before its reply. Returns how
    /// many tags were stored.
    pub async fn read_schedule_tags(&mut self, listed: &[Listing]) -> Result<usize, EngineError> {
        if !self.capabilities().is_some_and(|c| c.schedule_tag_trusted.is_true()) {
            return Ok(0);
        }
        let mut wanted: Vec<(Url, Url, Etag)> = Vec::new();
        for l in listed.iter().filter(|l| l.invitation.is_pending()).take(TAGS_AFTER_SYNC) {
            if let Some((_, cached)) = self.cache.object(&l.url)?
                && cached.schedule_tag.is_none()
                && let Some(etag) = cached.etag
            {
                wanted.push((l.calendar.clone(), l.url.clone(), etag));
            }
        }
        let mut stored = 0;
        let calendars: BTreeSet<Url> = wanted.iter().map(|(c, _, _)| c.clone()).collect();
        for calendar in calendars {
            let asked: Vec<&(Url, Url, Etag)> = wanted.iter().filter(|(c, _, _)| *c == calendar).collect();
            let objects = asked.iter().map(|(_, u, _)| u.clone()).collect();
            let listed = self.client().run(&ScheduleTags { calendar: calendar.clone(), objects }).await?;
            let mut tags = Vec::new();
            for l in listed {
                let found = asked.iter().find(|(_, u, _)| caldav::multistatus::same_resource(u, &l.url));
                if let (Some((_, url, etag)), Some(tag)) = (found, l.schedule_tag)
                    && l.etag.as_ref() == Some(etag)
                {
                    tags.push((url.clone(), etag.clone(), tag));
                }
            }
            stored += tags.len();
            self.cache.set_schedule_tags(&calendar, &tags)?;
        }
        Ok(stored)
    }
}

/// Fetches `objects` by multiget; returns (delivered, gone, whether
/// some were not delivered). Not delivered is not deleted: the caller
/// keeps the cached copies and the old token, so the next sync asks again.
async fn multiget(
    client: &Client,
    progress: &Progress,
    calendar: &Url,
    objects: Vec<Url>,
) -> Result<(Vec<Object>, Vec<Url>, bool), EngineError> {
    let (mut fetched, mut missing, mut incomplete) = (Vec::new(), Vec::new(), false);
    let total = progress.done() + objects.len();
    for chunk in objects.chunks(MULTIGET_CHUNK) {
        let got = client.run(&Multiget { calendar: calendar.clone(), objects: chunk.to_vec() }).await?;
        progress.add(chunk.len(), Some(total));
        missing.extend(got.missing);
        fetched.extend(got.objects);
        incomplete |= !got.failed.is_empty();
    }
    if incomplete {
        tracing::warn!(%calendar, "some objects were not delivered; asking again next sync");
    }
    Ok((fetched, missing, incomplete))
}

/// Reads one calendar's first-sync calendar-query on a task of its own,
/// sending each object (parsed for the index on the answer's parse thread)
/// to [`Engine::first_syncs`] as it arrives, then how the answer ended.
async fn read_all(client: Client, calendar: Url, i: usize, tx: tokio::sync::mpsc::Sender<Arrived>) {
    let op = FetchAll { calendar };
    let ended = match op.request() {
        Ok(req) => {
            let on_entry = tx.clone();
            client
                .stream_multistatus(req, move |e| {
                    let arrived = match op.read(e) {
                        Some(AllEntry::Object(o)) => Arrived::Object(i, index::read(&o.data), o),
                        Some(AllEntry::WithoutData(url)) => Arrived::WithoutData(i, url),
                        Some(AllEntry::Truncated) => Arrived::Truncated(i),
                        None => return,
                    };
                    // Waits while the writes are behind (bounded memory);
                    // fails only when the sync stopped listening.
                    let _ = on_entry.blocking_send(arrived);
                })
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    let _ = tx.send(Arrived::Ended(i, ended)).await;
}

/// A calendar that could not be synced, named as the person knows it.
fn not_synced(cache: &Cache, calendar: Url, error: EngineError) -> NotSynced {
    let name = cache
        .calendars
        .iter()
        .find(|c| c.info.url == calendar)
        .map(|c| super::calendar_label(&c.info))
        .unwrap_or_else(|| calendar.path().to_owned());
    NotSynced { calendar, name, error: error.into() }
}
