//! Every CalDAV operation against the four real servers the harness runs
//! (Radicale only for the non-scheduling subset).

use crate::support;

use convene::caldav::{
    self, CalendarQuery, Delete, Error, Get, ListCalendars, MkCalendar, Multiget, Options, Precondition, Put,
    SchedulingHeaders, changes,
};
use support::{Kind, client, server};
use url::Url;

async fn options_list_dav_tokens(kind: Kind) {
    let s = server(kind);
    let c = client(kind, "attendee");
    let o = c.run(&Options { url: s.at(&s.calendar_home, "attendee") }).await.unwrap();
    assert!(o.has("calendar-access"), "{:?}", o.dav);
    assert_eq!(o.has("calendar-auto-schedule"), kind.schedules(), "{:?}", o.dav);
    // No installable server implements the scheduling-controls draft.
    assert!(!o.has("scheduling-controls"));
}
on_servers!(options_list_dav_tokens: xandikos, cyrus, davical, radicale);

async fn discovery_finds_principal_home_and_boxes(kind: Kind) {
    let s = server(kind);
    let c = client(kind, "attendee");
    let d = caldav::discover(&c).await.unwrap();
    assert_eq!(d.principal.url, s.at(&s.principal, "attendee"));
    assert_eq!(d.principal.calendar_homes, vec![s.at(&s.calendar_home, "attendee")]);
    let mailto = "mailto:attendee@example.com";
    let has_mailto = d.principal.addresses.iter().any(|a| a.eq_ignore_ascii_case(mailto));
    assert_eq!(has_mailto, kind.schedules(), "{:?}", d.principal.addresses);
    assert_eq!(d.principal.inbox.is_some(), kind.schedules());
    assert_eq!(d.principal.outbox.is_some(), kind.schedules());
    let default = s.at(&s.default_calendar, "attendee");
    let cal = d
        .calendars
        .iter()
        .find(|c| c.url == default)
        .unwrap_or_else(|| panic!("{default} in {:?}", d.calendars));
    assert!(cal.holds_events());
    assert!(cal.ctag.is_some() || cal.sync_token.is_some(), "{cal:?}");
    // The inbox and outbox are not calendars to show.
    assert!(d.calendars.iter().all(|c| Some(&c.url) != d.principal.inbox.as_ref()));
}
on_servers!(discovery_finds_principal_home_and_boxes: xandikos, cyrus, davical, radicale);

async fn discovery_from_bare_origin(kind: Kind) {
    let s = server(kind);
    let mut cfg = support::config(kind, "attendee");
    cfg.url = s.url.join("/").unwrap();
    let c = caldav::Client::new(cfg).unwrap();
    let p = caldav::discovery::find_principal(&c).await.unwrap();
    assert_eq!(p, s.at(&s.principal, "attendee"));
}
on_servers!(discovery_from_bare_origin: xandikos, cyrus, davical, radicale);

async fn wrong_password_is_unauthorized(kind: Kind) {
    let mut cfg = support::config(kind, "attendee");
    cfg.password = caldav::Password::new("not-the-password");
    let c = caldav::Client::new(cfg).unwrap();
    assert_eq!(caldav::discover(&c).await.unwrap_err(), Error::Unauthorized);
}
on_servers!(wrong_password_is_unauthorized: xandikos, cyrus, davical, radicale);

/// Another user's calendar the server lets the user read but not write
/// (Radicale's `owner_write` rights, as the harness sets them) is listed
/// read-only, and the user's own is not; the editor offers only the latter.
async fn privileges_tell_a_read_only_calendar(kind: Kind) {
    let s = server(kind);
    let c = client(kind, "attendee");
    let others = c.run(&ListCalendars { home: s.at(&s.calendar_home, "organizer") }).await.unwrap();
    let shared = others.iter().find(|c| c.url == s.at(&s.default_calendar, "organizer"));
    assert!(
        shared.is_some_and(|c| c.read_only),
        "the organizer's calendar, seen by the attendee: {others:?}"
    );
    let own = c.run(&ListCalendars { home: s.at(&s.calendar_home, "attendee") }).await.unwrap();
    let mine = own.iter().find(|c| c.url == s.at(&s.default_calendar, "attendee"));
    assert!(mine.is_some_and(|c| !c.read_only), "the attendee's own calendar: {own:?}");
}
on_servers!(privileges_tell_a_read_only_calendar: radicale);

/// A fresh calendar made with MKCALENDAR, so object tests start empty.
async fn new_calendar(kind: Kind, c: &caldav::Client) -> Url {
    let s = server(kind);
    let home = s.at(&s.calendar_home, "organizer");
    let url = home.join(&format!("{}/", support::uid("cal").replace(['@', '.'], "-"))).unwrap();
    c.run(&MkCalendar { url: url.clone(), display_name: "Convene test".into(), components: vec!["VEVENT"] })
        .await
        .unwrap();
    let listed = c.run(&ListCalendars { home }).await.unwrap();
    let cal = listed.iter().find(|c| c.url == url).unwrap_or_else(|| panic!("{url} not listed"));
    assert_eq!(cal.display_name.as_deref(), Some("Convene test"));
    assert!(!cal.read_only, "the user's own new calendar is writable: {cal:?}");
    url
}

async fn object_lifecycle(kind: Kind) {
    let c = client(kind, "organizer");
    let cal = new_calendar(kind, &c).await;
    let uid = support::uid("life");
    let url = support::object_url(&cal, &uid);
    let body = support::event(&uid, "Lifecycle", "20300301T090000Z");

    // Create only if absent.
    let put = Put {
        url: url.clone(),
        data: body.clone(),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    };
    c.run(&put).await.unwrap();
    assert_eq!(c.run(&put).await.unwrap_err(), Error::AlreadyExists);

    let got = c.run(&Get { url: url.clone() }).await.unwrap();
    assert!(got.data.contains("SUMMARY:Lifecycle"));
    let etag = got.etag.clone().expect("GET gives an ETag");

    // Time-range query finds it; a range elsewhere does not.
    let q = |start: &str, end: &str| CalendarQuery {
        calendar: cal.clone(),
        start: start.into(),
        end: end.into(),
        with_data: true,
    };
    let hits = c.run(&q("20300301T000000Z", "20300302T000000Z")).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].url, url);
    assert_eq!(hits[0].etag.as_ref(), Some(&etag));
    assert!(hits[0].data.as_deref().is_some_and(|d| d.contains(&uid)));
    assert!(c.run(&q("20300401T000000Z", "20300402T000000Z")).await.unwrap().is_empty());

    // Multiget returns data and tags, and names what is missing.
    let gone = cal.join("does-not-exist.ics").unwrap();
    let m =
        c.run(&Multiget { calendar: cal.clone(), objects: vec![url.clone(), gone.clone()] }).await.unwrap();
    assert_eq!(m.objects.len(), 1);
    assert_eq!(m.objects[0].etag.as_ref(), Some(&etag));
    // A 404 is a deletion; DAViCal leaves the href out instead, which is
    // only "not delivered" (the cache keeps its copy and asks again).
    if kind.quirk().multiget_reports_404 {
        assert_eq!(m.missing, vec![gone], "{m:?}");
    } else {
        assert!(m.missing.is_empty() && m.failed == vec![gone], "{m:?}");
    }

    // Initial sync lists it; after an update and a delete, an incremental
    // sync reports exactly those.
    let first = changes::since(&c, &cal, None).await.unwrap();
    assert!(first.changed.iter().any(|l| l.url == url));
    let token = first.token.clone().expect("a sync token");
    let uid2 = support::uid("second");
    let url2 = support::object_url(&cal, &uid2);
    c.run(&Put {
        url: url2.clone(),
        data: support::event(&uid2, "Second", "20300302T090000Z"),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();

    // A stale ETag is refused and leaves the stored copy alone.
    let edited = body.replace("SUMMARY:Lifecycle", "SUMMARY:Edited");
    c.run(&Put {
        url: url.clone(),
        data: edited.clone(),
        precondition: Precondition::IfMatch(etag.clone()),
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();
    let stale = Put {
        url: url.clone(),
        data: body.clone(),
        precondition: Precondition::IfMatch(etag.clone()),
        scheduling: SchedulingHeaders::default(),
    };
    assert_eq!(c.run(&stale).await.unwrap_err(), Error::EtagMismatch);
    assert!(c.run(&Get { url: url.clone() }).await.unwrap().data.contains("SUMMARY:Edited"));

    let second = changes::since(&c, &cal, Some(token.clone())).await.unwrap();
    assert!(!second.full);
    let changed: Vec<&Url> = second.changed.iter().map(|l| &l.url).collect();
    assert!(changed.contains(&&url) && changed.contains(&&url2), "{second:?}");
    // Where the quirks table says so, the changes come with their data
    // (asked for: an incremental sync then needs no multiget).
    let edited_listed = second.changed.iter().find(|l| l.url == url).expect("listed");
    assert_eq!(edited_listed.data.is_some(), kind.quirk().sync_collection_data, "{second:?}");
    if let Some(data) = &edited_listed.data {
        assert!(data.contains("SUMMARY:Edited"), "{data}");
    }

    // Delete with If-Match; then the object is gone and sync says so.
    let now = c.run(&Get { url: url2.clone() }).await.unwrap();
    let token2 = second.token.clone().expect("token");
    c.run(&Delete {
        url: url2.clone(),
        precondition: Precondition::IfMatch(now.etag.unwrap()),
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();
    assert!(matches!(c.run(&Get { url: url2.clone() }).await.unwrap_err(), Error::NotFound(_)));
    let third = changes::since(&c, &cal, Some(token2)).await.unwrap();
    assert!(third.removed.contains(&url2), "{third:?}");

    // A token the server never issued falls back to a full listing. DAViCal
    // does not refuse it but answers with every object, which is as good.
    let bogus = changes::since(&c, &cal, Some("http://example.com/bogus-token".into())).await.unwrap();
    assert_eq!(bogus.full, kind.quirk().refuses_unknown_sync_token, "{bogus:?}");
    assert_eq!(bogus.changed.iter().map(|l| &l.url).collect::<Vec<_>>(), vec![&url]);
}
on_servers!(object_lifecycle: xandikos, cyrus, davical, radicale);

async fn tls_needs_the_ca_file(_: Kind) {
    let mut cfg = support::config(Kind::Xandikos, "attendee");
    cfg.ca_file = None;
    let c = caldav::Client::new(cfg).unwrap();
    let err = caldav::discover(&c).await.unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}
on_servers!(tls_needs_the_ca_file: xandikos);
