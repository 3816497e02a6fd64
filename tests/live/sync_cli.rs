//! `convene sync` from a script's side: a calendar that can't be synced is
//! named with the reason, on stdout and in `--json`, and the exit code says
//! so; the other calendars are synced and saved. Real Cyrus behind the
//! fault proxy, which cuts one calendar's REPORT answers short.

use crate::support;

use convene::caldav::{Delete, MkCalendar, Precondition, Put, SchedulingHeaders};
use support::proxy;
use support::{Kind, Profile};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_calendar_whose_answers_are_cut_short_makes_sync_exit_5_naming_it() {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let c = support::client(kind, "attendee");
    let home = s.at(&s.calendar_home, "attendee");
    let name = format!("sync-broken-{}", std::process::id());
    let broken = home.join(&format!("{name}/")).unwrap();
    c.run(&MkCalendar { url: broken.clone(), display_name: name.clone(), components: vec!["VEVENT"] })
        .await
        .unwrap();
    // One event in the calendar that syncs, one in the broken one.
    let default = s.at(&s.default_calendar, "attendee");
    let good_uid = support::uid("sync-good");
    for (calendar, uid) in [(&default, good_uid.clone()), (&broken, support::uid("sync-cut"))] {
        let put = Put {
            url: support::object_url(calendar, &uid),
            data: support::event(&uid, "Synced or not", "20300610T090000Z"),
            precondition: Precondition::IfNoneMatchAny,
            scheduling: SchedulingHeaders::default(),
        };
        c.run(&put).await.unwrap();
    }

    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let p = Profile::at(
        kind,
        "attendee",
        proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap(),
        vec![],
    );
    proxy.truncate_reports_under(broken.path());

    let out = p.run(&["sync", "--json"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(5), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {text}"));
    let failed = json["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{text}");
    assert_eq!(failed[0]["name"], name.as_str(), "{text}");
    assert!(failed[0]["calendar"].as_str().unwrap().ends_with(broken.path()), "{text}");
    assert!(failed[0]["error"].as_str().is_some_and(|e| !e.is_empty()), "{text}");
    assert!(json["calendars"].as_u64().unwrap() >= 1, "the other calendars were synced: {text}");

    // Saved: the event of the calendar that synced is in the cache.
    let default_via_proxy = proxy.url.join(default.path()).unwrap();
    assert!(p.engine().uids_in(&default_via_proxy).contains_key(&good_uid), "{text}");

    // In words, on stdout, for a person or a log.
    let out = p.run(&["sync"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{stdout}");
    assert!(stdout.contains("Not synced") && stdout.contains(&name), "{stdout}");

    proxy.set(proxy::Mode::Forward);
    assert_eq!(p.run(&["sync"]).status.code(), Some(0), "synced once the answers are whole");
    c.run(&Delete {
        url: broken,
        precondition: Precondition::None,
        scheduling: SchedulingHeaders::default(),
    })
    .await
    .unwrap();
}
