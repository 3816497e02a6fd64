//! A client of the Desktop Notifications Specification: Notify with
//! actions, CloseNotification, and the ActionInvoked / NotificationClosed
//! signals, forwarded to a channel the caller reads.

use std::collections::HashMap;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use zbus::zvariant::Value;

use super::{Answer, Error, Notice};

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    fn close_notification(&self, id: u32) -> zbus::Result<()>;

    fn get_capabilities(&self) -> zbus::Result<Vec<String>>;

    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

/// A connection to the notification server.
#[derive(Clone)]
pub struct Notifier {
    proxy: NotificationsProxy<'static>,
}

impl Notifier {
    /// The session bus's notification server.
    pub async fn session() -> Result<Notifier, Error> {
        Self::on(zbus::Connection::session().await?).await
    }

    /// The server on the bus at `address` (a test's private bus).
    pub async fn at(address: &str) -> Result<Notifier, Error> {
        Self::on(zbus::connection::Builder::address(address)?.build().await?).await
    }

    async fn on(connection: zbus::Connection) -> Result<Notifier, Error> {
        Ok(Notifier { proxy: NotificationsProxy::new(&connection).await? })
    }

    /// Whether the server shows buttons at all (some, like a bare
    /// notify-osd, don't: the app's window is then the only place to act).
    pub async fn has_actions(&self) -> bool {
        self.proxy.get_capabilities().await.is_ok_and(|c| c.iter().any(|c| c == "actions"))
    }

    /// Shows `notice` (replacing notification `replaces` when not 0); the
    /// server's id for it.
    pub async fn show(&self, notice: &Notice, replaces: u32) -> Result<u32, Error> {
        let actions: Vec<&str> = notice.actions.iter().flat_map(|(k, l)| [k.as_str(), l.as_str()]).collect();
        let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
        hints.insert("desktop-entry", Value::from(crate::paths::APP_ID));
        if notice.resident {
            hints.insert("resident", Value::from(true));
            hints.insert("urgency", Value::from(2u8));
        }
        let timeout = if notice.resident { 0 } else { -1 };
        Ok(self
            .proxy
            .notify(
                "Convene",
                replaces,
                crate::paths::APP_ID,
                &notice.summary,
                &notice.body,
                &actions,
                hints,
                timeout,
            )
            .await?)
    }

    pub async fn close(&self, id: u32) -> Result<(), Error> {
        Ok(self.proxy.close_notification(id).await?)
    }

    /// The person's answers, until the connection ends. The signals are
    /// subscribed to before this returns, so none after it is lost.
    pub async fn answers(&self) -> Result<mpsc::UnboundedReceiver<Answer>, Error> {
        let mut invoked = self.proxy.receive_action_invoked().await?;
        let mut closed = self.proxy.receive_notification_closed().await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let answer = tokio::select! {
                    Some(s) = invoked.next() => match s.args() {
                        Ok(a) => Answer::Action { id: a.id, key: a.action_key },
                        Err(_) => continue,
                    },
                    Some(s) = closed.next() => match s.args() {
                        Ok(a) => Answer::Closed { id: a.id, reason: a.reason },
                        Err(_) => continue,
                    },
                    else => break,
                };
                if tx.send(answer).is_err() {
                    break;
                }
            }
        });
        Ok(rx)
    }
}

impl From<zbus::Error> for Error {
    fn from(e: zbus::Error) -> Self {
        Error(e.to_string())
    }
}
