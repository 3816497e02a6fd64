//! Convene: a desktop CalDAV calendar that never loses anybody's change.
//!
//! # Layers
//!
//! Each module uses only modules listed below it in [`LAYERS`]; a test
//! (`tests/hermetic/layering.rs`) checks every `crate::` path in `src/`
//! against that table, so an upward import fails with the rule it breaks.
//! Only `ui` knows iced: everything under it runs and tests without a
//! display.
//!
//! | layer     | what it is |
//! |-----------|------------|
//! | `cli`     | the command line; `convene` with no command opens the window |
//! | `ui`      | iced only: the app (a router), screens, dialogs, notifications; talks to the sync actor by messages |
//! | `notices` | the app's notifications without a window: reminders and invitations with buttons, turned into `Control` messages |
//! | `autostart` | "Start at login": the profile's XDG autostart entry, written or removed |
//! | `layout`  | where day, week and month views put their events (boxes, overlap columns, all-day lanes, month chips): pure functions, no display |
//! | `account` | adding, removing and changing accounts: one name rule and one order of keyring and config writes for `cli` and `ui` |
//! | `sync`    | one actor per account (`Control` in, `Update` out) that owns all network I/O; the engine: sync, reply sending, import runs |
//! | `import`  | `.ics` import: reading files, the scheduling plan per server, the journalled run, the report |
//! | `store`   | on disk: the cache (SQLite, with a time-range index) and the durable outbox (atomic writes, format versions), account locks |
//! | `config`, `secret` | settings (TOML, never a password); the keyring and password commands |
//! | `reminder` | when each VALARM rings, per occurrence, and what was missed: a pure function of the events, the dismissals and the time |
//! | `desktop` | desktop notifications with actions (org.freedesktop.Notifications over D-Bus): show, close, and the person's answers; the tray icon (a StatusNotifierItem: what it shows, what was clicked); a new mail with a file attached (xdg-email) |
//! | `ical`    | iCalendar: who am I, the byte-faithful reply edit, the change diff, occurrences |
//! | `caldav`  | the protocol: sans-IO operations, one reqwest client, hardened XML, capabilities, quirks |
//! | `paths`   | platform directories or `--profile`, atomic writes |

pub mod account;
pub mod autostart;
pub mod caldav;
pub mod cli;
pub mod config;
pub mod desktop;
pub mod ical;
pub mod import;
pub mod layout;
pub mod notices;
pub mod paths;
pub mod reminder;
pub mod secret;
pub mod store;
pub mod sync;
pub mod ui;

/// Which module may use which, top to bottom: a module may use only modules
/// listed after it.
pub const LAYERS: &[(&str, &[&str])] = &[
    (
        "cli",
        &[
            "ui",
            "notices",
            "autostart",
            "layout",
            "account",
            "sync",
            "import",
            "store",
            "config",
            "secret",
            "reminder",
            "desktop",
            "ical",
            "caldav",
            "paths",
        ],
    ),
    (
        "ui",
        &[
            "notices",
            "autostart",
            "layout",
            "account",
            "sync",
            "import",
            "store",
            "config",
            "secret",
            "reminder",
            "desktop",
            "ical",
            "caldav",
            "paths",
        ],
    ),
    ("notices", &["sync", "reminder", "desktop", "ical"]),
    ("autostart", &["paths"]),
    ("layout", &["ical"]),
    ("account", &["store", "config", "secret", "caldav", "paths"]),
    ("sync", &["import", "store", "config", "secret", "ical", "caldav", "paths"]),
    ("import", &["store", "ical", "caldav"]),
    ("store", &["ical", "caldav", "paths"]),
    ("config", &["paths"]),
    ("secret", &["caldav", "paths"]),
    ("reminder", &["desktop", "ical"]),
    ("desktop", &["paths"]),
    ("ical", &[]),
    ("caldav", &[]),
    ("paths", &[]),
];

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
