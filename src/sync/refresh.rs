//! Bringing the cache up to date. A calendar's first sync is one
//! calendar-query for every object's data (the sync token from the
//! calendar list, read before it, covers them); after that, sync-collection
//! where the calendar offers it, else ctag + ETag comparison; then one
//! multiget for what changed.

use std::collections::BTreeSet;

use url::Url;

use super::engine::{Engine, EngineError};
use super::failure::{Cause, Failure};
use crate::caldav::http::Depth;
use crate::caldav::{
    self, Capabilities, Etag, FetchAll, ListCalendars, Multiget, Object, Propfind, ScheduleTag, ScheduleTags,
    changes, xml,
};
use crate::ical;
use crate::store::Synced;
use crate::store::cache::{Indexed, index};

/// How often the calendar list itself is re-read (new or removed calendars).
const LIST_EVERY_SECS: i64 = 600;
/// Objects per multiget request.
const MULTIGET_CHUNK: usize = 200;

/// The most Schedule-Tags a first sync reads: one request's worth. On
/// Xandikos 200 tags cost about 0.4 s (10,000 events with 1,000 waiting
/// invitations: 2.5 s of a 4.2 s first sync); the others are read by the
/// GET before their reply.
const TAGS_AT_FIRST_SYNC: usize = MULTIGET_CHUNK;

/// Schedule-Tags being read: (object URL, its ETag, its tag).
type TagsTask = tokio::task::JoinHandle<Result<Vec<(Url, Etag, ScheduleTag)>, caldav::Error>>;

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

impl Engine {
    /// Brings the cache up to date with the server and saves it.
    pub async fn sync(&mut self) -> Result<SyncReport, EngineError> {
        let start_requests = self.client().request_count();
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
        } else if self.cache.listed_at.is_none_or(|t| now - t > LIST_EVERY_SECS) || self.needs_ctags() {
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
        self.cache.synced_at = Some(now);
        self.save_cache()?;
        report.requests = self.client().request_count() - start_requests;
        Ok(report)
    }

    /// Reads the calendar list from the server on the next sync, whatever
    /// its age (a calendar created elsewhere is asked for by name).
    pub(crate) fn relist_next_sync(&mut self) {
        self.cache.listed_at = None;
    }

    /// Calendars without sync-collection are compared by ctag, which only
    /// the calendar list gives.
    fn needs_ctags(&self) -> bool {
        self.cache.calendars.iter().any(|c| c.info.holds_events() && !c.info.supports_sync_collection())
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
            let all = self.client().run(&FetchAll { calendar: url.clone() }).await?;
            // A cut-short answer proves nothing: list and multiget instead.
            if !all.truncated {
                let (mut objects, missing, incomplete) = self.multiget(url, all.without_data).await?;
                objects.extend(all.objects);
                let (read, waiting) = self.read_objects(objects);
                // Asked while the objects are stored, and stored after them.
                let tags = self.ask_schedule_tags(url, waiting);
                let n = read.len();
                let synced =
                    (!incomplete).then(|| Synced { token: Some(token), ctag: cal.info.ctag.clone() });
                let n_removed = self.cache.apply_indexed(url, &missing.into_iter().collect(), read, synced)?;
                if let Some(tags) = tags {
                    match tags.await {
                        Ok(Ok(tags)) => self.cache.set_schedule_tags(url, &tags)?,
                        // Only a shortcut: a reply reads the copy first where the tag is missing.
                        Ok(Err(e)) => tracing::warn!(calendar = %url, "Schedule-Tags not read: {e}"),
                        Err(e) => tracing::warn!(calendar = %url, "Schedule-Tags not read: {e}"),
                    }
                }
                return Ok((n, n_removed));
            }
            tracing::info!(calendar = %url, "the server cut the calendar-query short; listing instead");
        }
        let (listed, full, token) = if cal.info.supports_sync_collection() {
            let c = changes::since(self.client(), url, cal.synced_token.clone()).await?;
            let removed: BTreeSet<Url> = c.removed.into_iter().collect();
            (Some((c.changed, removed)), c.full, c.token)
        } else if cal.synced_ctag.is_some() && cal.synced_ctag == cal.info.ctag {
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
                .map(|e| (e.url.clone(), e.text(xml::DAV, "getetag").map(Etag::new)))
                .collect();
            (Some((changed, BTreeSet::new())), true, None)
        };
        let Some((changed, mut removed)) = listed else { return Ok((0, 0)) };
        if full {
            let present: BTreeSet<&Url> = changed.iter().map(|(u, _)| u).collect();
            removed.extend(cached.keys().filter(|u| !present.contains(u)).cloned());
        }
        let to_fetch: Vec<Url> = changed
            .into_iter()
            .filter(|(u, etag)| etag.is_none() || cached.get(u) != Some(etag))
            .map(|(u, _)| u)
            .collect();
        let (fetched, missing, incomplete) = self.multiget(url, to_fetch).await?;
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
        for chunk in objects.chunks(MULTIGET_CHUNK) {
            let got =
                self.client().run(&Multiget { calendar: calendar.clone(), objects: chunk.to_vec() }).await?;
            missing.extend(got.missing);
            fetched.extend(got.objects);
            incomplete |= !got.failed.is_empty();
        }
        if incomplete {
            tracing::warn!(%calendar, "some objects were not delivered; asking again next sync");
        }
        Ok((fetched, missing, incomplete))
    }

    /// Parses each fetched object once, for its place in the cache's index
    /// and, where the server's Schedule-Tag protects replies, whether it is
    /// an invitation waiting for the person's answer without its tag.
    /// Returns the objects with their index, and those waiting (URL, ETag).
    fn read_objects(&self, objects: Vec<Object>) -> (Vec<(Indexed, Object)>, Vec<(Url, Etag)>) {
        let tags_wanted = self.capabilities().is_some_and(|c| c.schedule_tag_trusted.is_true());
        let me = self.identity();
        let mut waiting = Vec::new();
        let read = objects
            .into_iter()
            .map(|o| {
                let Ok(doc) = ical::Document::parse(&o.data) else { return (Indexed::NEVER, o) };
                let indexed = index::of(&doc);
                if tags_wanted
                    && o.schedule_tag.is_none()
                    && indexed.scheduling.is_some()
                    && let Some(etag) = &o.etag
                    && ical::invitation::from_document(&doc, &me, None).is_some_and(|i| i.is_pending())
                {
                    waiting.push((o.url.clone(), etag.clone()));
                }
                (indexed, o)
            })
            .collect();
        (read, waiting)
    }

    /// Reads the Schedule-Tags of `waiting` invitations (the replies about
    /// to be sent; at most [`TAGS_AT_FIRST_SYNC`]) in a small request of
    /// its own without their data, run beside the caller's work. A tag is
    /// kept only if the ETag beside it is the fetched copy's: a tag read
    /// after a change would vouch for a version the person never saw. Any
    /// other invitation is read again (GET) before its reply. Returns
    /// (object URL, its ETag, its tag).
    fn ask_schedule_tags(&self, calendar: &Url, mut waiting: Vec<(Url, Etag)>) -> Option<TagsTask> {
        waiting.truncate(TAGS_AT_FIRST_SYNC);
        if waiting.is_empty() {
            return None;
        }
        let (client, calendar) = (self.client().clone(), calendar.clone());
        Some(tokio::spawn(async move {
            let mut out = Vec::new();
            for chunk in waiting.chunks(MULTIGET_CHUNK) {
                let asked = chunk.iter().map(|(u, _)| u.clone()).collect();
                let tags = client.run(&ScheduleTags { calendar: calendar.clone(), objects: asked }).await?;
                for listed in tags {
                    let found =
                        chunk.iter().find(|(u, _)| caldav::multistatus::same_resource(u, &listed.url));
                    if let (Some((u, etag)), Some(tag)) = (found, listed.schedule_tag)
                        && listed.etag.as_ref() == Some(etag)
                    {
                        out.push((u.clone(), etag.clone(), tag));
                    }
                }
            }
            Ok(out)
        }))
    }
}
