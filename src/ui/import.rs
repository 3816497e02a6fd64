//! The import wizard: files → preview and target → who gets notified →
//! progress → report. Nothing is written before the person presses
//! Import; the writing itself happens in the account's sync actor.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use iced::widget::{
    button, checkbox, column, container, pick_list, progress_bar, radio, row, scrollable, text,
};
use iced::{Element, Fill, Task};
use url::Url;

use super::{App, Message as AppMessage, Screen, style};
use crate::caldav::SchedulingMode;
use crate::ical::Identity;
use crate::import::plan::{self, Choice, mode_label};
use crate::import::{Batch, Outcome, Preview, Progress, Report, source};
use crate::sync::{Control, ImportRequest, calendar_label};

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

    /// The plan for each mode on the target's server, given the choices so far.
    pub fn import_choices(&self) -> Vec<(SchedulingMode, Choice)> {
        let Some(w) = &self.import else { return Vec::new() };
        let Some(caps) = w.target.as_ref().and_then(|t| self.account(&t.account)?.capabilities.as_deref())
        else {
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
        let caps = w.target.as_ref().and_then(|t| self.account(&t.account)?.capabilities.as_deref())?;
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
            .import
            .as_ref()
            .and_then(|w| w.target.as_ref())
            .and_then(|t| self.account(&t.account))
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
        let first = self
            .import
            .as_ref()
            .and_then(|w| w.target.as_ref())
            .and_then(|t| self.account(&t.account))
            .and_then(|a| a.addresses.first().cloned());
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

fn id_button<'a>(label: &'a str, id: &'static str, msg: Option<Message>) -> Element<'a, AppMessage> {
    let b = button(text(label)).style(button::secondary).on_press_maybe(msg.map(wrap));
    container(b).id(id).into()
}

fn primary<'a>(label: String, id: &'static str, msg: Option<Message>) -> Element<'a, AppMessage> {
    container(button(text(label)).style(button::primary).on_press_maybe(msg.map(wrap))).id(id).into()
}

fn muted<'a>(s: String) -> Element<'a, AppMessage> {
    text(s).size(13).style(style::muted).into()
}

pub fn view(app: &App) -> Element<'_, AppMessage> {
    let Some(w) = &app.import else { return text("").into() };
    let steps = ["1 Files", "2 Preview", "3 Notifications", "4 Import", "5 Report"];
    let current = w.step as usize;
    let crumbs = row(steps.iter().enumerate().map(|(i, s)| {
        let t = text(*s).size(14);
        if i == current { t.into() } else { t.style(style::muted).into() }
    }))
    .spacing(16);
    let body = match w.step {
        Step::Files => files_view(w),
        Step::Preview => preview_view(app, w),
        Step::Scheduling => scheduling_view(app, w),
        Step::Running => running_view(w),
        Step::Report => report_view(w),
    };
    column![text("Import calendar files").size(22), crumbs, body].spacing(12).into()
}

fn files_view(w: &Wizard) -> Element<'_, AppMessage> {
    let mut list = column![].spacing(4);
    for f in &w.files {
        list = list.push(
            row![
                text(f.display().to_string()).width(Fill),
                button(text("Remove")).style(button::text).on_press(wrap(Message::Remove(f.clone())))
            ]
            .align_y(iced::Center),
        );
    }
    let status = if w.files.is_empty() {
        "Choose .ics files, or drop them on this window.".to_owned()
    } else if w.reading {
        "Reading…".to_owned()
    } else {
        match &w.batch {
            Some(b) if b.bad.is_empty() => format!("{} entries can be imported.", b.items.len()),
            Some(b) => {
                format!("{} entries can be imported; {} can't (see the preview).", b.items.len(), b.bad.len())
            }
            None => String::new(),
        }
    };
    // Even a file with nothing importable goes on: the preview says why.
    let ready = w.batch.as_ref().is_some_and(|b| !b.items.is_empty() || !b.bad.is_empty());
    column![
        list,
        container(text(status)).id("import-files-status"),
        row![
            id_button("Choose files…", "import-choose", Some(Message::Choose)),
            primary("Next: preview".into(), "import-next", ready.then_some(Message::Next)),
            id_button("Close", "import-close", Some(Message::Close)),
        ]
        .spacing(8),
    ]
    .spacing(10)
    .into()
}

fn preview_view<'a>(app: &'a App, w: &'a Wizard) -> Element<'a, AppMessage> {
    let targets = app.import_targets();
    let target = container(
        pick_list(targets, w.target.clone(), |t| wrap(Message::Target(t))).placeholder("Choose a calendar"),
    )
    .id("import-target");
    let mut col = column![row![text("Import into"), target].spacing(8).align_y(iced::Center)].spacing(8);
    let Some(p) = &w.preview else {
        return col.push(text("Reading…")).into();
    };
    let range = match (p.first, p.last) {
        (Some(a), Some(b)) => format!(
            ", from {} to {}",
            a.with_timezone(&chrono::Local).format("%-d %b %Y"),
            b.with_timezone(&chrono::Local).format("%-d %b %Y")
        ),
        _ => String::new(),
    };
    col = col.push(
        container(text(format!("{} event(s) and {} task(s){range}.", p.events, p.tasks))).id("import-counts"),
    );
    if p.with_attendees > 0 {
        let people = if p.attendees == 1 { "1 person".to_owned() } else { format!("{} people", p.attendees) };
        col = col.push(text(format!(
            "{} of them have attendees ({people} in all). You organize {} and are invited to {}.",
            p.with_attendees, p.organizer_of, p.attendee_of
        )));
    } else {
        col = col.push(text("None of them lists attendees: nobody would be notified."));
    }
    match &w.existing {
        None if w.target.is_some() => col = col.push(muted("Checking the calendar for events it already holds…".into())),
        None => {}
        Some(_) if p.duplicates.is_empty() => col = col.push(text("None of them is in this calendar yet.")),
        Some(_) => {
            col = col.push(
                container(
                    checkbox(w.update_duplicates)
                        .label(format!(
                            "{} are already in this calendar: replace them with the file's version (otherwise they are skipped)",
                            p.duplicates.len()
                        ))
                        .on_toggle(|b| wrap(Message::UpdateDuplicates(b))),
                )
                .id("import-update-duplicates"),
            )
        }
    }
    if let Some(b) = &w.batch
        && !b.bad.is_empty()
    {
        let heading = if b.bad.len() == 1 {
            "1 entry can't be imported:".to_owned()
        } else {
            format!("{} entries can't be imported:", b.bad.len())
        };
        let mut bad = column![text(heading)].spacing(2);
        for entry in b.bad.iter().take(LIST_LIMIT) {
            bad = bad.push(text(entry.to_string()).size(13).style(style::changed));
        }
        if b.bad.len() > LIST_LIMIT {
            bad = bad.push(muted(format!("…and {} more (all are in the report)", b.bad.len() - LIST_LIMIT)));
        }
        col = col
            .push(container(scrollable(bad).height(iced::Length::Shrink)).max_height(220).id("import-bad"));
    }
    let ready = w.target.is_some() && w.existing.is_some() && p.total() > 0;
    col.push(
        row![
            id_button("Back", "import-back", Some(Message::Back)),
            primary("Next: notifications".into(), "import-next", ready.then_some(Message::Next)),
            id_button("Close", "import-close", Some(Message::Close)),
        ]
        .spacing(8),
    )
    .into()
}

fn scheduling_view<'a>(app: &'a App, w: &'a Wizard) -> Element<'a, AppMessage> {
    let mut col = column![text("Who should hear about these events?").size(16)].spacing(8);
    if w.preview.as_ref().is_some_and(|p| p.with_attendees == 0) {
        col = col.push(text(
            "None of these entries has attendees: nobody will be notified, whichever you choose.",
        ));
    }
    let choices = app.import_choices();
    if choices.is_empty() {
        col = col.push(text("This account has not reached its server yet; try again when it is online."));
    }
    for (mode, choice) in choices {
        let id = format!("import-mode-{}", mode.as_str());
        match choice {
            Ok(p) => {
                col = col.push(
                    container(radio(mode_label(mode), mode, w.mode, |m| wrap(Message::Mode(m)))).id(id),
                );
                if p.method != plan::Method::Plain {
                    col =
                        col.push(container(muted(format!("with {}", p.method.describe()))).padding([0, 28]));
                }
                if w.mode == Some(mode)
                    && let Some(warning) = p.warning
                {
                    col =
                        col.push(container(text(warning).size(13)).padding(6).style(container::bordered_box));
                }
            }
            Err(u) => {
                col = col.push(
                    container(column![
                        text(format!("○ {}", mode_label(mode))).style(style::muted),
                        muted(format!("Not available: {}.", u.reason)),
                    ])
                    .id(id),
                );
            }
        }
    }
    if let Some(addresses) =
        w.target.as_ref().and_then(|t| app.account(&t.account)).map(|a| a.addresses.clone())
        && addresses.len() > 1
    {
        col = col.push(
            row![
                text("Act as"),
                container(pick_list(addresses, w.as_address.clone(), |a| wrap(Message::As(a))))
                    .id("import-as"),
            ]
            .spacing(8)
            .align_y(iced::Center),
        );
    } else if let Some(a) = &w.as_address {
        col = col.push(muted(format!("You act as {a}.")));
    }
    let confirm = app.import_needs_confirmation();
    if let Some(why) = &confirm {
        col = col.push(container(text(why.clone())).padding(6).style(container::danger).width(Fill));
        col = col.push(
            container(
                checkbox(w.confirmed).label("Send the invitations").on_toggle(|b| wrap(Message::Confirm(b))),
            )
            .id("import-confirm"),
        );
    }
    let count = w.batch.as_ref().map_or(0, |b| b.items.len());
    let ready = w.mode.is_some() && (confirm.is_none() || w.confirmed);
    col.push(
        row![
            id_button("Back", "import-back", Some(Message::Back)),
            primary(format!("Import {count} entries"), "import-start", ready.then_some(Message::Start)),
        ]
        .spacing(8),
    )
    .into()
}

fn running_view(w: &Wizard) -> Element<'_, AppMessage> {
    let (fraction, line) = match &w.progress {
        None => (0.0, "Checking the calendar…".to_owned()),
        Some(p) => (p.fraction(), progress_text(p)),
    };
    let cancel = if w.cancelling {
        muted("Stopping after the writes in flight…".into())
    } else {
        id_button("Cancel", "import-cancel", Some(Message::Cancel))
    };
    column![progress_bar(0.0..=1.0, fraction), container(text(line)).id("import-progress"), cancel]
        .spacing(10)
        .into()
}

/// "1200 of 2000 · 85 per second · about 10 s left"
pub fn progress_text(p: &Progress) -> String {
    let left = p.remaining().map(|d| format!(" · about {} left", duration(d))).unwrap_or_default();
    format!("{} of {} · {:.0} per second{left}", p.done, p.total, p.rate())
}

fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 90 { format!("{} min", s.div_ceil(60)) } else { format!("{s} s") }
}

fn report_view(w: &Wizard) -> Element<'_, AppMessage> {
    let report = match &w.outcome {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return column![
                container(text(format!("The import did not run: {e}")))
                    .padding(8)
                    .style(container::danger)
                    .width(Fill),
                row![
                    id_button("Back", "import-back", Some(Message::Back)),
                    id_button("Close", "import-close", Some(Message::Close)),
                ]
                .spacing(8),
            ]
            .spacing(10)
            .into();
        }
        None => return text("").into(),
    };
    let mut col = column![container(text(report.headline()).size(16)).id("import-headline")].spacing(8);
    if report.cancelled {
        col = col.push(text("Cancelled. Importing the same files again continues where it stopped."));
    }
    let mut rows = column![].spacing(2);
    let problems =
        report.entries.iter().filter(|e| matches!(e.outcome, Outcome::Failed(_) | Outcome::Skipped(_)));
    for e in problems.take(LIST_LIMIT) {
        let (word, why) = match &e.outcome {
            Outcome::Failed(r) => ("Failed", r),
            Outcome::Skipped(r) => ("Skipped", r),
            _ => continue,
        };
        let name = e.summary.as_deref().unwrap_or("(no title)");
        rows = rows.push(text(format!("{word}: {name} ({}:{}): {why}", e.file.display(), e.line)).size(13));
    }
    for b in report.bad.iter().take(LIST_LIMIT) {
        rows = rows.push(text(format!("Can't be read: {b}")).size(13).style(style::changed));
    }
    col = col.push(container(scrollable(rows)).max_height(300));
    if let Some(s) = &w.saved {
        col = col.push(muted(s.clone()));
    }
    let mut actions = row![id_button("Save report…", "import-save", Some(Message::SaveReport))].spacing(8);
    if report.cancelled || report.counts().failed > 0 {
        actions = actions.push(primary("Import the rest".into(), "import-again", Some(Message::Start)));
    }
    col.push(actions.push(primary("Done".into(), "import-done", Some(Message::Close)))).into()
}
