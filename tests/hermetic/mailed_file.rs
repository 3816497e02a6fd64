//! `convene invitation-file` refuses, before touching any account, a file
//! that is not a mailed invitation, cancellation or answer, and an
//! invitation given without an answer, saying what to do instead.

const OUTLOOK: &str = include_str!("../fixtures/imip/outlook-request.ics");

fn run(file_text: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mailed.ics");
    std::fs::write(&file, file_text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_convene"))
        .arg("--profile")
        .arg(dir.path())
        .arg("invitation-file")
        .arg(&file)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_published_calendar_is_sent_to_the_import() {
    let (code, err) = run(&OUTLOOK.replace("METHOD:REQUEST", "METHOD:PUBLISH"), &["accept"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("import it with `convene import`"), "{err}");
}

#[test]
fn an_invitation_needs_an_answer() {
    let (code, err) = run(OUTLOOK, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("say accept, tentative or decline"), "{err}");
    let (code, err) = run(OUTLOOK, &["maybe"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("use accept, tentative or decline"), "{err}");
}

#[test]
fn a_file_that_is_no_invitation_says_why() {
    let (code, err) = run(
        &OUTLOOK.replace("ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com\r\n", ""),
        &["accept"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("has no ORGANIZER"), "{err}");
}
