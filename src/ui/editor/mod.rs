//! The event editor, over the calendar: a new event (from a drag on the
//! grid, the "New event" button or Ctrl+N, a double-click on a month's
//! day), or an existing one (its details' "Edit", a double-click on it).
//! It owns its fields; saving hands the app a draft to create, or the
//! draft it started from and the one the person made, with the scope a
//! repeating event's change or deletion is for. A move on the grid of a
//! repeating event comes here too, only to ask that scope.

pub mod busy;
mod form;
pub mod known;
mod view;

use chrono::{Datelike, Duration, NaiveDateTime, Weekday};
use iced::widget::text_editor;
use iced::{Color, Task};
use url::Url;

pub use form::{Ends, Field, Form, NO_TITLE, REMINDERS, Repeats, is_address, local_zone, reminder_words};

use crate::ical::draft::{Draft, Scope, When};
use crate::sync::AgendaItem;

/// A calendar the event can go into.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub account: String,
    pub url: Url,
    pub name: String,
    pub colour: Color,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.account)
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Title(String),
    Text(Field, String),
    Step(Field, i64),
    AllDay(bool),
    Zone(String),
    Location(String),
    Description(text_editor::Action),
    Calendar(Choice),
    Repeats(Repeats),
    Weekday(Weekday, bool),
    Ends(Ends),
    Until(String),
    Count(String),
    AddReminder(i64),
    RemoveReminder(i64),
    AttendeeTyped(String),
    /// Adds the address typed (Enter), or a suggestion picked.
    AddAttendee(String),
    RemoveAttendee(String),
    Save,
    Delete,
    /// The answer to "which occurrences?".
    Scope(Scope),
    /// Deleting a meeting the person organizes: tell the attendees (true)?
    DeleteMeeting(bool),
    /// Back from a question to the form.
    Back,
    Cancel,
}

/// What the app must act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Create { account: String, draft: Box<Draft> },
    Edit { account: String, url: Url, scope: Scope, before: Box<Draft>, after: Box<Draft> },
    Delete { account: String, url: Url, scope: Scope, cancel_meeting: bool },
    Close,
}

/// The event being edited.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    New,
    Existing {
        item: Box<AgendaItem>,
        /// What the cache says it is (None until the actor answers).
        before: Option<Box<Draft>>,
        /// The person organizes it (deleting may cancel the meeting).
        organizer: bool,
        /// A move on the grid by these amounts of its start and end, to
        /// apply once `before` is known; the form stays hidden.
        moved: Option<(Duration, Duration)>,
    },
}

/// A question over the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    SaveScope,
    DeleteScope,
    /// Cancel the meeting (the attendees are told), or delete it quietly.
    DeleteMeeting,
}

pub struct Editor {
    pub target: Target,
    pub form: Form,
    description: text_editor::Content,
    pub choices: Vec<Choice>,
    pub calendar: Option<Choice>,
    /// Addresses to complete attendees from, most used first.
    pub known: Vec<String>,
    pub attendee: String,
    pub asking: Option<Asking>,
    /// What is wrong with the fields, after a save.
    pub problem: Option<String>,
    /// The scope chosen for a deletion, while asking about the meeting.
    delete_scope: Scope,
    /// The attendees' busy times on the event's day.
    pub busy: busy::Busy,
}

impl Editor {
    /// A new event at `when`, in the first calendar offered.
    pub fn new(when: When, choices: Vec<Choice>, known: Vec<String>) -> Self {
        let calendar = choices.first().cloned();
        Editor::with(Target::New, Form::at(&when), choices, calendar, known)
    }

    /// An existing event: shown as the view knows it until `loaded`.
    pub fn existing(item: AgendaItem, choices: Vec<Choice>, known: Vec<String>) -> Self {
        // Its own calendar, even when the list of calendars has not come yet.
        let calendar = choices.iter().find(|c| c.url == item.calendar).cloned().or_else(|| {
            Some(Choice {
                account: item.account.clone(),
                url: item.calendar.clone(),
                name: item.calendar_name.clone(),
                colour: crate::ui::colour::stable(&item.calendar),
            })
        });
        let o = &item.occurrence;
        let when = if o.all_day {
            When::AllDay { start: o.start.date_naive(), end: o.end.date_naive() }
        } else {
            When::Timed { start: o.start.naive_local(), end: o.end.naive_local(), zone: local_zone() }
        };
        let draft = Draft {
            calendar: item.calendar.clone(),
            summary: o.summary.clone(),
            when,
            location: o.location.clone().unwrap_or_default(),
            description: String::new(),
            repeat: None,
            reminders: Vec::new(),
            attendees: Vec::new(),
        };
        let target = Target::Existing { item: Box::new(item), before: None, organizer: false, moved: None };
        Editor::with(target, Form::of(&draft), choices, calendar, known)
    }

    /// A drop on the grid: `item` moved by `start` and its end by `end`.
    pub fn moved(item: AgendaItem, start: Duration, end: Duration, choices: Vec<Choice>) -> Self {
        let mut e = Editor::existing(item, choices, Vec::new());
        if let Target::Existing { moved, .. } = &mut e.target {
            *moved = Some((start, end));
        }
        e
    }

    fn with(
        target: Target,
        form: Form,
        choices: Vec<Choice>,
        calendar: Option<Choice>,
        known: Vec<String>,
    ) -> Self {
        Editor {
            target,
            form,
            description: text_editor::Content::new(),
            choices,
            calendar,
            known,
            attendee: String::new(),
            asking: None,
            problem: None,
            delete_scope: Scope::All,
            busy: busy::Busy::default(),
        }
    }

    /// The event's object and occurrence, to ask its draft by.
    pub fn existing_item(&self) -> Option<&AgendaItem> {
        match &self.target {
            Target::Existing { item, .. } => Some(item),
            Target::New => None,
        }
    }

    /// The attendees' busy times to ask for, when the attendees, the day or
    /// the calendar's account changed since the last question (none for a
    /// move, which shows no form, or without attendees).
    pub fn free_busy(&mut self) -> Option<busy::Query> {
        if !self.shows_form() || self.form.attendees.is_empty() {
            return self.busy.next(None);
        }
        // Half-typed times keep what is shown until they make a time again.
        let when = self.when()?;
        let (from, to) = busy::day_of(busy::span_of(&when).0);
        let mut attendees = self.form.attendees.clone();
        attendees.sort_unstable();
        let account = self.calendar.as_ref()?.account.clone();
        self.busy.next(Some(busy::Query { account, attendees, from, to }))
    }

    /// A line per attendee under the attendees: busy when, and at the time chosen.
    pub fn busy_lines(&self) -> Vec<String> {
        self.busy.lines(self.when().map(|w| busy::span_of(&w)))
    }

    /// The time the fields say, when they say one.
    fn when(&self) -> Option<When> {
        let calendar = self.calendar.as_ref()?.url.clone();
        self.form.draft(calendar, "").ok().map(|d| d.when)
    }

    /// Whether the form is for the person to see (a move only asks).
    pub fn shows_form(&self) -> bool {
        !matches!(&self.target, Target::Existing { moved: Some(_), .. })
    }

    /// Whether the editor waits for the cache's copy of the event.
    pub fn waiting(&self) -> bool {
        matches!(&self.target, Target::Existing { before: None, .. })
    }

    /// The actor's answer to the draft asked for: the fields fill in. A
    /// move applies itself and saves (asking the scope of a repeating
    /// event). `None`: the event is gone.
    pub fn loaded(&mut self, draft: Option<Draft>, is_organizer: bool) -> Option<Event> {
        let Target::Existing { before, organizer, moved, .. } = &mut self.target else { return None };
        let Some(draft) = draft else {
            self.problem = Some("This event is no longer in the calendar.".into());
            return moved.is_some().then_some(Event::Close);
        };
        let mut after = draft.clone();
        match (*moved, &mut after.when) {
            (Some((by_start, by_end)), When::Timed { start, end, .. }) => {
                *start += by_start;
                *end += by_end;
            }
            // Dragged along the all-day row: by whole days.
            (Some((by_start, by_end)), When::AllDay { start, end }) => {
                *start += Duration::days(by_start.num_days());
                *end += Duration::days(by_end.num_days());
            }
            (None, _) => {}
        }
        self.form = Form::of(&after);
        self.description = text_editor::Content::with_text(&draft.description);
        *before = Some(Box::new(draft));
        *organizer = is_organizer;
        if moved.is_some() { self.save() } else { None }
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Title(t) => set(&mut self.form.title, t),
            Message::Text(field, t) => set(self.field(field), t),
            Message::Step(field, n) => {
                self.form.step(field, n);
                None
            }
            Message::AllDay(on) => set(&mut self.form.all_day, on),
            Message::Zone(z) => set(&mut self.form.zone, z),
            Message::Location(l) => set(&mut self.form.location, l),
            Message::Description(action) => {
                self.description.perform(action);
                None
            }
            Message::Calendar(c) => set(&mut self.calendar, Some(c)),
            Message::Repeats(r) => self.repeats(r),
            Message::Weekday(day, on) => {
                self.form.weekdays.retain(|d| *d != day);
                if on {
                    self.form.weekdays.push(day);
                }
                None
            }
            Message::Ends(e) => set(&mut self.form.ends, e),
            Message::Until(t) => set(&mut self.form.until, t),
            Message::Count(t) => set(&mut self.form.count, t),
            Message::AddReminder(m) if !self.form.reminders.contains(&m) => {
                self.form.reminders.push(m);
                self.form.reminders.sort_unstable();
                None
            }
            Message::AddReminder(_) => None,
            Message::RemoveReminder(m) => {
                self.form.reminders.retain(|r| *r != m);
                None
            }
            Message::AttendeeTyped(t) => set(&mut self.attendee, t),
            Message::AddAttendee(a) => self.add_attendee(&a),
            Message::RemoveAttendee(a) => {
                self.form.attendees.retain(|x| *x != a);
                None
            }
            Message::Save => self.save(),
            Message::Delete => self.delete(),
            Message::Scope(scope) => self.scoped(scope),
            Message::DeleteMeeting(cancel) => self.delete_event(self.delete_scope.clone(), cancel),
            // Esc: out of a question (a move's only question ends it), or cancel.
            Message::Back if !self.shows_form() || self.asking.is_none() => Some(Event::Close),
            Message::Back => set(&mut self.asking, None),
            Message::Cancel => Some(Event::Close),
        };
        (Task::none(), event)
    }

    fn field(&mut self, field: Field) -> &mut String {
        match field {
            Field::StartDate => &mut self.form.start_date,
            Field::StartTime => &mut self.form.start_time,
            Field::EndDate => &mut self.form.end_date,
            Field::EndTime => &mut self.form.end_time,
        }
    }

    /// Weekly starts on the start's own day, as every calendar app does.
    fn repeats(&mut self, r: Repeats) -> Option<Event> {
        if r == Repeats::Weekly
            && self.form.weekdays.is_empty()
            && let Some(d) = form::parse_date(&self.form.start_date)
        {
            self.form.weekdays.push(d.weekday());
        }
        set(&mut self.form.repeats, r)
    }

    fn add_attendee(&mut self, typed: &str) -> Option<Event> {
        let address = typed.trim().trim_start_matches("mailto:").to_owned();
        if !is_address(&address) {
            self.problem = Some(format!("“{address}” is not an e-mail address."));
            return None;
        }
        if !self.form.attendees.iter().any(|a| a.eq_ignore_ascii_case(&address)) {
            self.form.attendees.push(address);
        }
        self.attendee.clear();
        self.problem = None;
        None
    }

    /// Up to five known addresses holding what is typed, most used first.
    pub fn suggestions(&self) -> Vec<&str> {
        let typed = self.attendee.trim().to_lowercase();
        if typed.is_empty() {
            return Vec::new();
        }
        self.known
            .iter()
            .filter(|a| {
                a.to_lowercase().contains(&typed)
                    && !self.form.attendees.iter().any(|x| x.eq_ignore_ascii_case(a))
            })
            .take(5)
            .map(String::as_str)
            .collect()
    }

    /// The draft the form makes, or the problem named (and shown).
    pub fn draft(&mut self) -> Option<Draft> {
        let Some(calendar) = self.calendar.clone() else {
            self.problem =
                Some("No calendar of yours takes events: add an account or a calendar first.".into());
            return None;
        };
        match self.form.draft(calendar.url, &self.description.text()) {
            Ok(d) => {
                self.problem = None;
                Some(d)
            }
            Err(e) => {
                self.problem = Some(e);
                None
            }
        }
    }

    /// The occurrence's RECURRENCE-ID when the editor is on one occurrence
    /// of a repeating event (so a change or a deletion asks which
    /// occurrences it is for). Its draft is the occurrence's: it does not
    /// repeat itself, its series does.
    fn repeating(&self) -> Option<String> {
        let Target::Existing { item, before: Some(_), .. } = &self.target else { return None };
        item.occurrence.recurrence_id.clone()
    }

    /// On one occurrence of a series (whose repetition is the series').
    pub fn on_occurrence(&self) -> bool {
        self.existing_item().is_some_and(|i| i.occurrence.recurrence_id.is_some())
    }

    fn save(&mut self) -> Option<Event> {
        let after = self.draft()?;
        if self.repeating().is_some() {
            self.asking = Some(Asking::SaveScope);
            return None;
        }
        self.saved(Scope::All, after)
    }

    fn saved(&mut self, scope: Scope, after: Draft) -> Option<Event> {
        let account = self.calendar.as_ref().map(|c| c.account.clone()).unwrap_or_default();
        match &self.target {
            Target::New => Some(Event::Create { account, draft: Box::new(after) }),
            Target::Existing { before: None, .. } => {
                self.problem =
                    Some("Still reading the event from the calendar; try again in a moment.".into());
                None
            }
            Target::Existing { item, before: Some(before), .. } => {
                if *before.as_ref() == after {
                    return Some(Event::Close);
                }
                Some(Event::Edit {
                    account: item.account.clone(),
                    url: item.url.clone(),
                    scope,
                    before: before.clone(),
                    after: Box::new(after),
                })
            }
        }
    }

    fn delete(&mut self) -> Option<Event> {
        if self.repeating().is_some() {
            self.asking = Some(Asking::DeleteScope);
            return None;
        }
        self.delete_scoped(Scope::All)
    }

    /// A meeting the person organizes asks first whether to cancel it.
    fn delete_scoped(&mut self, scope: Scope) -> Option<Event> {
        let Target::Existing { before: Some(before), organizer, .. } = &self.target else { return None };
        if *organizer && !before.attendees.is_empty() {
            self.delete_scope = scope;
            self.asking = Some(Asking::DeleteMeeting);
            return None;
        }
        self.delete_event(scope, false)
    }

    fn delete_event(&self, scope: Scope, cancel_meeting: bool) -> Option<Event> {
        let Target::Existing { item, before: Some(_), .. } = &self.target else { return None };
        Some(Event::Delete { account: item.account.clone(), url: item.url.clone(), scope, cancel_meeting })
    }

    fn scoped(&mut self, scope: Scope) -> Option<Event> {
        match self.asking.take() {
            Some(Asking::SaveScope) => {
                let after = self.draft()?;
                self.saved(scope, after)
            }
            Some(Asking::DeleteScope) => self.delete_scoped(scope),
            other => set(&mut self.asking, other),
        }
    }

    /// The RECURRENCE-ID the scope buttons name.
    pub fn recurrence_id(&self) -> Option<String> {
        self.repeating()
    }

    /// The event's times before the person changed them, for the title.
    pub fn title(&self) -> &str {
        match &self.target {
            Target::New => "New event",
            Target::Existing { .. } => "Edit event",
        }
    }

    pub fn description(&self) -> &text_editor::Content {
        &self.description
    }

    /// The start as typed, for the grid's "New event" (next hour).
    pub fn next_hour(now: NaiveDateTime) -> When {
        let start =
            now.date().and_hms_opt(chrono::Timelike::hour(&now), 0, 0).unwrap_or(now) + Duration::hours(1);
        When::Timed { start, end: start + Duration::hours(1), zone: local_zone() }
    }
}

fn set<T>(field: &mut T, value: T) -> Option<Event> {
    *field = value;
    None
}
