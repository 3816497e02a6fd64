//! The window and the tray: opening the window (at start, or again from
//! the tray or a later launch), closing it to the tray or quitting, and
//! what the tray icon's menu asks for.

use iced::{Element, Task};

use super::{App, Message, import, instance, style, tray};
use crate::desktop::TrayAction;
use crate::paths::Paths;

/// Runs the app (the `convene` command without a subcommand) and opens
/// its window, or starts in the tray for `background`; later launches
/// reach it through `instance`. A daemon, so that closing the window can
/// leave it running in the tray.
pub fn run(
    paths: Paths,
    files: Vec<std::path::PathBuf>,
    background: bool,
    mut instance: instance::Listener,
) -> iced::Result {
    let requests = std::sync::Mutex::new(instance.requests());
    let boot = move || {
        let (mut app, task) = App::boot(paths.clone(), &files);
        let requests = requests.lock().ok().and_then(|mut r| r.take());
        let window = if background { app.start_in_background() } else { app.raise() };
        (app, Task::batch([window, task, requests.map_or_else(Task::none, listen)]))
    };
    iced::daemon(boot, App::update, App::window_view)
        .title(|app: &App, _| app.title())
        .subscription(App::subscription)
        .theme(|app: &App, _| app.theme())
        .run()
}

impl App {
    /// A later launch's request: to the front, with its files opened as
    /// opening an .ics does (an invitation by mail, else the import wizard).
    pub(super) fn instance_request(&mut self, request: instance::Request) -> Task<Message> {
        let front = self.raise();
        match request {
            instance::Request::Activate => front,
            instance::Request::Open(files) => {
                Task::batch([self.import_message(import::Message::Add(files)), front])
            }
        }
    }

    /// Brings the window to the front, opening it when it was closed to
    /// the tray (a later launch, the tray's "Open", a notification's body).
    pub fn raise(&mut self) -> Task<Message> {
        match self.window {
            Some(id) => iced::window::gain_focus(id),
            None => {
                let (id, opened) = iced::window::open(window_settings());
                self.window = Some(id);
                opened.discard()
            }
        }
    }

    /// Closing the window leaves Convene running: the setting is on and a
    /// tray shows it (else nothing would be left to reopen it from).
    pub fn runs_in_tray(&self) -> bool {
        self.config.window.close_to_tray && self.tray.shown
    }

    pub(super) fn close_requested(&mut self, id: iced::window::Id) -> Task<Message> {
        if self.runs_in_tray() { iced::window::close(id) } else { iced::exit() }
    }

    pub(super) fn window_closed(&mut self, id: iced::window::Id) -> Task<Message> {
        if self.window == Some(id) {
            self.window = None;
        }
        if self.window.is_none() && !self.runs_in_tray() { iced::exit() } else { Task::none() }
    }

    /// Started in the background (`--background`, what "Start at login"
    /// runs): no window while a tray shows Convene. The tray gets 10
    /// seconds to show up (at login the panel may start after Convene);
    /// without one by then, or with the tray setting off, the window opens,
    /// so Convene never runs out of reach.
    fn start_in_background(&mut self) -> Task<Message> {
        if !self.config.window.close_to_tray {
            return self.raise();
        }
        self.awaiting_tray = true;
        Task::perform(tokio::time::sleep(std::time::Duration::from_secs(10)), |()| Message::TrayWaitOver)
    }

    pub(super) fn tray_wait_over(&mut self) -> Task<Message> {
        self.awaiting_tray = false;
        self.unless_in_tray()
    }

    /// The window, unless it is closed to a tray that shows Convene.
    fn unless_in_tray(&mut self) -> Task<Message> {
        if self.window.is_none() && !self.runs_in_tray() { self.raise() } else { Task::none() }
    }

    pub(super) fn tray_event(&mut self, event: tray::Event) -> Task<Message> {
        let gone = matches!(event, tray::Event::Shown(false)) && !self.awaiting_tray;
        let task = match self.tray.event(event) {
            None => Task::none(),
            Some(TrayAction::Open) => self.raise(),
            Some(TrayAction::SyncNow) => {
                self.sync_now();
                Task::none()
            }
            Some(TrayAction::Quit) => return iced::exit(),
        };
        // No tray, or it went away (its panel quit), while the window was
        // closed: the window comes back rather than Convene running out of
        // reach.
        if gone {
            return Task::batch([task, self.unless_in_tray()]);
        }
        task
    }

    /// The one window's view.
    fn window_view(&self, _window: iced::window::Id) -> Element<'_, Message> {
        self.view()
    }
}

/// The window: closing it is the app's decision (see `close_requested`).
fn window_settings() -> iced::window::Settings {
    iced::window::Settings {
        size: iced::Size::new(1100.0, 720.0),
        exit_on_close_request: false,
        icon: style::window_icon(),
        #[cfg(target_os = "linux")]
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: crate::paths::APP_ID.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Later launches' requests, as messages.
fn listen(requests: tokio::sync::mpsc::UnboundedReceiver<instance::Request>) -> Task<Message> {
    let stream =
        iced::futures::stream::unfold(requests, |mut r| async move { r.recv().await.map(|x| (x, r)) });
    Task::run(stream, Message::Instance)
}
