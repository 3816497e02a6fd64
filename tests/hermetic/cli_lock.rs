//! A command while another process holds the account: it says what it
//! waits for, gives up after the limit with a clear message, and writes no
//! colour escapes into a stderr that is not a terminal.

use convene::config::{Account, Config};
use convene::paths::Paths;
use convene::store::AccountFiles;
use convene::store::lock::AccountLock;

#[test]
fn a_command_waits_for_the_account_then_gives_up_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::profile(dir.path());
    let account = Account {
        name: "work".into(),
        url: url::Url::parse("http://127.0.0.1:9/").unwrap(),
        user: "ann".into(),
        ca_file: None,
        allow_insecure_http: false,
        password_command: Some("echo unused".into()),
        aliases: Vec::new(),
    };
    Config { accounts: vec![account], ..Config::default() }.save(&paths.config_file()).unwrap();
    // Another process (here: this test) holds the account.
    let _held = AccountLock::acquire(&AccountFiles::new(&paths, "work").lock_file, None, || {}).unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_convene"))
        .arg("--profile")
        .arg(dir.path())
        .arg("invitations")
        .env("CONVENE_LOCK_WAIT", "1")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Waiting for the Convene app") && stderr.contains("up to 1 s"), "{stderr}");
    assert!(stderr.contains("gave up after waiting 1 s"), "{stderr}");
    // The log's warning is there, without colour: stderr is a pipe here.
    assert!(stderr.contains("waiting for the Convene app or another command"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour escapes in a pipe: {stderr:?}");
}
