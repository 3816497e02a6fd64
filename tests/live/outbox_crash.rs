//! Nothing lost, nothing sent twice: a reply survives a process killed
//! before or during its PUT, and a server that is down, and reaches the
//! organizer exactly once. Real Cyrus behind a fault-injecting proxy.

use crate::support;

use std::time::Duration;

use support::proxy::{self, Mode};
use support::{Kind, Profile};

async fn setup(tag: &str) -> (String, Profile, proxy::Proxy) {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let uid = support::uid(tag);
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Budget review", &["attendee"])).await;
    let url = proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap();
    let p = Profile::at(kind, "attendee", url, Vec::new());
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (uid, p, proxy)
}

/// Starts `convene reply`, waits until its PUT is in flight, kills it.
async fn kill_during_put(p: &Profile, proxy: &proxy::Proxy, uid: &str) {
    let mut child = p.command(&["reply", uid, "accept"]).spawn().unwrap();
    for _ in 0..200 {
        if proxy.puts_seen() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(proxy.puts_seen(), 1, "the reply never reached the wire");
    child.kill().unwrap(); // SIGKILL: no cleanup runs
    let _ = child.wait();
}

fn outbox(p: &Profile) -> String {
    String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned()
}

async fn organizer_sees(uid: &str) -> Option<String> {
    support::partstat(&support::organizer_copy(Kind::Cyrus, uid).await.data, "attendee", None)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn killed_before_the_server_got_it_sends_once_on_next_run() {
    let (uid, p, proxy) = setup("kill-before").await;
    proxy.set(Mode::HoldPutBefore);
    kill_during_put(&p, &proxy, &uid).await;
    assert_eq!(proxy.puts_forwarded(), 0);
    assert!(outbox(&p).contains("pending"), "{}", outbox(&p));
    assert_eq!(organizer_sees(&uid).await.as_deref(), Some("NEEDS-ACTION"));

    proxy.set(Mode::Forward);
    assert!(p.run(&["sync"]).status.success());
    assert_eq!(organizer_sees(&uid).await.as_deref(), Some("ACCEPTED"));
    assert_eq!(proxy.puts_forwarded(), 1);
    assert!(outbox(&p).starts_with("The outbox is empty"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn killed_after_the_server_got_it_is_not_sent_again() {
    let (uid, p, proxy) = setup("kill-after").await;
    proxy.set(Mode::HoldPutAfter);
    kill_during_put(&p, &proxy, &uid).await;
    support::eventually("the PUT to land", || async { (proxy.puts_forwarded() == 1).then_some(()) }).await;
    assert_eq!(organizer_sees(&uid).await.as_deref(), Some("ACCEPTED"));

    proxy.set(Mode::Forward);
    assert!(p.run(&["sync"]).status.success());
    assert_eq!(proxy.puts_forwarded(), 1, "the answer was sent twice");
    assert!(outbox(&p).starts_with("The outbox is empty"), "{}", outbox(&p));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn server_down_keeps_it_pending_then_sends_it() {
    let (uid, p, proxy) = setup("down").await;
    proxy.set(Mode::Refuse);
    let out = p.run(&["reply", &uid, "tentative", "--comment", "On a train"]);
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(outbox(&p).contains("pending"));
    let list = String::from_utf8_lossy(&p.run(&["invitations"]).stdout).into_owned();
    assert!(list.contains("TENTATIVE (sending…)"), "{list}");
    // Still down: a sync fails but the answer stays.
    assert!(!p.run(&["sync"]).status.success());
    assert!(outbox(&p).contains("pending"));

    proxy.set(Mode::Forward);
    assert!(p.run(&["sync"]).status.success());
    assert_eq!(organizer_sees(&uid).await.as_deref(), Some("TENTATIVE"));
    assert_eq!(proxy.puts_forwarded(), 1);
    assert!(outbox(&p).starts_with("The outbox is empty"));
}

/// A bare address whose well-known URL redirects to another origin (here
/// the real server behind the proxy): credentials don't follow, and
/// discovery carries on at the address given.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn cross_origin_well_known_falls_back_to_the_given_address() {
    let s = support::server(Kind::Cyrus);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let p = Profile::at(Kind::Cyrus, "attendee", proxy.url.clone(), Vec::new());
    let out = p.run(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
