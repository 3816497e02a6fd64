//! The desktop app, headless: iced_test's simulator clicks the real view,
//! and the messages go through the real `update` to a real sync actor and
//! a real server. (The test plays the subscription's part: it hands the
//! app the actor's sender and pumps the actor's updates into `update`.)

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod support;

use std::time::Duration;

use convene::config::Config;
use convene::sync::actor::Settings;
use convene::sync::{Handle, Update};
use convene::ui::{App, Message, Screen, connection, setup};
use iced_test::selector::id;
use iced_test::simulator;
use support::{Kind, Profile};

fn start(p: &Profile) -> (App, Handle) {
    let app = App::new(p.paths(), Config { accounts: vec![p.account.clone()] });
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
async fn pump(app: &mut App, h: &mut Handle, what: &str, until: impl Fn(&Update) -> bool) {
    let name = app.accounts[0].account.name.clone();
    if app.accounts[0].control.is_none() {
        let _ = app.update(Message::Account(name.clone(), connection::Event::Connected(h.control.clone())));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let u = tokio::time::timeout_at(deadline, h.updates.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 20 s"))
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
    let _ = app.update(Message::Select(convene::ui::Key { account, uid: uid.to_owned() }));
}

fn shows(app: &App, text: &str) -> bool {
    simulator(app.view()).find(text.to_owned()).is_ok()
}

#[tokio::test(flavor = "multi_thread")]
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
