//! Prints what a reply and a sync cost against real servers: HTTP requests
//! and wall time per reply (goal: 1 request where the Schedule-Tag is
//! trusted); then, on Xandikos, Cyrus and DAViCal, the first sync of a
//! realistic mixed calendar (see `mixed.rs`) side by side with its floor,
//! one `curl` calendar-query per calendar of the account asking for every
//! object's data (the bytes the server must send anyway; goal: within
//! 1.3x), in interleaved rounds; an
//! incremental sync with one change (goal: 2 requests), and opening the
//! cache to list invitations. Both the CLI and curl run as child processes,
//! so their peak RSS is their own.
//!
//! Run with the test servers up: `cargo bench --bench sync`.
//! `CONVENE_BENCH_EVENTS` (default 1,000, which keeps the run within the
//! test command's budget) sets the calendar's size; the README's figures
//! are for 10,000. The calendar is made for the run and deleted after it.
//! `CONVENE_BENCH_SERVERS` (e.g. `xandikos,davical`) picks the servers;
//! `CONVENE_BENCH_BEFORE=<path to another convene build>` runs it in the
//! same rounds too and prints its first-sync time (before and after a change).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../support/mod.rs"]
mod support;

mod mixed;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use convene::caldav::http::Request;
use convene::caldav::{
    Client, ListCalendars, MkCalendar, Multiget, Operation, Precondition, Put, SchedulingHeaders,
    SyncCollection,
};
use support::{Kind, Profile};
use url::Url;

const REPLIES: usize = 10;
/// Interleaved rounds of (curl, Convene) per server; medians are printed.
const ROUNDS: usize = 3;
const USER: &str = "attendee2";

#[tokio::main]
async fn main() {
    println!("Convene benchmark (debug={})\n", cfg!(debug_assertions));
    replies().await;
    first_sync().await;
}

/// The servers to measure: all three scheduling ones, or those named in
/// `CONVENE_BENCH_SERVERS`.
fn servers() -> Vec<Kind> {
    let only = std::env::var("CONVENE_BENCH_SERVERS").unwrap_or_default();
    [Kind::Xandikos, Kind::Cyrus, Kind::Davical]
        .into_iter()
        .filter(|kind| only.is_empty() || only.split(',').any(|k| k == kind.key()))
        .collect()
}

async fn replies() {
    println!("Replies ({REPLIES} per server): HTTP requests and wall time per reply");
    println!("| server | protection | requests/reply | ms/reply |");
    println!("| --- | --- | --- | --- |");
    for kind in servers() {
        let mut uids = Vec::new();
        for i in 0..REPLIES {
            let uid = support::uid(&format!("bench-reply-{i}"));
            support::organizer_put(kind, &uid, &support::invitation(&uid, "Bench", &["attendee"])).await;
            uids.push(uid);
        }
        let p = Profile::new(kind, "attendee");
        let mut engine = p.engine();
        engine.sync().await.unwrap();
        // As the window's actor does once the lists are shown.
        let listed = engine.invitations().unwrap();
        engine.read_schedule_tags(&listed).await.unwrap();
        let protection = engine.capabilities().unwrap().reply_protection();
        let before = engine.client().request_count();
        let start = Instant::now();
        for uid in &uids {
            engine.queue(uid, convene::ical::Answer::Accept, None, None, None, false).unwrap();
            let outcome = engine.send(uid).await.unwrap();
            assert!(matches!(outcome, convene::sync::Outcome::Sent { .. }), "{outcome:?}");
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / REPLIES as f64;
        let requests = (engine.client().request_count() - before) as f64 / REPLIES as f64;
        println!("| {} | {protection} | {requests:.1} | {ms:.1} |", kind.key());
    }
    println!();
}

async fn first_sync() {
    let n: usize = std::env::var("CONVENE_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    let me = format!("{USER}@example.com");
    let sample: usize = (0..n).map(|i| mixed::object("x", i, &me).len()).sum();
    println!(
        "First sync of a mixed calendar of {n} events ({:.1} MB), median of {ROUNDS} interleaved rounds",
        sample as f64 / 1e6
    );
    println!(
        "| server | curl floor | Convene | ratio | requests | peak RSS (Convene / curl) | incremental, 1 change: Convene / curl floor (ratio) | open and list invitations |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let tmp = tempfile::tempdir().unwrap();
    // Another build to compare with, in the same rounds (before and after a change).
    let before_bin = std::env::var_os("CONVENE_BENCH_BEFORE").map(PathBuf::from);
    // `CONVENE_BENCH_SERVERS=xandikos,davical` leaves Cyrus out (loading
    // it takes a PUT per event: about 9 minutes for 10,000).
    for kind in servers() {
        let cal = BenchCalendar::create(kind).await;
        let start = Instant::now();
        cal.load(n, &me).await;
        eprintln!(
            "{}: loaded {n} events in {:.1} s (not Convene's cost)",
            kind.key(),
            start.elapsed().as_secs_f64()
        );
        // Convene syncs every calendar of the account, and so must the
        // floor: the bytes of all of them are what the server sends anyway.
        let calendars: Vec<Url> = convene::caldav::discover(&cal.client)
            .await
            .unwrap()
            .calendars
            .into_iter()
            .filter(|c| c.holds_events())
            .map(|c| c.url)
            .collect();
        let (mut floor, mut ours, mut requests, mut rss, mut curl_rss) = (vec![], vec![], 0, vec![], vec![]);
        let (mut before, mut before_requests) = (vec![], 0);
        let mut last = None;
        for round in 0..ROUNDS {
            if let Some(bin) = &before_bin {
                let p = Profile::new(kind, USER);
                let (secs, _, report) = convene_at(bin, &p, &["sync", "--json"], tmp.path());
                before.push(secs);
                before_requests = report["requests"].as_u64().unwrap();
            }
            let (secs, kb, bytes) = curl_floor(kind, &calendars, tmp.path());
            assert!(bytes as usize >= sample * 9 / 10, "curl got {bytes} bytes for {sample}");
            if round == 0 {
                eprintln!(
                    "{}: the floor reads the account's {} event calendar(s), {:.1} MB",
                    kind.key(),
                    calendars.len(),
                    bytes as f64 / 1e6
                );
            }
            floor.push(secs);
            curl_rss.push(kb);
            let p = Profile::new(kind, USER);
            let (secs, kb, report) = convene(&p, &["sync", "--json"], tmp.path());
            assert!(report["fetched"].as_u64().unwrap() >= n as u64, "{report}");
            assert!(report["failed"].as_array().unwrap().is_empty(), "{report}");
            requests = report["requests"].as_u64().unwrap();
            ours.push(secs);
            rss.push(kb);
            last = Some(p);
        }
        let p = last.unwrap();
        // Incremental syncs with one change each, beside their floor: the
        // same requests by curl (the calendar list, a sync-collection from
        // the token before the change, and where the server sends no data
        // with it, a multiget of the changed event).
        let home = support::server(kind).at(&support::server(kind).calendar_home, USER);
        let (mut incr_floor, mut incr, mut incr_requests) = (vec![], vec![], 0);
        for round in 0..ROUNDS {
            let token = cal.sync_token(&home).await;
            let changed = cal.change_one(&me, round).await;
            let list = ListCalendars { home: home.clone() }.request().unwrap();
            let delta = SyncCollection { calendar: cal.url.clone(), token: Some(token) }.request().unwrap();
            let (list_secs, _) = curl_request(kind, &list, tmp.path());
            let (delta_secs, answer) = curl_request(kind, &delta, tmp.path());
            let mut secs = list_secs + delta_secs;
            if !answer.contains("BEGIN:VCALENDAR") {
                let get = Multiget { calendar: cal.url.clone(), objects: vec![changed] }.request().unwrap();
                secs += curl_request(kind, &get, tmp.path()).0;
            }
            incr_floor.push(secs);
            let (secs, _, report) = convene(&p, &["sync", "--json"], tmp.path());
            assert_eq!(report["fetched"].as_u64(), Some(1), "{report}");
            incr_requests = report["requests"].as_u64().unwrap();
            incr.push(secs);
        }
        let (list_secs, list_kb, _) = convene(&p, &["invitations", "--json"], tmp.path());
        let (floor, ours) = (median(floor), median(ours));
        if !before.is_empty() {
            let before = median(before);
            eprintln!(
                "{}: the build before: {before:.2} s ({:.2}x the floor), {before_requests} requests",
                kind.key(),
                before / floor
            );
        }
        let (incr_floor, incr) = (median(incr_floor), median(incr));
        println!(
            "| {} | {floor:.2} s | {ours:.2} s | {:.2}x | {requests} | {:.0} MB / {:.0} MB | {:.0} ms / {:.0} ms ({:.2}x), {incr_requests} requests | {:.0} ms, {:.0} MB |",
            kind.key(),
            ours / floor,
            median(rss) / 1024.0,
            median(curl_rss) / 1024.0,
            incr * 1000.0,
            incr_floor * 1000.0,
            incr / incr_floor,
            list_secs * 1000.0,
            list_kb / 1024.0,
        );
        drop(cal);
    }
    println!();
}

/// A calendar of attendee2's made for this run, deleted after it.
struct BenchCalendar {
    kind: Kind,
    url: Url,
    client: Client,
    tag: String,
}

impl BenchCalendar {
    async fn create(kind: Kind) -> Self {
        let s = support::server(kind);
        let tag = format!("bench-{}", std::process::id());
        let url = s.at(&s.calendar_home, USER).join(&format!("{tag}/")).unwrap();
        let client = support::client(kind, USER);
        client
            .run(&MkCalendar { url: url.clone(), display_name: tag.clone(), components: vec!["VEVENT"] })
            .await
            .unwrap();
        BenchCalendar { kind, url, client, tag }
    }

    fn uid(&self, i: usize) -> String {
        format!("{}-{i}@example.org", self.tag)
    }

    fn object_url(&self, i: usize) -> Url {
        self.url.join(&format!("{}-{i}.ics", self.tag)).unwrap()
    }

    /// Writing 10,000 objects one PUT at a time takes Xandikos over 30
    /// minutes (a git commit each) and DAViCal about as long: they get a
    /// bulk path (one commit; one PUT of the whole calendar on the
    /// collection, which DAViCal splits by UID). Cyrus takes PUTs four at
    /// a time, with its own header keeping it from scheduling anything.
    async fn load(&self, n: usize, me: &str) {
        match self.kind {
            Kind::Xandikos => {
                let out = Command::new("bash")
                    .args([
                        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/harness.sh"),
                        "store-path",
                        USER,
                    ])
                    .output()
                    .unwrap();
                let default = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
                let dir = default.parent().unwrap().join(&self.tag);
                assert!(dir.join(".git").is_dir(), "no Xandikos store at {}", dir.display());
                for i in 0..n {
                    let name = self.object_url(i).path_segments().unwrap().next_back().unwrap().to_owned();
                    std::fs::write(dir.join(name), mixed::object(&self.uid(i), i, me)).unwrap();
                }
                let git = |args: &[&str]| {
                    let status = Command::new("git").arg("-C").arg(&dir).args(args).status().unwrap();
                    assert!(status.success(), "git {args:?} failed");
                };
                git(&["add", "-A"]);
                git(&[
                    "-c",
                    "user.name=Convene benchmark",
                    "-c",
                    "user.email=bench@localhost",
                    "commit",
                    "-q",
                    "-m",
                    "Benchmark events",
                ]);
            }
            Kind::Davical => {
                let mut all =
                    String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene benchmark//EN\r\n");
                let mut zones = std::collections::BTreeSet::new();
                let mut events = String::new();
                for i in 0..n {
                    let o = mixed::object(&self.uid(i), i, me);
                    let body = &o[o.find("BEGIN:VTIMEZONE").or(o.find("BEGIN:VEVENT")).unwrap()
                        ..o.rfind("END:VCALENDAR").unwrap()];
                    let split = body.find("BEGIN:VEVENT").unwrap();
                    zones.insert(body[..split].to_owned());
                    events += &body[split..];
                }
                all.extend(zones);
                all += &events;
                all += "END:VCALENDAR\r\n";
                // DAViCal takes minutes to split 10,000 events: more than
                // the client's usual timeout.
                let mut config = support::config(self.kind, USER);
                config.timeout = std::time::Duration::from_secs(1800);
                let put = Put {
                    url: self.url.clone(),
                    data: all,
                    precondition: Precondition::None,
                    scheduling: SchedulingHeaders::default(),
                };
                Client::new(config).unwrap().run(&put).await.unwrap();
            }
            _ => {
                let quiet = SchedulingHeaders { cyrus_scheduling_enabled: Some(false), ..Default::default() };
                let mut tasks = tokio::task::JoinSet::new();
                for lane in 0..4 {
                    let objects: Vec<(Url, String)> = (lane..n)
                        .step_by(4)
                        .map(|i| (self.object_url(i), mixed::object(&self.uid(i), i, me)))
                        .collect();
                    let (client, quiet) = (self.client.clone(), quiet.clone());
                    tasks.spawn(async move {
                        for (url, data) in objects {
                            let put = Put {
                                url,
                                data,
                                precondition: Precondition::None,
                                scheduling: quiet.clone(),
                            };
                            client.run(&put).await.unwrap();
                        }
                    });
                }
                tasks.join_all().await;
            }
        }
    }

    async fn put(&self, url: Url, data: String, scheduling: SchedulingHeaders) {
        self.client.run(&Put { url, data, precondition: Precondition::None, scheduling }).await.unwrap();
    }

    /// The calendar's sync token now, from the calendar list.
    async fn sync_token(&self, home: &Url) -> String {
        let listed = self.client.run(&ListCalendars { home: home.clone() }).await.unwrap();
        let this = listed.into_iter().find(|c| c.url == self.url).expect("the bench calendar is listed");
        this.sync_token.expect("a sync token")
    }

    /// Renames event 0 (a personal one), a new name each `round`, as
    /// another client would; returns its URL.
    async fn change_one(&self, me: &str, round: usize) -> Url {
        let data =
            mixed::object(&self.uid(0), 0, me).replace("SUMMARY:", &format!("SUMMARY:Moved {round}: "));
        let url = if self.kind == Kind::Davical {
            // DAViCal named the objects after their UIDs when it split the calendar.
            self.url.join(&format!("{}.ics", self.uid(0).replace('@', ""))).unwrap()
        } else {
            self.object_url(0)
        };
        self.put(url.clone(), data, SchedulingHeaders::default()).await;
        url
    }
}

/// Deletes the calendar with everything in it, also when the run fails
/// half-way, so the servers are left as they were found.
impl Drop for BenchCalendar {
    fn drop(&mut self) {
        let mut cmd = curl(self.kind, "DELETE", &self.url);
        // Cyrus would otherwise send cancellations for the invitations.
        cmd.args(["-H", "Scheduling-Enabled: F", "-o", "/dev/null"]);
        let deleted = run_curl(cmd);
        if !deleted {
            eprintln!("could not delete the benchmark calendar {}", self.url);
        }
    }
}

/// curl as attendee2, the password to come on stdin (never on the
/// command line).
fn curl(kind: Kind, method: &str, url: &Url) -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-f", "-K", "-", "-X", method]);
    if let Some(ca) = &support::server(kind).ca_file {
        cmd.arg("--cacert").arg(ca);
    }
    cmd.arg(url.as_str());
    cmd
}

/// Sends `request` (method, headers, body as Convene builds them) by curl;
/// returns the seconds it took and the answer.
fn curl_request(kind: Kind, request: &Request, tmp: &Path) -> (f64, String) {
    let mut cmd = curl(kind, request.method.as_str(), &request.url);
    for (name, value) in &request.headers {
        cmd.arg("-H").arg(format!("{name}: {}", value.to_str().unwrap()));
    }
    if let Some(body) = &request.body {
        let file = tmp.join("request.xml");
        std::fs::write(&file, body).unwrap();
        cmd.arg("--data-binary").arg(format!("@{}", file.display()));
    }
    let (secs, _, answer) = timed(cmd, Some(curl_config()), tmp);
    (secs, answer)
}

fn curl_config() -> String {
    format!("user = \"{USER}:{}\"\n", support::password(USER).expose())
}

fn run_curl(mut cmd: Command) -> bool {
    use std::io::Write;
    let Ok(mut child) = cmd.stdin(Stdio::piped()).spawn() else { return false };
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(curl_config().as_bytes());
    }
    child.wait().is_ok_and(|s| s.success())
}

/// One calendar-query REPORT per calendar for every object's ETag and
/// data, by curl (the password goes in on stdin, never on the command
/// line), one calendar after the other. Returns (seconds in all, the
/// largest peak RSS in KB, bytes received in all).
fn curl_floor(kind: Kind, calendars: &[Url], tmp: &Path) -> (f64, f64, u64) {
    let body = tmp.join("query.xml");
    std::fs::write(
        &body,
        r#"<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>"#,
    )
    .unwrap();
    let (mut secs, mut kb, mut bytes) = (0.0, 0.0_f64, 0);
    for calendar in calendars {
        let mut cmd = curl(kind, "REPORT", calendar);
        cmd.args(["-H", "Content-Type: application/xml", "-H", "Depth: 1"])
            .arg("--data-binary")
            .arg(format!("@{}", body.display()))
            .args(["-o", "/dev/null", "-w", "%{size_download}"]);
        let (s, k, out) = timed(cmd, Some(curl_config()), tmp);
        secs += s;
        kb = kb.max(k);
        bytes += out.trim().parse::<u64>().unwrap();
    }
    (secs, kb, bytes)
}

/// Runs the convene CLI on profile `p`; returns (seconds, peak RSS in KB,
/// its JSON output).
fn convene(p: &Profile, args: &[&str], tmp: &Path) -> (f64, f64, serde_json::Value) {
    convene_at(Path::new(env!("CARGO_BIN_EXE_convene")), p, args, tmp)
}

/// [`convene`] with another build of it (`CONVENE_BENCH_BEFORE`).
fn convene_at(bin: &Path, p: &Profile, args: &[&str], tmp: &Path) -> (f64, f64, serde_json::Value) {
    let mut cmd = Command::new(bin);
    cmd.arg("--profile").arg(p.dir.path()).args(args);
    let (secs, kb, out) = timed(cmd, None, tmp);
    (secs, kb, serde_json::from_str(&out).unwrap())
}

/// Runs `cmd` under /usr/bin/time for its peak RSS; wall time measured
/// here, the same way for both programs.
fn timed(cmd: Command, stdin: Option<String>, tmp: &Path) -> (f64, f64, String) {
    let rss_file = tmp.join("rss");
    let mut time = Command::new("/usr/bin/time");
    time.args(["-f", "%M", "-o"]).arg(&rss_file).arg(cmd.get_program()).args(cmd.get_args());
    time.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let start = Instant::now();
    let mut child = time.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "{:?} failed", cmd.get_program());
    let kb = std::fs::read_to_string(&rss_file).unwrap().lines().last().unwrap().trim().parse().unwrap();
    (secs, kb, String::from_utf8(out.stdout).unwrap())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
