//! "Start at login" writes and removes the profile's XDG autostart entry
//! in a temporary XDG_CONFIG_HOME; the desktop hiding it reads as off.

use convene::autostart::Autostart;
use convene::paths::{APP_ID, Paths};

#[test]
fn start_at_login_writes_the_profiles_autostart_entry_and_removes_it() {
    let config_home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let profile = profiles.path().join("my profile");
    let paths = Paths::profile(&profile);
    let entry = Autostart::for_profile(config_home.path(), &paths).expect("offered here");
    let name = entry.file().file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with(&format!("{APP_ID}.Profile")) && name.ends_with(".desktop"), "{name}");
    assert_eq!(entry.file().parent().unwrap(), config_home.path().join("autostart"));
    assert!(!entry.is_on(), "off by default");

    assert_eq!(entry.set(true), Ok(true));
    let text = std::fs::read_to_string(entry.file()).unwrap();
    let exec = text.lines().find_map(|l| l.strip_prefix("Exec=")).expect("an Exec line");
    let exe = std::env::current_exe().unwrap();
    assert_eq!(
        exec,
        format!("{} --profile \"{}\" --background", exe.display(), profile.display()),
        "the profile, quoted; in the tray, without the window"
    );
    assert!(text.starts_with("[Desktop Entry]\nType=Application\n"), "{text}");

    // Another profile has its own entry; turning this one off leaves it.
    let other =
        Autostart::for_profile(config_home.path(), &Paths::profile(&profiles.path().join("b"))).unwrap();
    assert_ne!(other.file(), entry.file());
    other.set(true).unwrap();

    // The desktop's startup tool hides it: off.
    std::fs::write(entry.file(), format!("{text}Hidden=true\n")).unwrap();
    assert!(!entry.is_on());
    assert_eq!(entry.set(false), Ok(false));
    assert!(!entry.file().exists());
    assert_eq!(entry.set(false), Ok(false), "already off: no error");
    assert!(other.is_on());
}

#[test]
fn an_unwritable_autostart_folder_is_a_clear_error() {
    let config_home = tempfile::tempdir().unwrap();
    // A file where the folder should be.
    std::fs::write(config_home.path().join("autostart"), "").unwrap();
    let entry = Autostart::for_profile(config_home.path(), &Paths::profile(config_home.path())).unwrap();
    let err = entry.set(true).unwrap_err();
    assert!(err.starts_with("Start at login: ") && err.contains("autostart"), "{err}");
}
