//! The desktop app (iced, Elm-style): state, messages, `update`, `view`.
//! All network and disk work happens in the per-account sync actors or in
//! Tasks; `update` and `view` only change and show state.

mod accounts;
mod actors;
pub mod calendar;
mod chrome;
pub mod connection;
pub mod format;
pub mod import;
mod invitations;
mod keys;
pub mod merge;
mod notify;
pub mod setup;
mod style;

use std::collections::BTreeSet;

use iced::widget::{column, stack};
use iced::{Element, Subscription, Task, Theme, keyboard};
use tokio::sync::mpsc;

use crate::caldav::{Calendar, Capabilities, Password};
use crate::config::{Account, Config};
use crate::ical::Answer;
use crate::paths::Paths;
use crate::sync::{AgendaItem, Control, Listing, ReplyState, Resolution};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Invitations,
    Calendar,
    Accounts,
    AddAccount,
    Import,
}

/// Answer the whole series, or one occurrence (its RECURRENCE-ID).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Occurrence(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Syncing,
    Synced(i64),
    Offline(String),
    Stopped,
}

/// Everything the UI knows about one account.
#[derive(Debug)]
pub struct AccountState {
    pub account: Account,
    pub password: Option<Password>,
    pub control: Option<mpsc::Sender<Control>>,
    pub capabilities: Option<Box<Capabilities>>,
    /// Calendars that take events, and the addresses the user may act as.
    pub calendars: Vec<Calendar>,
    pub addresses: Vec<String>,
    pub invitations: Vec<Listing>,
    pub agenda: Vec<AgendaItem>,
    pub status: Status,
    /// UIDs whose answer is on its way to the server.
    pub sending: BTreeSet<String>,
}

impl AccountState {
    fn new(account: Account, password: Option<Password>) -> Self {
        AccountState {
            account,
            password,
            control: None,
            capabilities: None,
            calendars: Vec::new(),
            addresses: Vec::new(),
            invitations: Vec::new(),
            agenda: Vec::new(),
            status: Status::Connecting,
            sending: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub id: u64,
    pub text: String,
}

/// Which invitation: account name and UID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub account: String,
    pub uid: String,
}

#[derive(Debug, Clone)]
pub enum Message {
    PasswordsLoaded(Vec<(String, Result<Password, String>)>),
    Account(String, connection::Event),
    Show(Screen),
    Select(Key),
    /// Open the merge dialog for an answer in conflict.
    Review(Key),
    Answer(Key, Answer),
    AnswerSelected(Answer),
    CommentChanged(String),
    ScopeChanged(Scope),
    SyncNow,
    Merge(merge::Message),
    DismissBanner(u64),
    Setup(setup::Message),
    Accounts(accounts::Message),
    /// A background task finished (saving settings, opening a link…).
    TaskDone(Result<(), String>),
    Key(keyboard::Event),
    ThemeChanged(iced::theme::Mode),
    OpenLink(String),
    Import(import::Message),
    CalendarMode(calendar::Mode),
    WeekShift(i64),
    Today,
}

pub struct App {
    pub paths: Paths,
    pub config: Config,
    pub accounts: Vec<AccountState>,
    pub screen: Screen,
    pub selected: Option<Key>,
    pub comment: String,
    pub scope: Scope,
    pub merge: Option<merge::Dialog>,
    pub import: Option<import::Wizard>,
    pub setup: setup::Form,
    pub accounts_page: accounts::Page,
    pub banners: Vec<Banner>,
    next_banner: u64,
    pub dark: bool,
    /// Invitations already seen, so only new ones are announced…
    known: BTreeSet<Key>,
    /// …after each account's first list (which is not news).
    listed: BTreeSet<String>,
    /// Conflicts whose dialog the person closed ("decide later").
    postponed: BTreeSet<Key>,
    pub calendar_mode: calendar::Mode,
    /// Monday of the week the calendar shows.
    pub week_start: chrono::NaiveDate,
}

impl App {
    /// The app for a config already read from disk.
    pub fn new(paths: Paths, config: Config) -> Self {
        let accounts = config.accounts.iter().map(|a| AccountState::new(a.clone(), None)).collect::<Vec<_>>();
        let screen = if accounts.is_empty() { Screen::AddAccount } else { Screen::Invitations };
        App {
            paths,
            config,
            accounts,
            screen,
            selected: None,
            comment: String::new(),
            scope: Scope::All,
            merge: None,
            import: None,
            setup: setup::Form::default(),
            accounts_page: accounts::Page::default(),
            banners: Vec::new(),
            next_banner: 0,
            dark: false,
            known: BTreeSet::new(),
            listed: BTreeSet::new(),
            postponed: BTreeSet::new(),
            calendar_mode: calendar::Mode::default(),
            week_start: calendar::week_of(chrono::Local::now().date_naive()),
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
        let import = if files.is_empty() { Task::none() } else { app.open_import(files.to_vec()) };
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
        let mut all: Vec<(&str, &Listing)> = self
            .accounts
            .iter()
            .flat_map(|a| a.invitations.iter().map(move |l| (a.account.name.as_str(), l)))
            .collect();
        all.sort_by_key(|(_, l)| l.order());
        all
    }

    pub fn listing(&self, key: &Key) -> Option<&Listing> {
        self.account(&key.account)?.invitations.iter().find(|l| l.invitation.uid == key.uid)
    }

    /// Invitations waiting for an answer (the badge).
    pub fn pending_count(&self) -> usize {
        self.listings()
            .iter()
            .filter(|(_, l)| l.invitation.is_pending() && l.reply == ReplyState::None)
            .count()
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::PasswordsLoaded(list) => self.passwords_loaded(list),
            Message::Account(name, event) => return self.account_event(&name, event),
            Message::Show(screen) => self.show(screen),
            Message::Select(key) => self.select(key),
            Message::Review(key) => self.review(key),
            Message::Answer(key, answer) => self.answer(key, answer),
            Message::AnswerSelected(answer) => self.answer_selected(answer),
            Message::CommentChanged(c) => self.comment = c,
            Message::ScopeChanged(s) => self.scope = s,
            Message::SyncNow => self.sync_now(),
            Message::Merge(m) => return self.merge_message(m),
            Message::DismissBanner(id) => self.banners.retain(|b| b.id != id),
            Message::Setup(m) => return self.setup_message(m),
            Message::Accounts(m) => return self.accounts_message(m),
            Message::Import(m) => return self.import_message(m),
            Message::TaskDone(r) => self.task_done(r),
            Message::Key(event) => return self.key(event),
            Message::ThemeChanged(mode) => self.dark = mode == iced::theme::Mode::Dark,
            Message::OpenLink(url) => return open_link(url),
            Message::CalendarMode(mode) => self.calendar_mode = mode,
            Message::WeekShift(n) => self.week_start += chrono::Duration::weeks(n),
            Message::Today => self.week_start = calendar::week_of(chrono::Local::now().date_naive()),
        }
        Task::none()
    }

    fn show(&mut self, screen: Screen) {
        self.screen = screen;
    }

    fn review(&mut self, key: Key) {
        let diff = self.listing(&key).and_then(|l| match &l.reply {
            ReplyState::Conflict { diff, .. } => Some(diff.clone()),
            _ => None,
        });
        if let Some(diff) = diff {
            self.postponed.remove(&key);
            self.merge = merge::Dialog::open(self, key, diff);
        }
    }

    fn select(&mut self, key: Key) {
        if self.selected.as_ref() != Some(&key) {
            self.comment.clear();
            self.scope = Scope::All;
        }
        self.selected = Some(key);
    }

    fn send(&mut self, account: &str, control: Control) -> bool {
        let sent = self
            .account(account)
            .and_then(|a| a.control.as_ref())
            .is_some_and(|tx| tx.try_send(control).is_ok());
        if !sent {
            self.banner(format!("{account} is not connected yet; try again in a moment."));
        }
        sent
    }

    fn answer(&mut self, key: Key, answer: Answer) {
        let selected = self.selected.as_ref() == Some(&key);
        let comment = selected.then(|| self.comment.trim().to_owned()).filter(|c| !c.is_empty());
        let occurrence = match (&self.scope, selected) {
            (Scope::Occurrence(rid), true) => Some(rid.clone()),
            _ => None,
        };
        let control = Control::Reply { uid: key.uid.clone(), answer, comment, occurrence, as_address: None };
        if self.send(&key.account, control)
            && let Some(a) = self.account_mut(&key.account)
        {
            a.sending.insert(key.uid);
        }
    }

    fn answer_selected(&mut self, answer: Answer) {
        if let Some(key) = self.selected.clone() {
            self.answer(key, answer);
        }
    }

    fn sync_now(&mut self) {
        let names: Vec<String> = self.accounts.iter().map(|a| a.account.name.clone()).collect();
        for name in names {
            self.send(&name, Control::SyncNow);
        }
    }

    fn merge_message(&mut self, m: merge::Message) -> Task<Message> {
        let Some(dialog) = self.merge.as_mut() else { return Task::none() };
        let resolution = match m {
            merge::Message::SendOnNewVersion => Resolution::SendOnNewVersion,
            merge::Message::ChangeAnswer => {
                dialog.changing = true;
                return Task::none();
            }
            merge::Message::NewAnswer(answer) => Resolution::ChangeAnswer {
                answer,
                comment: dialog.reply.as_ref().and_then(|r| r.comment.clone()),
            },
            merge::Message::Discard => Resolution::Discard,
            // Closing keeps the answer pending (the list shows the conflict).
            merge::Message::Close => {
                self.postponed.insert(dialog.key.clone());
                self.merge = None;
                return Task::none();
            }
        };
        let key = dialog.key.clone();
        self.merge = None;
        if self.send(&key.account, Control::Resolve { uid: key.uid.clone(), resolution: resolution.clone() })
            && resolution != Resolution::Discard
            && let Some(a) = self.account_mut(&key.account)
        {
            a.sending.insert(key.uid);
        }
        Task::none()
    }

    fn setup_message(&mut self, m: setup::Message) -> Task<Message> {
        match self.setup.update(m) {
            setup::Event::None => Task::none(),
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
        match self.accounts_page.update(m) {
            accounts::Event::None => Task::none(),
            accounts::Event::AddAccount => {
                self.screen = Screen::AddAccount;
                Task::none()
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
        let body: Element<'_, Message> = match self.screen {
            Screen::Invitations => invitations::view(self),
            Screen::Calendar => calendar::view(self),
            Screen::Accounts => accounts::view(self).map(Message::Accounts),
            Screen::AddAccount => self.setup.view().map(Message::Setup),
            Screen::Import => import::view(self),
        };
        let base = column![self.header(), self.banners_view(), body].spacing(8).padding(12);
        match &self.merge {
            Some(dialog) => stack![base, style::modal(dialog.view().map(Message::Merge))].into(),
            None => base.into(),
        }
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

/// Runs the window (the `convene` command without a subcommand).
pub fn run(paths: Paths, files: Vec<std::path::PathBuf>) -> iced::Result {
    let mut window = iced::window::Settings { size: iced::Size::new(1100.0, 720.0), ..Default::default() };
    #[cfg(target_os = "linux")]
    {
        window.platform_specific.application_id = crate::paths::APP_ID.into();
    }
    window.icon = style::window_icon();
    iced::application(move || App::boot(paths.clone(), &files), App::update, App::view)
        .title(App::title)
        .subscription(App::subscription)
        .theme(App::theme)
        .window(window)
        .run()
}
