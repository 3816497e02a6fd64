//! What the window and the commands read from the cache: the invitation
//! list, an event's details and its day, the agenda, and what the person
//! has seen of each invitation.

use super::engine::{Engine, EngineError};
use super::listing::{AgendaItem, Details, Listing, ReplyState};
use crate::ical::{self, Answer, Identity, Role};
use crate::store::Entry;
use crate::store::cache::{CachedCalendar, CachedObject};
use url::Url;

/// The invitation list leaves out events that ended more than this many
/// days ago (unless a reply to one is still on its way): years of answered
/// meetings are history, shown in the calendar, and listing them would
/// parse every one at each start.
pub const LISTED_AFTER_DAYS: i64 = 7;

/// From how many listed objects [`Engine::pending_count`] parses them on
/// several threads (fewer take less time than starting the threads).
const PARALLEL_COUNT_FROM: usize = 64;

/// How far ahead a series' occurrences are looked for, to offer "answer
/// this one" and to judge its conflicts on the next one.
const UPCOMING_DAYS: i64 = 400;

/// The longest span one agenda read covers when judging many invitations'
/// conflicts at once: a list of invitations over years takes a few reads,
/// each event parsed once per read. (A series with more occurrences in it
/// than its expansion's bound, [`ical::repeat::BOUNDS`], cuts the read
/// short where it stops: see [`cut_short_at`].)
const CONFLICT_WINDOW_DAYS: i64 = 180;

/// What the list shows of a series: its next occurrences (RECURRENCE-ID,
/// when in words) for "answer this one", whether it repeats too often to
/// show them all, and the occurrence its conflicts are judged on (the next
/// one not cancelled, else the event itself). Expanded once for all three.
fn upcoming(doc: &ical::Document) -> (Vec<(String, String)>, bool, Option<ical::occurrence::Occurrence>) {
    let now = chrono::Utc::now();
    let found = ical::occurrence::expand_document(doc, now, now + chrono::Duration::days(UPCOMING_DAYS));
    let judged = found.occurrences.iter().find(|o| !o.cancelled).cloned();
    let next = found
        .occurrences
        .into_iter()
        .filter_map(|o| Some((o.recurrence_id?, o.start.format("%a %-d %b %Y, %H:%M").to_string())))
        .take(12)
        .collect();
    (next, found.truncated, judged.or_else(|| ical::occurrence::first_document(doc)))
}

/// The occurrence with this RECURRENCE-ID (looked for around the date it
/// names, then around the override's own start), or the event itself.
fn occurrence_of(
    doc: &ical::Document,
    event: &ical::Invitation,
    recurrence_id: Option<&str>,
) -> Option<ical::occurrence::Occurrence> {
    let Some(rid) = recurrence_id else { return ical::occurrence::first_document(doc) };
    let around = |day: chrono::NaiveDate| {
        let from = day.and_hms_opt(0, 0, 0)?.and_utc() - chrono::Duration::days(2);
        let found = ical::occurrence::expand_document(doc, from, from + chrono::Duration::days(5));
        found.occurrences.into_iter().find(|o| o.recurrence_id.as_deref() == Some(rid))
    };
    let named = chrono::NaiveDate::parse_from_str(rid.get(..8)?, "%Y%m%d").ok();
    let own = event.start.as_ref().and_then(ical::time::to_local).map(|t| t.date_naive());
    named.and_then(around).or_else(|| own.and_then(around))
}

impl Engine {
    /// Invitations from the cache (works offline), pending first.
    pub fn invitations(&self) -> Result<Vec<Listing>, EngineError> {
        let waiting = self.outbox.list()?;
        let mut out = self.listings(self.listed_objects(&waiting)?, &waiting);
        out.sort_by_key(Listing::order);
        Ok(out)
    }

    /// The addresses of the cached events' organizers and attendees, most
    /// used first (see [`crate::store::cache::Cache::people`]).
    pub fn people(&self) -> Result<Vec<(String, usize)>, EngineError> {
        Ok(self.cache.people()?)
    }

    /// How many of the [`Engine::invitations`] wait for an answer, without
    /// building the list (no occurrences to expand): what a sync reports.
    pub fn pending_count(&self) -> Result<usize, EngineError> {
        let me = self.identity();
        let objects = self.listed_objects(&self.outbox.list()?)?;
        let pending =
            |data: &str| ical::invitation::read(data, &me).is_ok_and(|i| i.is_some_and(|i| i.is_pending()));
        let count = |objects: &[(&CachedCalendar, Url, CachedObject)]| {
            objects.iter().filter(|(_, _, o)| pending(&o.data)).count()
        };
        // Each object is parsed: on every core where there are enough of
        // them (the count is what an incremental `convene sync` spends most
        // of its own time on).
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        if cores < 2 || objects.len() < PARALLEL_COUNT_FROM {
            return Ok(count(&objects));
        }
        let chunk = objects.len().div_ceil(cores);
        Ok(std::thread::scope(|s| {
            let parts: Vec<_> = objects.chunks(chunk).map(|part| s.spawn(move || count(part))).collect();
            parts.into_iter().map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).sum()
        }))
    }

    /// The objects the invitation list looks at: those with an organizer
    /// that end after [`LISTED_AFTER_DAYS`] ago, and any with a reply on
    /// its way.
    pub(super) fn listed_objects(
        &self,
        waiting: &[Entry],
    ) -> Result<Vec<(&CachedCalendar, Url, CachedObject)>, EngineError> {
        let since = (chrono::Utc::now() - chrono::Duration::days(LISTED_AFTER_DAYS)).timestamp();
        let replying: Vec<String> = waiting.iter().map(|e| e.uid.clone()).collect();
        Ok(self.cache.scheduling_since(since, &replying)?)
    }

    /// The invitations among `objects`, each with its reply on its way.
    /// Conflicts are judged for all of them at once, and the invitations
    /// seen for the first time recorded in one write.
    fn listings(
        &self,
        objects: Vec<(&CachedCalendar, Url, CachedObject)>,
        waiting: &[Entry],
    ) -> Vec<Listing> {
        let me = self.identity();
        let (mut out, mut judged, mut unseen) = (Vec::new(), Vec::new(), Vec::new());
        for (cal, url, obj) in objects {
            // Parsed once for the invitation and its occurrences.
            let Ok(doc) = ical::Document::parse(&obj.data) else { continue };
            let Some(inv) = ical::invitation::from_document(&doc, &me, None) else { continue };
            if !inv.is_invitation() {
                continue;
            }
            let entry = waiting.iter().find(|e| e.uid == inv.uid);
            let (occurrences, repeats_too_often, next) = if inv.recurrence.is_some() {
                upcoming(&doc)
            } else {
                (Vec::new(), false, ical::occurrence::first_document(&doc))
            };
            judged.push(next.filter(|_| !inv.cancelled));
            let since_seen = self.compare_seen(&inv, &obj.data, &me, &mut unseen);
            out.push(Listing {
                since_seen,
                occurrences,
                conflicts: Vec::new(),
                judged_day: None,
                repeats_too_often,
                by_mail: ical::imip::answered_by_mail(&obj.data),
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
        let conflicts = self.conflicts_of(&judged);
        for ((listing, judged), conflicts) in out.iter_mut().zip(judged).zip(conflicts) {
            listing.judged_day = judged.map(|o| o.start.date_naive());
            listing.conflicts = conflicts;
        }
        if let Err(e) = self.cache.set_seen_all(&unseen) {
            tracing::warn!("cache not written: {e}");
        }
        out
    }

    /// What changed in `inv` (whose text is `data`) since the person last
    /// saw it. An invitation never seen before is recorded as seen now: it
    /// is new, not updated.
    fn since_seen(&self, inv: &ical::Invitation, data: &str, me: &Identity) -> Option<ical::seen::SinceSeen> {
        let mut unseen = Vec::new();
        let changed = self.compare_seen(inv, data, me, &mut unseen);
        if let Err(e) = self.cache.set_seen_all(&unseen) {
            tracing::warn!("cache not written: {e}");
        }
        changed
    }

    /// [`Engine::since_seen`], adding an invitation never seen before to
    /// `unseen` (UID, text) for the caller to record.
    fn compare_seen(
        &self,
        inv: &ical::Invitation,
        data: &str,
        me: &Identity,
        unseen: &mut Vec<(String, String)>,
    ) -> Option<ical::seen::SinceSeen> {
        let seen = self.cache.seen(&inv.uid).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            None
        });
        match seen {
            Some(seen) if seen == data => None,
            Some(seen) => ical::seen::since_seen(&seen, data, me),
            None => {
                unseen.push((inv.uid.clone(), data.to_owned()));
                None
            }
        }
    }

    /// Records the cached version of the invitation with this UID as seen
    /// by the person (they opened it, or answered it); true when it had
    /// changed since they last saw it.
    pub fn mark_seen(&self, uid: &str) -> Result<bool, EngineError> {
        let mut changed = false;
        for (_, _, obj) in self.cache.with_uid(uid)? {
            if self.cache.seen(uid)?.as_deref() != Some(obj.data.as_str()) {
                self.cache.set_seen(uid, &obj.data)?;
                changed = true;
            }
        }
        Ok(changed)
    }

    pub(super) fn mark_base_seen(&self, uid: &str, data: &str) {
        if let Err(e) = self.cache.set_seen(uid, data) {
            tracing::warn!("cache not written: {e}");
        }
    }

    /// The invitation with this UID, however long ago it took place.
    pub(super) fn find(&self, uid: &str) -> Result<Listing, EngineError> {
        let waiting = self.outbox.list()?;
        self.listings(self.cache.with_uid(uid)?, &waiting)
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::UnknownUid(uid.to_owned()))
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
        let doc = ical::Document::parse(&obj.data).ok()?;
        let event = ical::invitation::from_document(&doc, &self.identity(), recurrence_id)?;
        let (mut conflicts, mut day, mut since_seen) = (Vec::new(), Vec::new(), None);
        if matches!(event.role, Role::Invited { .. }) {
            since_seen = self.since_seen(&event, &obj.data, &self.identity());
        }
        if event.is_invitation()
            && !event.cancelled
            && let Some(o) = occurrence_of(&doc, &event, recurrence_id)
        {
            conflicts = self.conflicts(&o);
            day = self.day_of(&o);
        }
        Some(Details {
            event,
            calendar_name: cal.info.display_name.clone().unwrap_or_else(|| cal.info.url.path().to_owned()),
            calendar_color: cal.info.color.clone(),
            conflicts,
            day,
            since_seen,
        })
    }

    /// The person's events on the day `o` starts (the invitation among
    /// them), leaving out those cancelled or declined: the schedule an
    /// invitation's details show around it.
    fn day_of(&self, o: &ical::occurrence::Occurrence) -> Vec<AgendaItem> {
        let local = |d: chrono::NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        let date = o.start.date_naive();
        let (Some(from), Some(to)) = (local(date), date.succ_opt().and_then(local)) else {
            return Vec::new();
        };
        let busy = |i: &AgendaItem| {
            !i.occurrence.cancelled && !matches!(i.answer, Some(Answer::Decline | Answer::Delegate))
        };
        self.agenda(from, to).into_iter().filter(busy).collect()
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

    /// The person's events (every calendar of the account) that overlap
    /// this occurrence of an invitation.
    fn conflicts(&self, invitation: &ical::occurrence::Occurrence) -> Vec<ical::conflicts::Conflict> {
        self.conflicts_of(&[Some(invitation.clone())]).pop().unwrap_or_default()
    }

    /// [`Engine::conflicts`] of many invitations (None: not judged), in
    /// their order. Those close in time share one agenda read, so each
    /// event is parsed and expanded once per window, not once per
    /// invitation.
    fn conflicts_of(
        &self,
        invitations: &[Option<ical::occurrence::Occurrence>],
    ) -> Vec<Vec<ical::conflicts::Conflict>> {
        use chrono::Utc;
        let mut out = vec![Vec::new(); invitations.len()];
        let mut order: Vec<(usize, &ical::occurrence::Occurrence)> =
            invitations.iter().enumerate().filter_map(|(i, o)| Some((i, o.as_ref()?))).collect();
        order.sort_by_key(|(_, o)| o.start);
        let mut rest = order.as_slice();
        while let Some((_, first)) = rest.first() {
            let from = first.start.with_timezone(&Utc);
            let limit = from + chrono::Duration::days(CONFLICT_WINDOW_DAYS);
            let n = rest.iter().take_while(|(_, o)| o.start.with_timezone(&Utc) <= limit).count();
            let (window, later) = rest.split_at(n);
            let to = window.iter().map(|(_, o)| o.end.with_timezone(&Utc)).max().unwrap_or(from).max(from);
            // Only the events on the invitations' days are read and parsed.
            let spans: Vec<(i64, i64)> = window
                .iter()
                .map(|(_, o)| (o.start.timestamp(), o.end.timestamp().max(o.start.timestamp())))
                .collect();
            let objects = self.cache.overlapping_any(from, to, &spans).unwrap_or_else(|e| {
                tracing::warn!("cache not read: {e}");
                Vec::new()
            });
            let items = self.occurrences(objects, from, to);
            // In order of start: those that can overlap an invitation start
            // at most the longest event's length before it.
            let longest = items
                .iter()
                .map(|i| i.occurrence.end - i.occurrence.start)
                .max()
                .unwrap_or_default()
                .max(chrono::Duration::zero());
            // A series cut short by its bound (several occurrences a day)
            // lists every occurrence only up to a point: the invitations
            // after it are judged again, in a read that starts with them.
            let judged = match cut_short_at(&items, first.start) {
                Some(until) => window.iter().take_while(|(_, o)| o.start <= until).count().max(1),
                None => window.len(),
            };
            for (i, invitation) in &window[..judged] {
                let first = items.partition_point(|i| i.occurrence.start < invitation.start - longest);
                let near = items[first..].iter().take_while(|i| i.occurrence.start <= invitation.end);
                out[*i] = ical::conflicts::find(
                    invitation,
                    near.map(|i| (&i.occurrence, i.answer, i.calendar.as_str())),
                );
            }
            rest = if judged == window.len() { later } else { &rest[judged..] };
        }
        out
    }

    /// Every event occurrence in `[from, to)` from the cache, in order.
    pub fn agenda(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Vec<AgendaItem> {
        // The time index leaves out what can't overlap the range.
        let objects = self.cache.overlapping(from, to).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            Vec::new()
        });
        self.occurrences(objects, from, to)
    }

    /// The occurrences of `objects` in `[from, to)`, in order.
    fn occurrences(
        &self,
        objects: Vec<(&CachedCalendar, Url, CachedObject)>,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Vec<AgendaItem> {
        let me = self.identity();
        let mut out = Vec::new();
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

/// Up to where every series among `items` lists all its occurrences from
/// `from` on: a series whose expansion hit its bound lists them all only
/// for its first half-bound (past that it keeps each day's first few: see
/// `ical::repeat::instances`). None when no series was cut short there. A
/// series that found nothing from `from` on (an endless one begun long
/// ago, stopped by the work bound before reaching it) cuts nothing:
/// nothing more is found by looking again. Nor does one that lists its
/// half-bound within a day (every few minutes or more often, as no real
/// meeting repeats): cut there, every invitation would take a read of its
/// own, seconds at each start (one FREQ=SECONDLY invitation among 667:
/// 9.5 s), to list conflicts with something that conflicts with everything.
fn cut_short_at(
    items: &[AgendaItem],
    from: chrono::DateTime<chrono::Local>,
) -> Option<chrono::DateTime<chrono::Local>> {
    let complete = ical::repeat::BOUNDS.max_instances / 2;
    let mut starts: std::collections::HashMap<&Url, Vec<chrono::DateTime<chrono::Local>>> =
        Default::default();
    for i in items.iter().filter(|i| i.repeats_too_often && i.occurrence.start >= from) {
        starts.entry(&i.url).or_default().push(i.occurrence.start);
    }
    starts
        .into_values()
        .filter_map(|mut s| {
            s.sort();
            let last = *s.get(complete.min(s.len()).saturating_sub(1))?;
            (last - s[0] >= chrono::Duration::days(1)).then_some(last)
        })
        .min()
}

/// The person's answer to one occurrence: its own PARTSTAT where the
/// occurrence carries one, else the series'.
fn answer_to(invitation: &ical::Invitation, recurrence_id: Option<&str>) -> Option<Answer> {
    let own = recurrence_id.and_then(|rid| {
        invitation.occurrence_answers.iter().find(|(r, _)| r == rid).map(|(_, p)| p.as_str())
    });
    let partstat = own.or(invitation.my_partstat.as_deref())?;
    // Not an answer one gives with `Answer::parse` (it needs an address).
    if partstat.eq_ignore_ascii_case("DELEGATED") {
        return Some(Answer::Delegate);
    }
    Answer::parse(partstat)
}
