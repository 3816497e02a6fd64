//! The desktop's notifications with buttons: `org.freedesktop.Notifications`
//! over the D-Bus session bus (Linux). Knows nothing of calendars: a
//! notice has a title, a body and actions; the person's answers come back
//! as [`Answer`]s. Windows toasts are not built yet: there, every call
//! answers [`Error`] and the app's window is the only place to act.

mod mail;
#[cfg(target_os = "linux")]
mod notifications;
#[cfg(not(target_os = "linux"))]
mod unsupported;

pub use mail::compose;
#[cfg(target_os = "linux")]
pub use notifications::Notifier;
#[cfg(not(target_os = "linux"))]
pub use unsupported::Notifier;

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
#[error("desktop notifications: {0}")]
pub struct Error(pub String);
