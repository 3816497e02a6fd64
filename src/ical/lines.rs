//! A minimal iCalendar (RFC 5545) content-line editor. It parses just enough
//! to find components, properties and parameters, and writes every line it
//! did not change back exactly as it came (folding and line endings
//! included). Edited lines are re-folded at 75 octets on UTF-8 boundaries.
//!
//! Why not a full iCalendar library for writing: the ones measured reorder
//! properties and parameters, drop parameter quotes, or invent DTSTAMP/UID;
//! a server's object must reach the server again unchanged but for our edit.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    pub line: usize,
    pub problem: String,
}

/// One property line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Upper-cased property name.
    pub name: String,
    /// Parameters in their original order and spelling.
    pub params: Vec<Param>,
    /// The value, unfolded but otherwise as written (escapes kept).
    pub value: String,
    /// The original bytes (folded, with line ending) while unchanged.
    original: Option<String>,
    /// 1-based number of the first physical line.
    pub number: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Upper-cased parameter name.
    pub name: String,
    /// `NAME=value,"quoted"` exactly as written.
    pub raw: String,
}

impl Param {
    /// The parameter's values with quotes removed.
    pub fn values(&self) -> Vec<String> {
        let text = self.raw.split_once('=').map(|(_, v)| v).unwrap_or("");
        split_unquoted(text, ',').into_iter().map(|v| v.trim_matches('"').to_owned()).collect()
    }

    pub fn value(&self) -> String {
        self.values().into_iter().next().unwrap_or_default()
    }
}

impl Line {
    pub fn new(name: &str, params: Vec<Param>, value: &str) -> Self {
        Line { name: name.to_ascii_uppercase(), params, value: value.to_owned(), original: None, number: 0 }
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Sets `NAME=value` (replacing it in place, or appending it), quoting
    /// the value when it needs quotes. Marks the line as changed.
    pub fn set_param(&mut self, name: &str, value: &str) {
        let quoted = if value.contains([':', ';', ',']) { format!("\"{value}\"") } else { value.to_owned() };
        let raw = format!("{}={}", name.to_ascii_uppercase(), quoted);
        match self.params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) if p.raw == raw => return,
            Some(p) => p.raw = raw,
            None => self.params.push(Param { name: name.to_ascii_uppercase(), raw }),
        }
        self.original = None;
    }

    /// Removes every `NAME=…` parameter; marks the line as changed if
    /// there was one.
    pub fn remove_param(&mut self, name: &str) {
        let before = self.params.len();
        self.params.retain(|p| !p.name.eq_ignore_ascii_case(name));
        if self.params.len() != before {
            self.original = None;
        }
    }

    pub fn set_value(&mut self, value: &str) {
        if self.value != value {
            self.value = value.to_owned();
            self.original = None;
        }
    }

    /// Whether the line, once edited, is written so that it reads back the
    /// same. A bare CR (a control character RFC 5545 doesn't allow) is not:
    /// a fold or the line ending right after it swallows it on reading.
    pub fn rewritable(&self) -> bool {
        !self.unfolded().contains('\r')
    }

    /// The unfolded text of the line (without line ending).
    pub fn unfolded(&self) -> String {
        let mut s = self.name.clone();
        for p in &self.params {
            s.push(';');
            s.push_str(&p.raw);
        }
        s.push(':');
        s.push_str(&self.value);
        s
    }

    fn write(&self, out: &mut String, eol: &str) {
        match &self.original {
            Some(raw) => out.push_str(raw),
            None => {
                out.push_str(&fold(&self.unfolded(), eol));
                out.push_str(eol);
            }
        }
    }
}

/// Folds a line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.
pub fn fold(line: &str, eol: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str(eol);
            out.push(' ');
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out
}

/// A component: its own property lines and child components, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub items: Vec<Item>,
    begin: Line,
    end: Line,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Prop(Line),
    Child(Component),
}

impl Component {
    pub fn new(name: &str) -> Self {
        let name = name.to_ascii_uppercase();
        Component {
            begin: Line::new("BEGIN", Vec::new(), &name),
            end: Line::new("END", Vec::new(), &name),
            name,
            items: Vec::new(),
        }
    }

    pub fn props(&self) -> impl Iterator<Item = &Line> {
        self.items.iter().filter_map(|i| match i {
            Item::Prop(l) => Some(l),
            Item::Child(_) => None,
        })
    }

    pub fn props_mut(&mut self) -> impl Iterator<Item = &mut Line> {
        self.items.iter_mut().filter_map(|i| match i {
            Item::Prop(l) => Some(l),
            Item::Child(_) => None,
        })
    }

    pub fn prop(&self, name: &str) -> Option<&Line> {
        self.props().find(|l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Line> + 'a {
        self.props().filter(move |l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn children(&self) -> impl Iterator<Item = &Component> {
        self.items.iter().filter_map(|i| match i {
            Item::Child(c) => Some(c),
            Item::Prop(_) => None,
        })
    }

    pub fn children_mut(&mut self) -> impl Iterator<Item = &mut Component> {
        self.items.iter_mut().filter_map(|i| match i {
            Item::Child(c) => Some(c),
            Item::Prop(_) => None,
        })
    }

    /// Adds a property after the last property line (before sub-components
    /// such as VALARM), where a person would expect it.
    pub fn push_prop(&mut self, line: Line) {
        let at = self.items.iter().rposition(|i| matches!(i, Item::Prop(_))).map_or(0, |i| i + 1);
        self.items.insert(at, Item::Prop(line));
    }

    pub fn remove_props(&mut self, name: &str) {
        self.items.retain(|i| !matches!(i, Item::Prop(l) if l.name.eq_ignore_ascii_case(name)));
    }

    fn write(&self, out: &mut String, eol: &str) {
        self.begin.write(out, eol);
        for item in &self.items {
            match item {
                Item::Prop(l) => l.write(out, eol),
                Item::Child(c) => c.write(out, eol),
            }
        }
        self.end.write(out, eol);
    }
}

/// A whole iCalendar object: usually one VCALENDAR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub components: Vec<Component>,
    /// Line ending for lines we write: the document's own.
    eol: &'static str,
}

impl Document {
    pub fn calendar(&self) -> Option<&Component> {
        self.components.iter().find(|c| c.name == "VCALENDAR")
    }

    pub fn calendar_mut(&mut self) -> Option<&mut Component> {
        self.components.iter_mut().find(|c| c.name == "VCALENDAR")
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let eol = if text.contains("\r\n") || !text.contains('\n') { "\r\n" } else { "\n" };
        let mut stack: Vec<Component> = Vec::new();
        let mut top = Vec::new();
        for (line, number) in physical_lines(text) {
            if line.unfolded.trim().is_empty() {
                continue;
            }
            let mut parsed =
                parse_line(&line.unfolded).map_err(|problem| ParseError { line: number, problem })?;
            parsed.original = Some(line.raw.to_owned());
            parsed.number = number;
            match parsed.name.as_str() {
                "BEGIN" => {
                    let name = parsed.value.trim().to_ascii_uppercase();
                    if stack.len() >= 16 {
                        return Err(ParseError {
                            line: number,
                            problem: "components nested too deeply".into(),
                        });
                    }
                    stack.push(Component {
                        name,
                        items: Vec::new(),
                        begin: parsed,
                        end: Line::new("END", Vec::new(), ""),
                    });
                }
                "END" => {
                    let name = parsed.value.trim().to_ascii_uppercase();
                    let mut done = stack.pop().ok_or_else(|| ParseError {
                        line: number,
                        problem: format!("END:{name} without BEGIN"),
                    })?;
                    if done.name != name {
                        return Err(ParseError {
                            line: number,
                            problem: format!(
                                "END:{name} closes BEGIN:{} (line {})",
                                done.name, done.begin.number
                            ),
                        });
                    }
                    done.end = parsed;
                    match stack.last_mut() {
                        Some(parent) => parent.items.push(Item::Child(done)),
                        None => top.push(done),
                    }
                }
                _ => match stack.last_mut() {
                    Some(c) => c.items.push(Item::Prop(parsed)),
                    None => {
                        return Err(ParseError {
                            line: number,
                            problem: format!("{} outside any component", parsed.name),
                        });
                    }
                },
            }
        }
        if let Some(open) = stack.last() {
            return Err(ParseError {
                line: open.begin.number,
                problem: format!("BEGIN:{} is never closed (truncated?)", open.name),
            });
        }
        if top.is_empty() {
            return Err(ParseError { line: 1, problem: "no BEGIN:VCALENDAR".into() });
        }
        Ok(Document { components: top, eol })
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for c in &self.components {
            c.write(&mut out, self.eol);
        }
        f.write_str(&out)
    }
}

struct Physical<'a> {
    raw: &'a str,
    unfolded: String,
}

/// Splits into logical lines: each with its raw text (folds and line ending
/// included) and its unfolded content, with the 1-based start line number.
fn physical_lines(text: &str) -> Vec<(Physical<'_>, usize)> {
    let mut out: Vec<(Physical<'_>, usize)> = Vec::new();
    let mut start = 0;
    let mut number = 0;
    let bytes = text.as_bytes();
    let mut logical_start: Option<(usize, usize)> = None;
    while start < text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
        number += 1;
        let is_continuation = matches!(bytes[start], b' ' | b'\t') && logical_start.is_some();
        if !is_continuation {
            if let Some((s, n)) = logical_start.take() {
                out.push((make_physical(&text[s..start]), n));
            }
            logical_start = Some((start, number));
        }
        start = end;
    }
    if let Some((s, n)) = logical_start {
        out.push((make_physical(&text[s..]), n));
    }
    out
}

fn make_physical(raw: &str) -> Physical<'_> {
    let mut unfolded = String::with_capacity(raw.len());
    for (i, part) in raw.split('\n').enumerate() {
        let part = part.strip_suffix('\r').unwrap_or(part);
        let part = if i > 0 { part.strip_prefix([' ', '\t']).unwrap_or(part) } else { part };
        unfolded.push_str(part);
    }
    Physical { raw, unfolded }
}

/// Splits on `sep` outside double quotes.
fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c == sep && !in_quotes => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_line(text: &str) -> Result<Line, String> {
    // The value starts at the first ':' outside quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.ok_or_else(|| format!("no ':' in {:?}", excerpt(text)))?;
    let head = &text[..colon];
    let value = &text[colon + 1..];
    let mut parts = split_unquoted(head, ';').into_iter();
    let name = parts.next().unwrap_or_default();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("bad property name {:?}", excerpt(name)));
    }
    let mut params = Vec::new();
    for p in parts {
        let (pname, _) =
            p.split_once('=').ok_or_else(|| format!("parameter without '=' in {:?}", excerpt(text)))?;
        params.push(Param { name: pname.to_ascii_uppercase(), raw: p.to_owned() });
    }
    Ok(Line { name: name.to_ascii_uppercase(), params, value: value.to_owned(), original: None, number: 0 })
}

fn excerpt(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Caf\u{e9} \\, bar\\; baz \u{1F600} lorem ipsum dolor sit amet consectetur adipiscing el\r\n it\r\nATTENDEE;CN=\"Chen: Lead\";PARTSTAT=NEEDS-ACTION;SCHEDULE-STATUS=\"2.0;Success\":mai\r\n lto:chen@example.com\r\nX-FOO;X-P=a,\"b,c\":v\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn unchanged_documents_round_trip_byte_for_byte() {
        let doc = Document::parse(SAMPLE).unwrap();
        assert_eq!(doc.to_string(), SAMPLE);
        let lf = SAMPLE.replace("\r\n", "\n");
        assert_eq!(Document::parse(&lf).unwrap().to_string(), lf);
    }

    #[test]
    fn quoted_parameters_are_read_whole() {
        let doc = Document::parse(SAMPLE).unwrap();
        let ev = doc.calendar().unwrap().children().next().unwrap();
        let att = ev.prop("ATTENDEE").unwrap();
        assert_eq!(att.value, "mailto:chen@example.com");
        assert_eq!(att.param("CN").unwrap().value(), "Chen: Lead");
        assert_eq!(att.param("schedule-status").unwrap().value(), "2.0;Success");
        assert_eq!(ev.prop("X-FOO").unwrap().param("X-P").unwrap().values(), vec!["a", "b,c"]);
    }

    #[test]
    fn editing_one_parameter_changes_only_that_line() {
        let mut doc = Document::parse(SAMPLE).unwrap();
        let ev = doc.calendar_mut().unwrap().children_mut().next().unwrap();
        for l in ev.props_mut().filter(|l| l.name == "ATTENDEE") {
            l.set_param("PARTSTAT", "ACCEPTED");
        }
        let out = doc.to_string();
        let new_lines = out.split("\r\n").filter(|l| !SAMPLE.contains(l));
        assert!(new_lines.clone().count() >= 2 && new_lines.clone().all(|l| l.len() <= 75));
        assert!(out.replace("\r\n ", "").contains("ATTENDEE;CN=\"Chen: Lead\";PARTSTAT=ACCEPTED;SCHEDULE-STATUS=\"2.0;Success\":mailto:chen@example.com\r\n"));
        let unfold = |s: &str| s.replace("\r\n ", "");
        let (sample, out) = (unfold(SAMPLE), unfold(&out));
        let before: Vec<&str> = sample.lines().filter(|l| !l.starts_with("ATTENDEE")).collect();
        let after: Vec<&str> = out.lines().filter(|l| !l.starts_with("ATTENDEE")).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn folding_respects_octets_and_utf8() {
        let long = format!("SUMMARY:{}", "\u{e9}".repeat(100));
        let folded = fold(&long, "\r\n");
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let doc = Document::parse(&format!("BEGIN:VCALENDAR\r\n{folded}\r\nEND:VCALENDAR\r\n")).unwrap();
        assert_eq!(doc.calendar().unwrap().prop("SUMMARY").unwrap().unfolded(), long);
    }

    #[test]
    fn broken_input_names_the_line() {
        let e = Document::parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = Document::parse("BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Document::parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n").unwrap_err();
        assert!(e.problem.contains("never closed"));
        assert!(Document::parse("").is_err());
    }
}
