//! The desktop app (iced, Elm-style). `App` is a router: each sub-screen
//! (invitations, calendar, event editor, merge dialog, import wizard,
//! invitation by mail, setup form, accounts page) owns its state and messages; its `update` returns a Task
//! of its own messages and, when the app must act, an Event; its `view`
//! takes only the data it reads. The app maps their messages and Tasks,
//! acts on their Events, and alone talks to the per-account sync actors.
//! All network and disk work happens in those actors or in Tasks; `update`
//! and `view` only change and show state.

mod accounts;
mod actors;
mod agenda;
pub mod calendar;
mod calendar_list;
mod chrome;
pub mod colour;
pub mod conflict;
pub mod connection;
pub mod details;
mod drag;
mod editing;
pub mod editor;
mod event;
pub mod format;
pub mod import;
pub mod instance;
pub mod invitations;
mod keys;
mod links;
pub mod mailed;
pub mod merge;
mod minimonth;
mod monthgrid;
mod notify;
mod opening;
mod reminders;
mod route;
pub mod setup;
mod state;
mod style;
mod timegrid;
mod tray;
mod window;

use std::collections::BTreeSet;

use iced::widget::{column, container, stack, text};
use iced::{Element, Subscription, Task, Theme, keyboard};

use crate::caldav::Password;
use crate::config::{Account, Config};
use crate::paths::Paths;
use crate::sync::{Control, Listing, ReplyState};

pub use state::{AccountState, Banner, Key, Scope, Screen, Status, listing, listings};
pub use window::run;

/// The app's own messages, and each sub-screen's wrapped for routing.
#[derive(Debug, Clone)]
pub enum Message {
    PasswordsLoaded(Vec<(String, Result<Password, String>)>),
    Account(String, connection::Event),
    Show(Screen),
    SyncNow,
    DismissBanner(u64),
    /// A background task finished (saving settings, opening a link…).
    TaskDone(Result<(), String>),
    /// The autostart entry written or removed: whether it is on now.
    StartAtLogin(Result<bool, String>),
    /// A later launch asked this window to come to the front, or to open files.
    Instance(instance::Request),
    Key(keyboard::Event),
    ThemeChanged(iced::theme::Mode),
    Invitations(invitations::Message),
    Calendar(calendar::Message),
    Details(details::Message),
    Editor(editor::Message),
    Conflict(conflict::Message),
    Merge(merge::Message),
    Setup(setup::Message),
    Accounts(accounts::Message),
    Import(import::Message),
    /// Files opened (a drop, `convene open`, the import wizard), read.
    Opened(Vec<(std::path::PathBuf, Option<String>)>),
    Mailed(mailed::Message),
    /// The desktop notifications' service (reminders, invitations).
    Notices(notify::Event),
    /// A missed reminder snoozed or dismissed in the app's list.
    Reminder(crate::reminder::RingKey, String),
    /// The list of missed reminders shown or closed.
    MissedPanel(bool),
    /// The window's close button (or the window manager) asked to close.
    CloseRequested(iced::window::Id),
    /// A window is gone.
    WindowClosed(iced::window::Id),
    /// The tray icon's subscription.
    Tray(tray::Event),
    /// Started in the background: the time given the tray to show up is over.
    TrayWaitOver,
}

pub struct App {
    pub paths: Paths,
    pub config: Config,
    pub accounts: Vec<AccountState>,
    pub screen: Screen,
    pub invitations: invitations::Page,
    pub calendar: calendar::Page,
    /// An event's details, over the calendar.
    pub details: Option<details::Details>,
    /// The event editor (or a move's question), over the calendar.
    pub editor: Option<editor::Editor>,
    /// A change of the person's met another made elsewhere: they decide.
    pub conflict: Option<conflict::Dialog>,
    pub merge: Option<merge::Dialog>,
    pub import: Option<import::Wizard>,
    /// "Invitation by mail", over the page.
    pub mailed: Option<mailed::Panel>,
    /// Mailed files opened before any account said what it holds.
    waiting_mail: Vec<(std::path::PathBuf, String)>,
    pub setup: setup::Form,
    pub accounts_page: accounts::Page,
    pub banners: Vec<Banner>,
    next_banner: u64,
    pub dark: bool,
    /// `GTK_THEME=…:dark` or `…:light` chose the theme, as it does for GTK
    /// apps: the desktop's setting is not followed then.
    theme_pinned: bool,
    /// Invitations already seen, so only new ones are announced…
    known: BTreeSet<Key>,
    /// …after each account's first list (which is not news).
    listed: BTreeSet<String>,
    /// Conflicts whose dialog the person closed ("decide later").
    postponed: BTreeSet<Key>,
    /// The notification service's inbox, once it runs…
    notices: Option<tokio::sync::mpsc::Sender<crate::notices::In>>,
    /// …and the accounts' reminders that came before it did.
    reminder_events: Vec<crate::notices::In>,
    /// Reminders past their time and not dismissed.
    pub missed: Vec<crate::reminder::Ring>,
    pub missed_open: bool,
    /// Whether Convene starts at login (its autostart entry is there);
    /// None where that is not offered.
    pub start_at_login: Option<bool>,
    /// The window, while it is open (closed, Convene may run in the tray).
    pub window: Option<iced::window::Id>,
    tray: tray::Link,
    /// Started in the background and still giving the tray time to show
    /// up (at login the panel may start after Convene).
    awaiting_tray: bool,
}

impl App {
    /// The app for a config already read from disk.
    pub fn new(paths: Paths, config: Config) -> Self {
        let accounts = config.accounts.iter().map(|a| AccountState::new(a.clone(), None)).collect::<Vec<_>>();
        let screen = if accounts.is_empty() { Screen::AddAccount } else { Screen::Invitations };
        let calendar = calendar::Page::from_settings(&config.calendar);
        App {
            paths,
            config,
            accounts,
            screen,
            invitations: invitations::Page::default(),
            calendar,
            details: None,
            editor: None,
            conflict: None,
            merge: None,
            import: None,
            mailed: None,
            waiting_mail: Vec::new(),
            setup: setup::Form::default(),
            accounts_page: accounts::Page::default(),
            banners: Vec::new(),
            next_banner: 0,
            dark: false,
            theme_pinned: false,
            known: BTreeSet::new(),
            listed: BTreeSet::new(),
            postponed: BTreeSet::new(),
            notices: None,
            reminder_events: Vec::new(),
            missed: Vec::new(),
            missed_open: false,
            start_at_login: None,
            window: None,
            tray: tray::Link::default(),
            awaiting_tray: false,
        }
    }

    /// Boot: read the config, then fetch passwords off the UI thread.
    pub fn boot(paths: Paths, files: &[std::path::PathBuf]) -> (Self, Task<Message>) {
        let config = match Config::load(&paths.config_file()) {
            Ok(c) => c,
            Err(e) => {
                let mut app = App::new(paths, Config::default());
                app.banner(format!("{e:#}"));
                return (app, Task::none());
            }
        };
        let mut app = App::new(paths, config);
        app.start_at_login = crate::autostart::Autostart::here(&app.paths).map(|a| a.is_on());
        if let Some(dark) = std::env::var("GTK_THEME").ok().as_deref().and_then(pinned_dark) {
            (app.dark, app.theme_pinned) = (dark, true);
        }
        let import = if files.is_empty() {
            Task::none()
        } else {
            app.import_message(import::Message::Add(files.to_vec()))
        };
        let accounts = app.config.accounts.clone();
        let theme = iced::system::theme().map(Message::ThemeChanged);
        (app, Task::batch([Task::perform(load_passwords(accounts), Message::PasswordsLoaded), theme, import]))
    }

    pub fn banner(&mut self, text: impl Into<String>) {
        self.next_banner += 1;
        self.banners.push(Banner { id: self.next_banner, text: text.into() });
    }

    pub fn account(&self, name: &str) -> Option<&AccountState> {
        self.accounts.iter().find(|a| a.account.name == name)
    }

    fn account_mut(&mut self, name: &str) -> Option<&mut AccountState> {
        self.accounts.iter_mut().find(|a| a.account.name == name)
    }

    /// All invitations, across accounts, in list order (pending first).
    pub fn listings(&self) -> Vec<(&str, &Listing)> {
        listings(&self.accounts)
    }

    pub fn listing(&self, key: &Key) -> Option<&Listing> {
        listing(&self.accounts, key)
    }

    /// Invitations waiting for an answer (the badge).
    pub fn pending_count(&self) -> usize {
        // Counted unsorted: this runs after every message, for the tray.
        self.accounts
            .iter()
            .flat_map(|a| &a.invitations)
            .filter(|l| l.invitation.is_pending() && l.reply == ReplyState::None)
            .count()
    }

    /// Handles `message`, then shows the count of invitations waiting on
    /// the tray icon.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        let task = self.handle(message);
        self.tray.show(self.pending_count());
        task
    }

    /// Routes each message to its sub-screen (see `route`) or handles it here.
    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::PasswordsLoaded(list) => self.passwords_loaded(list),
            Message::Account(name, event) => return self.account_event(&name, event),
            Message::Show(screen) => {
                self.screen = screen;
                if screen == Screen::Calendar {
                    return self.calendar.opened();
                }
            }
            Message::SyncNow => self.sync_now(),
            Message::DismissBanner(id) => self.banners.retain(|b| b.id != id),
            Message::TaskDone(r) => self.task_done(r),
            Message::StartAtLogin(r) => match r {
                Ok(on) => self.start_at_login = Some(on),
                Err(e) => self.banner(e),
            },
            Message::Instance(request) => return self.instance_request(request),
            Message::Key(event) => return self.key(event),
            Message::ThemeChanged(mode) if !self.theme_pinned => self.dark = mode == iced::theme::Mode::Dark,
            Message::ThemeChanged(_) => {}
            Message::Invitations(m) => return self.invitations_message(m),
            Message::Calendar(m) => return self.calendar_message(m),
            Message::Details(m) => return self.details_message(m),
            Message::Editor(m) => return self.editor_message(m),
            Message::Conflict(m) => return self.conflict_message(m),
            Message::Merge(m) => return self.merge_message(m),
            Message::Setup(m) => return self.setup_message(m),
            Message::Accounts(m) => return self.accounts_message(m),
            Message::Import(m) => return self.import_message(m),
            Message::Opened(files) => return self.opened(files),
            Message::Mailed(m) => return self.mailed_message(m),
            Message::Notices(e) => return self.notices_event(e),
            Message::Reminder(key, action) => self.tell_notices(reminders::answered(key, action)),
            Message::MissedPanel(open) => self.missed_open = open,
            Message::CloseRequested(id) => return self.close_requested(id),
            Message::WindowClosed(id) => return self.window_closed(id),
            Message::Tray(e) => return self.tray_event(e),
            Message::TrayWaitOver => return self.tray_wait_over(),
        }
        Task::none()
    }

    fn setup_message(&mut self, m: setup::Message) -> Task<Message> {
        let (task, event) = self.setup.update(m);
        let task = task.map(Message::Setup);
        match event {
            Some(event) => Task::batch([task, self.setup_event(event)]),
            None => task,
        }
    }

    fn setup_event(&mut self, event: setup::Event) -> Task<Message> {
        match event {
            setup::Event::Connect(request) => {
                if let Err(e) = setup::check_name(&self.config, &request) {
                    self.setup.state = setup::State::Failed(e);
                    return Task::none();
                }
                Task::perform(setup::connect(self.paths.clone(), request), |r| {
                    Message::Setup(setup::Message::Done(r))
                })
            }
            setup::Event::Added(account, password) => {
                self.add_account(*account, password);
                Task::none()
            }
        }
    }

    /// A newly added account starts syncing at once (its subscription).
    pub fn add_account(&mut self, account: Account, password: Password) {
        if let Err(e) = crate::account::check_name_free(&self.config, &account.name) {
            self.setup.state = setup::State::Failed(e.to_string());
            return;
        }
        self.config.accounts.push(account.clone());
        self.accounts.push(AccountState::new(account, Some(password)));
        self.setup = setup::Form::default();
        self.screen = Screen::Invitations;
    }

    fn accounts_message(&mut self, m: accounts::Message) -> Task<Message> {
        let (task, event) = self.accounts_page.update(m);
        let task = task.map(Message::Accounts);
        match event {
            Some(event) => Task::batch([task, self.accounts_event(event)]),
            None => task,
        }
    }

    fn accounts_event(&mut self, event: accounts::Event) -> Task<Message> {
        match event {
            accounts::Event::AddAccount => {
                self.screen = Screen::AddAccount;
                Task::none()
            }
            accounts::Event::DefaultReminder(minutes) => {
                self.config.reminders.default_before = minutes;
                self.tell_notices(self.reminder_settings());
                Task::perform(accounts::save_default_reminder(self.paths.clone(), minutes), Message::TaskDone)
            }
            accounts::Event::StartAtLogin(on) => {
                Task::perform(accounts::set_start_at_login(self.paths.clone(), on), Message::StartAtLogin)
            }
            accounts::Event::CloseToTray(on) => {
                self.config.window.close_to_tray = on;
                if !on {
                    self.tray.closed();
                }
                Task::perform(accounts::save_close_to_tray(self.paths.clone(), on), Message::TaskDone)
            }
            accounts::Event::InvitationLeads(leads) => {
                self.config.reminders.invitation_before = leads.clone();
                self.tell_notices(self.reminder_settings());
                Task::perform(accounts::save_invitation_leads(self.paths.clone(), leads), Message::TaskDone)
            }
            accounts::Event::AddAlias(name, alias) => {
                if crate::account::add_alias_to(&mut self.config, &name, &alias).is_err() {
                    return Task::none();
                }
                self.save_config(accounts::add_alias(self.paths.clone(), name, alias))
            }
            accounts::Event::RemoveAlias(name, alias) => {
                if crate::account::remove_alias_from(&mut self.config, &name, &alias).is_err() {
                    return Task::none();
                }
                self.save_config(accounts::remove_alias(self.paths.clone(), name, alias))
            }
            accounts::Event::Remove(name) => {
                if let Some(a) = self.account(&name).and_then(|a| a.control.clone()) {
                    let _ = a.try_send(Control::Shutdown);
                }
                let known = self.config.accounts.iter().any(|a| a.name == name);
                self.config.accounts.retain(|a| a.name != name);
                self.accounts.retain(|a| a.account.name != name);
                if !known {
                    return Task::none();
                }
                self.save_config(accounts::remove(self.paths.clone(), name))
            }
        }
    }

    /// Shows the changed config at once; `save` writes it (through the
    /// account service) in a Task.
    fn save_config(
        &mut self,
        save: impl std::future::Future<Output = Result<(), String>> + Send + 'static,
    ) -> Task<Message> {
        for a in &mut self.accounts {
            if let Some(c) = self.config.accounts.iter().find(|c| c.name == a.account.name) {
                a.account = c.clone();
            }
        }
        Task::perform(save, Message::TaskDone)
    }

    fn task_done(&mut self, r: Result<(), String>) {
        if let Err(e) = r {
            self.banner(e);
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs: Vec<Subscription<Message>> = self
            .accounts
            .iter()
            .filter_map(|a| {
                let password = a.password.clone()?;
                let c = connection::Connection {
                    paths: self.paths.clone(),
                    account: a.account.clone(),
                    password,
                };
                Some(connection::subscription(c).map(|(name, event)| Message::Account(name, event)))
            })
            .collect();
        subs.push(keyboard::listen().map(Message::Key));
        subs.push(iced::event::listen_with(|event, _, _| match event {
            iced::Event::Window(iced::window::Event::FileDropped(path)) => {
                Some(Message::Import(import::Message::Add(vec![path])))
            }
            _ => None,
        }));
        subs.push(iced::system::theme_changes().map(Message::ThemeChanged));
        subs.push(notify::subscription().map(Message::Notices));
        subs.push(iced::window::close_requests().map(Message::CloseRequested));
        subs.push(iced::window::close_events().map(Message::WindowClosed));
        if self.config.window.close_to_tray {
            subs.push(tray::subscription().map(Message::Tray));
        }
        if self.screen == Screen::Calendar {
            subs.push(self.calendar.subscription().map(Message::Calendar));
        }
        Subscription::batch(subs)
    }

    pub fn theme(&self) -> Theme {
        if self.dark { Theme::Dark } else { Theme::Light }
    }

    pub fn title(&self) -> String {
        match self.pending_count() {
            0 => "Convene".into(),
            n => format!("Convene ({n})"),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let accounts = &self.accounts;
        let body: Element<'_, Message> = match self.screen {
            Screen::Invitations => self
                .invitations
                .view(accounts, style::link(self.dark), &self.calendar.hidden)
                .map(Message::Invitations),
            Screen::Calendar => self.calendar.view(accounts).map(Message::Calendar),
            Screen::Accounts => self
                .accounts_page
                .view(accounts, &self.config.reminders, self.desktop_settings())
                .map(Message::Accounts),
            Screen::AddAccount => self.setup.view().map(Message::Setup),
            Screen::Import => match &self.import {
                Some(wizard) => wizard.view(accounts).map(Message::Import),
                None => text("").into(),
            },
        };
        // Over a dialog, the banners go on top so what went wrong (a link
        // that would not open…) is seen.
        // Without banners there is no row for them either: the page must
        // not move when a dialog opens over it and they go on top.
        let editing = self.editor.as_ref().filter(|e| e.shows_form() || e.asking.is_some());
        let missed = self.missed_open && !self.missed.is_empty();
        let dialog = self.details.is_some()
            || self.merge.is_some()
            || editing.is_some()
            || self.conflict.is_some()
            || self.mailed.is_some()
            || missed;
        let banners = || self.banners_view();
        let mut base = column![self.header()];
        if !dialog && !self.banners.is_empty() {
            base = base.push(banners());
        }
        let mut layers = stack![base.push(body).spacing(style::SPACE_M).padding(style::SPACE_L)];
        if let Some(d) = &self.details {
            let view = d.view(accounts, &self.invitations, style::link(self.dark), &self.calendar.hidden);
            layers = layers.push(style::modal(view.map(Message::Details)));
        }
        if let Some(e) = editing {
            layers = layers.push(style::modal(e.view().map(Message::Editor)));
        }
        if let Some(p) = &self.mailed {
            layers = layers.push(style::modal(p.view().map(Message::Mailed)));
        }
        if let Some(c) = &self.conflict {
            layers = layers.push(style::modal(c.view().map(Message::Conflict)));
        }
        // The merge dialog goes over the details it may be opened from.
        if let Some(dialog) = &self.merge {
            layers = layers.push(style::modal(dialog.view().map(Message::Merge)));
        }
        if missed {
            layers = layers.push(style::modal(self.missed_view()));
        }
        if dialog {
            layers = layers.push(container(banners()).padding(12));
        }
        layers.into()
    }

    fn desktop_settings(&self) -> accounts::Desktop {
        accounts::Desktop {
            start_at_login: self.start_at_login,
            close_to_tray: cfg!(target_os = "linux")
                .then_some((self.config.window.close_to_tray, self.tray.shown)),
        }
    }
}

/// The variant a `GTK_THEME` value asks for ("Adwaita:dark"), if any.
fn pinned_dark(gtk_theme: &str) -> Option<bool> {
    match gtk_theme.rsplit_once(':')?.1 {
        "dark" => Some(true),
        "light" => Some(false),
        _ => None,
    }
}

async fn load_passwords(accounts: Vec<Account>) -> Vec<(String, Result<Password, String>)> {
    tokio::task::spawn_blocking(move || {
        accounts
            .into_iter()
            .map(|a| {
                let r = match &a.password_command {
                    Some(cmd) => crate::secret::from_command(cmd),
                    None => crate::secret::from_keyring(&a.user, &a.url),
                };
                (a.name, r.map_err(|e| e.to_string()))
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

fn open_link(url: String) -> Task<Message> {
    Task::perform(
        async move {
            let opener = if cfg!(windows) { "explorer" } else { "xdg-open" };
            tokio::process::Command::new(opener)
                .arg(&url)
                .spawn()
                .map(|_| ())
                .map_err(|e| format!("can't open {url}: {e}"))
        },
        Message::TaskDone,
    )
}
