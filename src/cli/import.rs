//! `convene import`: the import wizard without a window, with the same
//! safety rules (a mode the server can't honour needs `--yes`).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;

use super::replies::{AccountArg, open};
use crate::caldav::SchedulingMode;
use crate::import::{self, Preview, Progress, source};
use crate::paths::Paths;
use crate::sync::{EngineError, ImportRequest};

/// Some entries were not imported (failed, unreadable or cancelled); the
/// report says which. Running the same command again continues.
pub const EXIT_INCOMPLETE: i32 = 4;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Target calendar: its name, URL or last path segment.
    #[arg(long)]
    pub calendar: String,
    #[command(flatten)]
    pub account: AccountArg,
    /// none: notify nobody; internal-only: update calendars on this server
    /// only; external-only: notify only people elsewhere; all: as usual.
    #[arg(long, value_parser = parse_mode)]
    pub scheduling: SchedulingMode,
    /// Act as this address (one of your calendar-user-address-set).
    #[arg(long = "as", value_name = "ADDRESS")]
    pub as_address: Option<String>,
    /// Replace events the calendar already holds (default: skip them).
    #[arg(long)]
    pub update_duplicates: bool,
    /// Go ahead even where the server can't honour --scheduling, after
    /// reading what will happen instead.
    #[arg(long)]
    pub yes: bool,
    /// Also import the entries the preview flags (rules a server would
    /// expand into huge or endless sets, time zones nothing resolves);
    /// `--yes` does not confirm them.
    #[arg(long)]
    pub import_flagged: bool,
    /// Writes at a time (1 to 16).
    #[arg(long, default_value_t = import::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    #[arg(long)]
    pub json: bool,
}

fn parse_mode(s: &str) -> Result<SchedulingMode, String> {
    import::plan::MODES
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| format!("{s:?}: use none, internal-only, external-only or all"))
}

pub async fn run(paths: &Paths, args: ImportArgs) -> anyhow::Result<i32> {
    let batch = source::read_files(&args.files);
    for bad in &batch.bad {
        eprintln!("cannot import {bad}");
    }
    for note in &batch.notes {
        eprintln!("note: {note}");
    }
    if batch.items.is_empty() {
        anyhow::bail!("nothing to import: no readable event or task in {} file(s)", args.files.len());
    }
    let mut engine = open(paths, args.account.account.as_deref())?;
    // Current calendars and their contents, for the target and duplicates.
    engine.sync().await?;
    let calendar = engine.find_calendar_fresh(&args.calendar).await?;
    let preview = Preview::new(
        &batch,
        &engine.identity(),
        &engine.uids_in(&calendar.url).into_keys().collect::<HashSet<_>>(),
    );
    if !args.json {
        describe(&preview, &batch.items, args.import_flagged);
    }
    let request = ImportRequest {
        items: batch.items,
        bad: batch.bad,
        notes: batch.notes,
        import_flagged: args.import_flagged,
        calendar: calendar.url,
        mode: args.scheduling,
        as_address: args.as_address,
        update_duplicates: args.update_duplicates,
        confirmed: args.yes,
        concurrency: args.concurrency,
    };
    let job = match engine.prepare_import(request) {
        Err(EngineError::Unhonourable(u)) => anyhow::bail!(
            "refusing --scheduling {}: {}.\nWith --yes the import goes ahead and {}.",
            args.scheduling.as_str(),
            u.reason,
            u.what_happens
        ),
        other => other?,
    };
    if let Some(w) = &job.plan.warning {
        eprintln!("Note: {w}");
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the writes in flight; run the same command again to continue.");
            on_signal.store(true, Ordering::SeqCst);
        }
    });
    let mut shown = Instant::now();
    let tty = std::io::stderr().is_terminal() && !args.json;
    let report = import::run::run(engine.client().clone(), job, cancel, |p| {
        if tty && (shown.elapsed() > Duration::from_millis(200) || p.done == p.total) {
            eprint!("\r{}", progress_line(p));
            shown = Instant::now();
        }
    })
    .await?;
    if tty {
        eprintln!();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.is_complete() { 0 } else { EXIT_INCOMPLETE })
}

/// Repaired entries listed before the import starts.
const SHOWN: usize = 20;

fn describe(p: &Preview, items: &[source::Item], import_flagged: bool) {
    let range = match (p.first, p.last) {
        (Some(a), Some(b)) => format!(", {} to {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
        _ => String::new(),
    };
    eprintln!("{} event(s), {} task(s){range}", p.events, p.tasks);
    if p.with_attendees > 0 {
        eprintln!(
            "{} with attendees ({} people): you organize {}, you are invited to {}",
            p.with_attendees, p.attendees, p.organizer_of, p.attendee_of
        );
    }
    if !p.duplicates.is_empty() {
        eprintln!("{} already in the calendar", p.duplicates.len());
    }
    // A feed repaired throughout would flood the terminal: the report lists each.
    let repaired: Vec<&source::Item> = items.iter().filter(|i| !i.repairs.is_empty()).collect();
    for i in repaired.iter().take(SHOWN) {
        eprintln!("repaired: {}: {}", i.place(), i.repairs.join("; "));
    }
    if repaired.len() > SHOWN {
        eprintln!("…and {} more repaired (the report lists each)", repaired.len() - SHOWN);
    }
    if p.flagged > 0 {
        let what = if import_flagged {
            "imported as you confirmed"
        } else {
            "held back; --import-flagged imports them"
        };
        eprintln!("{} flagged ({what}):", p.flagged);
        for i in items.iter().filter(|i| !i.flags.is_empty()) {
            eprintln!("  {}: {}", i.place(), i.flags.join("; "));
        }
    }
}

pub fn progress_line(p: &Progress) -> String {
    let left = p.remaining().map(|d| format!(", about {} s left", d.as_secs())).unwrap_or_default();
    format!("{}/{} written ({:.0}/s{left})", p.done, p.total, p.rate())
}
