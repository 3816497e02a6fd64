//! Systems without a notification client yet (Windows toasts are to come).

use tokio::sync::mpsc;

use super::{Answer, Error, Notice};

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
