//! Reading the fields a person sees from a VEVENT, without rewriting it.

use super::lines::{Component, Line};

/// A person named in ORGANIZER or ATTENDEE.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub address: String,
    pub name: Option<String>,
    pub partstat: Option<String>,
    /// ROLE: CHAIR, REQ-PARTICIPANT (the default), OPT-PARTICIPANT, NON-PARTICIPANT.
    #[serde(default)]
    pub role: Option<String>,
    /// SCHEDULE-STATUS (RFC 6638 §7.3): what the server did with the
    /// invitation to this attendee, as its first code (`1.2`, `3.7`…); see
    /// [`delivery`] for it in words.
    #[serde(default)]
    pub schedule_status: Option<String>,
    /// DELEGATED-TO: whom this attendee passed the invitation on to.
    #[serde(default)]
    pub delegated_to: Option<String>,
    /// DELEGATED-FROM: who passed the invitation on to this attendee.
    #[serde(default)]
    pub delegated_from: Option<String>,
}

/// A SCHEDULE-STATUS code in words, for the organizer.
pub fn delivery(code: &str) -> String {
    let code = code.trim();
    match code {
        "1.0" => "pending".into(),
        "1.1" => "sent".into(),
        "1.2" => "delivered".into(),
        "3.7" => "unknown address".into(),
        "3.8" => "not allowed to invite this address".into(),
        c if c.starts_with("2.") => "delivered".into(),
        c if c.starts_with("3.") => "refused by the server".into(),
        c if c.starts_with("5.") => "could not be delivered".into(),
        c => format!("status {c}"),
    }
}

impl Person {
    pub fn from_line(line: &Line) -> Self {
        Person {
            address: line.value.trim().to_owned(),
            name: line.param("CN").map(|p| p.value()).filter(|n| !n.is_empty()),
            partstat: line.param("PARTSTAT").map(|p| p.value().to_ascii_uppercase()),
            role: line.param("ROLE").map(|p| p.value().to_ascii_uppercase()),
            // Xandikos writes "2.0;Success": the code is before the `;`.
            schedule_status: line
                .param("SCHEDULE-STATUS")
                .map(|p| p.value().split([';', ',']).next().unwrap_or_default().trim().to_owned())
                .filter(|s| !s.is_empty()),
            delegated_to: line.param("DELEGATED-TO").map(|p| p.values().join(", ")).filter(|d| !d.is_empty()),
            delegated_from: line
                .param("DELEGATED-FROM")
                .map(|p| p.values().join(", "))
                .filter(|d| !d.is_empty()),
        }
    }

    /// "Name <address>" or just the address, without the `mailto:`.
    pub fn display(&self) -> String {
        let addr = self.address.strip_prefix("mailto:").unwrap_or(&self.address);
        match &self.name {
            Some(n) => format!("{n} <{addr}>"),
            None => addr.to_owned(),
        }
    }
}

/// A DATE or DATE-TIME value with its TZID, as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct When {
    pub value: String,
    pub tzid: Option<String>,
}

impl When {
    pub fn from_line(line: &Line) -> Self {
        When { value: line.value.trim().to_owned(), tzid: line.param("TZID").map(|p| p.value()) }
    }

    pub fn is_date(&self) -> bool {
        self.value.len() == 8
    }

    pub fn describe(&self) -> String {
        match &self.tzid {
            Some(tz) => format!("{} ({tz})", self.value),
            None => self.value.clone(),
        }
    }
}

/// RFC 5545 §3.3.11 TEXT un-escaping, for display only.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// TEXT escaping for values we write.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn text(ev: &Component, name: &str) -> Option<String> {
    ev.prop(name).map(|l| unescape(&l.value)).filter(|s| !s.is_empty())
}

pub fn uid(ev: &Component) -> Option<String> {
    ev.prop("UID").map(|l| l.value.trim().to_owned())
}

pub fn recurrence_id(ev: &Component) -> Option<String> {
    ev.prop("RECURRENCE-ID").map(|l| l.value.trim().to_owned())
}

pub fn organizer(ev: &Component) -> Option<Person> {
    ev.prop("ORGANIZER").map(Person::from_line)
}

pub fn attendees(ev: &Component) -> Vec<Person> {
    ev.props_named("ATTENDEE").map(Person::from_line).collect()
}

pub fn start(ev: &Component) -> Option<When> {
    ev.prop("DTSTART").map(When::from_line)
}

pub fn end(ev: &Component) -> Option<When> {
    ev.prop("DTEND").map(When::from_line)
}

pub fn is_cancelled(ev: &Component) -> bool {
    ev.prop("STATUS").is_some_and(|s| s.value.trim().eq_ignore_ascii_case("CANCELLED"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_status_reads_as_words() {
        let doc = crate::ical::Document::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;SCHEDULE-STATUS=\"2.0;Success\":mailto:a@x\r\n\
ATTENDEE;SCHEDULE-STATUS=3.7:mailto:b@x\r\nATTENDEE;SCHEDULE-STATUS=5.1:mailto:c@x\r\nATTENDEE:mailto:d@x\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n",
        )
        .expect("parses");
        let ev = doc.calendar().and_then(|c| c.children().next()).expect("an event");
        let words: Vec<Option<String>> =
            attendees(ev).iter().map(|a| a.schedule_status.as_deref().map(delivery)).collect();
        assert_eq!(
            words,
            vec![
                Some("delivered".into()),
                Some("unknown address".into()),
                Some("could not be delivered".into()),
                None
            ]
        );
    }

    #[test]
    fn text_escapes_round_trip() {
        let s = "Room 1, floor 2; bring\\laptops\nthanks";
        assert_eq!(unescape(&escape(s)), s);
        assert_eq!(unescape("a\\,b\\;c\\nd\\N"), "a,b;c\nd\n");
    }
}
