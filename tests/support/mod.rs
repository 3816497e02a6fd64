//! Shared by the integration tests: the real servers that
//! `tests/servers/harness.sh start` runs, and small helpers.
#![allow(dead_code)] // each test crate uses a different subset

pub mod fidelity;
pub mod ics;
#[cfg(target_os = "linux")]
pub mod notifications;
pub mod proxy;
pub mod stub;
#[cfg(target_os = "linux")]
pub mod tray;

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

    /// What the quirks table (src/caldav/quirks.rs) says about this server:
    /// tests expect what the table says, so the two can't drift apart.
    pub fn quirk(self) -> &'static convene::caldav::quirks::Quirk {
        convene::caldav::quirks::QUIRKS
            .iter()
            .find(|q| q.product.eq_ignore_ascii_case(self.key()))
            .expect("every test server has a row in the quirks table")
    }
}

/// Why every live test is `#[ignore]`d: `cargo test` has no servers and
/// skips them, saying so; `bash tests/all.sh` starts the servers and runs
/// them with `--include-ignored`. tests/hermetic/live_gate.rs checks that
/// every test under tests/live carries exactly this.
pub const LIVE: &str = "needs the test servers (bash tests/all.sh)";

/// One live test per server from `async fn body(kind: Kind, …)`:
/// `on_servers!(body: xandikos, cyrus)` makes the tests `body::xandikos`
/// and `body::cyrus`; `on_servers!(name = body(true): cyrus)` passes more
/// arguments and names the group `name`.
#[allow(unused_macros)] // the hermetic crate has no live tests
macro_rules! on_servers {
    (@kind xandikos) => { $crate::support::Kind::Xandikos };
    (@kind cyrus) => { $crate::support::Kind::Cyrus };
    (@kind davical) => { $crate::support::Kind::Davical };
    (@kind radicale) => { $crate::support::Kind::Radicale };
    (@call $body:ident $server:ident ($($arg:expr),*)) => {
        super::$body(on_servers!(@kind $server), $($arg),*).await
    };
    ($body:ident: $($server:ident),+ $(,)?) => {
        on_servers!($body = $body(): $($server),+);
    };
    ($name:ident = $body:ident $args:tt: $($server:ident),+ $(,)?) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread")]
                #[ignore = "needs the test servers (bash tests/all.sh)"]
                async fn $server() {
                    on_servers!(@call $body $server $args)
                }
            )+
        }
    };
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

/// A realistic invitation from `organizer`, 2030-06-04 10:00–11:00 UTC.
pub fn invitation(uid: &str, summary: &str, attendees: &[&str]) -> String {
    ics::object(invited(ics::Event::new(uid).summary(summary).organized(), attendees))
}

fn invited(event: ics::Event, attendees: &[&str]) -> ics::Event {
    attendees.iter().fold(event, |e, a| e.invite(a))
}

/// A plain event with no attendees, an hour long.
pub fn event(uid: &str, summary: &str, start: &str) -> String {
    ics::object(ics::Event::new(uid).summary(summary).lasting(start, "PT1H"))
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

/// A Convene profile (config dir) holding one account for `user` on `kind`,
/// its password given by a password command (never stored).
pub struct Profile {
    pub dir: tempfile::TempDir,
    pub account: convene::config::Account,
}

impl Profile {
    pub fn new(kind: Kind, user: &str) -> Self {
        Self::at(kind, user, server(kind).url.clone(), Vec::new())
    }

    /// An account reaching the server at `url` (e.g. through a proxy).
    pub fn at(kind: Kind, user: &str, url: Url, aliases: Vec<String>) -> Self {
        let dir = tempfile::tempdir().expect("profile dir");
        let account = convene::config::Account {
            name: format!("{user}-{}", kind.key()),
            url,
            user: user.to_owned(),
            ca_file: server(kind).ca_file.clone(),
            allow_insecure_http: false,
            password_command: Some(password_command(user)),
            aliases,
        };
        let config = convene::config::Config { accounts: vec![account.clone()], ..Default::default() };
        let paths = convene::paths::Paths::profile(dir.path());
        config.save(&paths.config_file()).expect("write config");
        Profile { dir, account }
    }

    pub fn paths(&self) -> convene::paths::Paths {
        convene::paths::Paths::profile(self.dir.path())
    }

    pub fn engine(&self) -> convene::sync::Engine {
        convene::sync::Engine::open(&self.paths(), &self.account, password(&self.account.user))
            .expect("engine")
    }

    /// Runs the convene binary with this profile.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().expect("run convene")
    }

    /// The row of `invitations --json` for `uid` (the command must succeed).
    pub fn invitation_row(&self, uid: &str) -> serde_json::Value {
        let out = self.run(&["invitations", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("invitations --json");
        let row = rows.as_array().expect("a list").iter().find(|r| r["uid"] == uid);
        row.cloned().unwrap_or_else(|| panic!("no {uid} in {rows}"))
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_convene"));
        cmd.arg("--profile").arg(self.dir.path()).args(args);
        cmd
    }
}

/// An invitation at `start`–`end` (UTC stamps), optionally weekly.
pub fn invitation_at(
    uid: &str,
    summary: &str,
    attendees: &[&str],
    start: &str,
    end: &str,
    weekly: bool,
) -> String {
    let mut event = ics::Event::new(uid).summary(summary).at(start, end);
    if weekly {
        event = event.weekly_until("20300716T100000Z");
    }
    ics::object(invited(event.organized(), attendees))
}

pub fn organizer_url(kind: Kind, uid: &str) -> Url {
    let s = server(kind);
    object_url(&s.at(&s.default_calendar, "organizer"), uid)
}

/// The organizer creates (or updates) an event with implicit scheduling.
pub async fn organizer_put(kind: Kind, uid: &str, data: &str) {
    use convene::caldav::{Get, Precondition, Put, SchedulingHeaders};
    let c = client(kind, "organizer");
    let url = organizer_url(kind, uid);
    let precondition = match c.run(&Get { url: url.clone() }).await {
        Ok(o) => Precondition::IfMatch(o.etag.expect("organizer copy has an ETag")),
        Err(_) => Precondition::IfNoneMatchAny,
    };
    let put = Put { url, data: data.to_owned(), precondition, scheduling: SchedulingHeaders::default() };
    c.run(&put).await.expect("organizer PUT");
}

pub async fn organizer_copy(kind: Kind, uid: &str) -> convene::caldav::Object {
    client(kind, "organizer")
        .run(&convene::caldav::Get { url: organizer_url(kind, uid) })
        .await
        .expect("organizer copy")
}

/// The organizer moves the event: new DTSTART/DTEND, SEQUENCE bumped.
pub async fn organizer_reschedule(kind: Kind, uid: &str, start: &str, end: &str) {
    let now = organizer_copy(kind, uid).await.data;
    let doc = convene::ical::Document::parse(&now).expect("organizer copy parses");
    let ev = doc.calendar().and_then(|c| c.children().find(|e| e.name == "VEVENT")).expect("VEVENT");
    let old_start = ev.prop("DTSTART").expect("DTSTART").value.clone();
    let old_end = ev.prop("DTEND").expect("DTEND").value.clone();
    let seq: u32 = ev.prop("SEQUENCE").and_then(|s| s.value.trim().parse().ok()).unwrap_or(0);
    let moved = now
        .replace(&format!(":{old_start}"), &format!(":{start}"))
        .replace(&format!(":{old_end}"), &format!(":{end}"))
        .replace(&format!("SEQUENCE:{seq}"), &format!("SEQUENCE:{}", seq + 1));
    organizer_put(kind, uid, &moved).await;
}

/// PARTSTAT of `who` on the series (or on one occurrence) in `data`.
pub fn partstat(data: &str, who: &str, occurrence: Option<&str>) -> Option<String> {
    let doc = convene::ical::Document::parse(data).ok()?;
    let cal = doc.calendar()?;
    let ev = cal.children().filter(|c| c.name == "VEVENT").find(|c| {
        let rid = c.prop("RECURRENCE-ID").map(|r| r.value.trim().to_owned());
        rid.as_deref() == occurrence
    })?;
    let me = convene::ical::Identity::new([format!("mailto:{who}@example.com")]);
    ev.props_named("ATTENDEE")
        .find(|a| me.is_me(&a.value))
        .and_then(|a| a.param("PARTSTAT").map(|p| p.value()))
}

pub fn dtstart(data: &str) -> String {
    let doc = convene::ical::Document::parse(data).expect("parses");
    let ev = doc.calendar().and_then(|c| c.children().find(|e| e.name == "VEVENT")).expect("VEVENT");
    ev.prop("DTSTART").expect("DTSTART").value.trim().to_owned()
}
