//! The editor's fields as the person types them, and the draft they make:
//! dates and times are text (typed, or stepped with − and +), read back
//! with forgiving parsing, and every problem is named in words.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::ical::draft::{Draft, Frequency, Repeat, RepeatEnd, When};

/// What an event with an empty title is saved as (GNOME Calendar's words).
pub const NO_TITLE: &str = "Unnamed event";

/// The reminders offered, in minutes before the start.
pub const REMINDERS: [i64; 6] = [0, 5, 15, 30, 60, 24 * 60];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeats {
    Never,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Repeats {
    pub const ALL: [Repeats; 5] =
        [Repeats::Never, Repeats::Daily, Repeats::Weekly, Repeats::Monthly, Repeats::Yearly];

    fn frequency(self) -> Option<Frequency> {
        match self {
            Repeats::Never => None,
            Repeats::Daily => Some(Frequency::Daily),
            Repeats::Weekly => Some(Frequency::Weekly),
            Repeats::Monthly => Some(Frequency::Monthly),
            Repeats::Yearly => Some(Frequency::Yearly),
        }
    }
}

impl std::fmt::Display for Repeats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Repeats::Never => "Does not repeat",
            Repeats::Daily => "Daily",
            Repeats::Weekly => "Weekly",
            Repeats::Monthly => "Monthly",
            Repeats::Yearly => "Yearly",
        })
    }
}

/// How a repeat ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    Never,
    Until,
    Count,
}

impl Ends {
    pub const ALL: [Ends; 3] = [Ends::Never, Ends::Until, Ends::Count];
}

impl std::fmt::Display for Ends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Ends::Never => "Forever",
            Ends::Until => "Until",
            Ends::Count => "Number of times",
        })
    }
}

/// A reminder in words: "At the start", "15 minutes before", "1 day before".
pub fn reminder_words(minutes: i64) -> String {
    match minutes {
        0 => "At the start".into(),
        m if m % (24 * 60) == 0 => plural(m / (24 * 60), "day"),
        m if m % 60 == 0 => plural(m / 60, "hour"),
        m => plural(m, "minute"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    format!("{n} {unit}{} before", if n == 1 { "" } else { "s" })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub all_day: bool,
    pub start_date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub zone: String,
    pub location: String,
    pub repeats: Repeats,
    /// Kept from the event; the editor offers every 1.
    pub interval: u32,
    pub weekdays: Vec<Weekday>,
    pub ends: Ends,
    pub until: String,
    pub count: String,
    pub reminders: Vec<i64>,
    pub attendees: Vec<String>,
}

/// Which of the four date and time fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    StartDate,
    StartTime,
    EndDate,
    EndTime,
}

pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// `2030-06-04`, `2030-6-4` or `4.6.2030`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y")).ok()
}

/// `9`, `09:30`, `9.30`, `0930`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if s.len() == 4 => s.split_at(2),
        None => (s, "0"),
    };
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl Form {
    /// Empty fields for an event at `when`.
    pub fn at(when: &When) -> Form {
        let (all_day, start, end, zone) = match when {
            When::AllDay { start, end } => {
                // The last day shown, not iCalendar's exclusive end.
                let last = (*end - Duration::days(1)).max(*start);
                (true, start.and_time(NaiveTime::MIN), last.and_time(NaiveTime::MIN), local_zone())
            }
            When::Timed { start, end, zone } => (false, *start, *end, zone.clone()),
        };
        Form {
            title: String::new(),
            all_day,
            start_date: date_text(start.date()),
            start_time: time_text(start.time()),
            end_date: date_text(end.date()),
            end_time: time_text(end.time()),
            zone,
            location: String::new(),
            repeats: Repeats::Never,
            interval: 1,
            weekdays: Vec::new(),
            ends: Ends::Never,
            until: String::new(),
            count: String::new(),
            reminders: Vec::new(),
            attendees: Vec::new(),
        }
    }

    /// The fields showing `draft` (its calendar is the editor's business).
    pub fn of(draft: &Draft) -> Form {
        let (ends, until, count) = match draft.repeat.as_ref().map(|r| r.end) {
            Some(RepeatEnd::Until(d)) => (Ends::Until, date_text(d), String::new()),
            Some(RepeatEnd::Count(n)) => (Ends::Count, String::new(), n.to_string()),
            _ => (Ends::Never, String::new(), String::new()),
        };
        let repeats = match draft.repeat.as_ref().map(|r| r.frequency) {
            None => Repeats::Never,
            Some(Frequency::Daily) => Repeats::Daily,
            Some(Frequency::Weekly) => Repeats::Weekly,
            Some(Frequency::Monthly) => Repeats::Monthly,
            Some(Frequency::Yearly) => Repeats::Yearly,
        };
        Form {
            title: draft.summary.clone(),
            location: draft.location.clone(),
            repeats,
            interval: draft.repeat.as_ref().map_or(1, |r| r.interval.max(1)),
            weekdays: draft.repeat.as_ref().map(|r| r.weekdays.clone()).unwrap_or_default(),
            ends,
            until,
            count,
            reminders: draft.reminders.clone(),
            attendees: draft.attendees.clone(),
            ..Form::at(&draft.when)
        }
    }

    /// Steps a date by days or a time by quarter hours; moving the start
    /// moves the end with it, so the event keeps its length.
    pub fn step(&mut self, field: Field, steps: i64) {
        let (start, end) = (self.start(), self.end());
        let by = match field {
            Field::StartDate | Field::EndDate => Duration::days(steps),
            Field::StartTime | Field::EndTime => Duration::minutes(15 * steps),
        };
        match (field, start, end) {
            (Field::StartDate | Field::StartTime, Some(s), Some(e)) => {
                self.set_start(s + by);
                self.set_end(e + by);
            }
            (Field::StartDate | Field::StartTime, Some(s), None) => self.set_start(s + by),
            (Field::EndDate | Field::EndTime, _, Some(e)) => self.set_end(e + by),
            _ => {}
        }
    }

    fn start(&self) -> Option<NaiveDateTime> {
        Some(parse_date(&self.start_date)?.and_time(parse_time(&self.start_time).unwrap_or(NaiveTime::MIN)))
    }

    fn end(&self) -> Option<NaiveDateTime> {
        Some(parse_date(&self.end_date)?.and_time(parse_time(&self.end_time).unwrap_or(NaiveTime::MIN)))
    }

    fn set_start(&mut self, t: NaiveDateTime) {
        self.start_date = date_text(t.date());
        self.start_time = time_text(t.time());
    }

    fn set_end(&mut self, t: NaiveDateTime) {
        self.end_date = date_text(t.date());
        self.end_time = time_text(t.time());
    }

    /// The draft the fields make, for `calendar`; or what is wrong, in words.
    pub fn draft(&self, calendar: url::Url, description: &str) -> Result<Draft, String> {
        let start_date = parse_date(&self.start_date)
            .ok_or_else(|| format!("“{}” is not a start date (write it as 2030-06-04).", self.start_date))?;
        let end_date = parse_date(&self.end_date)
            .ok_or_else(|| format!("“{}” is not an end date (write it as 2030-06-04).", self.end_date))?;
        let when = if self.all_day {
            if end_date < start_date {
                return Err("The event ends before it starts.".into());
            }
            When::AllDay { start: start_date, end: end_date + Duration::days(1) }
        } else {
            let start_time = parse_time(&self.start_time)
                .ok_or_else(|| format!("“{}” is not a start time (write it as 09:30).", self.start_time))?;
            let end_time = parse_time(&self.end_time)
                .ok_or_else(|| format!("“{}” is not an end time (write it as 10:30).", self.end_time))?;
            let (start, end) = (start_date.and_time(start_time), end_date.and_time(end_time));
            if end < start {
                return Err("The event ends before it starts.".into());
            }
            let zone = self.zone.trim();
            if zone.parse::<chrono_tz::Tz>().is_err() {
                return Err(format!("“{zone}” is not a time zone (write it as Europe/Berlin, or UTC)."));
            }
            When::Timed { start, end, zone: zone.to_owned() }
        };
        let summary = match self.title.trim() {
            "" => NO_TITLE.to_owned(),
            t => t.to_owned(),
        };
        Ok(Draft {
            calendar,
            summary,
            when,
            location: self.location.trim().to_owned(),
            description: description.trim_end().to_owned(),
            repeat: self.repeat(start_date)?,
            reminders: self.reminders.clone(),
            attendees: self.attendees.clone(),
        })
    }

    fn repeat(&self, start: NaiveDate) -> Result<Option<Repeat>, String> {
        let Some(frequency) = self.repeats.frequency() else { return Ok(None) };
        let end = match self.ends {
            Ends::Never => RepeatEnd::Never,
            Ends::Until => {
                let until = parse_date(&self.until)
                    .ok_or_else(|| format!("“{}” is not a date to repeat until.", self.until))?;
                if until < start {
                    return Err("The event repeats until a day before it starts.".into());
                }
                RepeatEnd::Until(until)
            }
            Ends::Count => match self.count.trim().parse::<u32>() {
                Ok(n) if n > 0 => RepeatEnd::Count(n),
                _ => return Err(format!("“{}” is not a number of times to repeat.", self.count)),
            },
        };
        let mut weekdays = if frequency == Frequency::Weekly { self.weekdays.clone() } else { Vec::new() };
        weekdays.sort_by_key(Weekday::num_days_from_monday);
        weekdays.dedup();
        Ok(Some(Repeat { frequency, interval: self.interval.max(1), weekdays, end }))
    }
}

/// Whether `s` looks like an e-mail address (an attendee's).
pub fn is_address(s: &str) -> bool {
    let s = s.trim();
    s.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !s.contains(' '))
}

/// The computer's time zone by its IANA name (`UTC` if it can't be told):
/// `TZ` first, as chrono's `Local` (the clock the views use) reads it.
pub fn local_zone() -> String {
    let tz = std::env::var("TZ").ok().map(|z| z.trim_start_matches(':').to_owned());
    tz.into_iter()
        .chain(iana_time_zone::get_timezone().ok())
        .find(|z| z.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        let day = NaiveDate::from_ymd_opt(2030, 6, 4).unwrap();
        Draft {
            calendar: url::Url::parse("https://h/cal/work/").unwrap(),
            summary: "Review".into(),
            when: When::Timed {
                start: day.and_hms_opt(9, 0, 0).unwrap(),
                end: day.and_hms_opt(10, 0, 0).unwrap(),
                zone: "Europe/Berlin".into(),
            },
            location: String::new(),
            description: String::new(),
            repeat: None,
            reminders: vec![15],
            attendees: vec![],
        }
    }

    fn back(f: &Form) -> Result<Draft, String> {
        f.draft(url::Url::parse("https://h/cal/work/").unwrap(), "")
    }

    #[test]
    fn a_draft_comes_back_unchanged_through_the_fields() {
        let mut d = draft();
        assert_eq!(back(&Form::of(&d)), Ok(d.clone()));
        let day = NaiveDate::from_ymd_opt(2030, 6, 4).unwrap();
        d.when = When::AllDay { start: day, end: day + Duration::days(2) };
        d.repeat = Some(Repeat {
            frequency: Frequency::Weekly,
            interval: 2,
            weekdays: vec![Weekday::Tue, Weekday::Thu],
            end: RepeatEnd::Count(6),
        });
        let f = Form::of(&d);
        assert_eq!(
            (f.start_date.as_str(), f.end_date.as_str()),
            ("2030-06-04", "2030-06-05"),
            "the last day"
        );
        assert_eq!(back(&f), Ok(d));
    }

    #[test]
    fn the_problems_are_named() {
        let mut f = Form::of(&draft());
        f.end_time = "08:30".into();
        assert_eq!(back(&f), Err("The event ends before it starts.".into()));
        f.end_time = "25:00".into();
        assert_eq!(back(&f), Err("“25:00” is not an end time (write it as 10:30).".into()));
        f.end_time = "10".into();
        f.zone = "Mars/Olympus".into();
        assert!(back(&f).unwrap_err().contains("“Mars/Olympus” is not a time zone"));
        f.zone = "UTC".into();
        f.repeats = Repeats::Daily;
        f.ends = Ends::Count;
        f.count = "0".into();
        assert_eq!(back(&f), Err("“0” is not a number of times to repeat.".into()));
        f.ends = Ends::Until;
        f.until = "2030-06-01".into();
        assert_eq!(back(&f), Err("The event repeats until a day before it starts.".into()));
    }

    #[test]
    fn an_empty_title_is_saved_as_gnome_calendar_names_it() {
        let mut f = Form::of(&draft());
        f.title = "  ".into();
        assert_eq!(back(&f).unwrap().summary, NO_TITLE);
    }

    #[test]
    fn times_parse_forgivingly_and_steps_keep_the_length() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!((parse_time("9"), parse_time("9.30"), parse_time("0930")), (t(9, 0), t(9, 30), t(9, 30)));
        assert_eq!(parse_time("nine"), None);
        let mut f = Form::of(&draft());
        f.step(Field::StartTime, 3);
        assert_eq!((f.start_time.as_str(), f.end_time.as_str()), ("09:45", "10:45"));
        f.step(Field::StartDate, -1);
        assert_eq!((f.start_date.as_str(), f.end_date.as_str()), ("2030-06-03", "2030-06-03"));
        f.step(Field::EndTime, -20);
        assert_eq!(f.end_time, "05:45", "the end alone; saving would say it ends before it starts");
    }

    #[test]
    fn weekly_days_are_kept_in_week_order_and_reminders_read_as_words() {
        let mut f = Form::of(&draft());
        f.repeats = Repeats::Weekly;
        f.weekdays = vec![Weekday::Fri, Weekday::Tue];
        assert_eq!(back(&f).unwrap().repeat.unwrap().weekdays, [Weekday::Tue, Weekday::Fri]);
        f.repeats = Repeats::Daily;
        assert_eq!(back(&f).unwrap().repeat.unwrap().weekdays, [], "days only for a weekly repeat");
        assert_eq!(reminder_words(0), "At the start");
        assert_eq!(reminder_words(60), "1 hour before");
        assert_eq!(reminder_words(1440), "1 day before");
        assert!(is_address("ann@example.com") && !is_address("ann") && !is_address("a b@x.org"));
    }
}
