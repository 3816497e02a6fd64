//! The import wizard: files → preview and target → who gets notified →
//! progress → report. Nothing is written before the person presses
//! Import; the writing itself happens in the account's sync actor.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use iced::Task;
use url::Url;

use super::{AccountState, App, Message as AppMessage, Screen};
use crate::caldav::SchedulingMode;
use crate::ical::Identity;
use crate::import::plan::{self, Choice};
use crate::import::{Batch, Preview, Progress, Report, source};
use crate::sync::{Control, ImportRequest, calendar_label};

mod view;
pub use view::{progress_text, view};

/// Rows of bad entries or outcomes shown before "and N more".
const LIST_LIMIT: usize = 200;

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

#[derive(Debug, Default)]
pub struct Wizard {
    pub step: Step,
    pub files: Vec<PathBuf>,
    pub batch: Option<Arc<Batch>>,
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
    Next,
    Back,
    Start,
    Cancel,
    SaveReport,
    Saved(Option<Result<PathBuf, String>>),
    Close,
}

fn wrap(m: Message) -> AppMessage {
    AppMessage::Import(m)
}

impl App {
    /// Every calendar of every connected account, for the target list.
    pub fn import_targets(&self) -> Vec<Target> {
        self.accounts
            .iter()
            .flat_map(|a| {
                a.calendars.iter().map(|c| Target {
                    account: a.account.name.clone(),
                    calendar: c.url.clone(),
                    label: calendar_label(c),
                })
            })
            .collect()
    }

    /// The account the wizard imports into.
    pub fn import_account(&self) -> Option<&AccountState> {
        let target = self.import.as_ref()?.target.as_ref()?;
        self.account(&target.account)
    }

    /// The plan for each mode on the target's server, given the choices so far.
    pub fn import_choices(&self) -> Vec<(SchedulingMode, Choice)> {
        let Some(w) = &self.import else { return Vec::new() };
        let Some(caps) = self.import_account().and_then(|a| a.capabilities.as_deref()) else {
            return Vec::new();
        };
        let updates = w.update_duplicates && w.preview.as_ref().is_some_and(|p| !p.duplicates.is_empty());
        plan::choices(caps, w.as_address.as_deref(), updates)
    }

    /// Where nothing can keep a scheduling server quiet (Xandikos), the
    /// invitations go out only after an explicit yes.
    pub fn import_needs_confirmation(&self) -> Option<String> {
        let w = self.import.as_ref()?;
        let attendees = w.preview.as_ref().map_or(0, |p| p.with_attendees);
        let caps = self.import_account()?.capabilities.as_deref()?;
        if w.mode != Some(SchedulingMode::All) || attendees == 0 || !caps.implicit_scheduling.is_true() {
            return None;
        }
        let choices = self.import_choices();
        let none = choices.iter().find(|(m, _)| *m == SchedulingMode::None)?;
        let Err(u) = &none.1 else { return None };
        (u.instead.method == plan::Method::Plain).then(|| {
            format!(
                "Not notifying people is not possible here: {}. Importing sends an invitation to the attendees of {attendees} event(s).",
                u.reason
            )
        })
    }

    /// Opens the wizard (or adds to the open one) with these files.
    pub fn open_import(&mut self, files: Vec<PathBuf>) -> Task<AppMessage> {
        self.screen = Screen::Import;
        let w = self.import.get_or_insert_with(Wizard::default);
        if files.is_empty() {
            return Task::none();
        }
        if matches!(w.step, Step::Running) {
            self.banner("An import is running; add more files when it has finished.");
            return Task::none();
        }
        if matches!(w.step, Step::Report) {
            *w = Wizard::default();
        }
        for f in files {
            if !w.files.contains(&f) {
                w.files.push(f);
            }
        }
        w.step = Step::Files;
        self.read_files()
    }

    fn read_files(&mut self) -> Task<AppMessage> {
        let Some(w) = self.import.as_mut() else { return Task::none() };
        w.batch = None;
        w.preview = None;
        if w.files.is_empty() {
            w.reading = false;
            return Task::none();
        }
        w.reading = true;
        let files = w.files.clone();
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
                });
                (files, batch)
            },
            |(files, batch)| wrap(Message::Read(files, Arc::new(batch))),
        )
    }

    fn refresh_preview(&mut self) {
        let me = self
            .import_account()
            .map(|a| Identity::new(a.addresses.iter().chain(a.account.aliases.iter())))
            .unwrap_or_default();
        let Some(w) = self.import.as_mut() else { return };
        w.preview = w.batch.as_ref().map(|b| Preview::new(b, &me, &w.existing.clone().unwrap_or_default()));
    }

    /// What the target's actor says the calendar holds.
    pub(super) fn import_target_uids(&mut self, account: &str, calendar: &Url, uids: HashSet<String>) {
        let Some(w) = self.import.as_mut() else { return };
        if w.target.as_ref().is_some_and(|t| t.account == account && &t.calendar == calendar) {
            w.existing = Some(uids);
            self.refresh_preview();
        }
    }

    pub(super) fn import_progress(&mut self, p: Progress) {
        if let Some(w) = self.import.as_mut().filter(|w| w.step == Step::Running) {
            w.progress = Some(p);
        }
    }

    pub(super) fn import_finished(&mut self, account: &str, outcome: Result<Box<Report>, String>) {
        let running_here = self.import.as_ref().is_some_and(|w| {
            w.step == Step::Running && w.target.as_ref().is_some_and(|t| t.account == account)
        });
        match self.import.as_mut() {
            Some(w) if running_here => {
                w.outcome = Some(outcome);
                w.step = Step::Report;
                w.cancelling = false;
                // The calendar holds more now: duplicates for a next run.
                w.existing = None;
                self.ask_target_uids();
            }
            _ => match outcome {
                Ok(r) => self.banner(format!("Import into {}: {}", r.calendar, r.headline())),
                Err(e) => self.banner(format!("An import did not run: {e}")),
            },
        }
    }

    /// The account's actor stopped (removed, or restarted): an import it
    /// ran has ended with it; its journal lets the next run continue.
    pub(super) fn import_account_stopped(&mut self, account: &str) {
        if let Some(w) = self.import.as_mut()
            && w.step == Step::Running
            && w.target.as_ref().is_some_and(|t| t.account == account)
        {
            w.step = Step::Report;
            w.cancelling = false;
            w.outcome = Some(Err(
                "the account was disconnected; importing the same files again continues where it stopped"
                    .into(),
            ));
        }
    }

    pub(super) fn import_message(&mut self, m: Message) -> Task<AppMessage> {
        match m {
            Message::Choose => return Task::perform(pick_files(), |f| wrap(Message::Add(f))),
            Message::Add(files) => return self.open_import(files),
            Message::Close => {
                self.import = None;
                self.screen = Screen::Invitations;
                return Task::none();
            }
            Message::SaveReport => {
                let text = match self.import.as_ref().and_then(|w| w.outcome.as_ref()) {
                    Some(Ok(r)) => r.to_text(),
                    _ => return Task::none(),
                };
                return Task::perform(save_report(text), |r| wrap(Message::Saved(r)));
            }
            _ => {}
        }
        let Some(w) = self.import.as_mut() else { return Task::none() };
        match m {
            Message::Remove(f) => {
                w.files.retain(|x| *x != f);
                return self.read_files();
            }
            Message::Read(files, _) if files != w.files => {}
            Message::Read(_, batch) => {
                w.reading = false;
                w.batch = Some(batch);
                self.import_default_target();
                self.refresh_preview();
            }
            Message::Target(t) => {
                w.target = Some(t);
                w.existing = None;
                w.mode = None;
                w.as_address = None;
                w.confirmed = false;
                self.ask_target_uids();
            }
            // Which modes can be honoured depends on it: choose again.
            Message::UpdateDuplicates(b) => {
                w.update_duplicates = b;
                w.mode = None;
                w.confirmed = false;
            }
            Message::Mode(mode) => {
                w.mode = Some(mode);
                w.confirmed = false;
            }
            Message::As(a) => w.as_address = Some(a),
            Message::Confirm(b) => w.confirmed = b,
            Message::Next => {
                w.step = match w.step {
                    Step::Files => Step::Preview,
                    Step::Preview => Step::Scheduling,
                    other => other,
                };
                if w.step == Step::Scheduling {
                    self.default_identity();
                }
            }
            Message::Back => {
                w.step = match w.step {
                    Step::Scheduling => Step::Preview,
                    Step::Preview | Step::Report => Step::Files,
                    other => other,
                }
            }
            Message::Start => self.start_import(),
            Message::Cancel => {
                if let Some(t) = w.target.clone() {
                    w.cancelling = true;
                    self.send(&t.account, Control::CancelImport);
                }
            }
            Message::Saved(r) => {
                w.saved = match r {
                    None => None,
                    Some(Ok(path)) => Some(format!("Saved to {}", path.display())),
                    Some(Err(e)) => Some(format!("Not saved: {e}")),
                }
            }
            Message::Choose | Message::Add(_) | Message::Close | Message::SaveReport => {}
        }
        Task::none()
    }

    /// Until the person picks one, the first calendar of the first account
    /// (calendars arrive from the actors, possibly after the files).
    pub(super) fn import_default_target(&mut self) {
        let first = self.import_targets().into_iter().next();
        if let Some(w) = self.import.as_mut()
            && w.target.is_none()
            && first.is_some()
        {
            w.target = first;
            self.ask_target_uids();
        }
    }

    fn ask_target_uids(&mut self) {
        if let Some(t) = self.import.as_ref().and_then(|w| w.target.clone()) {
            self.send(&t.account, Control::ImportTarget { calendar: t.calendar });
        }
        self.refresh_preview();
    }

    fn default_identity(&mut self) {
        let first = self.import_account().and_then(|a| a.addresses.first().cloned());
        if let Some(w) = self.import.as_mut()
            && w.as_address.is_none()
        {
            w.as_address = first;
        }
    }

    fn start_import(&mut self) {
        let Some(w) = self.import.as_ref() else { return };
        let (Some(batch), Some(target), Some(mode)) = (w.batch.clone(), w.target.clone(), w.mode) else {
            return;
        };
        let request = ImportRequest {
            items: batch.items.clone(),
            bad: batch.bad.clone(),
            calendar: target.calendar.clone(),
            mode,
            as_address: w.as_address.clone(),
            update_duplicates: w.update_duplicates,
            // The wizard only offers modes the server honours.
            confirmed: false,
            concurrency: crate::import::DEFAULT_CONCURRENCY,
        };
        if self.send(&target.account, Control::Import(Box::new(request)))
            && let Some(w) = self.import.as_mut()
        {
            w.step = Step::Running;
            w.progress = None;
            w.outcome = None;
            w.saved = None;
        }
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
