//! A private D-Bus session (its own `dbus-daemon`) with a stand-in for the
//! desktop's notification server: it implements Notify,
//! CloseNotification and GetCapabilities ("actions") as the Desktop
//! Notifications Specification says, records what it was asked to show,
//! and emits ActionInvoked as a person pressing a button would.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::sync::mpsc;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

pub const PATH: &str = "/org/freedesktop/Notifications";

/// A session bus of our own, stopped when dropped.
pub struct Bus {
    child: Child,
    pub address: String,
}

impl Bus {
    pub fn start() -> Bus {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1", "--nopidfile"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian: dbus-daemon) runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Bus { child, address: line.trim().to_owned() }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Notify call as the server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    /// (key, label) pairs.
    pub actions: Vec<(String, String)>,
}

struct Server {
    next: u32,
    shown: mpsc::UnboundedSender<Shown>,
    closed: mpsc::UnboundedSender<u32>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next += 1;
            self.next
        };
        let actions =
            actions.chunks(2).map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default())).collect();
        let _ = self.shown.send(Shown { id, summary, body, actions });
        id
    }

    async fn close_notification(&mut self, id: u32, #[zbus(signal_emitter)] emitter: SignalEmitter<'_>) {
        let _ = self.closed.send(id);
        // Reason 3: closed by a call to CloseNotification.
        let _ = Self::notification_closed(&emitter, id, 3).await;
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("stand-in".into(), "convene tests".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action_key: &str) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(emitter: &SignalEmitter<'_>, id: u32, reason: u32) -> zbus::Result<()>;
}

/// The stand-in, owning `org.freedesktop.Notifications` on `bus`.
pub struct Notifications {
    connection: zbus::Connection,
    pub shown: mpsc::UnboundedReceiver<Shown>,
    pub closed: mpsc::UnboundedReceiver<u32>,
}

impl Notifications {
    pub async fn serve(bus: &Bus) -> Notifications {
        let (tx, shown) = mpsc::unbounded_channel();
        let (ctx, closed) = mpsc::unbounded_channel();
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at(PATH, Server { next: 0, shown: tx, closed: ctx })
            .unwrap()
            .build()
            .await
            .unwrap();
        Notifications { connection, shown, closed }
    }

    /// The next notification shown, within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Shown> {
        tokio::time::timeout(wait, self.shown.recv()).await.ok().flatten()
    }

    /// A person pressing the button `key` of notification `id`.
    pub async fn press(&self, id: u32, key: &str) {
        let emitter = SignalEmitter::new(&self.connection, PATH).unwrap();
        Server::action_invoked(&emitter, id, key).await.unwrap();
    }
}
