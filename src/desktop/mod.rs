//! The desktop's notifications with buttons: `org.freedesktop.Notifications`
//! over the D-Bus session bus (Linux), and the tray icon (a
//! StatusNotifierItem). Knows nothing of calendars: a notice has a title,
//! a body and actions; the person's answers come back as [`Answer`]s; the
//! tray shows a [`Look`] and tells [`Signal`]s. Windows toasts and its
//! notification-area icon are not built yet: there, every call answers
//! [`Error`] and the app's window is the only place to act.

mod mail;
#[cfg(target_os = "linux")]
mod notifications;
#[cfg(target_os = "linux")]
mod tray;
#[cfg(not(target_os = "linux"))]
mod unsupported;

pub use mail::compose;
#[cfg(target_os = "linux")]
pub use notifications::Notifier;
#[cfg(target_os = "linux")]
pub use tray::Tray;
#[cfg(not(target_os = "linux"))]
pub use unsupported::{Notifier, Tray};

/// What to show. `actions` are (key, label) pairs; the key "default" is
/// the click on the notification's body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    pub actions: Vec<(String, String)>,
    /// Stays until answered (reminders, invitations) rather than expiring.
    pub resident: bool,
}

/// What the person did with a notification we showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Action {
        id: u32,
        key: String,
    },
    /// Dismissed, expired or closed by us (the spec's reason code).
    Closed {
        id: u32,
        reason: u32,
    },
}

/// No notification server (or none on this system): the app goes on
/// without notifications, so this is logged, never shown as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("desktop integration: {0}")]
pub struct Error(pub String);

/// What the tray icon shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub title: String,
    pub tooltip: String,
    /// The item asks for attention (its icon gets a dot).
    pub attention: bool,
}

impl Default for Look {
    fn default() -> Self {
        Look { title: "Convene".into(), tooltip: String::new(), attention: false }
    }
}

/// A click on the tray icon or its menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    Open,
    SyncNow,
    Quit,
}

/// What the tray tells: the person's click, or whether a tray shows the
/// item (the desktop's tray went away or came back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Action(TrayAction),
    Shown(bool),
}
