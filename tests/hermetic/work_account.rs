//! The window with one account, "work" (me@example.com), as the UI tests
//! build it: its invitations, its server, and the actor's end of its
//! channel to read what the window sent.

use convene::caldav::options::ServerOptions;
use convene::caldav::propfind::Principal;
use convene::caldav::quirks::ServerId;
use convene::caldav::{Capabilities, Discovery};
use convene::config::{Account, Config};
use convene::ical::Identity;
use convene::sync::{Control, Listing, ReplyState, Update};
use convene::ui::{App, Key, Message, connection, invitations};
use tokio::sync::mpsc::Receiver;

/// The account as configured.
pub(crate) fn account() -> Account {
    Account {
        name: "work".into(),
        url: url::Url::parse("https://h/").unwrap(),
        user: "me".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: None,
        aliases: vec![],
    }
}

/// The window with the account configured, not connected yet.
pub(crate) fn app() -> App {
    App::new(
        convene::paths::Paths::profile(&std::env::temp_dir()),
        Config { accounts: vec![account()], ..Config::default() },
    )
}

/// The account connected, before it has said what it holds.
pub(crate) fn connected() -> (App, Receiver<Control>) {
    let mut app = app();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let _ = app.update(Message::Account("work".into(), connection::Event::Connected(tx)));
    (app, rx)
}

/// What the account's actor tells the window.
pub(crate) fn update(app: &mut App, u: Update) {
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(u)));
}

/// Connected to `product`'s scheduling server with these invitations,
/// the one with UID "a" selected.
pub(crate) fn ready_on(product: &str, invitations: Vec<Listing>) -> (App, Receiver<Control>) {
    let (mut app, rx) = connected();
    let capabilities = Some(Box::new(scheduling_server(product)));
    update(&mut app, Update::Ready { account: "work".into(), capabilities, invitations });
    let key = Key { account: "work".into(), uid: "a".into() };
    let _ = app.update(Message::Invitations(invitations::Message::Select(key)));
    (app, rx)
}

/// A scheduling server that names itself `product`.
pub(crate) fn scheduling_server(product: &str) -> Capabilities {
    let mut options = ServerOptions::default();
    options.dav.insert("calendar-auto-schedule".into());
    let d = Discovery {
        server: ServerId { product: Some(product.into()), ..ServerId::default() },
        principal: Principal {
            url: url::Url::parse("https://h/p/").unwrap(),
            display_name: None,
            calendar_homes: vec![],
            addresses: vec![],
            inbox: None,
            outbox: None,
        },
        options,
        calendars: vec![],
    };
    Capabilities::build(&d, None)
}

/// The invitation in `data` (to me@example.com) as the list shows it,
/// nothing on its way, in the calendar "Work".
pub(crate) fn listing(uid: &str, data: &str) -> Listing {
    let me = Identity::new(["mailto:me@example.com"]);
    let url = url::Url::parse(&format!("https://h/c/{uid}.ics")).unwrap();
    Listing {
        invitation: convene::ical::invitation::read(data, &me).unwrap().unwrap(),
        calendar: url.join("./").unwrap(),
        calendar_name: "Work".into(),
        url,
        reply: ReplyState::None,
        occurrences: vec![],
        repeats_too_often: false,
        by_mail: false,
        conflicts: vec![],
        judged_day: None,
        since_seen: None,
    }
}
