//! `convene account add|list|remove`.

use clap::{Args, Subcommand};

use super::{ServerArgs, obtain_password};
use crate::caldav::{self, Client};
use crate::config::{Account, Config};
use crate::paths::Paths;
use crate::secret;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Discover the server, check the login, and remember the account.
    Add(AddArgs),
    /// List the configured accounts.
    List,
    /// Forget an account and its keyring entry.
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Name for the account (default: USER@HOST).
    #[arg(long)]
    pub name: Option<String>,
    /// Another address you are invited under (repeatable).
    #[arg(long = "alias", value_name = "ADDRESS")]
    pub aliases: Vec<String>,
}

impl AccountCommand {
    pub async fn run(self, paths: &Paths) -> anyhow::Result<i32> {
        let file = paths.config_file();
        let mut config = Config::load(&file)?;
        match self {
            AccountCommand::Add(args) => {
                let url = args.server.url()?;
                let name = args.name.unwrap_or_else(|| {
                    format!("{}@{}", args.server.user, url.host_str().unwrap_or("server"))
                });
                if config.accounts.iter().any(|a| a.name == name) {
                    anyhow::bail!("an account named {name:?} exists already");
                }
                let command = args.server.password_command.clone();
                let password = obtain_password(command.as_deref(), &args.server.user, &url)?;
                let client = Client::new(args.server.client_config(password.clone())?)?;
                let found = caldav::discover(&client).await?;
                if command.is_none() {
                    secret::store_in_keyring(&args.server.user, &url, &password)?;
                }
                config.accounts.push(Account {
                    name: name.clone(),
                    url,
                    user: args.server.user,
                    ca_file: args.server.ca_file,
                    allow_insecure_http: args.server.allow_insecure_http,
                    password_command: command,
                    aliases: args.aliases,
                });
                config.save(&file)?;
                println!("Added {name}: {} calendar(s) at {}", found.calendars.len(), found.principal.url);
            }
            AccountCommand::List => {
                for a in &config.accounts {
                    println!("{}\t{}\t{}", a.name, a.user, a.url);
                }
            }
            AccountCommand::Remove { name } => {
                let Some(pos) = config.accounts.iter().position(|a| a.name == name) else {
                    anyhow::bail!("no account named {name:?}");
                };
                let a = config.accounts.remove(pos);
                if a.password_command.is_none() {
                    secret::delete_from_keyring(&a.user, &a.url)?;
                }
                config.save(&file)?;
                crate::store::AccountFiles::new(paths, &a.name).remove_all()?;
                println!("Removed {name}");
            }
        }
        Ok(0)
    }
}
