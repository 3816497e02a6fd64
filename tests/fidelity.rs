//! A reply changes only the user's ATTENDEE line (plus the COMMENT it adds):
//! every other content line stays byte-identical after unfolding, on
//! invitations as each scheduling server really delivers them.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use convene::ical::reply::{Answer, Reply, apply};
use support::{Kind, Profile};

/// An invitation with everything that breaks naive round-trips.
fn awkward(uid: &str) -> String {
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Convene tests//Awkward//EN",
        "X-WR-CALNAME:Team \\, Ops",
        "BEGIN:VTIMEZONE",
        "TZID:Pacific/Chatham",
        "BEGIN:STANDARD",
        "DTSTART:19700405T034500",
        "TZOFFSETFROM:+1345",
        "TZOFFSETTO:+1245",
        "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU",
        "TZNAME:+1245",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:19700927T024500",
        "TZOFFSETFROM:+1245",
        "TZOFFSETTO:+1345",
        "RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU",
        "TZNAME:+1345",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        &format!("UID:{uid}"),
        "DTSTAMP:20300101T000000Z",
        "DTSTART;TZID=Pacific/Chatham:20300604T091500",
        "DTEND;TZID=Pacific/Chatham:20300604T101500",
        "SEQUENCE:0",
        "SUMMARY:Überprüfung \\; Planung – 日本語 🚀",
        "LOCATION:Room \"Kauri\"\\, Level 3",
        "DESCRIPTION:Agenda:\\n1. Budget\\, Q3\\n2. Risks\\; mitigations\\nDetails at h",
        " ttps://example.com/wiki/Planning?x=1&y=2 – bitte vorher lesen. Größe: 42",
        "  m² … ok",
        "X-CONVENE-TEST;X-PARAM=\"a;b:c\";OTHER=plain:keep me exactly",
        "ORGANIZER;CN=\"Chen: Lead\";X-ORG=1:mailto:organizer@example.com",
        "ATTENDEE;CN=\"Chen: Lead\";PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:organizer@example.com",
        "ATTENDEE;CN=\"Ann Attendee\";PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:attendee@example.com",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Reminder",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    .join("\r\n")
}

fn unfolded(s: &str) -> Vec<String> {
    s.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .lines()
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect()
}

/// Asserts that `after` differs from `before` only in the user's ATTENDEE
/// line and one added COMMENT.
fn only_my_line_changed(before: &str, after: &str, comment: Option<&str>) {
    let (b, a) = (unfolded(before), unfolded(after));
    let is_mine = |l: &String| {
        l.starts_with("ATTENDEE") && l.to_ascii_lowercase().ends_with("mailto:attendee@example.com")
    };
    let rest_b: Vec<&String> = b.iter().filter(|l| !is_mine(l)).collect();
    let mut rest_a: Vec<&String> = a.iter().filter(|l| !is_mine(l)).collect();
    if let Some(c) = comment {
        let added = format!("COMMENT:{c}");
        let at = rest_a.iter().position(|l| **l == added).unwrap_or_else(|| panic!("{added} missing"));
        rest_a.remove(at);
    }
    assert_eq!(rest_b, rest_a, "lines other than my ATTENDEE changed");
    let mine: Vec<&String> = a.iter().filter(|l| is_mine(l)).collect();
    assert!(!mine.is_empty() && mine.iter().all(|l| l.contains("PARTSTAT=ACCEPTED")), "{mine:?}");
    // Edited lines are folded at 75 octets.
    for line in after.split("\r\n").filter(|l| !before.contains(*l)) {
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
    }
}

fn reply(comment: Option<&str>) -> Reply {
    Reply {
        answer: Answer::Accept,
        comment: comment.map(str::to_owned),
        occurrence: None,
        me: "mailto:attendee@example.com".into(),
    }
}

#[test]
fn captured_server_copies_round_trip() {
    for server in ["xandikos", "cyrus", "davical"] {
        let path = format!("{}/tests/fixtures/{server}/get-attendee-copy.ics", env!("CARGO_MANIFEST_DIR"));
        let copy = std::fs::read_to_string(path).unwrap();
        let out = apply(&copy, &reply(Some("Will join remotely, ünd so"))).unwrap();
        only_my_line_changed(&copy, &out, Some("Will join remotely\\, ünd so"));
    }
}

#[test]
fn the_awkward_invitation_round_trips_offline() {
    let data = awkward("offline@convene.test");
    only_my_line_changed(&data, &apply(&data, &reply(None)).unwrap(), None);
}

/// Delivered by the server, answered through the engine, accepted by the
/// server (Xandikos refuses any attendee edit beyond its own line).
async fn delivered_and_answered(kind: Kind) {
    let uid = support::uid("awkward");
    support::organizer_put(kind, &uid, &awkward(&uid)).await;
    let p = Profile::new(kind, "attendee");
    assert!(p.run(&["sync"]).status.success());
    let engine = p.engine();
    let listing = engine.invitations().unwrap().into_iter().find(|l| l.invitation.uid == uid).unwrap();
    assert_eq!(listing.invitation.summary.as_deref(), Some("Überprüfung ; Planung – 日本語 🚀"));
    assert_eq!(listing.invitation.organizer.as_ref().unwrap().name.as_deref(), Some("Chen: Lead"));
    let copy = support::client(kind, "attendee")
        .run(&convene::caldav::Get { url: listing.url.clone() })
        .await
        .unwrap();
    drop(engine);
    only_my_line_changed(&copy.data, &apply(&copy.data, &reply(Some("ok"))).unwrap(), Some("ok"));

    let out = p.run(&["reply", &uid, "accept", "--comment", "ok"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));
    assert!(org.data.contains("Pacific/Chatham"), "the organizer's time zone survived");
}

#[tokio::test]
async fn awkward_xandikos() {
    delivered_and_answered(Kind::Xandikos).await
}
#[tokio::test]
async fn awkward_cyrus() {
    delivered_and_answered(Kind::Cyrus).await
}
#[tokio::test]
async fn awkward_davical() {
    delivered_and_answered(Kind::Davical).await
}
