//! `convene import` of files that need repairs (issue 17) and entries that
//! need the person's yes (issue 11): the repaired events arrive and read
//! back as meant, the flagged one stays out without `--import-flagged`.

use crate::support;

use std::path::Path;

use chrono::{TimeZone, Utc};
use convene::caldav::Get;
use convene::ical::event::{self, When};
use convene::ical::time::to_local;
use support::{Kind, Profile, server};

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

/// The organizer's copy of `uid` as the server gives it back, if any.
async fn copy(kind: Kind, uid: &str) -> Option<convene::ical::Document> {
    let s = server(kind);
    let url = convene::import::run::resource_url(&s.at(&s.default_calendar, "organizer"), uid);
    let data = support::client(kind, "organizer").run(&Get { url }).await.ok()?.data;
    Some(convene::ical::Document::parse(&data).unwrap())
}

fn first_event(doc: &convene::ical::Document) -> convene::ical::lines::Component {
    doc.calendar().unwrap().children().find(|c| c.name == "VEVENT").unwrap().clone()
}

fn instant(w: &When) -> chrono::DateTime<Utc> {
    to_local(w).unwrap().with_timezone(&Utc)
}

async fn files_needing_each_repair_import_as_meant(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let uid = |tag: &str| support::uid(tag);
    let (bare, holiday, berlin, outlook, floating, xline, flagged) = (
        uid("repair-bare"),
        uid("repair-holiday"),
        uid("repair-berlin"),
        uid("repair-outlook"),
        uid("repair-floating"),
        uid("repair-xline"),
        uid("repair-flagged"),
    );
    let bare_file = dir.path().join("bare.ics");
    std::fs::write(
        &bare_file,
        format!(
            "Exported by a web site\r\nBEGIN:VEVENT\r\nUID:{bare}\r\nDTSTAMP:20300101T000000Z\r\n\
DTSTART:20300704T160000Z\r\nDTEND:20300704T170000Z\r\nSUMMARY:Bare\r\nEND:VEVENT\r\n"
        ),
    )
    .unwrap();
    let ev = |uid: &str, lines: &str| {
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\n{lines}END:VEVENT\r\n")
    };
    let file = dir.path().join("repairs.ics");
    std::fs::write(
        &file,
        [
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Feeds//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n".to_owned(),
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
            ev(&flagged, "DTSTART:20300101T000000Z\r\nRRULE:FREQ=SECONDLY;COUNT=2000000000\r\nSUMMARY:Every second\r\n"),
            "END:VCALENDAR\r\nstray trailer\r\n".to_owned(),
        ]
        .concat(),
    )
    .unwrap();

    let p = Profile::new(kind, "organizer");
    let (code, report, text) = run(kind, &p, &[&bare_file, &file], &[]);
    assert_eq!(code, 0, "held back and noted is not a failure: {text}");
    let entries = report["entries"].as_array().unwrap();
    let entry =
        |uid: &str| entries.iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("{uid}: {report}"));
    for u in [&bare, &holiday, &berlin, &outlook, &floating, &xline] {
        assert_eq!(entry(u)["result"], "imported", "{report}");
        assert!(!entry(u)["repairs"].as_array().unwrap().is_empty(), "{u} lists its repairs: {report}");
    }
    assert_eq!(entry(&flagged)["result"], "skipped", "{report}");
    assert!(
        entry(&flagged)["reason"].as_str().unwrap().starts_with("held back until you confirm it"),
        "{report}"
    );
    assert_eq!(report["notes"].as_array().unwrap().len(), 2, "two stray lines: {report}");
    assert_eq!(
        entry(&holiday)["repairs"],
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
        let doc = copy(kind, u).await.unwrap_or_else(|| panic!("{u} is stored"));
        let ev = first_event(&doc);
        let start = event::start(&ev).unwrap();
        assert_eq!(instant(&start), utc, "{u}: {start:?}");
        if let Some(tzid) = &start.tzid {
            assert_eq!(tzid, "Europe/Berlin", "{u}");
            assert!(doc.calendar().unwrap().children().any(|c| c.name == "VTIMEZONE"), "{u} has its zone");
        }
    }
    let x = first_event(&copy(kind, &xline).await.expect("the X- event is stored"));
    assert_eq!(event::text(&x, "SUMMARY").as_deref(), Some("Broken X"));
    assert!(x.prop("X-APPLE-STRUCTURED-LOCATION").is_none());
    assert!(copy(kind, &flagged).await.is_none(), "the flagged event stayed out");
}

on_servers!(files_needing_each_repair_import_as_meant: cyrus, davical, xandikos);

/// A flagged entry goes in only with `--import-flagged` (`--yes` is not
/// enough).
async fn a_flagged_zone_needs_its_own_yes(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let atlantis = support::uid("flag-atlantis");
    let file = dir.path().join("atlantis.ics");
    std::fs::write(
        &file,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//EN\r\nBEGIN:VEVENT\r\nUID:{atlantis}\r\n\
DTSTAMP:20300101T000000Z\r\nDTSTART;TZID=Nowhere/Atlantis:20300703T100000\r\nDTEND;TZID=Nowhere/Atlantis:20300703T110000\r\nSUMMARY:Atlantis\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let p = Profile::new(kind, "organizer");
    let (code, report, text) = run(kind, &p, &[&file], &["--yes"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(report["entries"][0]["result"], "skipped", "{report}");
    assert!(report["entries"][0]["reason"].as_str().unwrap().contains("Nowhere/Atlantis"), "{report}");
    assert!(copy(kind, &atlantis).await.is_none(), "--yes does not confirm it");

    // All three servers store the name as it is once confirmed.
    let (code, report, text) = run(kind, &p, &[&file], &["--import-flagged"]);
    assert_eq!((code, report["entries"][0]["result"].as_str()), (0, Some("imported")), "{text}");
    assert!(copy(kind, &atlantis).await.is_some());
}

on_servers!(a_flagged_zone_needs_its_own_yes: cyrus, davical, xandikos);

/// Cyrus refuses a timed event with no length (RFC 5545 allows it); the
/// report puts its `valid-calendar-data` into words.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_refusal_is_reported_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let uid = support::uid("zero-length");
    let file = dir.path().join("zero.ics");
    std::fs::write(
        &file,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//P//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
DTSTAMP:20300101T000000Z\r\nDTSTART:20300105T090000Z\r\nSUMMARY:No length\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let p = Profile::new(Kind::Cyrus, "organizer");
    let (code, report, text) = run(Kind::Cyrus, &p, &[&file], &[]);
    assert_eq!((code, report["entries"][0]["result"].as_str()), (4, Some("failed")), "{text}");
    assert_eq!(
        report["entries"][0]["reason"],
        "refused by the server: the server found this entry's data invalid (valid-calendar-data)"
    );
}
