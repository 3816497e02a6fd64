//! draft-ietf-calext-caldav-scheduling-controls on import: no installable
//! server implements it, so an in-process stub that advertises it pins our
//! side of the wire. The real `convene` binary adds the account and imports;
//! the stub records every request, and the PUTs must carry the draft's
//! headers exactly (and nothing of the fallbacks).

use crate::support;

use std::path::Path;
use std::process::Output;

use support::ics;
use support::stub::{self, Seen, Stub, response};

const PRINCIPAL: &str = "/principals/ann/";
const HOME: &str = "/calendars/ann/";
const CALENDAR: &str = "/calendars/ann/work/";
const DAV_HEADER: &str = "1, 3, calendar-access, calendar-auto-schedule, scheduling-controls";

fn multistatus(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">{inner}</d:multistatus>"#
    )
}

fn found(href: &str, props: &str) -> String {
    format!(
        "<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
}

fn body(s: &Seen) -> String {
    String::from_utf8_lossy(&s.body).into_owned()
}

/// A minimal CalDAV server with one calendar ("Work") that advertises
/// scheduling-controls and accepts every PUT.
fn answer(s: &Seen) -> Vec<u8> {
    let xml = |inner: String| {
        response(
            "207 Multi-Status",
            &[("content-type", "application/xml; charset=utf-8")],
            &multistatus(&inner),
        )
    };
    let b = body(s);
    match s.method.as_str() {
        "OPTIONS" => response(
            "200 OK",
            &[
                ("dav", DAV_HEADER),
                ("allow", "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR"),
                ("server", "SchedulingControlsStub/1.0"),
            ],
            "",
        ),
        "GET" if s.path == "/" => {
            response("200 OK", &[("content-type", "text/plain")], "a CalDAV stub for Convene's tests")
        }
        "PROPFIND" if b.contains("current-user-principal") => xml(found(
            &s.path,
            &format!("<d:current-user-principal><d:href>{PRINCIPAL}</d:href></d:current-user-principal>"),
        )),
        "PROPFIND" if s.path == PRINCIPAL && b.contains("calendar-home-set") => xml(found(
            PRINCIPAL,
            &format!(
                "<d:displayname>Ann</d:displayname>\
                 <c:calendar-home-set><d:href>{HOME}</d:href></c:calendar-home-set>\
                 <c:calendar-user-address-set><d:href>{PRINCIPAL}</d:href><d:href>mailto:ann@example.com</d:href><d:href>mailto:team@example.com</d:href></c:calendar-user-address-set>\
                 <c:schedule-inbox-URL><d:href>/calendars/ann/inbox/</d:href></c:schedule-inbox-URL>\
                 <c:schedule-outbox-URL><d:href>/calendars/ann/outbox/</d:href></c:schedule-outbox-URL>"
            ),
        )),
        "PROPFIND" if s.path == HOME && s.header("depth") == Some("1") => xml(format!(
            "{}{}",
            found(HOME, "<d:resourcetype><d:collection/></d:resourcetype>"),
            found(
                CALENDAR,
                "<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>\
                 <d:displayname>Work</d:displayname>\
                 <c:supported-calendar-component-set><c:comp name=\"VEVENT\"/></c:supported-calendar-component-set>\
                 <cs:getctag>\"ctag-1\"</cs:getctag>\
                 <d:sync-token>https://stub.example/sync/1</d:sync-token>\
                 <d:supported-report-set>\
                 <d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>\
                 <d:supported-report><d:report><c:calendar-multiget/></d:report></d:supported-report>\
                 <d:supported-report><d:report><c:calendar-query/></d:report></d:supported-report>\
                 </d:supported-report-set>",
            ),
        )),
        // The calendar is empty: nothing changed, here is a token.
        "REPORT" if s.path == CALENDAR && b.contains("sync-collection") => {
            xml("<d:sync-token>https://stub.example/sync/1</d:sync-token>".to_owned())
        }
        "PUT" if s.path.starts_with(CALENDAR) => {
            response("201 Created", &[("etag", &format!("\"{}\"", s.path.len()))], "")
        }
        _ => response("404 Not Found", &[], ""),
    }
}

/// Two events in 2030, each with an ORGANIZER and an ATTENDEE.
fn two_events() -> String {
    let event = |n: u32, summary: &str, (start, end): (&str, &str), attendee: &str| {
        ics::Event::new(&format!("stub-import-{n}@convene.test"))
            .summary(summary)
            .at(start, end)
            .line("ORGANIZER;CN=Team:mailto:team@example.com")
            .line(&format!("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{attendee}"))
    };
    ics::Calendar::new()
        .event(event(1, "Planning", ("20300604T100000Z", "20300604T110000Z"), "bob@example.org"))
        .event(event(2, "Review", ("20300605T140000Z", "20300605T150000Z"), "carol@example.net"))
        .to_string()
}

const UIDS: [&str; 2] = ["stub-import-1@convene.test", "stub-import-2@convene.test"];

struct Setup {
    stub: Stub,
    profile: tempfile::TempDir,
    ics: std::path::PathBuf,
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn convene(profile: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_convene"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

/// A fresh stub, a profile with an account on it (added by the binary), and
/// the .ics file.
async fn setup() -> Setup {
    let stub = stub::start(answer).await;
    let profile = tempfile::tempdir().unwrap();
    let ics = profile.path().join("meetings.ics");
    std::fs::write(&ics, two_events()).unwrap();
    let out = convene(
        profile.path(),
        &[
            "account",
            "add",
            "--url",
            stub.url.as_str(),
            "--user",
            "ann",
            "--password-command",
            "echo secret",
            "--name",
            "stub",
        ],
    )
    .await;
    assert!(out.status.success(), "account add failed: {}", text(&out));
    Setup { stub, profile, ics }
}

impl Setup {
    async fn import(&self, mode: &str, as_address: Option<&str>) -> Output {
        let ics = self.ics.to_str().unwrap();
        let mut args = vec!["import", ics, "--calendar", "Work", "--scheduling", mode];
        if let Some(a) = as_address {
            args.extend(["--as", a]);
        }
        convene(self.profile.path(), &args).await
    }

    fn seen(&self, method: &str) -> Vec<Seen> {
        self.stub.seen.lock().unwrap().iter().filter(|s| s.method == method).cloned().collect()
    }
}

/// Exactly one PUT per event, each a create-only write into the calendar
/// with the draft's headers as given, and no fallback of any kind.
fn assert_draft_puts(puts: &[Seen], mode: &str, address: &str) {
    assert_eq!(puts.len(), UIDS.len(), "one PUT per event: {puts:#?}");
    for uid in UIDS {
        let put = puts.iter().filter(|p| body(p).contains(&format!("UID:{uid}\r\n"))).collect::<Vec<_>>();
        assert_eq!(put.len(), 1, "{uid} was written {} times", put.len());
        let put = put[0];
        assert_eq!(put.path, format!("{CALENDAR}{uid}.ics"));
        assert_eq!(put.header("if-none-match"), Some("*"), "{uid}: not create-only");
        assert_eq!(put.header("scheduling"), Some(mode), "{uid}: Scheduling header");
        assert_eq!(put.header("schedule-user-address"), Some(address), "{uid}: Schedule-User-Address");
        assert_eq!(put.header("scheduling-enabled"), None, "{uid}: Cyrus's header sent to a draft server");
        assert!(put.header("if-match").is_none() && put.header("if-schedule-tag-match").is_none());
        let data = body(put);
        assert!(
            !data.to_ascii_uppercase().contains("SCHEDULE-AGENT"),
            "{uid}: the draft path fell back:\n{data}"
        );
        assert!(data.contains("ORGANIZER;CN=Team:mailto:team@example.com"), "{data}");
        assert!(data.contains("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"), "{data}");
        for (name, count) in [("scheduling", 1), ("schedule-user-address", 1)] {
            let n = put.headers.iter().filter(|(n, _)| n == name).count();
            assert_eq!(n, count, "{uid}: {name} sent {n} times");
        }
    }
}

async fn every_mode_as_team(mode: &str) {
    let s = setup().await;
    let out = s.import(mode, Some("mailto:team@example.com")).await;
    assert_eq!(out.status.code(), Some(0), "import --scheduling {mode} failed: {}", text(&out));
    assert!(text(&out).contains("2 imported, 0 updated, 0 skipped, 0 failed"), "{}", text(&out));
    assert_draft_puts(&s.seen("PUT"), mode, "mailto:team@example.com");
}

#[tokio::test]
async fn scheduling_none_is_sent_as_the_draft_says() {
    every_mode_as_team("none").await
}

#[tokio::test]
async fn scheduling_internal_only_is_sent_as_the_draft_says() {
    every_mode_as_team("internal-only").await
}

#[tokio::test]
async fn scheduling_external_only_is_sent_as_the_draft_says() {
    every_mode_as_team("external-only").await
}

#[tokio::test]
async fn scheduling_all_is_sent_as_the_draft_says() {
    every_mode_as_team("all").await
}

#[tokio::test]
async fn without_as_the_first_mailto_address_is_sent() {
    let s = setup().await;
    let out = s.import("none", None).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The set lists the principal URL first; attendees know the mailto.
    assert_draft_puts(&s.seen("PUT"), "none", "mailto:ann@example.com");
}

#[tokio::test]
async fn an_address_that_is_not_yours_is_refused_before_any_write() {
    let s = setup().await;
    let out = s.import("internal-only", Some("mailto:someone-else@example.com")).await;
    let said = text(&out);
    assert!(!out.status.success(), "an address not in calendar-user-address-set was accepted: {said}");
    assert!(said.contains("mailto:someone-else@example.com"), "{said}");
    assert!(said.contains("not one of your addresses"), "{said}");
    let seen = s.stub.seen.lock().unwrap();
    let writes: Vec<_> = seen
        .iter()
        .filter(|r| !matches!(r.method.as_str(), "OPTIONS" | "PROPFIND" | "REPORT" | "GET"))
        .collect();
    assert!(writes.is_empty(), "nothing may be written: {writes:#?}");
}
