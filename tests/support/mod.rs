//! Shared by the integration tests: the real servers that
//! `tests/servers/harness.sh start` runs, and small helpers.
#![allow(dead_code)] // each test crate uses a different subset

pub mod stub;

use std::path::PathBuf;
use std::sync::OnceLock;

use convene::caldav::{Client, ClientConfig, Password};
use serde::Deserialize;
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xandikos,
    Cyrus,
    Davical,
    Radicale,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Xandikos => "xandikos",
            Kind::Cyrus => "cyrus",
            Kind::Davical => "davical",
            Kind::Radicale => "radicale",
        }
    }
    pub fn schedules(self) -> bool {
        self != Kind::Radicale
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerInfo {
    pub url: Url,
    pub ca_file: Option<PathBuf>,
    pub principal: String,
    pub calendar_home: String,
    pub default_calendar: String,
    pub inbox: Option<String>,
    pub scheduling: bool,
}

impl ServerInfo {
    pub fn at(&self, template: &str, user: &str) -> Url {
        self.url.join(&template.replace("{user}", user)).expect("valid server path")
    }
}

#[derive(Debug, Deserialize)]
struct ServersFile {
    xandikos: ServerInfo,
    cyrus: ServerInfo,
    davical: ServerInfo,
    radicale: ServerInfo,
    password_dir: PathBuf,
}

pub fn servers_dir() -> PathBuf {
    std::env::var_os("CONVENE_SERVERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/convene-servers"))
}

fn servers() -> &'static ServersFile {
    static S: OnceLock<ServersFile> = OnceLock::new();
    S.get_or_init(|| {
        let path = servers_dir().join("servers.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "the test servers are not running ({}: {e}). Start them with `bash tests/servers/harness.sh start`, or run the README's test command.",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("servers.json as written by the harness")
    })
}

pub fn server(kind: Kind) -> &'static ServerInfo {
    let s = servers();
    match kind {
        Kind::Xandikos => &s.xandikos,
        Kind::Cyrus => &s.cyrus,
        Kind::Davical => &s.davical,
        Kind::Radicale => &s.radicale,
    }
}

pub fn password_file(user: &str) -> PathBuf {
    servers().password_dir.join(user)
}

pub fn password(user: &str) -> Password {
    let path = password_file(user);
    Password::new(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).trim())
}

/// The password command the CLI tests pass (never the password itself).
pub fn password_command(user: &str) -> String {
    format!("cat {}", password_file(user).display())
}

pub fn config(kind: Kind, user: &str) -> ClientConfig {
    let s = server(kind);
    let mut cfg = ClientConfig::new(s.url.clone(), user, password(user));
    cfg.ca_file = s.ca_file.clone();
    cfg
}

pub fn client(kind: Kind, user: &str) -> Client {
    Client::new(config(kind, user)).expect("client for a local test server")
}

/// A fresh UID, so tests sharing a server never collide.
pub fn uid(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("{tag}-{}-{nanos}-{}@convene.test", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A realistic invitation from `organizer`, dated in 2030 (Cyrus sends no
/// iTIP for events in the past).
pub fn invitation(uid: &str, summary: &str, attendees: &[&str]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Convene tests//EN".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{uid}"),
        "DTSTAMP:20300101T000000Z".to_owned(),
        "DTSTART:20300604T100000Z".to_owned(),
        "DTEND:20300604T110000Z".to_owned(),
        "SEQUENCE:0".to_owned(),
        format!("SUMMARY:{summary}"),
        "ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com".to_owned(),
        "ATTENDEE;CN=Olga Organizer;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:organizer@example.com".to_owned(),
    ];
    for a in attendees {
        lines.push(format!("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{a}@example.com"));
    }
    lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned(), String::new()]);
    lines.join("\r\n")
}

/// A plain event with no attendees.
pub fn event(uid: &str, summary: &str, start: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene tests//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Object URL for a UID inside a collection.
pub fn object_url(collection: &Url, uid: &str) -> Url {
    let safe: String =
        uid.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    collection.join(&format!("{safe}.ics")).expect("object url")
}

/// Polls until `f` gives Some, for server-side deliveries that may lag.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..50 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}")
}
