//! The desktop app, headless: iced_test's simulator clicks the real view,
//! and the messages go through the real `update` to a real sync actor and
//! a real server. (The test plays the subscription's part: it hands the
//! app the actor's sender and pumps the actor's updates into `update`.)

use crate::support;

use std::time::Duration;

use convene::config::Config;
use convene::sync::actor::Settings;
use convene::sync::{Handle, Update};
use convene::ui::{App, Message, Screen, connection, import, invitations, setup};
use iced_test::selector::id;
use iced_test::simulator;
use support::{Kind, Profile, ics};

fn start(p: &Profile) -> (App, Handle) {
    let app = App::new(p.paths(), Config { accounts: vec![p.account.clone()], ..Config::default() });
    let handle = convene::sync::spawn(Settings {
        paths: p.paths(),
        account: p.account.clone(),
        password: support::password(&p.account.user),
        every: Duration::from_secs(3600),
        retry: Duration::from_millis(300),
    });
    (app, handle)
}

/// Feeds actor updates into the app until `until` holds for one of them.
/// Fails when the actor goes quiet for 20 s (a hang), or after 5 minutes
/// in all; a slow server that keeps reporting progress is not a failure.
async fn pump(app: &mut App, h: &mut Handle, what: &str, until: impl Fn(&Update) -> bool) {
    let name = app.accounts[0].account.name.clone();
    if app.accounts[0].control.is_none() {
        let _ = app.update(Message::Account(name.clone(), connection::Event::Connected(h.control.clone())));
    }
    let give_up = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        let quiet = (tokio::time::Instant::now() + Duration::from_secs(20)).min(give_up);
        let u = tokio::time::timeout_at(quiet, h.updates.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what}: the actor was quiet for 20 s, or 5 minutes passed"))
            .unwrap_or_else(|| panic!("actor stopped before {what}"));
        let done = until(&u);
        let _ = app.update(Message::Account(name.clone(), connection::Event::Update(u)));
        if done {
            return;
        }
    }
}

/// Clicks `selector` in the current view and applies the resulting messages.
fn click(app: &mut App, selector: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(app.view());
        ui.click(id(selector.to_owned())).unwrap_or_else(|e| panic!("no {selector}: {e:?}"));
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "clicking {selector} did nothing");
    for m in messages {
        let _ = app.update(m);
    }
}

/// Selects an invitation, as ↑/↓ or a click on its row would.
fn select(app: &mut App, uid: &str) {
    let account = app.accounts[0].account.name.clone();
    let _ = app.update(Message::Invitations(invitations::Message::Select(convene::ui::Key {
        account,
        uid: uid.to_owned(),
    })));
}

fn shows(app: &App, text: &str) -> bool {
    simulator(app.view()).find(text.to_owned()).is_ok()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn add_an_account_against_a_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let mut app = App::new(paths.clone(), Config::default());
    assert_eq!(app.screen, Screen::AddAccount, "first run opens the account form");

    // A wrong password: a plain message, and what was typed is kept.
    app.setup.url = "http://127.0.0.1:58008/".into();
    app.setup.user = "attendee".into();
    app.setup.password = "wrong".into();
    click(&mut app, "setup-connect");
    let request = setup::Request {
        url: app.setup.url.clone(),
        user: "attendee".into(),
        password: convene::caldav::Password::new("wrong"),
        ca_file: None,
    };
    let result = setup::connect(paths.clone(), request).await;
    let _ = app.update(Message::Setup(setup::Message::Done(result)));
    assert!(shows(&app, "Wrong user name or password."));
    assert_eq!(app.setup.url, "http://127.0.0.1:58008/");

    // The right one: discovery, the keyring (or the offer to keep the
    // password for this session), the account saved.
    app.setup.password = support::password("attendee").expose().to_owned();
    click(&mut app, "setup-connect");
    let request = setup::Request {
        url: app.setup.url.clone(),
        user: "attendee".into(),
        password: support::password("attendee"),
        ca_file: None,
    };
    let result = setup::connect(paths.clone(), request).await;
    assert!(result.is_ok(), "{result:?}");
    let _ = app.update(Message::Setup(setup::Message::Done(result)));
    if app.accounts.is_empty() {
        // No Secret Service on this machine: the app says so and offers the session.
        assert!(matches!(app.setup.state, setup::State::NoKeyring { .. }));
        click(&mut app, "setup-session");
    }
    assert_eq!(app.accounts.len(), 1);
    assert_eq!(app.screen, Screen::Invitations);
    let saved = Config::load(&paths.config_file()).unwrap();
    assert_eq!(saved.accounts[0].user, "attendee");
    let text = std::fs::read_to_string(paths.config_file()).unwrap();
    assert!(!text.contains(support::password("attendee").expose()), "no password in the config file");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn accept_an_invitation_end_to_end() {
    let kind = Kind::Xandikos;
    let uid = support::uid("ui-accept");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Roadmap review", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let (mut app, mut h) = start(&p);
    pump(
        &mut app,
        &mut h,
        "the invitation",
        |u| matches!(u, Update::InvitationsChanged(l) if l.iter().any(|x| x.invitation.uid == uid)),
    )
    .await;
    assert!(shows(&app, "Roadmap review"));
    assert!(app.pending_count() >= 1);

    select(&mut app, &uid);
    click(&mut app, &format!("detail-accept-{uid}"));
    assert!(shows(&app, "Sending…"), "the answer shows it is on its way");
    pump(&mut app, &mut h, "Replied", |u| matches!(u, Update::Replied { uid: x } if *x == uid)).await;
    pump(&mut app, &mut h, "the refreshed list", |u| matches!(u, Update::InvitationsChanged(_))).await;
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));
    assert!(shows(&app, "Accepted"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_reschedule_opens_the_merge_dialog_and_send_resolves_it() {
    let kind = Kind::Cyrus;
    let uid = support::uid("ui-merge");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Architecture sync", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let (mut app, mut h) = start(&p);
    pump(
        &mut app,
        &mut h,
        "the invitation",
        |u| matches!(u, Update::InvitationsChanged(l) if l.iter().any(|x| x.invitation.uid == uid)),
    )
    .await;

    support::organizer_reschedule(kind, &uid, "20300605T140000Z", "20300605T150000Z").await;
    select(&mut app, &uid);
    click(&mut app, &format!("detail-accept-{uid}"));
    pump(&mut app, &mut h, "Conflict", |u| matches!(u, Update::Conflict { .. })).await;
    let dialog = app.merge.clone().expect("the merge dialog is open");
    let lines = dialog.change_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("Time: "), "{lines:?}");
    assert!(shows(&app, "The organizer changed this event"));
    assert!(shows(&app, &lines[0]), "the dialog shows {:?}", lines[0]);
    // Nothing was sent: the organizer's new time stands.
    assert_eq!(support::dtstart(&support::organizer_copy(kind, &uid).await.data), "20300605T140000Z");

    click(&mut app, "merge-send");
    assert!(app.merge.is_none());
    pump(&mut app, &mut h, "Replied", |u| matches!(u, Update::Replied { uid: x } if *x == uid)).await;
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::dtstart(&org.data), "20300605T140000Z");
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_unreachable_server_shows_offline_and_keeps_the_answer() {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = support::proxy::start(addr).await;
    let uid = support::uid("ui-offline");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Field trip", &["attendee"])).await;
    let p = Profile::at(
        kind,
        "attendee",
        proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap(),
        Vec::new(),
    );
    let (mut app, mut h) = start(&p);
    pump(
        &mut app,
        &mut h,
        "the invitation",
        |u| matches!(u, Update::InvitationsChanged(l) if l.iter().any(|x| x.invitation.uid == uid)),
    )
    .await;

    proxy.set(support::proxy::Mode::Refuse);
    select(&mut app, &uid);
    click(&mut app, &format!("detail-decline-{uid}"));
    pump(&mut app, &mut h, "Offline", |u| matches!(u, Update::Offline { .. })).await;
    pump(&mut app, &mut h, "the pending answer in the list", |u| matches!(u, Update::InvitationsChanged(_)))
        .await;
    assert!(app.status_line().starts_with("Offline"), "{}", app.status_line());
    assert!(shows(&app, "Declined — waiting to be sent (offline)"));
    assert_eq!(
        support::partstat(&support::organizer_copy(kind, &uid).await.data, "attendee", None).as_deref(),
        Some("NEEDS-ACTION")
    );

    proxy.set(support::proxy::Mode::Forward);
    pump(&mut app, &mut h, "Replied", |u| matches!(u, Update::Replied { uid: x } if *x == uid)).await;
    assert_eq!(
        support::partstat(&support::organizer_copy(kind, &uid).await.data, "attendee", None).as_deref(),
        Some("DECLINED")
    );
}

/// Clicking `selector` produces no message: the control is disabled.
fn is_disabled(app: &App, selector: &str) -> bool {
    let mut ui = simulator(app.view());
    ui.click(id(selector.to_owned())).unwrap_or_else(|e| panic!("no {selector}: {e:?}"));
    ui.into_messages().next().is_none()
}

/// A .ics file with `n` events in 2030 that invite `attendee`, plus one
/// entry without a start.
fn import_file(dir: &std::path::Path, tag: &str, n: usize) -> std::path::PathBuf {
    let events = (0..n).map(|i| {
        ics::Event::new(&support::uid(&format!("{tag}-{i}")))
            .summary(&format!("Imported {i}"))
            .lasting(&format!("20300910T{:02}0000Z", 8 + i % 10), "PT30M")
            .line("ORGANIZER:mailto:organizer@example.com")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:attendee@example.com")
    });
    let body = ics::Calendar::new().events(events).to_string();
    // An entry without a start, which the import must report and skip.
    let body = body.replace(
        "END:VCALENDAR\r\n",
        "BEGIN:VEVENT\r\nUID:no-start@convene.test\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let path = dir.join(format!("{tag}.ics"));
    std::fs::write(&path, body).unwrap();
    path
}

/// Opens `file` (as `convene open` or a drop would: read first, a plain
/// calendar then goes to the wizard), reads it as the wizard's Task would,
/// and aims it at the account's default calendar.
async fn wizard_on(app: &mut App, h: &mut Handle, kind: Kind, file: std::path::PathBuf) {
    pump(
        app,
        h,
        "the calendars",
        |u| matches!(u, Update::Calendars { calendars, .. } if !calendars.is_empty()),
    )
    .await;
    let _ = app.update(Message::Opened(vec![(file.clone(), std::fs::read_to_string(&file).ok())]));
    assert_eq!(app.screen, Screen::Import);
    let batch = convene::import::source::read_files(std::slice::from_ref(&file));
    let _ = app.update(Message::Import(import::Message::Read(vec![file], std::sync::Arc::new(batch))));
    let s = support::server(kind);
    let default = s.at(&s.default_calendar, "organizer");
    let target = import::targets(&app.accounts)
        .into_iter()
        .find(|t| t.calendar == default)
        .expect("the default calendar");
    let _ = app.update(Message::Import(import::Message::Target(target)));
    pump(
        app,
        h,
        "the calendar's UIDs",
        |u| matches!(u, Update::TargetUids { calendar, .. } if *calendar == default),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn import_wizard_on_xandikos_shows_why_nobody_can_be_spared_and_asks_first() {
    let kind = Kind::Xandikos;
    let dir = tempfile::tempdir().unwrap();
    let file = import_file(dir.path(), "ui-xandikos", 2);
    let p = Profile::new(kind, "organizer");
    let (mut app, mut h) = start(&p);
    wizard_on(&mut app, &mut h, kind, file).await;

    // Files: what was found.
    assert!(shows(&app, "2 entries can be imported; 1 can't (see the preview)."));
    click(&mut app, "import-next");
    // Preview: counts, role, duplicates, the bad entry with its line.
    assert!(shows(&app, "2 event(s) and 0 task(s), from 10 Sep 2030 to 10 Sep 2030."));
    assert!(shows(&app, "2 of them have attendees (1 person in all). You organize 2 and are invited to 0."));
    assert!(shows(&app, "None of them is in this calendar yet."));
    let path = dir.path().join("ui-xandikos.ics");
    let text = std::fs::read_to_string(&path).unwrap();
    // 1-based line of the BEGIN:VEVENT before the entry without a start.
    let line = text.lines().position(|l| l == "UID:no-start@convene.test").unwrap();
    let bad_line = format!("{}:{line}: VEVENT has no DTSTART", path.display());
    assert!(shows(&app, &bad_line), "the bad entry with its line");
    click(&mut app, "import-next");

    // Notifications: "none" is shown but disabled, with the reason.
    assert!(shows(&app, "○ Don't notify anyone"));
    assert!(shows(
        &app,
        "Not available: Xandikos has no way to store events without notifying their attendees."
    ));
    assert!(is_disabled(&app, "import-mode-none"));
    assert!(shows(&app, "○ Update calendars on this server only"));
    assert!(is_disabled(&app, "import-start"), "nothing chosen yet");
    click(&mut app, "import-mode-all");
    assert!(shows(&app, "Send the invitations"), "sending needs an explicit yes here");
    assert!(is_disabled(&app, "import-start"));
    click(&mut app, "import-confirm");
    click(&mut app, "import-start");
    assert!(shows(&app, "Checking the calendar…"));
    pump(&mut app, &mut h, "the import's end", |u| matches!(u, Update::ImportFinished(_))).await;
    assert!(shows(&app, "2 imported, 0 updated, 0 skipped, 0 failed, 1 could not be read"), "the report");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn import_wizard_on_cyrus_imports_quietly_and_a_cancelled_import_continues() {
    let kind = Kind::Cyrus;
    let dir = tempfile::tempdir().unwrap();
    let file = import_file(dir.path(), "ui-cyrus", 1000);
    let p = Profile::new(kind, "organizer");
    let (mut app, mut h) = start(&p);
    wizard_on(&mut app, &mut h, kind, file).await;
    click(&mut app, "import-next");
    click(&mut app, "import-next");
    assert!(!is_disabled(&app, "import-mode-none"), "Cyrus can import quietly");
    assert!(shows(
        &app,
        "Not available: this server can't tell attendees on it from others (its DAV header lacks scheduling-controls)."
    ));
    click(&mut app, "import-mode-none");
    click(&mut app, "import-start");

    pump(&mut app, &mut h, "progress", |u| matches!(u, Update::ImportProgress(p) if p.done > 0)).await;
    let progress = app.import.as_ref().and_then(|w| w.progress.clone()).unwrap();
    assert_eq!(progress.total, 1000);
    assert!(shows(&app, &import::progress_text(&progress)), "count, rate and time left");
    click(&mut app, "import-cancel");
    assert!(shows(&app, "Stopping after the writes in flight…"));
    pump(&mut app, &mut h, "the cancelled import", |u| matches!(u, Update::ImportFinished(_))).await;
    let report = match app.import.as_ref().and_then(|w| w.outcome.clone()) {
        Some(Ok(r)) => r,
        other => panic!("no report: {other:?}"),
    };
    assert!(report.cancelled && report.counts().not_started > 0, "{}", report.headline());
    assert!(shows(&app, "Cancelled. Importing the same files again continues where it stopped."));

    click(&mut app, "import-again");
    pump(&mut app, &mut h, "the rest", |u| matches!(u, Update::ImportFinished(_))).await;
    let report = match app.import.as_ref().and_then(|w| w.outcome.clone()) {
        Some(Ok(r)) => r,
        other => panic!("no report: {other:?}"),
    };
    let c = report.counts();
    assert_eq!((c.imported, c.not_started, c.failed, c.bad), (1000, 0, 0, 1), "{}", report.headline());
    let earlier = report.entries.iter().filter(|e| e.earlier).count();
    assert!(earlier > 0, "the first run's entries were kept, not written again");
    let headline = format!(
        "1000 imported ({earlier} by an earlier run), 0 updated, 0 skipped, 0 failed, 1 could not be read"
    );
    assert!(shows(&app, &headline), "{headline}");
}
