//! Attendees' busy times beside the editor's attendees, where the server
//! answers free/busy (the actor knows from the capability record and says
//! so otherwise): each attendee's busy blocks on the event's day, and
//! whether the chosen time is free. Asked again when the day, the time or
//! the attendees change; an answer to an older question is dropped.

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::ical::draft::When;
use crate::sync::Availability;

/// What to ask the account's actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub account: String,
    pub attendees: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Busy {
    #[default]
    NotAsked,
    Asking(Query),
    Known(Query, Vec<Availability>),
    /// Why there are none (the server doesn't tell, or the lookup failed).
    Unknown(Query, String),
}

impl Busy {
    fn query(&self) -> Option<&Query> {
        match self {
            Busy::NotAsked => None,
            Busy::Asking(q) | Busy::Known(q, _) | Busy::Unknown(q, _) => Some(q),
        }
    }

    /// `want` differs from what was last asked: ask it (returned), or
    /// forget the answer when there is nothing to ask.
    pub fn next(&mut self, want: Option<Query>) -> Option<Query> {
        if self.query() == want.as_ref() {
            return None;
        }
        *self = want.clone().map_or(Busy::NotAsked, Busy::Asking);
        want
    }

    /// The actor's answer for the day starting at `from`.
    pub fn answered(&mut self, from: DateTime<Utc>, answer: Result<Vec<Availability>, String>) {
        let Busy::Asking(q) = self else { return };
        // An answer to an earlier question about the same day has fewer
        // (or other) attendees: the latest one's answer follows it.
        let fewer = answer.as_ref().is_ok_and(|list| list.len() != q.attendees.len());
        if q.from != from || fewer {
            return;
        }
        let q = q.clone();
        *self = match answer {
            Ok(list) => Busy::Known(q, list),
            Err(why) => Busy::Unknown(q, why),
        };
    }

    /// A line per attendee: their busy blocks on the day, and whether the
    /// event's time `[start, end)` is free for them.
    pub fn lines(&self, span: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<String> {
        match self {
            Busy::NotAsked => vec![],
            Busy::Asking(_) => vec!["Asking the server when the attendees are busy…".into()],
            Busy::Unknown(_, why) => vec![format!("Busy times unknown: {why}")],
            Busy::Known(_, list) => list.iter().map(|a| line(a, span)).collect(),
        }
    }
}

fn line(a: &Availability, span: Option<(DateTime<Utc>, DateTime<Utc>)>) -> String {
    if a.status != "delivered" {
        return format!("{}: {}", a.address, a.status);
    }
    if a.busy.is_empty() {
        return format!("{}: free all day", a.address);
    }
    let hm = |t: &DateTime<Utc>| t.with_timezone(&Local).format("%H:%M").to_string();
    let blocks: Vec<String> = a.busy.iter().map(|(s, e)| format!("{}–{}", hm(s), hm(e))).collect();
    let then = match span {
        Some((start, end)) if a.busy.iter().any(|(s, e)| *s < end && *e > start) => " · busy then",
        Some(_) => " · free then",
        None => "",
    };
    format!("{}: busy {}{then}", a.address, blocks.join(", "))
}

/// The event's time as instants (a floating or unknown zone on the
/// person's own clock), and the day around its start to ask about.
pub fn span_of(when: &When) -> (DateTime<Utc>, DateTime<Utc>) {
    match when {
        When::AllDay { start, end } => (local(midnight(*start)), local(midnight(*end))),
        When::Timed { start, end, zone } => match zone.parse::<chrono_tz::Tz>() {
            Ok(tz) => (on(&tz, *start), on(&tz, *end)),
            Err(_) => (local(*start), local(*end)),
        },
    }
}

/// The person's day holding `start`.
pub fn day_of(start: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = start.with_timezone(&Local).date_naive();
    (local(midnight(day)), local(midnight(day + Duration::days(1))))
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(Default::default())
}

fn local(t: NaiveDateTime) -> DateTime<Utc> {
    on(&Local, t)
}

fn on<Z: TimeZone>(zone: &Z, t: NaiveDateTime) -> DateTime<Utc> {
    zone.from_local_datetime(&t).earliest().map_or_else(|| t.and_utc(), |x| x.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: i64) -> Query {
        let t = DateTime::from_timestamp(from, 0).unwrap();
        Query { account: "a".into(), attendees: vec!["b@x".into()], from: t, to: t + Duration::days(1) }
    }

    #[test]
    fn asks_once_per_question_and_keeps_only_the_latest_answer() {
        let mut b = Busy::default();
        assert_eq!(b.next(None), None, "no attendees: nothing to ask");
        assert_eq!(b.next(Some(q(0))), Some(q(0)));
        assert_eq!(b.next(Some(q(0))), None, "the same question is not asked again");
        assert_eq!(b.next(Some(q(86_400))), Some(q(86_400)), "another day is");
        b.answered(q(0).from, Ok(vec![]));
        assert_eq!(b, Busy::Asking(q(86_400)), "an answer to the older question is dropped");
        let t = |h: i64| DateTime::from_timestamp(86_400 + h * 3600, 0).unwrap();
        let busy = vec![(t(9), t(10))];
        let a = Availability { address: "b@x".into(), status: "delivered".into(), busy };
        b.answered(q(86_400).from, Ok(vec![a]));
        let hm = |h| t(h).with_timezone(&Local).format("%H:%M").to_string();
        assert_eq!(b.lines(Some((t(9), t(11)))), [format!("b@x: busy {}–{} · busy then", hm(9), hm(10))]);
        assert_eq!(b.lines(Some((t(10), t(11)))), [format!("b@x: busy {}–{} · free then", hm(9), hm(10))]);
        assert_eq!(b.next(None), None);
        assert_eq!(b, Busy::NotAsked, "the attendees removed: nothing shown");
    }
}
