//! `convene import` when the answer to a write is lost (a dropped answer,
//! a reset connection, a timeout): what the server stored decides, so
//! nothing is reported failed or imported twice. Faults come from the
//! proxy in front of a real server.

use crate::import::{calendar_of, code, copies, fresh_day, ics_file, json, text, vevent};
use crate::support;

use std::path::PathBuf;
use std::time::Duration;

use support::{Kind, Profile, server};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_write_whose_answer_was_lost_counts_as_imported_not_as_a_duplicate() {
    use support::proxy;
    let kind = Kind::Radicale;
    let s = server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let p = Profile::at(kind, "organizer", proxy.url.clone(), Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid("lost-answer");
    let file = ics_file(dir.path(), "lost.ics", &[vevent(&uid, "Answer lost", day, 9, &[])]);

    proxy.set(proxy::Mode::DropOnePutAnswer);
    let out = p.run(&[
        "import",
        file.to_str().unwrap(),
        "--calendar",
        "calendar",
        "--scheduling",
        "none",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(proxy.puts_forwarded(), 2, "the PUT landed, its answer was lost, and it was tried again");
    assert_eq!(json(&out)["entries"][0]["result"], "imported", "{}", text(&out));
    assert_eq!(copies(kind, &calendar_of(kind, "organizer"), day, &uid).await, 1, "once");
}

/// Cyrus behind the fault proxy, an organizer account through it, and a
/// file with one fresh event.
async fn through_proxy(
    tag: &str,
) -> (support::proxy::Proxy, Profile, tempfile::TempDir, PathBuf, String, chrono::NaiveDate) {
    let kind = Kind::Cyrus;
    let s = server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = support::proxy::start(addr).await;
    let principal = proxy.url.join(&s.principal.replace("{user}", "organizer")).unwrap();
    let p = Profile::at(kind, "organizer", principal, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let day = fresh_day();
    let uid = support::uid(tag);
    let file = ics_file(dir.path(), &format!("{tag}.ics"), &[vevent(&uid, "Answer never came", day, 9, &[])]);
    (proxy, p, dir, file, uid, day)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_write_reset_after_the_server_stored_it_is_reported_imported() {
    use support::proxy::Mode;
    let (proxy, p, _dir, file, uid, day) = through_proxy("reset-put").await;
    // Every PUT reaches Cyrus, every answer is lost to a hang-up.
    proxy.set(Mode::DropPutAnswers);
    let out =
        p.run(&["import", file.to_str().unwrap(), "--calendar", "Default", "--scheduling", "none", "--json"]);
    assert!(proxy.puts_forwarded() >= 2, "the write was tried again: {}", text(&out));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json(&out)["entries"][0]["result"], "imported", "{}", text(&out));
    assert_eq!(copies(Kind::Cyrus, &calendar_of(Kind::Cyrus, "organizer"), day, &uid).await, 1, "once");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_write_that_timed_out_after_the_server_stored_it_is_reported_imported() {
    use convene::import::{Outcome, source};
    use support::proxy::Mode;
    let (proxy, p, _dir, file, uid, day) = through_proxy("timed-out-put").await;
    let mut engine = p.engine();
    engine.sync().await.unwrap();
    let batch = source::read_files(&[file]);
    let calendar = engine.find_calendar("Default").unwrap().url;
    let job = engine
        .prepare_import(convene::sync::ImportRequest {
            items: batch.items,
            bad: batch.bad,
            notes: batch.notes,
            import_flagged: false,
            calendar,
            mode: convene::caldav::SchedulingMode::None,
            as_address: None,
            update_duplicates: false,
            confirmed: false,
            concurrency: 1,
        })
        .unwrap();
    // A busy server: it stores each PUT but answers none in time.
    proxy.set(Mode::HoldPutAfter);
    let mut cfg = convene::sync::engine::client_config(&p.account, support::password("organizer"));
    cfg.timeout = Duration::from_secs(1);
    let client = convene::caldav::Client::new(cfg).unwrap();
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let report = convene::import::run::run(client, job, cancel, |_| {}).await.unwrap();
    assert!(proxy.puts_forwarded() >= 1);
    assert_eq!(report.entries[0].outcome, Outcome::Imported, "{}", report.to_text());
    let journal = std::fs::read_to_string(&report.journal).unwrap();
    assert!(!journal.to_ascii_lowercase().contains("failed"), "{journal}");
    assert_eq!(copies(Kind::Cyrus, &calendar_of(Kind::Cyrus, "organizer"), day, &uid).await, 1, "once");
}
