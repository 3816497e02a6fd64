//! Writing an import: a few workers PUT the entries, each new one with
//! `If-None-Match: *` (so nothing already there is overwritten), each
//! duplicate skipped or updated with `If-Match`, every step in the journal.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use url::Url;

use super::journal::{Journal, Step};
use super::plan::Plan;
use super::report::{Entry, Outcome, Report, refusal};
use super::source::{Bad, Item, Note, fnv1a_64};
use crate::caldav::{self, Client, Get, Precondition, Put};
use crate::ical::Document;
use crate::store::StoreError;

/// Enough to keep a server busy without queueing on its locks.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Transient failures (timeouts, 5xx, busy) are retried this often.
const RETRIES: [u64; 3] = [200, 1000, 3000];

#[derive(Debug)]
pub struct Job {
    pub calendar: Url,
    pub items: Vec<Item>,
    /// Entries the files held that can't be imported (reported as they are).
    pub bad: Vec<Bad>,
    /// Lines the reader skipped that belong to no entry (reported as they are).
    pub notes: Vec<Note>,
    /// Entries with flags are written only when the person confirmed them
    /// (those waiting for a time zone not even then).
    pub import_flagged: bool,
    /// UIDs already in the target calendar, and where.
    pub existing: HashMap<String, Url>,
    pub update_duplicates: bool,
    /// The person accepted that updates notify attendees where only new
    /// events can be kept quiet (SCHEDULE-AGENT=CLIENT servers).
    pub loud_updates_confirmed: bool,
    pub plan: Plan,
    pub concurrency: usize,
    pub journal: Journal,
}

/// How far a run is, for a progress bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    /// Of `done`, finished in an earlier run (not counted in the rate).
    pub earlier: usize,
    pub failed: usize,
    pub elapsed: Duration,
}

impl Progress {
    /// Entries per second written by this run.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { (self.done - self.earlier) as f64 / secs } else { 0.0 }
    }

    pub fn remaining(&self) -> Option<Duration> {
        let rate = self.rate();
        (rate > 0.0).then(|| Duration::from_secs_f64((self.total - self.done) as f64 / rate))
    }

    pub fn fraction(&self) -> f32 {
        if self.total == 0 { 1.0 } else { self.done as f32 / self.total as f32 }
    }
}

/// Where a new entry goes: its UID as the file name when that is a plain
/// name, else a stable hash of it (so a rerun aims at the same place).
pub fn resource_url(calendar: &Url, uid: &str) -> Url {
    let plain = !uid.is_empty()
        && uid.len() <= 120
        && uid.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
        && !uid.starts_with('.');
    let name =
        if plain { format!("{uid}.ics") } else { format!("convene-{:016x}.ics", fnv1a_64(uid.as_bytes())) };
    let mut url = calendar.clone();
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    url.join(&name).unwrap_or(url)
}

/// Adds SCHEDULE-AGENT=CLIENT to every ORGANIZER and ATTENDEE, which tells
/// the server the client does the scheduling (RFC 6638 §7.1): it sends
/// nothing. None if the data doesn't parse.
pub fn mark_schedule_agent_client(data: &str) -> Option<String> {
    let mut doc = Document::parse(data).ok()?;
    for c in doc.calendar_mut()?.children_mut() {
        for line in c.props_mut().filter(|l| l.name == "ATTENDEE" || l.name == "ORGANIZER") {
            line.set_param("SCHEDULE-AGENT", "CLIENT");
        }
    }
    Some(doc.to_string())
}

struct Shared {
    client: Client,
    job: Job,
    queue: Mutex<VecDeque<usize>>,
    cancel: Arc<AtomicBool>,
}

/// Runs the job. `cancel` stops it between entries (writes in flight
/// finish and are journalled); `progress` hears about every entry.
pub async fn run(
    client: Client,
    job: Job,
    cancel: Arc<AtomicBool>,
    mut progress: impl FnMut(&Progress),
) -> Result<Report, StoreError> {
    let started = Instant::now();
    let total = job.items.len();
    let workers = job.concurrency.clamp(1, 16);
    let shared = Arc::new(Shared { client, queue: Mutex::new((0..total).collect()), job, cancel });
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (shared, tx) = (shared.clone(), tx.clone());
        tasks.spawn(async move {
            while let Some(i) = next(&shared) {
                let result = write_one(&shared, &shared.job.items[i]).await;
                if tx.send((i, result)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);

    let mut outcomes: Vec<Option<(Outcome, bool)>> = vec![None; total];
    let mut p = Progress { total, ..Progress::default() };
    let mut journal_error = None;
    while let Some((i, result)) = rx.recv().await {
        match result {
            Ok((outcome, earlier)) => {
                p.done += 1;
                p.earlier += usize::from(earlier);
                p.failed += usize::from(matches!(outcome, Outcome::Failed(_)));
                outcomes[i] = Some((outcome, earlier));
            }
            // Without a journal a rerun could not be trusted: stop.
            Err(e) => {
                shared.cancel.store(true, Ordering::SeqCst);
                journal_error.get_or_insert(e);
            }
        }
        p.elapsed = started.elapsed();
        progress(&p);
    }
    while tasks.join_next().await.is_some() {}
    if let Some(e) = journal_error {
        return Err(e);
    }

    let job = &shared.job;
    let entries: Vec<Entry> = job
        .items
        .iter()
        .zip(outcomes)
        .map(|(item, o)| {
            let (outcome, earlier) = o.unwrap_or((Outcome::NotStarted, false));
            Entry {
                uid: item.uid.clone(),
                summary: item.summary.clone(),
                file: item.file.clone(),
                line: item.line,
                outcome,
                earlier,
                repairs: item.repairs.clone(),
                flags: item.flags.clone(),
            }
        })
        .collect();
    // Cancel pressed after the last write cancelled nothing.
    let cancelled = entries.iter().any(|e| e.outcome == Outcome::NotStarted);
    Ok(Report {
        calendar: job.calendar.clone(),
        mode: job.plan.mode,
        method: job.plan.method,
        entries,
        bad: job.bad.clone(),
        notes: job.notes.clone(),
        cancelled,
        elapsed: started.elapsed(),
        journal: job.journal.path().to_owned(),
    })
}

fn next(shared: &Shared) -> Option<usize> {
    if shared.cancel.load(Ordering::SeqCst) {
        return None;
    }
    shared.queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front()
}

/// One entry, start to end. Returns the outcome and whether an earlier run
/// had already finished it; Err only when the journal can't be written.
async fn write_one(shared: &Shared, item: &Item) -> Result<(Outcome, bool), StoreError> {
    let job = &shared.job;
    let earlier = job.journal.earlier(&item.uid);
    let in_calendar = job.existing.get(&item.uid);
    // Done by an earlier run, and still there (it may have been deleted since).
    match (earlier, in_calendar) {
        (Some(Step::Imported), Some(_)) => return Ok((Outcome::Imported, true)),
        (Some(Step::Updated), Some(_)) => return Ok((Outcome::Updated, true)),
        _ => {}
    }
    // What could hurt the server or be misread waits for the person.
    if let Some(reason) = item.held_back(job.import_flagged) {
        job.journal.record(&item.uid, Step::Skipped, Some(&reason))?;
        return Ok((Outcome::Skipped(reason), false));
    }
    // An earlier run wrote (or began to write) this UID: finding it now is
    // finding our own write.
    let ours = matches!(earlier, Some(Step::Writing | Step::Imported | Step::Updated));
    let outcome = match in_calendar {
        Some(_) if earlier == Some(Step::Writing) => Outcome::Imported,
        Some(href) => duplicate(shared, item, href).await,
        None => {
            job.journal.record(&item.uid, Step::Writing, None)?;
            create(shared, item, ours).await
        }
    };
    let (step, reason) = match &outcome {
        Outcome::Imported => (Step::Imported, None),
        Outcome::Updated => (Step::Updated, None),
        Outcome::Skipped(r) => (Step::Skipped, Some(r.as_str())),
        Outcome::Failed(r) => (Step::Failed, Some(r.as_str())),
        Outcome::NotStarted => return Ok((outcome, false)),
    };
    job.journal.record(&item.uid, step, reason)?;
    Ok((outcome, false))
}

/// `ours`: an earlier run already wrote this UID, so a 412 means it landed.
async fn create(shared: &Shared, item: &Item, ours: bool) -> Outcome {
    let job = &shared.job;
    let data = if job.plan.marks_attendees() {
        match mark_schedule_agent_client(&item.data) {
            Some(d) => d,
            // Sending it unmarked would mail its attendees.
            None => return Outcome::Failed("its data could not be marked SCHEDULE-AGENT=CLIENT".into()),
        }
    } else {
        item.data.clone()
    };
    let url = resource_url(&job.calendar, &item.uid);
    match put_new(shared, &url, &data).await {
        (Ok(()), _) => Outcome::Imported,
        // The answer never came (timeout, reset): what the server holds decides.
        (Err(e), true) if e.is_transient() => stored_or_failed(shared, item, &url, e).await,
        // Our own write, from an earlier run or an attempt whose answer was lost.
        (Err(caldav::Error::AlreadyExists), maybe_landed) if ours || maybe_landed => Outcome::Imported,
        (Err(caldav::Error::AlreadyExists), _) => match uid_at(shared, &url).await {
            Some(uid) if uid == item.uid => found_there(shared, item, &url).await,
            // Another event holds the name (e.g. a store that ignores case).
            _ => {
                let fallback = fallback_url(&job.calendar, &item.uid);
                match put_new(shared, &fallback, &data).await {
                    (Ok(()), _) => Outcome::Imported,
                    (Err(e), true) if e.is_transient() => stored_or_failed(shared, item, &fallback, e).await,
                    (Err(e), _) => Outcome::Failed(refusal(&e)),
                }
            }
        },
        (Err(caldav::Error::UidConflict { existing: Some(href) }), _) => {
            match Url::parse(&href).or_else(|_| job.calendar.join(&href)) {
                Ok(h) if h.as_str().starts_with(job.calendar.as_str()) => found_there(shared, item, &h).await,
                // Never touch another calendar's event.
                _ => Outcome::Skipped(format!("the UID is already used by {href}, outside this calendar")),
            }
        }
        (Err(caldav::Error::UidConflict { existing: None }), _) => {
            Outcome::Skipped("the UID is already used by another event on this server".into())
        }
        (Err(e), _) => Outcome::Failed(refusal(&e)),
    }
}

/// A new event whose every write went unanswered: imported if the server
/// holds it (our UID at our URL), failed with the last error if it
/// doesn't. If the server can't be asked either, it is not imported yet:
/// the journal stays at `Writing`, so running the import again checks.
async fn stored_or_failed(shared: &Shared, item: &Item, url: &Url, error: caldav::Error) -> Outcome {
    match read_uid_at(shared, url).await {
        Ok(Some(uid)) if uid == item.uid => Outcome::Imported,
        Ok(_) => Outcome::Failed(refusal(&error)),
        Err(_) => Outcome::NotStarted,
    }
}

/// PUT with `If-None-Match: *`; also says whether an attempt may have
/// landed although its answer was lost (a timeout or a broken connection).
async fn put_new(shared: &Shared, url: &Url, data: &str) -> (Result<(), caldav::Error>, bool) {
    let put = Put {
        url: url.clone(),
        data: data.to_owned(),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: shared.job.plan.headers.clone(),
    };
    let (result, maybe_landed) = with_retries(|| shared.client.run(&put)).await;
    (result.map(|_| ()), maybe_landed)
}

/// The second choice of name when another event holds the first.
fn fallback_url(calendar: &Url, uid: &str) -> Url {
    calendar
        .join(&format!("convene-{:016x}-2.ics", fnv1a_64(uid.as_bytes())))
        .unwrap_or_else(|_| calendar.clone())
}

async fn uid_at(shared: &Shared, url: &Url) -> Option<String> {
    read_uid_at(shared, url).await.ok().flatten()
}

/// The UID of the event at `url`: None when nothing (readable) is there,
/// Err when the server could not be asked.
async fn read_uid_at(shared: &Shared, url: &Url) -> Result<Option<String>, caldav::Error> {
    let get = Get { url: url.clone() };
    let object = match with_retries(|| shared.client.run(&get)).await.0 {
        Ok(o) => o,
        Err(caldav::Error::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Ok(doc) = Document::parse(&object.data) else { return Ok(None) };
    Ok(doc.calendar().and_then(|c| c.children().find_map(crate::ical::event::uid)))
}

/// A duplicate found only while writing (the cache did not know it): it is
/// journalled as such first, so a crash now is not later taken for our write.
async fn found_there(shared: &Shared, item: &Item, href: &Url) -> Outcome {
    if let Err(e) = shared.job.journal.record(&item.uid, Step::Skipped, Some("already in the calendar")) {
        return Outcome::Failed(e.to_string());
    }
    duplicate(shared, item, href).await
}

/// An entry whose UID the calendar already holds.
async fn duplicate(shared: &Shared, item: &Item, href: &Url) -> Outcome {
    let job = &shared.job;
    if !job.update_duplicates {
        return Outcome::Skipped("already in the calendar".into());
    }
    // SCHEDULE-AGENT=CLIENT only keeps new events quiet; an update would
    // notify, which the person accepted only if they confirmed it.
    if job.plan.marks_attendees() && !job.loud_updates_confirmed {
        return Outcome::Skipped(
            "already in the calendar; replacing it would notify its attendees on this server".into(),
        );
    }
    if !item.has_master {
        return Outcome::Skipped(
            "already in the calendar; the file holds only single occurrences, and replacing would drop the rest of the series"
                .into(),
        );
    }
    let get = Get { url: href.clone() };
    let current = match with_retries(|| shared.client.run(&get)).await.0 {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(format!("could not read the calendar's copy: {e}")),
    };
    let Some(etag) = current.etag.filter(|e| !e.is_weak()) else {
        return Outcome::Failed("the server gave no usable ETag, so it can't be updated safely".into());
    };
    let put = Put {
        url: href.clone(),
        data: item.data.clone(),
        precondition: Precondition::IfMatch(etag.clone()),
        scheduling: job.plan.headers.clone(),
    };
    let (result, maybe_landed) = with_retries(|| shared.client.run(&put)).await;
    // An unanswered attempt may be the one that moved the ETag, or landed
    // although no answer came: what the server holds decides.
    let unanswered =
        maybe_landed && matches!(&result, Err(e) if *e == caldav::Error::EtagMismatch || e.is_transient());
    if unanswered && holds_update(shared, item, href, &etag).await {
        return Outcome::Updated;
    }
    match result {
        Ok(_) => Outcome::Updated,
        Err(caldav::Error::EtagMismatch) => {
            Outcome::Failed("it changed on the server during the import; run the import again".into())
        }
        Err(e) => Outcome::Failed(refusal(&e)),
    }
}

/// Whether the server's copy at `href` moved on from `old` to what the
/// file holds (same times, place, title, attendees…: no consequential
/// difference).
async fn holds_update(shared: &Shared, item: &Item, href: &Url, old: &caldav::Etag) -> bool {
    let get = Get { url: href.clone() };
    let Ok(now) = with_retries(|| shared.client.run(&get)).await.0 else { return false };
    if now.etag.as_ref() == Some(old) {
        return false;
    }
    match (Document::parse(&item.data), Document::parse(&now.data)) {
        (Ok(ours), Ok(theirs)) => {
            !crate::ical::diff::diff(&ours, &theirs, &crate::ical::Identity::new(Vec::<String>::new()))
                .is_consequential()
        }
        _ => false,
    }
}

/// Retries what failed for a passing reason. Safe for these writes: each
/// carries a precondition, so a retry can't apply twice. Also says whether
/// an attempt may have landed unseen (timeout or broken connection).
async fn with_retries<T, F, Fut>(mut attempt: F) -> (Result<T, caldav::Error>, bool)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, caldav::Error>>,
{
    let mut result = attempt().await;
    let mut maybe_landed = false;
    for wait in RETRIES {
        match &result {
            Err(e) if e.is_transient() => {
                maybe_landed |= matches!(e, caldav::Error::Timeout | caldav::Error::Connection(_));
                tokio::time::sleep(Duration::from_millis(wait)).await;
                result = attempt().await;
            }
            _ => break,
        }
    }
    (result, maybe_landed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_are_stable_and_safe() {
        let cal = Url::parse("https://h/cal/home").unwrap();
        assert_eq!(
            resource_url(&cal, "abc-1@example.com").as_str(),
            "https://h/cal/home/abc-1@example.com.ics"
        );
        let odd = resource_url(&cal, "a/b?c#d");
        assert!(odd.as_str().starts_with("https://h/cal/home/convene-"), "{odd}");
        assert_eq!(odd, resource_url(&cal, "a/b?c#d"));
        assert_ne!(odd, resource_url(&cal, "a/b?c#e"));
        assert!(resource_url(&cal, "../x").as_str().starts_with("https://h/cal/home/convene-"));
    }

    #[test]
    fn schedule_agent_goes_on_every_organizer_and_attendee() {
        let data = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20300101T100000Z\r\n\
ORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let out = mark_schedule_agent_client(data).unwrap();
        assert!(out.contains("ORGANIZER;SCHEDULE-AGENT=CLIENT:mailto:o@example.com"), "{out}");
        assert!(
            out.contains("ATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-AGENT=CLIENT:mailto:a@example.com"),
            "{out}"
        );
        assert!(out.contains("DTSTART:20300101T100000Z\r\n"));
    }

    #[test]
    fn progress_counts_only_this_runs_work_in_the_rate() {
        let p = Progress { total: 100, done: 60, earlier: 50, failed: 0, elapsed: Duration::from_secs(5) };
        assert_eq!(p.rate(), 2.0);
        assert_eq!(p.remaining(), Some(Duration::from_secs(20)));
    }
}
