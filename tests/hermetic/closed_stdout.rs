//! `convene compat-table | head -1`: the reader closes the pipe early and
//! convene ends quietly, as `ls | head` does, without a panic message.

use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    // Closed before convene writes anything: its first line meets EPIPE.
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_convene"))
        .arg("compat-table")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "convene panicked on a closed pipe: {stderr}");
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
}
