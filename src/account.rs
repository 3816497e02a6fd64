//! Adding, removing and changing accounts: the one set of rules the command
//! line and the window share. An account lives in three places: its entry
//! in the config, its password in the keyring (unless it has a password
//! command), and its local files (cache, outbox, import journals).
//!
//! - A name is used once: adding a name in use is refused
//!   ([`AccountError::NameInUse`]), never a silent replacement.
//! - Adding writes the keyring first, then the config; when the config
//!   can't be saved the keyring is put back as it was, so nothing
//!   half-written remains.
//! - Removing takes the entry out of the config first (from then on the
//!   account is gone), then its keyring entry and its local files.
//!
//! Everything here blocks (disk, keyring): the window calls it from a Task.

use std::sync::Arc;

use url::Url;

use crate::caldav::Password;
use crate::config::{Account, Config};
use crate::paths::Paths;
use crate::secret::{self, SecretError};
use crate::store::AccountFiles;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account named {0:?} exists already; remove it first to replace it")]
    NameInUse(String),
    #[error("no account named {0:?}")]
    NoSuchAccount(String),
    /// The keyring refused the password; nothing was saved.
    #[error(transparent)]
    Keyring(SecretError),
    #[error("{0}")]
    ConfigUnreadable(String),
    #[error("the settings were not saved: {0}")]
    ConfigNotSaved(String),
    #[error("{name} was removed, but its password is still in the keyring: {source}")]
    KeyringLeftover { name: String, source: SecretError },
    #[error("{name} was removed, but its local files could not be deleted: {source}")]
    FilesLeftover { name: String, source: std::io::Error },
}

/// The name an account gets when none is given: `USER@HOST`.
pub fn default_name(user: &str, url: &Url) -> String {
    format!("{user}@{}", url.host_str().unwrap_or("server"))
}

/// Refuses a name some account in `config` already has.
pub fn check_name_free(config: &Config, name: &str) -> Result<(), AccountError> {
    if config.accounts.iter().any(|a| a.name == name) {
        return Err(AccountError::NameInUse(name.to_owned()));
    }
    Ok(())
}

/// Adds `alias` to the account named `name` (once); returns the account.
pub fn add_alias_to<'a>(
    config: &'a mut Config,
    name: &str,
    alias: &str,
) -> Result<&'a Account, AccountError> {
    let account = find_mut(config, name)?;
    if !account.aliases.iter().any(|a| a == alias) {
        account.aliases.push(alias.to_owned());
    }
    Ok(account)
}

/// Takes `alias` off the account named `name`; returns the account.
pub fn remove_alias_from<'a>(
    config: &'a mut Config,
    name: &str,
    alias: &str,
) -> Result<&'a Account, AccountError> {
    let account = find_mut(config, name)?;
    account.aliases.retain(|a| a != alias);
    Ok(account)
}

fn find_mut<'a>(config: &'a mut Config, name: &str) -> Result<&'a mut Account, AccountError> {
    config
        .accounts
        .iter_mut()
        .find(|a| a.name == name)
        .ok_or_else(|| AccountError::NoSuchAccount(name.to_owned()))
}

/// Where passwords are kept: the OS keyring, or a stand-in in tests.
pub(crate) trait Keyring: Send + Sync {
    fn get(&self, user: &str, url: &Url) -> Result<Option<Password>, SecretError>;
    fn set(&self, user: &str, url: &Url, password: &Password) -> Result<(), SecretError>;
    fn delete(&self, user: &str, url: &Url) -> Result<(), SecretError>;
}

struct OsKeyring;

impl Keyring for OsKeyring {
    fn get(&self, user: &str, url: &Url) -> Result<Option<Password>, SecretError> {
        match secret::from_keyring(user, url) {
            Ok(p) => Ok(Some(p)),
            Err(SecretError::NotStored(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn set(&self, user: &str, url: &Url, password: &Password) -> Result<(), SecretError> {
        secret::store_in_keyring(user, url, password)
    }
    fn delete(&self, user: &str, url: &Url) -> Result<(), SecretError> {
        secret::delete_from_keyring(user, url)
    }
}

/// The accounts of one profile: its config file, the keyring, its files.
#[derive(Clone)]
pub struct Accounts {
    paths: Paths,
    keyring: Arc<dyn Keyring>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").field("paths", &self.paths).finish_non_exhaustive()
    }
}

impl Accounts {
    pub fn new(paths: Paths) -> Self {
        Accounts { paths, keyring: Arc::new(OsKeyring) }
    }

    #[cfg(test)]
    pub(crate) fn with_keyring(paths: Paths, keyring: Arc<dyn Keyring>) -> Self {
        Accounts { paths, keyring }
    }

    pub fn load(&self) -> Result<Config, AccountError> {
        Config::load(&self.paths.config_file()).map_err(|e| AccountError::ConfigUnreadable(format!("{e:#}")))
    }

    fn save(&self, config: &Config) -> Result<(), AccountError> {
        config.save(&self.paths.config_file()).map_err(|e| AccountError::ConfigNotSaved(format!("{e:#}")))
    }

    /// Refuses a name already in use, before any slow work (discovery).
    pub fn check_name_free(&self, name: &str) -> Result<(), AccountError> {
        check_name_free(&self.load()?, name)
    }

    /// Remembers a new account. With a password, it goes into the keyring
    /// first (an account with a password command has none to keep); if
    /// the keyring refuses it, nothing is saved ([`AccountError::Keyring`]).
    pub fn add(&self, account: Account, password: Option<&Password>) -> Result<(), AccountError> {
        let mut config = self.load()?;
        check_name_free(&config, &account.name)?;
        let previous = match password {
            Some(p) => {
                let previous = self.keyring.get(&account.user, &account.url).ok().flatten();
                self.keyring.set(&account.user, &account.url, p).map_err(AccountError::Keyring)?;
                Some(previous)
            }
            None => None,
        };
        let (user, url) = (account.user.clone(), account.url.clone());
        config.accounts.push(account);
        if let Err(e) = self.save(&config) {
            // Put the keyring back as it was: another account may share the entry.
            let _ = match previous {
                Some(Some(old)) => self.keyring.set(&user, &url, &old),
                Some(None) => self.keyring.delete(&user, &url),
                None => Ok(()),
            };
            return Err(e);
        }
        Ok(())
    }

    /// Forgets an account: its config entry, then its keyring entry (unless
    /// it uses a password command), then its local files. Returns it.
    pub fn remove(&self, name: &str) -> Result<Account, AccountError> {
        let mut config = self.load()?;
        let pos = config
            .accounts
            .iter()
            .position(|a| a.name == name)
            .ok_or_else(|| AccountError::NoSuchAccount(name.to_owned()))?;
        let account = config.accounts.remove(pos);
        self.save(&config)?;
        let keyring = match account.password_command {
            None => self.keyring.delete(&account.user, &account.url),
            Some(_) => Ok(()),
        };
        let files = AccountFiles::new(&self.paths, &account.name).remove_all();
        if let Err(source) = keyring {
            return Err(AccountError::KeyringLeftover { name: account.name, source });
        }
        if let Err(source) = files {
            return Err(AccountError::FilesLeftover { name: account.name, source });
        }
        Ok(account)
    }

    /// Adds another address the account is invited under; returns the account.
    pub fn add_alias(&self, name: &str, alias: &str) -> Result<Account, AccountError> {
        let mut config = self.load()?;
        let account = add_alias_to(&mut config, name, alias)?.clone();
        self.save(&config)?;
        Ok(account)
    }

    /// Takes an address off the account; returns the account.
    pub fn remove_alias(&self, name: &str, alias: &str) -> Result<Account, AccountError> {
        let mut config = self.load()?;
        let account = remove_alias_from(&mut config, name, alias)?.clone();
        self.save(&config)?;
        Ok(account)
    }
}

#[cfg(test)]
mod tests;
