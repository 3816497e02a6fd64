//! "Start at login": an XDG autostart entry (Linux and the BSDs),
//! `$XDG_CONFIG_HOME/autostart/<app id>.desktop`, running this program
//! with `--background`, so that it waits in the tray rather than opening
//! its window at every login (and with `--profile DIR` for a profile other
//! than the default, each with its own entry). Inside Flatpak the program's path is the sandbox's, which
//! the desktop can't run: there the entry runs `flatpak run <app id>`. The file is the setting: the desktop's own "startup
//! applications" tool may remove or hide it, and Convene then shows it off.
//! The Windows Run key is not built: there the setting is not offered.

use std::path::{Path, PathBuf};

use crate::paths::{APP_ID, Paths, write_atomic};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autostart {
    file: PathBuf,
    exec: String,
}

impl Autostart {
    /// The entry in `config_home`/autostart named `name` (the profile's
    /// [`Paths::instance_name`]), running `launcher`, with `--profile` when
    /// `profile` is given. Errors for what a desktop entry can't hold.
    pub fn new(
        config_home: &Path,
        name: &str,
        launcher: &Launcher,
        profile: Option<&Path>,
    ) -> Result<Autostart, String> {
        let mut args = match launcher {
            Launcher::Exe(exe) => vec![exec_arg(exe)?],
            Launcher::Flatpak(id) => vec!["flatpak".into(), "run".into(), exec_arg(Path::new(id))?],
        };
        if let Some(dir) = profile {
            args.push("--profile".into());
            args.push(exec_arg(dir)?);
        }
        args.push("--background".into());
        Ok(Autostart {
            file: config_home.join("autostart").join(format!("{name}.desktop")),
            exec: args.join(" "),
        })
    }

    /// This system's entry for the profile at `paths`; None where starting
    /// at login is not offered (Windows, macOS) or no home is known.
    pub fn here(paths: &Paths) -> Option<Autostart> {
        if !cfg!(all(unix, not(target_os = "macos"))) {
            return None;
        }
        let base = directories::BaseDirs::new()?;
        let flatpak = std::env::var_os("FLATPAK_ID").is_some_and(|id| !id.is_empty());
        let host = std::env::var_os("HOST_XDG_CONFIG_HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let home = desktop_config_home(flatpak, host, base.home_dir(), base.config_dir());
        Autostart::for_profile(&home, paths)
    }

    /// The entry in `config_home` (what XDG_CONFIG_HOME names) for the
    /// profile at `paths`, running this program.
    pub fn for_profile(config_home: &Path, paths: &Paths) -> Option<Autostart> {
        let launcher = Launcher::here(std::env::var("FLATPAK_ID").ok())?;
        let profile = match paths.is_platform() {
            true => None,
            false => Some(std::path::absolute(paths.config.parent()?).ok()?),
        };
        Autostart::new(config_home, &paths.instance_name(), &launcher, profile.as_deref()).ok()
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// On: the entry is there and not hidden or disabled by the desktop.
    pub fn is_on(&self) -> bool {
        let Ok(text) = std::fs::read_to_string(&self.file) else { return false };
        !text.lines().map(str::trim).any(|l| l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false")
    }

    /// Writes or removes the entry; whether it is on afterwards.
    pub fn set(&self, on: bool) -> Result<bool, String> {
        let done = if on {
            write_atomic(&self.file, self.entry().as_bytes())
        } else {
            match std::fs::remove_file(&self.file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        };
        done.map_err(|e| format!("Start at login: {}: {e}", self.file.display()))?;
        Ok(self.is_on())
    }

    fn entry(&self) -> String {
        format!(
            "[Desktop Entry]\nType=Application\nName=Convene\nComment=Reminders and invitations, from login\nExec={}\nIcon={APP_ID}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
            self.exec
        )
    }
}

/// The config folder whose autostart/ the desktop reads: XDG_CONFIG_HOME
/// (`config_dir`). Inside Flatpak that variable names the app's own folder
/// (~/.var/app/ID/config), which the desktop never reads: there it is the
/// host's (HOST_XDG_CONFIG_HOME, else ~/.config), whose autostart/ the
/// manifest shares with the sandbox.
fn desktop_config_home(flatpak: bool, host: Option<PathBuf>, home: &Path, config_dir: &Path) -> PathBuf {
    match (flatpak, host) {
        (false, _) => config_dir.to_owned(),
        (true, Some(host)) => host,
        (true, None) => home.join(".config"),
    }
}

/// What the entry runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launcher {
    /// This program, at its path.
    Exe(PathBuf),
    /// The Flatpak app with this id (`flatpak run ID`).
    Flatpak(String),
}

impl Launcher {
    /// `flatpak_id`: the FLATPAK_ID variable, which Flatpak sets inside
    /// the sandbox; else this program's path.
    pub fn here(flatpak_id: Option<String>) -> Option<Launcher> {
        match flatpak_id.filter(|id| !id.is_empty()) {
            Some(id) => Some(Launcher::Flatpak(id)),
            None => Some(Launcher::Exe(std::env::current_exe().ok()?)),
        }
    }
}

/// One argument of a desktop entry's Exec key: quoted when it holds a
/// reserved character, with the quoting's escapes and then the string's
/// (a backslash in a path becomes four), `%` doubled.
fn exec_arg(path: &Path) -> Result<String, String> {
    let s = path
        .to_str()
        .ok_or_else(|| format!("{} is not UTF-8: no desktop entry can run it", path.display()))?;
    if s.chars().any(|c| c.is_control()) {
        return Err(format!("{s:?} has a control character: no desktop entry can run it"));
    }
    let s = s.replace('%', "%%");
    const RESERVED: &str = " \t\"'\\><~|&;$*?#()`";
    if !s.chars().any(|c| RESERVED.contains(c)) && !s.is_empty() {
        return Ok(s);
    }
    let mut quoted = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '`' | '$' => quoted.extend(['\\', c]),
            '\\' => quoted.push_str("\\\\\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_arguments_are_quoted_as_the_desktop_entry_spec_says() {
        let arg = |s: &str| exec_arg(Path::new(s));
        assert_eq!(arg("/usr/bin/convene").unwrap(), "/usr/bin/convene");
        assert_eq!(arg("/home/ann/My Profile").unwrap(), "\"/home/ann/My Profile\"");
        assert_eq!(arg("/tmp/100%").unwrap(), "/tmp/100%%");
        assert_eq!(arg("/a/$x\"y").unwrap(), "\"/a/\\$x\\\"y\"");
        assert_eq!(arg("/a\\b").unwrap(), "\"/a\\\\\\\\b\"", "four backslashes for one");
        assert!(arg("/a\nb").unwrap_err().contains("control character"));
    }

    #[test]
    fn inside_flatpak_the_entry_runs_the_app_through_flatpak() {
        let home = Path::new("/home/ann/.config");
        let launcher = Launcher::here(Some(APP_ID.into())).unwrap();
        let entry = Autostart::new(home, APP_ID, &launcher, None).unwrap();
        assert!(
            entry.entry().contains("\nExec=flatpak run io.github.convene.Convene --background\n"),
            "{}",
            entry.entry()
        );
        let profile = Path::new("/home/ann/Work Profile");
        let entry = Autostart::new(home, "x", &launcher, Some(profile)).unwrap();
        assert_eq!(
            entry.exec,
            "flatpak run io.github.convene.Convene --profile \"/home/ann/Work Profile\" --background"
        );
    }

    #[test]
    fn inside_flatpak_the_entry_goes_where_the_desktop_reads_it() {
        let home = Path::new("/home/ann");
        let sandboxed = Path::new("/home/ann/.var/app/io.github.convene.Convene/config");
        assert_eq!(
            desktop_config_home(false, None, home, Path::new("/home/ann/.cfg")),
            Path::new("/home/ann/.cfg")
        );
        assert_eq!(desktop_config_home(true, None, home, sandboxed), Path::new("/home/ann/.config"));
        let host = Some(PathBuf::from("/home/ann/.cfg"));
        assert_eq!(desktop_config_home(true, host, home, sandboxed), Path::new("/home/ann/.cfg"));
    }

    #[test]
    fn outside_flatpak_the_entry_runs_this_program() {
        let exe = std::env::current_exe().unwrap();
        assert_eq!(Launcher::here(None), Some(Launcher::Exe(exe.clone())));
        assert_eq!(Launcher::here(Some(String::new())), Some(Launcher::Exe(exe.clone())), "set but empty");
        let entry =
            Autostart::new(Path::new("/c"), APP_ID, &Launcher::Exe("/usr/bin/convene".into()), None).unwrap();
        assert!(entry.entry().contains("\nExec=/usr/bin/convene --background\n"));
        assert_eq!(entry.file(), Path::new("/c/autostart/io.github.convene.Convene.desktop"));
    }
}
