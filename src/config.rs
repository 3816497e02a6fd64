//! Settings in TOML: accounts and their options, and what the calendar
//! shows. Never a password.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::paths::write_atomic;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, rename = "account")]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub calendar: CalendarSettings,
    #[serde(default)]
    pub reminders: ReminderSettings,
    #[serde(default)]
    pub window: WindowSettings,
}

/// What closing the window does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSettings {
    /// Where the desktop has a tray, Convene keeps running there (syncing,
    /// reminding) when its window is closed; elsewhere closing quits.
    #[serde(default = "yes")]
    pub close_to_tray: bool,
}

fn yes() -> bool {
    true
}

impl Default for WindowSettings {
    fn default() -> Self {
        WindowSettings { close_to_tray: true }
    }
}

/// Reminders the person wants without asking each time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// Minutes before the start that a new event's reminder rings; none
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_before: Option<i64>,
    /// Minutes before the start that an invitation still unanswered is
    /// announced again; empty: never.
    #[serde(default = "invitation_before")]
    pub invitation_before: Vec<i64>,
}

/// A day before and an hour before.
fn invitation_before() -> Vec<i64> {
    vec![1440, 60]
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings { default_before: None, invitation_before: invitation_before() }
    }
}

/// What the calendar screen shows, kept across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSettings {
    #[serde(default)]
    pub view: View,
    /// The day the view was on (the first day of a week), if ever moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<chrono::NaiveDate>,
    /// Calendar collections whose events are not drawn.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub hidden: BTreeSet<Url>,
}

/// The calendar's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    #[default]
    Agenda,
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Short name used on the command line (`--account`).
    pub name: String,
    pub url: Url,
    pub user: String,
    /// Extra CA or certificate to trust for this server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Plain http:// to a non-loopback host: only when the user insisted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_insecure_http: bool,
    /// Run to get the password instead of the keyring (e.g. `pass show dav`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_command: Option<String>,
    /// Other addresses the user is invited under.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} is not a valid Convene config: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = toml::to_string_pretty(self)?;
        write_atomic(path, text.as_bytes())?;
        Ok(())
    }

    /// Changes the file on disk as `change` says, keeping whatever else
    /// is in it now (another process may have added an account).
    pub fn edit(path: &Path, change: impl FnOnce(&mut Config)) -> anyhow::Result<()> {
        let mut config = Config::load(path)?;
        change(&mut config);
        config.save(path)
    }

    pub fn account(&self, name: Option<&str>) -> anyhow::Result<&Account> {
        match name {
            Some(n) => self
                .accounts
                .iter()
                .find(|a| a.name == n)
                .ok_or_else(|| anyhow::anyhow!("no account named {n:?}")),
            None if self.accounts.len() == 1 => Ok(&self.accounts[0]),
            None if self.accounts.is_empty() => {
                Err(anyhow::anyhow!("no account yet: add one with `convene account add`"))
            }
            None => Err(anyhow::anyhow!("several accounts: choose one with --account NAME")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let cfg = Config {
            accounts: vec![Account {
                name: "work".into(),
                url: Url::parse("https://dav.example.com/").unwrap(),
                user: "ann".into(),
                ca_file: Some("/etc/ca.pem".into()),
                allow_insecure_http: false,
                password_command: Some("pass show dav".into()),
                aliases: vec!["mailto:ann@old.example.com".into()],
            }],
            calendar: CalendarSettings {
                view: View::Week,
                date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
                hidden: [Url::parse("https://dav.example.com/cal/home/").unwrap()].into(),
            },
            reminders: ReminderSettings { default_before: Some(15), invitation_before: vec![] },
            window: WindowSettings { close_to_tray: false },
        };
        cfg.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), cfg);
        assert!(!std::fs::read_to_string(&path).unwrap().contains("password ="));
    }

    #[test]
    fn invitations_are_announced_again_a_day_and_an_hour_before_unless_turned_off() {
        let read = |text: &str| toml::from_str::<Config>(text).unwrap().reminders.invitation_before;
        assert_eq!(read(""), vec![1440, 60], "no file, no section");
        assert_eq!(read("[reminders]\ndefault_before = 10\n"), vec![1440, 60]);
        assert_eq!(read("[reminders]\ninvitation_before = []\n"), Vec::<i64>::new(), "off");
        assert_eq!(read("[reminders]\ninvitation_before = [30]\n"), vec![30]);
    }

    #[test]
    fn closing_the_window_keeps_convene_in_the_tray_unless_turned_off() {
        let read = |text: &str| toml::from_str::<Config>(text).unwrap().window.close_to_tray;
        assert!(read(""), "no file, no section");
        assert!(read("[window]\n"));
        assert!(!read("[window]\nclose_to_tray = false\n"));
    }

    #[test]
    fn a_broken_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "account = 3").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml"), "{err}");
    }
}
