//! The engine's side of events the person creates and changes (and of
//! cancelled invitations they remove): each change
//! goes to the durable outbox first (so an offline edit waits and a crash
//! loses nothing), then out through [`super::send::event`].

use url::Url;

use super::engine::{Engine, EngineError};
use super::send::event::{self, EventOutcome};
use crate::caldav::Object;
use crate::ical::draft::{Repeat, RepeatEnd};
use crate::ical::{self, Draft, Scope, build, edit};
use crate::store::{EventChange, EventEntry, EventState};

/// The repetition of the series that starts at occurrence `rid` ("this
/// and the following"): the person's, else the old series' with what is
/// left of its COUNT (the occurrences before `rid` stay with the old one).
fn following_repeat(data: &str, before: &Draft, after: &Draft, rid: &str) -> Option<Repeat> {
    let series = Draft::from_event(data, before.calendar.clone(), None)?.repeat;
    let mut repeat = after.repeat.clone().or(series)?;
    if let RepeatEnd::Count(n) = repeat.end {
        let (from, to) = (
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            chrono::Utc::now() + chrono::Duration::days(366 * 200),
        );
        let earlier = ical::occurrence::expand(data, from, to)
            .occurrences
            .iter()
            .filter(|o| o.recurrence_id.as_deref().is_some_and(|r| r < rid))
            .count();
        repeat.end = RepeatEnd::Count(n.saturating_sub(u32::try_from(earlier).unwrap_or(u32::MAX)).max(1));
    }
    Some(repeat)
}

impl Engine {
    /// The address that organizes the person's meetings: the principal's
    /// `mailto:` one, else the first alias.
    pub fn organizer_address(&self) -> Option<String> {
        let principal = self.schedule_addresses();
        principal
            .into_iter()
            .chain(self.account.aliases.iter().cloned())
            .find(|a| a.to_ascii_lowercase().starts_with("mailto:"))
    }

    fn new_entry(&self, uid: String, calendar: Url, change: EventChange, base: Object) -> EventEntry {
        EventEntry {
            format: crate::store::outbox::FORMAT,
            uid,
            calendar,
            change,
            base,
            state: EventState::Pending { last_error: None },
            created: chrono::Utc::now().timestamp_millis(),
        }
    }

    /// Builds the new event and puts it in the outbox (nothing sent yet).
    pub fn queue_create(&mut self, draft: &Draft) -> Result<EventEntry, EngineError> {
        self.writable(&draft.calendar)?;
        let uid = build::new_uid();
        let organizer = self.organizer_address();
        let data = build::new_event(draft, &uid, organizer.as_deref(), chrono::Utc::now())?;
        let name: String = uid.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let url =
            draft.calendar.join(&format!("{name}.ics")).map_err(|e| EngineError::Edit(e.to_string()))?;
        let base = Object { url, etag: None, schedule_tag: None, data };
        let entry = self.new_entry(uid, draft.calendar.clone(), EventChange::Create, base);
        self.outbox.put_event(&entry)?;
        self.show(&entry);
        Ok(entry)
    }

    /// A new event not on the server yet goes into the cache at once (no
    /// ETag), so the calendar shows it and the editor can open it offline;
    /// the sync after it is sent brings the server's copy.
    fn show(&mut self, entry: &EventEntry) {
        let saved = self
            .cache
            .put_object(&entry.calendar, &entry.base.url, entry.base.clone().into())
            .and_then(|()| self.save_cache());
        if let Err(e) = saved {
            tracing::warn!("cache not saved after a new event: {e}");
        }
    }

    fn forget(&mut self, calendar: &Url, url: &Url) {
        let removed = [url.clone()].into_iter().collect();
        if let Err(e) = self.cache.apply(calendar, &removed, Vec::new(), None).and_then(|_| self.save_cache())
        {
            tracing::warn!("cache not saved after dropping a new event: {e}");
        }
    }

    /// The person organizes the event, or it has no organizer (their own).
    fn may_change(&self, data: &str) -> bool {
        let role = ical::invitation::read(data, &self.identity()).ok().flatten().map(|i| i.role);
        matches!(role, Some(ical::Role::Organizer | ical::Role::NoOrganizer) | None)
    }

    /// The cached event at `url`: its calendar, UID and object.
    /// Refuses, before anything is queued, a change to a calendar the
    /// server said the person may only read: it would only come back
    /// refused.
    pub(super) fn writable(&self, calendar: &Url) -> Result<(), EngineError> {
        match self.cache.calendar(calendar) {
            None => Err(EngineError::UnknownCalendar { name: calendar.to_string(), known: Vec::new() }),
            Some(c) if c.info.read_only => Err(EngineError::ReadOnlyCalendar(super::calendar_label(&c.info))),
            Some(_) => Ok(()),
        }
    }

    /// A change to one occurrence of a meeting its attendees already have
    /// (a new override) on a server known to fail it: refused up front,
    /// saying what works instead, rather than queued to fail at each sync.
    fn check_meeting_override(
        &self,
        uid: &str,
        scope: &Scope,
        before: &Draft,
        data: &str,
    ) -> Result<(), EngineError> {
        let Scope::ThisOne { recurrence_id } = scope else { return Ok(()) };
        let fails = self
            .capabilities()
            .filter(|c| crate::caldav::quirks::lookup(&c.server).is_some_and(|q| q.meeting_overrides_fail));
        let Some(caps) = fails else { return Ok(()) };
        let unsent = self.outbox.get_event(uid)?.is_some_and(|w| matches!(w.change, EventChange::Create));
        if before.attendees.is_empty() || unsent || edit::has_override(data, recurrence_id) {
            return Ok(());
        }
        Err(EngineError::MeetingOccurrenceUnsupported(caps.server.describe()))
    }

    fn cached_event(&self, url: &Url) -> Result<(Url, String, Object), EngineError> {
        let (cal, obj) = self.cache.object(url)?.ok_or_else(|| EngineError::UnknownEvent(url.to_string()))?;
        let doc = ical::Document::parse(&obj.data).map_err(|e| EngineError::Edit(e.to_string()))?;
        let uid = doc
            .calendar()
            .and_then(ical::invitation::main_event)
            .and_then(ical::event::uid)
            .ok_or_else(|| EngineError::UnknownEvent(url.to_string()))?;
        Ok((cal.info.url.clone(), uid, obj.to_object(url)))
    }

    /// Puts the person's change in the outbox. A change to an event whose
    /// earlier change is still waiting joins it (one entry per event): on a
    /// new event not sent yet it changes the bytes to send; on a waiting
    /// edit it becomes part of it. "This and the following" ends the series
    /// before the occurrence and starts a new one (a second entry).
    /// Returns the UIDs queued, in sending order.
    pub fn queue_edit(
        &mut self,
        url: &Url,
        scope: Scope,
        before: &Draft,
        after: &Draft,
    ) -> Result<Vec<String>, EngineError> {
        build::check(after)?;
        if let Scope::ThisAndFollowing { recurrence_id } = &scope {
            let (_, uid, object) = self.cached_event(url)?;
            if !self.may_change(&object.data) {
                return Err(EngineError::NotYourEvent(uid));
            }
            let mut rest = after.clone();
            rest.calendar = before.calendar.clone();
            rest.repeat = following_repeat(&object.data, before, after, recurrence_id);
            let cut = self.queue_delete(
                url,
                Scope::ThisAndFollowing { recurrence_id: recurrence_id.clone() },
                false,
            )?;
            let created = self.queue_create(&rest)?;
            return Ok(cut.into_iter().chain([created.uid]).collect());
        }
        let (calendar, uid, object) = self.cached_event(url)?;
        self.writable(&calendar)?;
        // An occurrence changed for "all of them": the change goes onto
        // the series (its own start, its weekdays moved along).
        let series = match (&scope, &before.repeat) {
            (Scope::All, None) => Draft::from_event(&object.data, before.calendar.clone(), None)
                .filter(|series| series.repeat.is_some())
                .map(|series| {
                    let changed = series.with_occurrence_change(before, after);
                    (series, changed)
                }),
            _ => None,
        };
        let (before, after) = match &series {
            Some((series, changed)) => (series, changed),
            None => (before, after),
        };
        let parts = edit::changed(before, after);
        // An invitation's fields are its organizer's (RFC 6638 §3.2.2.1):
        // the attendee may change only their own reminders.
        if !self.may_change(&object.data) && parts.iter().any(|p| *p != edit::Part::Reminders) {
            return Err(EngineError::NotYourEvent(uid));
        }
        self.check_meeting_override(&uid, &scope, before, &object.data)?;
        let organizer = self.organizer_address();
        let entry = match self.outbox.get_event(&uid)? {
            None => {
                let change = EventChange::Edit {
                    scope,
                    before: Box::new(before.clone()),
                    after: Box::new(after.clone()),
                };
                self.new_entry(uid.clone(), calendar, change, object)
            }
            Some(mut waiting) => {
                match (&mut waiting.change, &waiting.state) {
                    // (If a create in `Sending` landed, the send finds it
                    // and writes the difference as an edit.)
                    (EventChange::Create, EventState::Pending { .. } | EventState::Sending) => {
                        // Not on the server yet: the bytes to create change,
                        // still at SEQUENCE 0.
                        waiting.base.data = edit::apply(
                            &waiting.base.data,
                            &scope,
                            after,
                            &parts,
                            organizer.as_deref(),
                            false,
                        )
                        .map_err(|e| EngineError::Edit(e.to_string()))?;
                        self.show(&waiting);
                    }
                    (
                        EventChange::Edit { scope: s, after: waiting_after, .. },
                        EventState::Pending { .. },
                    ) if *s == scope => {
                        for p in parts {
                            p.copy(after, waiting_after);
                        }
                    }
                    _ => return Err(EngineError::ChangeWaiting(uid)),
                }
                waiting
            }
        };
        self.outbox.put_event(&entry)?;
        Ok(vec![uid])
    }

    /// The cached event with this UID (its calendar, address and text): a
    /// meeting through the UID index, an event without organizer (which
    /// the index leaves out) by looking through the cache.
    pub fn event_by_uid(&self, uid: &str) -> Result<(Url, Url, String), EngineError> {
        let indexed = self.cache.with_uid(uid)?.into_iter().next();
        let found = match indexed {
            Some(hit) => Some(hit),
            None => self.cache.objects()?.into_iter().find(|(_, _, o)| {
                o.data.contains(uid)
                    && ical::Document::parse(&o.data)
                        .ok()
                        .and_then(|d| {
                            d.calendar().and_then(ical::invitation::main_event).and_then(ical::event::uid)
                        })
                        .as_deref()
                        == Some(uid)
            }),
        };
        let (cal, url, obj) = found.ok_or_else(|| EngineError::UnknownEventUid(uid.to_owned()))?;
        Ok((cal.info.url.clone(), url, obj.data))
    }

    /// Puts a deletion in the outbox (see [`EventChange::Delete`]); a new
    /// event that never left is simply dropped. Returns the UID queued.
    pub fn queue_delete(
        &mut self,
        url: &Url,
        scope: Scope,
        cancel: bool,
    ) -> Result<Option<String>, EngineError> {
        let (calendar, uid, object) = self.cached_event(url)?;
        self.writable(&calendar)?;
        // An attendee may remove their copy (the server tells the organizer
        // they decline), not cancel the meeting or cut its series.
        if (cancel || scope != Scope::All) && !self.may_change(&object.data) {
            return Err(EngineError::NotYourEvent(uid));
        }
        if let Some(waiting) = self.outbox.get_event(&uid)?
            && matches!(waiting.change, EventChange::Create)
            && matches!(waiting.state, EventState::Pending { .. })
            && scope == Scope::All
        {
            self.outbox.remove_event(&uid)?;
            self.forget(&calendar, url);
            return Ok(None);
        }
        // Deleting the whole event supersedes any waiting change; cutting
        // part of it must not silently drop one.
        if scope != Scope::All && self.outbox.get_event(&uid)?.is_some() {
            return Err(EngineError::ChangeWaiting(uid));
        }
        let entry = self.new_entry(uid.clone(), calendar, EventChange::Delete { scope, cancel }, object);
        self.outbox.put_event(&entry)?;
        Ok(Some(uid))
    }

    /// Puts the removal of a cancelled invitation in the outbox (see
    /// [`EventChange::Remove`]). Refused, with why, for one that is not
    /// cancelled (it would vanish from the person's calendar while the
    /// organizer still counts on an answer) or whose answer is still in
    /// the outbox (that is the person's, not to drop unasked). A waiting
    /// change of the person's own reminders goes with the event.
    pub fn queue_remove(&mut self, uid: &str) -> Result<String, EngineError> {
        let listing = self.find(uid)?;
        if !listing.invitation.cancelled {
            return Err(EngineError::NotCancelled(uid.to_owned()));
        }
        if self.outbox.get(uid)?.is_some() {
            return Err(EngineError::ReplyWaiting(uid.to_owned()));
        }
        let (calendar, uid, object) = self.cached_event(&listing.url)?;
        let entry = self.new_entry(uid.clone(), calendar, EventChange::Remove, object);
        self.outbox.put_event(&entry)?;
        Ok(uid)
    }

    /// "Keep mine on top of theirs" after a conflict: the person's parts
    /// are re-based on the server's version and sent again.
    pub fn resend_event(&mut self, uid: &str) -> Result<EventEntry, EngineError> {
        let mut entry =
            self.outbox.get_event(uid)?.ok_or_else(|| EngineError::NothingToResend(uid.to_owned()))?;
        let EventState::Conflict { server, .. } = &entry.state else {
            return Err(EngineError::NothingToResend(uid.to_owned()));
        };
        let server = server.clone();
        if let EventChange::Edit { scope, before, after } = &mut entry.change {
            let rid = match scope {
                Scope::All => None,
                Scope::ThisOne { recurrence_id } | Scope::ThisAndFollowing { recurrence_id } => {
                    Some(recurrence_id.as_str())
                }
            };
            let theirs = Draft::from_event(&server.data, before.calendar.clone(), rid)
                .ok_or_else(|| EngineError::Edit("the server's version can't be read".into()))?;
            let mut mine = theirs.clone();
            for p in edit::changed(before, after) {
                p.copy(after, &mut mine);
            }
            **before = theirs;
            **after = mine;
        }
        self.cache.put_object(&entry.calendar, &server.url.clone(), server.clone().into())?;
        entry.base = server;
        entry.state = EventState::Pending { last_error: None };
        self.outbox.put_event(&entry)?;
        Ok(entry)
    }

    /// "Keep theirs": the person's waiting change is dropped. After a
    /// conflict the server's version it read replaces the version the
    /// person started from in the cache, so the calendar shows theirs at
    /// once rather than at the next sync. A newer version a sync brought
    /// since stays, and so does its absence: a sync that found the event
    /// deleted on the server won't report the deletion again.
    pub fn discard_event(&mut self, uid: &str) -> Result<(), EngineError> {
        if let Some(entry) = self.outbox.get_event(uid)?
            && let EventState::Conflict { server, .. } = &entry.state
        {
            let cached = self.cache.object(&entry.base.url)?;
            if cached.is_some_and(|(_, o)| o.etag == entry.base.etag) {
                self.cache.put_object(&entry.calendar, &server.url, server.clone().into())?;
            }
        }
        Ok(self.outbox.remove_event(uid)?)
    }

    pub fn has_event_change(&self, uid: &str) -> bool {
        self.outbox.get_event(uid).ok().flatten().is_some()
    }

    pub fn event_outbox(&self) -> Result<Vec<EventEntry>, EngineError> {
        Ok(self.outbox.list_events()?)
    }

    /// Sends one waiting change and keeps the cache up to date.
    pub async fn send_event(&mut self, uid: &str) -> Result<EventOutcome, EngineError> {
        let entry =
            self.outbox.get_event(uid)?.ok_or_else(|| EngineError::NothingToResend(uid.to_owned()))?;
        let (calendar, url) = (entry.calendar.clone(), entry.base.url.clone());
        let caps = self.cache.capabilities.clone();
        let organizer = self.organizer_address();
        let outcome =
            event::send(&self.client, &self.outbox, caps.as_ref(), organizer.as_deref(), entry).await?;
        if let EventOutcome::Saved { object } = &outcome {
            let saved = match object {
                Some(o) => self.cache.put_object(&calendar, &url, o.clone().into()),
                None => {
                    self.cache.apply(&calendar, &[url].into_iter().collect(), Vec::new(), None).map(|_| ())
                }
            };
            if let Err(e) = saved.and_then(|()| self.save_cache()) {
                tracing::warn!("cache not saved after a change: {e}");
            }
        }
        Ok(outcome)
    }

    /// Sends every waiting change, oldest first; stops when offline.
    pub async fn flush_events(&mut self) -> Result<Vec<(String, EventOutcome)>, EngineError> {
        let mut out = Vec::new();
        for entry in self.outbox.list_events()? {
            if !entry.is_waiting() {
                continue;
            }
            let outcome = self.send_event(&entry.uid).await?;
            let offline = matches!(outcome, EventOutcome::Queued { offline: true, .. });
            out.push((entry.uid, outcome));
            if offline {
                break;
            }
        }
        Ok(out)
    }
}

/// One attendee's busy times, as the editor shows them beside the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub address: String,
    /// The server's answer in words ("delivered" when it answered).
    pub status: String,
    pub busy: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
}

impl Engine {
    /// Attendees' busy times in `[from, to)` (RFC 6638 §5), where the
    /// capability record says the server answers them; otherwise an error
    /// saying it doesn't (and nothing is sent: Cyrus 3.6.1 hangs on it).
    pub async fn free_busy(
        &self,
        attendees: &[String],
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Availability>, EngineError> {
        let caps = self.capabilities().ok_or(EngineError::NoCapabilities)?;
        if !caps.free_busy.is_true() {
            return Err(EngineError::NoFreeBusy(caps.server.describe()));
        }
        let outbox = self
            .cache
            .principal
            .as_ref()
            .and_then(|p| p.outbox.clone())
            .ok_or_else(|| EngineError::NoFreeBusy(caps.server.describe()))?;
        let organizer = self.organizer_address().ok_or(EngineError::Build(build::BuildError::NoOrganizer))?;
        let op = crate::caldav::FreeBusy {
            outbox,
            organizer,
            attendees: attendees.iter().map(|a| build::mailto(a)).collect(),
            start: from,
            end: to,
            uid: build::new_uid(),
        };
        let answers = self.client.run(&op).await?;
        Ok(answers
            .into_iter()
            .map(|b| Availability {
                address: b.recipient.strip_prefix("mailto:").unwrap_or(&b.recipient).to_owned(),
                status: ical::event::delivery(&b.status),
                busy: b.data.as_deref().map(ical::freebusy::periods).unwrap_or_default(),
            })
            .collect())
    }
}
