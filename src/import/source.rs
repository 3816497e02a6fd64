//! Reading .ics files for import: each event or task (with its overrides
//! and the time zones it uses) becomes one calendar object to create, and
//! each entry that can't be imported is reported with its line and reason.
//! Nothing here touches the network.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::ical::event::{self, When};
use crate::ical::lines::{self, Component, Document, Line};
use crate::ical::occurrence::{length, parse_duration};
use crate::ical::time::to_local;

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

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.problem)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.problem)
        }
    }
}

/// What the files hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub items: Vec<Item>,
    pub bad: Vec<Bad>,
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
            },
        };
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
    let items = groups.iter().filter_map(|g| make_item(file, g, &scan.calendars, &zones)).collect();
    problems.sort_by_key(|p| p.line);
    Batch { items, bad: problems.into_iter().map(|p| p.into_bad(file)).collect() }
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

fn is_begin_calendar(line: &Logical) -> bool {
    matches!(mark(&line.text), Mark::Begin(name) if name == "VCALENDAR")
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
}

impl Chunk {
    fn problem(&self, problem: impl Into<String>) -> Problem {
        Problem { line: self.line, uid: self.uid.clone(), problem: problem.into() }
    }

    /// The chunk alone in a VCALENDAR; errors name file lines.
    fn parse(&self) -> Result<Document, Problem> {
        Document::parse(&format!("{WRAP_BEGIN}{}{WRAP_END}", self.text)).map_err(|e| {
            // Line 1 is the wrapper; line 2 is the chunk's BEGIN.
            let line = self.line + e.line.saturating_sub(2);
            self.problem(format!("line {line}: {}", e.problem))
        })
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
                (false, _) => scan.outside(&lines, i),
                (true, Mark::End(name)) if name == "VCALENDAR" => {
                    in_calendar = false;
                    i + 1
                }
                (true, Mark::Begin(name)) => scan.component(&lines, &physical, i, name),
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

    /// Text outside any VCALENDAR: one report, then on to the next one.
    fn outside(&mut self, lines: &[Logical], i: usize) -> usize {
        let line = &lines[i];
        let excerpt: String = line.text.chars().take(40).collect();
        let problem = format!("{excerpt:?} is outside BEGIN:VCALENDAR … END:VCALENDAR");
        self.problems.push(Problem { line: line.number, uid: None, problem });
        lines.iter().skip(i + 1).position(is_begin_calendar).map_or(lines.len(), |p| i + 1 + p)
    }

    /// A component inside the calendar: a chunk if it closes properly, else
    /// a problem and a resync at the next top-level component.
    fn component(&mut self, lines: &[Logical], physical: &[&str], i: usize, name: String) -> usize {
        let begin = &lines[i];
        match find_end(lines, i, &name) {
            Closing::At(j) => {
                let last = &lines[j];
                let count = last.number + last.span - begin.number;
                self.chunks.push(Chunk {
                    text: raw_text(physical, begin.number - 1, count),
                    line: begin.number,
                    calendar: self.calendars.len().saturating_sub(1),
                    uid: uid_in(&lines[i + 1..j]),
                    name,
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
        let name = match Document::parse(&format!("{WRAP_BEGIN}{raw}{WRAP_END}")) {
            Ok(doc) => doc.calendar().and_then(|c| c.props().next()).map(|l| l.name.clone()),
            Err(e) => {
                self.problems.push(Problem { line: line.number, uid: None, problem: e.problem });
                return;
            }
        };
        let Some(header) = self.calendars.last_mut() else { return };
        let slot = match name.as_deref() {
            Some("VERSION") => &mut header.version,
            Some("PRODID") => &mut header.prodid,
            Some("CALSCALE") => &mut header.calscale,
            _ => return,
        };
        slot.get_or_insert(raw);
    }
}

/// A VEVENT or VTODO that parsed and passed its checks.
#[derive(Debug)]
struct Entry {
    kind: Kind,
    uid: String,
    recurrence_id: Option<String>,
    line: usize,
    calendar: usize,
    component: Component,
    /// The component as written (plus a generated UID), CRLF endings.
    text: String,
}

fn read_entry(chunk: &Chunk) -> Result<Entry, Problem> {
    let mut doc = chunk.parse()?;
    let Some(component) = doc.calendar_mut().and_then(|c| c.children_mut().next()) else {
        return Err(chunk.problem(format!("{} is empty", chunk.name)));
    };
    let uid = match event::uid(component).filter(|u| !u.is_empty()) {
        Some(uid) => uid,
        None => {
            // Derived from the text, so importing the same file again finds
            // the same UID and creates no duplicate.
            // Stamps change with every export of the same event: leave them out.
            let stable: String = chunk
                .text
                .split_inclusive('\n')
                .filter(|l| {
                    !["DTSTAMP", "LAST-MODIFIED"].iter().any(|p| l.to_ascii_uppercase().starts_with(p))
                })
                .collect();
            let uid = format!("convene-import-{:016x}", fnv1a_64(stable.as_bytes()));
            component.remove_props("UID");
            component.push_prop(Line::new("UID", Vec::new(), &uid));
            uid
        }
    };
    let kind = if chunk.name == "VTODO" { Kind::Task } else { Kind::Event };
    check_entry(kind, component).map_err(|problem| chunk.problem(problem))?;
    let component = component.clone();
    Ok(Entry {
        kind,
        recurrence_id: event::recurrence_id(&component),
        uid,
        line: chunk.line,
        calendar: chunk.calendar,
        text: component_text(&doc),
        component,
    })
}

/// What a server would refuse, or what would make the preview wrong.
fn check_entry(kind: Kind, c: &Component) -> Result<(), String> {
    let name = &c.name;
    let start = c.prop("DTSTART");
    // RFC 5545 lets a VEVENT go without DTSTART when there is a METHOD;
    // CalDAV servers refuse such events.
    if kind == Kind::Event && start.is_none() {
        return Err(format!("{name} has no DTSTART"));
    }
    for prop in ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"] {
        if let Some(line) = c.prop(prop)
            && !is_date_or_date_time(&line.value)
        {
            let value = line.value.trim();
            let what = if value.contains('T') { "date-time" } else { "date" };
            return Err(format!("{prop} {value:?} is not a valid {what}"));
        }
    }
    let end_prop = if kind == Kind::Event { "DTEND" } else { "DUE" };
    if let Some(duration) = c.prop("DURATION") {
        if c.prop(end_prop).is_some() {
            return Err(format!("{name} has both {end_prop} and DURATION"));
        }
        if parse_duration(&duration.value).is_none() {
            return Err(format!("DURATION {:?} is not a valid duration", duration.value.trim()));
        }
        if start.is_none() {
            return Err(format!("{name} has DURATION but no DTSTART"));
        }
    }
    // Compared only where both instants are known: an unknown zone name
    // (Outlook's Windows names) reads as floating time, and a flight from
    // one such zone to another can rightly end "before" it starts.
    let when = |prop: &str| c.prop(prop).map(When::from_line);
    let known = |w: &When| {
        w.tzid.as_deref().is_none_or(|z| z.trim_start_matches('/').parse::<chrono_tz::Tz>().is_ok())
    };
    let (start_at, end_at) = (when("DTSTART"), when(end_prop));
    let comparable = match (&start_at, &end_at) {
        (Some(a), Some(b)) => a.tzid == b.tzid || (known(a) && known(b)),
        _ => false,
    };
    if comparable
        && let (Some(s), Some(e)) = (start_at.as_ref().and_then(to_local), end_at.as_ref().and_then(to_local))
        && e < s
    {
        return Err(format!("{end_prop} is before DTSTART"));
    }
    Ok(())
}

/// `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]` naming a real day and time. The shape
/// is checked first because chrono's parser accepts shorter fields.
fn is_date_or_date_time(value: &str) -> bool {
    let v = value.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match v.split_once('T') {
        None => digits(v, 8) && NaiveDate::parse_from_str(v, "%Y%m%d").is_ok(),
        Some((date, time)) => {
            let time = time.strip_suffix('Z').unwrap_or(time);
            digits(date, 8)
                && digits(time, 6)
                && NaiveDateTime::parse_from_str(&format!("{date}T{time}"), "%Y%m%dT%H%M%S").is_ok()
        }
    }
}

fn read_zone(chunk: &Chunk, zones: &mut HashMap<String, String>) -> Result<(), Problem> {
    let doc = chunk.parse()?;
    let zone = doc.calendar().and_then(|c| c.children().next());
    // The property is TEXT (`\,` escapes); the parameters naming it are not.
    let tzid =
        zone.and_then(|z| z.prop("TZID")).map(|l| event::unescape(l.value.trim())).filter(|t| !t.is_empty());
    let Some(tzid) = tzid else { return Err(chunk.problem("VTIMEZONE has no TZID")) };
    // Exports that repeat a zone repeat it identically: the first serves.
    zones.entry(tzid).or_insert_with(|| component_text(&doc));
    Ok(())
}

/// The one component of a wrapped chunk, as the writer gives it back.
fn component_text(doc: &Document) -> String {
    let all = doc.to_string();
    all.strip_prefix(WRAP_BEGIN).and_then(|s| s.strip_suffix(WRAP_END)).unwrap_or(&all).to_owned()
}

/// Groups entries by UID in file order. An entry that can't join its group
/// (another kind, a second master, an instance already there) is reported.
fn group_by_uid(entries: Vec<Entry>, problems: &mut Vec<Problem>) -> Vec<Vec<Entry>> {
    let mut groups: Vec<Vec<Entry>> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let Some(&g) = by_uid.get(&entry.uid) else {
            by_uid.insert(entry.uid.clone(), groups.len());
            groups.push(vec![entry]);
            continue;
        };
        let clash = groups[g].iter().find(|m| m.kind != entry.kind || m.recurrence_id == entry.recurrence_id);
        match clash {
            Some(earlier) => problems.push(Problem {
                line: entry.line,
                uid: Some(entry.uid.clone()),
                problem: format!("UID {} already appears at line {}", entry.uid, earlier.line),
            }),
            None => groups[g].push(entry),
        }
    }
    groups
}

fn make_item(
    file: &Path,
    members: &[Entry],
    calendars: &[Header],
    zones: &HashMap<String, String>,
) -> Option<Item> {
    let first = members.first()?;
    let main = members.iter().find(|m| m.recurrence_id.is_none()).unwrap_or(first);
    let (start, end) = span(members);
    Some(Item {
        uid: first.uid.clone(),
        kind: first.kind,
        summary: event::text(&main.component, "SUMMARY"),
        file: file.to_owned(),
        line: first.line,
        start,
        end,
        organizer: event::organizer(&main.component).map(|p| p.address),
        attendees: attendees(members),
        has_master: members.iter().any(|m| m.recurrence_id.is_none()),
        data: calendar_data(members, calendars.get(first.calendar), zones),
    })
}

/// Earliest start and latest end over the members.
fn span(members: &[Entry]) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let (mut start, mut end) = (None, None);
    for (s, e) in members.iter().filter_map(entry_span) {
        start = Some(start.map_or(s, |t: DateTime<Utc>| t.min(s)));
        end = end.max(Some(e));
    }
    (start, end)
}

fn entry_span(entry: &Entry) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let c = &entry.component;
    let utc = |w: &When| to_local(w).map(|t| t.with_timezone(&Utc));
    match entry.kind {
        Kind::Event => {
            // The first occurrence only: RRULEs are not expanded here.
            let when = event::start(c)?;
            let start = utc(&when)?;
            Some((start, start.checked_add_signed(length(c, &when)).unwrap_or(start)))
        }
        Kind::Task => {
            let start = event::start(c).as_ref().and_then(utc);
            let due = c.prop("DUE").map(When::from_line).as_ref().and_then(utc);
            let after_duration = || start?.checked_add_signed(parse_duration(&c.prop("DURATION")?.value)?);
            let end = due.or_else(after_duration).or(start);
            Some((start.or(due)?, end?))
        }
    }
}

/// ATTENDEE addresses, first spelling of each (compared ignoring case).
fn attendees(members: &[Entry]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for person in members.iter().flat_map(|m| event::attendees(&m.component)) {
        if !out.iter().any(|a| a.eq_ignore_ascii_case(&person.address)) {
            out.push(person.address);
        }
    }
    out
}

/// The object to PUT. No METHOD: RFC 4791 §4.1 forbids it in stored objects,
/// and mailed .ics files usually carry one.
fn calendar_data(members: &[Entry], header: Option<&Header>, zones: &HashMap<String, String>) -> String {
    let mut out = String::from(WRAP_BEGIN);
    out.push_str(header.and_then(|h| h.version.as_deref()).unwrap_or(DEFAULT_VERSION));
    out.push_str(header.and_then(|h| h.prodid.as_deref()).unwrap_or(DEFAULT_PRODID));
    out.push_str(header.and_then(|h| h.calscale.as_deref()).unwrap_or_default());
    let mut tzids = Vec::new();
    for m in members {
        collect_tzids(&m.component, &mut tzids);
    }
    // A TZID with no VTIMEZONE in the file stays as it is: servers and
    // clients know the IANA names.
    for zone in tzids.iter().filter_map(|id| zones.get(id)) {
        out.push_str(zone);
    }
    for m in members {
        out.push_str(&m.text);
    }
    out.push_str(WRAP_END);
    out
}

/// TZID parameters anywhere in the component, first use first.
fn collect_tzids(c: &Component, out: &mut Vec<String>) {
    for item in &c.items {
        match item {
            lines::Item::Prop(line) => {
                if let Some(id) = line.param("TZID").map(|p| p.value())
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
            lines::Item::Child(child) => collect_tzids(child, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const GOOD: &str = include_str!("../../tests/fixtures/import/good.ics");
    const MIXED: &str = include_str!("../../tests/fixtures/import/mixed.ics");

    fn crlf(text: &str) -> String {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn local_midnight(date: &str) -> DateTime<Utc> {
        to_local(&When { value: date.into(), tzid: None }).unwrap().with_timezone(&Utc)
    }

    /// Parses `data` as the server would and returns the UIDs it holds.
    fn uids_in(data: &str) -> Vec<String> {
        let doc = Document::parse(data).unwrap();
        let cal = doc.calendar().unwrap();
        let mut uids: Vec<String> = cal.children().filter_map(event::uid).collect();
        uids.dedup();
        uids
    }

    fn item<'a>(batch: &'a Batch, uid: &str) -> &'a Item {
        batch.items.iter().find(|i| i.uid == uid).unwrap()
    }

    /// (line, uid, problem) of each bad entry, for exact comparison.
    fn bad_list(batch: &Batch) -> Vec<(usize, Option<&str>, &str)> {
        batch.bad.iter().map(|b| (b.line, b.uid.as_deref(), b.problem.as_str())).collect()
    }

    fn assert_well_formed(item: &Item) {
        assert_eq!(uids_in(&item.data), vec![item.uid.clone()], "{}", item.data);
        assert!(!item.data.replace("\r\n", "").contains('\n'), "bare LF in {:?}", item.data);
        assert!(item.data.starts_with("BEGIN:VCALENDAR\r\n") && item.data.ends_with("END:VCALENDAR\r\n"));
        assert!(!item.data.contains("METHOD"), "{}", item.data);
    }

    #[test]
    fn good_file_gives_one_item_per_event_and_task() {
        let batch = parse(Path::new("good.ics"), &crlf(GOOD));
        assert_eq!(batch.bad, vec![]);
        let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
        assert_eq!(
            uids,
            ["planning-2030@example.com", "offsite-2030@example.com", "report-2030@example.com"]
        );
        for i in &batch.items {
            assert_well_formed(i);
            assert_eq!(i.file, Path::new("good.ics"));
            assert!(i.data.starts_with(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Mail 1.0//EN\r\nCALSCALE:GREGORIAN\r\n"
            ));
            assert!(!i.data.contains("America/New_York"), "an unused zone is never attached");
        }

        let planning = item(&batch, "planning-2030@example.com");
        assert_eq!((planning.kind, planning.line), (Kind::Event, 29));
        assert_eq!(planning.summary.as_deref(), Some("Planning, Q3"));
        assert_eq!(planning.start, Some(utc(2030, 6, 4, 8, 0)));
        assert_eq!(planning.end, Some(utc(2030, 6, 4, 9, 30)));
        assert_eq!(planning.organizer.as_deref(), Some("mailto:ann@example.com"));
        assert_eq!(planning.attendees, ["mailto:ben@example.com", "mailto:chen@example.com"]);
        assert_eq!(planning.data.matches("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n").count(), 1);
        assert!(planning.data.find("END:VTIMEZONE") < planning.data.find("BEGIN:VEVENT"));

        let offsite = item(&batch, "offsite-2030@example.com");
        assert_eq!((offsite.kind, offsite.line), (Kind::Event, 44));
        assert!(!offsite.data.contains("VTIMEZONE"));
        assert_eq!(offsite.start, Some(local_midnight("20300610")));
        assert_eq!(offsite.end, Some(local_midnight("20300611")), "a DATE without DTEND lasts a day");
        assert_eq!((offsite.organizer.as_ref(), offsite.attendees.len()), (None, 0));

        let report = item(&batch, "report-2030@example.com");
        assert_eq!((report.kind, report.line), (Kind::Task, 50));
        assert_eq!(report.summary.as_deref(), Some("Send the report"));
        assert_eq!(
            (report.start, report.end),
            (Some(utc(2030, 6, 20, 17, 0)), Some(utc(2030, 6, 20, 17, 0)))
        );
        assert!(!report.data.contains("VTIMEZONE"));
    }

    #[test]
    fn components_are_copied_byte_for_byte() {
        let text = crlf(GOOD);
        let batch = parse(Path::new("good.ics"), &text);
        let from = text.find("BEGIN:VEVENT").unwrap();
        let to = text.find("END:VEVENT\r\n").unwrap() + "END:VEVENT\r\n".len();
        assert!(item(&batch, "planning-2030@example.com").data.contains(&text[from..to]));
        let zone_from = text.find("BEGIN:VTIMEZONE").unwrap();
        let zone_to = text.find("END:VTIMEZONE\r\n").unwrap() + "END:VTIMEZONE\r\n".len();
        assert!(item(&batch, "planning-2030@example.com").data.contains(&text[zone_from..zone_to]));
    }

    #[test]
    fn lf_crlf_and_mixed_line_endings_read_the_same() {
        let lf = GOOD.replace("\r\n", "\n");
        let mixed: String = lf
            .split_inclusive('\n')
            .enumerate()
            .map(|(n, l)| if n % 2 == 0 { crlf(l) } else { l.to_owned() })
            .collect();
        let file = Path::new("good.ics");
        let expected = parse(file, &crlf(GOOD));
        assert_eq!(expected.items.len(), 3);
        assert_eq!(parse(file, &lf), expected, "data is CRLF whatever the file used");
        assert_eq!(parse(file, &mixed), expected);
        assert_eq!(parse(file, &format!("\u{feff}{lf}")), expected, "a byte order mark is skipped");
    }

    #[test]
    fn recurring_master_and_its_overrides_are_one_item() {
        let text = "BEGIN:VCALENDAR\r\n\
            PRODID:-//Test//EN\r\n\
            BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nEND:VTIMEZONE\r\n\
            BEGIN:VEVENT\r\nUID:weekly\r\nSUMMARY:Weekly\r\nORGANIZER:mailto:ann@example.com\r\n\
            DTSTART;TZID=Europe/Berlin:20300603T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n\
            ATTENDEE:mailto:ben@example.com\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:weekly\r\nSUMMARY:Weekly (moved)\r\n\
            RECURRENCE-ID;TZID=Europe/Berlin:20300610T100000\r\n\
            DTSTART;TZID=America/New_York:20300611T090000\r\nDTEND;TZID=America/New_York:20300611T100000\r\n\
            ATTENDEE:mailto:Ben@Example.com\r\nATTENDEE:mailto:dee@example.com\r\nEND:VEVENT\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\n\
            END:VCALENDAR\r\n";
        let batch = parse(Path::new("r.ics"), text);
        assert_eq!(batch.bad, vec![]);
        assert_eq!(batch.items.len(), 1);
        let weekly = &batch.items[0];
        assert_well_formed(weekly);
        assert_eq!((weekly.line, weekly.summary.as_deref()), (6, Some("Weekly")));
        assert_eq!(weekly.data.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(weekly.attendees, ["mailto:ben@example.com", "mailto:dee@example.com"]);
        // The master's first occurrence to the moved instance's end (EDT, -4).
        assert_eq!((weekly.start, weekly.end), (Some(utc(2030, 6, 3, 8, 0)), Some(utc(2030, 6, 11, 14, 0))));
        // Both zones, each once, in the order the components first use them,
        // though the file defines them the other way round and late.
        let berlin = weekly.data.find("TZID:Europe/Berlin\r\n").unwrap();
        let new_york = weekly.data.find("TZID:America/New_York\r\n").unwrap();
        assert!(berlin < new_york && new_york < weekly.data.find("BEGIN:VEVENT").unwrap());
        assert_eq!(weekly.data.matches("BEGIN:VTIMEZONE").count(), 2);
        assert!(
            weekly
                .data
                .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE")
        );
    }

    #[test]
    fn an_override_without_its_master_is_still_an_item() {
        let text = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n\
            BEGIN:VEVENT\r\nUID:one-instance\r\nRECURRENCE-ID:20300610T100000Z\r\n\
            DTSTART:20300610T120000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let batch = parse(Path::new("i.ics"), text);
        assert_eq!((batch.items.len(), batch.bad.len()), (1, 0));
        let only = &batch.items[0];
        assert_well_formed(only);
        assert_eq!(only.summary.as_deref(), Some("Moved"));
        assert_eq!((only.start, only.end), (Some(utc(2030, 6, 10, 12, 0)), Some(utc(2030, 6, 10, 12, 0))));
        assert!(
            only.data.starts_with(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Import//EN\r\nBEGIN:VEVENT"
            )
        );
    }

    #[test]
    fn a_missing_uid_is_generated_from_the_text_and_stays_the_same() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
            BEGIN:VEVENT\r\nDTSTART:20300601T090000Z\r\nSUMMARY:No UID\r\n\
            BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
            BEGIN:VTODO\r\nUID:\r\nSUMMARY:Empty UID\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let first = parse(Path::new("a.ics"), text);
        assert_eq!((first.items.len(), first.bad.len()), (2, 0));
        let event = &first.items[0];
        let hash = fnv1a_64(b"BEGIN:VEVENT\r\nDTSTART:20300601T090000Z\r\nSUMMARY:No UID\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n");
        assert_eq!(event.uid, format!("convene-import-{hash:016x}"));
        assert_well_formed(event);
        assert!(event.data.contains(&format!("SUMMARY:No UID\r\nUID:{}\r\nBEGIN:VALARM", event.uid)));
        let task = &first.items[1];
        assert!(task.uid.starts_with("convene-import-") && task.uid != event.uid);
        assert_well_formed(task);
        assert_eq!(task.data.matches("UID:").count(), 1, "the empty UID line is replaced");

        assert_eq!(parse(Path::new("a.ics"), text), first, "a second read gives the same UIDs");
        assert_eq!(parse(Path::new("a.ics"), &text.replace("\r\n", "\n")), first);
    }

    #[test]
    fn each_bad_entry_is_reported_at_its_file_line_and_the_rest_imports() {
        let file = Path::new("mixed.ics");
        for text in [MIXED.to_owned(), crlf(MIXED)] {
            let batch = parse(file, &text);
            assert_eq!(
                bad_list(&batch),
                vec![
                    (11, Some("no-start"), "VEVENT has no DTSTART"),
                    (15, Some("bad-date"), "DTSTART \"20301345T100000\" is not a valid date-time"),
                    (26, Some("broken-line"), "line 29: no ':' in \"this line has no colon\""),
                    (31, Some("journal-1"), "journal entries are not imported"),
                    (35, Some("good-1"), "UID good-1 already appears at line 4"),
                    (39, Some("backwards"), "DTEND is before DTSTART"),
                    (44, Some("both"), "VEVENT has both DTEND and DURATION"),
                    (50, Some("bad-duration"), "DURATION \"one hour\" is not a valid duration"),
                    (58, Some("wrong-end"), "END:VTODO closes BEGIN:VEVENT (line 55)"),
                    (63, None, "X-FOO components are not imported"),
                    (66, Some("truncated-mid"), "BEGIN:VEVENT has no END:VEVENT before line 69"),
                    (
                        73,
                        Some("truncated-end"),
                        "BEGIN:VEVENT has no END:VEVENT: the file ends first (truncated?)"
                    ),
                ]
            );
            let lines: Vec<(&str, usize)> = batch.items.iter().map(|i| (i.uid.as_str(), i.line)).collect();
            assert_eq!(lines, [("good-1", 4), ("folded", 19), ("task-1", 59), ("good-2", 69)]);
            assert!(batch.bad.iter().all(|b| b.file == file));
            assert_eq!(
                batch.bad[2].to_string(),
                "mixed.ics:26: line 29: no ':' in \"this line has no colon\""
            );
            for i in &batch.items {
                assert_well_formed(i);
            }
            // The earlier of two equal UIDs is the one kept.
            assert_eq!(item(&batch, "good-1").start, Some(utc(2030, 6, 1, 9, 0)));
        }
    }

    #[test]
    fn folded_lines_keep_their_folds_and_unfold_when_read() {
        let batch = parse(Path::new("mixed.ics"), MIXED);
        let folded = item(&batch, "folded");
        assert!(folded.data.contains(
            "DESCRIPTION:This description is long enough that it has to be folded acro\r\n \
             ss several physical lines\\, so the line numbers after it are checked to\r\n o.\r\n"
        ));
        let doc = Document::parse(&folded.data).unwrap();
        let ev = doc.calendar().unwrap().children().next().unwrap();
        assert_eq!(
            event::text(ev, "DESCRIPTION").as_deref(),
            Some(
                "This description is long enough that it has to be folded across several physical \
                 lines, so the line numbers after it are checked too."
            )
        );
        // A fold in the middle of a broken component doesn't shift the lines after it.
        let text = "BEGIN:VCALENDAR\n\
            BEGIN:VEVENT\nUID:x\nDESCRIPTION:a\n b\n\tc\nDTSTART:2030\nEND:VEVENT\nEND:VCALENDAR\n";
        let batch = parse(Path::new("f.ics"), text);
        assert_eq!(bad_list(&batch), [(2, Some("x"), "DTSTART \"2030\" is not a valid date")]);
        let text = text.replace("DTSTART:2030", "DTSTART:20300101\nbroken");
        assert_eq!(
            bad_list(&parse(Path::new("f.ics"), &text)),
            [(2, Some("x"), "line 8: no ':' in \"broken\"")]
        );
    }

    #[test]
    fn several_calendars_in_one_file_each_keep_their_header() {
        let text = "stray text before\n\
            BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//One//EN\nMETHOD:PUBLISH\n\
            BEGIN:VEVENT\nUID:one\nDTSTART:20300601T090000Z\nEND:VEVENT\nEND:VCALENDAR\n\
            \n\
            BEGIN:VEVENT\nUID:between\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
            begin:vcalendar\nprodid:-//Two//EN\nversion:2.0\n\
            begin:vevent\nuid:two\ndtstart;value=date:20300602\nend:vevent\n\
            BEGIN:VFREEBUSY\nUID:fb\nEND:VFREEBUSY\n\
            END:VEVENT\n\
            END:VCALENDAR\n";
        let batch = parse(Path::new("two.ics"), text);
        assert_eq!(
            bad_list(&batch),
            [
                (1, None, "\"stray text before\" is outside BEGIN:VCALENDAR … END:VCALENDAR"),
                (12, None, "\"BEGIN:VEVENT\" is outside BEGIN:VCALENDAR … END:VCALENDAR"),
                (23, Some("fb"), "free/busy blocks are not imported"),
                (26, None, "END:VEVENT without BEGIN:VEVENT"),
            ]
        );
        let lines: Vec<(&str, usize)> = batch.items.iter().map(|i| (i.uid.as_str(), i.line)).collect();
        assert_eq!(lines, [("one", 6), ("two", 19)]);
        assert!(
            batch.items[0]
                .data
                .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//One//EN\r\nBEGIN:VEVENT")
        );
        assert!(
            batch.items[1]
                .data
                .starts_with("BEGIN:VCALENDAR\r\nversion:2.0\r\nprodid:-//Two//EN\r\nbegin:vevent")
        );
        for i in &batch.items {
            assert_well_formed(i);
        }
        assert_eq!(batch.items[1].start, Some(local_midnight("20300602")));
    }

    #[test]
    fn a_calendar_missing_its_end_still_yields_its_entries() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
            BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:b\nDTSTART:20300601T090000Z\nEND:VEVENT\n";
        let batch = parse(Path::new("x.ics"), text);
        assert_eq!(batch.bad, vec![]);
        assert_eq!(batch.items.iter().map(|i| i.line).collect::<Vec<_>>(), [2, 7]);
    }

    #[test]
    fn text_that_is_not_icalendar_is_one_problem() {
        for text in
            ["", "\n\n", "hello, world\nBEGIN:VEVENT\nEND:VEVENT\n", "BEGIN:VCARD\nFN:Ann\nEND:VCARD\n"]
        {
            let batch = parse(Path::new("n.txt"), text);
            assert_eq!(batch.items, vec![]);
            assert_eq!(
                bad_list(&batch),
                [(1, None, "no BEGIN:VCALENDAR: not an iCalendar file")],
                "{text:?}"
            );
        }
        let empty = parse(Path::new("e.ics"), "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n");
        assert_eq!(empty, Batch::default());
    }

    #[test]
    fn a_broken_calendar_line_is_reported_and_skipped() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nno colon\nBEGIN:VEVENT\nUID:a\nDTSTART:20300601\nEND:VEVENT\nEND:VCALENDAR\n";
        let batch = parse(Path::new("x.ics"), text);
        assert_eq!(bad_list(&batch), [(3, None, "no ':' in \"no colon\"")]);
        assert_eq!(batch.items.len(), 1);
    }

    #[test]
    fn a_uid_is_one_master_one_kind_and_each_instance_once() {
        let text = "BEGIN:VCALENDAR\n\
            BEGIN:VEVENT\nUID:u\nDTSTART:20300601T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T100000Z\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T110000Z\nEND:VEVENT\n\
            BEGIN:VTODO\nUID:u\nEND:VTODO\n\
            BEGIN:VEVENT\nUID:u\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300603T090000Z\nDTSTART:20300603T100000Z\nEND:VEVENT\n\
            END:VCALENDAR\n";
        let batch = parse(Path::new("u.ics"), text);
        assert_eq!(
            bad_list(&batch),
            [
                (12, Some("u"), "UID u already appears at line 7"),
                (17, Some("u"), "UID u already appears at line 2"),
                (20, Some("u"), "UID u already appears at line 2"),
            ]
        );
        assert_eq!(batch.items.len(), 1);
        let u = &batch.items[0];
        assert_eq!(u.data.matches("BEGIN:VEVENT").count(), 3);
        assert!(u.data.contains("DTSTART:20300602T100000Z") && !u.data.contains("DTSTART:20300602T110000Z"));
        assert_eq!((u.start, u.end), (Some(utc(2030, 6, 1, 9, 0)), Some(utc(2030, 6, 3, 10, 0))));
    }

    #[test]
    fn a_bad_master_leaves_its_overrides_importable() {
        let text = "BEGIN:VCALENDAR\n\
            BEGIN:VEVENT\nUID:u\nRRULE:FREQ=DAILY\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T100000Z\nEND:VEVENT\n\
            END:VCALENDAR\n";
        let batch = parse(Path::new("u.ics"), text);
        assert_eq!(bad_list(&batch), [(2, Some("u"), "VEVENT has no DTSTART")]);
        assert_eq!(batch.items.iter().map(|i| i.line).collect::<Vec<_>>(), [6]);
    }

    #[test]
    fn tasks_need_no_dates_but_those_they_have_must_agree() {
        let text = "BEGIN:VCALENDAR\n\
            BEGIN:VTODO\nUID:plain\nSUMMARY:Someday\nEND:VTODO\n\
            BEGIN:VTODO\nUID:late\nDTSTART:20300602\nDUE:20300601\nEND:VTODO\n\
            BEGIN:VTODO\nUID:both\nDTSTART:20300601\nDUE:20300602\nDURATION:P1D\nEND:VTODO\n\
            BEGIN:VTODO\nUID:floating\nDURATION:P1D\nEND:VTODO\n\
            BEGIN:VTODO\nUID:timed\nDTSTART:20300601T090000Z\nDURATION:PT2H\nEND:VTODO\n\
            END:VCALENDAR\n";
        let batch = parse(Path::new("t.ics"), text);
        assert_eq!(
            bad_list(&batch),
            [
                (6, Some("late"), "DUE is before DTSTART"),
                (11, Some("both"), "VTODO has both DUE and DURATION"),
                (17, Some("floating"), "VTODO has DURATION but no DTSTART"),
            ]
        );
        let plain = item(&batch, "plain");
        assert_eq!((plain.kind, plain.start, plain.end), (Kind::Task, None, None));
        let timed = item(&batch, "timed");
        assert_eq!((timed.start, timed.end), (Some(utc(2030, 6, 1, 9, 0)), Some(utc(2030, 6, 1, 11, 0))));
    }

    #[test]
    fn events_end_by_dtend_duration_date_or_start() {
        let text = "BEGIN:VCALENDAR\n\
            BEGIN:VEVENT\nUID:dur\nDTSTART:20300601T090000Z\nDURATION:PT1H30M\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:instant\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
            BEGIN:VEVENT\nUID:zone\nDTSTART;TZID=\"My Custom Zone\":20300601T090000\nEND:VEVENT\n\
            END:VCALENDAR\n";
        let batch = parse(Path::new("e.ics"), text);
        assert_eq!(batch.bad, vec![]);
        let dur = item(&batch, "dur");
        assert_eq!(dur.end, Some(utc(2030, 6, 1, 10, 30)));
        let instant = item(&batch, "instant");
        assert_eq!(instant.end, instant.start);
        // An unknown zone without a VTIMEZONE reads as floating time and
        // gets no invented VTIMEZONE.
        let zone = item(&batch, "zone");
        assert!(zone.start.is_some() && !zone.data.contains("VTIMEZONE"));
    }

    #[test]
    fn date_values_must_have_the_right_shape_and_exist() {
        for good in ["20300601", "20300601T090000", "20300601T090000Z", " 20300601T235959Z ", "20320229"] {
            assert!(is_date_or_date_time(good), "{good}");
        }
        for bad in [
            "",
            "2030061",
            "20300631",
            "20310229",
            "2030-06-01",
            "20300601T0900",
            "20300601T250000",
            "20300601T090000ZZ",
            "+2030601",
        ] {
            assert!(!is_date_or_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn fnv1a_64_matches_the_reference_values() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn read_files_reports_unreadable_files_and_reads_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.ics");
        std::fs::write(&good, format!("\u{feff}{GOOD}")).unwrap();
        let latin1 = dir.path().join("latin1.ics");
        std::fs::write(&latin1, b"BEGIN:VCALENDAR\nSUMMARY:Caf\xe9\nEND:VCALENDAR\n").unwrap();
        let missing = dir.path().join("missing.ics");
        let same_again = dir.path().join(".").join("good.ics");

        let batch = read_files(&[good.clone(), missing.clone(), latin1.clone(), good.clone(), same_again]);
        assert_eq!(batch.items.len(), 3, "good.ics is read once");
        assert!(batch.items.iter().all(|i| i.file == good));
        assert_eq!(batch.items[0].line, 29, "the byte order mark is not a line");
        assert_eq!(batch.bad.len(), 2);
        assert_eq!((&batch.bad[0].file, batch.bad[0].line), (&missing, 0));
        assert!(batch.bad[0].problem.starts_with("can't be read: "), "{}", batch.bad[0].problem);
        assert_eq!((&batch.bad[1].file, batch.bad[1].line), (&latin1, 0));
        assert_eq!(batch.bad[1].problem, "is not UTF-8 text (byte 27, line 2)");
        assert_eq!(
            batch.bad[1].to_string(),
            format!("{}: is not UTF-8 text (byte 27, line 2)", latin1.display())
        );
    }

    #[test]
    fn read_files_imports_a_uid_once_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.ics");
        let two = dir.path().join("two.ics");
        std::fs::write(&one, GOOD).unwrap();
        let again = "BEGIN:VCALENDAR\n\
            BEGIN:VEVENT\nUID:new\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
            BEGIN:VTODO\nUID:report-2030@example.com\nEND:VTODO\n\
            no colon\n\
            END:VCALENDAR\n";
        std::fs::write(&two, again).unwrap();
        let batch = read_files(&[one.clone(), two.clone()]);
        let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
        assert_eq!(
            uids,
            ["planning-2030@example.com", "offsite-2030@example.com", "report-2030@example.com", "new"]
        );
        assert_eq!(item(&batch, "new").file, two);
        let bad: Vec<(&Path, usize, Option<&str>, &str)> = batch
            .bad
            .iter()
            .map(|b| (b.file.as_path(), b.line, b.uid.as_deref(), b.problem.as_str()))
            .collect();
        let problem = format!("UID report-2030@example.com already appears at {}:50", one.display());
        assert_eq!(
            bad,
            [
                (two.as_path(), 6, Some("report-2030@example.com"), problem.as_str()),
                (two.as_path(), 9, None, "no ':' in \"no colon\""),
            ]
        );
    }

    #[test]
    fn read_files_refuses_files_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.ics");
        let file = File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let batch = read_files(std::slice::from_ref(&big));
        assert_eq!(bad_list(&batch), [(0, None, "is larger than 64 MB")]);
    }

    #[test]
    fn outlook_exports_with_windows_zones_and_escaped_names_import() {
        let text = crlf(
            "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:Work\n\
BEGIN:VTIMEZONE\nTZID:(UTC+01:00) Amsterdam\\, Berlin\nBEGIN:STANDARD\nDTSTART:16010101T030000\n\
TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n\
BEGIN:VEVENT\nUID:flight\nDTSTART;TZID=Tokyo Standard Time:20300601T200000\n\
DTEND;TZID=Hawaiian Standard Time:20300601T080000\nSUMMARY:Flight\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:berlin\nDTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T100000\n\
DTEND;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T090000\nSUMMARY:Backwards\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:berlin-ok\nDTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T100000\n\
SUMMARY:Uses the escaped zone\nEND:VEVENT\nEND:VCALENDAR\n",
        );
        let batch = parse(Path::new("outlook.ics"), &text);
        // Two unknown zones can't be compared: the flight is not refused.
        assert!(batch.items.iter().any(|i| i.uid == "flight"), "{:?}", batch.bad);
        // The same zone on both ends still is.
        assert_eq!(bad_list(&batch), vec![(18, Some("berlin"), "DTEND is before DTSTART")]);
        // A zone whose name the property escapes is attached to its user.
        assert!(
            item(&batch, "berlin-ok").data.contains("BEGIN:VTIMEZONE"),
            "{}",
            item(&batch, "berlin-ok").data
        );
    }

    #[test]
    fn a_generated_uid_survives_a_fresh_export() {
        let export = |stamp: &str| {
            crlf(&format!(
                "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTAMP:{stamp}\nDTSTART:20300101T100000Z\nSUMMARY:No UID\nEND:VEVENT\nEND:VCALENDAR\n"
            ))
        };
        let first = parse(Path::new("a.ics"), &export("20300101T000000Z"));
        let again = parse(Path::new("a.ics"), &export("20300202T000000Z"));
        assert_eq!(first.items[0].uid, again.items[0].uid);
    }
}
