//! Repeating meetings as the window's editor changes them, through the
//! actor (and the engine for the split): one occurrence overridden or
//! excluded, "all of them" after changing one, "this and the following".

use convene::ical::draft::{Frequency, Repeat, RepeatEnd, When};
use convene::ical::{Draft, Scope};
use convene::sync::{Control, Handle, Update, spawn};
use tokio::sync::mpsc::Receiver;

use super::*;

/// The organizer's actor, once it is ready (what the window talks to).
pub(super) async fn ready_actor(p: &Profile) -> Handle {
    let mut h = spawn(crate::actor::settings(p, Duration::from_secs(60)));
    crate::actor::expect(&mut h.updates, "Ready", |u| matches!(u, Update::Ready { .. }).then_some(())).await;
    h
}

/// Waits for a change to `uid` (to any event: `None`) to be saved and
/// returns its UID; a failure fails the test with the actor's reason.
async fn saved(updates: &mut Receiver<Update>, what: &str, uid: Option<&str>) -> String {
    crate::actor::expect(updates, what, |u| match u {
        Update::EventSaved { uid: x } if uid.is_none_or(|w| w == x) => Some(x.clone()),
        Update::EventFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await
}

fn at(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
}

/// The actor as the window's editor uses it: a repeating meeting created,
/// read back as the draft it was made from, one occurrence moved to another
/// room (an override), another deleted (an EXDATE the attendee's copy gets
/// too), then the whole meeting deleted.
async fn the_actor_creates_reads_and_changes_occurrences(kind: Kind) {
    let p = Profile::new(kind, "organizer");
    let mut h = ready_actor(&p).await;
    let updates = &mut h.updates;
    let cal = calendar(kind, "organizer");
    let offered = crate::actor::expect(updates, "the calendars", |u| match u {
        Update::Calendars { calendars, .. } => {
            Some(calendars.iter().map(|c| c.url.clone()).collect::<Vec<_>>())
        }
        _ => None,
    })
    .await;
    assert!(offered.contains(&cal), "{offered:?}");

    let draft = Draft {
        calendar: cal.clone(),
        summary: "Weekly sync".into(),
        when: When::Timed {
            start: at("20300702T100000"),
            end: at("20300702T110000"),
            zone: "Europe/Berlin".into(),
        },
        location: "Room 1".into(),
        description: "Agenda in the doc".into(),
        repeat: Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: Vec::new(),
            end: RepeatEnd::Count(3),
        }),
        reminders: vec![10],
        attendees: vec!["attendee@example.com".into()],
    };
    h.control.send(Control::CreateEvent(Box::new(draft.clone()))).await.unwrap();
    let uid = saved(updates, "EventSaved", None).await;
    let url = url_of(kind, &uid);

    h.control.send(Control::EditorDraft { url: url.clone(), recurrence_id: None }).await.unwrap();
    let (read, organizer) = crate::actor::expect(updates, "EditorDraft", |u| match u {
        Update::EditorDraft { url: x, draft, organizer } if *x == url => Some((draft.clone(), *organizer)),
        _ => None,
    })
    .await;
    assert_eq!(read.as_deref(), Some(&draft), "the server's copy reads back as the draft");
    assert!(organizer);

    // The second occurrence in another room.
    let second = "20300709T100000";
    let before = Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), Some(second)).unwrap();
    let mut after = before.clone();
    after.location = "Room 7".into();
    let scope = Scope::ThisOne { recurrence_id: second.into() };
    let edit =
        Control::EditEvent { url: url.clone(), scope, before: Box::new(before), after: Box::new(after) };
    h.control.send(edit).await.unwrap();
    if kind.quirk().meeting_overrides_fail {
        // DAViCal answers such a PUT with 500 every time: refused up front
        // with what works instead, nothing queued to fail at each sync.
        let error = crate::actor::expect(updates, "the refusal", |u| match u {
            Update::EventFailed { error, .. } => Some(error.to_string()),
            Update::EventSaved { .. } => panic!("saved on a server that fails it"),
            _ => None,
        })
        .await;
        assert!(error.contains("change the whole series"), "{error}");
        assert!(!convene::ical::edit::has_override(&server_copy(kind, &uid).await.data, second));
        let outbox: serde_json::Value = serde_json::from_slice(&p.run(&["outbox", "--json"]).stdout).unwrap();
        assert!(!outbox.to_string().contains(&uid), "nothing queued: {outbox}");
    } else {
        saved(updates, "the occurrence saved", Some(&uid)).await;
        let now = server_copy(kind, &uid).await.data;
        let own = Draft::from_event(&now, cal.clone(), Some(second)).unwrap();
        assert_eq!(own.location, "Room 7");
        assert_eq!(
            Draft::from_event(&now, cal.clone(), None).unwrap().location,
            "Room 1",
            "the series keeps its room"
        );
    }

    // The third occurrence deleted: an EXDATE, on the attendee's copy too.
    let third = "20300716T100000";
    let del = Control::DeleteEvent {
        url: url.clone(),
        scope: Scope::ThisOne { recurrence_id: third.into() },
        cancel_meeting: true,
    };
    h.control.send(del).await.unwrap();
    saved(updates, "the occurrence deleted", Some(&uid)).await;
    assert!(convene::ical::edit::is_excluded(&server_copy(kind, &uid).await.data, third));
    if kind == Kind::Davical {
        // Measured on DAViCal 1.1.12: the attendee's copy gets the new
        // SEQUENCE but not the EXDATE (the quirk table says so).
        support::eventually("the new SEQUENCE at the attendee's", || async {
            let copy = attendee_copy(kind, &uid).await?;
            (prop(&copy.data, "SEQUENCE").as_deref() == Some("1")).then_some(())
        })
        .await;
        let copy = attendee_copy(kind, &uid).await.unwrap();
        assert!(
            !convene::ical::edit::is_excluded(&copy.data, third),
            "DAViCal passes EXDATEs on now: {}",
            copy.data
        );
    } else {
        support::eventually("the EXDATE at the attendee's", || async {
            let copy = attendee_copy(kind, &uid).await?;
            convene::ical::edit::is_excluded(&copy.data, third).then_some(())
        })
        .await;
    }

    h.control
        .send(Control::DeleteEvent { url: url.clone(), scope: Scope::All, cancel_meeting: true })
        .await
        .unwrap();
    saved(updates, "the meeting deleted", Some(&uid)).await;
    assert!(client(kind, "organizer").run(&Get { url }).await.is_err());
    h.control.send(Control::Shutdown).await.unwrap();
    clean(kind, &uid).await;
}
on_servers!(the_actor_creates_reads_and_changes_occurrences: xandikos, cyrus, davical);

/// An occurrence of a weekly series dragged from Tuesday to Thursday for
/// "all of them": the whole series moves to Thursdays (its start and its
/// BYDAY), not only the occurrence's date onto a rule that still says
/// Tuesday.
async fn an_occurrence_moved_for_all_moves_the_series_weekdays(kind: Kind) {
    use chrono::Weekday;

    let p = Profile::new(kind, "organizer");
    let mut h = ready_actor(&p).await;
    let updates = &mut h.updates;
    let cal = calendar(kind, "organizer");
    let draft = Draft {
        calendar: cal.clone(),
        summary: "Tuesday review".into(),
        when: When::Timed {
            start: at("20300702T100000"),
            end: at("20300702T110000"),
            zone: "Europe/Berlin".into(),
        },
        location: String::new(),
        description: String::new(),
        repeat: Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 1,
            weekdays: vec![Weekday::Tue],
            end: RepeatEnd::Count(3),
        }),
        reminders: vec![],
        attendees: vec![],
    };
    h.control.send(Control::CreateEvent(Box::new(draft))).await.unwrap();
    let uid = saved(updates, "EventSaved", None).await;
    let url = url_of(kind, &uid);

    // The second occurrence (Tuesday 9 July) dragged to Thursday 11 July, an hour later.
    let before =
        Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), Some("20300709T100000")).unwrap();
    let mut after = before.clone();
    after.when = When::Timed {
        start: at("20300711T110000"),
        end: at("20300711T120000"),
        zone: "Europe/Berlin".into(),
    };
    let edit =
        Control::EditEvent { url, scope: Scope::All, before: Box::new(before), after: Box::new(after) };
    h.control.send(edit).await.unwrap();
    saved(updates, "the series moved", Some(&uid)).await;

    let series = Draft::from_event(&server_copy(kind, &uid).await.data, cal.clone(), None).unwrap();
    assert_eq!(
        series.when,
        When::Timed {
            start: at("20300704T110000"),
            end: at("20300704T120000"),
            zone: "Europe/Berlin".into()
        },
        "the series starts two days and an hour later"
    );
    assert_eq!(series.repeat.map(|r| r.weekdays), Some(vec![Weekday::Thu]), "and repeats on Thursdays");
    h.control.send(Control::Shutdown).await.unwrap();
    clean(kind, &uid).await;
}
on_servers!(an_occurrence_moved_for_all_moves_the_series_weekdays: xandikos, cyrus, davical);

/// "This and the following": the series ends before the occurrence (UNTIL)
/// and a new one, with the change, takes the rest of its COUNT.
async fn this_and_the_following_splits_the_series(kind: Kind) {
    let p = organizer(kind);
    let cal = calendar(kind, "organizer").to_string();
    let out = p.run(&[
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "Course",
        "--start",
        START,
        "--end",
        END,
        "--location",
        "Hall A",
        "--rrule",
        "FREQ=WEEKLY;COUNT=4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let url = url_of(kind, &uid);
    let third = "20300716T100000Z";
    let mut engine = p.engine();
    let data = server_copy(kind, &uid).await.data;
    let before = Draft::from_event(&data, calendar(kind, "organizer"), Some(third)).unwrap();
    let mut after = before.clone();
    after.location = "Hall B".into();
    let uids = engine
        .queue_edit(&url, Scope::ThisAndFollowing { recurrence_id: third.into() }, &before, &after)
        .unwrap();
    assert_eq!(uids.len(), 2, "{uids:?}");
    for u in &uids {
        let outcome = engine.send_event(u).await.unwrap();
        assert!(matches!(outcome, convene::sync::EventOutcome::Saved { .. }), "{outcome:?}");
    }
    let old = server_copy(kind, &uid).await.data;
    assert!(old.contains("RRULE:FREQ=WEEKLY;UNTIL=20300716T095959Z"), "{old}");
    let rest = server_copy(kind, &uids[1]).await.data;
    let new = Draft::from_event(&rest, calendar(kind, "organizer"), None).unwrap();
    assert_eq!(new.location, "Hall B");
    assert_eq!(new.repeat.map(|r| r.end), Some(RepeatEnd::Count(2)));
    assert_eq!(support::dtstart(&rest), third);
    drop(engine);
    clean(kind, &uid).await;
    clean(kind, &uids[1]).await;
}
on_servers!(this_and_the_following_splits_the_series: xandikos, cyrus, davical);

/// `convene event edit --occurrence`: one occurrence changed from the
/// shell becomes a RECURRENCE-ID override on the server, the series
/// untouched; one deleted is an EXDATE; an occurrence that isn't there is
/// named and nothing is written.
async fn one_occurrence_from_the_command_line(kind: Kind) {
    let p = organizer(kind);
    let cal = calendar(kind, "organizer").to_string();
    let mut args = vec![
        "event",
        "create",
        "--calendar",
        &cal,
        "--summary",
        "Lab",
        "--start",
        START,
        "--end",
        END,
        "--location",
        "Room 1",
        "--rrule",
        "FREQ=WEEKLY;COUNT=3",
    ];
    if kind.schedules() {
        args.extend(["--attendee", "attendee@example.com"]);
    }
    let out = p.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();

    let out = p.run(&["event", "edit", &uid, "--occurrence", "2030-07-10", "--location", "Room 7"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no occurrence on 2030-07-10"), "{}", text(&out));
    let untouched = server_copy(kind, &uid).await.data;
    assert!(!untouched.contains("RECURRENCE-ID"), "nothing written: {untouched}");

    let out = p.run(&[
        "event",
        "edit",
        &uid,
        "--occurrence",
        "2030-07-09T10:00:00Z",
        "--scope",
        "this",
        "--location",
        "Room 7",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    let second = "20300709T100000Z";
    assert!(now.contains(&format!("RECURRENCE-ID:{second}")), "an override: {now}");
    let own = Draft::from_event(&now, calendar(kind, "organizer"), Some(second)).unwrap();
    assert_eq!(own.location, "Room 7");
    let series = Draft::from_event(&now, calendar(kind, "organizer"), None).unwrap();
    assert_eq!(series.location, "Room 1", "the series keeps its room");
    assert!(series.repeat.is_some(), "and repeats");

    // The third, by its day alone, deleted: an EXDATE.
    let out = p.run(&["event", "delete", &uid, "--occurrence", "2030-07-16"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let now = server_copy(kind, &uid).await.data;
    assert!(convene::ical::edit::is_excluded(&now, "20300716T100000Z"), "{now}");
    assert!(now.contains("LOCATION:Room 7"), "the override stays: {now}");
    clean(kind, &uid).await;
}

on_servers!(one_occurrence_from_the_command_line: xandikos, cyrus);
