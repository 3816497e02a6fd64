//! Everything that needs no server, no root and no network beyond
//! in-process stubs on 127.0.0.1: golden fixtures, stubbed HTTP faults, the
//! UI's update loop, and the checks that keep the code base honest. Plain
//! `cargo test` runs this (with the unit tests); tests/live needs servers.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod autostart;
mod check_server;
mod cli_lock;
mod closed_stdout;
mod conflicts;
mod fidelity;
mod fixtures_parse;
mod fuzz;
mod http_faults;
mod import_stub;
mod keep_theirs;
mod layering;
mod live_gate;
mod mailed_file;
#[cfg(target_os = "linux")]
mod reminders;
mod ui_calendar;
mod ui_delegate;
mod ui_details;
mod ui_dont_send;
mod ui_editor;
mod ui_editor_changes;
mod ui_invitation_view;
mod ui_mailed;
mod ui_update;
mod work_account;
