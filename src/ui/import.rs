//! The import wizard: files → preview and target → who gets notified →
//! progress → report. Nothing is written before the person presses
//! Import; the writing itself happens in the account's sync actor.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono_tz::Tz;
use iced::Task;
use url::Url;

use super::AccountState;
use crate::caldav::SchedulingMode;
use crate::ical::Identity;
use crate::import::plan::{self, Choice};
use crate::import::{Batch, Preview, Progress, Report, source};
use crate::sync::{ImportRequest, calendar_label};

#[cfg(test)]
mod tests;
mod view;
pub use view::progress_text;

/// Rows of bad entries or outcomes shown before "and N more".
const LIST_LIMIT: usize = 200;

/// Zones a picker offers at once: typing more narrows them.
const ZONE_MATCHES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Files,
    Preview,
    Scheduling,
    Running,
    Report,
}

/// One calendar of one account, as the target pick list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub account: String,
    pub calendar: Url,
    pub label: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.label, self.account)
    }
}

/// The person's answer for a time-zone name nothing resolves: what they
/// typed to find the zone, and the zone they picked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZonePick {
    pub filter: String,
    pub chosen: Option<Tz>,
}

#[derive(Debug, Default)]
pub struct Wizard {
    pub step: Step,
    pub files: Vec<PathBuf>,
    /// What the files hold, as read.
    pub read: Option<Arc<Batch>>,
    /// The same with the zones the person chose applied: what is imported.
    pub batch: Option<Arc<Batch>>,
    /// By unknown zone name.
    pub zone_picks: BTreeMap<String, ZonePick>,
    pub reading: bool,
    pub target: Option<Target>,
    /// UIDs the target calendar holds (None: still asking the actor).
    pub existing: Option<HashSet<String>>,
    pub preview: Option<Preview>,
    pub update_duplicates: bool,
    pub mode: Option<SchedulingMode>,
    pub as_address: Option<String>,
    /// "Send invitations" confirmed where nothing can keep a server quiet.
    pub confirmed: bool,
    /// The person confirmed the entries the preview flags.
    pub import_flagged: bool,
    pub progress: Option<Progress>,
    pub cancelling: bool,
    pub outcome: Option<Result<Box<Report>, String>>,
    pub saved: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// Open the file dialog.
    Choose,
    /// Files from the dialog, a drop on the window, or `convene open`.
    Add(Vec<PathBuf>),
    Remove(PathBuf),
    /// The files read (a read of an older list is ignored) and what they hold.
    Read(Vec<PathBuf>, Arc<Batch>),
    Target(Target),
    UpdateDuplicates(bool),
    Mode(SchedulingMode),
    As(String),
    Confirm(bool),
    ImportFlagged(bool),
    /// The text typed to find the zone an unknown name means.
    ZoneFilter(String, String),
    /// The zone the person picked for an unknown name.
    Zone(String, Tz),
    Next,
    Back,
    Start,
    Cancel,
    SaveReport,
    Saved(Option<Result<PathBuf, String>>),
    Close,
}

/// What the app must act on: the wizard talks to the sync actors and the
/// rest of the window only through these.
#[derive(Debug)]
pub enum Event {
    /// Ask the target's actor which UIDs its calendar holds (for duplicates).
    CheckTarget(Target),
    /// Hand the import to the account's actor; call `started` if it took it.
    Start(String, Box<ImportRequest>),
    /// Ask the account's actor to stop the running import.
    Cancel(String),
    Banner(String),
    Close,
}

/// Every calendar of every connected account that the person may add
/// events to, for the target list.
pub fn targets(accounts: &[AccountState]) -> Vec<Target> {
    accounts
        .iter()
        .flat_map(|a| {
            a.calendars.iter().filter(|c| !c.read_only).map(|c| Target {
                account: a.account.name.clone(),
                calendar: c.url.clone(),
                label: calendar_label(c),
            })
        })
        .collect()
}

/// The banner for an import that ended while its wizard was not showing it.
pub fn finished_banner(outcome: &Result<Box<Report>, String>) -> String {
    match outcome {
        Ok(r) => format!("Import into {}: {}", r.calendar, r.headline()),
        Err(e) => format!("An import did not run: {e}"),
    }
}

impl Wizard {
    /// The account the wizard imports into.
    pub fn account<'a>(&self, accounts: &'a [AccountState]) -> Option<&'a AccountState> {
        let target = self.target.as_ref()?;
        accounts.iter().find(|a| a.account.name == target.account)
    }

    /// The plan for each mode on the target's server, given the choices so far.
    pub fn choices(&self, accounts: &[AccountState]) -> Vec<(SchedulingMode, Choice)> {
        let Some(caps) = self.account(accounts).and_then(|a| a.capabilities.as_deref()) else {
            return Vec::new();
        };
        let updates =
            self.update_duplicates && self.preview.as_ref().is_some_and(|p| !p.duplicates.is_empty());
        plan::choices(caps, self.as_address.as_deref(), updates)
    }

    /// Where nothing can keep a scheduling server quiet (Xandikos), the
    /// invitations go out only after an explicit yes.
    pub fn needs_confirmation(&self, accounts: &[AccountState]) -> Option<String> {
        let attendees = self.preview.as_ref().map_or(0, |p| p.with_attendees);
        let caps = self.account(accounts)?.capabilities.as_deref()?;
        if self.mode != Some(SchedulingMode::All) || attendees == 0 || !caps.implicit_scheduling.is_true() {
            return None;
        }
        let choices = self.choices(accounts);
        let none = choices.iter().find(|(m, _)| *m == SchedulingMode::None)?;
        let Err(u) = &none.1 else { return None };
        (u.instead.method == plan::Method::Plain).then(|| {
            format!(
                "Not notifying people is not possible here: {}. Importing sends an invitation to the attendees of {attendees} event(s).",
                u.reason
            )
        })
    }

    pub fn update(&mut self, m: Message, accounts: &[AccountState]) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Choose => return (Task::perform(pick_files(), Message::Add), None),
            Message::Add(files) => return self.add(files),
            Message::Close => Some(Event::Close),
            Message::SaveReport => {
                let Some(Ok(r)) = &self.outcome else { return (Task::none(), None) };
                return (Task::perform(save_report(r.to_text()), Message::Saved), None);
            }
            Message::Remove(f) => {
                self.files.retain(|x| *x != f);
                return (self.read_files(), None);
            }
            Message::Read(files, _) if files != self.files => None,
            Message::Read(_, batch) => {
                self.reading = false;
                self.read = Some(batch);
                self.apply_zones(accounts);
                self.default_target(accounts)
            }
            Message::Target(t) => {
                self.target = Some(t);
                self.existing = None;
                self.mode = None;
                self.as_address = None;
                self.confirmed = false;
                self.check_target(accounts)
            }
            // Which modes can be honoured depends on it: choose again.
            Message::UpdateDuplicates(b) => {
                self.update_duplicates = b;
                self.mode = None;
                self.confirmed = false;
                None
            }
            Message::Mode(mode) => {
                self.mode = Some(mode);
                self.confirmed = false;
                None
            }
            Message::As(a) => {
                self.as_address = Some(a);
                None
            }
            Message::Confirm(b) => {
                self.confirmed = b;
                None
            }
            Message::ImportFlagged(b) => {
                self.import_flagged = b;
                None
            }
            Message::ZoneFilter(name, filter) => {
                self.zone_picks.entry(name).or_default().filter = filter;
                None
            }
            Message::Zone(name, tz) => {
                let pick = self.zone_picks.entry(name).or_default();
                pick.chosen = Some(tz);
                pick.filter = tz.name().to_owned();
                self.apply_zones(accounts);
                None
            }
            Message::Next => {
                self.step = match self.step {
                    Step::Files => Step::Preview,
                    Step::Preview => Step::Scheduling,
                    other => other,
                };
                if self.step == Step::Scheduling && self.as_address.is_none() {
                    self.as_address = self.account(accounts).and_then(|a| a.addresses.first().cloned());
                }
                None
            }
            Message::Back => {
                self.step = match self.step {
                    Step::Scheduling => Step::Preview,
                    Step::Preview | Step::Report => Step::Files,
                    other => other,
                };
                None
            }
            Message::Start => self.request(),
            Message::Cancel => self.target.as_ref().map(|t| {
                self.cancelling = true;
                Event::Cancel(t.account.clone())
            }),
            Message::Saved(r) => {
                self.saved = match r {
                    None => None,
                    Some(Ok(path)) => Some(format!("Saved to {}", path.display())),
                    Some(Err(e)) => Some(format!("Not saved: {e}")),
                };
                None
            }
        };
        (Task::none(), event)
    }

    /// More files (from the dialog, a drop, or `convene open`).
    fn add(&mut self, files: Vec<PathBuf>) -> (Task<Message>, Option<Event>) {
        if files.is_empty() {
            return (Task::none(), None);
        }
        if self.step == Step::Running {
            let text = "An import is running; add more files when it has finished.".to_owned();
            return (Task::none(), Some(Event::Banner(text)));
        }
        if self.step == Step::Report {
            *self = Wizard::default();
        }
        for f in files {
            if !self.files.contains(&f) {
                self.files.push(f);
            }
        }
        self.step = Step::Files;
        (self.read_files(), None)
    }

    fn read_files(&mut self) -> Task<Message> {
        self.read = None;
        self.batch = None;
        self.preview = None;
        self.import_flagged = false;
        self.zone_picks.clear();
        if self.files.is_empty() {
            self.reading = false;
            return Task::none();
        }
        self.reading = true;
        let files = self.files.clone();
        Task::perform(
            async move {
                let list = files.clone();
                let batch = tokio::task::spawn_blocking(move || source::read_files(&list)).await;
                let batch = batch.unwrap_or_else(|e| Batch {
                    items: Vec::new(),
                    bad: vec![source::Bad {
                        file: files.first().cloned().unwrap_or_default(),
                        line: 0,
                        uid: None,
                        problem: format!("reading stopped unexpectedly: {e}"),
                    }],
                    notes: Vec::new(),
                });
                (files, batch)
            },
            |(files, batch)| Message::Read(files, Arc::new(batch)),
        )
    }

    /// The batch to import: the one read, with the zones chosen so far.
    fn apply_zones(&mut self, accounts: &[AccountState]) {
        let chosen: Vec<(&String, Tz)> =
            self.zone_picks.iter().filter_map(|(name, pick)| Some((name, pick.chosen?))).collect();
        self.batch = self.read.as_ref().map(|read| {
            if chosen.is_empty() {
                return read.clone();
            }
            let mut batch = Batch::clone(read);
            for (name, tz) in chosen {
                batch.choose_zone(name, tz);
            }
            Arc::new(batch)
        });
        self.refresh_preview(accounts);
    }

    /// The zones the picker for `name` offers: those matching what the
    /// person typed (nothing before they type).
    pub fn zone_matches(&self, name: &str) -> Vec<Tz> {
        let filter = self.zone_picks.get(name).map_or("", |p| p.filter.as_str());
        if filter.trim().is_empty() {
            return Vec::new();
        }
        source::zones::matching(filter).take(ZONE_MATCHES + 1).collect()
    }

    fn refresh_preview(&mut self, accounts: &[AccountState]) {
        let me = self
            .account(accounts)
            .map(|a| Identity::new(a.addresses.iter().chain(a.account.aliases.iter())))
            .unwrap_or_default();
        let existing = self.existing.clone().unwrap_or_default();
        self.preview = self.batch.as_ref().map(|b| Preview::new(b, &me, &existing));
    }

    /// Until the person picks one, the first calendar of the first account
    /// (calendars arrive from the actors, possibly after the files).
    pub fn default_target(&mut self, accounts: &[AccountState]) -> Option<Event> {
        if self.target.is_some() {
            return None;
        }
        self.target = Some(targets(accounts).into_iter().next()?);
        self.check_target(accounts)
    }

    fn check_target(&mut self, accounts: &[AccountState]) -> Option<Event> {
        self.refresh_preview(accounts);
        self.target.clone().map(Event::CheckTarget)
    }

    /// What the target's actor says the calendar holds.
    pub fn target_uids(
        &mut self,
        account: &str,
        calendar: &Url,
        uids: HashSet<String>,
        accounts: &[AccountState],
    ) {
        if self.target.as_ref().is_some_and(|t| t.account == account && &t.calendar == calendar) {
            self.existing = Some(uids);
            self.refresh_preview(accounts);
        }
    }

    pub fn progress(&mut self, p: Progress) {
        if self.step == Step::Running {
            self.progress = Some(p);
        }
    }

    fn running_on(&self, account: &str) -> bool {
        self.step == Step::Running && self.target.as_ref().is_some_and(|t| t.account == account)
    }

    /// An import ended: its report here, or a banner if it is not this one.
    pub fn finished(
        &mut self,
        account: &str,
        outcome: Result<Box<Report>, String>,
        accounts: &[AccountState],
    ) -> Option<Event> {
        if !self.running_on(account) {
            return Some(Event::Banner(finished_banner(&outcome)));
        }
        self.outcome = Some(outcome);
        self.step = Step::Report;
        self.cancelling = false;
        // The calendar holds more now: duplicates for a next run.
        self.existing = None;
        self.check_target(accounts)
    }

    /// The account's actor stopped (removed, or restarted): an import it
    /// ran has ended with it; its journal lets the next run continue.
    pub fn account_stopped(&mut self, account: &str) {
        if self.running_on(account) {
            self.step = Step::Report;
            self.cancelling = false;
            self.outcome = Some(Err(
                "the account was disconnected; importing the same files again continues where it stopped"
                    .into(),
            ));
        }
    }

    fn request(&self) -> Option<Event> {
        let (Some(batch), Some(target), Some(mode)) = (&self.batch, &self.target, self.mode) else {
            return None;
        };
        let request = ImportRequest {
            items: batch.items.clone(),
            bad: batch.bad.clone(),
            notes: batch.notes.clone(),
            import_flagged: self.import_flagged,
            calendar: target.calendar.clone(),
            mode,
            as_address: self.as_address.clone(),
            update_duplicates: self.update_duplicates,
            // The wizard only offers modes the server honours.
            confirmed: false,
            concurrency: crate::import::DEFAULT_CONCURRENCY,
        };
        Some(Event::Start(target.account.clone(), Box::new(request)))
    }

    /// The actor took the import.
    pub fn started(&mut self) {
        self.step = Step::Running;
        self.progress = None;
        self.outcome = None;
        self.saved = None;
    }
}

async fn pick_files() -> Vec<PathBuf> {
    rfd::AsyncFileDialog::new()
        .set_title("Import calendar files")
        .add_filter("iCalendar", &["ics", "ical", "ifb", "icalendar"])
        .pick_files()
        .await
        .map(|files| files.iter().map(|f| f.path().to_owned()).collect())
        .unwrap_or_default()
}

async fn save_report(text: String) -> Option<Result<PathBuf, String>> {
    let file = rfd::AsyncFileDialog::new()
        .set_title("Save the import report")
        .set_file_name("convene-import-report.txt")
        .save_file()
        .await?;
    let path = file.path().to_owned();
    let result = tokio::task::spawn_blocking({
        let path = path.clone();
        move || crate::paths::write_atomic(&path, text.as_bytes())
    })
    .await;
    Some(match result {
        Ok(Ok(())) => Ok(path),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    })
}
