//! "You have a new invitation" as a desktop notification
//! (org.freedesktop.Notifications on Linux; elsewhere nothing yet).

/// Shows a notification; failures (no notification daemon) are not errors
/// a person needs to see.
pub async fn new_invitation(summary: String, body: String) {
    let _ = tokio::task::spawn_blocking(move || show(&summary, &body)).await;
}

#[cfg(target_os = "linux")]
fn show(summary: &str, body: &str) -> Result<(), zbus::Error> {
    use std::collections::HashMap;
    let connection = zbus::blocking::Connection::session()?;
    let hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
    connection.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &("Convene", 0u32, crate::paths::APP_ID, summary, body, Vec::<&str>::new(), hints, -1i32),
    )?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn show(_summary: &str, _body: &str) -> Result<(), std::convert::Infallible> {
    Ok(())
}
