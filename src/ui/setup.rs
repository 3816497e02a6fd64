//! Adding an account: server (or just the domain), user, password.
//! Discovery runs in a Task with visible progress; errors say what went
//! wrong in plain words and keep what was typed.

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Element, Fill, Task};

use crate::account::{self, AccountError, Accounts};
use crate::caldav::{self, Client, ClientConfig, Error, Password};
use crate::config::{Account, Config};
use crate::paths::Paths;

#[derive(Clone, Default)]
pub struct Form {
    pub url: String,
    pub user: String,
    pub password: String,
    pub ca_file: String,
    pub state: State,
}

#[derive(Debug, Clone, Default)]
pub enum State {
    #[default]
    Editing,
    Connecting,
    Failed(String),
    /// Connected, but no keyring: the person may keep the password for
    /// this session only.
    NoKeyring {
        account: Box<Account>,
        password: Password,
        problem: String,
    },
}

#[derive(Clone)]
pub enum Message {
    UrlChanged(String),
    UserChanged(String),
    PasswordChanged(String),
    CaFileChanged(String),
    Connect,
    Done(Result<Box<Added>, String>),
    KeepForSession,
}

/// The typed password never appears in Debug output.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("state", &self.state)
            .finish()
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::PasswordChanged(_) => f.write_str("PasswordChanged(***)"),
            Message::UrlChanged(v) => write!(f, "UrlChanged({v:?})"),
            Message::UserChanged(v) => write!(f, "UserChanged({v:?})"),
            Message::CaFileChanged(v) => write!(f, "CaFileChanged({v:?})"),
            Message::Connect => f.write_str("Connect"),
            Message::Done(r) => write!(f, "Done({})", if r.is_ok() { "ok" } else { "error" }),
            Message::KeepForSession => f.write_str("KeepForSession"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Added {
    pub account: Account,
    pub password: Password,
    pub keyring_problem: Option<String>,
    pub calendars: usize,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub user: String,
    pub password: Password,
    pub ca_file: Option<std::path::PathBuf>,
}

/// What the app must do after a form message.
pub enum Event {
    Connect(Request),
    Added(Box<Account>, Password),
}

impl Form {
    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        (Task::none(), self.event(m))
    }

    fn event(&mut self, m: Message) -> Option<Event> {
        match m {
            Message::UrlChanged(v) => self.url = v,
            Message::UserChanged(v) => self.user = v,
            Message::PasswordChanged(v) => self.password = v,
            Message::CaFileChanged(v) => self.ca_file = v,
            Message::Connect => {
                if self.url.trim().is_empty() || self.user.trim().is_empty() || self.password.is_empty() {
                    self.state =
                        State::Failed("Fill in the server, your user name and your password.".into());
                    return None;
                }
                self.state = State::Connecting;
                return Some(Event::Connect(Request {
                    url: self.url.trim().to_owned(),
                    user: self.user.trim().to_owned(),
                    password: Password::new(self.password.clone()),
                    ca_file: Some(self.ca_file.trim()).filter(|c| !c.is_empty()).map(Into::into),
                }));
            }
            Message::Done(Ok(added)) => match added.keyring_problem {
                Some(problem) => {
                    self.state = State::NoKeyring {
                        account: Box::new(added.account),
                        password: added.password,
                        problem,
                    }
                }
                None => return Some(Event::Added(Box::new(added.account), added.password)),
            },
            Message::Done(Err(e)) => self.state = State::Failed(e),
            Message::KeepForSession => {
                if let State::NoKeyring { account, password, .. } = std::mem::take(&mut self.state) {
                    return Some(Event::Added(account, password));
                }
            }
        }
        None
    }

    pub fn view(&self) -> Element<'_, Message> {
        let busy = matches!(self.state, State::Connecting);
        let input = |placeholder: &str, value: &str, id: &'static str, on: fn(String) -> Message| {
            let t = text_input(placeholder, value).id(id).padding(8);
            if busy { t } else { t.on_input(on).on_submit(Message::Connect) }
        };
        let status: Element<'_, Message> = match &self.state {
            State::Editing => text("").into(),
            State::Connecting => text("Connecting… looking for your calendars").into(),
            State::Failed(e) => container(text(e.clone()))
                .id("setup-error")
                .padding(8)
                .style(container::danger)
                .width(Fill)
                .into(),
            State::NoKeyring { problem, .. } => column![
                text(format!("Connected, but there is no keyring service to keep your password: {problem}")),
                container(
                    button(text("Keep the password for this session only")).on_press(Message::KeepForSession)
                )
                .id("setup-session"),
            ]
            .spacing(6)
            .into(),
        };
        let connect = button(text(if busy { "Connecting…" } else { "Connect" })).style(button::primary);
        let connect = if busy { connect } else { connect.on_press(Message::Connect) };
        container(
            column![
                text("Add a CalDAV account").size(22),
                text("Your calendar server's address, or just your domain (e.g. example.com)."),
                input("https://calendar.example.com/", &self.url, "setup-url", Message::UrlChanged),
                input("User name", &self.user, "setup-user", Message::UserChanged),
                input("Password", &self.password, "setup-password", Message::PasswordChanged).secure(true),
                input(
                    "Extra CA or certificate file to trust (optional, self-hosted servers)",
                    &self.ca_file,
                    "setup-ca",
                    Message::CaFileChanged
                ),
                row![container(connect).id("setup-connect")],
                status,
            ]
            .spacing(10)
            .max_width(560),
        )
        .padding(20)
        .into()
    }
}

/// Plain words for what went wrong.
pub fn explain(e: &Error) -> String {
    match e {
        Error::Unauthorized => "Wrong user name or password.".into(),
        Error::Tls(d) => format!(
            "The server's certificate is not trusted (TLS problem). If it is your own server, name its CA file. Details: {d}"
        ),
        Error::Connection(d) => {
            format!("The server can't be reached. Check the address and your connection. Details: {d}")
        }
        Error::Timeout => "The server did not answer in time.".into(),
        Error::InsecureUrl(_)
        | Error::InvalidUrl(_)
        | Error::CaFile(_)
        | Error::CrossOriginRedirect { .. } => e.to_string(),
        Error::Malformed(_) | Error::NotFound(_) | Error::UnexpectedStatus { .. } => {
            format!("This doesn't look like a CalDAV server ({e}).")
        }
        other => other.to_string(),
    }
}

/// Refuses, before connecting, the name an account from this form would
/// get when an account has it already.
pub fn check_name(config: &Config, r: &Request) -> Result<(), String> {
    let Ok(url) = caldav::parse_server_url(&r.url) else { return Ok(()) };
    account::check_name_free(config, &account::default_name(&r.user, &url)).map_err(|e| e.to_string())
}

/// Discovers the account, keeps the password in the keyring and saves the
/// account in the config. Runs in a Task, never in `update`.
pub async fn connect(paths: Paths, r: Request) -> Result<Box<Added>, String> {
    let url = caldav::parse_server_url(&r.url).map_err(|e| explain(&e))?;
    let account = Account {
        name: account::default_name(&r.user, &url),
        url: url.clone(),
        user: r.user.clone(),
        ca_file: r.ca_file.clone(),
        allow_insecure_http: false,
        password_command: None,
        aliases: Vec::new(),
    };
    let accounts = Accounts::new(paths);
    let check = (accounts.clone(), account.name.clone());
    tokio::task::spawn_blocking(move || check.0.check_name_free(&check.1))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let mut cfg = ClientConfig::new(url, &r.user, r.password.clone());
    cfg.ca_file = r.ca_file.clone();
    let client = Client::new(cfg).map_err(|e| explain(&e))?;
    let found = caldav::discover(&client).await.map_err(|e| explain(&e))?;
    let (password, to_save) = (r.password.clone(), account.clone());
    let keyring_problem = tokio::task::spawn_blocking(move || -> Result<Option<String>, AccountError> {
        match accounts.add(to_save.clone(), Some(&password)) {
            Ok(()) => Ok(None),
            // No keyring: the account is saved all the same, and the person
            // may keep the password for this session only.
            Err(AccountError::Keyring(problem)) => {
                accounts.add(to_save, None)?;
                Ok(Some(problem.to_string()))
            }
            Err(e) => Err(e),
        }
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok(Box::new(Added { account, password: r.password, keyring_problem, calendars: found.calendars.len() }))
}
