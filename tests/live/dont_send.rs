//! "Don't send" (issue 16) against the real servers: an answer that stays on
//! the attendee's copy where the server can keep it from the organizer, a
//! clear refusal (nothing written, nothing queued) where it can't, and an
//! offline one that keeps its flag across a restart.

use crate::invitation_kinds::{attendee_copy, organizer_inbox_replies};
use crate::support;

use support::proxy::{self, Mode};
use support::{Kind, Profile};

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn invite(kind: Kind, tag: &str) -> String {
    let uid = support::uid(tag);
    let data = support::invitation_at(
        &uid,
        "Budget review",
        &["attendee"],
        "20300612T100000Z",
        "20300612T110000Z",
        false,
    );
    support::organizer_put(kind, &uid, &data).await;
    uid
}

async fn attendee_partstat(kind: Kind, uid: &str) -> Option<String> {
    let copy = attendee_copy(kind, uid).await.expect("the attendee's copy");
    support::partstat(&copy.data, "attendee", None)
}

async fn organizer_partstat(kind: Kind, uid: &str) -> Option<String> {
    support::partstat(&support::organizer_copy(kind, uid).await.data, "attendee", None)
}

/// Cyrus keeps the answer from the organizer (with its own
/// `Scheduling-Enabled: F`; `Schedule-Reply: F` on a PUT is ignored,
/// measured): the attendee's copy has it, the organizer's does not. The
/// same answer sent later would not reach the organizer either (the server
/// sees no change), so it is refused; a changed answer is told as usual.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_answer_not_sent_stays_on_the_attendees_copy() {
    let kind = Kind::Cyrus;
    let uid = invite(kind, "dont-send").await;
    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);

    let out = p.run(&["reply", &uid, "accept", "--no-send", "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(outcome["outcome"], "sent", "{outcome}");
    assert_eq!(attendee_partstat(kind, &uid).await.as_deref(), Some("ACCEPTED"));
    assert_eq!(organizer_partstat(kind, &uid).await.as_deref(), Some("NEEDS-ACTION"));
    assert!(organizer_inbox_replies(kind, &uid).await.is_empty(), "a reply reached the organizer");
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
    assert_eq!(p.invitation_row(&uid)["my_partstat"], "ACCEPTED");

    let out = p.run(&["reply", &uid, "accept"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("without telling the organizer"), "{}", text(&out));
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));

    let out = p.run(&["reply", &uid, "tentative"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(organizer_partstat(kind, &uid).await.as_deref(), Some("TENTATIVE"));
    assert_eq!(organizer_inbox_replies(kind, &uid).await.len(), 1);
}

/// Where the server tells the organizer of every answer (measured: both
/// ignore `Schedule-Reply: F` on a PUT and have no other way), "don't send"
/// is refused with the reason, before anything is written or queued.
async fn refused_where_the_server_would_tell(kind: Kind) {
    let uid = invite(kind, "dont-send-refused").await;
    let p = Profile::new(kind, "attendee");
    assert_eq!(code(&p.run(&["sync"])), 0);
    let out = p.run(&["reply", &uid, "decline", "--no-send"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("can't be kept from the organizer"), "{said}");
    assert!(said.contains("tells the organizer of every answer"), "{said}");
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
    assert_eq!(attendee_partstat(kind, &uid).await.as_deref(), Some("NEEDS-ACTION"));
    assert_eq!(organizer_partstat(kind, &uid).await.as_deref(), Some("NEEDS-ACTION"));
    // Answering as usual still works.
    assert_eq!(code(&p.run(&["reply", &uid, "decline"])), 0);
    assert_eq!(organizer_partstat(kind, &uid).await.as_deref(), Some("DECLINED"));
}

on_servers!(dont_send_is_refused_where_the_server_would_tell = refused_where_the_server_would_tell(): xandikos, davical);

/// Given offline, the answer waits in the outbox with its "don't send";
/// the next run (another process) sends it that way.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn an_offline_answer_not_sent_keeps_its_flag_across_a_restart() {
    let kind = Kind::Cyrus;
    let s = support::server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = proxy::start(addr).await;
    let uid = invite(kind, "dont-send-offline").await;
    let url = proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap();
    let p = Profile::at(kind, "attendee", url, Vec::new());
    assert_eq!(code(&p.run(&["sync"])), 0);

    proxy.set(Mode::Refuse);
    let out = p.run(&["reply", &uid, "decline", "--no-send"]);
    assert_eq!(code(&out), 75, "{}", text(&out));
    let listed = String::from_utf8_lossy(&p.run(&["outbox"]).stdout).into_owned();
    assert!(listed.contains(&format!("{uid}  DECLINED (organizer not told)  pending")), "{listed}");
    let json: serde_json::Value = serde_json::from_slice(&p.run(&["outbox", "--json"]).stdout).unwrap();
    assert_eq!(json["replies"][0]["reply"]["silent"], true, "{json}");

    proxy.set(Mode::Forward);
    let out = p.run(&["sync"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(proxy.puts_forwarded(), 1);
    assert_eq!(attendee_partstat(kind, &uid).await.as_deref(), Some("DECLINED"));
    assert_eq!(organizer_partstat(kind, &uid).await.as_deref(), Some("NEEDS-ACTION"));
    assert!(organizer_inbox_replies(kind, &uid).await.is_empty(), "a reply reached the organizer");
    assert!(p.run(&["outbox"]).stdout.starts_with(b"The outbox is empty"));
}
