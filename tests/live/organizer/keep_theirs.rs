//! "Keep theirs" in the merge dialog, through the actor the window talks
//! to: after a conflict, the person's change is dropped, nothing more is
//! written, and the calendar shows the other device's version.

use chrono::{TimeZone, Utc};
use convene::ical::{Draft, Scope};
use convene::sync::{Control, Resolution, Update};

use super::*;

async fn keep_theirs_writes_nothing_and_shows_the_servers_version(kind: Kind) {
    let org = organizer(kind);
    let uid = create(&org, kind, "org2 Keep theirs");
    let mut h = super::series::ready_actor(&org).await;
    let updates = &mut h.updates;
    let cal = calendar(kind, "organizer");
    let url = url_of(kind, &uid);
    // Its first sync done before the other device writes: the cache holds
    // the 10:00 the window shows.
    crate::actor::expect(updates, "Synced", |u| matches!(u, Update::Synced { .. }).then_some(())).await;
    let before = Draft::from_event(&server_copy(kind, &uid).await.data, cal, None).unwrap();
    other_device(kind, &uid, |d| d.replace("T100000Z", "T120000Z").replace("T110000Z", "T130000Z")).await;
    let theirs = server_copy(kind, &uid).await;

    // The window moves it to 14:00 from the 10:00 it showed.
    let mut after = before.clone();
    after.when = match &before.when {
        convene::ical::draft::When::Timed { zone, .. } => convene::ical::draft::When::Timed {
            start: Utc.with_ymd_and_hms(2030, 7, 2, 14, 0, 0).unwrap().naive_utc(),
            end: Utc.with_ymd_and_hms(2030, 7, 2, 15, 0, 0).unwrap().naive_utc(),
            zone: zone.clone(),
        },
        other => panic!("a timed event: {other:?}"),
    };
    let edit = Control::EditEvent {
        url: url.clone(),
        scope: Scope::All,
        before: Box::new(before),
        after: Box::new(after),
    };
    h.control.send(edit).await.unwrap();
    crate::actor::expect(updates, "EventConflict", |u| match u {
        Update::EventConflict { uid: x, .. } if *x == uid => Some(()),
        Update::EventSaved { uid: x } if *x == uid => panic!("saved over the other device's move"),
        _ => None,
    })
    .await;

    // Decided, then closed: the actor handles its controls in order, so
    // once it has stopped the decision is carried out.
    h.control.send(Control::Resolve { uid: uid.clone(), resolution: Resolution::Discard }).await.unwrap();
    h.control.send(Control::Shutdown).await.unwrap();
    crate::actor::expect(updates, "Stopped", |u| match u {
        Update::Stopped => Some(()),
        Update::EventSaved { uid: x } if *x == uid => panic!("written after keep theirs"),
        _ => None,
    })
    .await;

    // The editor would open on the other device's time: the cache holds it.
    let (draft, _) = org.engine().editor_draft(&url, None);
    let noon = |h| Utc.with_ymd_and_hms(2030, 7, 2, h, 0, 0).unwrap().naive_utc();
    assert!(
        matches!(draft.as_ref().map(|d| &d.when), Some(convene::ical::draft::When::Timed { start, end, .. }) if (*start, *end) == (noon(12), noon(13))),
        "{draft:?}"
    );
    let now = server_copy(kind, &uid).await;
    assert_eq!((now.etag, now.data), (theirs.etag, theirs.data), "nothing written after the conflict");
    let outbox = org.run(&["outbox", "--json"]);
    assert!(!String::from_utf8_lossy(&outbox.stdout).contains(&uid), "the change dropped from the outbox");
    clean(kind, &uid).await;
}

on_servers!(keep_theirs_writes_nothing_and_shows_the_servers_version: xandikos);
