//! `convene import`: the import wizard without a window, with the same
//! safety rules (a mode the server can't honour needs `--yes`).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono_tz::Tz;
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
    /// expand into huge or endless sets); `--yes` does not confirm them.
    #[arg(long)]
    pub import_flagged: bool,
    /// The zone a time-zone name means that nothing resolves (the file
    /// doesn't define it, the database doesn't know it), e.g.
    /// 'Nowhere/Atlantis=Europe/Berlin'; entries using such a name are
    /// held back until it is chosen. Repeat for several names.
    #[arg(long = "zone", value_name = "NAME=ZONE", value_parser = parse_zone_choice)]
    pub zones: Vec<(String, Tz)>,
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

/// `NAME=ZONE`, ZONE a name of the time-zone database (any letter case).
pub fn parse_zone_choice(s: &str) -> Result<(String, Tz), String> {
    let Some((name, zone)) = s.rsplit_once('=').filter(|(n, _)| !n.trim().is_empty()) else {
        return Err(format!("{s:?}: write NAME=ZONE, e.g. 'Nowhere/Atlantis=Europe/Berlin'"));
    };
    let tz = source::zones::named(zone).ok_or_else(|| {
        format!(
            "{:?} is not a zone of the time-zone database (names like Europe/Berlin or America/New_York)",
            zone.trim()
        )
    })?;
    Ok((name.trim().to_owned(), tz))
}

pub async fn run(paths: &Paths, args: ImportArgs) -> anyhow::Result<i32> {
    let mut batch = source::read_files(&args.files);
    for (name, tz) in &args.zones {
        if batch.choose_zone(name, *tz) == 0 {
            eprintln!("note: --zone {name}={}: no entry waits for a zone named {name:?}", tz.name());
        }
    }
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
        describe(&preview, &batch, args.import_flagged);
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

fn describe(p: &Preview, batch: &source::Batch, import_flagged: bool) {
    let items = &batch.items;
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
    for (name, count) in batch.unknown_zones() {
        let entries = if count == 1 { "1 entry".to_owned() } else { format!("{count} entries") };
        eprintln!(
            "time zone {name:?} is unknown and the file doesn't define it: {entries} held back; say which zone it means with --zone '{name}=Area/City' (e.g. Europe/Berlin):"
        );
        for i in items.iter().filter(|i| i.unknown_zones.contains(&name)) {
            eprintln!("  {}", i.place());
        }
    }
}

pub fn progress_line(p: &Progress) -> String {
    let left = p.remaining().map(|d| format!(", about {} s left", d.as_secs())).unwrap_or_default();
    format!("{}/{} written ({:.0}/s{left})", p.done, p.total, p.rate())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn parse(zones: &[&str]) -> Result<Vec<(String, Tz)>, String> {
        let mut argv = vec!["convene", "import", "a.ics", "--calendar", "Work", "--scheduling", "none"];
        for z in zones {
            argv.extend(["--zone", z]);
        }
        match Cli::try_parse_from(argv) {
            Ok(Cli { command: Some(Command::Import(args)), .. }) => Ok(args.zones),
            Ok(other) => panic!("not an import: {other:?}"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn zone_choices_parse_and_an_unknown_target_is_named() {
        assert_eq!(parse(&[]), Ok(vec![]));
        assert_eq!(
            parse(&["Nowhere/Atlantis=Europe/Berlin", "Customized Time Zone = america/new_york"]),
            Ok(vec![
                ("Nowhere/Atlantis".to_owned(), Tz::Europe__Berlin),
                ("Customized Time Zone".to_owned(), Tz::America__New_York)
            ])
        );
        let unknown = parse(&["Nowhere/Atlantis=Europe/Berlni"]).unwrap_err();
        assert!(unknown.contains("\"Europe/Berlni\" is not a zone of the time-zone database"), "{unknown}");
        for malformed in ["Europe/Berlin", "=Europe/Berlin"] {
            let e = parse(&[malformed]).unwrap_err();
            assert!(e.contains("write NAME=ZONE"), "{malformed}: {e}");
        }
    }
}
