//! The Elm loop without a window or a server: messages in, state out.

use convene::config::{Account, Config};
use convene::ical::{Answer, Diff};
use convene::sync::{Control, Listing, ReplyState, Update};
use convene::ui::{App, Key, Message, connection, invitations, merge};
use iced::keyboard::{self, Key as K, Modifiers, key::Named};

use crate::support::ics;

fn invitation(uid: &str, start: &str) -> Listing {
    let data = ics::object(
        ics::Event::new(uid)
            .summary(&format!("Meeting {uid}"))
            .at(start, start)
            .line("ORGANIZER:mailto:o@example.com")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com"),
    );
    crate::work_account::listing(uid, &data)
}

fn app_with(list: Vec<Listing>) -> (App, tokio::sync::mpsc::Receiver<Control>) {
    let (mut app, rx) = crate::work_account::connected();
    crate::work_account::update(&mut app, Update::InvitationsChanged(list));
    (app, rx)
}

fn press(app: &mut App, key: K, modifiers: Modifiers) {
    let event = keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key.clone(),
        physical_key: keyboard::key::Physical::Unidentified(keyboard::key::NativeCode::Unidentified),
        location: keyboard::Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    };
    let _ = app.update(Message::Key(event));
}

#[test]
fn arrows_select_and_letters_answer_the_selected_invitation() {
    let (mut app, mut rx) =
        app_with(vec![invitation("b", "20300605T100000Z"), invitation("a", "20300604T100000Z")]);
    assert_eq!(app.pending_count(), 2);
    press(&mut app, K::Named(Named::ArrowDown), Modifiers::empty());
    assert_eq!(app.invitations.selected.as_ref().unwrap().uid, "a", "earliest first");
    press(&mut app, K::Named(Named::ArrowDown), Modifiers::empty());
    assert_eq!(app.invitations.selected.as_ref().unwrap().uid, "b");
    let _ = app.update(Message::Invitations(invitations::Message::Form(
        invitations::answer::Message::CommentChanged("Running late".into()),
    )));
    press(&mut app, K::Character("t".into()), Modifiers::empty());
    match rx.try_recv().unwrap() {
        Control::Reply { uid, answer, comment, .. } => {
            assert_eq!(
                (uid.as_str(), answer, comment.as_deref()),
                ("b", Answer::Tentative, Some("Running late"))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(app.accounts[0].sending.contains("b"));
    press(&mut app, K::Character("r".into()), Modifiers::CTRL);
    assert!(matches!(rx.try_recv().unwrap(), Control::SyncNow));
}

#[test]
fn escape_closes_the_merge_dialog_and_keeps_the_answer() {
    let (mut app, mut rx) = app_with(vec![invitation("a", "20300604T100000Z")]);
    let diff = Diff {
        changes: vec![convene::ical::Change {
            field: convene::ical::Field::Location,
            occurrence: None,
            before: "Room 1".into(),
            after: "Room 2".into(),
        }],
        minor: vec![],
    };
    let _ = app.update(Message::Account(
        "work".into(),
        connection::Event::Update(Update::Conflict { uid: "a".into(), diff }),
    ));
    let dialog = app.merge.clone().unwrap();
    assert_eq!(dialog.change_lines(), vec!["Place: Room 1 → Room 2"]);
    press(&mut app, K::Named(Named::Escape), Modifiers::empty());
    assert!(app.merge.is_none());
    assert!(rx.try_recv().is_err(), "closing sends nothing");

    // The list shows the conflict; reviewing it opens the dialog again.
    let mut listed = invitation("a", "20300604T100000Z");
    let reply = convene::ical::Reply {
        answer: Answer::Accept,
        comment: None,
        occurrence: None,
        me: "mailto:me@example.com".into(),
        silent: false,
        delegate: None,
    };
    listed.reply = ReplyState::Conflict { reply, diff: dialog.diff.clone() };
    let _ = app.update(Message::Account(
        "work".into(),
        connection::Event::Update(Update::InvitationsChanged(vec![listed])),
    ));
    assert!(app.merge.is_none(), "a postponed conflict does not reopen by itself");
    let _ = app.update(Message::Invitations(invitations::Message::Review(Key {
        account: "work".into(),
        uid: "a".into(),
    })));
    assert!(app.merge.is_some());
    let _ = app.update(Message::Merge(merge::Message::Close));

    // Changing the answer from the dialog sends the new answer.
    let key = Key { account: "work".into(), uid: "a".into() };
    app.merge = Some(merge::Dialog::open(app.listing(&key), key, dialog.diff.clone()));
    let _ = app.update(Message::Merge(merge::Message::ChangeAnswer));
    let _ = app.update(Message::Merge(merge::Message::NewAnswer(Answer::Decline)));
    assert!(matches!(
        rx.try_recv().unwrap(),
        Control::Resolve {
            resolution: convene::sync::Resolution::ChangeAnswer { answer: Answer::Decline, .. },
            ..
        }
    ));
}

#[test]
fn errors_are_banners_that_can_be_dismissed() {
    let (mut app, _rx) = app_with(vec![]);
    let _ = app.update(Message::Account(
        "work".into(),
        connection::Event::Update(Update::Error {
            message: convene::caldav::Error::Malformed("boom".into()).into(),
        }),
    ));
    assert_eq!(app.banners.len(), 1);
    let id = app.banners[0].id;
    let _ = app.update(Message::DismissBanner(id));
    assert!(app.banners.is_empty());
    let _ = app.update(Message::Account(
        "work".into(),
        connection::Event::Update(Update::Offline {
            reason: convene::caldav::Error::Connection("down".into()).into(),
        }),
    ));
    assert!(app.status_line().starts_with("Offline"));
    assert_eq!(app.title(), "Convene");
}

#[test]
fn the_row_buttons_answer_that_row() {
    let (mut app, mut rx) =
        app_with(vec![invitation("a", "20300604T100000Z"), invitation("b", "20300605T100000Z")]);
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(iced_test::selector::id("row-decline-b")).unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    match rx.try_recv().unwrap() {
        Control::Reply { uid, answer, comment, occurrence, .. } => {
            assert_eq!((uid.as_str(), answer, comment, occurrence), ("b", Answer::Decline, None, None));
        }
        other => panic!("{other:?}"),
    }
    assert!(iced_test::simulator(app.view()).find("Sending…").is_ok());
}

#[test]
fn adding_an_account_whose_name_is_in_use_shows_why_in_the_form() {
    let existing = Account {
        name: "ann@dav.example.com".into(),
        url: url::Url::parse("https://dav.example.com/").unwrap(),
        user: "ann".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo old".into()),
        aliases: vec!["mailto:ann@old.example.com".into()],
    };
    let dir = tempfile::tempdir().unwrap();
    let paths = convene::paths::Paths::profile(dir.path());
    let config = Config { accounts: vec![existing.clone()], ..Config::default() };
    config.save(&paths.config_file()).unwrap();
    let mut app = App::new(paths.clone(), config.clone());
    let _ = app.update(Message::Show(convene::ui::Screen::AddAccount));

    // The same user at the same server: the name it would get is taken.
    app.setup.url = "dav.example.com".into();
    app.setup.user = "ann".into();
    app.setup.password = "new".into();
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(iced_test::selector::id("setup-connect")).unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }

    let error = "an account named \"ann@dav.example.com\" exists already; remove it first to replace it";
    assert!(
        matches!(&app.setup.state, convene::ui::setup::State::Failed(e) if e == error),
        "{:?}",
        app.setup
    );
    assert!(iced_test::simulator(app.view()).find(error).is_ok(), "the form shows the error");
    assert_eq!(app.screen, convene::ui::Screen::AddAccount);
    assert_eq!(app.setup.user, "ann", "what was typed is kept");
    assert_eq!(app.config, config);
    assert_eq!(app.accounts.len(), 1);
    assert_eq!(app.accounts[0].account, existing);
    assert_eq!(Config::load(&paths.config_file()).unwrap(), config, "the saved account is unchanged");

    // Even when a finished connection reports it added, nothing is replaced.
    let _ = app.update(Message::Setup(convene::ui::setup::Message::Done(Ok(Box::new(
        convene::ui::setup::Added {
            account: Account { password_command: None, ..existing.clone() },
            password: convene::caldav::Password::new("new"),
            keyring_problem: None,
            calendars: 1,
        },
    )))));
    assert!(matches!(&app.setup.state, convene::ui::setup::State::Failed(e) if e == error));
    assert_eq!(app.config, config);
    assert_eq!(app.accounts[0].account, existing);
}

#[test]
fn a_long_invitation_list_builds_the_rows_in_view_and_follows_the_arrows() {
    // 1,000 invitations, a day apart, so the list's order is their number's.
    let day = |i: i64| chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap() + chrono::Duration::days(i);
    let list =
        (0..1000).map(|i| invitation(&format!("n{i:04}"), &format!("{}T100000Z", day(i).format("%Y%m%d"))));
    let (mut app, _rx) = app_with(list.collect());
    let shows = |app: &App, what: &str| iced_test::simulator(app.view()).find(what).is_ok();
    assert!(shows(&app, "Meeting n0000"));
    assert!(!shows(&app, "Meeting n0500"), "a row far out of view is not built");

    for _ in 0..900 {
        press(&mut app, K::Named(Named::ArrowDown), Modifiers::empty());
    }
    assert_eq!(app.invitations.selected.as_ref().unwrap().uid, "n0899");
    assert!(shows(&app, "Meeting n0899"), "the selected row is scrolled into view");
    assert!(!shows(&app, "Meeting n0000"), "and the first ones are no longer built");
}

/// A first sync of a big calendar takes seconds: the status area counts
/// the events as they arrive, then says when the sync ended.
#[test]
fn the_status_area_shows_a_syncs_progress() {
    use convene::sync::SyncProgress;
    let (mut app, _rx) = app_with(vec![]);
    let update = |app: &mut App, u: Update| {
        let _ = app.update(Message::Account("work".into(), connection::Event::Update(u)));
    };
    update(&mut app, Update::Syncing);
    assert_eq!(app.status_line(), "Syncing…");
    update(&mut app, Update::SyncProgress(SyncProgress { fetched: 1250, of: None }));
    assert_eq!(app.status_line(), "Syncing… 1250 events");
    update(&mut app, Update::SyncProgress(SyncProgress { fetched: 1400, of: Some(2000) }));
    assert_eq!(app.status_line(), "Syncing… 1400 of 2000 events");
    update(&mut app, Update::Synced { at: 1_900_000_000, fetched: 2000, removed: 0 });
    assert!(app.status_line().starts_with("Synced at"), "{}", app.status_line());
    // The next sync starts counting afresh.
    update(&mut app, Update::Syncing);
    assert_eq!(app.status_line(), "Syncing…");
}

#[test]
fn a_cancelled_invitation_offers_its_removal_and_no_answers() {
    let mut cancelled = invitation("c", "20300606T100000Z");
    cancelled.invitation.cancelled = true;
    let (mut app, mut rx) = app_with(vec![invitation("a", "20300604T100000Z"), cancelled]);
    {
        let mut ui = iced_test::simulator(app.view());
        assert!(ui.find(iced_test::selector::id("row-decline-c")).is_err(), "no answers to a cancelled one");
        assert!(ui.find("Cancelled by the organizer").is_ok());
    }
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(iced_test::selector::id("row-remove-c")).unwrap();
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    match rx.try_recv().unwrap() {
        Control::RemoveCancelled { uid } => assert_eq!(uid, "c"),
        other => panic!("{other:?}"),
    }
    assert!(iced_test::simulator(app.view()).find("Cancelled by the organizer — removing…").is_ok());
    // A refusal is said in a banner and the row is no longer "removing".
    let failed = Update::RemoveFailed {
        uid: "c".into(),
        error: convene::sync::Failure::from(convene::caldav::Error::NotFound("gone".into())),
    };
    let _ = app.update(Message::Account("work".into(), connection::Event::Update(failed)));
    let mut ui = iced_test::simulator(app.view());
    assert!(ui.find("Cancelled by the organizer — removing…").is_err());
}
