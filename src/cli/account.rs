//! `convene account add|list|remove`.

use clap::{Args, Subcommand};

use super::{ServerArgs, obtain_password};
use crate::account::{self, Accounts};
use crate::caldav::{self, Client};
use crate::config::Account;
use crate::paths::Paths;

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
        let accounts = Accounts::new(paths.clone());
        match self {
            AccountCommand::Add(args) => {
                let url = args.server.url()?;
                let name = args.name.unwrap_or_else(|| account::default_name(&args.server.user, &url));
                accounts.check_name_free(&name)?;
                let command = args.server.password_command.clone();
                let password = obtain_password(command.as_deref(), &args.server.user, &url)?;
                let client = Client::new(args.server.client_config(password.clone())?)?;
                let found = caldav::discover(&client).await?;
                let new = Account {
                    name: name.clone(),
                    url,
                    user: args.server.user,
                    ca_file: args.server.ca_file,
                    allow_insecure_http: args.server.allow_insecure_http,
                    password_command: command,
                    aliases: args.aliases,
                };
                let keep = new.password_command.is_none().then_some(&password);
                accounts.add(new, keep)?;
                println!("Added {name}: {} calendar(s) at {}", found.calendars.len(), found.principal.url);
            }
            AccountCommand::List => {
                for a in &accounts.load()?.accounts {
                    println!("{}\t{}\t{}", a.name, a.user, a.url);
                }
            }
            AccountCommand::Remove { name } => {
                accounts.remove(&name)?;
                println!("Removed {name}");
            }
        }
        Ok(0)
    }
}
