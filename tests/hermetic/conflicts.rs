//! The invitation list's conflicts, judged for every invitation at once:
//! each invitation lists exactly the person's own events that overlap it,
//! however far apart the invitations are in time, and the first listing
//! records every invitation as seen.

use std::collections::BTreeSet;

use chrono::Datelike;
use convene::caldav::{Calendar, Etag, Object, Password, Principal};
use convene::config::Account;
use convene::store::{AccountFiles, Cache};
use convene::sync::Engine;
use url::Url;

const ME: &str = "mailto:attendee@example.com";

fn event(uid: &str, start: &str, end: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{uid}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn invited(partstat: &str) -> String {
    format!("ORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT={partstat}:{ME}\r\n")
}

fn account() -> Account {
    Account {
        name: "conflicts".into(),
        url: Url::parse("https://calendar.example.com/").unwrap(),
        user: "attendee".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: vec![],
    }
}

fn cache_with(dir: &std::path::Path, events: Vec<String>) -> (convene::paths::Paths, AccountFiles) {
    let paths = convene::paths::Paths::profile(dir);
    let files = AccountFiles::new(&paths, "conflicts");
    let cal = Url::parse("https://calendar.example.com/cal/").unwrap();
    let mut cache = Cache::open(&files.cache_file).unwrap();
    cache.principal = Some(Principal {
        url: cal.join("/p/attendee/").unwrap(),
        display_name: None,
        calendar_homes: vec![cal.join("/").unwrap()],
        addresses: vec![ME.into()],
        inbox: None,
        outbox: None,
    });
    cache
        .set_calendars(vec![Calendar {
            url: cal.clone(),
            display_name: Some("Work".into()),
            color: None,
            components: vec!["VEVENT".into()],
            ctag: None,
            sync_token: None,
            reports: vec![],
            read_only: false,
        }])
        .unwrap();
    let objects = events
        .into_iter()
        .enumerate()
        .map(|(i, data)| Object {
            url: cal.join(&format!("{i}.ics")).unwrap(),
            etag: Some(Etag::new(format!("\"{i}\""))),
            schedule_tag: None,
            data,
        })
        .collect();
    cache.begin().unwrap();
    cache.apply(&cal, &BTreeSet::new(), objects, None).unwrap();
    cache.save().unwrap();
    (paths, files)
}

#[test]
fn each_invitation_lists_the_own_events_that_overlap_it_months_apart() {
    let y = chrono::Utc::now().year() + 1;
    let nov = chrono::NaiveDate::from_ymd_opt(y, 11, 1).unwrap();
    let series = (nov - chrono::Duration::weeks(43)).format("%Y%m%d");
    let events = vec![
        // January: an invitation and the person's own meeting inside it.
        event(
            "jan-invite",
            &format!("{y}0105T100000Z"),
            &format!("{y}0105T110000Z"),
            &invited("NEEDS-ACTION"),
        ),
        event("jan-own", &format!("{y}0105T103000Z"), &format!("{y}0105T113000Z"), ""),
        // Right after it, touching but not overlapping: no conflict.
        event("jan-after", &format!("{y}0105T110000Z"), &format!("{y}0105T120000Z"), ""),
        // June (another window): two invitations at once conflict with
        // each other, a declined one conflicts with nothing.
        event("jun-a", &format!("{y}0610T090000Z"), &format!("{y}0610T100000Z"), &invited("NEEDS-ACTION")),
        event("jun-b", &format!("{y}0610T093000Z"), &format!("{y}0610T103000Z"), &invited("ACCEPTED")),
        event("jun-declined", &format!("{y}0610T090000Z"), &format!("{y}0610T100000Z"), &invited("DECLINED")),
        // A weekly series from January meets a November invitation 43
        // weeks on, and misses one the day after.
        event(
            "weekly-own",
            &format!("{series}T140000Z"),
            &format!("{series}T150000Z"),
            "RRULE:FREQ=WEEKLY\r\n",
        ),
        event(
            "nov-invite",
            &format!("{y}1101T143000Z"),
            &format!("{y}1101T153000Z"),
            &invited("NEEDS-ACTION"),
        ),
        event("nov-free", &format!("{y}1102T143000Z"), &format!("{y}1102T153000Z"), &invited("NEEDS-ACTION")),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (paths, files) = cache_with(dir.path(), events);
    let engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    let list = engine.invitations().unwrap();
    let conflicts = |uid: &str| -> Vec<String> {
        let l = list.iter().find(|l| l.invitation.uid == uid).unwrap_or_else(|| panic!("{uid} not listed"));
        l.conflicts.iter().map(|c| c.uid.clone()).collect()
    };
    assert_eq!(conflicts("jan-invite"), ["jan-own"]);
    assert_eq!(conflicts("jun-a"), ["jun-b"]);
    assert_eq!(conflicts("jun-b"), ["jun-a"]);
    assert_eq!(conflicts("jun-declined"), ["jun-a", "jun-b"]);
    assert_eq!(conflicts("nov-invite"), ["weekly-own"]);
    assert!(conflicts("nov-free").is_empty());
    drop(engine);

    // The first listing recorded every invitation as seen, so a later
    // change by the organizer is told as an update.
    let cache = Cache::open(&files.cache_file).unwrap();
    for uid in ["jan-invite", "jun-a", "jun-b", "jun-declined", "nov-invite", "nov-free"] {
        assert!(cache.seen(uid).unwrap().is_some(), "{uid} not recorded as seen");
    }
    assert!(cache.seen("jan-own").unwrap().is_none());
}

#[test]
fn an_hourly_series_still_conflicts_months_into_the_window() {
    // More hourly occurrences than the expansion's bound of 1,000 in the
    // window: past its first weeks it keeps only each day's first hours,
    // and the invitations late on a February and a March evening must still
    // meet it.
    let y = chrono::Utc::now().year() + 1;
    let events = vec![
        event(
            "hourly-own",
            &format!("{y}0101T000000Z"),
            &format!("{y}0101T003000Z"),
            "RRULE:FREQ=HOURLY\r\n",
        ),
        event(
            "jan-invite",
            &format!("{y}0105T100000Z"),
            &format!("{y}0105T101500Z"),
            &invited("NEEDS-ACTION"),
        ),
        event(
            "feb-invite",
            &format!("{y}0220T220000Z"),
            &format!("{y}0220T221500Z"),
            &invited("NEEDS-ACTION"),
        ),
        event(
            "mar-invite",
            &format!("{y}0320T220000Z"),
            &format!("{y}0320T221500Z"),
            &invited("NEEDS-ACTION"),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (paths, _) = cache_with(dir.path(), events);
    let engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    let list = engine.invitations().unwrap();
    for uid in ["jan-invite", "feb-invite", "mar-invite"] {
        let l = list.iter().find(|l| l.invitation.uid == uid).unwrap();
        let found: Vec<&str> = l.conflicts.iter().map(|c| c.uid.as_str()).collect();
        assert_eq!(found, ["hourly-own"], "{uid}");
    }
}
