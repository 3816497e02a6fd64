//! The attendee's reply as an edit of the stored object: only what RFC 6638
//! §3.2.2.1 lets an attendee change. The user's PARTSTAT, an optional
//! COMMENT, and for one occurrence an added RECURRENCE-ID override. Never
//! SEQUENCE; every other line is written back exactly as it was, except a
//! repeated attendee-owned property a server left behind (see
//! [`repair_own_properties`]).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::event::{self, escape};
use super::identity::normalize;
use super::invitation::main_event;
use super::lines::{Component, Document, Item, Line, ParseError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Accept,
    Tentative,
    Decline,
    /// Someone else goes instead (RFC 5546 §4.2.5): [`Reply::delegate`]
    /// names them.
    Delegate,
}

impl Answer {
    pub fn partstat(self) -> &'static str {
        match self {
            Answer::Accept => "ACCEPTED",
            Answer::Tentative => "TENTATIVE",
            Answer::Decline => "DECLINED",
            Answer::Delegate => "DELEGATED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "accept" | "accepted" => Some(Answer::Accept),
            "tentative" => Some(Answer::Tentative),
            "decline" | "declined" => Some(Answer::Decline),
            _ => None,
        }
    }
}

/// What the person decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub answer: Answer,
    pub comment: Option<String>,
    /// RECURRENCE-ID value of the one occurrence answered, or None for all.
    pub occurrence: Option<String>,
    /// The ATTENDEE address the person answers as.
    pub me: String,
    /// "Don't send": the answer goes on the person's copy only, and the
    /// server is asked to send the organizer no iTIP REPLY (how, and
    /// whether it can, is the capability record's `silent_replies`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silent: bool,
    /// With [`Answer::Delegate`]: the address the invitation is delegated
    /// to (`mailto:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the event can't be read: {0}")]
    Parse(#[from] ParseError),
    #[error("the object holds no event")]
    NoEvent,
    #[error("{0} is not an attendee of this event")]
    NotAttendee(String),
    #[error("this event does not repeat, so there is no occurrence {0} to answer")]
    NotRecurring(String),
    #[error("occurrence {given:?} does not match the event's start format (like {example})")]
    BadOccurrence { given: String, example: String },
    #[error("delegating needs the address of the person who goes instead")]
    NoDelegate,
    #[error("{0:?} is not an e-mail address (like bob@example.com)")]
    BadAddress(String),
    #[error("{0} is already invited to this event: delegate to someone else")]
    AlreadyInvited(String),
    #[error(
        "line {0} of the event holds a bare carriage return, so Convene can't change it without changing other parts of it"
    )]
    Unwritable(usize),
}

/// Applies `reply` to the object text and returns the new text.
pub fn apply(data: &str, reply: &Reply) -> Result<String, ReplyError> {
    if reply.answer == Answer::Delegate && reply.delegate.as_deref().is_none_or(|d| d.trim().is_empty()) {
        return Err(ReplyError::NoDelegate);
    }
    let mut doc = Document::parse(data)?;
    let cal = doc.calendar_mut().ok_or(ReplyError::NoEvent)?;
    match &reply.occurrence {
        None => answer_series(cal, reply)?,
        Some(rid) => answer_occurrence(cal, reply, rid)?,
    }
    repair_own_properties(cal);
    Ok(doc.to_string())
}

/// Properties the attendee owns (RFC 6638 §3.2.2.1) that may appear at most
/// once in an event (RFC 5545 §3.6.1).
const OWN_ONCE: &[&str] = &["TRANSP"];

/// Keeps one of each [`OWN_ONCE`] property per event. Cyrus 3.6.1 carries
/// the attendee's TRANSP over into an organizer's update that has its own,
/// leaving two, and then refuses the attendee's PUT of that copy (403
/// `valid-calendar-data`), so no answer could be sent. The last one stays:
/// it is the attendee's, appended by the server. Every other line is kept.
fn repair_own_properties(cal: &mut Component) {
    for ev in cal.children_mut().filter(|c| c.name == "VEVENT") {
        for name in OWN_ONCE {
            let at: Vec<usize> = (0..ev.items.len())
                .filter(|&i| matches!(&ev.items[i], Item::Prop(l) if l.name.eq_ignore_ascii_case(name)))
                .collect();
            if let Some((_, extra)) = at.split_last() {
                for &i in extra.iter().rev() {
                    ev.items.remove(i);
                }
            }
        }
    }
}

/// Whether the object already carries this answer (a send that landed
/// before a crash, or the same answer given elsewhere).
pub fn is_applied(data: &str, reply: &Reply) -> bool {
    let Ok(doc) = Document::parse(data) else { return false };
    let Some(cal) = doc.calendar() else { return false };
    let target = cal.children().filter(|c| c.name == "VEVENT").find(|c| match &reply.occurrence {
        None => c.prop("RECURRENCE-ID").is_none(),
        Some(rid) => event::recurrence_id(c).is_some_and(|r| same_instant(&r, rid)),
    });
    let Some(ev) = target else { return false };
    let answered = ev.props().filter(|l| is_me(l, &reply.me)).any(|l| {
        l.param("PARTSTAT").is_some_and(|p| p.value().eq_ignore_ascii_case(reply.answer.partstat()))
            && match reply.delegate.as_deref() {
                Some(d) => names(l, "DELEGATED-TO", d),
                None => l.param("DELEGATED-TO").is_none(),
            }
    });
    let commented = match &reply.comment {
        None => true,
        Some(c) => ev.props_named("COMMENT").any(|l| event::unescape(&l.value) == *c),
    };
    answered && commented
}

pub(super) fn is_me(line: &Line, me: &str) -> bool {
    line.name == "ATTENDEE" && normalize(&line.value) == normalize(me)
}

/// Whether the line's parameter `name` (a list of addresses) holds `address`.
pub(super) fn names(line: &Line, name: &str, address: &str) -> bool {
    line.param(name).is_some_and(|p| p.values().iter().any(|v| normalize(v) == normalize(address)))
}

/// Sets PARTSTAT on the user's ATTENDEE lines of one VEVENT (and, for a
/// delegation, who goes instead; any other answer takes an earlier
/// delegation back). Returns false when the user is not an attendee of it.
fn answer_event(ev: &mut Component, reply: &Reply) -> Result<bool, ReplyError> {
    if let Some(line) = ev.props().find(|l| is_me(l, &reply.me) && !l.rewritable()) {
        return Err(ReplyError::Unwritable(line.number));
    }
    let mut found = false;
    for line in ev.props_mut().filter(|l| is_me(l, &reply.me)) {
        line.set_param("PARTSTAT", reply.answer.partstat());
        // Going (or not) themselves after all: no longer delegated. The
        // delegate's own line stays as the copy has it: once the server
        // invited them they are the organizer's attendee, who answer the
        // organizer (RFC 5546 §4.2.6) and whom only the organizer removes
        // (RFC 6638 §3.2.2.1: an attendee changes its own line only).
        if reply.answer != Answer::Delegate {
            line.remove_param("DELEGATED-TO");
        }
        found = true;
    }
    if let (true, Answer::Delegate, Some(to)) = (found, reply.answer, reply.delegate.as_deref()) {
        super::delegation::delegate_event(ev, &reply.me, to)?;
    }
    Ok(found)
}

/// Ensures `line` can be edited faithfully (see [`Line::rewritable`]).
fn rewritable(line: &Line) -> Result<(), ReplyError> {
    if line.rewritable() { Ok(()) } else { Err(ReplyError::Unwritable(line.number)) }
}

/// The reply's COMMENT (RFC 5546 §3.2.3). Added, never replacing: the
/// event may carry the organizer's own COMMENT, which is not ours to drop.
fn set_comment(ev: &mut Component, comment: &str) {
    let value = escape(comment);
    if comment.trim().is_empty() || ev.props_named("COMMENT").any(|l| l.value == value) {
        return;
    }
    ev.push_prop(Line::new("COMMENT", Vec::new(), &value));
}

fn answer_series(cal: &mut Component, reply: &Reply) -> Result<(), ReplyError> {
    // The comment goes once, on the series (or the first event answered
    // when the series doesn't list the person): one answer, one comment,
    // however many overrides repeat the attendee.
    let mut commented: Option<(usize, bool)> = None;
    let mut saw_event = false;
    for (k, ev) in cal.children_mut().filter(|c| c.name == "VEVENT").enumerate() {
        saw_event = true;
        let series = ev.prop("RECURRENCE-ID").is_none();
        if answer_event(ev, reply)? && commented.is_none_or(|(_, s)| series && !s) {
            commented = Some((k, series));
        }
    }
    if !saw_event {
        return Err(ReplyError::NoEvent);
    }
    let Some((k, _)) = commented else { return Err(ReplyError::NotAttendee(reply.me.clone())) };
    if let Some(comment) = &reply.comment
        && let Some(ev) = cal.children_mut().filter(|c| c.name == "VEVENT").nth(k)
    {
        set_comment(ev, comment);
    }
    Ok(())
}

fn answer_occurrence(cal: &mut Component, reply: &Reply, rid: &str) -> Result<(), ReplyError> {
    // An existing override for this occurrence: answer it in place.
    let existing = cal
        .children_mut()
        .filter(|c| c.name == "VEVENT")
        .find(|c| event::recurrence_id(c).is_some_and(|r| same_instant(&r, rid)));
    if let Some(ev) = existing {
        return answer_occurrence_event(ev, reply);
    }
    let master = main_event(cal).filter(|m| m.prop("RECURRENCE-ID").is_none()).ok_or(ReplyError::NoEvent)?;
    if master.prop("RRULE").is_none() && master.prop("RDATE").is_none() {
        return Err(ReplyError::NotRecurring(rid.to_owned()));
    }
    let mut ev = override_for(master, rid)?;
    answer_occurrence_event(&mut ev, reply)?;
    // Place it right after the series, where clients and servers expect it.
    let at = cal
        .items
        .iter()
        .rposition(|i| matches!(i, Item::Child(c) if c.name == "VEVENT"))
        .map_or(cal.items.len(), |i| i + 1);
    cal.items.insert(at, Item::Child(ev));
    Ok(())
}

/// Answers the one event of an occurrence, with the comment.
fn answer_occurrence_event(ev: &mut Component, reply: &Reply) -> Result<(), ReplyError> {
    if !answer_event(ev, reply)? {
        return Err(ReplyError::NotAttendee(reply.me.clone()));
    }
    if let Some(comment) = &reply.comment {
        set_comment(ev, comment);
    }
    Ok(())
}

pub(crate) fn same_instant(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn parse_stamp(v: &str) -> Option<NaiveDateTime> {
    let v = v.trim().trim_end_matches('Z');
    if v.len() == 8 {
        return chrono::NaiveDate::parse_from_str(v, "%Y%m%d").ok()?.and_hms_opt(0, 0, 0);
    }
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()
}

fn format_like(t: NaiveDateTime, example: &str) -> String {
    if example.len() == 8 {
        t.format("%Y%m%d").to_string()
    } else if example.ends_with('Z') {
        t.format("%Y%m%dT%H%M%SZ").to_string()
    } else {
        t.format("%Y%m%dT%H%M%S").to_string()
    }
}

/// A copy of the series' event for one occurrence (RFC 5545 §3.8.4.4):
/// same properties, moved to the occurrence's start, without the rules.
pub(crate) fn override_for(master: &Component, rid: &str) -> Result<Component, ReplyError> {
    let dtstart = master.prop("DTSTART").ok_or(ReplyError::NoEvent)?;
    // Both are rewritten, and RECURRENCE-ID takes DTSTART's parameters.
    rewritable(dtstart)?;
    if let Some(dtend) = master.prop("DTEND") {
        rewritable(dtend)?;
    }
    let start = dtstart.value.trim();
    let bad = || ReplyError::BadOccurrence { given: rid.to_owned(), example: start.to_owned() };
    let shape_ok = rid.len() == start.len() && rid.ends_with('Z') == start.ends_with('Z');
    let (Some(old_start), Some(new_start)) = (parse_stamp(start), parse_stamp(rid)) else {
        return Err(bad());
    };
    if !shape_ok || new_start < old_start {
        return Err(bad());
    }
    let shift = new_start - old_start;
    let mut ev = master.clone();
    ev.remove_props("RRULE");
    ev.remove_props("RDATE");
    ev.remove_props("EXDATE");
    for line in ev.props_mut() {
        if line.name == "DTSTART" {
            line.set_value(rid);
        } else if line.name == "DTEND"
            && let Some(end) = parse_stamp(&line.value)
        {
            let example = line.value.trim().to_owned();
            let moved = end.checked_add_signed(shift).ok_or_else(bad)?;
            line.set_value(&format_like(moved, &example));
        }
    }
    let mut rid_line = Line::new("RECURRENCE-ID", dtstart.params.clone(), rid);
    rid_line.number = 0;
    ev.push_prop(rid_line);
    Ok(ev)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Pacific/Auckland\r\nBEGIN:STANDARD\r\nDTSTART:19700405T030000\r\nTZOFFSETFROM:+1300\r\nTZOFFSETTO:+1200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART;TZID=Pacific/Auckland:20300604T100000\r\nDTEND;TZID=Pacific/Auckland:20300604T110000\r\nRRULE:FREQ=WEEKLY;COUNT=10;BYDAY=TU\r\nSEQUENCE:2\r\nSUMMARY:Weekly sync\r\nORGANIZER;CN=\"Chen: Lead\":mailto:chen@example.com\r\nATTENDEE;CN=\"Chen: Lead\";PARTSTAT=ACCEPTED:mailto:chen@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=\"2.0;Success\":mailto:ann@example.com\r\nX-WR-ODD;X-Q=\"a;b\":keep me\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    pub(crate) fn reply(answer: Answer, occurrence: Option<&str>, comment: Option<&str>) -> Reply {
        Reply {
            answer,
            comment: comment.map(str::to_owned),
            occurrence: occurrence.map(str::to_owned),
            me: "MAILTO:ann@EXAMPLE.com".into(),
            silent: false,
            delegate: None,
        }
    }

    pub(crate) fn unfolded_lines(s: &str) -> Vec<String> {
        s.replace("\r\n ", "").split("\r\n").map(str::to_owned).collect()
    }

    #[test]
    fn series_answer_changes_only_my_attendee_line() {
        let out = apply(WEEKLY, &reply(Answer::Accept, None, None)).unwrap();
        let before = unfolded_lines(WEEKLY);
        let after = unfolded_lines(&out);
        assert_eq!(before.len(), after.len());
        let changed: Vec<(&String, &String)> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(
            changed[0].1,
            "ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;SCHEDULE-STATUS=\"2.0;Success\":mailto:ann@example.com"
        );
        assert!(out.contains("SEQUENCE:2\r\n"));
    }

    #[test]
    fn a_comment_is_added_escaped_and_never_replaces_another() {
        let organizers =
            WEEKLY.replace("SUMMARY:Weekly sync\r\n", "SUMMARY:Weekly sync\r\nCOMMENT:Bring slides\r\n");
        let once = apply(&organizers, &reply(Answer::Tentative, None, Some("Late, maybe; sorry"))).unwrap();
        assert!(once.contains("COMMENT:Late\\, maybe\\; sorry\r\n"));
        assert!(once.contains("COMMENT:Bring slides\r\n"));
        let same = apply(&once, &reply(Answer::Decline, None, Some("Late, maybe; sorry"))).unwrap();
        assert_eq!(same.matches("COMMENT:").count(), 2, "the same comment is not repeated");
        let twice = apply(&once, &reply(Answer::Decline, None, Some("Can't"))).unwrap();
        assert!(twice.contains("COMMENT:Can't\r\n") && twice.contains("COMMENT:Bring slides\r\n"));
        // The comment goes before the VALARM, inside the VEVENT.
        assert!(twice.find("COMMENT:").unwrap() < twice.find("BEGIN:VALARM").unwrap());
    }

    #[test]
    fn one_occurrence_adds_an_override_and_leaves_the_series() {
        let out = apply(WEEKLY, &reply(Answer::Decline, Some("20300611T100000"), None)).unwrap();
        let doc = Document::parse(&out).unwrap();
        let events: Vec<&Component> =
            doc.calendar().unwrap().children().filter(|c| c.name == "VEVENT").collect();
        assert_eq!(events.len(), 2);
        let master = events[0];
        assert!(
            master
                .props()
                .all(|l| l.name != "ATTENDEE" || l.param("PARTSTAT").unwrap().value() != "DECLINED")
        );
        let ov = events[1];
        assert_eq!(
            ov.prop("RECURRENCE-ID").unwrap().unfolded(),
            "RECURRENCE-ID;TZID=Pacific/Auckland:20300611T100000"
        );
        assert_eq!(ov.prop("DTSTART").unwrap().value, "20300611T100000");
        assert_eq!(ov.prop("DTEND").unwrap().value, "20300611T110000");
        assert!(ov.prop("RRULE").is_none());
        assert_eq!(ov.prop("SEQUENCE").unwrap().value, "2");
        let me = ov.props().find(|l| l.name == "ATTENDEE" && l.value.contains("ann")).unwrap();
        assert_eq!(me.param("PARTSTAT").unwrap().value(), "DECLINED");
        // The original text is a prefix-preserving part of the output.
        assert!(out.starts_with(&WEEKLY[..WEEKLY.find("END:VEVENT").unwrap()]));
        // Answering the same occurrence again edits the override.
        let again = apply(&out, &reply(Answer::Accept, Some("20300611T100000"), None)).unwrap();
        assert_eq!(again.matches("BEGIN:VEVENT").count(), 2);
        assert!(again.contains("RECURRENCE-ID;TZID=Pacific/Auckland:20300611T100000"));
    }

    #[test]
    fn applied_answers_are_recognised() {
        let r = reply(Answer::Decline, Some("20300611T100000"), Some("Away"));
        assert!(!is_applied(WEEKLY, &r));
        let out = apply(WEEKLY, &r).unwrap();
        assert!(is_applied(&out, &r));
        assert!(!is_applied(&out, &reply(Answer::Decline, None, None)), "the series is still unanswered");
        assert!(!is_applied(&out, &reply(Answer::Accept, Some("20300611T100000"), None)));
    }

    #[test]
    fn wrong_occurrences_and_strangers_are_refused_clearly() {
        let bad = apply(WEEKLY, &reply(Answer::Accept, Some("20300611T100000Z"), None)).unwrap_err();
        assert!(matches!(bad, ReplyError::BadOccurrence { .. }), "{bad}");
        assert!(bad.to_string().contains("20300604T100000"));
        let single = WEEKLY.replace("RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=TU\r\n", "");
        assert!(matches!(
            apply(&single, &reply(Answer::Accept, Some("20300611T100000"), None)),
            Err(ReplyError::NotRecurring(_))
        ));
        let stranger = Reply { me: "mailto:zed@example.com".into(), ..reply(Answer::Accept, None, None) };
        assert_eq!(
            apply(WEEKLY, &stranger).unwrap_err(),
            ReplyError::NotAttendee("mailto:zed@example.com".into())
        );
        assert!(matches!(apply("garbage", &reply(Answer::Accept, None, None)), Err(ReplyError::Parse(_))));
    }

    #[test]
    fn a_series_answer_adds_its_comment_once_on_the_series() {
        // Found by the fuzzer: every event listing the person took a copy
        // of the comment, so a long one grew the object per event.
        let two = "BEGIN:VCALENDAR\nN:\nBEGIN:VJOURNAL\nD:\nEND:VJOURNAL\nBEGIN:VEVENT\nT;=:\nATTENDEE;=:MAILTO:Attendee@EXAMPLE.com\nEND:VEVENT\nBEGIN:VEVENT\nT;=\"\":\nATTENDEE;=\"\":MAILTO:Attendee@EXAMPLE.com\nEND:VEVENT\nEND:VCALENDAR";
        let r =
            Reply { me: "MAILTO:Attendee@EXAMPLE.com".into(), ..reply(Answer::Accept, None, Some("Late")) };
        let out = apply(two, &r).unwrap();
        assert_eq!(out.matches("COMMENT:Late").count(), 1, "{out}");
        assert_eq!(out.matches("PARTSTAT=ACCEPTED").count(), 2, "{out}");
        // An override written before its series: the series takes it.
        let ov = "BEGIN:VEVENT\r\nUID:weekly-1\r\nRECURRENCE-ID;TZID=Pacific/Auckland:20300611T100000\r\nDTSTART;TZID=Pacific/Auckland:20300611T120000\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com\r\nEND:VEVENT\r\n";
        let both = WEEKLY.replace("END:VTIMEZONE\r\n", &format!("END:VTIMEZONE\r\n{ov}"));
        let out = apply(&both, &reply(Answer::Decline, None, Some("Away"))).unwrap();
        let doc = Document::parse(&out).unwrap();
        let events: Vec<&Component> =
            doc.calendar().unwrap().children().filter(|c| c.name == "VEVENT").collect();
        let comments = |ev: &Component| ev.props_named("COMMENT").count();
        assert_eq!((comments(events[0]), comments(events[1])), (0, 1));
        assert!(events[0].prop("ATTENDEE").unwrap().unfolded().contains("PARTSTAT=DECLINED"));
        assert!(is_applied(&out, &reply(Answer::Decline, None, Some("Away"))));
    }

    /// The attendee's copy as Cyrus 3.6.1 left it after an organizer's
    /// update of an event with TRANSP (measured): two TRANSP lines.
    const CYRUS_TWO_TRANSP: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CyrusIMAP.org/Cyrus 3.6.1-Debian-3.6.1-4+deb12u5//EN\r\nBEGIN:VEVENT\r\nUID:ik-transp-2\r\nDTSTAMP:20261206T140851Z\r\nDTSTART:20300311T100000Z\r\nDTEND:20300311T110000Z\r\nSEQUENCE:2\r\nSUMMARY:Transp test\r\nTRANSP:OPAQUE\r\nORGANIZER:mailto:organizer@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:organizer@example.com\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_repeated_transp_keeps_one_and_every_other_byte() {
        let out = apply(CYRUS_TWO_TRANSP, &reply(Answer::Accept, None, None)).unwrap();
        let expected = CYRUS_TWO_TRANSP
            .replacen("TRANSP:OPAQUE\r\n", "", 1)
            .replace("RSVP=TRUE;PARTSTAT=NEEDS-ACTION", "RSVP=TRUE;PARTSTAT=ACCEPTED");
        assert_eq!(out, expected);
        // The attendee's own value (the one the server appended) is kept
        // when the two differ.
        let differ = CYRUS_TWO_TRANSP.replacen("TRANSP:OPAQUE", "TRANSP:TRANSPARENT", 1);
        let out = apply(&differ, &reply(Answer::Decline, None, None)).unwrap();
        assert_eq!(out.matches("TRANSP:").count(), 1, "{out}");
        assert!(out.contains("ann@example.com\r\nTRANSP:OPAQUE\r\nEND:VEVENT"), "{out}");
        // One occurrence's override is a copy of the series: it gets one too.
        let weekly = CYRUS_TWO_TRANSP
            .replace("SEQUENCE:2\r\n", "SEQUENCE:2\r\nRRULE:FREQ=WEEKLY;UNTIL=20300501T100000Z\r\n");
        let out = apply(&weekly, &reply(Answer::Tentative, Some("20300318T100000Z"), None)).unwrap();
        assert_eq!(out.matches("TRANSP:").count(), 2, "one per event: {out}");
        // A single TRANSP is left alone, as every other line.
        let one = CYRUS_TWO_TRANSP.replacen("TRANSP:OPAQUE\r\n", "", 1);
        let out = apply(&one, &reply(Answer::Accept, None, None)).unwrap();
        assert_eq!(out, expected);
    }

    #[test]
    fn a_line_with_a_bare_carriage_return_is_refused_by_number() {
        // Found by the fuzzer: the edited line was folded right after a CR,
        // which reading then took for a line ending: a second apply changed
        // the address again, and a parameter name lost CRs.
        let cr = "\r".repeat(16);
        let address = format!("mailto:ann@examp{cr}m");
        let folded = format!(
            "BEGIN:VCALENDAR\nN:\nBEGIN:VEVENT\nD:\nATTENDEE;PA\";CN=\": Lead\":{address}\nEND:VEVENT\nEND:VCALENDAR"
        );
        // The quotes are unbalanced: the value starts at ": Lead".
        let r = Reply { me: format!(" Lead\":{address}"), ..reply(Answer::Decline, None, None) };
        assert_eq!(apply(&folded, &r), Err(ReplyError::Unwritable(5)));
        let in_a_name = WEEKLY.replace(
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
            &format!("ATTENDEE;PARTSTA{}T=;X-Q=a,\"b,c\"", "\r".repeat(150)),
        );
        let err = apply(&in_a_name, &reply(Answer::Decline, None, None)).unwrap_err();
        assert_eq!(err, ReplyError::Unwritable(22));
        assert!(err.to_string().starts_with("line 22 of the event holds a bare carriage return"));
        // An occurrence's override rewrites DTSTART: the same rule.
        let start = WEEKLY.replace("DTSTART;TZID=Pacific/Auckland:", "DTSTART;X-A=\r;TZID=Pacific/Auckland:");
        assert_eq!(
            apply(&start, &reply(Answer::Accept, Some("20300611T100000"), None)),
            Err(ReplyError::Unwritable(15))
        );
    }
}
