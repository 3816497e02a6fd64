//! `convene import` of files that need repairs (issue 17) and entries that
//! need the person's yes or choice (issue 11): the repaired events arrive
//! and read back as meant, the flagged one stays out without
//! `--import-flagged`, an unknown zone name stays out until `--zone`.

use crate::support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use convene::caldav::{Delete, Get, Precondition, SchedulingHeaders};
use convene::ical::Document;
use convene::ical::event::{self, When};
use convene::ical::lines::Component;
use convene::ical::time::to_local;
use support::{Kind, Profile, server};

/// `convene import FILES… --json` into the organizer's default calendar:
/// exit code, report, and all it printed (for failure messages).
fn run(kind: Kind, p: &Profile, files: &[&Path], extra: &[&str]) -> (i32, serde_json::Value, String) {
    let s = server(kind);
    let calendar = s.at(&s.default_calendar, "organizer");
    let mut args = vec!["import".to_owned()];
    args.extend(files.iter().map(|f| f.to_str().unwrap().to_owned()));
    // No attendees anywhere, so "all" notifies nobody (and Xandikos can't be quiet).
    args.extend(["--calendar", calendar.as_str(), "--scheduling", "all", "--json"].map(str::to_owned));
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let out = p.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (out.status.code().unwrap_or(-1), json, text)
}

/// The report's entry for `uid`.
fn entry<'a>(report: &'a serde_json::Value, uid: &str) -> &'a serde_json::Value {
    let entries = report["entries"].as_array().unwrap_or_else(|| panic!("no entries: {report}"));
    entries.iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("{uid}: {report}"))
}

/// One VEVENT as the repair files write it: UID, DTSTAMP, then `lines` (CRLF each).
fn ev(uid: &str, lines: &str) -> String {
    format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n{lines}END:VEVENT\r\n")
}

/// `text` written to `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

fn resource(kind: Kind, uid: &str) -> url::Url {
    let s = server(kind);
    convene::import::run::resource_url(&s.at(&s.default_calendar, "organizer"), uid)
}

/// The organizer's copy of `uid` as the server gives it back, if any.
async fn copy(kind: Kind, uid: &str) -> Option<Document> {
    let data = support::client(kind, "organizer").run(&Get { url: resource(kind, uid) }).await.ok()?.data;
    Some(Document::parse(&data).unwrap())
}

/// Deletes what a test imported.
async fn delete(kind: Kind, uids: &[&String]) {
    let client = support::client(kind, "organizer");
    for uid in uids {
        let delete = Delete {
            url: resource(kind, uid),
            precondition: Precondition::None,
            scheduling: SchedulingHeaders::default(),
        };
        let _ = client.run(&delete).await;
        assert!(copy(kind, uid).await.is_none(), "{uid} deleted");
    }
}

fn first_event(doc: &Document) -> Component {
    doc.calendar().unwrap().children().find(|c| c.name == "VEVENT").unwrap().clone()
}

fn instant(w: &When) -> DateTime<Utc> {
    to_local(w).unwrap().with_timezone(&Utc)
}

/// The stored copy of `uid` starts at `utc`; a zoned start names `zone`
/// and the object holds its VTIMEZONE.
async fn assert_stored_at(kind: Kind, uid: &str, utc: DateTime<Utc>, zone: &str) {
    let doc = copy(kind, uid).await.unwrap_or_else(|| panic!("{uid} is stored"));
    let start = event::start(&first_event(&doc)).unwrap();
    assert_eq!(instant(&start), utc, "{uid}: {start:?}");
    if let Some(tzid) = &start.tzid {
        assert_eq!(tzid, zone, "{uid}");
        let zones: Vec<_> = doc.calendar().unwrap().children().filter(|c| c.name == "VTIMEZONE").collect();
        assert!(zones.iter().any(|z| z.prop("TZID").is_some_and(|t| t.value == zone)), "{uid} has its zone");
    }
}

/// A VCALENDAR holding `body` (events and any calendar lines before them).
fn calendar(prodid: &str, body: &[String]) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\n{}END:VCALENDAR\r\n", body.concat())
}

async fn files_needing_each_repair_import_as_meant(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let [bare, holiday, berlin, outlook, floating, xline, flagged] =
        ["bare", "holiday", "berlin", "outlook", "floating", "xline", "flagged"]
            .map(|tag| support::uid(&format!("repair-{tag}")));
    let bare_file = write(
        dir.path(),
        "bare.ics",
        &format!(
            "Exported by a web site\r\n{}",
            ev(&bare, "DTSTART:20300704T160000Z\r\nDTEND:20300704T170000Z\r\nSUMMARY:Bare\r\n")
        ),
    );
    let body = [
        "X-WR-TIMEZONE:Europe/Berlin\r\n".to_owned(),
        ev(&holiday, "DTSTART:20301225\r\nDTEND:20301225\r\nSUMMARY:Holiday\r\n"),
        ev(
            &berlin,
            "DTSTART;TZID=Europe/Berlin:20300701T100000\r\nDTEND;TZID=Europe/Berlin:20300701T110000\r\nSUMMARY:Berlin\r\n",
        ),
        ev(
            &outlook,
            "DTSTART;TZID=W. Europe Standard Time:20300115T100000\r\nDTEND;TZID=W. Europe Standard Time:20300115T110000\r\nSUMMARY:Outlook\r\n",
        ),
        ev(&floating, "DTSTART:20300702T100000\r\nDTEND:20300702T110000\r\nSUMMARY:Floating\r\n"),
        ev(
            &xline,
            "DTSTART:20300610T090000Z\r\nDTEND:20300610T100000Z\r\nX-APPLE-STRUCTURED-LOCATION;VALUE=URI\r\nSUMMARY;X-BROKEN:Broken X\r\n",
        ),
        // Held back: never written to any server.
        ev(
            &flagged,
            "DTSTART:20300101T000000Z\r\nRRULE:FREQ=SECONDLY;COUNT=2000000000\r\nSUMMARY:Every second\r\n",
        ),
    ];
    let file =
        write(dir.path(), "repairs.ics", &format!("{}stray trailer\r\n", calendar("-//Feeds//EN", &body)));

    let p = Profile::new(kind, "organizer");
    let (code, report, text) = run(kind, &p, &[&bare_file, &file], &[]);
    assert_eq!(code, 0, "held back and noted is not a failure: {text}");
    for u in [&bare, &holiday, &berlin, &outlook, &floating, &xline] {
        assert_eq!(entry(&report, u)["result"], "imported", "{report}");
        assert!(
            !entry(&report, u)["repairs"].as_array().unwrap().is_empty(),
            "{u} lists its repairs: {report}"
        );
    }
    assert_eq!(entry(&report, &flagged)["result"], "skipped", "{report}");
    assert!(
        entry(&report, &flagged)["reason"].as_str().unwrap().starts_with("held back until you confirm it"),
        "{report}"
    );
    assert_eq!(report["notes"].as_array().unwrap().len(), 2, "two stray lines: {report}");
    assert_eq!(
        entry(&report, &holiday)["repairs"],
        serde_json::json!([
            "DTSTART read as a date",
            "DTEND read as a date",
            "DTEND was not after DTSTART: the all-day event now ends on 20301226, one day later"
        ])
    );

    // What the server holds reads back as meant.
    let day = first_event(&copy(kind, &holiday).await.expect("the holiday is stored"));
    let (start, end) = (event::start(&day).unwrap(), event::end(&day).unwrap());
    assert!(start.is_date() && end.is_date(), "{day:?}");
    assert_eq!((start.value.as_str(), end.value.as_str()), ("20301225", "20301226"));
    for (u, utc) in [
        (&berlin, Utc.with_ymd_and_hms(2030, 7, 1, 8, 0, 0).unwrap()),
        (&outlook, Utc.with_ymd_and_hms(2030, 1, 15, 9, 0, 0).unwrap()),
        (&floating, Utc.with_ymd_and_hms(2030, 7, 2, 8, 0, 0).unwrap()),
        (&bare, Utc.with_ymd_and_hms(2030, 7, 4, 16, 0, 0).unwrap()),
    ] {
        assert_stored_at(kind, u, utc, "Europe/Berlin").await;
    }
    let x = first_event(&copy(kind, &xline).await.expect("the X- event is stored"));
    assert_eq!(event::text(&x, "SUMMARY").as_deref(), Some("Broken X"));
    assert!(x.prop("X-APPLE-STRUCTURED-LOCATION").is_none());
    assert!(copy(kind, &flagged).await.is_none(), "the flagged event stayed out");
    delete(kind, &[&bare, &holiday, &berlin, &outlook, &floating, &xline]).await;
}

on_servers!(files_needing_each_repair_import_as_meant: cyrus, davical, xandikos);

/// A time-zone name nothing resolves waits for the person's choice:
/// neither `--yes` nor `--import-flagged` sends it (a server would store
/// the name and read the times as it pleases); `--zone` does, and the
/// event lands at the instant the chosen zone gives it.
async fn an_unknown_zone_imports_once_chosen(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let atlantis = support::uid("zone-atlantis");
    let body = [ev(
        &atlantis,
        "DTSTART;TZID=Nowhere/Atlantis:20300703T100000\r\nDTEND;TZID=Nowhere/Atlantis:20300703T110000\r\nSUMMARY:Atlantis\r\n",
    )];
    let file = write(dir.path(), "atlantis.ics", &calendar("-//Hostile//EN", &body));
    let p = Profile::new(kind, "organizer");
    let (code, report, text) = run(kind, &p, &[&file], &["--yes", "--import-flagged"]);
    assert_eq!(code, 0, "{text}");
    let e = entry(&report, &atlantis);
    assert_eq!(e["result"], "skipped", "{report}");
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .starts_with("held back until you choose the time zone \"Nowhere/Atlantis\""),
        "{report}"
    );
    assert!(copy(kind, &atlantis).await.is_none(), "no yes stands in for a choice");

    let (code, report, text) = run(kind, &p, &[&file], &["--zone", "Nowhere/Atlantis=Europe/Berlin"]);
    let e = entry(&report, &atlantis);
    assert_eq!((code, e["result"].as_str()), (0, Some("imported")), "{text}");
    assert_eq!(
        e["repairs"],
        serde_json::json!([
            "the time zone \"Nowhere/Atlantis\" read as Europe/Berlin, as you chose",
            "added the time zone Europe/Berlin from the time-zone database"
        ])
    );
    // 10:00 in Berlin summer time.
    assert_stored_at(kind, &atlantis, Utc.with_ymd_and_hms(2030, 7, 3, 8, 0, 0).unwrap(), "Europe/Berlin")
        .await;
    delete(kind, &[&atlantis]).await;
}

on_servers!(an_unknown_zone_imports_once_chosen: cyrus, davical, xandikos);

/// Cyrus refuses a timed event with no length (RFC 5545 allows it); the
/// report puts its `valid-calendar-data` into words.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_refusal_is_reported_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let uid = support::uid("zero-length");
    let body = [ev(&uid, "DTSTART:20300105T090000Z\r\nSUMMARY:No length\r\n")];
    let file = write(dir.path(), "zero.ics", &calendar("-//P//EN", &body));
    let p = Profile::new(Kind::Cyrus, "organizer");
    let (code, report, text) = run(Kind::Cyrus, &p, &[&file], &[]);
    assert_eq!((code, entry(&report, &uid)["result"].as_str()), (4, Some("failed")), "{text}");
    assert_eq!(
        entry(&report, &uid)["reason"],
        "refused by the server: the server found this entry's data invalid (valid-calendar-data)"
    );
}
