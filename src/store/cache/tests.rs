use std::collections::{BTreeMap, BTreeSet};

use chrono::{TimeZone, Utc};

use super::legacy::{JsonCache, JsonCalendar};
use super::*;
use crate::caldav::Object;

fn url(s: &str) -> Url {
    Url::parse(&format!("https://dav.example.com{s}")).unwrap()
}

fn calendar(path: &str) -> Calendar {
    Calendar {
        url: url(path),
        display_name: Some(format!("Calendar {path}")),
        color: Some("#112233".into()),
        components: vec!["VEVENT".into(), "VTODO".into()],
        ctag: Some(format!("ctag-{path}")),
        sync_token: Some(format!("token-{path}")),
        reports: vec!["sync-collection".into()],
        read_only: false,
    }
}

fn event(uid: &str, start: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{uid}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn object(path: &str, data: String) -> Object {
    Object {
        url: url(path),
        etag: Some(Etag(format!("\"{path}\""))),
        schedule_tag: Some(ScheduleTag(format!("\"s{path}\""))),
        data,
    }
}

/// A format-1 file with every field set, as the JSON cache wrote it.
fn format1() -> JsonCache {
    let capabilities: Capabilities = serde_json::from_value(serde_json::json!({
        "server": {"product": "Cyrus", "version": "3.8", "header": "Cyrus-HTTP/3.8"},
        "dav": ["1", "calendar-access", "calendar-auto-schedule"],
        "implicit_scheduling": {"value": true, "why": "DAV header"},
        "schedule_tag": {"value": true, "why": "seen"},
        "schedule_tag_trusted": {"value": false, "why": "not measured"},
        "scheduling_controls": {"value": null, "why": "unknown"},
        "cyrus_scheduling_enabled": {"value": true, "why": "x"},
        "schedule_agent_client": {"value": false, "why": "y"},
        "sync_collection": {"value": true, "why": "z"},
        "etag_on_put": {"value": true, "why": "w"},
        "occurrence_replies": {"value": true, "why": "v"},
        "occurrence_replies_need_until": true
    }))
    .unwrap();
    let objects = |cal: &str, n: usize| -> BTreeMap<Url, CachedObject> {
        (0..n)
            .map(|i| {
                let o = object(&format!("{cal}{i}.ics"), event(&format!("{cal}{i}"), "20300101T100000Z", ""));
                (o.url.clone(), o.into())
            })
            .collect()
    };
    let mut no_tags = object("/b/plain.ics", event("plain", "20300102T100000Z", ""));
    (no_tags.etag, no_tags.schedule_tag) = (None, None);
    let mut b = objects("/b/", 2);
    b.insert(no_tags.url.clone(), no_tags.into());
    JsonCache {
        format: 1,
        principal: Some(Principal {
            url: url("/principals/me/"),
            display_name: Some("Me".into()),
            calendar_homes: vec![url("/calendars/me/")],
            addresses: vec!["mailto:me@example.com".into(), "/principals/me/".into()],
            inbox: Some(url("/inbox/")),
            outbox: Some(url("/outbox/")),
        }),
        capabilities: Some(capabilities),
        calendars: vec![
            JsonCalendar {
                info: calendar("/b/"),
                synced_token: Some("t-b".into()),
                synced_ctag: None,
                objects: b,
            },
            JsonCalendar {
                info: calendar("/a/"),
                synced_token: None,
                synced_ctag: Some("c-a".into()),
                objects: objects("/a/", 3),
            },
        ],
        synced_at: Some(1_700_000_000),
        listed_at: Some(1_700_000_100),
    }
}

/// The database read back into the JSON cache's shape.
fn to_format1(c: &Cache) -> JsonCache {
    JsonCache {
        format: 1,
        principal: c.principal.clone(),
        capabilities: c.capabilities.clone(),
        calendars: c
            .calendars
            .iter()
            .map(|cal| JsonCalendar {
                info: cal.info.clone(),
                synced_token: cal.synced_token.clone(),
                synced_ctag: cal.synced_ctag.clone(),
                objects: c.objects_in(&cal.info.url).unwrap().into_iter().collect(),
            })
            .collect(),
        synced_at: c.synced_at,
        listed_at: c.listed_at,
    }
}

#[test]
fn a_format_1_file_is_imported_whole_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("acct/cache.json");
    let db = dir.path().join("acct/cache.db");
    let old = format1();
    std::fs::create_dir_all(json.parent().unwrap()).unwrap();
    // What `Cache::save` wrote up to 0.1.
    crate::paths::write_atomic(&json, &serde_json::to_vec(&old).unwrap()).unwrap();
    let written = serde_json::to_value(&old).unwrap();
    // Facts added since are derived from the record's own when it is read.
    let mut caps = old.capabilities.clone().unwrap();
    caps.derive_new_facts();
    assert_eq!(caps.silent_replies.value, Some(true), "Cyrus with Scheduling-Enabled");
    let mut expected = written.clone();
    expected["capabilities"] = serde_json::to_value(&caps).unwrap();
    let cache = Cache::open(&db).unwrap();
    assert_eq!(serde_json::to_value(to_format1(&cache)).unwrap(), expected);
    assert!(!json.exists(), "renamed once imported");
    let kept = std::fs::read(dir.path().join("acct/cache.json.migrated")).unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&kept).unwrap(), written, "never deleted");
    drop(cache);
    // Reopened: read from the database, not imported twice.
    let cache = Cache::open(&db).unwrap();
    assert_eq!(serde_json::to_value(to_format1(&cache)).unwrap(), expected);
    assert_eq!(cache.objects().unwrap().len(), 6);
}

#[test]
fn damaged_and_newer_files_are_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cache.db");
    let garbage = b"this is not a database, but somebody's file: keep it".repeat(100);
    std::fs::write(&db, &garbage).unwrap();
    let e = Cache::open(&db).unwrap_err();
    assert!(matches!(e, StoreError::Damaged { .. }), "{e}");
    assert!(e.to_string().contains("cache.db"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), garbage);

    let newer = dir.path().join("newer/cache.db");
    drop(Cache::open(&newer).unwrap());
    let conn = Connection::open(&newer).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(&newer).unwrap();
    let e = Cache::open(&newer).unwrap_err();
    assert!(matches!(e, StoreError::TooNew { found: 99, supported: SCHEMA, .. }), "{e}");
    assert!(e.to_string().contains("newer/cache.db"), "{e}");
    assert_eq!(std::fs::read(&newer).unwrap(), before);

    // A damaged cache.json is not imported, and stays where it is.
    let json = dir.path().join("old/cache.json");
    std::fs::create_dir_all(json.parent().unwrap()).unwrap();
    std::fs::write(&json, b"{\"format\":1,\"calendars\":[tru").unwrap();
    let e = Cache::open(&json.with_file_name("cache.db")).unwrap_err();
    assert!(matches!(e, StoreError::Damaged { .. }), "{e}");
    std::fs::write(&json, b"{\"format\":2}").unwrap();
    let e = Cache::open(&json.with_file_name("cache.db")).unwrap_err();
    assert!(matches!(e, StoreError::TooNew { found: 2, .. }), "{e}");
    assert_eq!(std::fs::read(&json).unwrap(), b"{\"format\":2}");
}

fn fresh(dir: &tempfile::TempDir) -> Cache {
    let mut c = Cache::open(&dir.path().join("cache.db")).unwrap();
    c.set_calendars(vec![calendar("/a/"), calendar("/b/")]).unwrap();
    c
}

#[test]
fn a_sync_is_stored_whole_at_save_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    c.begin().unwrap();
    let fetched = vec![object("/a/1.ics", event("1", "20300101T100000Z", ""))];
    let synced = Synced { token: Some("t1".into()), ctag: None };
    c.apply(&url("/a/"), &BTreeSet::new(), fetched, Some(synced)).unwrap();
    c.synced_at = Some(7);
    // Stopped (a crash) before the save: nothing of the sync was stored.
    drop(c);
    let mut c = Cache::open(&dir.path().join("cache.db")).unwrap();
    assert!(c.objects().unwrap().is_empty());
    assert_eq!(c.calendar(&url("/a/")).unwrap().synced_token, None);
    assert_eq!(c.synced_at, None);

    c.begin().unwrap();
    let fetched = vec![object("/a/1.ics", event("1", "20300101T100000Z", ""))];
    let synced = Synced { token: Some("t1".into()), ctag: None };
    c.apply(&url("/a/"), &BTreeSet::new(), fetched, Some(synced)).unwrap();
    c.synced_at = Some(7);
    c.save().unwrap();
    drop(c);
    let c = Cache::open(&dir.path().join("cache.db")).unwrap();
    assert_eq!(c.objects().unwrap().len(), 1);
    assert_eq!(c.calendar(&url("/a/")).unwrap().synced_token.as_deref(), Some("t1"));
    assert_eq!(c.synced_at, Some(7));
}

#[test]
fn an_incomplete_sync_keeps_the_old_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    let one = object("/a/1.ics", event("1", "20300101T100000Z", ""));
    let synced = Synced { token: Some("t1".into()), ctag: Some("c1".into()) };
    c.apply(&url("/a/"), &BTreeSet::new(), vec![one.clone()], Some(synced)).unwrap();
    let two = object("/a/2.ics", event("2", "20300101T100000Z", ""));
    c.apply(&url("/a/"), &BTreeSet::new(), vec![two], None).unwrap();
    let a = c.calendar(&url("/a/")).unwrap();
    assert_eq!((a.synced_token.as_deref(), a.synced_ctag.as_deref()), (Some("t1"), Some("c1")));
    assert_eq!(c.etags(&url("/a/")).unwrap().len(), 2);
    // Removing counts only what was there.
    let gone: BTreeSet<Url> = [one.url.clone(), url("/a/never.ics")].into();
    assert_eq!(c.apply(&url("/a/"), &gone, vec![], None).unwrap(), 1);
    assert!(c.object(&one.url).unwrap().is_none());
    drop(c);
    let c = Cache::open(&dir.path().join("cache.db")).unwrap();
    assert_eq!(c.calendar(&url("/a/")).unwrap().synced_token.as_deref(), Some("t1"));
}

#[test]
fn calendars_gone_take_their_objects_and_kept_ones_their_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    for cal in ["/a/", "/b/"] {
        let o = object(&format!("{cal}1.ics"), event(cal, "20300101T100000Z", ""));
        let synced = Synced { token: Some(format!("t{cal}")), ctag: None };
        c.apply(&url(cal), &BTreeSet::new(), vec![o], Some(synced)).unwrap();
    }
    let mut renamed = calendar("/b/");
    renamed.display_name = Some("Renamed".into());
    c.set_calendars(vec![renamed, calendar("/c/")]).unwrap();
    let names: Vec<_> = c.calendars.iter().map(|c| c.info.url.path().to_owned()).collect();
    assert_eq!(names, ["/b/", "/c/"]);
    assert_eq!(c.calendars[0].synced_token.as_deref(), Some("t/b/"));
    let objects = c.objects().unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].0.info.display_name.as_deref(), Some("Renamed"));
    // A reply's result lands in its calendar.
    let mut replied = object("/b/1.ics", event("/b/", "20300101T100000Z", "COMMENT:yes\r\n"));
    replied.etag = Some(Etag("\"new\"".into()));
    c.put_object(&url("/b/"), &replied.url, replied.clone().into()).unwrap();
    let (cal, o) = c.object(&replied.url).unwrap().unwrap();
    assert_eq!((cal.info.url.path(), o), ("/b/", replied.into()));
}

#[test]
fn the_time_index_finds_what_overlaps_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    let weekly = "RRULE:FREQ=WEEKLY\r\n";
    let moved = event("moved", "20300101T090000Z", "RRULE:FREQ=DAILY;COUNT=3\r\n").replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:moved\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20300102T090000Z\r\nDTSTART:20300618T090000Z\r\nDURATION:PT1H\r\nSUMMARY:moved\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    let fetched = vec![
        object("/a/jan.ics", event("jan", "20300115T100000Z", "")),
        object("/a/jun.ics", event("jun", "20300615T100000Z", "")),
        object("/a/allday.ics", event("allday", "20300616", "")),
        object("/a/floating.ics", event("floating", "20300617T100000", "")),
        object("/a/series.ics", event("series", "20200101T090000Z", weekly)),
        // Series that end: in March 2030 by COUNT, in 2025 by UNTIL, and one
        // whose moved instance lands in June 2030 (its own VEVENT).
        object("/a/counted.ics", event("counted", "20300101T090000Z", "RRULE:FREQ=WEEKLY;COUNT=10\r\n")),
        object(
            "/a/until.ics",
            event("until", "20240101T090000Z", "RRULE:FREQ=DAILY;UNTIL=20250101T000000Z\r\n"),
        ),
        object("/a/moved.ics", moved),
        object("/a/dec.ics", event("dec", "20301215T100000Z", "")),
        object("/a/broken.ics", "not a calendar".into()),
    ];
    c.apply(&url("/a/"), &BTreeSet::new(), fetched.clone(), None).unwrap();
    // A long event that started before the range and ends in it.
    let long = event("long", "20300501T000000Z", "").replace("DURATION:PT1H", "DURATION:P50D");
    c.apply(&url("/b/"), &BTreeSet::new(), vec![object("/b/long.ics", long)], None).unwrap();
    let found = |c: &Cache, from: (i32, u32, u32), to: (i32, u32, u32)| {
        let from = Utc.with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(to.0, to.1, to.2, 0, 0, 0).unwrap();
        let mut names: Vec<String> = c
            .overlapping(from, to)
            .unwrap()
            .into_iter()
            .map(|(_, u, _)| u.path().trim_end_matches(".ics").rsplit('/').next().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        found(&c, (2030, 6, 10), (2030, 6, 20)),
        ["allday", "floating", "jun", "long", "moved", "series"]
    );
    assert_eq!(found(&c, (2030, 1, 1), (2030, 2, 1)), ["counted", "jan", "moved", "series"]);
    assert_eq!(found(&c, (2031, 1, 1), (2032, 1, 1)), ["series"], "series that ended are not asked");
    assert_eq!(found(&c, (2024, 6, 1), (2024, 6, 8)), ["series", "until"]);
    // Never a miss: whatever expansion shows in a range was found for it.
    for (from, to) in [
        ((2030, 1, 1), (2031, 1, 1)),
        ((2030, 6, 15), (2030, 6, 16)),
        ((2030, 6, 17), (2030, 6, 18)),
        ((2030, 3, 5), (2030, 3, 12)),
        ((2024, 12, 31), (2025, 1, 1)),
    ] {
        let (f, t) = (
            Utc.with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(to.0, to.1, to.2, 0, 0, 0).unwrap(),
        );
        let names = found(&c, from, to);
        for o in &fetched {
            if !crate::ical::occurrence::expand(&o.data, f, t).occurrences.is_empty() {
                let name = o.url.path().trim_end_matches(".ics").rsplit('/').next().unwrap();
                assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
            }
        }
    }
    // Removed objects leave the index with them.
    let gone: BTreeSet<Url> = [url("/a/jun.ics"), url("/a/series.ics")].into();
    c.apply(&url("/a/"), &gone, vec![], None).unwrap();
    assert_eq!(found(&c, (2030, 6, 10), (2030, 6, 20)), ["allday", "floating", "long", "moved"]);
}

#[test]
fn the_range_query_searches_the_index_instead_of_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let c = fresh(&dir);
    let conn = c.db();
    let plan = |sql: &str, args: &[i64]| -> Vec<String> {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let args = rusqlite::params_from_iter(args);
        st.query_map(args, |r| r.get(3)).unwrap().map(Result::unwrap).collect()
    };
    for (sql, args) in [(objects::OVERLAPPING, &[0, 1, 0][..]), (objects::LONGEST, &[])] {
        let steps = plan(sql, args);
        assert!(steps.iter().all(|s| !s.starts_with("SCAN")), "{steps:#?}");
        assert!(steps.iter().any(|s| s.contains("spans_")), "{steps:#?}");
    }
}

#[test]
fn scheduling_objects_are_found_by_end_and_by_uid() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    let organized = "ORGANIZER:mailto:o@example.com\r\nATTENDEE:mailto:me@example.com\r\n";
    let fetched = vec![
        object("/a/old.ics", event("old", "20200101T100000Z", organized)),
        object("/a/new.ics", event("new", "20300101T100000Z", organized)),
        object(
            "/a/endless.ics",
            event("endless", "20100101T100000Z", &format!("RRULE:FREQ=WEEKLY\r\n{organized}")),
        ),
        object("/a/mine.ics", event("mine", "20300101T100000Z", "")),
        // A lower-case property name is still an ORGANIZER.
        object("/a/lower.ics", event("lower", "20300101T100000Z", "organizer:mailto:o@example.com\r\n")),
    ];
    c.apply(&url("/a/"), &BTreeSet::new(), fetched, None).unwrap();
    let names = |found: Vec<(&CachedCalendar, Url, CachedObject)>| {
        let mut n: Vec<String> = found.into_iter().map(|(_, u, _)| u.path().to_owned()).collect();
        n.sort();
        n
    };
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap().timestamp();
    assert_eq!(
        names(c.scheduling_since(since, &[]).unwrap()),
        ["/a/endless.ics", "/a/lower.ics", "/a/new.ics"]
    );
    // A reply on its way keeps an old one; no duplicate for one found anyway.
    let uids = ["old".to_owned(), "new".to_owned()];
    assert_eq!(
        names(c.scheduling_since(since, &uids).unwrap()),
        ["/a/endless.ics", "/a/lower.ics", "/a/new.ics", "/a/old.ics"]
    );
    assert_eq!(names(c.with_uid("old").unwrap()), ["/a/old.ics"]);
    assert!(c.with_uid("mine").unwrap().is_empty(), "no organizer: never an invitation");
    // Removed with its object.
    c.apply(&url("/a/"), &[url("/a/old.ics")].into(), vec![], None).unwrap();
    assert!(c.with_uid("old").unwrap().is_empty());
}

/// A new file gets big pages (a first sync writes the whole calendar: a
/// quarter of the system calls), and WAL with them.
#[test]
fn a_new_cache_has_16_kb_pages_in_wal() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cache::open(&dir.path().join("cache.db")).unwrap();
    let conn = c.db();
    let page: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!((page, mode.as_str()), (16_384, "wal"));
}

#[test]
fn dismissed_and_snoozed_reminders_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let mut c = Cache::open(&path).unwrap();
    c.acknowledge("a", None, 10).unwrap();
    c.acknowledge("b", Some(1_900_000_000), 10).unwrap();
    c.acknowledge("b", Some(1_900_000_300), 11).unwrap();
    drop(c);
    let mut got = Cache::open(&path).unwrap().reminders().unwrap();
    got.sort();
    assert_eq!(got, vec![("a".to_owned(), None), ("b".to_owned(), Some(1_900_000_300))]);
}

#[test]
fn an_older_file_gains_the_tables_it_lacks_and_keeps_its_objects() {
    // What versions 1 and 2 wrote: no reminders table, then no seen table.
    for (version, lacks) in [(1, "DROP TABLE reminders; DROP TABLE seen"), (2, "DROP TABLE seen")] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let mut c = fresh(&dir);
        c.begin().unwrap();
        let fetched = vec![object("/a/1.ics", event("1", "20300101T100000Z", ""))];
        c.apply(&url("/a/"), &BTreeSet::new(), fetched, None).unwrap();
        c.save().unwrap();
        drop(c);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(lacks).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        drop(conn);
        let mut c = Cache::open(&path).unwrap();
        assert_eq!(c.objects().unwrap().len(), 1, "version {version}");
        c.acknowledge("k", None, 1).unwrap();
        c.set_seen("1", "BEGIN:VCALENDAR").unwrap();
        assert_eq!(c.seen("1").unwrap().as_deref(), Some("BEGIN:VCALENDAR"));
        let conn = rusqlite::Connection::open(&path).unwrap();
        let v: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA);
    }
}

#[test]
fn people_are_counted_once_per_event_most_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(&dir);
    let meeting = |attendees: &[&str]| {
        let mut extra = "ORGANIZER;CN=Me:mailto:me@example.com\r\n".to_owned();
        for a in attendees {
            extra.push_str(&format!("ATTENDEE;PARTSTAT=NEEDS-ACTION:{a}\r\n"));
        }
        extra
    };
    // Bob in two events (once in upper case, once twice in one event with
    // its moved occurrence), Ann in one; a non-address is left out.
    let series = event("s", "20300101T100000Z", &format!("RRULE:FREQ=DAILY\r\n{}", meeting(&["mailto:bob@example.com"])))
        .replace(
            "END:VCALENDAR",
            "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20300102T100000Z\r\nDTSTART:20300102T120000Z\r\nATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR",
        );
    let fetched = vec![
        object("/a/1.ics", series),
        object(
            "/a/2.ics",
            event("2", "20300101T100000Z", &meeting(&["MAILTO:Bob@Example.com", "mailto:ann@example.com"])),
        ),
        object("/b/3.ics", event("3", "20300101T100000Z", &meeting(&["urn:uuid:123"]))),
        object("/a/4.ics", event("4", "20300101T100000Z", "")),
    ];
    let (a, b): (Vec<_>, Vec<_>) = fetched.into_iter().partition(|o| o.url.path().starts_with("/a/"));
    c.apply(&url("/a/"), &BTreeSet::new(), a, None).unwrap();
    c.apply(&url("/b/"), &BTreeSet::new(), b, None).unwrap();
    let people = |c: &Cache| c.people().unwrap();
    assert_eq!(
        people(&c),
        [
            ("me@example.com".to_owned(), 3),
            ("bob@example.com".to_owned(), 2),
            ("ann@example.com".to_owned(), 1)
        ]
    );
    // An event changed or removed takes its people along.
    let changed = object("/a/2.ics", event("2", "20300101T100000Z", &meeting(&["mailto:ann@example.com"])));
    c.apply(&url("/a/"), &[url("/a/1.ics")].into(), vec![changed], None).unwrap();
    assert_eq!(people(&c), [("me@example.com".to_owned(), 2), ("ann@example.com".to_owned(), 1)]);
}

#[test]
fn an_older_index_gains_the_people_of_the_cached_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let mut c = fresh(&dir);
    let extra = "ORGANIZER:mailto:o@example.com\r\n";
    c.apply(
        &url("/a/"),
        &BTreeSet::new(),
        vec![object("/a/1.ics", event("1", "20300101T100000Z", extra))],
        None,
    )
    .unwrap();
    drop(c);
    // What index version 3 left: no people table.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE people; UPDATE account SET value = '3' WHERE key = 'index_version'")
        .unwrap();
    drop(conn);
    let c = Cache::open(&path).unwrap();
    assert_eq!(c.people().unwrap(), [("o@example.com".to_owned(), 1)]);
}
