//! The command line: the engine's scriptable face.

mod account;
mod check_server;
mod event;
mod import;
mod mailed;
mod remove;
pub mod replies;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::caldav::{ClientConfig, Password};
use crate::paths::Paths;

#[derive(Debug, Parser)]
#[command(name = "convene", version, about = "Answer CalDAV invitations without losing anybody's change")]
pub struct Cli {
    /// Keep all config, cache and state in DIR instead of the usual places.
    #[arg(long, global = true, value_name = "DIR")]
    pub profile: Option<PathBuf>,
    /// Start in the tray without opening the window (what "Start at
    /// login" runs); the window opens where no tray shows Convene. Does
    /// nothing when Convene already runs for the profile.
    #[arg(long)]
    pub background: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Discover a server and print what it can be relied on for.
    CheckServer(check_server::CheckServer),
    /// Manage accounts.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Fetch what changed and send waiting answers. Exit 5: some calendars
    /// could not be synced (printed with the reason; the others were).
    Sync(replies::SyncArgs),
    /// List invitations (pending first) from the local cache.
    Invitations {
        #[command(flatten)]
        account: replies::AccountArg,
        #[arg(long)]
        json: bool,
    },
    /// Answer an invitation. Exit 0: sent; 3: the organizer changed the
    /// event and you must decide (see --resend); 75: saved, not sent yet.
    Reply(replies::ReplyArgs),
    /// Remove an invitation its organizer cancelled from your calendar,
    /// without a decline going to the organizer. Exit 0: gone; 75: saved,
    /// not sent yet (offline); 1: refused (not cancelled…) or failed.
    Remove(remove::RemoveArgs),
    /// Act on an .ics file that came by mail: answer an invitation
    /// (METHOD:REQUEST; added to --calendar when it is not on the server,
    /// the server telling nobody, and a reply file written for the
    /// organizer), mark a cancelled one (CANCEL), or record an attendee's
    /// answer (REPLY). Exit 0: done; 3: the organizer changed it (see
    /// `reply --resend`); 75: saved, not sent yet; 1: refused or failed.
    InvitationFile(mailed::MailedArgs),
    /// Create, change, cancel or delete events you organize. Exit 0: done;
    /// 3: the same thing changed on the server (see `event edit --resend`);
    /// 75: saved, not sent yet (offline).
    #[command(subcommand)]
    Event(event::EventCommand),
    /// Import .ics files into a calendar, choosing who gets notified. Exit
    /// 4: some entries were not imported (the report says which).
    Import(import::ImportArgs),
    /// Show answers not yet on the server.
    Outbox(replies::OutboxArgs),
    /// Print the known-server compatibility table (Markdown).
    CompatTable,
    /// Open the window with .ics files (what the desktop entry and the
    /// Windows file association run): an invitation, cancellation or answer
    /// by mail is acted on, any other file imported.
    Open {
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// How to reach a server, shared by commands that connect.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Server URL, or just the domain (RFC 6764 discovery).
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub user: String,
    /// Command that prints the password (instead of the keyring or a prompt).
    #[arg(long, value_name = "CMD")]
    pub password_command: Option<String>,
    /// Extra CA or certificate file to trust (self-hosted servers).
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,
    /// Allow plain http:// to a host that is not this machine.
    #[arg(long)]
    pub allow_insecure_http: bool,
}

impl ServerArgs {
    pub fn url(&self) -> anyhow::Result<url::Url> {
        Ok(crate::caldav::parse_server_url(&self.url)?)
    }

    pub fn client_config(&self, password: Password) -> anyhow::Result<ClientConfig> {
        let mut cfg = ClientConfig::new(self.url()?, &self.user, password);
        cfg.ca_file = self.ca_file.clone();
        cfg.allow_insecure_http = self.allow_insecure_http;
        Ok(cfg)
    }
}

/// Password order: the command if given, then the keyring, then a prompt
/// when a person is at the terminal.
pub fn obtain_password(command: Option<&str>, user: &str, url: &url::Url) -> anyhow::Result<Password> {
    use crate::secret::{self, SecretError};
    if let Some(cmd) = command {
        return Ok(secret::from_command(cmd)?);
    }
    let keyring_problem = match secret::from_keyring(user, url) {
        Ok(p) => return Ok(p),
        Err(e @ (SecretError::NotStored(_) | SecretError::NoKeyring(_) | SecretError::Keyring(_))) => e,
        Err(e) => return Err(e.into()),
    };
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let p = rpassword::prompt_password(format!("Password for {user} at {url}: "))?;
        return Ok(Password::new(p));
    }
    anyhow::bail!("no password: {keyring_problem}; pass --password-command CMD or run in a terminal")
}

pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let paths = Paths::resolve(cli.profile.as_deref())?;
    if cli.background && cli.command.is_some() {
        anyhow::bail!("--background starts the app in the tray: it goes without a command");
    }
    match cli.command {
        Some(Command::CheckServer(c)) => runtime()?.block_on(c.run()),
        Some(Command::Account(c)) => runtime()?.block_on(c.run(&paths)),
        Some(Command::Sync(a)) => runtime()?.block_on(replies::sync(&paths, a)),
        Some(Command::Invitations { account, json }) => replies::invitations(&paths, account, json),
        Some(Command::Reply(args)) => runtime()?.block_on(replies::reply(&paths, args)),
        Some(Command::Remove(a)) => runtime()?.block_on(remove::run(&paths, a)),
        Some(Command::InvitationFile(a)) => runtime()?.block_on(mailed::run(&paths, a)),
        Some(Command::Event(c)) => runtime()?.block_on(event::run(&paths, c)),
        Some(Command::Outbox(args)) => replies::outbox(&paths, args),
        Some(Command::Import(args)) => runtime()?.block_on(import::run(&paths, args)),
        Some(Command::CompatTable) => {
            print!("{}", crate::caldav::quirks::markdown_table());
            Ok(0)
        }
        Some(Command::Open { files }) => open_window(paths, files, false),
        None => open_window(paths, Vec::new(), cli.background),
    }
}

/// The desktop app. Without a display winit would panic; say so instead.
fn open_window(paths: Paths, files: Vec<PathBuf>, background: bool) -> anyhow::Result<i32> {
    // A window already open for this profile takes the files instead
    // (that needs no display here).
    let claim = match background {
        true => crate::ui::instance::claim_quietly(&paths),
        false => crate::ui::instance::claim(&paths, &files),
    };
    let crate::ui::instance::Claim::First(instance) = claim else {
        return Ok(0);
    };
    let has_display =
        ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if cfg!(all(unix, not(target_os = "macos"))) && !has_display {
        anyhow::bail!(
            "no display: the window needs X11 or Wayland (DISPLAY/WAYLAND_DISPLAY); see `convene --help` for commands"
        );
    }
    match crate::ui::run(paths, files, background, instance) {
        Ok(()) => Ok(0),
        Err(e) => anyhow::bail!("the window could not open: {e}"),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
