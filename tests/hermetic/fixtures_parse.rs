//! Golden fixtures: real responses captured from the four servers
//! (tests/fixtures/README.md says how), parsed by the sans-IO operations.

use std::path::PathBuf;

use convene::caldav::http::Response;
use convene::caldav::{
    CurrentUserPrincipal, Error, Get, ListCalendars, Multiget, Operation, Options, PrincipalProps,
    SyncCollection,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

const SERVERS: [(&str, &str); 4] = [
    ("xandikos", "https://127.0.0.1:58443/"),
    ("cyrus", "http://127.0.0.1:58008/"),
    ("davical", "http://127.0.0.1:58080/"),
    ("radicale", "http://127.0.0.1:58232/"),
];

fn dir(server: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(server)
}

/// A captured response: `NAME.headers` (status line + headers) and the body
/// file next to it, as answered for `url`.
fn fixture(server: &str, name: &str, url: &Url) -> Response {
    let head = std::fs::read_to_string(dir(server).join(format!("{name}.headers"))).unwrap();
    let mut lines = head.lines();
    let status: u16 = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((n, v)) = line.split_once(':') {
            headers.append(
                HeaderName::from_bytes(n.trim().as_bytes()).unwrap(),
                HeaderValue::from_str(v.trim()).unwrap(),
            );
        }
    }
    let body = ["xml", "ics", "body"]
        .iter()
        .find_map(|ext| std::fs::read(dir(server).join(format!("{name}.{ext}"))).ok())
        .unwrap_or_default();
    Response { status, headers, body, url: url.clone() }
}

fn paths(server: &str) -> (Url, Url, Url, Url) {
    let base = Url::parse(SERVERS.iter().find(|(s, _)| *s == server).unwrap().1).unwrap();
    let (principal, home, cal) = match server {
        "xandikos" => ("/attendee/", "/attendee/calendars/", "/attendee/calendars/calendar/"),
        "cyrus" => (
            "/dav/principals/user/attendee/",
            "/dav/calendars/user/attendee/",
            "/dav/calendars/user/attendee/Default/",
        ),
        "davical" => ("/caldav.php/attendee/", "/caldav.php/attendee/", "/caldav.php/attendee/calendar/"),
        _ => ("/attendee/", "/attendee/", "/attendee/calendar/"),
    };
    (base.clone(), base.join(principal).unwrap(), base.join(home).unwrap(), base.join(cal).unwrap())
}

#[test]
fn current_user_principal() {
    for (server, _) in SERVERS {
        let (base, principal, _, _) = paths(server);
        let op = CurrentUserPrincipal { url: base.clone() };
        let got = op.parse(fixture(server, "propfind-current-user-principal", &base)).unwrap();
        assert_eq!(got, principal, "{server}");
    }
}

#[test]
fn principal_properties() {
    for (server, _) in SERVERS {
        let (_, principal, home, _) = paths(server);
        let op = PrincipalProps { url: principal.clone() };
        let p = op.parse(fixture(server, "propfind-principal", &principal)).unwrap();
        assert_eq!(p.calendar_homes, vec![home], "{server}");
        let schedules = server != "radicale";
        assert_eq!(
            p.addresses.iter().any(|a| a == "mailto:attendee@example.com"),
            schedules,
            "{server}: {:?}",
            p.addresses
        );
        assert_eq!(p.inbox.is_some(), schedules, "{server}");
        assert_eq!(p.outbox.is_some(), schedules, "{server}");
        if server == "davical" {
            assert!(p.addresses.iter().any(|a| a.ends_with("/caldav.php/attendee/")), "{:?}", p.addresses);
        }
    }
}

#[test]
fn calendar_listing_keeps_only_calendars() {
    for (server, _) in SERVERS {
        let (_, principal, home, cal) = paths(server);
        let op = ListCalendars { home: home.clone() };
        let cals = op.parse(fixture(server, "propfind-home-depth1", &home)).unwrap();
        let default = cals.iter().find(|c| c.url == cal).unwrap_or_else(|| panic!("{server}: {cals:?}"));
        assert!(default.holds_events(), "{server}");
        assert!(default.sync_token.is_some(), "{server}");
        // Inbox, outbox, proxies and the home itself are not calendars.
        assert!(
            cals.iter().all(|c| !c.url.path().to_ascii_lowercase().contains("inbox")),
            "{server}: {cals:?}"
        );
        assert!(cals.iter().all(|c| c.url != principal && c.url != home), "{server}");
        if server == "cyrus" {
            // CDATA-wrapped display names are read.
            assert_eq!(default.display_name.as_deref(), Some("personal"));
            assert!(default.components.contains(&"VTODO".to_owned()));
        }
    }
}

#[test]
fn options_headers() {
    for (server, _) in SERVERS {
        let (_, _, home, _) = paths(server);
        let o = Options { url: home.clone() }.parse(fixture(server, "options-home", &home)).unwrap();
        assert!(o.has("calendar-access"), "{server}");
        assert_eq!(o.has("calendar-auto-schedule"), server != "radicale", "{server}");
    }
}

#[test]
fn multiget_reads_tags_and_data() {
    for (server, _) in SERVERS {
        let (_, _, _, cal) = paths(server);
        let resp = fixture(server, "report-multiget", &cal);
        let ms = convene::caldav::multistatus::parse(&resp.body, &cal).unwrap();
        let href = ms.entries[0].url.clone();
        let got = Multiget { calendar: cal.clone(), objects: vec![href] }.parse(resp).unwrap();
        assert_eq!(got.objects.len(), 1, "{server}");
        assert!(got.missing.is_empty(), "{server}: {:?}", got.missing);
        let o = &got.objects[0];
        assert!(o.data.contains("UID:fixture-invite@example.com"), "{server}");
        assert!(
            o.data.starts_with("BEGIN:VCALENDAR"),
            "{server}: calendar-data must not start with whitespace"
        );
        assert!(o.etag.as_ref().is_some_and(|e| !e.is_weak()), "{server}");
        assert_eq!(o.schedule_tag.is_some(), matches!(server, "xandikos" | "cyrus"), "{server}");
    }
}

#[test]
fn sync_collection_initial_and_bogus_token() {
    for (server, _) in SERVERS {
        let (_, _, _, cal) = paths(server);
        let d = SyncCollection { calendar: cal.clone(), token: None }
            .parse(fixture(server, "report-sync-initial", &cal))
            .unwrap();
        assert!(d.token.is_some(), "{server}");
        assert!(!d.changed.is_empty(), "{server}");
        let bogus = SyncCollection { calendar: cal.clone(), token: Some("http://example.com/bogus".into()) }
            .parse(fixture(server, "report-sync-bogus", &cal));
        match server {
            "davical" => assert!(bogus.is_ok()),
            _ => assert_eq!(bogus.unwrap_err(), Error::InvalidSyncToken, "{server}"),
        }
    }
}

#[test]
fn get_gives_etag_and_schedule_tag() {
    for (server, _) in SERVERS {
        let (_, _, _, cal) = paths(server);
        let url = cal.join("copy.ics").unwrap();
        let o = Get { url: url.clone() }.parse(fixture(server, "get-attendee-copy", &url)).unwrap();
        assert!(o.etag.is_some(), "{server}");
        assert_eq!(o.schedule_tag.is_some(), matches!(server, "xandikos" | "cyrus"), "{server}");
        if server == "cyrus" {
            // A fresh Cyrus copy carries the SHA-1 of the empty string.
            assert_eq!(o.schedule_tag.unwrap().as_str(), "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"");
        }
    }
}
