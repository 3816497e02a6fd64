//! `convene check-server`: discovery plus the capability record.

use clap::Args;
use serde::Serialize;

use super::{ServerArgs, obtain_password};
use crate::caldav::{self, Calendar, Capabilities, Client, Discovery, Principal, Propfind, xml};

#[derive(Debug, Args)]
pub struct CheckServer {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print the record as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    url: String,
    ca_file: Option<String>,
    principal: &'a Principal,
    calendars: &'a [Calendar],
    capabilities: &'a Capabilities,
    reply_protection: &'static str,
    import_suppression: &'static str,
}

/// Looks for a schedule-tag on the objects of the user's event calendars,
/// stopping at the first calendar that shows one. Not seeing one proves
/// nothing (there may be no scheduling objects yet).
async fn saw_schedule_tag(client: &Client, d: &Discovery) -> Result<bool, caldav::Error> {
    for cal in d.calendars.iter().filter(|c| c.holds_events()) {
        let ms = client
            .run(&Propfind {
                url: cal.url.clone(),
                depth: caldav::http::Depth::One,
                props: vec![(xml::CALDAV, "schedule-tag")],
            })
            .await?;
        if ms.entries.iter().any(|e| e.text(xml::CALDAV, "schedule-tag").is_some()) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl CheckServer {
    pub async fn run(self) -> anyhow::Result<i32> {
        let url = self.server.url()?;
        let password = obtain_password(self.server.password_command.as_deref(), &self.server.user, &url)?;
        let client = Client::new(self.server.client_config(password)?)?;
        let discovery = caldav::discover(&client).await?;
        let saw = saw_schedule_tag(&client, &discovery).await?;
        let caps = Capabilities::build(&discovery, saw.then_some(true));
        let report = Report {
            url: url.to_string(),
            ca_file: self.server.ca_file.as_ref().map(|p| p.display().to_string()),
            principal: &discovery.principal,
            calendars: &discovery.calendars,
            capabilities: &caps,
            reply_protection: caps.reply_protection(),
            import_suppression: caps.import_suppression(),
        };
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print_text(&report);
        }
        Ok(0)
    }
}

fn print_text(r: &Report<'_>) {
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "none".into());
    println!("Server            {} ({})", r.url, r.capabilities.server.describe());
    if let Some(ca) = &r.ca_file {
        println!("Trusted CA file   {ca}");
    }
    println!("Principal         {}", r.principal.url);
    let homes: Vec<String> = r.principal.calendar_homes.iter().map(|u| u.to_string()).collect();
    println!("Calendar home     {}", homes.join(", "));
    let addrs =
        if r.principal.addresses.is_empty() { "none".into() } else { r.principal.addresses.join(", ") };
    println!("Addresses         {addrs}");
    println!("Inbox             {}", or_none(r.principal.inbox.as_ref().map(|u| u.to_string())));
    println!("Outbox            {}", or_none(r.principal.outbox.as_ref().map(|u| u.to_string())));
    println!("DAV               {}", r.capabilities.dav.join(", "));
    println!("Calendars");
    for c in r.calendars {
        println!(
            "  {:<20} {}  [{}]{}{}",
            c.display_name.clone().unwrap_or_else(|| "(unnamed)".into()),
            c.url.path(),
            c.components.join(", "),
            c.color.as_ref().map(|c| format!(" colour {c}")).unwrap_or_default(),
            if c.supports_sync_collection() { " sync-collection" } else { "" },
        );
    }
    println!("Capabilities");
    for (name, fact) in r.capabilities.lines() {
        let v = match fact.value {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        println!("  {name:<32} {v:<8} {}", fact.why);
    }
    println!("In short: {}; {}.", r.reply_protection, r.import_suppression);
}
