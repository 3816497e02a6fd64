//! `convene invitation-file FILE [ANSWER]`: an invitation that came by
//! mail (an .ics with METHOD:REQUEST, CANCEL or REPLY). A REQUEST already
//! on the server is answered like `convene reply`; one that isn't is added
//! to a calendar as the person's answered copy without the server telling
//! anyone, and the METHOD:REPLY to mail back is written (and handed to the
//! mail program with `--mail`). A CANCEL marks the person's copy
//! cancelled; a REPLY records the attendee's answer in the event the
//! person organizes. Exit 0: done; 3: the organizer changed the event
//! (as `reply`); 75: saved, not sent yet (offline); 1: refused or failed.

use std::path::{Path, PathBuf};

use clap::Args;

use super::replies::{AccountArg, EXIT_CONFLICT, EXIT_PENDING, open};
use crate::ical::imip::{self, Message, Method};
use crate::ical::{Answer, Reply};
use crate::paths::Paths;
use crate::sync::{Cancelled, Engine, EventOutcome, Outcome};

#[derive(Debug, Args)]
pub struct MailedArgs {
    #[command(flatten)]
    pub account: AccountArg,
    /// The .ics file the mail carried.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// For an invitation: accept, tentative or decline.
    #[arg(value_parser = parse_answer)]
    pub answer: Option<Answer>,
    /// The calendar to add an invitation to that is not on the server yet
    /// (needed when the account has several).
    #[arg(long, value_name = "NAME")]
    pub calendar: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
    /// Which of your addresses answers, when you are invited under several.
    #[arg(long = "as", value_name = "ADDRESS")]
    pub as_address: Option<String>,
    /// Write the reply to mail back here (else into the account's replies folder).
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
    /// Hand the reply to the desktop's mail program (xdg-email) addressed to the organizer.
    #[arg(long)]
    pub mail: bool,
}

fn parse_answer(s: &str) -> Result<Answer, String> {
    Answer::parse(s).ok_or_else(|| format!("{s:?}: use accept, tentative or decline"))
}

fn read(file: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?.len();
    if size > imip::MAX_BYTES {
        anyhow::bail!("{}: {size} bytes is too large for a mailed invitation", file.display());
    }
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", file.display()))
}

pub async fn run(paths: &Paths, a: MailedArgs) -> anyhow::Result<i32> {
    let text = read(&a.file)?;
    let message = Message::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    if message.method == Method::Import {
        anyhow::bail!(
            "{}: not an invitation, a cancellation or an answer (no METHOD REQUEST, CANCEL or REPLY): import it with `convene import`",
            a.file.display()
        );
    }
    if message.method == Method::Request && a.answer.is_none() {
        anyhow::bail!(
            "{} is an invitation: say accept, tentative or decline after the file",
            a.file.display()
        );
    }
    let mut engine = open(paths, a.account.account.as_deref())?;
    // What is on the server decides: fetch first (offline, the cache does).
    if let Err(e) = engine.sync().await {
        eprintln!("Not synced ({e}); going by what was fetched before.");
    }
    match message.method {
        Method::Request => request(&mut engine, &a, &text, &message).await,
        Method::Cancel => {
            let title = message.summary.as_deref().unwrap_or("(no title)");
            let uid = &message.uid;
            match engine.apply_mailed_cancel(&message).await? {
                Cancelled::Marked => {
                    println!(
                        "Cancelled: {title} ({uid}); `convene remove {uid}` takes it out of your calendar"
                    )
                }
                Cancelled::Already => println!("{title} ({uid}) was cancelled already"),
                Cancelled::Removed => println!(
                    "Removed: {title} ({uid}): its organizer cancelled it, and this server doesn't let an attendee mark it cancelled"
                ),
            }
            Ok(0)
        }
        Method::Reply => {
            engine.apply_mailed_reply(&message).await?;
            for (who, partstat) in message.answers() {
                println!("Recorded: {who} {partstat} for {}", message.uid);
            }
            Ok(0)
        }
        Method::Import => unreachable!("refused above"),
    }
}

async fn request(engine: &mut Engine, a: &MailedArgs, text: &str, message: &Message) -> anyhow::Result<i32> {
    let Some(answer) = a.answer else {
        anyhow::bail!(
            "{} is an invitation: say accept, tentative or decline after the file",
            a.file.display()
        );
    };
    if let Some(stored) = engine.stored(&message.uid)? {
        engine.check_not_newer(message, &stored)?;
        // On the server already: answered there, as any invitation.
        engine.queue(&message.uid, answer, a.comment.clone(), None, a.as_address.as_deref(), false)?;
        let outcome = engine.send(&message.uid).await?;
        let code = match &outcome {
            Outcome::Sent { .. } => {
                println!("Answered the invitation on the server: {} {}", answer.partstat(), message.uid);
                0
            }
            Outcome::Pending { error, .. } => {
                println!("{}: saved, not sent yet ({error})", message.uid);
                EXIT_PENDING
            }
            Outcome::Conflict { .. } => {
                println!(
                    "{}: the organizer changed the event since you saw it: see `convene invitations`, then `convene reply --resend`",
                    message.uid
                );
                return Ok(EXIT_CONFLICT);
            }
            Outcome::Failed { error } => {
                println!("{}: not answered: {error}", message.uid);
                return Ok(1);
            }
        };
        // A copy added from mail: the server passes nothing on.
        if imip::answered_by_mail(&stored.data) {
            let me = engine.invited_as(message, a.as_address.as_deref())?;
            reply_file(engine, a, &stored.data, &me, answer, message)?;
        }
        return Ok(code);
    }
    let me = engine.invited_as(message, a.as_address.as_deref())?;
    let calendar = match &a.calendar {
        Some(name) => engine.find_calendar_fresh(name).await?,
        None => only_calendar(engine)?,
    };
    let reply = Reply {
        answer,
        comment: a.comment.clone(),
        occurrence: None,
        me: me.clone(),
        silent: false,
        delegate: None,
    };
    let code = match engine.add_mailed(&a.file, text, message, &calendar.url, &reply).await? {
        EventOutcome::Saved { .. } => {
            println!(
                "Added to {}: {} ({}), your answer {}; the server tells nobody",
                crate::sync::calendar_label(&calendar),
                message.summary.as_deref().unwrap_or("(no title)"),
                message.uid,
                answer.partstat()
            );
            0
        }
        EventOutcome::Queued { error, .. } => {
            println!("{}: saved, not added yet ({error})", message.uid);
            EXIT_PENDING
        }
        EventOutcome::Failed { error } => {
            println!("{}: not added: {error}", message.uid);
            return Ok(1);
        }
        EventOutcome::Conflict { .. } => {
            println!("{}: not added: it changed on the server", message.uid);
            return Ok(1);
        }
    };
    reply_file(engine, a, text, &me, answer, message)?;
    Ok(code)
}

fn only_calendar(engine: &Engine) -> anyhow::Result<crate::caldav::Calendar> {
    let mut calendars: Vec<_> = engine.calendars().into_iter().filter(|c| !c.read_only).collect();
    if calendars.len() == 1 {
        return Ok(calendars.remove(0));
    }
    let names: Vec<String> = calendars.iter().map(crate::sync::calendar_label).collect();
    anyhow::bail!(
        "choose the calendar to add it to with --calendar NAME (this account has: {})",
        names.join(", ")
    )
}

/// Writes the METHOD:REPLY for the organizer and, with `--mail`, hands it
/// to the mail program.
fn reply_file(
    engine: &Engine,
    a: &MailedArgs,
    request: &str,
    me: &str,
    answer: Answer,
    message: &Message,
) -> anyhow::Result<()> {
    let path =
        engine.write_mailed_reply(request, me, answer, a.comment.as_deref(), message, a.save.as_deref())?;
    let to = imip::address(&message.organizer);
    println!("Reply for {to} written to {}", path.display());
    if a.mail {
        mail(&path, to, answer, message);
    }
    Ok(())
}

/// The desktop's composer opens with the reply attached; the person
/// sends it. Where there is no mail program the file is there to attach by
/// hand: said, not an error (the event is in the calendar either way).
fn mail(path: &Path, to: &str, answer: Answer, message: &Message) {
    match crate::desktop::compose(&imip::reply_subject(answer, message), path, to) {
        Ok(()) => println!("Handed to your mail program: send it to {to}"),
        Err(e) => eprintln!("Not handed to a mail program ({e}): mail {} to {to} yourself", path.display()),
    }
}
