//! The one builder of iCalendar test data: events as the servers and mail
//! clients write them (CRLF, DTSTAMP, dated in 2030 unless told otherwise:
//! Cyrus sends no iTIP for events in the past).
//!
//! ```ignore
//! let data = Calendar::new().event(Event::new(&uid).summary("Planning").invite("attendee")).to_string();
//! ```
//! Deliberately broken files are written out by hand where they are used.

use std::fmt;

/// One VEVENT. Content lines are kept in the order they are added.
#[derive(Debug, Clone)]
pub struct Event {
    lines: Vec<String>,
}

impl Event {
    /// UID and DTSTAMP, 2030-06-04 10:00–11:00 UTC, SEQUENCE 0.
    pub fn new(uid: &str) -> Self {
        Event {
            lines: vec![
                format!("UID:{uid}"),
                "DTSTAMP:20300101T000000Z".to_owned(),
                "DTSTART:20300604T100000Z".to_owned(),
                "DTEND:20300604T110000Z".to_owned(),
                "SEQUENCE:0".to_owned(),
            ],
        }
    }

    fn set(mut self, name: &str, line: String) -> Self {
        match self.lines.iter().position(|l| l.starts_with(&format!("{name}:"))) {
            Some(at) => self.lines[at] = line,
            None => self.lines.push(line),
        }
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.lines.retain(|l| !l.starts_with(&format!("{name}:")));
        self
    }

    pub fn summary(self, summary: &str) -> Self {
        self.set("SUMMARY", format!("SUMMARY:{summary}"))
    }

    /// UTC stamps like `20300604T100000Z`.
    pub fn at(self, start: &str, end: &str) -> Self {
        self.set("DTSTART", format!("DTSTART:{start}")).set("DTEND", format!("DTEND:{end}"))
    }

    /// A start and an RFC 5545 duration (`PT1H`) instead of an end.
    pub fn lasting(self, start: &str, duration: &str) -> Self {
        self.without("DTEND")
            .set("DTSTART", format!("DTSTART:{start}"))
            .set("DURATION", format!("DURATION:{duration}"))
    }

    /// Weekly from the start until `until` (a UTC stamp).
    pub fn weekly_until(self, until: &str) -> Self {
        self.set("RRULE", format!("RRULE:FREQ=WEEKLY;UNTIL={until}"))
    }

    /// Organized by `organizer@example.com` (Olga), who attends as chair.
    pub fn organized(self) -> Self {
        self.line("ORGANIZER;CN=Olga Organizer:mailto:organizer@example.com")
            .line("ATTENDEE;CN=Olga Organizer;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:organizer@example.com")
    }

    /// Invites `user@example.com`, who has not answered yet.
    pub fn invite(self, user: &str) -> Self {
        self.line(&format!("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{user}@example.com"))
    }

    /// Any other content line, as written.
    pub fn line(mut self, line: &str) -> Self {
        self.lines.push(line.to_owned());
        self
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BEGIN:VEVENT\r\n")?;
        for line in &self.lines {
            write!(f, "{line}\r\n")?;
        }
        f.write_str("END:VEVENT\r\n")
    }
}

/// A VCALENDAR object or `.ics` file.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    method: Option<&'static str>,
    events: Vec<Event>,
}

impl Calendar {
    pub fn new() -> Self {
        Self::default()
    }

    /// As mail clients export it (`METHOD:PUBLISH`, say).
    pub fn method(mut self, method: &'static str) -> Self {
        self.method = Some(method);
        self
    }

    pub fn event(mut self, event: Event) -> Self {
        self.events.push(event);
        self
    }

    pub fn events(mut self, events: impl IntoIterator<Item = Event>) -> Self {
        self.events.extend(events);
        self
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene tests//EN\r\n")?;
        if let Some(method) = self.method {
            write!(f, "METHOD:{method}\r\n")?;
        }
        for event in &self.events {
            event.fmt(f)?;
        }
        f.write_str("END:VCALENDAR\r\n")
    }
}

/// One event in a calendar object, as stored on a server.
pub fn object(event: Event) -> String {
    Calendar::new().event(event).to_string()
}
