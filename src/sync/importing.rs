//! Preparing an import on this account: the target calendar, fresh
//! duplicates, the identity, the scheduling plan and the journal. The
//! CLI and the actor both start an import here.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use url::Url;

use super::engine::{Engine, EngineError};
use crate::caldav::{Calendar, SchedulingMode};
use crate::ical::{self, Document};
use crate::import::{self, Bad, Item, Job, Note, journal};

/// The person's choices in the wizard (or on the command line).
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub items: Vec<Item>,
    pub bad: Vec<Bad>,
    /// Lines the reader skipped that belong to no entry.
    pub notes: Vec<Note>,
    /// The person confirmed the flagged entries (`--import-flagged`).
    pub import_flagged: bool,
    pub calendar: Url,
    pub mode: SchedulingMode,
    /// `Schedule-User-Address`; must be one of the principal's addresses.
    pub as_address: Option<String>,
    pub update_duplicates: bool,
    /// The person accepted what happens instead of a mode the server
    /// can't honour (the wizard's confirmation, the CLI's `--yes`).
    pub confirmed: bool,
    pub concurrency: usize,
}

impl Engine {
    /// Calendars that take events, from the cache.
    pub fn calendars(&self) -> Vec<Calendar> {
        self.cache.calendars.iter().map(|c| c.info.clone()).filter(Calendar::holds_events).collect()
    }

    /// A calendar by display name, URL or last path segment.
    pub fn find_calendar(&self, name: &str) -> Result<Calendar, EngineError> {
        let calendars = self.calendars();
        let segment = |c: &Calendar| c.url.path().trim_end_matches('/').rsplit('/').next().map(str::to_owned);
        calendars
            .iter()
            .find(|c| c.display_name.as_deref() == Some(name) || c.url.as_str() == name)
            .or_else(|| calendars.iter().find(|c| segment(c).as_deref() == Some(name)))
            .or_else(|| {
                calendars.iter().find(|c| c.url.path().trim_end_matches('/') == name.trim_end_matches('/'))
            })
            .cloned()
            .ok_or_else(|| EngineError::UnknownCalendar {
                name: name.to_owned(),
                known: calendars.iter().map(calendar_label).collect(),
            })
    }

    /// [`Engine::find_calendar`], but a name the cached list doesn't know
    /// syncs (which re-reads the list) once first: the calendar may have
    /// been made elsewhere since the list was last read.
    pub async fn find_calendar_fresh(&mut self, name: &str) -> Result<Calendar, EngineError> {
        match self.find_calendar(name) {
            Err(EngineError::UnknownCalendar { .. }) => {
                self.sync().await?;
                self.find_calendar(name)
            }
            found => found,
        }
    }

    /// The principal's `calendar-user-address-set`: the only addresses the
    /// server lets this user act as.
    pub fn schedule_addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = self.cache.principal.iter().flat_map(|p| p.addresses.clone()).collect();
        // mailto: first: that is what attendees see.
        out.sort_by_key(|a| !a.to_ascii_lowercase().starts_with("mailto:"));
        out
    }

    /// UID → URL of every object the cache holds for `calendar`.
    pub fn uids_in(&self, calendar: &Url) -> HashMap<String, Url> {
        // Unreadable, it finds no duplicates here; the import still meets
        // them when it writes (the server refuses a second copy).
        let objects = self.cache.objects_in(calendar).unwrap_or_else(|e| {
            tracing::warn!("cache not read: {e}");
            Vec::new()
        });
        objects.into_iter().filter_map(|(url, o)| Some((object_uid(&o.data)?, url))).collect()
    }

    pub fn imports_dir(&self) -> PathBuf {
        self.files.imports_dir.clone()
    }

    /// Checks the choices against the cache and returns the job to run;
    /// sync first, so duplicates are current. A mode the server can't
    /// honour is refused unless the person confirmed what happens instead.
    pub fn prepare_import(&self, req: ImportRequest) -> Result<Job, EngineError> {
        let caps = self.capabilities().cloned().ok_or(EngineError::NoCapabilities)?;
        let calendar = self.calendars().into_iter().find(|c| c.url == req.calendar).ok_or_else(|| {
            EngineError::UnknownCalendar { name: req.calendar.to_string(), known: Vec::new() }
        })?;
        let addresses = self.schedule_addresses();
        if let Some(a) = &req.as_address
            && !addresses.iter().any(|x| ical::identity::normalize(x) == ical::identity::normalize(a))
        {
            return Err(EngineError::NotYourAddress { address: a.clone(), known: addresses });
        }
        let as_address = req.as_address.clone().or_else(|| addresses.first().cloned());
        let wanted: HashSet<&str> = req.items.iter().map(|i| i.uid.as_str()).collect();
        let existing: HashMap<String, Url> = self
            .uids_in(&calendar.url)
            .into_iter()
            .filter(|(uid, _)| wanted.contains(uid.as_str()))
            .collect();
        // Only real duplicates make "update duplicates" matter to the plan.
        let updates = req.update_duplicates && !existing.is_empty();
        // Without attendees (and without replacing events that may have
        // some) there is nobody to notify, whatever the server does.
        let nobody = !req.update_duplicates && req.items.iter().all(|i| i.attendees.is_empty());
        let plan = match import::plan::plan(&caps, req.mode, as_address.as_deref(), updates) {
            Ok(p) => p,
            Err(u) if req.confirmed || nobody => u.instead,
            Err(u) => return Err(EngineError::Unhonourable(u)),
        };
        let journal_path =
            self.imports_dir().join(format!("{}.jsonl", journal::job_id(&calendar.url, &req.items)));
        Ok(Job {
            calendar: calendar.url,
            items: req.items,
            bad: req.bad,
            notes: req.notes,
            import_flagged: req.import_flagged,
            existing,
            update_duplicates: req.update_duplicates,
            loud_updates_confirmed: req.confirmed,
            plan,
            concurrency: req.concurrency,
            journal: journal::Journal::open(&journal_path)?,
        })
    }
}

pub fn calendar_label(c: &Calendar) -> String {
    c.display_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| c.url.path().to_owned())
}

fn object_uid(data: &str) -> Option<String> {
    let doc = Document::parse(data).ok()?;
    doc.calendar()?.children().find(|c| c.name == "VEVENT" || c.name == "VTODO").and_then(ical::event::uid)
}
