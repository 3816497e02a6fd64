//! The account actor: a tokio task that owns the engine (and so all of the
//! account's network I/O). The UI sends [`Control`] and receives [`Update`].

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use url::Url;

use super::engine::Engine;
use super::failure::{Cause, Failure};
use super::importing::ImportRequest;
use super::listing::{AgendaItem, Details, Listing};
use super::refresh::SyncProgress;
use super::send::Outcome;
use crate::caldav::{Calendar, Capabilities, Password};
use crate::config::Account;
use crate::ical::{Answer, Diff};
use crate::import::{self, Progress, Report};
use crate::paths::Paths;

#[derive(Debug, Clone)]
pub enum Control {
    SyncNow,
    Reply {
        uid: String,
        answer: Answer,
        comment: Option<String>,
        occurrence: Option<String>,
        as_address: Option<String>,
    },
    Resolve {
        uid: String,
        resolution: Resolution,
    },
    /// Which UIDs a calendar holds (the import preview's duplicates).
    ImportTarget {
        calendar: Url,
    },
    Import(Box<ImportRequest>),
    /// An event's details (answered by [`Update::Details`]).
    Details {
        url: Url,
        recurrence_id: Option<String>,
    },
    /// Stop the running import after the writes in flight.
    CancelImport,
    Shutdown,
}

/// The person's decision in the merge dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Send the same answer on the organizer's new version.
    SendOnNewVersion,
    /// Send a different answer on the new version.
    ChangeAnswer {
        answer: Answer,
        comment: Option<String>,
    },
    Discard,
}

#[derive(Debug, Clone)]
pub enum Update {
    /// The engine is open; the cache's invitations are shown at once.
    Ready {
        account: String,
        capabilities: Option<Box<Capabilities>>,
        invitations: Vec<Listing>,
    },
    Syncing,
    /// How far the running sync has come (a first sync of a big calendar
    /// takes seconds).
    SyncProgress(SyncProgress),
    Synced {
        at: i64,
        fetched: usize,
        removed: usize,
    },
    InvitationsChanged(Vec<Listing>),
    /// Every event occurrence from a month ago to a year ahead.
    Agenda(Vec<AgendaItem>),
    Sending {
        uid: String,
    },
    Replied {
        uid: String,
    },
    /// Not sent yet; it stays in the outbox and is retried.
    ReplyPending {
        uid: String,
        reason: Failure,
    },
    Conflict {
        uid: String,
        diff: Diff,
    },
    ReplyFailed {
        uid: String,
        error: Failure,
    },
    /// The calendars that take events, and the addresses the user may act as.
    Calendars {
        calendars: Vec<Calendar>,
        addresses: Vec<String>,
        capabilities: Option<Box<Capabilities>>,
    },
    TargetUids {
        calendar: Url,
        uids: HashSet<String>,
    },
    /// The details asked for; None when the event is no longer cached.
    Details {
        url: Url,
        details: Option<Box<Details>>,
    },
    ImportProgress(Progress),
    /// Err: the import did not start (or its journal failed), with why.
    ImportFinished(Result<Box<Report>, Failure>),
    Offline {
        reason: Failure,
    },
    Online,
    Error {
        message: Failure,
    },
    Stopped,
}

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
}

async fn run(settings: Settings, mut control: mpsc::Receiver<Control>, updates: mpsc::Sender<Update>) {
    let mut engine = {
        let (paths, account, password) =
            (settings.paths.clone(), settings.account.clone(), settings.password.clone());
        // Opening waits on a file lock and reads the cache: keep it off the runtime.
        match tokio::task::spawn_blocking(move || Engine::open(&paths, &account, password)).await {
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
    let mut actor = Actor { engine, updates, offline: false, import_cancel: None };
    // The running import's task; the import ends when the actor has seen it end.
    let mut import: Option<ImportTask> = None;
    let invitations = actor.engine.invitations().unwrap_or_default();
    actor
        .emit(Update::Ready {
            account: actor.engine.account.name.clone(),
            capabilities: actor.engine.capabilities().cloned().map(Box::new),
            invitations,
        })
        .await;
    actor.sync().await;
    let mut tick = tokio::time::interval(settings.every);
    tick.reset();
    let mut retry = tokio::time::interval(settings.retry);
    retry.reset();
    loop {
        tokio::select! {
            msg = control.recv() => match msg {
                None | Some(Control::Shutdown) => break,
                Some(Control::SyncNow) => actor.sync().await,
                Some(Control::Reply { uid, answer, comment, occurrence, as_address }) => {
                    actor.reply(&uid, answer, comment, occurrence, as_address).await
                }
                Some(Control::Resolve { uid, resolution }) => actor.resolve(&uid, resolution).await,
                Some(Control::ImportTarget { calendar }) => {
                    let uids = actor.engine.uids_in(&calendar).into_keys().collect();
                    actor.emit(Update::TargetUids { calendar, uids }).await
                }
                Some(Control::Import(request)) => {
                    if import.is_some() {
                        actor.emit(Update::ImportFinished(Err(Cause::ImportRunning.into()))).await;
                    } else {
                        import = actor.start_import(*request).await;
                    }
                }
                Some(Control::CancelImport) => actor.cancel_import(),
                Some(Control::Details { url, recurrence_id }) => {
                    let details = actor.engine.details(&url, recurrence_id.as_deref()).map(Box::new);
                    actor.emit(Update::Details { url, details }).await
                }
            },
            result = async { import.as_mut().expect("guarded by the condition").await }, if import.is_some() => {
                import = None;
                actor.import_done(result).await;
            }
            _ = tick.tick() => actor.sync().await,
            _ = retry.tick(), if actor.offline => actor.sync().await,
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

type ImportTask = tokio::task::JoinHandle<Result<Report, crate::store::StoreError>>;

impl Actor {
    async fn emit(&self, u: Update) {
        let _ = self.updates.send(u).await;
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

    async fn flush(&mut self) {
        let waiting: Vec<String> = match self.engine.outbox() {
            Ok(list) => list.into_iter().filter(|e| e.is_waiting()).map(|e| e.uid).collect(),
            Err(e) => return self.emit(Update::Error { message: e.into() }).await,
        };
        for uid in waiting {
            if !self.send(&uid).await {
                break;
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
    ) {
        if let Err(e) = self.engine.queue(uid, answer, comment, occurrence, as_address.as_deref()) {
            return self.emit(Update::ReplyFailed { uid: uid.to_owned(), error: e.into() }).await;
        }
        self.changed().await;
        self.send(uid).await;
        self.changed().await;
    }

    /// Prepares the import here (it needs the engine, and a sync so the
    /// duplicates are current), then writes it in a task of its own so
    /// syncing, answering and cancelling go on meanwhile.
    async fn start_import(&mut self, request: ImportRequest) -> Option<ImportTask> {
        self.sync().await;
        if self.offline {
            self.emit(Update::ImportFinished(Err(Cause::ImportOffline.into()))).await;
            return None;
        }
        let job = match self.engine.prepare_import(request) {
            Ok(job) => job,
            Err(e) => {
                self.emit(Update::ImportFinished(Err(e.into()))).await;
                return None;
            }
        };
        let cancel = Arc::new(AtomicBool::new(false));
        self.import_cancel = Some(cancel.clone());
        let (client, updates) = (self.engine.client().clone(), self.updates.clone());
        Some(tokio::spawn(async move {
            let mut shown = Instant::now();
            import::run::run(client, job, cancel, |p| {
                // A progress bar needs ten frames a second, not one per entry.
                if shown.elapsed() >= Duration::from_millis(100) || p.done == p.total {
                    let _ = updates.try_send(Update::ImportProgress(p.clone()));
                    shown = Instant::now();
                }
            })
            .await
        }))
    }

    fn cancel_import(&self) {
        if let Some(cancel) = &self.import_cancel {
            cancel.store(true, Ordering::SeqCst);
        }
    }

    async fn import_done(
        &mut self,
        result: Result<Result<Report, crate::store::StoreError>, tokio::task::JoinError>,
    ) {
        self.import_cancel = None;
        let outcome = match result {
            Ok(Ok(report)) => Ok(Box::new(report)),
            Ok(Err(e)) => Err(e.into()),
            Err(e) => Err(Cause::ImportStopped(e).into()),
        };
        self.emit(Update::ImportFinished(outcome)).await;
        // Show what was imported.
        self.sync().await;
    }

    async fn resolve(&mut self, uid: &str, resolution: Resolution) {
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
