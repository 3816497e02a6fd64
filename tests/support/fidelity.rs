//! Round-trip checks for replies: an awkward invitation and the assertion
//! that only the user's own ATTENDEE line (and an added COMMENT) changed.

use convene::ical::reply::{Answer, Reply};

/// An invitation with everything that breaks naive round-trips.
pub fn awkward(uid: &str) -> String {
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
pub fn only_my_line_changed(before: &str, after: &str, comment: Option<&str>) {
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

pub fn reply(comment: Option<&str>) -> Reply {
    Reply {
        answer: Answer::Accept,
        comment: comment.map(str::to_owned),
        occurrence: None,
        me: "mailto:attendee@example.com".into(),
        silent: false,
        delegate: None,
    }
}
