//! Scheduling behaviour the client depends on, checked against the real
//! servers, and the quirks table checked against what they actually do.

use crate::support;

use convene::caldav::{
    CalendarQuery, Error, Get, Multiget, Object, Precondition, Put, ScheduleTag, SchedulingHeaders,
};
use support::{Kind, client, server};

/// Organizer invites attendee; returns the attendee's delivered copy.
async fn invite(kind: Kind, tag: &str) -> (String, Object) {
    let s = server(kind);
    let org = client(kind, "organizer");
    let uid = support::uid(tag);
    let org_cal = s.at(&s.default_calendar, "organizer");
    let put = Put {
        url: support::object_url(&org_cal, &uid),
        data: support::invitation(&uid, "Planning", &["attendee"]),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    };
    org.run(&put).await.unwrap();
    let att = client(kind, "attendee");
    let att_cal = s.at(&s.default_calendar, "attendee");
    let copy = support::eventually("the attendee's copy", || {
        let q = CalendarQuery {
            calendar: att_cal.clone(),
            start: "20300604T000000Z".into(),
            end: "20300605T000000Z".into(),
            with_data: true,
        };
        let att = &att;
        let uid = uid.clone();
        async move {
            let hits = att.run(&q).await.ok()?;
            hits.into_iter().find(|h| h.data.as_deref().is_some_and(|d| d.contains(&uid)))
        }
    })
    .await;
    let got = att.run(&Get { url: copy.url.clone() }).await.unwrap();
    (uid, got)
}

async fn delivered_copy_shows_schedule_tag_as_the_table_says(kind: Kind) {
    let (_, copy) = invite(kind, "tag").await;
    assert!(copy.data.contains("mailto:attendee@example.com"));
    assert_eq!(
        copy.schedule_tag.is_some(),
        kind.quirk().schedule_tag == Some(true),
        "GET Schedule-Tag: {copy:?}"
    );
    // The same tag comes back as a property in multiget.
    let s = server(kind);
    let att = client(kind, "attendee");
    let m = att
        .run(&Multiget { calendar: s.at(&s.default_calendar, "attendee"), objects: vec![copy.url.clone()] })
        .await
        .unwrap();
    assert_eq!(m.objects.len(), 1);
    assert_eq!(m.objects[0].schedule_tag, copy.schedule_tag);
    assert!(copy.etag.is_some());
}

async fn made_up_schedule_tag_is_refused_or_ignored_as_the_table_says(kind: Kind) {
    let (_, copy) = invite(kind, "madeup").await;
    let att = client(kind, "attendee");
    let reply = copy.data.replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED");
    let put = Put {
        url: copy.url.clone(),
        data: reply,
        precondition: Precondition::IfScheduleTagMatch(ScheduleTag::new("\"made-up\"")),
        scheduling: SchedulingHeaders::default(),
    };
    let result = att.run(&put).await;
    match kind.quirk().honours_if_schedule_tag_match {
        Some(true) => assert_eq!(result.unwrap_err(), Error::ScheduleTagMismatch),
        _ => assert!(result.is_ok(), "expected the header to be ignored: {result:?}"),
    }
}

on_servers!(delivered_copy_shows_schedule_tag_as_the_table_says: xandikos, cyrus, davical);
on_servers!(made_up_schedule_tag_is_refused_or_ignored_as_the_table_says: xandikos, cyrus, davical);

#[tokio::test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn xandikos_names_a_forbidden_attendee_edit() {
    let (_, copy) = invite(Kind::Xandikos, "forbidden").await;
    let att = client(Kind::Xandikos, "attendee");
    let tag = copy.schedule_tag.clone().expect("Xandikos sends a Schedule-Tag");
    let put = Put {
        url: copy.url.clone(),
        data: copy.data.replace("SUMMARY:Planning", "SUMMARY:Mine now"),
        precondition: Precondition::IfScheduleTagMatch(tag),
        scheduling: SchedulingHeaders::default(),
    };
    assert_eq!(att.run(&put).await.unwrap_err(), Error::AttendeeChangeForbidden);
}

#[tokio::test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn radicale_ignores_if_schedule_tag_match() {
    let s = server(Kind::Radicale);
    let c = client(Kind::Radicale, "organizer");
    let uid = support::uid("rad");
    let url = support::object_url(&s.at(&s.default_calendar, "organizer"), &uid);
    let body = support::event(&uid, "Plain", "20300301T090000Z");
    c.run(&Put {
        url: url.clone(),
        data: body.clone(),
        precondition: Precondition::None,
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();
    let r = c
        .run(&Put {
            url,
            data: body,
            precondition: Precondition::IfScheduleTagMatch(ScheduleTag::new("\"x\"")),
            scheduling: SchedulingHeaders::default(),
        })
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(Kind::Radicale.quirk().honours_if_schedule_tag_match, Some(false));
}

/// The same UID at a second address is a UID conflict, not a stale copy.
/// DAViCal 1.1.12 alone stores the second copy without complaint.
async fn uid_reuse_is_a_uid_conflict(kind: Kind) {
    let s = server(kind);
    let c = client(kind, "organizer");
    let cal = s.at(&s.default_calendar, "organizer");
    let uid = support::uid("dup");
    let body = support::event(&uid, "Once", "20300301T090000Z");
    let first = support::object_url(&cal, &uid);
    c.run(&Put {
        url: first.clone(),
        data: body.clone(),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();
    let second = cal.join(&format!("other-{}.ics", std::process::id())).unwrap();
    let result = c
        .run(&Put {
            url: second,
            data: body,
            precondition: Precondition::IfNoneMatchAny,
            scheduling: SchedulingHeaders::default(),
        })
        .await;
    if kind.quirk().refuses_uid_reuse {
        assert!(matches!(result, Err(Error::UidConflict { .. })), "{result:?}");
    } else {
        assert!(result.is_ok(), "{result:?}");
    }
}

on_servers!(uid_reuse_is_a_uid_conflict: xandikos, cyrus, davical, radicale);
