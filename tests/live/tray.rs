//! Running in the background: the real `convene` with its window on a
//! virtual X display, its account on Cyrus, and a stand-in tray host
//! (StatusNotifierWatcher) on a private D-Bus session. The tray icon
//! counts the invitations waiting, its menu's "Sync now" syncs, closing the
//! window leaves Convene running in the tray, a notification's body, the
//! icon and a second launch reopen it, and so does the tray going away;
//! "Quit" quits. Without a tray, closing the window quits. Started as at
//! login (`--background`), it waits in the tray without a window, or opens
//! its window where there is no tray.

use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::notifications::{Bus, Notifications};
use crate::support::tray::{Display, Item, Watcher};
use crate::support::{self, Kind, Profile};

/// The app, killed if the test fails before it quits.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn launch(p: &Profile, bus: &Bus, display: &Display) -> std::process::Command {
    let mut cmd = p.command(&[]);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .env("ICED_BACKEND", "tiny-skia")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

/// Polls `check` every 200 ms until it holds, for up to `secs` seconds.
async fn until<F: std::future::Future<Output = bool>>(what: &str, secs: u64, mut check: impl FnMut() -> F) {
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(tokio::time::Instant::now() < end, "timed out ({secs} s) waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The invitations waiting for an answer on `user`'s account, as
/// `convene invitations` lists them after a sync of a fresh profile.
fn waiting_on_the_server(kind: Kind, user: &str) -> usize {
    let q = Profile::new(kind, user);
    let out = q.run(&["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = q.run(&["invitations", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rows.as_array().unwrap().iter().filter(|r| r["pending"] == true).count()
}

/// The count in the item's title, "Convene (N)"; 0 for "Convene".
fn count(title: &str) -> usize {
    match title.strip_prefix("Convene (").and_then(|t| t.strip_suffix(')')) {
        Some(n) => n.parse().unwrap_or_else(|_| panic!("title {title:?}")),
        None if title == "Convene" => 0,
        None => panic!("title {title:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn the_tray_icon_counts_invitations_syncs_reopens_the_window_and_quits() {
    let kind = Kind::Cyrus;
    let first = support::uid("tray-first");
    support::organizer_put(kind, &first, &support::invitation(&first, "Tray one", &["attendee"])).await;
    let n = waiting_on_the_server(kind, "attendee");
    assert!(n >= 1, "ours is waiting");
    let p = Profile::new(kind, "attendee");
    let display = Display::start();
    let bus = Bus::start();
    let mut watcher = Watcher::serve(&bus).await;
    let mut notifications = Notifications::serve(&bus).await;
    let mut app = App(launch(&p, &bus, &display).spawn().unwrap());

    let name = watcher.next(Duration::from_secs(30)).await.expect("the tray item registers with the watcher");
    let item = Item::at(&bus, &name).await;
    let labels: Vec<String> = item.menu().await.into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels, ["Open Convene", "Sync now", "", "Quit"]);

    // The first sync lists the account's invitations (ours among them),
    // maybe a calendar at a time: the count grows to what the server has.
    let title = format!("Convene ({n})");
    until(&title, 120, || async { count(&item.title().await) == n }).await;
    let words = if n == 1 { "1 invitation".to_owned() } else { format!("{n} invitations") };
    assert_eq!(item.tooltip().await, (title.clone(), format!("{words} waiting for an answer")));
    assert_eq!(item.status().await, "NeedsAttention");
    let (icon, attention) = (item.pixmaps("IconPixmap").await, item.pixmaps("AttentionIconPixmap").await);
    assert_eq!((icon.len(), icon[0].0, icon[0].1), (1, 256, 256), "the app's icon");
    assert_ne!(icon[0].2, attention[0].2, "the attention icon has its dot");
    until("the window", 20, || async { display.windows().len() == 1 }).await;

    // A new invitation: "Sync now" fetches it (the app's own sync is 5 minutes away).
    let second = support::uid("tray-second");
    support::organizer_put(kind, &second, &support::invitation(&second, "Tray two", &["attendee"])).await;
    item.click("Sync now").await;
    let want = format!("Convene ({})", n + 1);
    until(&want, 30, || async { item.title().await == want }).await;
    let announced = loop {
        let shown =
            notifications.next(Duration::from_secs(20)).await.expect("the new invitation's notification");
        if shown.summary == "Invitation: Tray two" {
            break shown;
        }
    };

    // Closing the window leaves Convene in the tray; a click on the
    // notification's body reopens it, and so does the icon.
    let window = display.windows().remove(0);
    display.close(&window);
    until("the window to close", 10, || async { display.windows().is_empty() }).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(app.0.try_wait().unwrap().is_none(), "Convene quit when its window closed");
    assert!(item.on_bus().await, "the tray item is gone");
    notifications.press(announced.id, "default").await;
    until("the window to reopen from the notification", 20, || async { display.windows().len() == 1 }).await;
    display.close(&display.windows().remove(0));
    until("the window to close", 10, || async { display.windows().is_empty() }).await;
    item.activate().await;
    until("the window to reopen from the icon", 20, || async { display.windows().len() == 1 }).await;

    // Closed again, a second `convene` reopens it, and exits.
    display.close(&display.windows().remove(0));
    until("the window to close", 10, || async { display.windows().is_empty() }).await;
    let out = launch(&p, &bus, &display).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    until("the window to reopen for a second launch", 20, || async { display.windows().len() == 1 }).await;
    assert!(app.0.try_wait().unwrap().is_none());

    // The tray going away with the window closed brings the window back.
    display.close(&display.windows().remove(0));
    until("the window to close", 10, || async { display.windows().is_empty() }).await;
    drop(watcher);
    until("the window to reopen when the tray went", 20, || async { display.windows().len() == 1 }).await;

    item.click("Quit").await;
    until("Convene to quit", 10, || {
        let quit = app.0.try_wait().unwrap();
        async move { quit.is_some() }
    })
    .await;
    assert!(app.0.try_wait().unwrap().unwrap().success());
    assert!(!item.on_bus().await, "the tray item left with the app");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn without_a_tray_closing_the_window_quits() {
    let p = Profile::new(Kind::Cyrus, "attendee");
    let display = Display::start();
    let bus = Bus::start();
    let mut app = App(launch(&p, &bus, &display).spawn().unwrap());
    until("the window", 30, || async { display.windows().len() == 1 }).await;
    display.close(&display.windows().remove(0));
    until("Convene to quit", 10, || {
        let quit = app.0.try_wait().unwrap();
        async move { quit.is_some() }
    })
    .await;
    assert!(app.0.try_wait().unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn started_at_login_convene_waits_in_the_tray_until_its_icon_is_clicked() {
    let kind = Kind::Cyrus;
    let uid = support::uid("tray-login");
    support::organizer_put(kind, &uid, &support::invitation(&uid, "Tray at login", &["attendee"])).await;
    let p = Profile::new(kind, "attendee");
    let display = Display::start();
    let bus = Bus::start();
    let mut watcher = Watcher::serve(&bus).await;
    let launched = tokio::time::Instant::now();
    let mut app = App(launch(&p, &bus, &display).arg("--background").spawn().unwrap());
    let name = watcher.next(Duration::from_secs(30)).await.expect("the tray item registers with the watcher");
    let item = Item::at(&bus, &name).await;
    until("the first sync's count on the icon", 120, || async { count(&item.title().await) >= 1 }).await;
    assert!(display.windows().is_empty(), "a window opened at login");
    // Past the 10 s the tray is given to show up, with the tray there,
    // still no window.
    tokio::time::sleep_until(launched + Duration::from_secs(12)).await;
    assert!(display.windows().is_empty(), "a window opened when the wait for the tray ended");
    // Another start at login (Convene already running) leaves it as it is.
    let out = launch(&p, &bus, &display).arg("--background").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(display.windows().is_empty(), "a second start at login raised the window");
    item.activate().await;
    until("the window to open from the icon", 20, || async { display.windows().len() == 1 }).await;
    item.click("Quit").await;
    until("Convene to quit", 10, || {
        let quit = app.0.try_wait().unwrap();
        async move { quit.is_some() }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn started_at_login_without_a_tray_convene_opens_its_window() {
    let p = Profile::new(Kind::Cyrus, "attendee");
    let display = Display::start();
    let bus = Bus::start();
    let _app = App(launch(&p, &bus, &display).arg("--background").spawn().unwrap());
    // After the 10 s the tray is given to show up.
    until("the window", 60, || async { display.windows().len() == 1 }).await;
}
