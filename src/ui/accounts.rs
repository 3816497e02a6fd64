//! The accounts page: each account's server, what its server can be relied
//! on for (the capability record in words), aliases, and removal.

use std::collections::BTreeMap;

use iced::widget::{button, checkbox, column, container, pick_list, row, rule, scrollable, text, text_input};
use iced::{Element, Fill, Task};

use super::{AccountState, style};
use crate::account::{AccountError, Accounts};
use crate::config::{Config, ReminderSettings};
use crate::paths::Paths;

#[derive(Debug, Clone)]
pub enum Message {
    AliasChanged(String, String),
    AddAlias(String),
    RemoveAlias(String, String),
    Remove(String),
    AddAccount,
    DefaultReminder(DefaultReminder),
    InvitationLeads(InvitationLeads),
    StartAtLogin(bool),
    CloseToTray(bool),
}

/// The settings about the desktop, as the app knows them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Desktop {
    /// None where starting at login is not offered.
    pub start_at_login: Option<bool>,
    /// Keeping running in the tray when the window is closed, and whether
    /// a tray shows Convene now; None where it is not offered.
    pub close_to_tray: Option<(bool, bool)>,
}

/// A choice of the default reminder: none, or minutes before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultReminder(pub Option<i64>);

impl std::fmt::Display for DefaultReminder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(m) => f.write_str(&super::editor::reminder_words(m)),
        }
    }
}

/// When unanswered invitations are announced again: minutes before the
/// start, none for never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLeads(pub Vec<i64>);

impl std::fmt::Display for InvitationLeads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("Never");
        }
        let words: Vec<String> = self.0.iter().map(|m| super::editor::reminder_words(*m)).collect();
        f.write_str(&words.join(" and "))
    }
}

/// The choices offered, and the one in the config file if it is another.
fn invitation_choices(current: &[i64]) -> Vec<InvitationLeads> {
    let mut out: Vec<InvitationLeads> =
        [&[1440, 60][..], &[1440], &[60], &[15], &[]].iter().map(|l| InvitationLeads(l.to_vec())).collect();
    if !out.iter().any(|c| c.0 == current) {
        out.insert(0, InvitationLeads(current.to_vec()));
    }
    out
}

#[derive(Debug, Default)]
pub struct Page {
    alias_input: BTreeMap<String, String>,
}

/// What the app must act on (the config and the actors are its own).
pub enum Event {
    AddAccount,
    DefaultReminder(Option<i64>),
    InvitationLeads(Vec<i64>),
    StartAtLogin(bool),
    CloseToTray(bool),
    AddAlias(String, String),
    RemoveAlias(String, String),
    Remove(String),
}

impl Page {
    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::AliasChanged(name, v) => {
                self.alias_input.insert(name, v);
                None
            }
            Message::AddAlias(name) => {
                let alias = self.alias_input.remove(&name).unwrap_or_default().trim().to_owned();
                (!alias.is_empty()).then(|| {
                    let alias = if alias.contains(':') { alias } else { format!("mailto:{alias}") };
                    Event::AddAlias(name, alias)
                })
            }
            Message::RemoveAlias(name, alias) => Some(Event::RemoveAlias(name, alias)),
            Message::Remove(name) => Some(Event::Remove(name)),
            Message::AddAccount => Some(Event::AddAccount),
            Message::DefaultReminder(choice) => Some(Event::DefaultReminder(choice.0)),
            Message::InvitationLeads(choice) => Some(Event::InvitationLeads(choice.0)),
            Message::StartAtLogin(on) => Some(Event::StartAtLogin(on)),
            Message::CloseToTray(on) => Some(Event::CloseToTray(on)),
        };
        (Task::none(), event)
    }

    /// `reminders` and `desktop`: the app's settings, shown here with the
    /// accounts.
    pub fn view<'a>(
        &'a self,
        accounts: &'a [AccountState],
        reminders: &ReminderSettings,
        desktop: Desktop,
    ) -> Element<'a, Message> {
        view(self, accounts, reminders, desktop)
    }
}

fn view<'a>(
    page: &'a Page,
    accounts: &'a [AccountState],
    reminders: &ReminderSettings,
    desktop: Desktop,
) -> Element<'a, Message> {
    let reminder = reminders.default_before;
    let choices: Vec<DefaultReminder> = std::iter::once(DefaultReminder(None))
        .chain(super::editor::REMINDERS.iter().map(|m| DefaultReminder(Some(*m))))
        .collect();
    let setting = row![
        text("Default reminder for new events and accepted invitations"),
        container(pick_list(choices, Some(DefaultReminder(reminder)), Message::DefaultReminder))
            .id("default-reminder"),
    ]
    .spacing(style::SPACE_M)
    .align_y(iced::Center);
    let current = InvitationLeads(reminders.invitation_before.clone());
    let again = row![
        text("Announce unanswered invitations again"),
        container(pick_list(
            invitation_choices(&reminders.invitation_before),
            Some(current),
            Message::InvitationLeads
        ))
        .id("invitation-before"),
    ]
    .spacing(style::SPACE_M)
    .align_y(iced::Center);
    let mut col = column![
        row![
            text("Accounts").size(22).width(Fill),
            container(button(text("Add account")).on_press(Message::AddAccount)).id("add-account"),
        ],
        setting,
        again,
    ]
    .spacing(12);
    if let Some(on) = desktop.start_at_login {
        let toggle = checkbox(on).label("Start Convene at login").on_toggle(Message::StartAtLogin);
        col = col.push(container(toggle).id("start-at-login"));
    }
    if let Some((on, shown)) = desktop.close_to_tray {
        let toggle = checkbox(on)
            .label("Keep running in the tray when the window is closed")
            .on_toggle(Message::CloseToTray);
        col = col.push(container(toggle).id("close-to-tray"));
        if on && !shown {
            col = col.push(
                text("This desktop shows no tray: closing the window quits Convene.").style(style::muted),
            );
        }
    }
    for a in accounts {
        let acc = &a.account;
        let mut card = column![
            text(&acc.name).size(18),
            text(format!("{} as {}", acc.url, acc.user)).style(style::muted),
        ]
        .spacing(6);
        if let Some(ca) = &acc.ca_file {
            card = card.push(text(format!("Trusts the certificate in {}", ca.display())));
        }
        match &a.capabilities {
            Some(c) => {
                card = card.push(text(format!("Server: {}", c.server.describe())));
                card = card.push(text(format!("• {}", c.reply_protection())));
                card = card.push(text(format!("• {}", c.import_suppression())));
                if c.occurrence_replies.value == Some(false) {
                    card = card
                        .push(text("• this server can't pass an answer for one occurrence to the organizer"));
                }
                // Measured facts share one note on the server: it is
                // written out once, at its first line.
                let mut said: Vec<&str> = Vec::new();
                for (name, fact) in c.lines() {
                    let v = match fact.value {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "unknown",
                    };
                    let why = if said.contains(&fact.why.as_str()) {
                        "as measured (above)"
                    } else {
                        said.push(&fact.why);
                        &fact.why
                    };
                    card = card.push(text(format!("{name}: {v} — {why}")).size(12).style(style::muted));
                }
            }
            None => card = card.push(text("Not connected yet.")),
        }
        card = card.push(rule::horizontal(1));
        card = card.push(text("Other addresses you are invited under"));
        for alias in &acc.aliases {
            card = card.push(row![
                text(alias).width(Fill),
                button(text("Remove"))
                    .on_press(Message::RemoveAlias(acc.name.clone(), alias.clone()))
                    .style(button::text),
            ]);
        }
        let typed = page.alias_input.get(&acc.name).cloned().unwrap_or_default();
        let name = acc.name.clone();
        card = card.push(
            row![
                text_input("another address, e.g. me@old.example.com", &typed)
                    .id(format!("alias-{}", acc.name))
                    .on_input(move |v| Message::AliasChanged(name.clone(), v))
                    .on_submit(Message::AddAlias(acc.name.clone())),
                button(text("Add")).on_press(Message::AddAlias(acc.name.clone())),
            ]
            .spacing(6),
        );
        card = card.push(
            container(
                button(text("Remove this account"))
                    .on_press(Message::Remove(acc.name.clone()))
                    .style(button::danger),
            )
            .id(format!("remove-{}", acc.name)),
        );
        col = col.push(container(card).padding(12).style(container::rounded_box).width(Fill));
    }
    scrollable(col).height(Fill).into()
}

/// Forgets an account for good: its config entry, keyring entry and local
/// files (cache, outbox). Runs in a Task.
pub async fn remove(paths: Paths, name: String) -> Result<(), String> {
    blocking(paths, move |accounts| accounts.remove(&name).map(drop)).await
}

/// Saves an added alias. Runs in a Task.
pub async fn add_alias(paths: Paths, name: String, alias: String) -> Result<(), String> {
    blocking(paths, move |accounts| accounts.add_alias(&name, &alias).map(drop)).await
}

/// Saves a removed alias. Runs in a Task.
pub async fn remove_alias(paths: Paths, name: String, alias: String) -> Result<(), String> {
    blocking(paths, move |accounts| accounts.remove_alias(&name, &alias).map(drop)).await
}

/// Writes the default reminder into the config file.
pub async fn save_default_reminder(paths: Paths, minutes: Option<i64>) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        Config::edit(&paths.config_file(), |c| c.reminders.default_before = minutes)
            .map_err(|e| format!("The default reminder was not saved: {e:#}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Writes or removes the autostart entry; whether it is on afterwards.
pub async fn set_start_at_login(paths: Paths, on: bool) -> Result<bool, String> {
    tokio::task::spawn_blocking(move || match crate::autostart::Autostart::here(&paths) {
        Some(a) => a.set(on),
        None => Err("Starting at login is not offered on this system.".into()),
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Writes whether closing the window keeps Convene in the tray into the config file.
pub async fn save_close_to_tray(paths: Paths, on: bool) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        Config::edit(&paths.config_file(), |c| c.window.close_to_tray = on)
            .map_err(|e| format!("The tray setting was not saved: {e:#}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Writes when unanswered invitations are announced again into the config file.
pub async fn save_invitation_leads(paths: Paths, leads: Vec<i64>) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        Config::edit(&paths.config_file(), |c| c.reminders.invitation_before = leads)
            .map_err(|e| format!("The invitation reminder setting was not saved: {e:#}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn blocking(
    paths: Paths,
    f: impl FnOnce(&Accounts) -> Result<(), AccountError> + Send + 'static,
) -> Result<(), String> {
    tokio::task::spawn_blocking(move || f(&Accounts::new(paths)).map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_lead_choices_read_as_words_and_keep_a_hand_written_one() {
        let words: Vec<String> = invitation_choices(&[1440, 60]).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            words,
            ["1 day before and 1 hour before", "1 day before", "1 hour before", "15 minutes before", "Never"]
        );
        let custom = invitation_choices(&[120, 10]);
        assert_eq!(custom[0].to_string(), "2 hours before and 10 minutes before", "the file's own, first");
        assert_eq!(custom.len(), 6);
    }
}
