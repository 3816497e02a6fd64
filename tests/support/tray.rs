//! A stand-in for the desktop's tray host: it owns
//! `org.kde.StatusNotifierWatcher` on a private bus and records the items
//! that register, as the StatusNotifierItem specification says a watcher
//! does; then it reads an item's properties and clicks its menu (over
//! com.canonical.dbusmenu) and icon as a tray would. And a virtual X
//! display (Xvfb) for the app's window, with the window manager's one
//! request the tests need: closing a window (WM_DELETE_WINDOW).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::sync::mpsc;
use zbus::message::Header;
use zbus::zvariant::{OwnedValue, Value};

use super::notifications::Bus;

struct Server {
    registered: mpsc::UnboundedSender<String>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Server {
    /// `service` is a bus name, or an object path on the caller's connection.
    fn register_status_notifier_item(&self, service: String, #[zbus(header)] header: Header<'_>) {
        let name = match (service.starts_with('/'), header.sender()) {
            (true, Some(sender)) => sender.to_string(),
            _ => service,
        };
        let _ = self.registered.send(name);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The stand-in watcher, and a connection to talk to the items with.
pub struct Watcher {
    _connection: zbus::Connection,
    pub registered: mpsc::UnboundedReceiver<String>,
}

impl Watcher {
    pub async fn serve(bus: &Bus) -> Watcher {
        let (tx, registered) = mpsc::unbounded_channel();
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", Server { registered: tx })
            .unwrap()
            .build()
            .await
            .unwrap();
        Watcher { _connection: connection, registered }
    }

    /// The next item to register, within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<String> {
        tokio::time::timeout(wait, self.registered.recv()).await.ok().flatten()
    }
}

/// A registered item, as the tray reads it.
pub struct Item {
    connection: zbus::Connection,
    pub name: String,
}

/// An icon's width, height and ARGB pixels, as the spec sends it.
pub type Pixmap = (i32, i32, Vec<u8>);
/// A dbusmenu layout node: id, properties, children (each a node in a variant).
type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

const ITEM: &str = "org.kde.StatusNotifierItem";
const ITEM_PATH: &str = "/StatusNotifierItem";
const MENU: &str = "com.canonical.dbusmenu";

impl Item {
    pub async fn at(bus: &Bus, name: &str) -> Item {
        let connection =
            zbus::connection::Builder::address(bus.address.as_str()).unwrap().build().await.unwrap();
        Item { connection, name: name.to_owned() }
    }

    async fn property(&self, name: &str) -> OwnedValue {
        let props = zbus::fdo::PropertiesProxy::builder(&self.connection)
            .destination(self.name.as_str())
            .unwrap()
            .path(ITEM_PATH)
            .unwrap()
            .build()
            .await
            .unwrap();
        props.get(ITEM.try_into().unwrap(), name).await.unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub async fn title(&self) -> String {
        String::try_from(self.property("Title").await).unwrap()
    }

    pub async fn status(&self) -> String {
        String::try_from(self.property("Status").await).unwrap()
    }

    /// The tooltip's title and description.
    pub async fn tooltip(&self) -> (String, String) {
        let (_icon, _pixmaps, title, text): (String, Vec<Pixmap>, String, String) =
            self.property("ToolTip").await.try_into().unwrap();
        (title, text)
    }

    /// The icon, and the one asking for attention: their sizes and pixels.
    pub async fn pixmaps(&self, which: &str) -> Vec<Pixmap> {
        self.property(which).await.try_into().unwrap()
    }

    async fn menu_path(&self) -> String {
        let path: zbus::zvariant::OwnedObjectPath = self.property("Menu").await.try_into().unwrap();
        path.to_string()
    }

    /// The menu's items: (id, label), separators as "".
    pub async fn menu(&self) -> Vec<(i32, String)> {
        let path = self.menu_path().await;
        let reply = self
            .connection
            .call_method(
                Some(self.name.as_str()),
                path.as_str(),
                Some(MENU),
                "GetLayout",
                &(0i32, -1i32, Vec::<&str>::new()),
            )
            .await
            .unwrap();
        let (_revision, (_id, _props, children)): (u32, Node) = reply.body().deserialize().unwrap();
        children
            .into_iter()
            .map(|child| {
                let (id, props, _): (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>) =
                    child.try_into().unwrap();
                let label = props.get("label").and_then(|l| String::try_from(l.try_clone().ok()?).ok());
                (id, label.unwrap_or_default())
            })
            .collect()
    }

    /// Clicks the menu item labelled `label`.
    pub async fn click(&self, label: &str) {
        let menu = self.menu().await;
        let id =
            menu.iter().find(|(_, l)| l == label).unwrap_or_else(|| panic!("no {label:?} in {menu:?}")).0;
        let path = self.menu_path().await;
        self.connection
            .call_method(
                Some(self.name.as_str()),
                path.as_str(),
                Some(MENU),
                "Event",
                &(id, "clicked", Value::I32(0), 0u32),
            )
            .await
            .unwrap();
    }

    /// A click on the icon itself.
    pub async fn activate(&self) {
        self.connection
            .call_method(Some(self.name.as_str()), ITEM_PATH, Some(ITEM), "Activate", &(0i32, 0i32))
            .await
            .unwrap();
    }

    /// Whether the item's name is still on the bus.
    pub async fn on_bus(&self) -> bool {
        let dbus = zbus::fdo::DBusProxy::new(&self.connection).await.unwrap();
        dbus.name_has_owner(self.name.as_str().try_into().unwrap()).await.unwrap()
    }
}

/// A virtual X display; stopped when dropped.
pub struct Display {
    child: Child,
    pub name: String,
}

impl Display {
    pub fn start() -> Display {
        // -noreset: by default Xvfb resets when its last client leaves, and
        // the app connecting just as a polling `xdotool` hangs up failed to
        // open the display.
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-noreset", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (Debian: xvfb) runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Display { child, name: format!(":{}", line.trim()) }
    }

    /// The app's windows on this display (by its application id).
    pub fn windows(&self) -> Vec<String> {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--classname", convene::paths::APP_ID])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xdotool (Debian: xdotool) runs");
        String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned).collect()
    }

    /// Asks `window` to close, as a window manager does for its close
    /// button: a WM_DELETE_WINDOW client message. `sync` waits for the
    /// server to have handled it: a client that only flushes and exits can
    /// hang up before the server reads the request, which is then dropped
    /// (seen under load: the app never got the message).
    pub fn close(&self, window: &str) {
        const SCRIPT: &str = "import sys\nfrom Xlib import display, X\nfrom Xlib.protocol import event\nd = display.Display()\nw = d.create_resource_object('window', int(sys.argv[1]))\nproto, delete = d.intern_atom('WM_PROTOCOLS'), d.intern_atom('WM_DELETE_WINDOW')\nw.send_event(event.ClientMessage(window=w, client_type=proto, data=(32, [delete, X.CurrentTime, 0, 0, 0])))\nd.sync()\n";
        // Debian's python, where its python3-xlib is (not a pyenv's).
        let status = Command::new("/usr/bin/python3")
            .args(["-c", SCRIPT, window])
            .env("DISPLAY", &self.name)
            .status()
            .expect("/usr/bin/python3 runs");
        assert!(status.success(), "python3-xlib (Debian: python3-xlib) sent WM_DELETE_WINDOW");
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
