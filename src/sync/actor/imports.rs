//! The actor's imports: prepared with the engine, then written in a task
//! of their own so syncing, answering and cancelling go on meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Actor, ImportTask};
use crate::import::{self, Report};
use crate::sync::failure::Cause;
use crate::sync::importing::ImportRequest;
use crate::sync::messages::Update;

impl Actor {
    /// Prepares the import here (it needs the engine, and a sync so the
    /// duplicates are current), then writes it in a task of its own so
    /// syncing, answering and cancelling go on meanwhile.
    pub(super) async fn start_import(&mut self, request: ImportRequest) -> Option<ImportTask> {
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

    pub(super) fn cancel_import(&self) {
        if let Some(cancel) = &self.import_cancel {
            cancel.store(true, Ordering::SeqCst);
        }
    }

    pub(super) async fn import_done(
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
}
