//! Where Convene keeps its files: the platform's directories, or one
//! `--profile DIR` holding everything (tests and portable use).

use std::path::{Path, PathBuf};

pub const APP_ID: &str = "io.github.convene.Convene";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config: PathBuf,
    pub data: PathBuf,
    pub cache: PathBuf,
}

impl Paths {
    pub fn profile(dir: &Path) -> Self {
        Paths { config: dir.join("config"), data: dir.join("data"), cache: dir.join("cache") }
    }

    pub fn platform() -> anyhow::Result<Self> {
        let dirs = directories::ProjectDirs::from("io.github", "convene", "Convene")
            .ok_or_else(|| anyhow::anyhow!("no home directory: use --profile DIR"))?;
        Ok(Paths {
            config: dirs.config_dir().to_owned(),
            data: dirs.data_dir().to_owned(),
            cache: dirs.cache_dir().to_owned(),
        })
    }

    pub fn resolve(profile: Option<&Path>) -> anyhow::Result<Self> {
        match profile {
            Some(dir) => Ok(Self::profile(dir)),
            None => Self::platform(),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    /// The platform's directories, not a `--profile`.
    pub fn is_platform(&self) -> bool {
        Paths::platform().is_ok_and(|p| &p == self)
    }

    /// The profile's name for the desktop (its bus name, its autostart
    /// entry): the app id for the platform's directories, else the app id
    /// and a stable hash of the profile's folder.
    pub fn instance_name(&self) -> String {
        if self.is_platform() {
            return APP_ID.to_owned();
        }
        // Whether or not the folder exists yet: a launch may create it.
        let folder = std::path::absolute(&self.config).unwrap_or_else(|_| self.config.clone());
        // FNV-1a: stable across builds, unlike std's hasher.
        let hash = folder
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
        format!("{APP_ID}.Profile{hash:016x}")
    }
}

/// Writes a file so that a crash leaves either the old or the new content:
/// write a sibling temp file, fsync it, rename over the target, fsync the dir.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_keeps_everything_inside_it() {
        let p = Paths::profile(Path::new("/tmp/p"));
        assert!(p.config_file().starts_with("/tmp/p"));
        assert!(p.data.starts_with("/tmp/p") && p.cache.starts_with("/tmp/p"));
    }

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sub/x.toml");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(f.parent().unwrap()).unwrap().count(), 1);
    }
}
