//! A calendar's first sync (one calendar-query for every object's data,
//! issue 13) against the real servers: every event arrives whole, as the
//! server serves it, the calendar views, the invitation list and an event's
//! details read it from the cache (issue 12), and a reply right after it is
//! still protected the way the capability record says.

use chrono::TimeZone;
use convene::caldav::{Delete, Get, MkCalendar, Precondition, Put, SchedulingHeaders};
use convene::store::{AccountFiles, Cache};
use support::{Kind, Profile, ics};

use crate::support;

/// Events of every shape a first sync must carry whole: plain, repeating
/// with an exception, zoned with an odd VTIMEZONE and every awkward
/// property, and an invitation from someone at another server.
fn events(tag: &str) -> Vec<(String, String)> {
    let uid = |n: &str| support::uid(&format!("{tag}-{n}"));
    let mut out = Vec::new();
    for i in 0..8 {
        let u = uid(&format!("plain{i}"));
        let data = support::event(&u, &format!("Plain {i}"), &format!("203007{:02}T090000Z", i + 1));
        out.push((u, data));
    }
    let u = uid("weekly");
    let data = ics::object(
        ics::Event::new(&u)
            .summary("Weekly")
            .weekly_until("20301231T000000Z")
            .line("EXDATE:20300611T100000Z"),
    );
    out.push((u, data));
    let u = uid("awkward");
    out.push((u.clone(), support::fidelity::awkward(&u)));
    let u = uid("invited");
    let data = ics::object(
        ics::Event::new(&u)
            .summary("From elsewhere")
            .line("ORGANIZER;CN=Ext:mailto:someone@example.org")
            .line("ATTENDEE;PARTSTAT=ACCEPTED:mailto:someone@example.org")
            .line("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:attendee@example.com"),
    );
    out.push((u, data));
    out
}

async fn every_event_arrives_with_its_data(kind: Kind) {
    let s = support::server(kind);
    let client = support::client(kind, "attendee");
    let name = support::uid("first-sync").replace(['@', '.'], "-");
    let calendar = s.at(&s.calendar_home, "attendee").join(&format!("{name}/")).unwrap();
    client
        .run(&MkCalendar { url: calendar.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();
    // Cyrus would mail the external organizer otherwise.
    let quiet = SchedulingHeaders { cyrus_scheduling_enabled: Some(false), ..Default::default() };
    let mut urls = Vec::new();
    for (uid, data) in events(&name) {
        let url = support::object_url(&calendar, &uid);
        let put = Put { url: url.clone(), data, precondition: Precondition::None, scheduling: quiet.clone() };
        client.run(&put).await.unwrap();
        urls.push(url);
    }

    let p = Profile::new(kind, "attendee");
    let mut engine = p.engine();
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = progress.clone();
    engine.report_progress(move |p| heard.lock().unwrap().push(p.fetched));
    let report = engine.sync().await.unwrap();
    drop(engine);
    assert!(report.failed.is_empty(), "{report:?}");
    // Progress counts up as the events arrive, to what was fetched.
    let progress = progress.lock().unwrap().clone();
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&report.fetched), "{progress:?}");
    let cache = Cache::open(&AccountFiles::new(&p.paths(), &p.account.name).cache_file).unwrap();
    for url in &urls {
        let served = client.run(&Get { url: url.clone() }).await.unwrap();
        let (_, cached) = cache.object(url).unwrap().unwrap_or_else(|| panic!("{url} not cached"));
        // XML hands calendar-data over with its line ends as LF (XML 1.0
        // §2.11), whatever the server stored; every other byte is the same.
        let lf = |s: &str| s.replace("\r\n", "\n");
        assert_eq!(
            lf(&cached.data),
            lf(&served.data),
            "{url}: the cached copy is not what the server serves"
        );
        if served.etag.is_some() {
            assert_eq!(cached.etag, served.etag, "{url}");
        }
    }
    // What the window asks of that cache: the week of the plain events,
    // the invitation in the list, and an event's details.
    let engine = p.engine();
    let at = |d: u32| chrono::Utc.with_ymd_and_hms(2030, 7, d, 0, 0, 0).unwrap();
    let week: Vec<String> = engine
        .agenda(at(1), at(8))
        .into_iter()
        .filter(|i| i.calendar == calendar)
        .map(|i| i.occurrence.summary)
        .collect();
    // The weekly series (Tuesdays at 10:00 from 4 June) falls on 2 July.
    let expected = ["Plain 0", "Plain 1", "Weekly", "Plain 2", "Plain 3", "Plain 4", "Plain 5", "Plain 6"];
    assert_eq!(week, expected, "the first week of July 2030, in time order");
    let invited = urls.last().unwrap();
    let listed = engine.invitations().unwrap();
    assert!(listed.iter().any(|l| &l.url == invited), "the invitation is listed: {listed:?}");
    // What `convene sync` reports waiting is what the list shows waiting.
    let waiting = listed.iter().filter(|l| l.invitation.is_pending()).count();
    assert_eq!(engine.pending_count().unwrap(), waiting);
    let details = engine.details(invited, None).expect("the invitation's details");
    let organizer = details.event.organizer.as_ref().map(|o| o.address.as_str());
    assert_eq!(organizer, Some("mailto:someone@example.org"));
    let answers: Vec<_> =
        details.event.attendees.iter().map(|a| (a.address.as_str(), a.partstat.as_deref())).collect();
    assert_eq!(
        answers,
        [
            ("mailto:someone@example.org", Some("ACCEPTED")),
            ("mailto:attendee@example.com", Some("NEEDS-ACTION"))
        ]
    );
    assert_eq!(details.calendar_name, name, "the calendar it is in, by the name the server gives");
    drop(engine);

    // The next sync finds nothing new: the stored token covers what came.
    let again = p.engine().sync().await.unwrap();
    assert_eq!(again.fetched, 0, "{again:?}");
    // …and asks only for the calendar list: every calendar's sync token is
    // the one synced.
    assert_eq!(again.requests, 1, "{again:?}");

    // One change made elsewhere: the calendar list, then one sync-collection
    // that brings the changed event's data; where the server sends no data
    // with it, a multiget for the event.
    let changed = &urls[0];
    let served = client.run(&Get { url: changed.clone() }).await.unwrap();
    let data = served.data.replace("SUMMARY:Plain 0", "SUMMARY:Plain 0 (moved)");
    let put = Put { url: changed.clone(), data, precondition: Precondition::None, scheduling: quiet.clone() };
    client.run(&put).await.unwrap();
    let one = p.engine().sync().await.unwrap();
    let requests = if kind.quirk().sync_collection_data { 2 } else { 3 };
    assert_eq!((one.fetched, one.requests), (1, requests), "{one:?}");
    let cache = Cache::open(&AccountFiles::new(&p.paths(), &p.account.name).cache_file).unwrap();
    let (_, cached) = cache.object(changed).unwrap().unwrap();
    assert!(cached.data.contains("SUMMARY:Plain 0 (moved)"), "{}", cached.data);
    let served = client.run(&Get { url: changed.clone() }).await.unwrap();
    if served.etag.is_some() {
        assert_eq!(cached.etag, served.etag);
    }
    drop(cache);

    client.run(&Delete { url: calendar, precondition: Precondition::None, scheduling: quiet }).await.unwrap();
}

on_servers!(every_event_arrives_with_its_data: xandikos, cyrus, davical, radicale);

/// After a first sync, an answer goes out in the fewest requests the
/// server's protection allows: on Xandikos, one PUT with
/// `If-Schedule-Tag-Match` on the tag read for the waiting invitation
/// after the sync (as the window's actor does, once the lists are shown);
/// on Cyrus (tag untrusted), `If-Match` and a re-read.
async fn a_reply_after_a_first_sync_keeps_its_protection(kind: Kind) {
    let uid = support::uid("first-sync-reply");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Review", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let mut engine = p.engine();
    engine.sync().await.unwrap();
    let trusted = engine.capabilities().unwrap().schedule_tag_trusted.is_true();
    assert_eq!(trusted, kind == Kind::Xandikos, "the quirks table changed");
    let listed = engine.invitations().unwrap();
    let read = engine.read_schedule_tags(&listed).await.unwrap();
    assert_eq!(read > 0, trusted, "{read} tags read");
    let listing = listed.into_iter().find(|l| l.invitation.uid == uid).unwrap();
    let served = engine.client().run(&Get { url: listing.url.clone() }).await.unwrap();
    if trusted {
        let cache = Cache::open(&AccountFiles::new(&p.paths(), &p.account.name).cache_file).unwrap();
        let (_, cached) = cache.object(&listing.url).unwrap().unwrap();
        assert!(served.schedule_tag.is_some());
        assert_eq!(cached.schedule_tag, served.schedule_tag, "the tag was not read after the sync");
    }
    let before = engine.client().request_count();
    engine.queue(&uid, convene::ical::Answer::Accept, None, None, None, false).unwrap();
    let outcome = engine.send(&uid).await.unwrap();
    assert!(matches!(outcome, convene::sync::Outcome::Sent { .. }), "{outcome:?}");
    let requests = engine.client().request_count() - before;
    // Xandikos: the PUT alone. Cyrus: the PUT, then a GET for the real
    // ETag (its PUT response has none).
    assert_eq!(requests, if trusted { 1 } else { 2 });
    let organizer = support::organizer_copy(kind, &uid).await;
    assert_eq!(support::partstat(&organizer.data, "attendee", None).as_deref(), Some("ACCEPTED"));
}

on_servers!(a_reply_after_a_first_sync_keeps_its_protection: xandikos, cyrus);

/// A first sync whose answer is cut off half-way (Cyrus behind the fault
/// proxy) keeps the objects that came, without the sync token: the calendar
/// is named as not synced, and the next sync fetches only the rest, then
/// stores the token (the one after asks for the calendar list alone).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_first_sync_cut_off_resumes_with_what_did_not_come() {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let client = support::client(kind, "attendee");
    let name = support::uid("first-sync-cut").replace(['@', '.'], "-");
    let calendar = s.at(&s.calendar_home, "attendee").join(&format!("{name}/")).unwrap();
    client
        .run(&MkCalendar { url: calendar.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();
    const EVENTS: usize = 24;
    let quiet = SchedulingHeaders { cyrus_scheduling_enabled: Some(false), ..Default::default() };
    for i in 0..EVENTS {
        let uid = format!("{name}-{i}");
        let put = Put {
            url: support::object_url(&calendar, &uid),
            data: support::event(&uid, &format!("Event {i}"), "20300610T090000Z"),
            precondition: Precondition::IfNoneMatchAny,
            scheduling: quiet.clone(),
        };
        client.run(&put).await.unwrap();
    }
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = support::proxy::start(addr).await;
    let p = Profile::at(
        kind,
        "attendee",
        proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap(),
        vec![],
    );
    let via_proxy = proxy.url.join(calendar.path()).unwrap();
    proxy.truncate_reports_under(calendar.path());

    let cut = p.engine().sync().await.unwrap();
    assert!(cut.failed.iter().any(|f| f.calendar == via_proxy), "{cut:?}");
    let kept = p.engine().uids_in(&via_proxy).len();
    assert!(kept > 0 && kept < EVENTS, "the first half of the answer is kept: {kept} of {EVENTS}");

    proxy.set(support::proxy::Mode::Forward);
    let resumed = p.engine().sync().await.unwrap();
    assert!(resumed.failed.is_empty(), "{resumed:?}");
    assert_eq!(resumed.fetched, EVENTS - kept, "only what did not come is fetched: {resumed:?}");
    let cached = p.engine().uids_in(&via_proxy);
    let all: std::collections::BTreeSet<String> = (0..EVENTS).map(|i| format!("{name}-{i}")).collect();
    assert_eq!(cached.keys().cloned().collect::<std::collections::BTreeSet<_>>(), all);
    let again = p.engine().sync().await.unwrap();
    assert_eq!((again.fetched, again.requests), (0, 1), "the token is stored now: {again:?}");

    client.run(&Delete { url: calendar, precondition: Precondition::None, scheduling: quiet }).await.unwrap();
}
