//! The account actor: a tokio task that owns the engine (and so all of the
//! account's network I/O). The UI sends [`Control`] and receives [`Update`].

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

mod imports;

use super::engine::{Engine, Held};
use super::failure::{Cause, Failure};
use super::listing::Listing;
pub use super::messages::{Control, Resolution, Update};
use super::send::{EventOutcome, Outcome};
use crate::caldav::Password;
use crate::config::Account;
use crate::ical::{Answer, Draft, Scope};
use crate::import::Report;
use crate::paths::Paths;

/// The UI's side of an actor.
#[derive(Debug)]
pub struct Handle {
    pub control: mpsc::Sender<Control>,
    pub updates: mpsc::Receiver<Update>,
}

pub struct Settings {
    pub paths: Paths,
    pub account: Account,
    pub password: Password,
    /// How often to sync by itself.
    pub every: Duration,
    /// How soon to retry while offline.
    pub retry: Duration,
}

pub fn spawn(settings: Settings) -> Handle {
    let (control, control_rx) = mpsc::channel(64);
    let (updates_tx, updates) = mpsc::channel(256);
    tokio::spawn(run(settings, control_rx, updates_tx));
    Handle { control, updates }
}

struct Actor {
    engine: Engine,
    updates: mpsc::Sender<Update>,
    offline: bool,
    /// The running import's cancel flag.
    import_cancel: Option<Arc<AtomicBool>>,
    /// The account, while a piece of work (or an import) runs.
    held: Option<Held>,
}

async fn run(settings: Settings, mut control: mpsc::Receiver<Control>, updates: mpsc::Sender<Update>) {
    let mut engine = {
        let (paths, account, password) =
            (settings.paths.clone(), settings.account.clone(), settings.password.clone());
        // Opening waits on a file lock and reads the cache: keep it off the runtime.
        match tokio::task::spawn_blocking(move || Engine::open_per_operation(&paths, &account, password))
            .await
        {
            Ok(Ok(e)) => e,
            Ok(Err(e)) => {
                let _ = updates.send(Update::Error { message: e.into() }).await;
                let _ = updates.send(Update::Stopped).await;
                return;
            }
            Err(e) => {
                let _ = updates.send(Update::Error { message: Cause::Task(e).into() }).await;
                return;
            }
        }
    };
    let progress = updates.clone();
    // Progress that finds the window busy is dropped: the next one says more.
    engine.report_progress(move |p| {
        let _ = progress.try_send(Update::SyncProgress(p));
    });
    let mut actor = Actor { engine, updates, offline: false, import_cancel: None, held: None };
    // The running import's task; the import ends when the actor has seen it end.
    let mut import: Option<ImportTask> = None;
    if !actor.hold().await {
        return;
    }
    let invitations = actor.engine.invitations().unwrap_or_default();
    actor
        .emit(Update::Ready {
            account: actor.engine.account.name.clone(),
            capabilities: actor.engine.capabilities().cloned().map(Box::new),
            invitations,
        })
        .await;
    // Conflicts left from an earlier session wait for the person's decision.
    for entry in actor.engine.event_outbox().unwrap_or_default() {
        if let crate::store::EventState::Conflict { clashes, .. } = entry.state {
            actor.emit(Update::EventConflict { uid: entry.uid, clashes }).await;
        }
    }
    actor.sync().await;
    actor.release();
    let mut tick = tokio::time::interval(settings.every);
    tick.reset();
    let mut retry = tokio::time::interval(settings.retry);
    retry.reset();
    loop {
        let work = tokio::select! {
            msg = control.recv() => match msg {
                None | Some(Control::Shutdown) => break,
                Some(control) => Work::Control(control),
            },
            result = async { import.as_mut().expect("guarded by the condition").await }, if import.is_some() => {
                Work::ImportDone(result)
            }
            _ = tick.tick() => Work::Sync,
            _ = retry.tick(), if actor.offline => Work::Sync,
        };
        // Each piece of work holds the account, so a `convene` command
        // runs between two of them instead of waiting for the app to quit.
        if !actor.hold().await {
            break;
        }
        match work {
            Work::Sync => actor.sync().await,
            Work::ImportDone(result) => {
                import = None;
                actor.import_done(result).await;
            }
            Work::Control(Control::Import(request)) => {
                if import.is_some() {
                    actor.emit(Update::ImportFinished(Err(Cause::ImportRunning.into()))).await;
                } else {
                    import = actor.start_import(*request).await;
                }
            }
            Work::Control(control) => actor.control(control).await,
        }
        // An import writes while other work goes on: it keeps the account
        // until it ends.
        if import.is_none() {
            actor.release();
        }
    }
    // Let the writes in flight finish and be journalled before stopping.
    if let Some(task) = import.take() {
        actor.cancel_import();
        let result = task.await;
        actor.import_done(result).await;
    }
    actor.emit(Update::Stopped).await;
}

/// What the loop turns to next.
enum Work {
    Control(Control),
    ImportDone(Result<Result<Report, crate::store::StoreError>, tokio::task::JoinError>),
    Sync,
}

type ImportTask = tokio::task::JoinHandle<Result<Report, crate::store::StoreError>>;

impl Actor {
    /// What the window asked for (an import aside: the loop tracks it).
    async fn control(&mut self, control: Control) {
        match control {
            Control::Shutdown | Control::Import(_) => {}
            Control::SyncNow => self.sync().await,
            Control::Reply { uid, answer, comment, occurrence, as_address, silent } => {
                self.reply(&uid, answer, comment, occurrence, as_address, silent).await
            }
            Control::Delegate { uid, to, comment } => self.delegate(&uid, &to, comment).await,
            Control::Resolve { uid, resolution } => self.resolve(&uid, resolution).await,
            Control::ImportTarget { calendar } => {
                let uids = self.engine.uids_in(&calendar).into_keys().collect();
                self.emit(Update::TargetUids { calendar, uids }).await
            }
            Control::CancelImport => self.cancel_import(),
            Control::Acknowledge { key, snoozed_until } => {
                if let Err(e) = self.engine.acknowledge(&key, snoozed_until) {
                    self.emit(Update::Error { message: e.into() }).await;
                }
            }
            Control::CreateEvent(draft) => self.create_event(*draft).await,
            Control::EditEvent { url, scope, before, after } => {
                self.edit_event(url, scope, *before, *after).await
            }
            Control::DeleteEvent { url, scope, cancel_meeting } => {
                self.delete_event(url, scope, cancel_meeting).await
            }
            Control::RemoveCancelled { uid } => self.remove_cancelled(uid).await,
            Control::FreeBusy { attendees, from, to } => {
                let answer = self.engine.free_busy(&attendees, from, to).await.map_err(Failure::from);
                self.emit(Update::FreeBusy { from, answer }).await
            }
            Control::EditorDraft { url, recurrence_id } => {
                let (draft, organizer) = self.engine.editor_draft(&url, recurrence_id.as_deref());
                self.emit(Update::EditorDraft { url, draft: draft.map(Box::new), organizer }).await
            }
            Control::Details { url, recurrence_id } => {
                let details = self.engine.details(&url, recurrence_id.as_deref()).map(Box::new);
                let seen = details.as_ref().filter(|d| d.since_seen.is_some()).map(|d| d.event.uid.clone());
                self.emit(Update::Details { url, details }).await;
                if let Some(uid) = seen {
                    self.seen(&uid).await;
                }
            }
            Control::Seen { uid } => self.seen(&uid).await,
            Control::Mailed { file, text, answer } => self.mailed(file, text, answer).await,
        }
    }

    /// A file that came by mail; the window's lists after it.
    async fn mailed(&mut self, file: std::path::PathBuf, text: String, answer: Option<super::MailedAnswer>) {
        let uid = crate::ical::imip::Message::parse(&text).map(|m| m.uid).unwrap_or_default();
        let outcome = self.engine.act_on_mailed(&file, &text, answer).await.map_err(Failure::from);
        let reached = outcome.as_ref().is_ok_and(|o| o.unreachable.is_none());
        let unreachable = outcome.as_ref().ok().and_then(|o| o.unreachable.clone());
        self.emit(Update::Mailed { file, uid, result: outcome.map(|o| o.done) }).await;
        // Queued because the server can't be reached: offline, as after any
        // other send, so the retry timer sends it when the server is back;
        // done, online again.
        if let Some(reason) = unreachable {
            self.offline = true;
            self.emit(Update::Offline { reason }).await;
        } else if reached {
            self.went_online().await;
        }
        self.changed().await;
    }

    /// Takes the account for a piece of work, unless it holds it already;
    /// false when it can't (the window is told why).
    async fn hold(&mut self) -> bool {
        if self.held.is_some() {
            return true;
        }
        match self.engine.hold().await {
            Ok(held) => {
                self.held = held;
                true
            }
            Err(e) => {
                self.emit(Update::Error { message: e.into() }).await;
                false
            }
        }
    }

    fn release(&mut self) {
        let held = self.held.take();
        self.engine.release(held);
    }

    async fn emit(&self, u: Update) {
        let _ = self.updates.send(u).await;
    }

    /// Marks the invitation seen; the list again if that changed it.
    async fn seen(&self, uid: &str) {
        match self.engine.mark_seen(uid) {
            Ok(false) => {}
            Ok(true) => match self.engine.invitations() {
                Ok(list) => self.emit(Update::InvitationsChanged(list)).await,
                Err(e) => self.emit(Update::Error { message: e.into() }).await,
            },
            Err(e) => self.emit(Update::Error { message: e.into() }).await,
        }
    }

    /// Sends the window what the cache holds now; returns the invitations.
    async fn changed(&self) -> Vec<Listing> {
        self.emit(Update::Calendars {
            calendars: self.engine.calendars(),
            addresses: self.engine.schedule_addresses(),
            capabilities: self.engine.capabilities().cloned().map(Box::new),
        })
        .await;
        let listed = match self.engine.invitations() {
            Ok(list) => {
                self.emit(Update::InvitationsChanged(list.clone())).await;
                list
            }
            Err(e) => {
                self.emit(Update::Error { message: e.into() }).await;
                Vec::new()
            }
        };
        let now = chrono::Utc::now();
        let agenda = self.engine.agenda(now - chrono::Duration::days(31), now + chrono::Duration::days(366));
        self.emit(Update::Agenda(agenda)).await;
        match self.engine.people() {
            Ok(people) => self.emit(Update::People(people)).await,
            Err(e) => tracing::warn!("the addresses to complete attendees from were not read: {e}"),
        }
        match self.engine.reminders() {
            Ok((objects, acks)) => {
                let accepted = self.engine.accepted_without_alarms().unwrap_or_else(|e| {
                    tracing::warn!("accepted invitations not read for reminders: {e}");
                    Vec::new()
                });
                self.emit(Update::Reminders { objects, accepted, acks }).await
            }
            Err(e) => self.emit(Update::Error { message: e.into() }).await,
        }
        listed
    }

    async fn went_online(&mut self) {
        if self.offline {
            self.offline = false;
            self.emit(Update::Online).await;
        }
    }

    /// Outbox first (the person's answers are the most precious), then sync.
    async fn sync(&mut self) {
        self.emit(Update::Syncing).await;
        self.flush().await;
        match self.engine.sync().await {
            Ok(r) => {
                self.went_online().await;
                for problem in r.failed {
                    self.emit(Update::Error { message: problem.failure() }).await;
                }
                self.emit(Update::Synced { at: super::now(), fetched: r.fetched, removed: r.removed }).await;
            }
            Err(e) => {
                let failure = Failure::from(e);
                if failure.is_offline() {
                    self.offline = true;
                    self.emit(Update::Offline { reason: failure }).await;
                } else {
                    self.emit(Update::Error { message: failure }).await;
                }
            }
        }
        let listed = self.changed().await;
        // The Schedule-Tags a first sync leaves out, read once the window
        // shows the lists: the person does not wait for them.
        if !self.offline
            && let Err(e) = self.engine.read_schedule_tags(&listed).await
        {
            tracing::warn!("Schedule-Tags not read (a reply reads its copy first): {e}");
        }
    }

    /// An organizer's conflict: "keep mine on top of theirs" is
    /// `SendOnNewVersion`; "keep theirs" (and "edit again") is `Discard`.
    async fn resolve_event(&mut self, uid: &str, resolution: Resolution) {
        let result = match resolution {
            Resolution::Discard => self.engine.discard_event(uid).map(|()| false),
            Resolution::SendOnNewVersion | Resolution::ChangeAnswer { .. } => {
                self.engine.resend_event(uid).map(|_| true)
            }
        };
        match result {
            Ok(true) => self.send_changes(vec![uid.to_owned()]).await,
            Ok(false) => {
                self.changed().await;
            }
            Err(e) => self.emit(Update::EventFailed { uid: uid.to_owned(), error: e.into() }).await,
        }
    }

    async fn flush(&mut self) {
        let waiting: Vec<String> = match self.engine.outbox() {
            Ok(list) => list.into_iter().filter(|e| e.is_waiting()).map(|e| e.uid).collect(),
            Err(e) => return self.emit(Update::Error { message: e.into() }).await,
        };
        for uid in waiting {
            if !self.send(&uid).await {
                return;
            }
        }
        let changes: Vec<String> = match self.engine.event_outbox() {
            Ok(list) => list.into_iter().filter(|e| e.is_waiting()).map(|e| e.uid).collect(),
            Err(e) => return self.emit(Update::Error { message: e.into() }).await,
        };
        for uid in changes {
            if !self.send_event(&uid).await {
                return;
            }
        }
    }

    /// Returns false when offline (stop sending for now).
    async fn send(&mut self, uid: &str) -> bool {
        self.emit(Update::Sending { uid: uid.to_owned() }).await;
        let outcome = match self.engine.send(uid).await {
            Ok(o) => o,
            Err(e) => {
                self.emit(Update::ReplyFailed { uid: uid.to_owned(), error: e.into() }).await;
                return true;
            }
        };
        let uid = uid.to_owned();
        match outcome {
            Outcome::Sent { .. } => {
                self.went_online().await;
                self.emit(Update::Replied { uid }).await;
            }
            Outcome::Pending { error, offline } => {
                self.emit(Update::ReplyPending { uid, reason: error.clone() }).await;
                if offline {
                    self.offline = true;
                    self.emit(Update::Offline { reason: error }).await;
                    return false;
                }
            }
            Outcome::Conflict { diff, .. } => self.emit(Update::Conflict { uid, diff }).await,
            Outcome::Failed { error } => self.emit(Update::ReplyFailed { uid, error }).await,
        }
        true
    }

    async fn reply(
        &mut self,
        uid: &str,
        answer: Answer,
        comment: Option<String>,
        occurrence: Option<String>,
        as_address: Option<String>,
        silent: bool,
    ) {
        if let Err(e) = self.engine.queue(uid, answer, comment, occurrence, as_address.as_deref(), silent) {
            return self.emit(Update::ReplyFailed { uid: uid.to_owned(), error: e.into() }).await;
        }
        self.changed().await;
        self.send(uid).await;
        self.changed().await;
    }

    async fn delegate(&mut self, uid: &str, to: &str, comment: Option<String>) {
        if let Err(e) = self.engine.queue_delegation(uid, to, comment, None) {
            return self.emit(Update::ReplyFailed { uid: uid.to_owned(), error: e.into() }).await;
        }
        self.changed().await;
        self.send(uid).await;
        self.changed().await;
    }

    async fn create_event(&mut self, draft: Draft) {
        match self.engine.queue_create(&draft) {
            Ok(entry) => self.send_changes(vec![entry.uid]).await,
            Err(e) => self.emit(Update::EventFailed { uid: String::new(), error: e.into() }).await,
        }
    }

    async fn edit_event(&mut self, url: Url, scope: Scope, before: Draft, after: Draft) {
        match self.engine.queue_edit(&url, scope, &before, &after) {
            Ok(uids) => self.send_changes(uids).await,
            Err(e) => self.emit(Update::EventFailed { uid: url.to_string(), error: e.into() }).await,
        }
    }

    async fn delete_event(&mut self, url: Url, scope: Scope, cancel_meeting: bool) {
        match self.engine.queue_delete(&url, scope, cancel_meeting) {
            Ok(uids) => self.send_changes(uids.into_iter().collect()).await,
            Err(e) => self.emit(Update::EventFailed { uid: url.to_string(), error: e.into() }).await,
        }
    }

    /// Queues the removal of a cancelled invitation and sends it unless
    /// offline (then it waits in the outbox for the next sync).
    async fn remove_cancelled(&mut self, uid: String) {
        if let Err(e) = self.engine.queue_remove(&uid) {
            return self.emit(Update::RemoveFailed { uid, error: e.into() }).await;
        }
        if self.offline {
            self.emit(Update::EventQueued { uid }).await;
        } else {
            match self.engine.send_event(&uid).await {
                Ok(EventOutcome::Saved { .. }) => {
                    self.went_online().await;
                    self.emit(Update::Removed { uid }).await;
                }
                Ok(EventOutcome::Queued { error, offline }) => {
                    self.emit(Update::EventQueued { uid }).await;
                    if offline {
                        self.offline = true;
                        self.emit(Update::Offline { reason: error }).await;
                    }
                }
                Ok(EventOutcome::Failed { error }) => self.emit(Update::RemoveFailed { uid, error }).await,
                // A removal has no fields that could clash.
                Ok(EventOutcome::Conflict { .. }) => {
                    self.emit(Update::RemoveFailed { uid, error: Cause::KeptChanging.into() }).await
                }
                Err(e) => self.emit(Update::RemoveFailed { uid, error: e.into() }).await,
            }
        }
        self.changed().await;
    }

    /// Sends the person's queued changes now (unless offline: they wait
    /// for the next sync, in order) and shows the result.
    async fn send_changes(&mut self, uids: Vec<String>) {
        for uid in uids {
            if self.offline {
                self.emit(Update::EventQueued { uid }).await;
                continue;
            }
            self.send_event(&uid).await;
        }
        self.changed().await;
    }

    /// Returns false when offline (stop sending for now).
    async fn send_event(&mut self, uid: &str) -> bool {
        let uid = uid.to_owned();
        let outcome = match self.engine.send_event(&uid).await {
            Ok(o) => o,
            Err(e) => {
                self.emit(Update::EventFailed { uid, error: e.into() }).await;
                return true;
            }
        };
        match outcome {
            EventOutcome::Saved { .. } => {
                self.went_online().await;
                self.emit(Update::EventSaved { uid }).await;
            }
            EventOutcome::Queued { error, offline } => {
                self.emit(Update::EventQueued { uid }).await;
                if offline {
                    self.offline = true;
                    self.emit(Update::Offline { reason: error }).await;
                    return false;
                }
            }
            EventOutcome::Conflict { clashes, .. } => self.emit(Update::EventConflict { uid, clashes }).await,
            EventOutcome::Failed { error } => self.emit(Update::EventFailed { uid, error }).await,
        }
        true
    }

    async fn resolve(&mut self, uid: &str, resolution: Resolution) {
        if self.engine.has_event_change(uid) {
            return self.resolve_event(uid, resolution).await;
        }
        let result = match resolution {
            Resolution::Discard => self.engine.discard(uid).map(|_| false),
            Resolution::SendOnNewVersion => self.engine.resend(uid, None, None).map(|_| true),
            Resolution::ChangeAnswer { answer, comment } => {
                self.engine.resend(uid, Some(answer), comment).map(|_| true)
            }
        };
        match result {
            Ok(true) => {
                self.send(uid).await;
            }
            Ok(false) => {}
            Err(e) => self.emit(Update::ReplyFailed { uid: uid.to_owned(), error: e.into() }).await,
        }
        self.changed().await;
    }
}
