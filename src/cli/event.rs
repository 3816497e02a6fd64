//! `convene event create | edit | cancel | delete`: the organizer's side
//! from a shell (and the live tests' organizer). Exit codes as for
//! `reply`: 0 done, 3 a conflict, 75 queued (offline), 1 other errors.

use chrono::{DateTime, Duration, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::replies::{AccountArg, EXIT_CONFLICT, EXIT_PENDING, open};
use crate::ical::draft::{Repeat, When};
use crate::ical::{Draft, Scope};
use crate::paths::Paths;
use crate::sync::{Engine, EngineError, EventOutcome};

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event; prints its UID.
    Create(CreateArgs),
    /// Change an event as Convene has it (what you saw). Exit 3: the same
    /// thing changed on the server meanwhile (printed; the edit waits;
    /// `--resend` puts it on the server's new version).
    Edit(EditArgs),
    /// Cancel a meeting you organize (or some of its occurrences): the
    /// attendees are told.
    Cancel(UidArgs),
    /// Delete an event (or some of its occurrences).
    Delete(UidArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub account: AccountArg,
    /// The calendar: its display name, last path segment, path or URL.
    #[arg(long)]
    pub calendar: String,
    #[arg(long)]
    pub summary: String,
    /// RFC 3339, e.g. 2030-02-04T10:00:00Z or 2030-02-04T11:00:00+01:00.
    #[arg(long, value_parser = parse_time)]
    pub start: DateTime<FixedOffset>,
    #[arg(long, value_parser = parse_time)]
    pub end: DateTime<FixedOffset>,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// An attendee's address (repeat for several); makes it a meeting.
    #[arg(long = "attendee", value_name = "ADDRESS")]
    pub attendees: Vec<String>,
    /// An RRULE such as FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6.
    #[arg(long, value_parser = parse_rrule)]
    pub rrule: Option<Repeat>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    pub account: AccountArg,
    pub uid: String,
    #[command(flatten)]
    pub occurrence: OccurrenceArgs,
    #[arg(long)]
    pub summary: Option<String>,
    /// A new start; without --end the event keeps its length.
    #[arg(long, value_parser = parse_time)]
    pub start: Option<DateTime<FixedOffset>>,
    #[arg(long, value_parser = parse_time)]
    pub end: Option<DateTime<FixedOffset>>,
    #[arg(long)]
    pub location: Option<String>,
    /// After a conflict: put the waiting edit on the server's new version.
    #[arg(long)]
    pub resend: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UidArgs {
    #[command(flatten)]
    pub account: AccountArg,
    pub uid: String,
    #[command(flatten)]
    pub occurrence: OccurrenceArgs,
    #[arg(long)]
    pub json: bool,
}

/// One occurrence of a repeating event, and which occurrences the change
/// is for: the window's "Only this one / This and the following ones /
/// All of them".
#[derive(Debug, Args)]
pub struct OccurrenceArgs {
    /// The occurrence: its day (2030-02-04, on this computer's clock) or
    /// its start (RFC 3339).
    #[arg(long, value_name = "DATE-OR-DATETIME", value_parser = parse_occurrence)]
    pub occurrence: Option<OccurrenceAt>,
    /// With --occurrence: this one (a RECURRENCE-ID override, or an
    /// EXDATE to delete it), this and the following ones (the series is
    /// split), or all of them.
    #[arg(long, value_enum, requires = "occurrence", default_value_t = ScopeArg::This)]
    pub scope: ScopeArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    This,
    Following,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceAt {
    Day(NaiveDate),
    Start(DateTime<FixedOffset>),
}

fn parse_occurrence(s: &str) -> Result<OccurrenceAt, String> {
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(OccurrenceAt::Day(day));
    }
    DateTime::parse_from_rfc3339(s).map(OccurrenceAt::Start).map_err(|_| {
        format!("{s:?} is neither a date (2030-02-04) nor an RFC 3339 time (2030-02-04T10:00:00Z)")
    })
}

impl OccurrenceArgs {
    /// The scope and the draft to start from: the event's, or with
    /// --occurrence that occurrence's (as the window's editor has it).
    fn resolve(&self, uid: &str, calendar: url::Url, data: &str) -> anyhow::Result<(Scope, Draft)> {
        let unreadable = || EngineError::Edit(format!("{uid} can't be read as an event"));
        let Some(at) = self.occurrence else {
            return Ok((Scope::All, Draft::from_event(data, calendar, None).ok_or_else(unreadable)?));
        };
        let recurrence_id = occurrence_at(uid, data, at)?;
        let draft = Draft::from_event(data, calendar, Some(&recurrence_id)).ok_or_else(unreadable)?;
        let scope = match self.scope {
            ScopeArg::This => Scope::ThisOne { recurrence_id },
            ScopeArg::Following => Scope::ThisAndFollowing { recurrence_id },
            ScopeArg::All => Scope::All,
        };
        Ok((scope, draft))
    }
}

/// The RECURRENCE-ID of the occurrence of `data` on that day or at that
/// start; an error naming the problem when there is none or, on a day,
/// more than one.
fn occurrence_at(uid: &str, data: &str, at: OccurrenceAt) -> anyhow::Result<String> {
    let (from, to) = match at {
        OccurrenceAt::Day(d) => {
            let midnight = d.and_time(Default::default()).and_utc();
            (midnight - Duration::days(2), midnight + Duration::days(2))
        }
        OccurrenceAt::Start(t) => {
            let t = t.with_timezone(&Utc);
            (t - Duration::days(1), t + Duration::days(1))
        }
    };
    let doc = crate::ical::Document::parse(data).map_err(|e| anyhow::anyhow!("{uid} can't be read: {e}"))?;
    let series = doc.calendar().and_then(crate::ical::invitation::main_event);
    if !series.is_some_and(|e| e.prop("RRULE").is_some() || e.prop("RDATE").is_some()) {
        anyhow::bail!("{uid} does not repeat: change it without --occurrence");
    }
    let found = crate::ical::occurrence::expand_document(&doc, from, to).occurrences;
    let matching: Vec<_> = found
        .into_iter()
        .filter(|o| match at {
            OccurrenceAt::Day(d) => o.start.with_timezone(&Local).date_naive() == d,
            OccurrenceAt::Start(t) => o.start == t,
        })
        .filter_map(|o| o.recurrence_id.map(|rid| (o.start, rid)))
        .collect();
    match matching.as_slice() {
        [(_, rid)] => Ok(rid.clone()),
        [] => anyhow::bail!("{uid} has no occurrence {}", describe(at)),
        more => {
            let starts: Vec<String> = more.iter().map(|(s, _)| s.to_rfc3339()).collect();
            anyhow::bail!(
                "{uid} has {} occurrences {}: give the start of one ({})",
                more.len(),
                describe(at),
                starts.join(", ")
            )
        }
    }
}

fn describe(at: OccurrenceAt) -> String {
    match at {
        OccurrenceAt::Day(d) => format!("on {d}"),
        OccurrenceAt::Start(t) => format!("starting at {}", t.to_rfc3339()),
    }
}

fn parse_time(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{s:?} is not an RFC 3339 time ({e}); e.g. 2030-02-04T10:00:00Z"))
}

fn parse_rrule(s: &str) -> Result<Repeat, String> {
    Repeat::parse(s).ok_or_else(|| format!("{s:?}: Convene writes FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, a weekly BYDAY, and UNTIL or COUNT"))
}

pub async fn run(paths: &Paths, command: EventCommand) -> anyhow::Result<i32> {
    match command {
        EventCommand::Create(a) => create(paths, a).await,
        EventCommand::Edit(a) => edit(paths, a).await,
        EventCommand::Cancel(a) => delete(paths, a, true).await,
        EventCommand::Delete(a) => delete(paths, a, false).await,
    }
}

async fn create(paths: &Paths, a: CreateArgs) -> anyhow::Result<i32> {
    let mut engine = open(paths, a.account.account.as_deref())?;
    let calendar = engine.find_calendar(&a.calendar)?;
    let utc = |t: DateTime<FixedOffset>| t.with_timezone(&Utc).naive_utc();
    let draft = Draft {
        calendar: calendar.url,
        summary: a.summary,
        when: When::Timed { start: utc(a.start), end: utc(a.end), zone: "UTC".into() },
        location: a.location.unwrap_or_default(),
        description: a.description.unwrap_or_default(),
        repeat: a.rrule,
        reminders: Vec::new(),
        attendees: a.attendees,
    };
    let entry = engine.queue_create(&draft)?;
    let outcome = engine.send_event(&entry.uid).await?;
    report(&entry.uid, &outcome, a.json, "Created")
}

/// `t` on the clock of `like`'s zone (so an edit keeps the event's zone).
fn on_clock_of(t: DateTime<FixedOffset>, like: &When) -> (NaiveDateTime, String) {
    match like {
        When::Timed { zone, .. } if zone.is_empty() => {
            (t.with_timezone(&chrono::Local).naive_local(), String::new())
        }
        When::Timed { zone, .. } => match zone.parse::<chrono_tz::Tz>() {
            Ok(tz) => (tz.from_utc_datetime(&t.naive_utc()).naive_local(), zone.clone()),
            Err(_) => (t.naive_utc(), "UTC".into()),
        },
        When::AllDay { .. } => (t.naive_utc(), "UTC".into()),
    }
}

/// The event's address, the scope asked for and the draft it starts from.
fn find(engine: &Engine, uid: &str, occurrence: &OccurrenceArgs) -> anyhow::Result<(url::Url, Scope, Draft)> {
    let (cal, url, data) = engine.event_by_uid(uid)?;
    let (scope, draft) = occurrence.resolve(uid, cal, &data)?;
    Ok((url, scope, draft))
}

async fn edit(paths: &Paths, a: EditArgs) -> anyhow::Result<i32> {
    let mut engine = open(paths, a.account.account.as_deref())?;
    if a.resend {
        let changes = a.summary.is_some() || a.start.is_some() || a.end.is_some() || a.location.is_some();
        if changes || a.occurrence.occurrence.is_some() {
            anyhow::bail!("--resend sends the waiting edit as it is; give it alone");
        }
        engine.resend_event(&a.uid)?;
        let outcome = engine.send_event(&a.uid).await?;
        return report(&a.uid, &outcome, a.json, "Changed");
    }
    let (url, scope, before) = find(&engine, &a.uid, &a.occurrence)?;
    let mut after = before.clone();
    if let Some(s) = a.summary {
        after.summary = s;
    }
    if let Some(l) = a.location {
        after.location = l;
    }
    if a.start.is_some() || a.end.is_some() {
        let (old_start, old_end) = match &before.when {
            When::Timed { start, end, .. } => (*start, *end),
            When::AllDay { start, end } => {
                (start.and_time(Default::default()), end.and_time(Default::default()))
            }
        };
        let (start, zone) = match a.start {
            Some(t) => on_clock_of(t, &before.when),
            None => on_clock_of_naive(old_start, &before.when),
        };
        let end = match a.end {
            Some(t) => on_clock_of(t, &before.when).0,
            None => start + (old_end - old_start),
        };
        after.when = When::Timed { start, end, zone };
    }
    if after == before {
        anyhow::bail!("nothing to change: give --summary, --start, --end or --location");
    }
    let uids = engine.queue_edit(&url, scope, &before, &after)?;
    let mut code = 0;
    for uid in uids {
        let outcome = engine.send_event(&uid).await?;
        code = report(&uid, &outcome, a.json, "Changed")?;
    }
    Ok(code)
}

fn on_clock_of_naive(t: NaiveDateTime, like: &When) -> (NaiveDateTime, String) {
    match like {
        When::Timed { zone, .. } => (t, zone.clone()),
        When::AllDay { .. } => (t, "UTC".into()),
    }
}

async fn delete(paths: &Paths, a: UidArgs, cancel: bool) -> anyhow::Result<i32> {
    let mut engine = open(paths, a.account.account.as_deref())?;
    let (url, scope, _) = find(&engine, &a.uid, &a.occurrence)?;
    let word = if cancel { "Cancelled" } else { "Deleted" };
    match engine.queue_delete(&url, scope, cancel)? {
        Some(uid) => {
            let outcome = engine.send_event(&uid).await?;
            report(&uid, &outcome, a.json, word)
        }
        None => {
            println!("{word} {} (it had not reached the server yet)", a.uid);
            Ok(0)
        }
    }
}

fn report(uid: &str, outcome: &EventOutcome, json: bool, done: &str) -> anyhow::Result<i32> {
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "uid": uid, "result": outcome }))?);
    } else {
        match outcome {
            EventOutcome::Saved { .. } if done == "Created" => println!("{uid}"),
            EventOutcome::Saved { .. } => println!("{done}: {uid}"),
            EventOutcome::Queued { error, .. } => println!("{uid}: saved, not sent yet ({error})"),
            EventOutcome::Conflict { clashes, .. } => {
                println!("{uid} changed on the server since Convene read it:");
                for c in clashes {
                    println!(
                        "  {}: you made it {:?}, the server now has {:?} (was {:?})",
                        c.field.label(),
                        c.mine,
                        c.theirs,
                        c.before
                    );
                }
                println!(
                    "Your edit waits. Put it on the server's version with `convene event edit {uid} --resend`, or keep theirs with `convene outbox drop {uid}`."
                );
            }
            EventOutcome::Failed { error } => println!("{uid}: failed: {error}"),
        }
    }
    Ok(match outcome {
        EventOutcome::Saved { .. } => 0,
        EventOutcome::Conflict { .. } => EXIT_CONFLICT,
        EventOutcome::Queued { .. } => EXIT_PENDING,
        EventOutcome::Failed { .. } => 1,
    })
}
