use std::collections::BTreeMap;
use std::sync::Mutex;

use super::*;

/// A keyring in memory that logs what was done, and may run a step (e.g.
/// break the config directory) when a password is stored.
#[derive(Default)]
struct FakeKeyring {
    entries: Mutex<BTreeMap<String, String>>,
    log: Mutex<Vec<String>>,
    refuse: bool,
    on_set: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Keyring for FakeKeyring {
    fn get(&self, user: &str, url: &Url) -> Result<Option<Password>, SecretError> {
        let key = secret::keyring_user(user, url);
        Ok(self.entries.lock().unwrap().get(&key).map(|p| Password::new(p.clone())))
    }
    fn set(&self, user: &str, url: &Url, password: &Password) -> Result<(), SecretError> {
        if self.refuse {
            return Err(SecretError::NoKeyring("test".into()));
        }
        let key = secret::keyring_user(user, url);
        self.log.lock().unwrap().push(format!("set {key}"));
        self.entries.lock().unwrap().insert(key, password.expose().to_owned());
        if let Some(f) = &self.on_set {
            f();
        }
        Ok(())
    }
    fn delete(&self, user: &str, url: &Url) -> Result<(), SecretError> {
        let key = secret::keyring_user(user, url);
        self.log.lock().unwrap().push(format!("delete {key}"));
        self.entries.lock().unwrap().remove(&key);
        Ok(())
    }
}

fn account(name: &str, user: &str) -> Account {
    Account {
        name: name.into(),
        url: Url::parse("https://dav.example.com/").unwrap(),
        user: user.into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: None,
        aliases: Vec::new(),
    }
}

fn with_command(name: &str) -> Account {
    Account { password_command: Some("echo secret".into()), ..account(name, "ann") }
}

fn profile(keyring: FakeKeyring) -> (tempfile::TempDir, Accounts, Arc<FakeKeyring>) {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(keyring);
    let accounts = Accounts::with_keyring(Paths::profile(dir.path()), keyring.clone());
    (dir, accounts, keyring)
}

fn config_text(accounts: &Accounts) -> String {
    std::fs::read_to_string(accounts.paths.config_file()).unwrap_or_default()
}

#[test]
fn the_default_name_is_user_at_host() {
    let url = Url::parse("https://cal.example.com:8443/dav/").unwrap();
    assert_eq!(default_name("ann", &url), "ann@cal.example.com");
}

#[test]
fn a_name_in_use_is_refused_and_the_account_kept() {
    let (_dir, accounts, keyring) = profile(FakeKeyring::default());
    accounts.add(with_command("work"), None).unwrap();
    let before = config_text(&accounts);
    let other = Account { user: "bob".into(), ..account("work", "bob") };
    let err = accounts.add(other, Some(&Password::new("pw"))).unwrap_err();
    assert!(matches!(&err, AccountError::NameInUse(n) if n == "work"), "{err:?}");
    assert_eq!(err.to_string(), "an account named \"work\" exists already; remove it first to replace it");
    assert_eq!(config_text(&accounts), before, "the existing account is unchanged");
    assert!(keyring.log.lock().unwrap().is_empty(), "the keyring was not touched");
    assert!(matches!(accounts.check_name_free("work"), Err(AccountError::NameInUse(_))));
    accounts.check_name_free("home").unwrap();
}

#[test]
fn the_password_goes_into_the_keyring_before_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let file = Paths::profile(dir.path()).config_file();
    let seen_at_set = Arc::new(Mutex::new(None));
    let seen = seen_at_set.clone();
    let keyring = FakeKeyring {
        on_set: Some(Box::new(move || *seen.lock().unwrap() = Some(file.exists()))),
        ..Default::default()
    };
    let keyring = Arc::new(keyring);
    let accounts = Accounts::with_keyring(Paths::profile(dir.path()), keyring.clone());
    accounts.add(account("work", "ann"), Some(&Password::new("pw"))).unwrap();
    assert_eq!(*seen_at_set.lock().unwrap(), Some(false), "no config yet when the keyring was written");
    assert_eq!(accounts.load().unwrap().accounts, vec![account("work", "ann")]);
    assert!(!config_text(&accounts).contains("pw"));
    assert_eq!(keyring.entries.lock().unwrap().get("ann@https://dav.example.com").unwrap(), "pw");
}

#[test]
fn a_refused_password_saves_nothing() {
    let (_dir, accounts, _keyring) = profile(FakeKeyring { refuse: true, ..Default::default() });
    let err = accounts.add(account("work", "ann"), Some(&Password::new("pw"))).unwrap_err();
    assert!(matches!(err, AccountError::Keyring(SecretError::NoKeyring(_))), "{err:?}");
    assert!(accounts.load().unwrap().accounts.is_empty());
    // Without a password (a password command, or kept for the session) it is saved.
    accounts.add(account("work", "ann"), None).unwrap();
    assert_eq!(accounts.load().unwrap().accounts.len(), 1);
}

/// Replaces the config directory with a file, so saving the config fails.
fn break_config_dir(dir: &std::path::Path) -> Box<dyn Fn() + Send + Sync> {
    let config = Paths::profile(dir).config;
    Box::new(move || {
        let _ = std::fs::remove_dir_all(&config);
        std::fs::write(&config, b"not a directory").unwrap();
    })
}

#[test]
fn when_the_config_is_not_saved_the_keyring_entry_goes_again() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(FakeKeyring { on_set: Some(break_config_dir(dir.path())), ..Default::default() });
    let accounts = Accounts::with_keyring(Paths::profile(dir.path()), keyring.clone());
    let err = accounts.add(account("work", "ann"), Some(&Password::new("pw"))).unwrap_err();
    assert!(matches!(err, AccountError::ConfigNotSaved(_)), "{err:?}");
    assert!(err.to_string().starts_with("the settings were not saved: "), "{err}");
    assert!(keyring.entries.lock().unwrap().is_empty(), "nothing half-written remains");
    assert_eq!(
        *keyring.log.lock().unwrap(),
        ["set ann@https://dav.example.com", "delete ann@https://dav.example.com"]
    );
}

#[test]
fn a_failed_save_gives_back_a_password_another_account_shares() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = FakeKeyring { on_set: Some(break_config_dir(dir.path())), ..Default::default() };
    keyring.entries.lock().unwrap().insert("ann@https://dav.example.com".into(), "old".into());
    let keyring = Arc::new(keyring);
    let accounts = Accounts::with_keyring(Paths::profile(dir.path()), keyring.clone());
    assert!(accounts.add(account("second", "ann"), Some(&Password::new("new"))).is_err());
    assert_eq!(keyring.entries.lock().unwrap().get("ann@https://dav.example.com").unwrap(), "old");
}

#[test]
fn removing_forgets_config_keyring_and_local_files() {
    let (_dir, accounts, keyring) = profile(FakeKeyring::default());
    accounts.add(account("work", "ann"), Some(&Password::new("pw"))).unwrap();
    accounts.add(with_command("home"), None).unwrap();
    let files = AccountFiles::new(&accounts.paths, "work");
    std::fs::create_dir_all(files.cache_file.parent().unwrap()).unwrap();
    std::fs::write(&files.cache_file, b"{}").unwrap();
    std::fs::create_dir_all(&files.outbox_dir).unwrap();

    let removed = accounts.remove("work").unwrap();
    assert_eq!(removed.name, "work");
    assert_eq!(accounts.load().unwrap().accounts, vec![with_command("home")]);
    assert!(keyring.entries.lock().unwrap().is_empty());
    assert!(!files.cache_file.exists() && !files.outbox_dir.exists());

    keyring.log.lock().unwrap().clear();
    accounts.remove("home").unwrap();
    assert!(keyring.log.lock().unwrap().is_empty(), "a password command has no keyring entry");
    assert!(accounts.load().unwrap().accounts.is_empty());

    let err = accounts.remove("gone").unwrap_err();
    assert!(matches!(&err, AccountError::NoSuchAccount(n) if n == "gone"), "{err:?}");
    assert_eq!(err.to_string(), "no account named \"gone\"");
}

#[test]
fn aliases_are_added_once_and_removed() {
    let (_dir, accounts, _keyring) = profile(FakeKeyring::default());
    accounts.add(with_command("work"), None).unwrap();
    accounts.add_alias("work", "mailto:ann@old.example.com").unwrap();
    let a = accounts.add_alias("work", "mailto:ann@old.example.com").unwrap();
    assert_eq!(a.aliases, ["mailto:ann@old.example.com"]);
    assert_eq!(accounts.load().unwrap().accounts[0].aliases, ["mailto:ann@old.example.com"]);
    let a = accounts.remove_alias("work", "mailto:ann@old.example.com").unwrap();
    assert!(a.aliases.is_empty());
    assert!(accounts.load().unwrap().accounts[0].aliases.is_empty());
    assert!(matches!(accounts.add_alias("nope", "mailto:x@y"), Err(AccountError::NoSuchAccount(_))));
    assert!(matches!(accounts.remove_alias("nope", "mailto:x@y"), Err(AccountError::NoSuchAccount(_))));
}
