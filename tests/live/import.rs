//! `convene import` against real servers: who gets notified, resuming
//! after a kill, and files with broken entries.

use crate::support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use convene::caldav::{CalendarQuery, Delete, Get, MkCalendar, Precondition, SchedulingHeaders};
use support::{Kind, Profile, ics, server};
use url::Url;

pub(crate) fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub(crate) fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

pub(crate) fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

/// A day of 2030 no other run of these tests uses, so queries see only
/// this test's events (Cyrus sends no iTIP for past events).
pub(crate) fn fresh_day() -> chrono::NaiveDate {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap() + chrono::Duration::days((nanos / 1000 % 700) as i64)
}

fn stamp(day: chrono::NaiveDate, hour: u32) -> String {
    format!("{}T{hour:02}0000Z", day.format("%Y%m%d"))
}

/// One event organized by `organizer@example.com`, inviting `attendees`.
pub(crate) fn vevent(
    uid: &str,
    summary: &str,
    day: chrono::NaiveDate,
    hour: u32,
    attendees: &[&str],
) -> ics::Event {
    let event = ics::Event::new(uid).summary(summary).at(&stamp(day, hour), &stamp(day, hour + 1));
    if attendees.is_empty() {
        return event;
    }
    attendees.iter().fold(event.organized(), |e, a| e.invite(a))
}

/// A .ics file as mail clients export it (METHOD included).
pub(crate) fn ics_file(dir: &Path, name: &str, events: &[ics::Event]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, ics::Calendar::new().method("PUBLISH").events(events.iter().cloned()).to_string())
        .unwrap();
    path
}

pub(crate) fn calendar_of(kind: Kind, user: &str) -> Url {
    let s = server(kind);
    s.at(&s.default_calendar, user)
}

/// UIDs (with repeats) of the events `user` has in `collection` on `day`.
async fn uids_on(kind: Kind, user: &str, collection: &Url, day: chrono::NaiveDate) -> Vec<String> {
    let q = CalendarQuery {
        calendar: collection.clone(),
        start: stamp(day, 0),
        end: stamp(day + chrono::Duration::days(1), 0),
        with_data: true,
    };
    let hits = support::client(kind, user).run(&q).await.unwrap();
    hits.iter().filter_map(|h| h.data.as_deref()).flat_map(uids_in).collect()
}

/// How many objects in the organizer's `collection` on `day` hold `uid`
/// (other tests may have picked the same day).
pub(crate) async fn copies(kind: Kind, collection: &Url, day: chrono::NaiveDate, uid: &str) -> usize {
    uids_on(kind, "organizer", collection, day).await.iter().filter(|u| *u == uid).count()
}

fn uids_in(data: &str) -> Vec<String> {
    let doc = convene::ical::Document::parse(data).unwrap();
    let cal = doc.calendar().unwrap();
    let uids: HashSet<String> =
        cal.children().filter(|c| c.name == "VEVENT").filter_map(convene::ical::event::uid).collect();
    uids.into_iter().collect()
}

async fn organizer_copy(kind: Kind, uid: &str) -> String {
    let url = convene::import::run::resource_url(&calendar_of(kind, "organizer"), uid);
    support::client(kind, "organizer").run(&Get { url }).await.unwrap().data
}

/// Imports with "none" then "all" as the organizer: only the second
/// reaches the attendee's calendar and inbox.
async fn none_keeps_attendees_unaware_and_all_invites_them(kind: Kind) {
    // The quiet method the quirks table says this server honours.
    let expected_method = match kind.quirk() {
        q if q.cyrus_scheduling_enabled == Some(true) => "cyrus-header",
        q if q.schedule_agent_client == Some(true) => "schedule-agent-client",
        q => panic!("{} has no quiet import", q.product),
    };
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let quiet = [support::uid("quiet-a"), support::uid("quiet-b")];
    let loud = support::uid("loud");
    let quiet_file = ics_file(
        dir.path(),
        "quiet.ics",
        &[
            vevent(&quiet[0], "Imported quietly", day, 9, &["attendee"]),
            vevent(&quiet[1], "Also quiet", day, 11, &["attendee", "attendee2"]),
        ],
    );
    let loud_file = ics_file(
        dir.path(),
        "loud.ics",
        &[vevent(&loud, "Imported with invitations", day, 14, &["attendee"])],
    );
    let p = Profile::new(kind, "organizer");
    let calendar = calendar_of(kind, "organizer");

    let out = p.run(&[
        "import",
        quiet_file.to_str().unwrap(),
        "--calendar",
        calendar.as_str(),
        "--scheduling",
        "none",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["method"], expected_method, "{report}");
    assert_eq!(report["entries"].as_array().unwrap().len(), 2);
    assert!(report["entries"].as_array().unwrap().iter().all(|e| e["result"] == "imported"), "{report}");

    let out = p.run(&[
        "import",
        loud_file.to_str().unwrap(),
        "--calendar",
        calendar.as_str(),
        "--scheduling",
        "all",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json(&out)["method"], "plain");

    // The "all" import is delivered (synchronously on both servers)…
    let attendee_calendar = calendar_of(kind, "attendee");
    let inbox = {
        let s = server(kind);
        s.at(s.inbox.as_deref().unwrap(), "attendee")
    };
    support::eventually("the invitation of the 'all' import", || {
        let (cal, loud) = (attendee_calendar.clone(), loud.clone());
        async move { uids_on(kind, "attendee", &cal, day).await.contains(&loud).then_some(()) }
    })
    .await;
    assert!(
        uids_on(kind, "attendee", &inbox, day).await.contains(&loud),
        "the inbox holds the 'all' invitation"
    );
    // …and by then nothing of the "none" import arrived anywhere.
    for who in ["attendee", "attendee2"] {
        let cal = calendar_of(kind, who);
        let s = server(kind);
        let inbox = s.at(s.inbox.as_deref().unwrap(), who);
        for collection in [&cal, &inbox] {
            let seen = uids_on(kind, who, collection, day).await;
            for q in &quiet {
                assert!(!seen.contains(q), "{who} received {q} in {collection}");
            }
        }
    }
    // The organizer has all three, with how each was kept quiet.
    let copy = organizer_copy(kind, &quiet[0]).await;
    assert!(copy.contains("Imported quietly"));
    assert_eq!(copy.contains("SCHEDULE-AGENT=CLIENT"), expected_method == "schedule-agent-client", "{copy}");
    assert!(!organizer_copy(kind, &loud).await.contains("SCHEDULE-AGENT"));
}

on_servers!(none_keeps_attendees_unaware_and_all_invites_them: cyrus, davical);

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn xandikos_cannot_import_quietly_and_the_cli_refuses_without_yes() {
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid("xandikos-import");
    let file = ics_file(dir.path(), "x.ics", &[vevent(&uid, "Needs a yes", day, 10, &["attendee"])]);
    let p = Profile::new(Kind::Xandikos, "organizer");
    let calendar = calendar_of(Kind::Xandikos, "organizer");
    let args = ["import", file.to_str().unwrap(), "--calendar", calendar.as_str(), "--scheduling", "none"];

    let out = p.run(&args);
    assert_ne!(code(&out), 0, "{}", text(&out));
    let msg = text(&out);
    assert!(msg.contains("Xandikos has no way to store events without notifying their attendees"), "{msg}");
    assert!(msg.contains("--yes") && msg.contains("every attendee is notified"), "{msg}");
    let url = convene::import::run::resource_url(&calendar, &uid);
    let c = support::client(Kind::Xandikos, "organizer");
    assert!(c.run(&Get { url: url.clone() }).await.is_err(), "nothing was written without --yes");

    // With --yes it goes ahead, and the attendee is invited as it warned.
    let out = p.run(&[&args[..], &["--yes", "--json"]].concat());
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json(&out)["method"], "plain");
    assert!(c.run(&Get { url }).await.is_ok());
    let attendee_calendar = calendar_of(Kind::Xandikos, "attendee");
    support::eventually("Xandikos delivering the invitation", || {
        let (cal, uid) = (attendee_calendar.clone(), uid.clone());
        async move { uids_on(Kind::Xandikos, "attendee", &cal, day).await.contains(&uid).then_some(()) }
    })
    .await;
}

/// Lines of the journal that say an entry went in.
fn journalled_imports(profile: &Path) -> usize {
    let mut n = 0;
    for dir in walk(profile) {
        if dir.extension().is_some_and(|e| e == "jsonl") {
            n += std::fs::read_to_string(&dir).unwrap_or_default().matches("\"step\":\"imported\"").count();
        }
    }
    n
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_import_killed_halfway_resumes_without_duplicates_or_losses() {
    const EVENTS: usize = 2000;
    let kind = Kind::Cyrus;
    let s = server(kind);
    // A calendar of its own, so "exactly 2,000" is countable.
    let name = format!("import-resume-{}", std::process::id());
    let calendar = s.at(&format!("{}{name}/", s.calendar_home), "organizer");
    support::client(kind, "organizer")
        .run(&MkCalendar { url: calendar.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let day0 = chrono::NaiveDate::from_ymd_opt(2030, 3, 1).unwrap();
    let uids: Vec<String> =
        (0..EVENTS).map(|i| format!("resume-{i}-{}@convene.test", std::process::id())).collect();
    let events: Vec<ics::Event> = uids
        .iter()
        .enumerate()
        .map(|(i, uid)| {
            vevent(
                uid,
                &format!("Event {i}"),
                day0 + chrono::Duration::days((i % 300) as i64),
                8 + (i % 8) as u32,
                &[],
            )
        })
        .collect();
    let file = ics_file(dir.path(), "big.ics", &events);
    let p = Profile::new(kind, "organizer");
    let args = ["import", file.to_str().unwrap(), "--calendar", &name, "--scheduling", "none", "--json"];

    let mut child = p
        .command(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while journalled_imports(p.dir.path()) < EVENTS / 2 {
        assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
        assert!(std::time::Instant::now() < deadline, "the import made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();
    let before = journalled_imports(p.dir.path());
    assert!(before < EVENTS, "killed halfway, not at the end ({before})");

    let out = p.run(&args);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = json(&out);
    let entries = report["entries"].as_array().unwrap();
    assert_eq!(entries.len(), EVENTS);
    assert!(
        entries.iter().all(|e| e["result"] == "imported"),
        "every entry is imported, none skipped as a duplicate"
    );
    let earlier = entries.iter().filter(|e| e["earlier"] == true).count();
    assert!(earlier >= before, "the rerun kept the first run's {before} (said {earlier})");

    // Exactly the 2,000, each once.
    let q = CalendarQuery {
        calendar: calendar.clone(),
        start: "20300101T000000Z".into(),
        end: "20310101T000000Z".into(),
        with_data: true,
    };
    let hits = support::client(kind, "organizer").run(&q).await.unwrap();
    let found: Vec<String> = hits.iter().filter_map(|h| h.data.as_deref()).flat_map(uids_in).collect();
    assert_eq!(found.len(), EVENTS, "objects on the server");
    let distinct: HashSet<&String> = found.iter().collect();
    assert_eq!(distinct.len(), EVENTS, "no UID twice");
    assert_eq!(distinct, uids.iter().collect::<HashSet<_>>(), "every UID of the file, nothing else");

    let delete =
        Delete { url: calendar, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    support::client(kind, "organizer").run(&delete).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn broken_entries_are_reported_by_line_and_the_good_ones_imported() {
    let kind = Kind::Radicale;
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let good = [support::uid("good-1"), support::uid("good-2"), support::uid("good-3")];
    let d = day.format("%Y%m%d");
    // Line numbers are asserted: keep the layout in step with them.
    let body = [
        "BEGIN:VCALENDAR".to_owned(),              // 1
        "VERSION:2.0".to_owned(),                  // 2
        "PRODID:-//Convene tests//EN".to_owned(),  // 3
        "BEGIN:VEVENT".to_owned(),                 // 4
        format!("UID:{}", good[0]),                // 5
        format!("DTSTART:{d}T090000Z"),            // 6
        "SUMMARY:Good one".to_owned(),             // 7
        "END:VEVENT".to_owned(),                   // 8
        "BEGIN:VEVENT".to_owned(),                 // 9
        "UID:no-start@convene.test".to_owned(),    // 10
        "SUMMARY:Forgot its start".to_owned(),     // 11
        "END:VEVENT".to_owned(),                   // 12
        "BEGIN:VEVENT".to_owned(),                 // 13
        format!("UID:{}", good[1]),                // 14
        format!("DTSTART:{d}T100000Z"),            // 15
        "SUMMARY:Good two".to_owned(),             // 16
        "END:VEVENT".to_owned(),                   // 17
        "BEGIN:VEVENT".to_owned(),                 // 18
        "UID:bad-date@convene.test".to_owned(),    // 19
        "DTSTART:20301345T250000Z".to_owned(),     // 20
        "END:VEVENT".to_owned(),                   // 21
        "BEGIN:VEVENT".to_owned(),                 // 22
        "UID:bad-line@convene.test".to_owned(),    // 23
        format!("DTSTART:{d}T110000Z"),            // 24
        "this line has no colon".to_owned(),       // 25
        "END:VEVENT".to_owned(),                   // 26
        "BEGIN:VEVENT".to_owned(),                 // 27
        format!("UID:{}", good[2]),                // 28
        format!("DTSTART;VALUE=DATE:{d}"),         // 29
        "SUMMARY:Good three (all day)".to_owned(), // 30
        "END:VEVENT".to_owned(),                   // 31
        "END:VCALENDAR".to_owned(),                // 32
        String::new(),
    ]
    .join("\r\n");
    let file = dir.path().join("mixed.ics");
    std::fs::write(&file, body).unwrap();
    let calendar = calendar_of(kind, "organizer");
    let p = Profile::new(kind, "organizer");
    let out = p.run(&[
        "import",
        file.to_str().unwrap(),
        "--calendar",
        calendar.as_str(),
        "--scheduling",
        "none",
        "--json",
    ]);
    assert_eq!(code(&out), 4, "incomplete: some entries could not be read\n{}", text(&out));
    let report = json(&out);
    let bad: Vec<(u64, String)> = report["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["line"].as_u64().unwrap(), b["problem"].as_str().unwrap().to_owned()))
        .collect();
    let lines: Vec<u64> = bad.iter().map(|(l, _)| *l).collect();
    assert!(lines.contains(&9) && lines.contains(&18), "{bad:?}");
    assert!(bad.iter().any(|(l, p)| *l == 9 && p.contains("DTSTART")), "{bad:?}");
    assert!(bad.iter().any(|(l, p)| *l == 18 && p.contains("20301345T250000Z")), "{bad:?}");
    assert!(bad.iter().any(|(l, _)| *l == 25 || *l == 22), "the line without a colon: {bad:?}");
    assert_eq!(bad.len(), 3, "{bad:?}");
    // The readable report names each bad line too.
    let out_text =
        p.run(&["import", file.to_str().unwrap(), "--calendar", calendar.as_str(), "--scheduling", "none"]);
    let t = text(&out_text);
    assert!(t.contains("mixed.ics:9:") && t.contains("mixed.ics:18:"), "{t}");

    let imported: Vec<String> = uids_on(kind, "organizer", &calendar, day).await;
    for g in &good {
        assert_eq!(imported.iter().filter(|u| *u == g).count(), 1, "{g} imported once");
    }
    assert!(!imported.iter().any(|u| u.contains("bad-") || u.contains("no-start")));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn duplicates_are_skipped_or_updated_as_chosen() {
    let kind = Kind::Radicale;
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid("dup");
    let calendar = calendar_of(kind, "organizer");
    let p = Profile::new(kind, "organizer");
    let first = ics_file(dir.path(), "a.ics", &[vevent(&uid, "First title", day, 9, &[])]);
    let out =
        p.run(&["import", first.to_str().unwrap(), "--calendar", calendar.as_str(), "--scheduling", "none"]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    let second = ics_file(dir.path(), "b.ics", &[vevent(&uid, "Second title", day, 9, &[])]);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "import",
            second.to_str().unwrap(),
            "--calendar",
            calendar.as_str(),
            "--scheduling",
            "none",
            "--json",
        ];
        args.extend_from_slice(extra);
        p.run(&args)
    };
    let out = run(&[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json(&out)["entries"][0]["result"], "skipped");
    assert!(
        organizer_copy(kind, &uid).await.contains("First title"),
        "a skipped duplicate is left as it was"
    );

    let out = run(&["--update-duplicates"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json(&out)["entries"][0]["result"], "updated");
    assert!(organizer_copy(kind, &uid).await.contains("Second title"));
    assert_eq!(copies(kind, &calendar, day, &uid).await, 1, "updated in place, not added");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_event_deleted_since_its_import_is_imported_again() {
    let kind = Kind::Radicale;
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid("deleted");
    let calendar = calendar_of(kind, "organizer");
    let p = Profile::new(kind, "organizer");
    let file = ics_file(dir.path(), "again.ics", &[vevent(&uid, "Comes back", day, 9, &[])]);
    let args =
        ["import", file.to_str().unwrap(), "--calendar", calendar.as_str(), "--scheduling", "none", "--json"];
    assert_eq!(code(&p.run(&args)), 0);

    let url = convene::import::run::resource_url(&calendar, &uid);
    let delete = Delete { url, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    support::client(kind, "organizer").run(&delete).await.unwrap();

    // The journal of the first run must not pass for the event itself.
    let out = p.run(&args);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["entries"][0]["result"], "imported");
    assert_eq!(report["entries"][0]["earlier"], false, "{report}");
    assert_eq!(copies(kind, &calendar, day, &uid).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_calendar_created_elsewhere_is_found_by_name_at_once() {
    let kind = Kind::Cyrus;
    let s = server(kind);
    let p = Profile::new(kind, "organizer");
    assert!(p.run(&["sync"]).status.success(), "the calendar list is read and cached");
    let name = format!("made-elsewhere-{}", std::process::id());
    let url = s.at(&format!("{}{name}/", s.calendar_home), "organizer");
    support::client(kind, "organizer")
        .run(&MkCalendar { url: url.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid("new-calendar");
    let file = ics_file(dir.path(), "new.ics", &[vevent(&uid, "Into a new calendar", day, 9, &[])]);
    let out =
        p.run(&["import", file.to_str().unwrap(), "--calendar", &name, "--scheduling", "none", "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(copies(kind, &url, day, &uid).await, 1, "{}", text(&out));
    let client = support::client(kind, "organizer");
    client
        .run(&Delete { url, precondition: Precondition::None, scheduling: SchedulingHeaders::default() })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_uid_held_by_another_calendar_is_never_touched() {
    let kind = Kind::Cyrus;
    let s = server(kind);
    let day = fresh_day();
    let uid = support::uid("elsewhere");
    // The organizer's Default calendar holds the UID already.
    let original = ics::object(vevent(&uid, "The original", day, 9, &[]));
    let put = convene::caldav::Put {
        url: convene::import::run::resource_url(&calendar_of(kind, "organizer"), &uid),
        data: original,
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    };
    support::client(kind, "organizer").run(&put).await.unwrap();
    let name = format!("import-other-{}", std::process::id());
    let other = s.at(&format!("{}{name}/", s.calendar_home), "organizer");
    support::client(kind, "organizer")
        .run(&MkCalendar { url: other.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = ics_file(dir.path(), "same-uid.ics", &[vevent(&uid, "The file's version", day, 9, &[])]);
    let p = Profile::new(kind, "organizer");
    let out = p.run(&[
        "import",
        file.to_str().unwrap(),
        "--calendar",
        &name,
        "--scheduling",
        "none",
        "--update-duplicates",
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(report["entries"][0]["result"], "skipped", "{}", text(&out));
    assert!(report["entries"][0]["reason"].as_str().unwrap().contains("outside this calendar"), "{report}");
    assert!(
        organizer_copy(kind, &uid).await.contains("The original"),
        "the other calendar's event is untouched"
    );

    let delete =
        Delete { url: other, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    support::client(kind, "organizer").run(&delete).await.unwrap();
}
