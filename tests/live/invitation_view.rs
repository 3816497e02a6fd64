//! What an invitation shows to answer it, from the attendee's cache after a
//! sync against the real servers: the person's own events that overlap it,
//! and what the organizer changed since the person answered.

use crate::support;

use convene::caldav::{Precondition, Put, SchedulingHeaders};
use support::{Kind, Profile};

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The organizer invites the attendee at `start`–`end` (UTC stamps).
async fn invite(kind: Kind, tag: &str, summary: &str, start: &str, end: &str) -> String {
    let uid = support::uid(tag);
    let data = support::invitation_at(&uid, summary, &["attendee"], start, end, false);
    support::organizer_put(kind, &uid, &data).await;
    uid
}

/// The UIDs in a row's `conflicts`.
fn conflict_uids(row: &serde_json::Value) -> Vec<String> {
    let list = row["conflicts"].as_array().unwrap_or_else(|| panic!("no conflicts list in {row}"));
    list.iter().map(|c| c["uid"].as_str().unwrap_or_default().to_owned()).collect()
}

/// An invitation lists the attendee's own overlapping events: one they
/// accepted and one of their own; not one they declined, nor one that
/// only touches it.
async fn overlapping_events_are_listed(kind: Kind) {
    // A day of its own per run, so the events of earlier runs on the same
    // servers don't crowd it (they could only add conflicts, never hide them).
    let day = 10 + (std::process::id() % 18);
    let at = |h: u32, m: u32| format!("203107{day:02}T{h:02}{m:02}00Z");
    let asked = invite(kind, "asked", "Design review", &at(10, 0), &at(11, 0)).await;
    let accepted = invite(kind, "accepted", "Team sync", &at(10, 30), &at(11, 30)).await;
    let declined = invite(kind, "declined", "Budget", &at(10, 0), &at(10, 30)).await;
    let s = support::server(kind);
    let att = support::client(kind, "attendee");
    let own = support::uid("own");
    let touching = support::uid("touching");
    for (uid, summary, start) in [(&own, "Dentist", at(9, 30)), (&touching, "Breakfast", at(9, 0))] {
        // An hour each: 09:30–10:30 overlaps the review; 09:00–10:00 ends
        // as it starts.
        let put = Put {
            url: support::object_url(&s.at(&s.default_calendar, "attendee"), uid),
            data: support::event(uid, summary, &start),
            precondition: Precondition::IfNoneMatchAny,
            scheduling: SchedulingHeaders::default(),
        };
        att.run(&put).await.unwrap();
    }
    let p = Profile::new(kind, "attendee");
    let out = p.run(&["sync"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    for (uid, answer) in [(&accepted, "accept"), (&declined, "decline")] {
        let out = p.run(&["reply", uid, answer]);
        assert_eq!(code(&out), 0, "{}", text(&out));
    }

    let row = p.invitation_row(&asked);
    let found = conflict_uids(&row);
    assert!(found.contains(&accepted), "the accepted meeting: {row}");
    assert!(found.contains(&own), "the person's own 09:30–10:30: {row}");
    assert!(!found.contains(&declined), "declined: {row}");
    assert!(!found.contains(&touching), "09:00–10:00 only touches 10:00: {row}");
    assert!(!found.contains(&asked), "not itself: {row}");
    let team = row["conflicts"].as_array().unwrap().iter().find(|c| c["uid"] == accepted.as_str()).unwrap();
    assert_eq!(team["summary"], "Team sync");
    let start = chrono::DateTime::parse_from_rfc3339(team["start"].as_str().unwrap()).unwrap();
    assert_eq!(start.with_timezone(&chrono::Utc).format("%H:%M").to_string(), "10:30", "{team}");
    // And the other way round: the accepted meeting conflicts with the review.
    assert!(conflict_uids(&p.invitation_row(&accepted)).contains(&asked));
}

on_servers!(overlapping_events_are_listed: xandikos, cyrus);

/// The organizer moves a meeting the attendee accepted: after a sync it is
/// listed as updated with the new time, until the attendee answers again.
async fn an_update_after_the_answer_is_shown(kind: Kind) {
    let uid = invite(kind, "moved", "Planning", "20300604T100000Z", "20300604T110000Z").await;
    let p = Profile::new(kind, "attendee");
    let out = p.run(&["sync"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(p.invitation_row(&uid)["updated"], false, "its own answer is no update");

    support::organizer_reschedule(kind, &uid, "20300605T140000Z", "20300605T150000Z").await;
    let row = support::eventually("the moved copy", || {
        let p = &p;
        let uid = uid.clone();
        async move {
            let out = p.run(&["sync"]);
            assert_eq!(code(&out), 0, "{}", text(&out));
            Some(p.invitation_row(&uid)).filter(|r| r["updated"] == true)
        }
    })
    .await;
    let changes = row["changes"].as_array().unwrap();
    let time =
        changes.iter().find(|c| c["field"] == "time").unwrap_or_else(|| panic!("no time change: {row}"));
    assert!(time["before"].as_str().unwrap().contains("20300604T100000Z"), "{row}");
    assert!(time["after"].as_str().unwrap().contains("20300605T140000Z"), "{row}");
    // Whether the server reset the answer, the list says what it did.
    let reset = row["my_partstat"] != "ACCEPTED";
    assert_eq!(row["answer_reset"].is_string(), reset, "{row}");
    // Updated invitations come first, with the unanswered.
    let out = p.run(&["invitations", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let at = rows.iter().position(|r| r["uid"] == uid.as_str()).unwrap();
    let waiting =
        |r: &serde_json::Value| r["pending"] == true || r["updated"] == true || r["reply"]["state"] != "none";
    assert!(rows[..at].iter().all(waiting), "not at the top");

    // Answering again is seeing it.
    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let row = p.invitation_row(&uid);
    assert_eq!(row["updated"], false, "{row}");
    assert_eq!(row["changes"].as_array().map(Vec::len), Some(0), "{row}");
}

on_servers!(an_update_after_the_answer_is_shown: xandikos, cyrus);
