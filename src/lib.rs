//! Convene: answer CalDAV meeting invitations without losing anybody's change.
//!
//! Layers depend downward only: `cli` → `config`/`secret`/`paths` → `caldav`.
//! `caldav` knows nothing of the app or the UI.

pub mod caldav;
pub mod cli;
pub mod config;
pub mod ical;
pub mod import;
pub mod paths;
pub mod secret;
pub mod store;
pub mod sync;
pub mod ui;

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
