//! A reply changes only the user's ATTENDEE line (plus the COMMENT it adds):
//! every other content line stays byte-identical after unfolding, on
//! invitations as each scheduling server really delivers them.

use crate::support;

use convene::ical::reply::apply;
use support::fidelity::{awkward, only_my_line_changed, reply};
use support::{Kind, Profile};

/// Delivered by the server, answered through the engine, accepted by the
/// server (Xandikos refuses any attendee edit beyond its own line).
async fn delivered_and_answered(kind: Kind) {
    let uid = support::uid("awkward");
    support::organizer_put(kind, &uid, &awkward(&uid)).await;
    let p = Profile::new(kind, "attendee");
    assert!(p.run(&["sync"]).status.success());
    let engine = p.engine();
    let listing = engine.invitations().unwrap().into_iter().find(|l| l.invitation.uid == uid).unwrap();
    assert_eq!(listing.invitation.summary.as_deref(), Some("Überprüfung ; Planung – 日本語 🚀"));
    assert_eq!(listing.invitation.organizer.as_ref().unwrap().name.as_deref(), Some("Chen: Lead"));
    let copy = support::client(kind, "attendee")
        .run(&convene::caldav::Get { url: listing.url.clone() })
        .await
        .unwrap();
    drop(engine);
    only_my_line_changed(&copy.data, &apply(&copy.data, &reply(Some("ok"))).unwrap(), Some("ok"));

    let out = p.run(&["reply", &uid, "accept", "--comment", "ok"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let org = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&org.data, "attendee", None).as_deref(), Some("ACCEPTED"));
    assert!(org.data.contains("Pacific/Chatham"), "the organizer's time zone survived");
}

on_servers!(delivered_and_answered: xandikos, cyrus, davical);
