//! Passwords: from the OS keyring, or a user's password command. Never from
//! a file Convene writes, a command-line argument, or a log line.

use std::process::Command;

use crate::caldav::Password;
use crate::paths::APP_ID;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no keyring service is available on this system ({0}); use a password command")]
    NoKeyring(String),
    #[error("the keyring has no password for {0}")]
    NotStored(String),
    #[error("keyring error: {0}")]
    Keyring(String),
    #[error("the password command failed: {0}")]
    Command(String),
}

/// The keyring entry name for an account: user at the server's origin.
pub fn keyring_user(user: &str, server: &url::Url) -> String {
    format!("{user}@{}", server.origin().ascii_serialization())
}

fn entry(user: &str, server: &url::Url) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(APP_ID, &keyring_user(user, server)).map_err(|e| match e {
        keyring::Error::NoDefaultStore => SecretError::NoKeyring(e.to_string()),
        other => SecretError::Keyring(other.to_string()),
    })
}

pub fn from_keyring(user: &str, server: &url::Url) -> Result<Password, SecretError> {
    match entry(user, server)?.get_password() {
        Ok(p) => Ok(Password::new(p)),
        Err(keyring::Error::NoEntry) => Err(SecretError::NotStored(keyring_user(user, server))),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

pub fn store_in_keyring(user: &str, server: &url::Url, password: &Password) -> Result<(), SecretError> {
    entry(user, server)?.set_password(password.expose()).map_err(|e| SecretError::Keyring(e.to_string()))
}

pub fn delete_from_keyring(user: &str, server: &url::Url) -> Result<(), SecretError> {
    match entry(user, server)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

/// Runs the user's password command through the shell; its first line of
/// output is the password. Its stderr is not captured into our messages.
pub fn from_command(command: &str) -> Result<Password, SecretError> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    };
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| SecretError::Command(e.to_string()))?;
    if !out.status.success() {
        return Err(SecretError::Command(format!("exited with {}", out.status)));
    }
    let text =
        String::from_utf8(out.stdout).map_err(|_| SecretError::Command("output is not UTF-8".into()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err(SecretError::Command("printed no password".into()));
    }
    Ok(Password::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_command_gives_first_line() {
        let p = from_command("printf 's3cret\\nignored'").unwrap();
        assert_eq!(p.expose(), "s3cret");
        assert!(matches!(from_command("exit 3"), Err(SecretError::Command(_))));
        assert!(matches!(from_command("true"), Err(SecretError::Command(m)) if m.contains("no password")));
    }

    #[test]
    fn keyring_user_names_the_origin() {
        let u = url::Url::parse("https://cal.example.com:8443/dav/").unwrap();
        assert_eq!(keyring_user("ann", &u), "ann@https://cal.example.com:8443");
    }
}
