//! "Keep theirs" after an organizer's conflict, without a server: the
//! change waiting in the outbox is dropped and the server's version the
//! conflict read is what the cache (so the calendar) holds; a newer
//! version a sync brought since is not replaced by that older one, nor is
//! an event a sync found deleted brought back.

use std::collections::BTreeSet;

use convene::caldav::{Calendar, Etag, Object, Password};
use convene::config::Account;
use convene::ical::Scope;
use convene::ical::draft::When;
use convene::store::{AccountFiles, Cache, EventChange, EventEntry, EventState, Outbox};
use convene::sync::Engine;
use url::Url;

fn account() -> Account {
    Account {
        name: "keep".into(),
        url: Url::parse("https://calendar.example.com/").unwrap(),
        user: "organizer".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: vec![],
    }
}

fn cal() -> Url {
    Url::parse("https://calendar.example.com/cal/").unwrap()
}

/// The event at `hour`:00 UTC on 2 July 2030, with ETag `etag`.
fn version(hour: u32, etag: &str) -> Object {
    let data = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:planning\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20300702T{hour:02}0000Z\r\nDTEND:20300702T{:02}0000Z\r\nSUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        hour + 1
    );
    Object {
        url: cal().join("planning.ics").unwrap(),
        etag: Some(Etag::new(format!("\"{etag}\""))),
        schedule_tag: None,
        data,
    }
}

/// A profile whose cache holds `cached`, and whose outbox holds a move
/// of the 10:00 version that met the server's 12:00 one.
fn profile(dir: &std::path::Path, cached: Option<Object>) -> (convene::paths::Paths, Outbox) {
    let paths = convene::paths::Paths::profile(dir);
    let files = AccountFiles::new(&paths, "keep");
    let mut cache = Cache::open(&files.cache_file).unwrap();
    let calendar = Calendar {
        url: cal(),
        display_name: Some("Work".into()),
        color: None,
        components: vec!["VEVENT".into()],
        ctag: None,
        sync_token: None,
        reports: vec![],
        read_only: false,
    };
    cache.set_calendars(vec![calendar]).unwrap();
    cache.begin().unwrap();
    cache.apply(&cal(), &BTreeSet::new(), cached.into_iter().collect(), None).unwrap();
    cache.save().unwrap();
    let outbox = Outbox::new(&files.outbox_dir);
    let entry = EventEntry {
        format: convene::store::outbox::FORMAT,
        uid: "planning".into(),
        calendar: cal(),
        change: EventChange::Delete { scope: Scope::All, cancel: false },
        base: version(10, "seen"),
        state: EventState::Conflict { server: version(12, "theirs"), clashes: vec![] },
        created: 0,
    };
    outbox.put_event(&entry).unwrap();
    (paths, outbox)
}

fn start_hour(engine: &Engine) -> u32 {
    let (draft, _) = engine.editor_draft(&version(0, "").url, None);
    match draft.expect("the event is cached").when {
        When::Timed { start, .. } => chrono::Timelike::hour(&start),
        other => panic!("{other:?}"),
    }
}

#[test]
fn keep_theirs_puts_the_servers_version_in_the_cache_and_drops_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, outbox) = profile(dir.path(), Some(version(10, "seen")));
    let mut engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    assert_eq!(start_hour(&engine), 10, "the version the person started from");
    engine.discard_event("planning").unwrap();
    assert_eq!(start_hour(&engine), 12, "theirs, at once");
    assert!(outbox.list_events().unwrap().is_empty(), "the change dropped");
}

#[test]
fn keep_theirs_leaves_a_newer_version_a_sync_brought() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, outbox) = profile(dir.path(), Some(version(14, "newer")));
    let mut engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    engine.discard_event("planning").unwrap();
    assert_eq!(start_hour(&engine), 14, "not replaced by the conflict's older copy");
    assert!(outbox.list_events().unwrap().is_empty());
}

#[test]
fn keep_theirs_does_not_bring_back_an_event_a_sync_found_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, outbox) = profile(dir.path(), None);
    let mut engine = Engine::open(&paths, &account(), Password::new("unused")).unwrap();
    engine.discard_event("planning").unwrap();
    let (draft, _) = engine.editor_draft(&version(0, "").url, None);
    assert!(draft.is_none(), "deleted on the server, it stays gone");
    assert!(outbox.list_events().unwrap().is_empty());
}
