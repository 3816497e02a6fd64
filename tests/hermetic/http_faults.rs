//! What no real server will do on demand: hostile bodies, redirects to other
//! origins, oversized answers, silence. An in-process stub pins our side.

use crate::support;

use std::time::Duration;

use convene::caldav::{
    self, Client, ClientConfig, Error, Password, Precondition, Put, SchedulingHeaders, SchedulingMode,
};
use support::stub::{self, response};

fn client_for(url: &url::Url) -> Client {
    Client::new(ClientConfig::new(url.clone(), "ann", Password::new("pw"))).unwrap()
}

#[tokio::test]
async fn redirects_to_another_origin_never_carry_credentials() {
    let other = stub::start(|_| response("207 Multi-Status", &[], "<multistatus xmlns='DAV:'/>")).await;
    let target = other.url.join("/dav/").unwrap().to_string();
    let home = stub::start(move |_| response("301 Moved", &[("location", &target)], "")).await;
    let err = caldav::discover(&client_for(&home.url)).await.unwrap_err();
    assert!(matches!(err, Error::CrossOriginRedirect { .. }), "{err:?}");
    assert!(other.seen.lock().unwrap().is_empty(), "the other origin was contacted");
    assert!(home.seen.lock().unwrap().iter().all(|s| s.header("authorization").is_some()));
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_credentials() {
    let stub = stub::start(|s| {
        if s.path == "/.well-known/caldav" {
            response("301 Moved", &[("location", "/dav/")], "")
        } else {
            response(
                "207 Multi-Status",
                &[],
                "<d:multistatus xmlns:d='DAV:'><d:response><d:href>/dav/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/dav/p/ann/</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>",
            )
        }
    })
    .await;
    let p = caldav::discovery::find_principal(&client_for(&stub.url)).await.unwrap();
    assert_eq!(p.path(), "/dav/p/ann/");
    let seen = stub.seen.lock().unwrap();
    assert_eq!(seen[1].path, "/dav/");
    assert_eq!(seen[1].method, "PROPFIND");
    assert!(seen[1].header("authorization").is_some_and(|a| a.starts_with("Basic ")));
}

#[tokio::test]
async fn hostile_xml_is_a_typed_error() {
    for body in [
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
        &"<a xmlns='DAV:'>".repeat(5000),
        "<d:multistatus xmlns:d='DAV:'><d:response><d:href>/x</d:href>",
    ] {
        let body = body.to_owned();
        let stub = stub::start(move |_| response("207 Multi-Status", &[], &body)).await;
        let err = caldav::discover(&client_for(&stub.url)).await.unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{err:?}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_cut_off() {
    let stub = stub::start(|_| response("207 Multi-Status", &[], &"x".repeat(5000))).await;
    let mut cfg = ClientConfig::new(stub.url.clone(), "ann", Password::new("pw"));
    cfg.max_body = 1000;
    let err = caldav::discover(&Client::new(cfg).unwrap()).await.unwrap_err();
    assert_eq!(err, Error::TooLarge { limit: 1000 });
}

/// A multistatus read as it arrives: each response is handed over whole,
/// entity references and all, and a cut-off answer is an error that keeps
/// the cache (transient), never a short success.
#[tokio::test]
async fn a_streamed_multistatus_hands_over_whole_responses_and_fails_when_cut_off() {
    let entry = |n: usize| {
        format!(
            "<d:response><d:href>/c/{n}.ics</d:href><d:propstat><d:prop><d:getetag>\"{n}\"</d:getetag><c:calendar-data>BEGIN:VCALENDAR\r\nSUMMARY:Tom &amp; Jerry {n} &#233;\r\nEND:VCALENDAR\r\n</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )
    };
    let whole: String = format!(
        "<d:multistatus xmlns:d='DAV:' xmlns:c='urn:ietf:params:xml:ns:caldav'>{}<d:sync-token>t1</d:sync-token></d:multistatus>",
        (0..300).map(entry).collect::<String>()
    );
    let cut = whole[..whole.len() / 2].to_owned();
    let whole_body = whole.clone();
    let stub = stub::start(move |s| {
        if s.path == "/whole/" {
            response("207 Multi-Status", &[], &whole_body)
        } else if s.path == "/denied/" {
            response("403 Forbidden", &[], "")
        } else {
            // Promises twice what it sends, then goes quiet.
            format!("HTTP/1.1 207 Multi-Status\r\ncontent-length: {}\r\n\r\n{cut}", cut.len() * 2)
                .into_bytes()
        }
    })
    .await;
    let mut cfg = ClientConfig::new(stub.url.clone(), "ann", Password::new("pw"));
    cfg.timeout = Duration::from_millis(1500);
    let client = Client::new(cfg).unwrap();
    let report = |path: &str| {
        caldav::http::Request::dav("REPORT", stub.url.join(path).unwrap())
            .unwrap()
            .depth(caldav::http::Depth::One)
            .unwrap()
    };

    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    let ms =
        client.stream_multistatus(report("/whole/"), move |e| sink.lock().unwrap().push(e)).await.unwrap();
    assert_eq!(ms.sync_token.as_deref(), Some("t1"));
    let got = std::mem::take(&mut *got.lock().unwrap());
    assert_eq!(got.len(), 300);
    let data = got[299].prop(caldav::xml::CALDAV, "calendar-data").unwrap().text.clone();
    // XML 1.0 hands line ends over as LF (§2.11).
    assert_eq!(data, "BEGIN:VCALENDAR\nSUMMARY:Tom & Jerry 299 \u{e9}\nEND:VCALENDAR\n");
    // The same answer read whole gives the same entries.
    let whole = caldav::multistatus::parse(whole.as_bytes(), &stub.url.join("/whole/").unwrap()).unwrap();
    assert_eq!(whole.entries.len(), 300);
    assert_eq!(whole.entries[299].url, got[299].url);

    let handed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = handed.clone();
    let err = client
        .stream_multistatus(report("/cut/"), move |_| {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    let handed = handed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        handed > 100 && handed <= 150,
        "the complete responses before the cut were handed over: {handed}"
    );

    let err = client.stream_multistatus(report("/denied/"), |_| {}).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}

/// A streamed answer is read as it comes but kept until it ends: one that
/// goes on past the limit is refused, not held in memory without end.
#[tokio::test]
async fn a_streamed_multistatus_past_its_limit_is_refused() {
    let entry = |n: usize| {
        format!(
            "<d:response><d:href>/c/{n}.ics</d:href><d:propstat><d:prop><c:calendar-data>{}</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>",
            "X".repeat(1000)
        )
    };
    let body: String = format!(
        "<d:multistatus xmlns:d='DAV:' xmlns:c='urn:ietf:params:xml:ns:caldav'>{}</d:multistatus>",
        (0..200).map(entry).collect::<String>()
    );
    let stub = stub::start(move |_| response("207 Multi-Status", &[], &body)).await;
    let mut cfg = ClientConfig::new(stub.url.clone(), "ann", Password::new("pw"));
    cfg.max_streamed = 50_000;
    let client = Client::new(cfg).unwrap();
    let report = caldav::http::Request::dav("REPORT", stub.url.clone()).unwrap();
    let err = client.stream_multistatus(report, |_| {}).await.unwrap_err();
    assert_eq!(err, Error::TooLarge { limit: 50_000 });
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        let _held = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let mut cfg = ClientConfig::new(url, "ann", Password::new("pw"));
    cfg.timeout = Duration::from_millis(300);
    let err = caldav::discover(&Client::new(cfg).unwrap()).await.unwrap_err();
    assert_eq!(err, Error::Timeout);
}

#[tokio::test]
async fn a_500_is_a_server_error_worth_retrying() {
    let stub = stub::start(|_| response("503 Service Unavailable", &[], "maintenance")).await;
    let err = caldav::discover(&client_for(&stub.url)).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn put_sends_exactly_the_typed_headers() {
    let stub = stub::start(|_| response("201 Created", &[("etag", "\"new\"")], "")).await;
    let c = client_for(&stub.url);
    let put = Put {
        url: stub.url.join("/cal/e.ics").unwrap(),
        data: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders {
            scheduling: Some(SchedulingMode::None),
            schedule_user_address: Some("mailto:ann@example.com".into()),
            schedule_reply: None,
            cyrus_scheduling_enabled: Some(false),
        },
    };
    let written = c.run(&put).await.unwrap();
    assert!(written.created);
    assert_eq!(written.etag.unwrap().as_str(), "\"new\"");
    let seen = stub.seen.lock().unwrap();
    let s = &seen[0];
    assert_eq!(s.method, "PUT");
    assert_eq!(s.header("if-none-match"), Some("*"));
    assert_eq!(s.header("scheduling"), Some("none"));
    assert_eq!(s.header("schedule-user-address"), Some("mailto:ann@example.com"));
    assert_eq!(s.header("scheduling-enabled"), Some("F"));
    assert_eq!(s.header("content-type"), Some("text/calendar; charset=utf-8"));
    assert!(s.header("if-match").is_none() && s.header("if-schedule-tag-match").is_none());
    assert_eq!(s.body, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
}

#[tokio::test]
async fn a_locked_server_is_asked_again_then_reported_busy() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let stub = stub::start(move |_| {
        // Locked twice, then done.
        if seen.fetch_add(1, Ordering::SeqCst) < 2 {
            response("423 Locked", &[], "")
        } else {
            response("204 No Content", &[], "")
        }
    })
    .await;
    let c = client_for(&stub.url);
    let put = |url: url::Url| Put {
        url,
        data: "x".into(),
        precondition: Precondition::None,
        scheduling: SchedulingHeaders::default(),
    };
    c.run(&put(stub.url.join("/e.ics").unwrap())).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let always = stub::start(|_| response("423 Locked", &[], "")).await;
    let err = client_for(&always.url).run(&put(always.url.join("/e.ics").unwrap())).await.unwrap_err();
    assert_eq!(err, Error::Busy { status: 423 });
    assert!(err.is_transient());
}

fn put_at(url: url::Url) -> Put {
    Put { url, data: "x".into(), precondition: Precondition::None, scheduling: SchedulingHeaders::default() }
}

#[tokio::test]
async fn retry_after_on_503_is_waited_for_then_the_request_is_sent_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let stub = stub::start(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            response("503 Service Unavailable", &[("retry-after", "1")], "busy")
        } else {
            response("204 No Content", &[], "")
        }
    })
    .await;
    client_for(&stub.url).run(&put_at(stub.url.join("/e.ics").unwrap())).await.unwrap();
    let seen = stub.seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "asked again after the wait");
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "asked again after {waited:?}, before Retry-After: 1");
}

#[tokio::test]
async fn retry_after_on_429_as_a_date_is_honoured_too() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let stub = stub::start(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            let at = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc2822().replace("+0000", "GMT");
            response("429 Too Many Requests", &[("retry-after", &at)], "")
        } else {
            response("204 No Content", &[], "")
        }
    })
    .await;
    client_for(&stub.url).run(&put_at(stub.url.join("/e.ics").unwrap())).await.unwrap();
    let seen = stub.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_secs(1), "{:?}", seen[1].at - seen[0].at);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_left_to_the_next_sync() {
    let stub = stub::start(|_| response("503 Service Unavailable", &[("retry-after", "3600")], "")).await;
    let mut cfg = ClientConfig::new(stub.url.clone(), "ann", Password::new("pw"));
    cfg.retry_after_budget = Duration::from_secs(5);
    let err = Client::new(cfg).unwrap().run(&put_at(stub.url.join("/e.ics").unwrap())).await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(stub.seen.lock().unwrap().len(), 1, "not asked again within the budget");
}
