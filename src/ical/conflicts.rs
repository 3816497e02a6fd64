//! Which of the person's own events overlap an invitation: what they would
//! have to give up to accept it.

use chrono::{DateTime, Local, SecondsFormat};
use serde::{Deserialize, Serialize};

use super::occurrence::Occurrence;
use super::reply::Answer;

/// One of the person's events that overlaps the invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub uid: String,
    pub summary: String,
    /// RFC 3339 in the person's zone (what `--json` carries).
    pub start: String,
    pub end: String,
    pub all_day: bool,
    /// The calendar collection it is in (so a window can leave out the
    /// calendars the person hides).
    pub calendar: String,
}

impl Conflict {
    fn of(o: &Occurrence, calendar: &str) -> Self {
        let at = |t: &DateTime<Local>| t.to_rfc3339_opts(SecondsFormat::Secs, false);
        Conflict {
            uid: o.uid.clone(),
            summary: o.summary.clone(),
            start: at(&o.start),
            end: at(&o.end),
            all_day: o.all_day,
            calendar: calendar.to_owned(),
        }
    }

    pub fn start(&self) -> Option<DateTime<Local>> {
        DateTime::parse_from_rfc3339(&self.start).ok().map(|t| t.with_timezone(&Local))
    }

    pub fn end(&self) -> Option<DateTime<Local>> {
        DateTime::parse_from_rfc3339(&self.end).ok().map(|t| t.with_timezone(&Local))
    }
}

/// Whether two spans share time. An event without length (a reminder at
/// 10:00) overlaps what runs at that instant.
fn overlaps(a: &Occurrence, b: &Occurrence) -> bool {
    let (a_end, b_end) = (a.end.max(a.start), b.end.max(b.start));
    let at = |instant, start, end| start == instant || (start <= instant && instant < end);
    if a.start == a_end {
        return at(a.start, b.start, b_end);
    }
    if b.start == b_end {
        return at(b.start, a.start, a_end);
    }
    a.start < b_end && b.start < a_end
}

/// The events among `others` (occurrences already expanded, each with the
/// person's answer to it when they were invited, and its calendar) that
/// overlap `invitation`:
/// the invitation itself, cancelled events and those the person declined
/// or delegated left out; in order of start.
pub fn find<'a>(
    invitation: &Occurrence,
    others: impl IntoIterator<Item = (&'a Occurrence, Option<Answer>, &'a str)>,
) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = others
        .into_iter()
        .filter(|(o, answer, _)| {
            o.uid != invitation.uid
                && !o.cancelled
                && !matches!(answer, Some(Answer::Decline | Answer::Delegate))
                && overlaps(invitation, o)
        })
        .map(|(o, _, calendar)| Conflict::of(o, calendar))
        .collect();
    out.sort_by(|a, b| (a.start(), &a.summary).cmp(&(b.start(), &b.summary)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::occurrence::{expand, first};
    use chrono::{Duration, TimeZone, Utc};

    fn event(uid: &str, summary: &str, lines: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    /// The invitation's first occurrence against `others` expanded over
    /// the invitation's day, each with the given answer.
    fn conflicts(invitation: &str, others: &[(String, Option<Answer>)]) -> Vec<String> {
        let inv = first(invitation).unwrap();
        let from = inv.start.with_timezone(&Utc) - Duration::days(1);
        let to = inv.end.with_timezone(&Utc) + Duration::days(1);
        let expanded: Vec<(Occurrence, Option<Answer>)> = others
            .iter()
            .flat_map(|(data, a)| expand(data, from, to).occurrences.into_iter().map(move |o| (o, *a)))
            .collect();
        find(&inv, expanded.iter().map(|(o, a)| (o, *a, "/cal/"))).into_iter().map(|c| c.summary).collect()
    }

    const REVIEW: &str = "DTSTART:20300612T100000Z\r\nDTEND:20300612T110000Z\r\n";

    #[test]
    fn an_overlapping_event_conflicts_and_neighbours_do_not() {
        let review = event("inv", "Review", REVIEW);
        let others = [
            (event("a", "Team sync", "DTSTART:20300612T103000Z\r\nDTEND:20300612T113000Z\r\n"), None),
            (event("b", "Before", "DTSTART:20300612T090000Z\r\nDTEND:20300612T100000Z\r\n"), None),
            (event("c", "After", "DTSTART:20300612T110000Z\r\nDURATION:PT1H\r\n"), None),
            (event("d", "Inside", "DTSTART:20300612T101500Z\r\nDURATION:PT15M\r\n"), Some(Answer::Accept)),
        ];
        assert_eq!(conflicts(&review, &others), vec!["Inside", "Team sync"]);
    }

    #[test]
    fn a_weekly_series_conflicts_on_its_occurrence_in_another_zone() {
        // 12:00 in Berlin (CEST, +2) on Wednesdays is 10:00 UTC.
        let review = event("inv", "Review", REVIEW);
        let weekly = event(
            "w",
            "Standup",
            "DTSTART;TZID=Europe/Berlin:20300515T120000\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n",
        );
        let other_day = event(
            "t",
            "Thursdays",
            "DTSTART;TZID=Europe/Berlin:20300516T120000\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n",
        );
        // 10:30 in New York (EDT, −4) is 14:30 UTC: no overlap.
        let ny = event("n", "New York", "DTSTART;TZID=America/New_York:20300612T103000\r\nDURATION:PT1H\r\n");
        let others = [(weekly, None), (other_day, None), (ny, None)];
        assert_eq!(conflicts(&review, &others), vec!["Standup"]);
    }

    #[test]
    fn declined_delegated_cancelled_and_the_invitation_itself_are_ignored() {
        let review = event("inv", "Review", REVIEW);
        let others = [
            (event("inv", "Review", REVIEW), None),
            (event("x", "Declined", REVIEW), Some(Answer::Decline)),
            (event("d", "Delegated", REVIEW), Some(Answer::Delegate)),
            (event("y", "Cancelled", &format!("{REVIEW}STATUS:CANCELLED\r\n")), None),
            (event("z", "Tentative", REVIEW), Some(Answer::Tentative)),
        ];
        assert_eq!(conflicts(&review, &others), vec!["Tentative"]);
    }

    #[test]
    fn a_declined_occurrence_of_an_accepted_series_is_ignored() {
        // The answer goes with each occurrence: the caller gives the
        // occurrence's own answer, here a declined one on the 12th.
        let review = event("inv", "Review", REVIEW);
        let inv = first(&review).unwrap();
        let weekly =
            event("w", "Weekly", "DTSTART:20300605T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n");
        let from = Utc.with_ymd_and_hms(2030, 6, 1, 0, 0, 0).unwrap();
        let all = expand(&weekly, from, from + Duration::days(30)).occurrences;
        let answered = all.iter().map(|o| {
            let declined = o.recurrence_id.as_deref() == Some("20300612T100000Z");
            (o, Some(if declined { Answer::Decline } else { Answer::Accept }), "/cal/")
        });
        assert!(find(&inv, answered).is_empty());
        let accepted = all.iter().map(|o| (o, Some(Answer::Accept), "/cal/"));
        assert_eq!(find(&inv, accepted).len(), 1);
    }

    #[test]
    fn an_all_day_event_conflicts_and_says_so() {
        let review = event("inv", "Review", "DTSTART:20300612T100000\r\nDTEND:20300612T110000\r\n");
        let day = event("h", "Offsite", "DTSTART;VALUE=DATE:20300612\r\n");
        let inv = first(&review).unwrap();
        let from = inv.start.with_timezone(&Utc) - Duration::days(1);
        let found = expand(&day, from, from + Duration::days(3)).occurrences;
        let c = find(&inv, found.iter().map(|o| (o, None, "/cal/")));
        assert_eq!(c.len(), 1);
        assert!(c[0].all_day);
        assert_eq!(c[0].start().map(|s| s.date_naive()), Some(inv.start.date_naive()));
    }
}
