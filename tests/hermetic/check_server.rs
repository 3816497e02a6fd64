//! `convene check-server` where no server is needed: refusals and plain
//! errors, and the README's table generated from the quirks code.

use std::process::Command;

#[test]
fn unreachable_server_fails_with_a_plain_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_convene"))
        .args([
            "check-server",
            "--url",
            "http://127.0.0.1:9/",
            "--user",
            "x",
            "--password-command",
            "echo pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not reach the server"), "{stderr}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_convene"))
        .args([
            "check-server",
            "--url",
            "http://calendar.example.com/",
            "--user",
            "x",
            "--password-command",
            "echo pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing unencrypted http://"));
}

#[test]
fn readme_shows_the_compatibility_table_from_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = convene::caldav::quirks::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's compatibility table is out of date: run `convene compat-table`"
    );
}
