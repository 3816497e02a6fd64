//! What the window knows, shared by the sub-screens: the accounts as their
//! actors report them, and the small types that name things across screens.

use std::collections::BTreeSet;

use tokio::sync::mpsc;

use crate::caldav::{Calendar, Capabilities, Password};
use crate::config::Account;
use crate::sync::{AgendaItem, Control, Listing, SyncProgress};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Invitations,
    Calendar,
    Accounts,
    AddAccount,
    Import,
}

/// Answer the whole series, or one occurrence (its RECURRENCE-ID).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Occurrence(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Syncing,
    Synced(i64),
    Offline(String),
    Stopped,
}

/// Everything the UI knows about one account.
#[derive(Debug)]
pub struct AccountState {
    pub account: Account,
    pub password: Option<Password>,
    pub control: Option<mpsc::Sender<Control>>,
    pub capabilities: Option<Box<Capabilities>>,
    /// Calendars that take events, and the addresses the user may act as.
    pub calendars: Vec<Calendar>,
    pub addresses: Vec<String>,
    pub invitations: Vec<Listing>,
    pub agenda: Vec<AgendaItem>,
    /// The addresses in the cached events, with how many events each is in.
    pub people: Vec<(String, usize)>,
    pub status: Status,
    /// How far the running sync has come, while it runs.
    pub progress: Option<SyncProgress>,
    /// UIDs whose answer is on its way to the server.
    pub sending: BTreeSet<String>,
}

impl AccountState {
    /// The account "work" at dav.example.com, not connected: for tests.
    #[cfg(test)]
    pub(super) fn example() -> Self {
        let account = Account {
            name: "work".into(),
            url: "https://dav.example.com/".parse().unwrap(),
            user: "me".into(),
            ca_file: None,
            allow_insecure_http: false,
            password_command: None,
            aliases: Vec::new(),
        };
        AccountState::new(account, None)
    }

    pub(super) fn new(account: Account, password: Option<Password>) -> Self {
        AccountState {
            account,
            password,
            control: None,
            capabilities: None,
            calendars: Vec::new(),
            addresses: Vec::new(),
            invitations: Vec::new(),
            agenda: Vec::new(),
            people: Vec::new(),
            status: Status::Connecting,
            progress: None,
            sending: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub id: u64,
    pub text: String,
}

/// Which invitation: account name and UID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub account: String,
    pub uid: String,
}

/// All invitations, across accounts, in list order (pending first).
pub fn listings(accounts: &[AccountState]) -> Vec<(&str, &Listing)> {
    let mut all: Vec<(&str, &Listing)> = accounts
        .iter()
        .flat_map(|a| a.invitations.iter().map(move |l| (a.account.name.as_str(), l)))
        .collect();
    all.sort_by_key(|(_, l)| l.order());
    all
}

pub fn listing<'a>(accounts: &'a [AccountState], key: &Key) -> Option<&'a Listing> {
    let account = accounts.iter().find(|a| a.account.name == key.account)?;
    account.invitations.iter().find(|l| l.invitation.uid == key.uid)
}
