//! Reading .ics files for import: each event or task (with its overrides
//! and the time zones it uses) becomes one calendar object to create, and
//! each entry that can't be imported is reported with its line and reason.
//! Nothing here touches the network.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::ical::lines::Document;

mod entries;
mod repair;
mod windows_zones;
pub mod zones;
use entries::{group_by_uid, make_item, read_entry, read_zone};

/// Files larger than this are refused whole (a calendar export is rarely
/// more than a few megabytes; this guards memory, not taste).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Event,
    Task,
}

/// One calendar object resource to create: a VEVENT or VTODO and its
/// RECURRENCE-ID overrides (same UID), as a complete VCALENDAR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub uid: String,
    pub kind: Kind,
    pub summary: Option<String>,
    /// Where the (first) component begins: file and 1-based line.
    pub file: PathBuf,
    pub line: usize,
    /// First start and last end over the master and its overrides, for the
    /// preview's date range (floating and DATE values read as local time).
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// ORGANIZER address as written (e.g. `mailto:ann@example.com`).
    pub organizer: Option<String>,
    /// ATTENDEE addresses over master and overrides, first seen order, no repeats.
    pub attendees: Vec<String>,
    /// False when the file holds only overrides (single occurrences).
    pub has_master: bool,
    /// `BEGIN:VCALENDAR … END:VCALENDAR` ready for PUT: VERSION and PRODID
    /// from the file (defaults if missing), no METHOD, the VTIMEZONEs the
    /// item's TZIDs name, then the item's components, CRLF line endings.
    pub data: String,
    /// What the reader mended, in words ("DTSTART read as a date").
    pub repairs: Vec<String>,
    /// Why a server could choke on it: imported only when the person
    /// confirms (`--import-flagged`, or the wizard's checkbox).
    pub flags: Vec<String>,
    /// TZIDs that nothing resolves (the file doesn't define them, the
    /// database and the Windows names don't know them, no X-WR-TIMEZONE):
    /// a server would refuse the entry or read its times as floating, so it
    /// waits until the person says which zone each means
    /// ([`Batch::choose_zone`]); no confirmation stands in for that.
    pub unknown_zones: Vec<String>,
}

impl Item {
    /// Where it is and what it is called, as lists name it: `file:line title`.
    pub fn place(&self) -> String {
        format!("{}:{} {}", self.file.display(), self.line, self.summary.as_deref().unwrap_or("(no title)"))
    }

    /// Why it is not written, if it isn't: a time zone to choose, or flags
    /// the person has not `confirmed`.
    pub fn held_back(&self, confirmed: bool) -> Option<String> {
        if !self.unknown_zones.is_empty() {
            let names: Vec<String> = self.unknown_zones.iter().map(|n| format!("{n:?}")).collect();
            return Some(format!(
                "held back until you choose the time zone {} means: nothing defines or resolves that name",
                names.join(" and ")
            ));
        }
        (!self.flags.is_empty() && !confirmed)
            .then(|| format!("held back until you confirm it: {}", self.flags.join("; ")))
    }
}

/// An entry that can't be imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bad {
    pub file: PathBuf,
    /// 1-based line where the entry (or the problem) is; 0 for the whole file.
    pub line: usize,
    pub uid: Option<String>,
    pub problem: String,
}

/// A line skipped that belongs to no entry (stray text outside any
/// VCALENDAR, a broken `X-` line of the calendar): said, not failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub text: String,
}

/// `file:line: text`, or `file: text` for the whole file (line 0).
fn write_at(f: &mut std::fmt::Formatter<'_>, file: &Path, line: usize, text: &str) -> std::fmt::Result {
    if line == 0 {
        write!(f, "{}: {text}", file.display())
    } else {
        write!(f, "{}:{line}: {text}", file.display())
    }
}

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_at(f, &self.file, self.line, &self.problem)
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_at(f, &self.file, self.line, &self.text)
    }
}

/// What the files hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub items: Vec<Item>,
    pub bad: Vec<Bad>,
    pub notes: Vec<Note>,
}

impl Batch {
    /// The time zone names entries wait for, first seen first, with how
    /// many entries use each.
    pub fn unknown_zones(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for name in self.items.iter().flat_map(|i| &i.unknown_zones) {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => out.push((name.clone(), 1)),
            }
        }
        out
    }

    /// The person's answer to an unknown zone name: every entry using it
    /// reads it as `tz` (its TZIDs renamed, a VTIMEZONE from the database
    /// added, the repair said); every other byte stays. Returns how many
    /// entries it changed.
    pub fn choose_zone(&mut self, name: &str, tz: chrono_tz::Tz) -> usize {
        let mut cache = zones::Cache::default();
        self.items
            .iter_mut()
            .map(|i| repair::choose_zone(i, name, tz, &mut cache))
            .filter(|&changed| changed)
            .count()
    }
}

/// Reads and checks every file (I/O errors become [`Bad`] entries for that file).
///
/// A file named twice (compared after resolving links) is read once. A UID
/// that an earlier file already holds is reported, not imported twice.
pub fn read_files(paths: &[PathBuf]) -> Batch {
    let mut batch = Batch::default();
    let mut read = HashSet::new();
    let mut uids: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for path in paths {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if !read.insert(key) {
            continue;
        }
        let found = match read_text(path) {
            Ok(text) => parse(path, &text),
            Err(problem) => Batch {
                items: Vec::new(),
                bad: vec![Bad { file: path.clone(), line: 0, uid: None, problem }],
                notes: Vec::new(),
            },
        };
        batch.notes.extend(found.notes);
        let mut bad = found.bad;
        for item in found.items {
            match uids.get(&item.uid) {
                Some((file, line)) => bad.push(Bad {
                    file: item.file.clone(),
                    line: item.line,
                    uid: Some(item.uid.clone()),
                    problem: format!("UID {} already appears at {}:{line}", item.uid, file.display()),
                }),
                None => {
                    uids.insert(item.uid.clone(), (item.file.clone(), item.line));
                    batch.items.push(item);
                }
            }
        }
        bad.sort_by_key(|b| b.line);
        batch.bad.extend(bad);
    }
    batch
}

/// Parses one file's text (`file` only names it in the results).
///
/// Each component is checked on its own, so one broken entry costs only
/// itself. Recurring events are not expanded: an item's `start`/`end` cover
/// the master's first occurrence and the overrides, enough for a preview.
pub fn parse(file: &Path, text: &str) -> Batch {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let scan = Scan::of(text);
    if scan.calendars.is_empty() {
        let problem = "no BEGIN:VCALENDAR: not an iCalendar file".to_owned();
        return Batch {
            items: Vec::new(),
            bad: vec![Bad { file: file.to_owned(), line: 1, uid: None, problem }],
            notes: Vec::new(),
        };
    }
    let mut problems = scan.problems;
    let mut zones = HashMap::new();
    let mut entries = Vec::new();
    for chunk in &scan.chunks {
        let result = match chunk.name.as_str() {
            "VEVENT" | "VTODO" => read_entry(chunk).map(|entry| entries.push(entry)),
            "VTIMEZONE" => read_zone(chunk, &mut zones),
            other => Err(chunk.problem(not_imported(other))),
        };
        if let Err(problem) = result {
            problems.push(problem);
        }
    }
    let groups = group_by_uid(entries, &mut problems);
    let mut cache = zones::Cache::default();
    let items =
        groups.into_iter().filter_map(|g| make_item(file, g, &scan.calendars, &zones, &mut cache)).collect();
    problems.sort_by_key(|p| p.line);
    let mut notes = scan.notes;
    notes.sort_by_key(|p| p.line);
    Batch {
        items,
        bad: problems.into_iter().map(|p| p.into_bad(file)).collect(),
        notes: notes
            .into_iter()
            .map(|p| Note { file: file.to_owned(), line: p.line, text: p.problem })
            .collect(),
    }
}

/// FNV-1a, 64 bits: a hash that stays the same across runs, platforms and
/// Rust versions (std's `DefaultHasher` promises none of that).
pub(crate) fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Components that only ever sit directly inside a VCALENDAR: meeting one
/// inside another component means that one was never closed.
const TOP_LEVEL: [&str; 7] =
    ["VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"];

/// Each chunk is parsed inside this wrapper; the writer gives these lines
/// back exactly, so they peel off again.
const WRAP_BEGIN: &str = "BEGIN:VCALENDAR\r\n";
const WRAP_END: &str = "END:VCALENDAR\r\n";
const DEFAULT_VERSION: &str = "VERSION:2.0\r\n";
const DEFAULT_PRODID: &str = "PRODID:-//Convene//Import//EN\r\n";
/// The longest calendar-level line (VERSION, PRODID, CALSCALE) copied into
/// each entry as written: RFC 5545's line length, so a real exporter's
/// lines (Cyrus's PRODID is 63 octets) all fit.
const HEADER_LINE_MAX: usize = 75;

fn read_text(path: &Path) -> Result<String, String> {
    let unreadable = |e: std::io::Error| format!("can't be read: {e}");
    let too_large = || format!("is larger than {} MB", MAX_FILE_BYTES / (1024 * 1024));
    let file = File::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // Bounded even if the file grows while we read it.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("is not UTF-8 text (byte {at}, line {line})")
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

fn not_imported(name: &str) -> String {
    match name {
        "VJOURNAL" => "journal entries are not imported".to_owned(),
        "VFREEBUSY" => "free/busy blocks are not imported".to_owned(),
        other => format!("{other} components are not imported"),
    }
}

/// A problem found in the file, before it is tied to the file's name.
#[derive(Debug)]
struct Problem {
    line: usize,
    uid: Option<String>,
    problem: String,
}

impl Problem {
    fn into_bad(self, file: &Path) -> Bad {
        Bad { file: file.to_owned(), line: self.line, uid: self.uid, problem: self.problem }
    }
}

/// A logical line: a physical line with its continuation lines unfolded in.
struct Logical {
    /// 1-based number of its first physical line.
    number: usize,
    /// How many physical lines it spans.
    span: usize,
    text: String,
}

/// Splits on LF (CRLF and LF may mix) and unfolds, the way `lines.rs` does.
fn logical_lines(physical: &[&str]) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    for (i, raw) in physical.iter().enumerate() {
        match out.last_mut() {
            Some(previous) if raw.starts_with([' ', '\t']) => {
                previous.text.push_str(&raw[1..]);
                previous.span += 1;
            }
            _ => out.push(Logical { number: i + 1, span: 1, text: (*raw).to_owned() }),
        }
    }
    out
}

/// Physical lines `first..first + count` (0-based) with CRLF endings.
fn raw_text(physical: &[&str], first: usize, count: usize) -> String {
    let lines = physical.get(first..first + count).unwrap_or_default();
    lines.iter().flat_map(|l| [*l, "\r\n"]).collect()
}

enum Mark {
    Begin(String),
    End(String),
    Other,
}

/// `BEGIN:x` / `END:x` in any letter case, with the component name upper-cased.
fn mark(text: &str) -> Mark {
    let Some((name, value)) = text.split_once(':') else { return Mark::Other };
    let value = value.trim().to_ascii_uppercase();
    if name.eq_ignore_ascii_case("BEGIN") {
        Mark::Begin(value)
    } else if name.eq_ignore_ascii_case("END") {
        Mark::End(value)
    } else {
        Mark::Other
    }
}

/// A BEGIN where reading outside a calendar picks up again.
fn is_resync_begin(line: &Logical) -> bool {
    matches!(mark(&line.text), Mark::Begin(name) if TOP_LEVEL.contains(&name.as_str()))
}

/// Where a resync may pick up after a broken component.
fn is_resync_point(line: &Logical) -> bool {
    match mark(&line.text) {
        Mark::Begin(name) => TOP_LEVEL.contains(&name.as_str()),
        Mark::End(name) => name == "VCALENDAR",
        Mark::Other => false,
    }
}

/// The UID property directly inside a component, from its raw lines (those
/// after its BEGIN), for reporting a component that doesn't parse.
fn uid_in(lines: &[Logical]) -> Option<String> {
    let mut depth = 0usize;
    for line in lines {
        match mark(&line.text) {
            Mark::Begin(_) => depth += 1,
            Mark::End(_) => depth = depth.checked_sub(1)?,
            Mark::Other if depth == 0 => {
                let Some((head, value)) = line.text.split_once(':') else { continue };
                if head.split(';').next().is_some_and(|n| n.eq_ignore_ascii_case("UID")) {
                    return Some(value.trim().to_owned()).filter(|v| !v.is_empty());
                }
            }
            Mark::Other => {}
        }
    }
    None
}

/// The calendar-level lines an item copies, as written (CRLF).
#[derive(Debug, Default)]
struct Header {
    version: Option<String>,
    prodid: Option<String>,
    calscale: Option<String>,
    /// X-WR-TIMEZONE's value: the zone of the calendar's floating times.
    time_zone: Option<String>,
}

/// One component directly inside a VCALENDAR, as written.
#[derive(Debug)]
struct Chunk {
    /// Upper-cased component name.
    name: String,
    /// File line of its BEGIN.
    line: usize,
    /// Its physical lines, CRLF endings.
    text: String,
    /// Index of its VCALENDAR among the file's.
    calendar: usize,
    /// Its UID as written, if any.
    uid: Option<String>,
    /// Written with no VCALENDAR around it.
    bare: bool,
}

/// Broken lines one entry may have left out before it is refused.
const MAX_MENDS: usize = 100;

impl Chunk {
    fn problem(&self, problem: impl Into<String>) -> Problem {
        Problem { line: self.line, uid: self.uid.clone(), problem: problem.into() }
    }

    /// The chunk alone in a VCALENDAR, with its broken `X-` lines and
    /// parameters left out (each said in the notes); errors name file lines.
    fn parse(&self) -> Result<(Document, Vec<String>), Problem> {
        // Physical lines with their file line numbers, so that lines left
        // out don't shift the numbers errors name.
        let mut lines: Vec<(usize, String)> =
            self.text.split_inclusive('\n').enumerate().map(|(k, l)| (self.line + k, l.to_owned())).collect();
        let mut notes = Vec::new();
        loop {
            let text: String = lines.iter().map(|(_, l)| l.as_str()).collect();
            let e = match Document::parse(&format!("{WRAP_BEGIN}{text}{WRAP_END}")) {
                Ok(doc) => return Ok((doc, notes)),
                Err(e) => e,
            };
            // Line 1 is the wrapper; line 2 is the chunk's BEGIN.
            let k = e.line.saturating_sub(2).min(lines.len().saturating_sub(1));
            let line = lines.get(k).map_or(self.line, |l| l.0);
            let refused = self.problem(format!("line {line}: {}", e.problem));
            let span = 1 + lines[k + 1..].iter().take_while(|(_, l)| l.starts_with([' ', '\t'])).count();
            let logical: String = lines[k..k + span]
                .iter()
                .enumerate()
                .map(|(n, (_, l))| {
                    let l = l.trim_end_matches(['\r', '\n']);
                    if n > 0 { &l[1..] } else { l }
                })
                .collect();
            // Each mend parses the chunk again: past a limit, an entry made
            // of broken lines is refused rather than costing quadratic time.
            if notes.len() >= MAX_MENDS {
                return Err(
                    self.problem(format!("line {line}: more than {MAX_MENDS} broken lines in one entry"))
                );
            }
            let Some(fix) = repair::mend(&logical) else { return Err(refused) };
            notes.push(fix.note());
            let replacement = match fix {
                repair::Fix::Drop(_) => Vec::new(),
                repair::Fix::Replace { line: text, .. } => {
                    vec![(line, format!("{}\r\n", crate::ical::lines::fold(&text, "\r\n")))]
                }
            };
            lines.splice(k..k + span, replacement);
        }
    }
}

/// How a component that begins at some line ends.
enum Closing {
    /// At this logical line (index).
    At(usize),
    /// Not before this logical line (index), where another component begins
    /// or the calendar or file ends.
    Never(usize),
    /// An END at this index names the wrong component.
    Wrong(usize, String),
}

/// Finds the END matching the BEGIN at `lines[i]`, nested components and all.
fn find_end(lines: &[Logical], i: usize, name: &str) -> Closing {
    let mut open = vec![(name.to_owned(), lines[i].number)];
    for (j, line) in lines.iter().enumerate().skip(i + 1) {
        match mark(&line.text) {
            Mark::Begin(n) if TOP_LEVEL.contains(&n.as_str()) => return Closing::Never(j),
            Mark::Begin(n) => open.push((n, line.number)),
            Mark::End(n) if n == "VCALENDAR" => return Closing::Never(j),
            Mark::End(n) => match open.pop() {
                Some((o, _)) if o == n => {
                    if open.is_empty() {
                        return Closing::At(j);
                    }
                }
                Some((o, at)) => return Closing::Wrong(j, format!("END:{n} closes BEGIN:{o} (line {at})")),
                // Unreachable: we return as soon as the stack empties.
                None => return Closing::At(j),
            },
            Mark::Other => {}
        }
    }
    Closing::Never(lines.len())
}

/// The file cut into calendars and their components, with the problems of
/// its structure. Nothing inside a component is parsed yet.
#[derive(Debug, Default)]
struct Scan {
    calendars: Vec<Header>,
    chunks: Vec<Chunk>,
    problems: Vec<Problem>,
    /// Lines skipped that belong to no entry.
    notes: Vec<Problem>,
    /// The calendar that components written without one belong to.
    bare: Option<usize>,
}

impl Scan {
    fn of(text: &str) -> Scan {
        let physical: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        let lines = logical_lines(&physical);
        let mut scan = Scan::default();
        let mut in_calendar = false;
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            if line.text.trim().is_empty() {
                i += 1;
                continue;
            }
            i = match (in_calendar, mark(&line.text)) {
                // A BEGIN:VCALENDAR inside one means the last END:VCALENDAR
                // went missing: start afresh either way.
                (_, Mark::Begin(name)) if name == "VCALENDAR" => {
                    scan.calendars.push(Header::default());
                    in_calendar = true;
                    i + 1
                }
                // A component with no VCALENDAR around it (web sites and
                // scripts write them): read as if it had one.
                (false, Mark::Begin(name)) if TOP_LEVEL.contains(&name.as_str()) => {
                    let calendar = *scan.bare.get_or_insert_with(|| {
                        scan.calendars.push(Header::default());
                        scan.calendars.len() - 1
                    });
                    scan.component(&lines, &physical, i, name, calendar, true)
                }
                (false, _) => scan.outside(&lines, i),
                (true, Mark::End(name)) if name == "VCALENDAR" => {
                    in_calendar = false;
                    i + 1
                }
                (true, Mark::Begin(name)) => {
                    let calendar = scan.calendars.len().saturating_sub(1);
                    scan.component(&lines, &physical, i, name, calendar, false)
                }
                (true, Mark::End(name)) => {
                    let problem = format!("END:{name} without BEGIN:{name}");
                    scan.problems.push(Problem { line: line.number, uid: None, problem });
                    i + 1
                }
                (true, Mark::Other) => {
                    scan.calendar_line(line, &physical);
                    i + 1
                }
            };
        }
        scan
    }

    /// Text outside any VCALENDAR or component: skipped with one note,
    /// on to the next component or calendar.
    fn outside(&mut self, lines: &[Logical], i: usize) -> usize {
        let line = &lines[i];
        let excerpt: String = line.text.chars().take(40).collect();
        let next = lines.iter().skip(i + 1).position(is_resync_begin).map_or(lines.len(), |p| i + 1 + p);
        let count = lines[i..next].iter().filter(|l| !l.text.trim().is_empty()).count();
        let lines_word = if count == 1 { "line".to_owned() } else { format!("{count} lines") };
        let problem = format!("skipped {lines_word} outside BEGIN:VCALENDAR … END:VCALENDAR ({excerpt:?})");
        self.notes.push(Problem { line: line.number, uid: None, problem });
        next
    }

    /// A component inside the calendar: a chunk if it closes properly, else
    /// a problem and a resync at the next top-level component.
    fn component(
        &mut self,
        lines: &[Logical],
        physical: &[&str],
        i: usize,
        name: String,
        calendar: usize,
        bare: bool,
    ) -> usize {
        let begin = &lines[i];
        match find_end(lines, i, &name) {
            Closing::At(j) => {
                let last = &lines[j];
                let count = last.number + last.span - begin.number;
                self.chunks.push(Chunk {
                    text: raw_text(physical, begin.number - 1, count),
                    line: begin.number,
                    calendar,
                    uid: uid_in(&lines[i + 1..j]),
                    name,
                    bare,
                });
                j + 1
            }
            Closing::Never(j) => {
                let problem = match lines.get(j) {
                    Some(next) => format!("BEGIN:{name} has no END:{name} before line {}", next.number),
                    None => format!("BEGIN:{name} has no END:{name}: the file ends first (truncated?)"),
                };
                self.problems.push(Problem { line: begin.number, uid: uid_in(&lines[i + 1..j]), problem });
                j
            }
            Closing::Wrong(j, problem) => {
                self.problems.push(Problem { line: lines[j].number, uid: uid_in(&lines[i + 1..j]), problem });
                lines.iter().skip(j + 1).position(is_resync_point).map_or(lines.len(), |p| j + 1 + p)
            }
        }
    }

    /// A property of the VCALENDAR itself: keep the ones items copy.
    fn calendar_line(&mut self, line: &Logical, physical: &[&str]) {
        let raw = raw_text(physical, line.number - 1, line.span);
        let prop = match Document::parse(&format!("{WRAP_BEGIN}{raw}{WRAP_END}")) {
            Ok(doc) => doc.calendar().and_then(|c| c.props().next()).cloned(),
            Err(e) => {
                let problem = match repair::mend(&line.text) {
                    Some(fix @ repair::Fix::Drop(_)) => {
                        self.notes.push(Problem { line: line.number, uid: None, problem: fix.note() });
                        return;
                    }
                    _ => e.problem,
                };
                self.problems.push(Problem { line: line.number, uid: None, problem });
                return;
            }
        };
        let Some(header) = self.calendars.last_mut() else { return };
        let Some(prop) = prop else { return };
        let slot = match prop.name.as_str() {
            "VERSION" => &mut header.version,
            "PRODID" => &mut header.prodid,
            "CALSCALE" => &mut header.calscale,
            "X-WR-TIMEZONE" => {
                header.time_zone.get_or_insert(prop.value.trim().to_owned());
                return;
            }
            _ => return,
        };
        if slot.is_some() {
            return;
        }
        // Every entry carries these lines, so a long one would be copied
        // once per entry: only a line of ordinary length is kept as written.
        if raw.len() > HEADER_LINE_MAX + 2 {
            let instead = match prop.name.as_str() {
                "CALSCALE" => "it is left out (GREGORIAN, the default, applies)".to_owned(),
                name => format!("Convene's own {name} is sent instead"),
            };
            let problem =
                format!("the calendar's {} line is {} bytes long; {instead}", prop.name, raw.len() - 2);
            self.notes.push(Problem { line: line.number, uid: None, problem });
            return;
        }
        *slot = Some(raw);
    }
}

#[cfg(test)]
mod tests;
