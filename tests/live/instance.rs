//! One window per profile: a second launch hands its files to the window
//! already open, over a private D-Bus session bus (a real dbus-daemon), and
//! exits without opening a window of its own.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use convene::paths::Paths;
use convene::ui::instance::{Claim, Request, claim_on};

/// A session bus of our own; killed when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (the dbus-daemon package; tests/all.sh installs it)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
        Bus { daemon, address: address.trim().to_owned() }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn second_launch(
    bus: &Bus,
    profile: &std::path::Path,
    args: &[&str],
    cwd: &std::path::Path,
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_convene"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .current_dir(cwd)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        // No display: a launch that tried to open a window would fail.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_second_launch_hands_its_file_to_the_open_window_and_exits() {
    let bus = Bus::start();
    let profile = tempfile::tempdir().unwrap();
    let paths = Paths::profile(profile.path());
    let Claim::First(mut first) = claim_on(Some(&bus.address), &paths, &[]) else {
        panic!("the first launch found another window")
    };
    let mut requests = first.requests().unwrap();

    // As the file manager runs it: `convene open FILE` (a relative path).
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("team.ics"), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").unwrap();
    let out = second_launch(&bus, profile.path(), &["open", "team.ics"], folder.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let got = tokio::time::timeout(Duration::from_secs(10), requests.recv()).await.unwrap();
    let want: PathBuf = std::fs::canonicalize(folder.path().join("team.ics")).unwrap();
    match got {
        Some(Request::Open(files)) => {
            let files: Vec<PathBuf> = files.iter().map(|f| std::fs::canonicalize(f).unwrap()).collect();
            assert_eq!(files, vec![want]);
        }
        other => panic!("want the file, got {other:?}"),
    }

    // `convene` alone brings the window to the front.
    let out = second_launch(&bus, profile.path(), &[], folder.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let got = tokio::time::timeout(Duration::from_secs(10), requests.recv()).await.unwrap();
    assert_eq!(got, Some(Request::Activate));

    // Another profile is another window: its launch is not handed over
    // (and, without a display here, fails saying so).
    let other = tempfile::tempdir().unwrap();
    let out = second_launch(&bus, other.path(), &[], folder.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no display"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(first);
}
