//! Invitations that come by mail (iMIP, RFC 6047): an `.ics` file whose
//! METHOD says what it is. REQUEST: an invitation (or its update) to
//! answer; CANCEL: the organizer called it off; REPLY: an attendee's answer
//! to an event the person organizes; anything else is a plain import.
//! Here: reading such a file, building the METHOD:REPLY the person mails
//! back (RFC 5546 §3.2.3), and the edits a CANCEL or REPLY makes to the
//! stored copy. No network, no files.

use super::event::{self, escape};
use super::identity::normalize;
use super::invitation::main_event;
use super::lines::{Component, Document, Line, Param, ParseError};
use super::reply::Answer;

/// Mailed files larger than this are not invitations (a calendar to import).
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// What a mailed file asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Request,
    Cancel,
    Reply,
    /// No METHOD, PUBLISH, or one Convene does not act on: imported.
    Import,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImipError {
    #[error("the file can't be read: {0}")]
    Parse(#[from] ParseError),
    #[error("the file holds no event")]
    NoEvent,
    #[error("the event in the file has no UID")]
    NoUid,
    #[error("the file holds {0} different events; a mailed invitation carries one")]
    SeveralEvents(usize),
    #[error("the event in the file has no ORGANIZER, so it is not an invitation")]
    NoOrganizer,
    #[error("{0} is not an attendee of the event in the file")]
    NotAttendee(String),
    #[error("the reply in the file names no attendee")]
    NoAttendee,
    #[error("the file is about occurrence {0}, and your copy has no such occurrence")]
    NoOccurrence(String),
}

/// The METHOD of a file's calendar (`Import` when it has none, or one
/// not acted on). Text that is not iCalendar is an import too: the import
/// says what is wrong with it.
pub fn method(text: &str) -> Method {
    let Ok(doc) = Document::parse(text.strip_prefix('\u{feff}').unwrap_or(text)) else {
        return Method::Import;
    };
    match doc.calendar().and_then(|c| c.prop("METHOD")).map(|m| m.value.trim().to_ascii_uppercase()) {
        Some(m) if m == "REQUEST" => Method::Request,
        Some(m) if m == "CANCEL" => Method::Cancel,
        Some(m) if m == "REPLY" => Method::Reply,
        _ => Method::Import,
    }
}

/// A mailed REQUEST, CANCEL or REPLY, read.
#[derive(Debug, Clone)]
pub struct Message {
    pub method: Method,
    pub uid: String,
    /// The main event's SEQUENCE (0 when absent).
    pub sequence: u32,
    /// The main event's RECURRENCE-ID: the message is about one occurrence.
    pub recurrence_id: Option<String>,
    pub organizer: String,
    pub summary: Option<String>,
    doc: Document,
}

impl Message {
    pub fn parse(text: &str) -> Result<Self, ImipError> {
        let doc = Document::parse(text.strip_prefix('\u{feff}').unwrap_or(text))?;
        let cal = doc.calendar().ok_or(ImipError::NoEvent)?;
        let method = match cal.prop("METHOD").map(|m| m.value.trim().to_ascii_uppercase()).as_deref() {
            Some("REQUEST") => Method::Request,
            Some("CANCEL") => Method::Cancel,
            Some("REPLY") => Method::Reply,
            _ => Method::Import,
        };
        let mut uids: Vec<String> =
            cal.children().filter(|c| c.name == "VEVENT").filter_map(event::uid).collect();
        uids.dedup();
        let main = main_event(cal).ok_or(ImipError::NoEvent)?;
        if uids.len() > 1 {
            return Err(ImipError::SeveralEvents(uids.len()));
        }
        let uid = event::uid(main).ok_or(ImipError::NoUid)?;
        let organizer = event::organizer(main).ok_or(ImipError::NoOrganizer)?.address;
        Ok(Message {
            method,
            uid,
            sequence: sequence(main),
            recurrence_id: event::recurrence_id(main),
            organizer,
            summary: event::text(main, "SUMMARY"),
            doc,
        })
    }

    /// The addresses the event invites.
    pub fn attendees(&self) -> Vec<String> {
        let Some(main) = self.doc.calendar().and_then(main_event) else { return Vec::new() };
        event::attendees(main).into_iter().map(|a| a.address).collect()
    }

    /// The file's calendar as text (METHOD included).
    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// A REPLY's answers: each attendee address and its PARTSTAT.
    pub fn answers(&self) -> Vec<(String, String)> {
        let Some(main) = self.doc.calendar().and_then(main_event) else { return Vec::new() };
        event::attendees(main)
            .into_iter()
            .map(|a| {
                let partstat = a.partstat.unwrap_or_else(|| "NEEDS-ACTION".into());
                (a.address, partstat)
            })
            .collect()
    }
}

fn sequence(ev: &Component) -> u32 {
    ev.prop("SEQUENCE").and_then(|s| s.value.trim().parse().ok()).unwrap_or(0)
}

/// The SEQUENCE of a stored object's main event.
pub fn stored_sequence(data: &str) -> Option<u32> {
    let doc = Document::parse(data).ok()?;
    Some(sequence(main_event(doc.calendar()?)?))
}

/// Puts `SCHEDULE-AGENT=CLIENT` on the ORGANIZER of every event: on the
/// person's copy of an invitation that came by mail, it tells the server
/// that the client answers the organizer (RFC 6638 §7.1), so the server
/// sends nobody anything for it; the answer goes back by mail.
pub fn mark_organizer_client(data: &str) -> Result<String, ImipError> {
    let mut doc = Document::parse(data)?;
    let cal = doc.calendar_mut().ok_or(ImipError::NoEvent)?;
    for ev in cal.children_mut().filter(|c| c.name == "VEVENT") {
        for line in ev.props_mut().filter(|l| l.name == "ORGANIZER") {
            line.set_param("SCHEDULE-AGENT", "CLIENT");
        }
    }
    Ok(doc.to_string())
}

/// Whether the stored copy's organizer is scheduled by the client (an
/// invitation added from mail): the server passes no answer on, so the
/// person's answer must go back by mail too.
pub fn answered_by_mail(data: &str) -> bool {
    let Ok(doc) = Document::parse(data) else { return false };
    let organizer = doc.calendar().and_then(main_event).and_then(|ev| ev.prop("ORGANIZER").cloned());
    organizer
        .and_then(|o| o.param("SCHEDULE-AGENT").map(|p| p.value()))
        .is_some_and(|agent| !agent.eq_ignore_ascii_case("SERVER"))
}

/// Parameters of the person's ATTENDEE line that belong in their answer:
/// everything but what the organizer's request asked (RSVP) and what a
/// server recorded (SCHEDULE-*).
fn own_params(line: &Line) -> Vec<Param> {
    let asked = |name: &str| name == "RSVP" || name == "PARTSTAT" || name.starts_with("SCHEDULE-");
    line.params.iter().filter(|p| !asked(&p.name)).cloned().collect()
}

/// The METHOD:REPLY the person mails to the organizer of `request` (a
/// REQUEST file, or the stored copy): one VEVENT with only the person's
/// ATTENDEE and its PARTSTAT, the UID, SEQUENCE, DTSTAMP (`now`),
/// RECURRENCE-ID when the request is about one occurrence, ORGANIZER, and
/// the comment if any (RFC 5546 §3.2.3).
pub fn reply_text(
    request: &str,
    me: &str,
    answer: Answer,
    comment: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ImipError> {
    let doc = Document::parse(request.strip_prefix('\u{feff}').unwrap_or(request))?;
    let main = doc.calendar().and_then(main_event).ok_or(ImipError::NoEvent)?;
    let uid = event::uid(main).ok_or(ImipError::NoUid)?;
    let organizer = main.prop("ORGANIZER").ok_or(ImipError::NoOrganizer)?;
    let mine = main
        .props_named("ATTENDEE")
        .find(|l| normalize(&l.value) == normalize(me))
        .ok_or_else(|| ImipError::NotAttendee(me.to_owned()))?;
    let mut attendee = Line::new("ATTENDEE", own_params(mine), mine.value.trim());
    attendee.set_param("PARTSTAT", answer.partstat());
    let organizer = Line::new(
        "ORGANIZER",
        organizer.params.iter().filter(|p| !p.name.starts_with("SCHEDULE-")).cloned().collect(),
        organizer.value.trim(),
    );
    let mut ev = vec![
        format!("UID:{}", escape_uid(&uid)),
        format!("SEQUENCE:{}", sequence(main)),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
    ];
    if let Some(rid) = main.prop("RECURRENCE-ID") {
        ev.push(rid.unfolded());
    }
    ev.push(organizer.unfolded());
    ev.push(attendee.unfolded());
    if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
        ev.push(format!("COMMENT:{}", escape(c)));
    }
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//EN\r\nMETHOD:REPLY\r\n");
    out.push_str("BEGIN:VEVENT\r\n");
    for line in ev {
        out.push_str(&super::lines::fold(&line, "\r\n"));
        out.push_str("\r\n");
    }
    out.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    Ok(out)
}

/// The mail's subject for the reply: "Accepted: Quarterly planning".
pub fn reply_subject(answer: Answer, message: &Message) -> String {
    let word = match answer {
        Answer::Accept => "Accepted",
        Answer::Tentative => "Tentative",
        Answer::Decline => "Declined",
        Answer::Delegate => "Delegated",
    };
    format!("{word}: {}", message.summary.as_deref().unwrap_or("your invitation"))
}

/// An address without its `mailto:`.
pub fn address(calendar_address: &str) -> &str {
    let a = calendar_address.trim();
    a.strip_prefix("mailto:").or_else(|| a.strip_prefix("MAILTO:")).unwrap_or(a)
}

/// A UID is TEXT only by habit; it is written back as it came.
fn escape_uid(uid: &str) -> String {
    uid.replace(['\r', '\n'], "")
}

/// The events of `cal` the message's RECURRENCE-ID (or the series) names.
fn targets<'a>(cal: &'a mut Component, rid: Option<&'a str>) -> impl Iterator<Item = &'a mut Component> + 'a {
    cal.children_mut().filter(|c| c.name == "VEVENT").filter(move |c| match rid {
        None => c.prop("RECURRENCE-ID").is_none(),
        Some(rid) => event::recurrence_id(c).is_some_and(|r| super::reply::same_instant(&r, rid)),
    })
}

/// The person's copy with the organizer's CANCEL applied: STATUS:CANCELLED
/// (and the cancel's SEQUENCE where it is newer) on the series, or on the
/// occurrence the cancel names. Every other line is kept.
pub fn apply_cancel(stored: &str, cancel: &Message) -> Result<String, ImipError> {
    let mut doc = Document::parse(stored)?;
    let cal = doc.calendar_mut().ok_or(ImipError::NoEvent)?;
    let rid = cancel.recurrence_id.as_deref();
    let mut found = false;
    for ev in targets(cal, rid) {
        found = true;
        set_single(ev, "STATUS", "CANCELLED");
        if cancel.sequence > sequence(ev) {
            set_single(ev, "SEQUENCE", &cancel.sequence.to_string());
        }
    }
    match (found, rid) {
        (true, _) => Ok(doc.to_string()),
        (false, Some(rid)) => Err(ImipError::NoOccurrence(rid.to_owned())),
        (false, None) => Err(ImipError::NoEvent),
    }
}

/// The organizer's copy with an attendee's mailed answer in it: the
/// PARTSTAT of each attendee the REPLY names, on the series or the
/// occurrence it answers; nothing else changes.
pub fn apply_reply(stored: &str, reply: &Message) -> Result<String, ImipError> {
    let answers = reply.answers();
    if answers.is_empty() {
        return Err(ImipError::NoAttendee);
    }
    let mut doc = Document::parse(stored)?;
    let cal = doc.calendar_mut().ok_or(ImipError::NoEvent)?;
    let rid = reply.recurrence_id.as_deref();
    let mut events: Vec<&mut Component> = targets(cal, rid).collect();
    if events.is_empty() {
        return Err(match rid {
            Some(rid) => ImipError::NoOccurrence(rid.to_owned()),
            None => ImipError::NoEvent,
        });
    }
    for (address, partstat) in &answers {
        let mut listed = false;
        for ev in events.iter_mut() {
            for line in
                ev.props_mut().filter(|l| l.name == "ATTENDEE" && normalize(&l.value) == normalize(address))
            {
                line.set_param("PARTSTAT", partstat);
                listed = true;
            }
        }
        if !listed {
            return Err(ImipError::NotAttendee(address.clone()));
        }
    }
    Ok(doc.to_string())
}

/// Sets a property that occurs once, replacing it in place or adding it.
fn set_single(ev: &mut Component, name: &str, value: &str) {
    if let Some(line) = ev.props_mut().find(|l| l.name == name) {
        line.set_value(value);
        return;
    }
    ev.push_prop(Line::new(name, Vec::new(), value));
}

#[cfg(test)]
mod tests;
