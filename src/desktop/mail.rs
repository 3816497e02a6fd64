//! A new mail in the desktop's mail program with a file attached:
//! `xdg-email --subject … --attach FILE ADDRESS`. The person sends it.

use std::path::Path;

/// Opens the composer; Err says why not (no such program here, or it
/// failed), so the caller can tell the person to attach the file by hand.
pub fn compose(subject: &str, attach: &Path, to: &str) -> Result<(), String> {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return Err("no way to attach a file to a new mail here".to_owned());
    }
    let status = std::process::Command::new("xdg-email")
        .arg("--subject")
        .arg(subject)
        .arg("--attach")
        .arg(attach)
        .arg(to)
        .status()
        .map_err(|e| format!("xdg-email: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("xdg-email failed ({status})")) }
}
