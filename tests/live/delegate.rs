//! Delegating an invitation (issue 16) against the real servers: the
//! attendee's PUT carries PARTSTAT=DELEGATED, DELEGATED-TO and the delegate
//! with DELEGATED-FROM; what the organizer's copy and the delegate's
//! calendar then show is each server's own (the quirks table's
//! `delegation`, checked here), and where the delegate is not invited the
//! person is told to forward the invitation.

use convene::caldav::{CalendarQuery, Get, Object};

use crate::support::{self, Kind, Profile};

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `user`'s copy of `uid` in their default calendar, if they have one.
async fn copy_of(kind: Kind, user: &str, uid: &str) -> Option<Object> {
    let s = support::server(kind);
    let q = CalendarQuery {
        calendar: s.at(&s.default_calendar, user),
        start: "20300601T000000Z".into(),
        end: "20300701T000000Z".into(),
        with_data: true,
    };
    let hits = support::client(kind, user).run(&q).await.ok()?;
    let hit = hits.into_iter().find(|h| h.data.as_deref().is_some_and(|d| d.contains(uid)))?;
    support::client(kind, user).run(&Get { url: hit.url }).await.ok()
}

/// The unfolded ATTENDEE line of `who` in `data`.
fn attendee_line(data: &str, who: &str) -> Option<String> {
    let address = format!("mailto:{who}@example.com");
    data.replace("\r\n ", "")
        .lines()
        .find(|l| l.starts_with("ATTENDEE") && l.to_ascii_lowercase().ends_with(&address))
        .map(str::to_owned)
}

async fn invite(kind: Kind, tag: &str) -> (String, Profile) {
    let uid = support::uid(tag);
    let data = support::invitation_at(
        &uid,
        "Quarterly planning",
        &["attendee"],
        "20300613T100000Z",
        "20300613T110000Z",
        false,
    );
    support::organizer_put(kind, &uid, &data).await;
    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);
    (uid, p)
}

/// The attendee delegates to attendee2 with `convene reply UID delegate`:
/// sent (exit 0), the attendee's copy carries the delegation, the
/// organizer's copy and attendee2's calendar show what the quirks table
/// says, and the person is told to forward it exactly where the server
/// won't invite attendee2.
async fn delegated(kind: Kind) {
    let (uid, p) = invite(kind, "dlg-delegate").await;
    let out = p.run(&["reply", &uid, "delegate", "--to", "attendee2@example.com", "--comment", "Kim goes"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&format!("Sent: DELEGATED to attendee2@example.com {uid}")), "{said}");
    let expected = kind.quirk().delegation.expect("measured");
    let forward =
        "records the delegation but won't invite attendee2@example.com: forward the invitation yourself";
    assert_eq!(said.contains(forward), !expected.invites_delegate, "{said}");
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));

    // The attendee's copy: the delegation as written, the delegate once.
    let mine = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    let me = attendee_line(&mine, "attendee").expect("the attendee's line");
    assert!(me.contains("PARTSTAT=DELEGATED"), "{me}");
    assert!(me.contains("DELEGATED-TO=\"mailto:attendee2@example.com\""), "{me}");
    let theirs = attendee_line(&mine, "attendee2").expect("the delegate on the attendee's copy");
    assert!(theirs.contains("DELEGATED-FROM=\"mailto:attendee@example.com\""), "{theirs}");
    assert_eq!(
        mine.replace("\r\n ", "").matches("attendee2@example.com").count(),
        2,
        "DELEGATED-TO and the delegate's line: {mine}"
    );

    // The organizer's copy: DELEGATED everywhere; the delegate named where measured so.
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("DELEGATED"), "{org}");
    let names_delegate = org.replace("\r\n ", "").contains("attendee2@example.com");
    assert_eq!(names_delegate, expected.organizer_sees_delegate, "{org}");

    // The delegate's calendar: a copy asking them to answer, where measured so.
    let delegate_copy = if expected.invites_delegate {
        let copy = support::eventually("the delegate's copy", || copy_of(kind, "attendee2", &uid)).await;
        Some(copy)
    } else {
        copy_of(kind, "attendee2", &uid).await
    };
    assert_eq!(delegate_copy.is_some(), expected.invites_delegate, "{delegate_copy:?}");
    if let Some(copy) = delegate_copy {
        assert_eq!(
            support::partstat(&copy.data, "attendee2", None).as_deref(),
            Some("NEEDS-ACTION"),
            "{}",
            copy.data
        );
    }

    // `invitations` says whom it went to.
    let row = p.invitation_row(&uid);
    assert_eq!(row["my_partstat"], "DELEGATED", "{row}");
    assert_eq!(row["delegated_to"], "mailto:attendee2@example.com", "{row}");
}

on_servers!(a_delegation_reaches_what_each_server_passes_on = delegated(): xandikos, cyrus, davical);

/// The attendee delegates, then accepts after all: the acceptance takes
/// the delegation back (no DELEGATED-TO left on their line, on their copy
/// or the organizer's), and the delegate's line stays as the server has it
/// (the delegate is the organizer's attendee by then).
async fn accepted_after_delegating(kind: Kind) {
    let (uid, p) = invite(kind, "dlg-undo").await;
    let out = p.run(&["reply", &uid, "delegate", "--to", "attendee2@example.com"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let delegated = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    let delegate_before = attendee_line(&delegated, "attendee2").is_some();

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let mine = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    let me = attendee_line(&mine, "attendee").expect("the attendee's line");
    assert!(me.contains("PARTSTAT=ACCEPTED") && !me.contains("DELEGATED-TO"), "{me}");
    assert_eq!(attendee_line(&mine, "attendee2").is_some(), delegate_before, "{mine}");
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("ACCEPTED"), "{org}");
    let org_me = attendee_line(&org, "attendee").expect("the attendee on the organizer's copy");
    assert!(!org_me.contains("DELEGATED-TO"), "{org}");
    let row = p.invitation_row(&uid);
    assert_eq!(row["my_partstat"], "ACCEPTED", "{row}");
    assert!(row["delegated_to"].is_null(), "{row}");
}

on_servers!(accepting_after_delegating_takes_it_back = accepted_after_delegating(): xandikos, cyrus, davical);

/// The organizer moves the meeting after the attendee synced: the
/// delegation stops like any answer (exit 3, the new time kept), and
/// `--resend` puts it on the organizer's new version.
async fn delegation_after_a_reschedule(kind: Kind) {
    let (uid, p) = invite(kind, "dlg-race").await;
    support::organizer_reschedule(kind, &uid, "20300614T140000Z", "20300614T150000Z").await;
    let out = p.run(&["reply", &uid, "delegate", "--to", "attendee2@example.com"]);
    assert_eq!(code(&out), 3, "a conflict must stop the delegation: {}", text(&out));
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::dtstart(&org), "20300614T140000Z", "the organizer's new time was overwritten");
    let listed = String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned();
    assert!(listed.contains(&format!("{uid}  DELEGATED to attendee2@example.com  conflict")), "{listed}");

    let out = p.run(&["reply", &uid, "delegate", "--resend"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::dtstart(&org), "20300614T140000Z");
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("DELEGATED"), "{org}");
    let mine = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    assert!(attendee_line(&mine, "attendee2").is_some_and(|l| l.contains("DELEGATED-FROM")), "{mine}");
}

on_servers!(a_delegation_stops_on_a_reschedule = delegation_after_a_reschedule(): xandikos, cyrus, davical);

/// Bad input is named and nothing is written or queued.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_bad_delegation_is_refused_before_anything_is_written() {
    let kind = Kind::Xandikos;
    let (uid, p) = invite(kind, "dlg-bad").await;
    for (args, words) in [
        (vec!["delegate"], "delegate needs --to ADDRESS"),
        (vec!["delegate", "--to", "kim at example"], "\"kim at example\" is not an e-mail address"),
        (
            vec!["delegate", "--to", "organizer@example.com"],
            "mailto:organizer@example.com is already invited",
        ),
        (vec!["accept", "--to", "attendee2@example.com"], "--to goes with delegate only"),
    ] {
        let out = p.run(&[&["reply", uid.as_str()][..], &args].concat());
        assert_eq!(code(&out), 1, "{args:?}: {}", text(&out));
        assert!(text(&out).contains(words), "{words} in {}", text(&out));
    }
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("NEEDS-ACTION"), "{org}");
}

/// Another attendee answers between the attendee's sync and the
/// delegation: nothing of theirs is lost (DAViCal's copy changed, so the
/// delegation is re-applied on it). Delegating again to someone else
/// replaces the delegate on the server too (refused up front where the
/// server won't take it), and the same one again is no change (Xandikos
/// refused that while the cache held the body sent rather than its copy,
/// on which it had stamped the delegate's SCHEDULE-STATUS).
async fn delegation_merges_and_redelegates(kind: Kind) {
    let uid = support::uid("dlg-merge");
    let data = support::invitation_at(
        &uid,
        "Quarterly planning",
        &["attendee", "attendee2"],
        "20300615T100000Z",
        "20300615T110000Z",
        false,
    );
    support::organizer_put(kind, &uid, &data).await;
    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);
    let other = Profile::new(kind, "attendee2");
    assert_eq!(code(&other.run(&["sync"])), 0);
    assert_eq!(code(&other.run(&["reply", &uid, "tentative"])), 0);
    let before = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    // DAViCal puts attendee2's answer on this copy too (so the stale PUT
    // gets 412 and is re-applied); Cyrus and Xandikos leave it (measured).
    let theirs_before = support::partstat(&before, "attendee2", None);

    let out = p.run(&["reply", &uid, "delegate", "--to", "kim@elsewhere.example"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("DELEGATED"), "{org}");
    assert_eq!(support::partstat(&org, "attendee2", None).as_deref(), Some("TENTATIVE"), "{org}");
    let mine = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data;
    assert_eq!(support::partstat(&mine, "attendee2", None), theirs_before, "not overwritten: {mine}");
    let unfolded = mine.replace("\r\n ", "");
    assert_eq!(unfolded.matches(":mailto:kim@elsewhere.example").count(), 1, "{mine}");

    assert_eq!(code(&p.run(&["sync"])), 0);
    let out = p.run(&["reply", &uid, "delegate", "--to", "lee@elsewhere.example"]);
    if !kind.quirk().delegation.expect("measured").changes_delegate {
        // Xandikos lets an attendee add a delegate but not remove one (412
        // attendee-allowed, measured): refused before anything is written.
        assert_eq!(code(&out), 1, "{}", text(&out));
        let said = text(&out);
        assert!(said.contains("you delegated this invitation to kim@elsewhere.example already"), "{said}");
        assert!(said.contains("does not let an attendee change a delegation"), "{said}");
        assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
        assert_eq!(p.invitation_row(&uid)["delegated_to"], "mailto:kim@elsewhere.example");
        // The same delegate again is no change: accepted.
        let out = p.run(&["reply", &uid, "delegate", "--to", "kim@elsewhere.example"]);
        assert_eq!(code(&out), 0, "the same delegate again: {}", text(&out));
        return;
    }
    assert_eq!(code(&out), 0, "{}", text(&out));
    let mine = copy_of(kind, "attendee", &uid).await.expect("the attendee's copy").data.replace("\r\n ", "");
    assert!(!mine.contains("kim@elsewhere.example"), "{mine}");
    let me = attendee_line(&mine, "attendee").expect("the attendee's line");
    assert!(me.contains("DELEGATED-TO=\"mailto:lee@elsewhere.example\""), "{me}");
    assert_eq!(mine.matches(":mailto:lee@elsewhere.example").count(), 1, "{mine}");
    assert_eq!(p.invitation_row(&uid)["delegated_to"], "mailto:lee@elsewhere.example");
    let org = support::organizer_copy(kind, &uid).await.data;
    assert_eq!(support::partstat(&org, "attendee", None).as_deref(), Some("DELEGATED"), "{org}");
    let out = p.run(&["reply", &uid, "delegate", "--to", "lee@elsewhere.example"]);
    assert_eq!(code(&out), 0, "the same delegate again: {}", text(&out));
}

on_servers!(a_delegation_is_merged_and_replaced = delegation_merges_and_redelegates(): xandikos, cyrus, davical);
