//! `convene check-server` against each real server prints the record that
//! `servers.md` describes.

use crate::support;

use std::process::Command;

use serde_json::Value;
use support::{Kind, server};

fn check_server(kind: Kind, user: &str) -> Value {
    let s = server(kind);
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convene"));
    cmd.arg("--profile").arg(profile.path()).args([
        "check-server",
        "--json",
        "--url",
        s.url.as_str(),
        "--user",
        user,
    ]);
    cmd.args(["--password-command", &support::password_command(user)]);
    if let Some(ca) = &s.ca_file {
        cmd.arg("--ca-file").arg(ca);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "check-server failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fact(v: &Value, name: &str) -> Option<bool> {
    v["capabilities"][name]["value"].as_bool()
}

#[test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
fn xandikos_record() {
    let v = check_server(Kind::Xandikos, "attendee");
    assert_eq!(v["capabilities"]["server"]["product"], "Xandikos");
    assert_eq!(fact(&v, "implicit_scheduling"), Some(true));
    assert_eq!(fact(&v, "schedule_tag"), Some(true));
    assert_eq!(fact(&v, "schedule_tag_trusted"), Some(true));
    assert_eq!(fact(&v, "schedule_agent_client"), Some(false));
    assert_eq!(fact(&v, "cyrus_scheduling_enabled"), Some(false));
    assert_eq!(fact(&v, "scheduling_controls"), Some(false));
    assert_eq!(fact(&v, "etag_on_put"), Some(true));
    assert_eq!(fact(&v, "sync_collection"), Some(true));
    assert_eq!(v["reply_protection"], "replies are protected by Schedule-Tag");
    assert_eq!(v["import_suppression"], "scheduling can't be suppressed on import");
    assert!(v["ca_file"].as_str().is_some());
}

#[test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
fn cyrus_record() {
    let v = check_server(Kind::Cyrus, "attendee");
    assert_eq!(v["capabilities"]["server"]["product"], "Cyrus");
    assert_eq!(fact(&v, "implicit_scheduling"), Some(true));
    assert_eq!(fact(&v, "schedule_tag"), Some(true));
    assert_eq!(fact(&v, "schedule_tag_trusted"), Some(false));
    assert_eq!(fact(&v, "etag_on_put"), Some(false));
    assert_eq!(fact(&v, "cyrus_scheduling_enabled"), Some(true));
    assert_eq!(fact(&v, "sync_collection"), Some(true));
    assert_eq!(v["reply_protection"], "this server's Schedule-Tag is unreliable: Convene uses ETags");
    assert_eq!(v["principal"]["addresses"][0], "mailto:attendee@example.com");
}

#[test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
fn davical_record() {
    let v = check_server(Kind::Davical, "attendee");
    assert_eq!(v["capabilities"]["server"]["product"], "DAViCal");
    assert_eq!(fact(&v, "implicit_scheduling"), Some(true));
    assert_eq!(fact(&v, "schedule_tag"), Some(false));
    assert_eq!(fact(&v, "schedule_tag_trusted"), Some(false));
    assert_eq!(fact(&v, "schedule_agent_client"), Some(true));
    assert_eq!(v["reply_protection"], "this server has no Schedule-Tag: Convene uses ETags");
    let addrs: Vec<&str> =
        v["principal"]["addresses"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(addrs.contains(&"mailto:attendee@example.com"), "{addrs:?}");
    assert!(
        addrs.iter().any(|a| a.contains("/attendee/")),
        "DAViCal also lists the principal URL: {addrs:?}"
    );
}

#[test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
fn radicale_record() {
    let v = check_server(Kind::Radicale, "attendee");
    assert_eq!(v["capabilities"]["server"]["product"], "Radicale");
    assert_eq!(fact(&v, "implicit_scheduling"), Some(false));
    assert_eq!(fact(&v, "schedule_tag"), Some(false));
    assert!(v["principal"]["inbox"].is_null());
    assert_eq!(v["import_suppression"], "this server sends no invitations: imports never mail anyone");
}

#[test]
#[ignore = "needs the test servers (bash tests/all.sh)"]
fn text_output_is_readable_and_holds_no_password() {
    let s = server(Kind::Cyrus);
    let out = Command::new(env!("CARGO_BIN_EXE_convene"))
        .args(["check-server", "--url", s.url.as_str(), "--user", "attendee"])
        .args(["--password-command", &support::password_command("attendee")])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Schedule-Tag trustworthy"), "{stdout}");
    assert!(stdout.contains("Cyrus 3.6.1"), "{stdout}");
    let pw = support::password("attendee");
    assert!(!stdout.contains(pw.expose()) && !stderr.contains(pw.expose()));
}
