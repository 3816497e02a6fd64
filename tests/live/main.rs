//! Tests against the real servers that `tests/servers/harness.sh start`
//! runs on 127.0.0.1 (Xandikos, Cyrus, DAViCal, Radicale). Every test here
//! is `#[ignore]`d with the reason `support::LIVE`, so a plain `cargo test`
//! lists them as ignored; `bash tests/all.sh` starts the servers and runs
//! them with `--include-ignored`.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod actor;
mod caldav;
mod check_server;
mod delegate;
mod dont_send;
mod fidelity;
mod first_sync;
mod identity;
mod import;
mod import_lost;
mod import_repairs;
#[cfg(target_os = "linux")]
mod instance;
mod invitation_kinds;
mod invitation_view;
#[cfg(target_os = "linux")]
mod invitations_again;
#[cfg(unix)] // its stand-in mail program is a shell script
mod mailed;
mod mailed_window;
#[cfg(target_os = "linux")]
mod notifications;
mod organizer;
mod outbox_crash;
mod read_only;
#[cfg(target_os = "linux")]
mod reminders;
mod repeats;
mod replies;
mod scheduling;
mod sync_cli;
#[cfg(target_os = "linux")]
mod tray;
mod ui_app;
