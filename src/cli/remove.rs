//! `convene remove UID`: takes a cancelled invitation out of the person's
//! calendar without a decline going to the organizer. Exit 0: the copy is
//! gone; 75: saved in the outbox, not sent yet (offline); 1: refused (not
//! cancelled, an answer still waiting…) or failed, with the reason.

use clap::Args;

use super::replies::{AccountArg, EXIT_PENDING, open};
use crate::paths::Paths;
use crate::sync::EventOutcome;

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub account: AccountArg,
    pub uid: String,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(paths: &Paths, a: RemoveArgs) -> anyhow::Result<i32> {
    let mut engine = open(paths, a.account.account.as_deref())?;
    let uid = engine.queue_remove(&a.uid)?;
    let outcome = engine.send_event(&uid).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "uid": uid, "result": outcome }))?);
    } else {
        match &outcome {
            EventOutcome::Saved { .. } => {
                println!("Removed: {uid} (the organizer was sent no answer)")
            }
            EventOutcome::Queued { error, .. } => println!("{uid}: saved, not removed yet ({error})"),
            EventOutcome::Failed { error } => println!("{uid}: not removed: {error}"),
            // A removal has no fields to clash over.
            EventOutcome::Conflict { .. } => println!("{uid}: not removed: it changed on the server"),
        }
    }
    Ok(match outcome {
        EventOutcome::Saved { .. } => 0,
        EventOutcome::Queued { .. } => EXIT_PENDING,
        EventOutcome::Failed { .. } | EventOutcome::Conflict { .. } => 1,
    })
}
