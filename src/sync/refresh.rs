//! Bringing the cache up to date. A calendar's first sync is one
//! calendar-query for every object's data (the sync token from the
//! calendar list, read before it, covers them). After that every sync reads
//! the calendar list; a calendar whose sync token (or ctag) is the one
//! synced costs nothing more, the others a sync-collection that brings the
//! changed objects' data (else ctag + ETag comparison and a multiget).

use std::collections::BTreeSet;

use url::Url;

use super::engine::{Engine, EngineError};
use super::failure::{Cause, Failure};
use super::listing::Listing;
use crate::caldav::Operation;
use crate::caldav::http::Depth;
use crate::caldav::{
    self, AllEntry, Capabilities, Etag, FetchAll, ListCalendars, Listed, Multiget, Object, Propfind,
    ScheduleTags, changes, xml,
};
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

/// What a first sync's streamed calendar-query brought.
#[derive(Debug, Default)]
struct Streamed {
    /// With their place in the index, read on the parse thread.
    objects: Vec<(Indexed, Object)>,
    without_data: Vec<Url>,
    truncated: bool,
}

/// Milliseconds since `start`, for the debug log of a sync's phases.
fn ms_since(start: std::time::Instant) -> String {
    format!("{:.1}", start.elapsed().as_secs_f64() * 1000.0)
}

/// How often a first sync reports progress while a calendar streams in.
const PROGRESS_EVERY: usize = 250;

impl Engine {
    /// Brings the cache up to date with the server and saves it.
    pub async fn sync(&mut self) -> Result<SyncReport, EngineError> {
        let start_requests = self.client().request_count();
        let started = std::time::Instant::now();
        self.progress_reset();
        let now = super::now();
        let mut report = SyncReport::default();
        // One transaction for the whole sync, committed by `save_cache`.
        self.cache.begin()?;
        if self.cache.principal.is_none() || self.cache.capabilities.is_none() {
            let d = caldav::discover(self.client()).await?;
            self.cache.capabilities = Some(Capabilities::build(&d, None));
            self.cache.principal = Some(d.principal.clone());
            self.cache.set_calendars(d.calendars)?;
            self.cache.listed_at = Some(now);
        } else {
            // Every sync reads the calendar list: its sync tokens and ctags
            // say which calendars changed, so an unchanged calendar costs
            // no request of its own (one change: this and one more).
            let homes = self.cache.principal.as_ref().map(|p| p.calendar_homes.clone()).unwrap_or_default();
            let mut listed = Vec::new();
            for home in homes {
                listed.extend(self.client().run(&ListCalendars { home }).await?);
            }
            self.cache.set_calendars(listed)?;
            self.cache.listed_at = Some(now);
        }
        let urls: Vec<Url> = self
            .cache
            .calendars
            .iter()
            .filter(|c| c.info.holds_events())
            .map(|c| c.info.url.clone())
            .collect();
        tracing::debug!(ms = ms_since(started), "sync: calendars listed");
        let mut offline = None;
        for url in urls {
            match self.sync_calendar(&url).await {
                Ok((fetched, removed)) => {
                    report.calendars += 1;
                    report.fetched += fetched;
                    report.removed += removed;
                }
                // Offline: the whole sync is off (what came before is kept).
                Err(EngineError::Server(e)) if e.is_transient() => {
                    offline = Some(e);
                    break;
                }
                // One calendar refusing (access revoked, a broken answer…)
                // must not stop the rest.
                Err(e) => {
                    let name = self
                        .cache
                        .calendars
                        .iter()
                        .find(|c| c.info.url == url)
                        .map(|c| super::calendar_label(&c.info))
                        .unwrap_or_else(|| url.path().to_owned());
                    report.failed.push(NotSynced { calendar: url, name, error: e.into() });
                }
            }
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

    /// Returns (objects fetched, objects removed).
    async fn sync_calendar(&mut self, url: &Url) -> Result<(usize, usize), EngineError> {
        let Some(cal) = self.cache.calendar(url).cloned() else { return Ok((0, 0)) };
        let cached = self.cache.etags(url)?;
        // First sync: everything in one request. The token was read before
        // it, so whatever changes meanwhile comes again next sync.
        if cached.is_empty()
            && cal.synced_token.is_none()
            && cal.info.supports_sync_collection()
            && let Some(token) = cal.info.sync_token.clone()
        {
            let first = self.fetch_all(url).await?;
            // A cut-short answer proves nothing: list and multiget instead.
            if !first.truncated {
                let (objects, missing, incomplete) = self.multiget(url, first.without_data).await?;
                let mut read = first.objects;
                read.extend(objects.into_iter().map(|o| (index::read(&o.data), o)));
                let n = read.len();
                let synced =
                    (!incomplete).then(|| Synced { token: Some(token), ctag: cal.info.ctag.clone() });
                // The token is stored with the objects it covers, or not at all.
                let n_removed =
                    self.cache.apply_indexed(url, &missing.into_iter().collect(), read, synced)?;
                return Ok((n, n_removed));
            }
            tracing::info!(calendar = %url, "the server cut the calendar-query short; listing instead");
        }
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
        let (mut fetched, missing, incomplete) = self.multiget(url, to_fetch).await?;
        fetched.append(&mut with_data);
        removed.extend(missing);
        let n_fetched = fetched.len();
        let synced = (!incomplete).then(|| Synced { token: token.or(cal.synced_token), ctag: cal.info.ctag });
        // The token is stored with the objects it covers, or not at all.
        let n_removed = self.cache.apply(url, &removed, fetched, synced)?;
        Ok((n_fetched, n_removed))
    }

    /// Fetches `objects` by multiget; returns (delivered, gone, whether
    /// some were not delivered). Not delivered is not deleted: the caller
    /// keeps the cached copies and the old token, so the next sync asks again.
    async fn multiget(
        &self,
        calendar: &Url,
        objects: Vec<Url>,
    ) -> Result<(Vec<Object>, Vec<Url>, bool), EngineError> {
        let (mut fetched, mut missing, mut incomplete) = (Vec::new(), Vec::new(), false);
        let total = self.progress_done() + objects.len();
        for chunk in objects.chunks(MULTIGET_CHUNK) {
            let got =
                self.client().run(&Multiget { calendar: calendar.clone(), objects: chunk.to_vec() }).await?;
            self.progressed(chunk.len(), Some(total));
            missing.extend(got.missing);
            fetched.extend(got.objects);
            incomplete |= !got.failed.is_empty();
        }
        if incomplete {
            tracing::warn!(%calendar, "some objects were not delivered; asking again next sync");
        }
        Ok((fetched, missing, incomplete))
    }

    /// The first sync's calendar-query, read as it arrives: each object is
    /// parsed (XML, then iCalendar for the index) on the parse thread while
    /// the rest is on its way, and progress is reported as they come. The
    /// caller stores them with the sync token, at once: stored in batches
    /// meanwhile, the writes took turns with the transfer and the sync was
    /// slower (Xandikos, 10,000 events: 2.1–2.6 s against 1.5 s).
    async fn fetch_all(&mut self, calendar: &Url) -> Result<Streamed, EngineError> {
        let op = FetchAll { calendar: calendar.clone() };
        let req = op.request()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let client = self.client().clone();
        let fetch = client.stream_multistatus(req, move |e| {
            let item = match op.read(e) {
                Some(AllEntry::Object(o)) => Ok((index::read(&o.data), o)),
                Some(other) => Err(other),
                None => return,
            };
            // The receiver lives until the answer ends.
            let _ = tx.send(item);
        });
        let mut out = Streamed::default();
        let collect = async {
            while let Some(item) = rx.recv().await {
                match item {
                    Ok(read) => {
                        out.objects.push(read);
                        if out.objects.len() % PROGRESS_EVERY == 0 {
                            self.progressed(PROGRESS_EVERY, None);
                        }
                    }
                    Err(AllEntry::WithoutData(url)) => out.without_data.push(url),
                    Err(AllEntry::Truncated) => out.truncated = true,
                    Err(AllEntry::Object(_)) => {}
                }
            }
            let rest = out.objects.len() % PROGRESS_EVERY;
            if rest > 0 {
                self.progressed(rest, None);
            }
        };
        let (fetched, ()) = tokio::join!(fetch, collect);
        fetched?;
        Ok(out)
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
