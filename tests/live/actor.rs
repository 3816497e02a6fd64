//! The sync actor as the UI uses it: Control in, Update out, against a real
//! server; offline answers stay pending and go out when it is back.

use crate::support;

use std::time::Duration;

use convene::ical::Answer;
use convene::sync::actor::Settings;
use convene::sync::{Control, ReplyState, Resolution, Update, spawn};
use support::proxy::{self, Mode};
use support::{Kind, Profile};

pub(crate) fn settings(p: &Profile, retry: Duration) -> Settings {
    Settings {
        paths: p.paths(),
        account: p.account.clone(),
        password: support::password(&p.account.user),
        every: Duration::from_secs(3600),
        retry,
    }
}

/// Waits for the first update `pick` accepts, failing after 20 s.
pub(crate) async fn expect<T>(
    updates: &mut tokio::sync::mpsc::Receiver<Update>,
    what: &str,
    mut pick: impl FnMut(&Update) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let u = tokio::time::timeout_at(deadline, updates.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 20 s"))
            .unwrap_or_else(|| panic!("actor stopped before {what}"));
        if let Update::Error { message } = &u {
            panic!("actor error while waiting for {what}: {message}");
        }
        if let Some(v) = pick(&u) {
            return v;
        }
    }
}

/// The organizer on `kind` invites the attendee to a new "Budget review"
/// (UID from `prefix`); the attendee's actor starts and lists it waiting
/// for an answer. Returns the attendee's profile, actor and listing.
pub(crate) async fn invited(
    kind: Kind,
    prefix: &str,
) -> (Profile, convene::sync::Handle, convene::sync::Listing) {
    let uid = support::uid(prefix);
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Budget review", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let mut actor = spawn(settings(&p, Duration::from_secs(60)));
    let listing = expect(&mut actor.updates, "the invitation", |u| match u {
        Update::Ready { invitations: l, .. } | Update::InvitationsChanged(l) => {
            l.iter().find(|x| x.invitation.uid == uid).cloned()
        }
        _ => None,
    })
    .await;
    assert!(listing.invitation.is_pending());
    (p, actor, listing)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn sync_reply_and_conflict_through_messages() {
    let kind = Kind::Xandikos;
    let uid = support::uid("actor");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Design review", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let mut h = spawn(settings(&p, Duration::from_secs(60)));

    expect(&mut h.updates, "Ready", |u| matches!(u, Update::Ready { .. }).then_some(())).await;
    let list = expect(&mut h.updates, "the invitation", |u| match u {
        Update::InvitationsChanged(l) if l.iter().any(|x| x.invitation.uid == uid) => Some(l.clone()),
        _ => None,
    })
    .await;
    assert!(list.iter().find(|x| x.invitation.uid == uid).unwrap().invitation.is_pending());

    // The organizer moves it before we answer: a conflict, kept pending.
    support::organizer_reschedule(kind, &uid, "20300606T080000Z", "20300606T090000Z").await;
    let reply = Control::Reply {
        uid: uid.clone(),
        answer: Answer::Accept,
        comment: None,
        occurrence: None,
        as_address: None,
        silent: false,
    };
    h.control.send(reply).await.unwrap();
    let diff = expect(&mut h.updates, "Conflict", |u| match u {
        Update::Conflict { uid: x, diff } if *x == uid => Some(diff.clone()),
        _ => None,
    })
    .await;
    assert_eq!(diff.changes[0].field, convene::ical::Field::Time);
    assert_eq!(diff.changes[0].after, "20300606T080000Z – 20300606T090000Z");
    let listed = expect(&mut h.updates, "the conflict in the list", |u| match u {
        Update::InvitationsChanged(l) => l.iter().find(|x| x.invitation.uid == uid).map(|x| x.reply.clone()),
        _ => None,
    })
    .await;
    assert!(matches!(listed, ReplyState::Conflict { .. }), "{listed:?}");

    h.control
        .send(Control::Resolve { uid: uid.clone(), resolution: Resolution::SendOnNewVersion })
        .await
        .unwrap();
    expect(&mut h.updates, "Replied", |u| matches!(u, Update::Replied { uid: x } if *x == uid).then_some(()))
        .await;
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));
    assert_eq!(support::dtstart(&org.data), "20300606T080000Z");

    h.control.send(Control::Shutdown).await.unwrap();
    expect(&mut h.updates, "Stopped", |u| matches!(u, Update::Stopped).then_some(())).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn offline_answer_goes_out_when_the_server_is_back() {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let uid = support::uid("actor-offline");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Offsite", &["attendee"])).await;
    let url = proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap();
    let p = Profile::at(kind, "attendee", url, Vec::new());
    let mut h = spawn(settings(&p, Duration::from_millis(300)));
    expect(&mut h.updates, "Synced", |u| matches!(u, Update::Synced { .. }).then_some(())).await;

    proxy.set(Mode::Refuse);
    let reply = Control::Reply {
        uid: uid.clone(),
        answer: Answer::Decline,
        comment: None,
        occurrence: None,
        as_address: None,
        silent: false,
    };
    h.control.send(reply).await.unwrap();
    expect(&mut h.updates, "ReplyPending", |u| {
        matches!(u, Update::ReplyPending { uid: x, .. } if *x == uid).then_some(())
    })
    .await;
    expect(&mut h.updates, "Offline", |u| matches!(u, Update::Offline { .. }).then_some(())).await;

    proxy.set(Mode::Forward);
    let mut online = false;
    expect(&mut h.updates, "Replied", |u| {
        online |= matches!(u, Update::Online);
        matches!(u, Update::Replied { uid: x } if *x == uid).then_some(())
    })
    .await;
    assert!(online, "the UI must hear that the server is reachable again");
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("DECLINED"));
    assert_eq!(proxy.puts_forwarded(), 1);
}

/// The app takes the account per piece of work: a `convene` command run
/// while the window is open answers at once (it used to wait for the app
/// to quit), and the app then shows what the command did.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_command_runs_while_the_app_is_open_and_the_app_sees_its_answer() {
    let kind = Kind::Cyrus;
    let uid = support::uid("beside-app");
    let p = Profile::new(kind, "attendee");
    let mut h = spawn(settings(&p, Duration::from_secs(60)));
    expect(&mut h.updates, "the first sync", |u| matches!(u, Update::Synced { .. }).then_some(())).await;

    support::organizer_put(kind, &uid, &support::invitation(&uid, "Answered from a terminal", &["attendee"]))
        .await;
    for args in [&["sync"][..], &["reply", &uid, "accept"]] {
        let started = std::time::Instant::now();
        let out = p.command(args).env("CONVENE_LOCK_WAIT", "10").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "convene {args:?}: {stderr}");
        // It may wait for a piece of work under way, never for the app.
        assert!(started.elapsed() < Duration::from_secs(10), "convene {args:?}: {stderr}");
    }
    let organizer = support::organizer_copy(kind, &uid).await;
    assert!(organizer.data.contains("PARTSTAT=ACCEPTED"), "{}", organizer.data);

    // The app re-reads the account at its next piece of work.
    h.control.send(Control::SyncNow).await.unwrap();
    // (`expect` fails the test when no list shows it accepted within 20 s.)
    expect(&mut h.updates, "the answer in the app", |u| match u {
        Update::InvitationsChanged(l) => l
            .iter()
            .find(|x| x.invitation.uid == uid)
            .filter(|x| x.invitation.my_partstat.as_deref() == Some("ACCEPTED"))
            .map(|_| ()),
        _ => None,
    })
    .await;
    h.control.send(Control::Shutdown).await.unwrap();
}
