//! What an import did, entry by entry: shown at the end of the wizard,
//! printed by `convene import`, and saved as a text file on request.

use std::fmt::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::plan::Method;
use super::source::{Bad, Note};
use crate::caldav::{self, SchedulingMode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "reason", rename_all = "kebab-case")]
pub enum Outcome {
    Imported,
    Updated,
    Skipped(String),
    Failed(String),
    /// Cancelled before its turn; running the import again continues.
    NotStarted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub uid: String,
    pub summary: Option<String>,
    pub file: PathBuf,
    pub line: usize,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Done by an earlier, interrupted run of the same import.
    pub earlier: bool,
    /// What the reader mended in it, in words.
    pub repairs: Vec<String>,
    /// Why it needed the person's confirmation (empty: it didn't).
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub calendar: Url,
    pub mode: SchedulingMode,
    pub method: Method,
    pub entries: Vec<Entry>,
    pub bad: Vec<Bad>,
    /// Lines skipped that belong to no entry (stray text, broken X- lines).
    pub notes: Vec<Note>,
    pub cancelled: bool,
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
    pub journal: PathBuf,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The counts a person reads first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub imported: usize,
    pub updated: usize,
    pub skipped: usize,
    pub failed: usize,
    pub not_started: usize,
    pub bad: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut c = Counts { bad: self.bad.len(), ..Counts::default() };
        for e in &self.entries {
            match e.outcome {
                Outcome::Imported => c.imported += 1,
                Outcome::Updated => c.updated += 1,
                Outcome::Skipped(_) => c.skipped += 1,
                Outcome::Failed(_) => c.failed += 1,
                Outcome::NotStarted => c.not_started += 1,
            }
        }
        c
    }

    /// Everything went in (or was deliberately skipped).
    pub fn is_complete(&self) -> bool {
        let c = self.counts();
        c.failed == 0 && c.not_started == 0 && c.bad == 0
    }

    pub fn headline(&self) -> String {
        let c = self.counts();
        let earlier = self.entries.iter().filter(|e| e.earlier).count();
        let before = if earlier > 0 { format!(" ({earlier} by an earlier run)") } else { String::new() };
        let mut s = format!(
            "{} imported{before}, {} updated, {} skipped, {} failed",
            c.imported, c.updated, c.skipped, c.failed
        );
        if c.bad > 0 {
            let _ = write!(s, ", {} could not be read", c.bad);
        }
        if c.not_started > 0 {
            let _ = write!(s, "; cancelled with {} not imported yet", c.not_started);
        }
        s
    }

    /// The report as a text file a person can keep or send.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Convene import into {}", self.calendar);
        let _ = writeln!(out, "Scheduling: {} ({})", self.mode.as_str(), self.method.describe());
        let _ = writeln!(out, "{} in {:.1} s", self.headline(), self.elapsed.as_secs_f64());
        if self.cancelled || self.counts().failed > 0 {
            let _ = writeln!(out, "Running the same import again continues where this one stopped.");
        }
        let section = |out: &mut String, title: &str, pick: &dyn Fn(&Outcome) -> Option<String>| {
            let rows: Vec<String> = self
                .entries
                .iter()
                .filter_map(|e| {
                    pick(&e.outcome).map(|why| {
                        let name = e.summary.as_deref().unwrap_or("(no title)");
                        let earlier = if e.earlier { " (in an earlier run)" } else { "" };
                        let why = if why.is_empty() { String::new() } else { format!(": {why}") };
                        format!("  {}:{} {name} [{}]{earlier}{why}", e.file.display(), e.line, e.uid)
                    })
                })
                .collect();
            if !rows.is_empty() {
                let _ = writeln!(out, "\n{title} ({}):", rows.len());
                for r in rows {
                    let _ = writeln!(out, "{r}");
                }
            }
        };
        section(&mut out, "Failed", &|o| matches!(o, Outcome::Failed(_)).then(|| reason(o)));
        section(&mut out, "Skipped", &|o| matches!(o, Outcome::Skipped(_)).then(|| reason(o)));
        section(&mut out, "Not imported yet", &|o| (*o == Outcome::NotStarted).then(String::new));
        section(&mut out, "Updated", &|o| (*o == Outcome::Updated).then(String::new));
        section(&mut out, "Imported", &|o| (*o == Outcome::Imported).then(String::new));
        let repaired: Vec<&Entry> = self.entries.iter().filter(|e| !e.repairs.is_empty()).collect();
        if !repaired.is_empty() {
            let _ = writeln!(out, "\nRepaired while reading ({}):", repaired.len());
            for e in repaired {
                let name = e.summary.as_deref().unwrap_or("(no title)");
                let _ = writeln!(
                    out,
                    "  {}:{} {name} [{}]: {}",
                    e.file.display(),
                    e.line,
                    e.uid,
                    e.repairs.join("; ")
                );
            }
        }
        if !self.bad.is_empty() {
            let _ = writeln!(out, "\nCould not be read ({}):", self.bad.len());
            for b in &self.bad {
                let _ = writeln!(out, "  {b}");
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\nSkipped lines ({}):", self.notes.len());
            for n in &self.notes {
                let _ = writeln!(out, "  {n}");
            }
        }
        out
    }
}

/// A server's refusal in words a person can act on: the precondition it
/// names (RFC 4791 §5.3.2, RFC 4918 §16), else the error as it is.
pub fn refusal(e: &caldav::Error) -> String {
    const WORDS: [(&str, &str); 10] = [
        ("valid-calendar-data", "the server found this entry's data invalid"),
        (
            "valid-calendar-object-resource",
            "the server doesn't accept this entry as it is written (say, a series whose parts disagree)",
        ),
        (
            "supported-calendar-component",
            "this calendar doesn't take this kind of entry (events or tasks): choose another calendar",
        ),
        ("supported-calendar-data", "the server doesn't take iCalendar data in this form"),
        ("max-resource-size", "the entry is larger than this server allows"),
        ("min-date-time", "the entry's dates are earlier than this server accepts"),
        ("max-date-time", "the entry's dates are later than this server accepts"),
        ("max-instances", "the entry repeats more often than this server allows"),
        ("max-attendees-per-instance", "the entry has more attendees than this server allows"),
        ("no-uid-conflict", "another entry on the server already uses this UID"),
    ];
    let (detail, status) = match e {
        caldav::Error::Forbidden(d) => (d.as_str(), 403),
        caldav::Error::UnexpectedStatus { status, detail } => (detail.as_str(), *status),
        _ => return e.to_string(),
    };
    // In the server's order.
    let words: Vec<String> = detail
        .split([',', ' '])
        .filter_map(|d| WORDS.iter().find(|(condition, _)| d.trim() == *condition))
        .map(|(condition, words)| format!("{words} ({condition})"))
        .collect();
    match (words.is_empty(), status) {
        (false, _) => format!("refused by the server: {}", words.join("; ")),
        (true, 413) => "refused by the server: the entry is larger than it allows (HTTP 413)".into(),
        (true, 415) => "refused by the server: it doesn't take iCalendar data in this form (HTTP 415)".into(),
        _ => e.to_string(),
    }
}

fn reason(o: &Outcome) -> String {
    match o {
        Outcome::Skipped(r) | Outcome::Failed(r) => r.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_failure_and_bad_line() {
        let entry = |uid: &str, outcome| Entry {
            uid: uid.into(),
            summary: Some(format!("Meeting {uid}")),
            file: "a.ics".into(),
            line: 3,
            outcome,
            earlier: false,
            repairs: Vec::new(),
            flags: Vec::new(),
        };
        let r = Report {
            calendar: Url::parse("https://h/cal/").unwrap(),
            mode: SchedulingMode::None,
            method: Method::CyrusHeader,
            entries: vec![
                entry("1", Outcome::Imported),
                entry("2", Outcome::Failed("403 Forbidden".into())),
                entry("3", Outcome::Skipped("already in the calendar".into())),
            ],
            bad: vec![Bad {
                file: "a.ics".into(),
                line: 40,
                uid: None,
                problem: "VEVENT has no DTSTART".into(),
            }],
            notes: Vec::new(),
            cancelled: false,
            elapsed: Duration::from_secs(2),
            journal: "j".into(),
        };
        let text = r.to_text();
        assert!(text.contains("1 imported, 0 updated, 1 skipped, 1 failed, 1 could not be read"), "{text}");
        assert!(text.contains("a.ics:3 Meeting 2 [2]: 403 Forbidden"), "{text}");
        assert!(text.contains("a.ics:40: VEVENT has no DTSTART"), "{text}");
        assert!(!r.is_complete());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["entries"][1]["result"], "failed");
        assert_eq!(json["entries"][1]["reason"], "403 Forbidden");
    }

    #[test]
    fn repairs_notes_and_refusals_are_said_in_words() {
        let entry = Entry {
            uid: "h".into(),
            summary: Some("Holiday".into()),
            file: "a.ics".into(),
            line: 4,
            outcome: Outcome::Imported,
            earlier: false,
            repairs: vec!["DTSTART read as a date".into(), "DTEND read as a date".into()],
            flags: Vec::new(),
        };
        let note = Note { file: "a.ics".into(), line: 1, text: "skipped line outside".into() };
        let r = Report {
            calendar: Url::parse("https://h/cal/").unwrap(),
            mode: SchedulingMode::None,
            method: Method::Plain,
            entries: vec![entry.clone()],
            bad: Vec::new(),
            notes: vec![note],
            cancelled: false,
            elapsed: Duration::from_secs(1),
            journal: "j".into(),
        };
        let text = r.to_text();
        assert!(text.contains("Repaired while reading (1):\n  a.ics:4 Holiday [h]: DTSTART read as a date; DTEND read as a date"), "{text}");
        assert!(text.contains("Skipped lines (1):\n  a.ics:1: skipped line outside"), "{text}");
        assert!(r.is_complete(), "a note is no failure");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["entries"][0]["repairs"][1], "DTEND read as a date");

        let words = |e: caldav::Error| refusal(&e);
        assert_eq!(
            words(caldav::Error::Forbidden("supported-calendar-component".into())),
            "refused by the server: this calendar doesn't take this kind of entry (events or tasks): choose another calendar (supported-calendar-component)"
        );
        assert!(words(caldav::Error::Forbidden("max-resource-size, valid-calendar-data".into())).contains(
            "larger than this server allows (max-resource-size); the server found this entry's data invalid"
        ));
        assert!(
            words(caldav::Error::UnexpectedStatus { status: 413, detail: String::new() })
                .contains("HTTP 413")
        );
        assert_eq!(words(caldav::Error::Timeout), "the server did not answer in time");
    }
}
