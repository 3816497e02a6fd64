//! The engine's side of events the person creates and changes: each change
//! goes to the durable outbox first (so an offline edit waits and a crash
//! loses nothing), then out through [`super::send::event`].

use url::Url;

use super::engine::{Engine, EngineError};
use super::send::event::{self, EventOutcome};
use crate::caldav::Object;
use crate::ical::{self, Draft, Scope, build, edit};
use crate::store::{EventChange, EventEntry, EventState};

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
            created: super::now(),
        }
    }

    /// Builds the new event and puts it in the outbox (nothing sent yet).
    pub fn queue_create(&mut self, draft: &Draft) -> Result<EventEntry, EngineError> {
        if self.cache.calendar(&draft.calendar).is_none() {
            return Err(EngineError::UnknownCalendar { name: draft.calendar.to_string(), known: Vec::new() });
        }
        let uid = build::new_uid();
        let organizer = self.organizer_address();
        let data = build::new_event(draft, &uid, organizer.as_deref(), chrono::Utc::now())?;
        let name: String = uid.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let url =
            draft.calendar.join(&format!("{name}.ics")).map_err(|e| EngineError::Edit(e.to_string()))?;
        let base = Object { url, etag: None, schedule_tag: None, data };
        let entry = self.new_entry(uid, draft.calendar.clone(), EventChange::Create, base);
        self.outbox.put_event(&entry)?;
        Ok(entry)
    }

    /// The cached event at `url`: its calendar, UID and object.
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
            let mut rest = after.clone();
            rest.calendar = before.calendar.clone();
            let cut = self.queue_delete(
                url,
                Scope::ThisAndFollowing { recurrence_id: recurrence_id.clone() },
                false,
            )?;
            let created = self.queue_create(&rest)?;
            return Ok(cut.into_iter().chain([created.uid]).collect());
        }
        let (calendar, uid, object) = self.cached_event(url)?;
        let parts = edit::changed(before, after);
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
                    (EventChange::Create, EventState::Pending { .. }) => {
                        waiting.base.data =
                            edit::apply(&waiting.base.data, &scope, after, &parts, organizer.as_deref())
                                .map_err(|e| EngineError::Edit(e.to_string()))?;
                        // A new event is not revised yet: it goes out at SEQUENCE 0.
                        waiting.base.data =
                            waiting.base.data.replace("\r\nSEQUENCE:1\r\n", "\r\nSEQUENCE:0\r\n");
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

    /// Puts a deletion in the outbox (see [`EventChange::Delete`]); a new
    /// event that never left is simply dropped. Returns the UID queued.
    pub fn queue_delete(
        &mut self,
        url: &Url,
        scope: Scope,
        cancel: bool,
    ) -> Result<Option<String>, EngineError> {
        let (calendar, uid, object) = self.cached_event(url)?;
        if let Some(waiting) = self.outbox.get_event(&uid)?
            && matches!(waiting.change, EventChange::Create)
            && matches!(waiting.state, EventState::Pending { .. })
            && scope == Scope::All
        {
            self.outbox.remove_event(&uid)?;
            return Ok(None);
        }
        let entry = self.new_entry(uid.clone(), calendar, EventChange::Delete { scope, cancel }, object);
        self.outbox.put_event(&entry)?;
        Ok(Some(uid))
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

    /// "Keep theirs": the person's waiting change is dropped.
    pub fn discard_event(&mut self, uid: &str) -> Result<(), EngineError> {
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
