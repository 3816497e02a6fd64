//! Systems without a notification client or tray icon yet (Windows toasts
//! and its notification-area icon are to come).

use tokio::sync::mpsc;

use super::{Answer, Error, Look, Notice, Signal};

#[derive(Clone)]
pub struct Notifier;

fn missing() -> Error {
    Error("not built for this system yet".into())
}

impl Notifier {
    pub async fn session() -> Result<Notifier, Error> {
        Err(missing())
    }

    pub async fn at(_address: &str) -> Result<Notifier, Error> {
        Err(missing())
    }

    pub async fn has_actions(&self) -> bool {
        false
    }

    pub async fn show(&self, _notice: &Notice, _replaces: u32) -> Result<u32, Error> {
        Err(missing())
    }

    pub async fn close(&self, _id: u32) -> Result<(), Error> {
        Err(missing())
    }

    pub async fn answers(&self) -> Result<mpsc::UnboundedReceiver<Answer>, Error> {
        Err(missing())
    }
}

/// No tray icon: closing the window quits.
pub struct Tray;

impl Tray {
    pub async fn spawn(
        _look: Look,
        _icon: Option<(Vec<u8>, u32)>,
    ) -> Result<(Tray, mpsc::UnboundedReceiver<Signal>), Error> {
        Err(missing())
    }

    pub fn shown(&self) -> bool {
        false
    }

    pub async fn show(&self, _look: Look) {}
}
