//! `convene sync | invitations | reply | outbox`: the reply engine from a shell.

use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::obtain_password;
use crate::config::{Account, Config};
use crate::ical::conflicts::Conflict;
use crate::ical::event::delivery;
use crate::ical::invitation::Counts;
use crate::ical::{Answer, Change, Diff, Invitation, time::describe_local};
use crate::paths::Paths;
use crate::store::{EntryState, EventChange, EventState};
use crate::sync::{Engine, EventOutcome, Listing, Outcome, ReplyState, SyncProgress, SyncReport, TOO_OFTEN};

/// Exit codes other than 0 (done) and 1 (error), for scripts.
pub const EXIT_CONFLICT: i32 = 3;
pub const EXIT_PENDING: i32 = 75;
/// `sync`: some calendars could not be synced (the others were).
pub const EXIT_NOT_SYNCED: i32 = 5;

#[derive(Debug, Args)]
pub struct AccountArg {
    /// Which account (needed when there are several).
    #[arg(long)]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub account: AccountArg,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    #[command(flatten)]
    pub account: AccountArg,
    pub uid: String,
    /// accept, tentative, decline, or delegate (with --to)
    #[arg(value_parser = parse_answer)]
    pub answer: Answer,
    /// With `delegate`: who goes instead (an e-mail address).
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
    /// Answer one occurrence only (its RECURRENCE-ID, e.g. 20300611T100000).
    #[arg(long, value_name = "RECURRENCE-ID")]
    pub occurrence: Option<String>,
    /// Which of your addresses answers, when you are invited under several.
    #[arg(long = "as", value_name = "ADDRESS")]
    pub as_address: Option<String>,
    /// Answer again on the organizer's new version after a conflict.
    #[arg(long)]
    pub resend: bool,
    /// Don't tell the organizer: the answer goes on your copy only
    /// (refused where the server would tell them anyway).
    #[arg(long, conflicts_with = "resend")]
    pub no_send: bool,
    #[arg(long)]
    pub json: bool,
}

fn parse_answer(s: &str) -> Result<Answer, String> {
    if s.eq_ignore_ascii_case("delegate") {
        return Ok(Answer::Delegate);
    }
    Answer::parse(s).ok_or_else(|| format!("{s:?}: use accept, tentative, decline or delegate"))
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Forget a waiting or conflicting answer.
    Drop { uid: String },
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    #[command(flatten)]
    pub account: AccountArg,
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<OutboxCommand>,
}

/// How long a command waits for the app (or another command) to release
/// the account: `CONVENE_LOCK_WAIT` seconds, else two minutes.
fn lock_wait() -> Duration {
    std::env::var("CONVENE_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(120))
}

pub fn open(paths: &Paths, name: Option<&str>) -> anyhow::Result<Engine> {
    let config = Config::load(&paths.config_file())?;
    let account: &Account = config.account(name)?;
    let password = obtain_password(account.password_command.as_deref(), &account.user, &account.url)?;
    tracing::debug!("password obtained");
    let limit = lock_wait();
    Ok(Engine::open_with(paths, account, password, Some(limit), || {
        eprintln!(
            "Waiting for the Convene app (or another convene command) to release account {} (up to {} s)…",
            account.name,
            limit.as_secs()
        );
    })?)
}

#[derive(Serialize)]
struct SyncRow<'a> {
    uid: &'a str,
    outcome: &'a Outcome,
}

#[derive(Serialize)]
struct EventRow<'a> {
    uid: &'a str,
    outcome: &'a EventOutcome,
}

#[derive(Serialize)]
struct SyncJson<'a> {
    replies: Vec<SyncRow<'a>>,
    events: Vec<EventRow<'a>>,
    #[serde(flatten)]
    report: &'a SyncReport,
    pending_invitations: usize,
}

pub async fn sync(paths: &Paths, args: SyncArgs) -> anyhow::Result<i32> {
    let started = std::time::Instant::now();
    let mut engine = open(paths, args.account.account.as_deref())?;
    tracing::debug!(ms = started.elapsed().as_millis(), "sync command: account opened");
    let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if on_terminal {
        engine.report_progress(|p| eprint!("\r{}", progress_line(p)));
    }
    let sent = engine.flush().await?;
    let changed = engine.flush_events().await?;
    let synced = engine.sync().await;
    if on_terminal {
        // Clear the progress line, whatever came of it.
        eprint!("\r\x1b[K");
    }
    let report = synced?;
    tracing::debug!(ms = started.elapsed().as_millis(), "sync command: synced");
    let pending = engine.pending_count()?;
    tracing::debug!(ms = started.elapsed().as_millis(), "sync command: invitations counted");
    if args.json {
        let replies = sent.iter().map(|(uid, outcome)| SyncRow { uid, outcome }).collect();
        let events = changed.iter().map(|(uid, outcome)| EventRow { uid, outcome }).collect();
        let out = SyncJson { replies, events, report: &report, pending_invitations: pending };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (uid, outcome) in &sent {
            println!("reply {uid}: {}", outcome_word(outcome));
        }
        for (uid, outcome) in &changed {
            println!("event {uid}: {}", event_word(outcome));
        }
        for problem in &report.failed {
            println!("Not synced: {} ({})", problem.failure(), problem.calendar);
        }
        println!(
            "Synced {} calendar(s): {} fetched, {} removed, {} HTTP request(s); {pending} invitation(s) waiting for an answer.",
            report.calendars, report.fetched, report.removed, report.requests
        );
    }
    Ok(if report.failed.is_empty() { 0 } else { EXIT_NOT_SYNCED })
}

/// "Syncing: 1250 events" ("1250 of 4000 events" where the number is known).
fn progress_line(p: SyncProgress) -> String {
    match p.of {
        Some(of) => format!("Syncing: {} of {of} events", p.fetched),
        None => format!("Syncing: {} events", p.fetched),
    }
}

#[derive(Serialize)]
struct InvitationRow<'a> {
    uid: &'a str,
    summary: Option<&'a str>,
    organizer: Option<String>,
    organizer_address: Option<&'a str>,
    start: Option<String>,
    start_raw: Option<&'a str>,
    location: Option<&'a str>,
    recurrence: Option<&'a str>,
    /// The series' expansion stopped at its bound (see `TOO_OFTEN`).
    repeats_too_often: bool,
    cancelled: bool,
    my_partstat: Option<&'a str>,
    /// Whom the person delegated it to (DELEGATED-TO on their own line).
    delegated_to: Option<&'a str>,
    pending: bool,
    calendar: &'a str,
    reply: &'a ReplyState,
    /// The person's own events that overlap it (its next occurrence, for a series).
    conflicts: &'a [Conflict],
    /// How many attendees gave each answer.
    attendees: Counts,
    /// The SCHEDULE-STATUS on the person's own attendee line in their copy.
    schedule_status: Option<ScheduleStatus>,
    /// The organizer changed it since the person last saw or answered it.
    updated: bool,
    changes: &'a [Change],
    /// The answer the change reset to NEEDS-ACTION.
    answer_reset: Option<&'a str>,
}

#[derive(Serialize)]
struct ScheduleStatus {
    code: String,
    words: String,
}

fn row(l: &Listing) -> InvitationRow<'_> {
    let i = &l.invitation;
    InvitationRow {
        uid: &i.uid,
        summary: i.summary.as_deref(),
        organizer: i.organizer.as_ref().map(|o| o.display()),
        organizer_address: i.organizer.as_ref().map(|o| o.address.as_str()),
        start: i.start.as_ref().map(describe_local),
        start_raw: i.start.as_ref().map(|s| s.value.as_str()),
        location: i.location.as_deref(),
        recurrence: i.recurrence.as_deref(),
        repeats_too_often: l.repeats_too_often,
        cancelled: i.cancelled,
        my_partstat: i.my_partstat.as_deref(),
        delegated_to: i.my_delegate(),
        pending: i.is_pending(),
        calendar: &l.calendar_name,
        reply: &l.reply,
        conflicts: &l.conflicts,
        attendees: Counts::of(&i.attendees),
        schedule_status: my_schedule_status(i),
        updated: l.since_seen.is_some(),
        changes: l.since_seen.as_ref().map_or(&[], |s| &s.changes),
        answer_reset: l.since_seen.as_ref().and_then(|s| s.answer_reset.as_deref()),
    }
}

/// What the server recorded on the person's own attendee line, if anything.
fn my_schedule_status(i: &Invitation) -> Option<ScheduleStatus> {
    let code = i.my_schedule_status()?;
    Some(ScheduleStatus { words: delivery(code), code: code.to_owned() })
}

pub fn invitations(paths: &Paths, account: AccountArg, json: bool) -> anyhow::Result<i32> {
    let engine = open(paths, account.account.as_deref())?;
    let list = engine.invitations()?;
    if json {
        let rows: Vec<InvitationRow<'_>> = list.iter().map(row).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if list.is_empty() {
        println!("No invitations. (Run `convene sync` to fetch new ones.)");
    }
    for l in &list {
        let r = row(l);
        let answer = match &l.reply {
            ReplyState::None => r.my_partstat.unwrap_or("NEEDS-ACTION").to_owned(),
            ReplyState::Pending { reply, .. } => format!("{} (sending…)", reply.answer.partstat()),
            ReplyState::Conflict { reply, .. } => {
                format!("{} (conflict: needs your decision)", reply.answer.partstat())
            }
            ReplyState::Failed { reply, error } => format!("{} (failed: {error})", reply.answer.partstat()),
        };
        let status = if r.cancelled {
            " [cancelled]"
        } else if r.updated {
            " [updated]"
        } else {
            ""
        };
        println!(
            "{}  {}  {}{status}\n      from {}; {}{}; in {}\n      uid {}",
            r.start.as_deref().unwrap_or("(no date)"),
            answer,
            r.summary.unwrap_or("(no title)"),
            r.organizer.as_deref().unwrap_or("(no organizer)"),
            r.recurrence.map(|x| format!("repeats {x}; ")).unwrap_or_default(),
            r.location.map(|x| format!("at {x}")).unwrap_or_else(|| "no place".into()),
            r.calendar,
            r.uid,
        );
        if r.repeats_too_often {
            println!("      note: it repeats {TOO_OFTEN}");
        }
        if let Some(to) = r.delegated_to {
            println!("      you delegated it to {}", to.replace("mailto:", ""));
        }
        println!("      attendees: {}", r.attendees.words());
        for c in r.changes {
            println!("      changed: {}", crate::ui::format::change(c));
        }
        if let Some(was) = r.answer_reset {
            println!("      the change reset your answer ({was}): answer again");
        }
        for c in r.conflicts {
            println!("      conflicts with: {} (uid {})", crate::ui::format::conflict(c, None), c.uid);
        }
        if let Some(s) = &r.schedule_status {
            println!("      server: your answer {} ({})", s.words, s.code);
        }
    }
    Ok(0)
}

fn outcome_word(o: &Outcome) -> String {
    match o {
        Outcome::Sent { .. } => "sent".into(),
        Outcome::Pending { error, .. } => format!("pending ({error})"),
        Outcome::Conflict { .. } => "conflict: the organizer changed the event".into(),
        Outcome::Failed { error } => format!("failed: {error}"),
    }
}

fn event_word(o: &EventOutcome) -> String {
    match o {
        EventOutcome::Saved { .. } => "saved".into(),
        EventOutcome::Queued { error, .. } => format!("pending ({error})"),
        EventOutcome::Conflict { .. } => {
            "conflict: changed on the server too (see `convene event edit --resend`)".into()
        }
        EventOutcome::Failed { error } => format!("failed: {error}"),
    }
}

fn print_diff(diff: &Diff) {
    println!("The organizer changed the event since you saw it:");
    for c in &diff.changes {
        println!("  {}", crate::ui::format::change(c));
    }
    println!(
        "Your answer is kept. Send it for the new version with --resend, change it, or `convene outbox drop UID`."
    );
}

/// What `delegate` can't be combined with, said before anything is opened.
fn check_delegation(args: &ReplyArgs) -> anyhow::Result<()> {
    match (args.answer, &args.to) {
        (Answer::Delegate, None) if !args.resend => {
            anyhow::bail!("delegate needs --to ADDRESS: who goes instead")
        }
        (Answer::Delegate, _) if args.no_send => {
            anyhow::bail!("a delegation is always sent: the organizer must know who comes (no --no-send)")
        }
        (Answer::Delegate, _) if args.occurrence.is_some() => {
            anyhow::bail!("a delegation is for the whole event (no --occurrence)")
        }
        (Answer::Delegate, Some(_)) if args.resend => {
            anyhow::bail!("--resend sends the delegation as it was queued (no --to)")
        }
        (Answer::Accept | Answer::Tentative | Answer::Decline, Some(_)) => {
            anyhow::bail!("--to goes with delegate only")
        }
        _ => Ok(()),
    }
}

pub async fn reply(paths: &Paths, args: ReplyArgs) -> anyhow::Result<i32> {
    check_delegation(&args)?;
    let mut engine = open(paths, args.account.account.as_deref())?;
    let queued = if args.resend {
        // A delegation is sent again as queued, to the same person.
        let answer = Some(args.answer).filter(|a| *a != Answer::Delegate);
        engine.resend(&args.uid, answer, args.comment.clone())?
    } else if let Some(to) = &args.to {
        engine.queue_delegation(&args.uid, to, args.comment.clone(), args.as_address.as_deref())?
    } else {
        engine.queue(
            &args.uid,
            args.answer,
            args.comment.clone(),
            args.occurrence.clone(),
            args.as_address.as_deref(),
            args.no_send,
        )?
    };
    let outcome = engine.send(&args.uid).await?;
    // Where the server won't invite the delegate, the person must.
    let forward = queued.reply.delegate.as_deref().and_then(|to| engine.delegation_note(to));
    if args.json {
        let mut json = serde_json::to_value(&outcome)?;
        if let (Some(to), Some(obj)) = (&queued.reply.delegate, json.as_object_mut()) {
            obj.insert("delegated_to".into(), to.as_str().into());
            obj.insert("forward_yourself".into(), forward.clone().into());
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        let partstat = queued.reply.answer.partstat();
        let to = queued.reply.delegate.as_deref().map(|t| format!(" to {}", t.trim_start_matches("mailto:")));
        let to = to.unwrap_or_default();
        match &outcome {
            Outcome::Conflict { diff, .. } => print_diff(diff),
            Outcome::Sent { .. } if queued.reply.silent => {
                println!("Saved, the organizer not told: {partstat} {}", args.uid)
            }
            Outcome::Sent { .. } => println!("Sent: {partstat}{to} {}", args.uid),
            other => println!("{}: {}", args.uid, outcome_word(other)),
        }
        if let Some(note) = &forward {
            println!("Note: {note}.");
        }
    }
    Ok(match outcome {
        Outcome::Sent { .. } => 0,
        Outcome::Conflict { .. } => EXIT_CONFLICT,
        Outcome::Pending { .. } => EXIT_PENDING,
        Outcome::Failed { .. } => 1,
    })
}

pub fn outbox(paths: &Paths, args: OutboxArgs) -> anyhow::Result<i32> {
    let mut engine = open(paths, args.account.account.as_deref())?;
    if let Some(OutboxCommand::Drop { uid }) = &args.command {
        engine.discard(uid)?;
        engine.discard_event(uid)?;
        println!("Dropped what waited for {uid}");
        return Ok(0);
    }
    let entries = engine.outbox()?;
    let changes = engine.event_outbox()?;
    if args.json {
        let all = serde_json::json!({ "replies": entries, "events": changes });
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(0);
    }
    if entries.is_empty() && changes.is_empty() {
        println!("The outbox is empty: every answer and change has reached the server.");
    }
    for e in &changes {
        let state = match &e.state {
            EventState::Pending { last_error: None } | EventState::Sending => "pending".to_owned(),
            EventState::Pending { last_error: Some(err) } => format!("pending ({err})"),
            EventState::Conflict { .. } => "conflict: needs your decision".to_owned(),
            EventState::Failed { error } => format!("failed: {error}"),
        };
        let kind = match &e.change {
            EventChange::Create => "create",
            EventChange::Edit { .. } => "edit",
            EventChange::Delete { cancel: true, .. } => "cancel",
            EventChange::Delete { .. } => "delete",
            EventChange::Remove => "remove",
        };
        println!("{}  {kind}  {state}", e.uid);
    }
    for e in &entries {
        let state = match &e.state {
            EntryState::Pending { last_error: None } | EntryState::Sending => "pending".to_owned(),
            EntryState::Pending { last_error: Some(err) } => format!("pending ({err})"),
            EntryState::Conflict { .. } => "conflict: needs your decision".to_owned(),
            EntryState::Failed { error } => format!("failed: {error}"),
        };
        let occ = e.reply.occurrence.as_ref().map(|o| format!(" occurrence {o}")).unwrap_or_default();
        let silent = if e.reply.silent { " (organizer not told)" } else { "" };
        let to = e.reply.delegate.as_deref().map(|t| format!(" to {}", t.trim_start_matches("mailto:")));
        println!("{}  {}{}{occ}{silent}  {state}", e.uid, e.reply.answer.partstat(), to.unwrap_or_default());
    }
    Ok(0)
}
