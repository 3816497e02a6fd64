//! The calendar: a side panel (a month picker and every account's
//! calendars, each shown or hidden), a bar to move around, and the view:
//! day and week with events placed by their times (`timegrid`), a month of
//! chips (`monthgrid`), or the agenda (`agenda`). Every event opens with
//! one click ([`Event::Open`]); one's own opens in the editor with two.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, Local, Months, NaiveDate, Weekday};
use iced::widget::{button, column, container, row, space, text};
use iced::{Element, Fill, Task};
use url::Url;

use super::event::Colours;
use super::{
    AccountState, agenda, calendar_list, drag, editor, format, minimonth, monthgrid, style, timegrid,
};
use crate::config::CalendarSettings;
use crate::ical::draft::When;
use crate::paths::Paths;
use crate::sync::{AgendaItem, TOO_OFTEN};

/// How long a click on an event waits for a second one (iced's own
/// double-click time) before it opens the details.
const DOUBLE_CLICK_MS: u64 = 300;

/// The calendar's views (kept in the settings).
pub use crate::config::View as Mode;

#[derive(Debug, Clone)]
pub enum Message {
    Mode(Mode),
    /// Move by this many days, weeks or months, as the view shows (the
    /// arrows, and ←/→).
    Shift(i64),
    Today,
    /// Show this day in the day view (a month's "+N more").
    OpenDay(NaiveDate),
    /// Show the period holding this date, in the same view (the picker).
    Jump(NaiveDate),
    /// Turn the month picker's page by this many months; the view stays.
    PickerShift(i32),
    /// Show (true) or hide a calendar's events.
    Toggle(Url, bool),
    /// A minute passed: redraw, so the current-time line moves.
    Tick,
    /// An event was clicked (a box, a bar, a chip or an agenda entry).
    Open(Box<AgendaItem>),
    /// The pointer is this many pixels down a day's column of hours.
    Pointer(NaiveDate, f32),
    /// The pointer is over this day in the all-day row.
    PointerOnDay(NaiveDate),
    /// The mouse went down on the hour grid, and up again.
    Press(drag::Target),
    Release,
    /// A click on an event that a double-click would edit (a month's
    /// chip, an agenda entry): it opens unless a second click follows.
    Click(Box<AgendaItem>),
    /// No second click came: the click on a box opens its details.
    ClickSettled,
    /// A double-click on an event opens the editor.
    DoubleClick(Box<AgendaItem>),
    /// "New event" (and Ctrl+N): at the next hour.
    NewEvent,
    /// A double-click on a month's day: an all-day event on it.
    NewOnDay(NaiveDate),
}

/// What the app must act on.
#[derive(Debug, Clone)]
pub enum Event {
    /// Show this occurrence's details (`App::open_details`).
    Open(Box<AgendaItem>),
    /// The view, the date or the hidden calendars changed: save them.
    Settings(CalendarSettings),
    /// Open the editor on a new event at this time.
    Create(When),
    /// Open the editor on this event.
    Edit(Box<AgendaItem>),
    /// A drop on the grid: the event's start and end moved by these amounts.
    Move { item: Box<AgendaItem>, start: Duration, end: Duration },
}

/// What the calendar shows.
#[derive(Debug, Clone)]
pub struct Page {
    pub mode: Mode,
    /// Monday of the week shown.
    pub week_start: NaiveDate,
    /// The day the day view shows; the month view shows its month.
    pub day: NaiveDate,
    /// Calendars whose events are not drawn.
    pub hidden: BTreeSet<Url>,
    /// The first of the month the picker shows.
    pub picker: NaiveDate,
    drag: drag::Drag,
    /// What a drag on the grid would make, drawn while dragging.
    preview: Option<drag::Preview>,
    /// Events moved on the grid, shown at their new place until the
    /// server has them (or the change failed).
    pub moves: drag::Moves,
    /// A box clicked once, opened unless a second click follows.
    clicked: Option<Box<AgendaItem>>,
}

impl Default for Page {
    fn default() -> Self {
        Page::from_settings(&CalendarSettings::default())
    }
}

impl Page {
    /// The calendar as it was left (today, in the agenda, the first time).
    pub fn from_settings(s: &CalendarSettings) -> Self {
        let day = s.date.unwrap_or_else(|| Local::now().date_naive());
        Page {
            mode: s.view,
            week_start: week_of(day),
            day,
            hidden: s.hidden.clone(),
            picker: first_of_month(day),
            drag: drag::Drag::default(),
            preview: None,
            moves: drag::Moves::default(),
            clicked: None,
        }
    }

    pub fn settings(&self) -> CalendarSettings {
        CalendarSettings { view: self.mode, date: Some(self.shown_date()), hidden: self.hidden.clone() }
    }

    /// The day the view is on: the first of a week, or the day.
    fn shown_date(&self) -> NaiveDate {
        match self.mode {
            Mode::Agenda | Mode::Week => self.week_start,
            Mode::Day | Mode::Month => self.day,
        }
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        if let Some(done) = self.pointing(&m) {
            return done;
        }
        let before = self.settings();
        let opens = matches!(m, Message::Mode(_) | Message::OpenDay(_));
        let follow_picker = !matches!(m, Message::PickerShift(_) | Message::Toggle(..) | Message::Tick);
        match m {
            Message::Mode(mode) => self.switch(mode),
            Message::Shift(n) => self.shift(n),
            Message::OpenDay(day) => {
                self.mode = Mode::Day;
                self.day = day;
            }
            Message::Jump(day) => {
                self.day = day;
                self.week_start = week_of(day);
            }
            Message::PickerShift(n) => self.picker = add_months(self.picker, i64::from(n)),
            Message::Toggle(calendar, shown) => {
                if shown {
                    self.hidden.remove(&calendar);
                } else {
                    self.hidden.insert(calendar);
                }
            }
            Message::Open(item) => return (Task::none(), Some(Event::Open(item))),
            Message::Tick
            | Message::Pointer(..)
            | Message::PointerOnDay(_)
            | Message::Press(_)
            | Message::Release
            | Message::Click(_)
            | Message::ClickSettled
            | Message::DoubleClick(_)
            | Message::NewEvent
            | Message::NewOnDay(_) => {}
            Message::Today => {
                self.day = Local::now().date_naive();
                self.week_start = week_of(self.day);
            }
        }
        if follow_picker {
            // A week across two months: the month holding its Thursday
            // (most of its days, as ISO counts weeks).
            let middle = match self.mode {
                Mode::Agenda | Mode::Week => self.week_start + Duration::days(3),
                Mode::Day | Mode::Month => self.day,
            };
            self.picker = first_of_month(middle);
        }
        let task = if opens { self.opened() } else { Task::none() };
        let after = self.settings();
        (task, (after != before).then_some(Event::Settings(after)))
    }

    /// The grid's mouse and the ways to create: what they do, or `None`
    /// for the messages that move the view.
    fn pointing(&mut self, m: &Message) -> Option<(Task<Message>, Option<Event>)> {
        let event = match m.clone() {
            Message::Pointer(day, y) => {
                self.drag.pointer(day, y, timegrid::HOUR);
                if self.drag.holding() {
                    self.preview = self.drag.preview();
                }
                None
            }
            Message::PointerOnDay(day) => {
                self.drag.over_day(day);
                if self.drag.holding() {
                    self.preview = self.drag.preview();
                }
                None
            }
            Message::Press(target) => {
                self.drag.press(target);
                None
            }
            Message::Release => {
                self.preview = None;
                return Some(self.released());
            }
            Message::Click(item) => return Some(self.click(item)),
            Message::ClickSettled => self.clicked.take().map(Event::Open),
            Message::DoubleClick(item) => {
                self.drag.forget();
                self.clicked = None;
                Some(Event::Edit(item))
            }
            Message::NewEvent => Some(Event::Create(editor::Editor::next_hour(Local::now().naive_local()))),
            Message::NewOnDay(day) => {
                Some(Event::Create(When::AllDay { start: day, end: day + Duration::days(1) }))
            }
            _ => return None,
        };
        Some((Task::none(), event))
    }

    fn released(&mut self) -> (Task<Message>, Option<Event>) {
        match self.drag.release() {
            None => (Task::none(), None),
            Some(drag::Outcome::Create { start, end }) => {
                let zone = editor::local_zone();
                (Task::none(), Some(Event::Create(When::Timed { start, end, zone })))
            }
            Some(drag::Outcome::Move { item, start, end }) => {
                let (s, e) =
                    (item.occurrence.start.naive_local() + start, item.occurrence.end.naive_local() + end);
                self.moves.add(drag::shifted(&item, s, e));
                (Task::none(), Some(Event::Move { item, start, end }))
            }
            Some(drag::Outcome::Click(item)) => self.click(item),
        }
    }

    /// A second click may follow (a double-click opens the editor): the
    /// details open once the double-click time has passed without one.
    fn click(&mut self, item: Box<AgendaItem>) -> (Task<Message>, Option<Event>) {
        self.clicked = Some(item);
        let wait = async { tokio::time::sleep(std::time::Duration::from_millis(DOUBLE_CLICK_MS)).await };
        (Task::perform(wait, |()| Message::ClickSettled), None)
    }

    fn switch(&mut self, mode: Mode) {
        // The day view opens on today when the week shown holds it.
        let today = Local::now().date_naive();
        match (self.mode, mode) {
            (Mode::Day | Mode::Month, Mode::Agenda | Mode::Week) => self.week_start = week_of(self.day),
            (Mode::Agenda | Mode::Week, Mode::Day | Mode::Month) => {
                let this_week = week_of(today) == self.week_start;
                self.day = if this_week { today } else { self.week_start };
            }
            _ => {}
        }
        self.mode = mode;
    }

    fn shift(&mut self, n: i64) {
        match self.mode {
            Mode::Day => self.day += Duration::days(n),
            Mode::Month => self.day = add_months(first_of_month(self.day), n),
            Mode::Agenda | Mode::Week => self.week_start += Duration::weeks(n),
        }
    }

    /// A tick a minute while the hours are shown, for the current-time
    /// line; the mouse's release while a drag is on.
    pub fn subscription(&self) -> iced::Subscription<Message> {
        // A drag let go of outside the hours still ends.
        let release = if self.drag.holding() {
            iced::event::listen_with(|event, _, _| match event {
                iced::Event::Mouse(iced::mouse::Event::ButtonReleased(iced::mouse::Button::Left)) => {
                    Some(Message::Release)
                }
                _ => None,
            })
        } else {
            iced::Subscription::none()
        };
        let tick = match self.mode {
            Mode::Day | Mode::Week => {
                iced::time::every(std::time::Duration::from_secs(60)).map(|_| Message::Tick)
            }
            Mode::Agenda | Mode::Month => iced::Subscription::none(),
        };
        iced::Subscription::batch([tick, release])
    }

    /// What a view needs when it opens: the hours scrolled to the working day.
    pub fn opened<T>(&self) -> Task<T> {
        match self.mode {
            Mode::Day | Mode::Week => timegrid::to_working_day(),
            Mode::Agenda | Mode::Month => Task::none(),
        }
    }

    /// The bar's title: the day, the days of the week, or the month.
    pub fn title(&self) -> String {
        match self.mode {
            Mode::Day => self.day.format("%A %-d %B %Y").to_string(),
            Mode::Week => format::date_range(self.week_start, self.week_start + Duration::days(6)),
            Mode::Month => self.day.format("%B %Y").to_string(),
            Mode::Agenda => {
                format::date_range(self.week_start, self.week_start + Duration::days(agenda::DAYS - 1))
            }
        }
    }

    pub fn view<'a>(&'a self, accounts: &'a [AccountState]) -> Element<'a, Message> {
        let today = Local::now().date_naive();
        let colours = Colours::of(accounts);
        let side = column![
            minimonth::view(self.picker, self.shown_days(), today),
            calendar_list::view(accounts, &self.hidden, &colours),
        ]
        .spacing(style::SPACE_XL);
        let side = container(side).padding(style::SPACE_L).width(232).height(Fill).style(style::panel);
        let body = match self.mode {
            Mode::Agenda => agenda::view(
                self.shown(accounts, self.week_start, agenda::DAYS),
                &colours,
                self.week_start,
                today,
            ),
            Mode::Day | Mode::Week => {
                let (first, days) = if self.mode == Mode::Day { (self.day, 1) } else { (self.week_start, 7) };
                let items = self.shown(accounts, first, days);
                timegrid::view(&items, &colours, first, days as usize, Local::now(), self.range())
            }
            Mode::Month => {
                let first = monthgrid::first_shown(self.day);
                monthgrid::view(self.shown(accounts, first, 42), &colours, self.day, today)
            }
        };
        let mut main = column![self.bar()].spacing(style::SPACE_M).height(Fill).width(Fill);
        if let Some(note) = too_often(accounts) {
            main = main.push(text(note).size(style::TEXT_S).style(style::changed));
        }
        row![side, main.push(body)].spacing(style::SPACE_L).into()
    }

    /// Previous / today / next, the title, and the views.
    fn bar(&self) -> Element<'_, Message> {
        let b = |label: &'static str, m: Message, id: &'static str| {
            container(button(text(label).size(style::TEXT_M)).on_press(m).style(style::tool)).id(id)
        };
        let mode_button = |label: &'static str, mode: Mode, id: &'static str| {
            let btn = button(text(label).size(style::TEXT_M)).on_press(Message::Mode(mode));
            let btn = if self.mode == mode { btn.style(button::primary) } else { btn.style(button::text) };
            container(btn).id(id)
        };
        let new =
            button(text("New event").size(style::TEXT_M)).on_press(Message::NewEvent).style(button::primary);
        row![
            container(new).id("cal-new"),
            b("‹", Message::Shift(-1), "cal-prev"),
            b("Today", Message::Today, "cal-today"),
            b("›", Message::Shift(1), "cal-next"),
            container(text(self.title()).size(style::TEXT_L)).id("cal-title").padding([0.0, style::SPACE_M]),
            space::horizontal(),
            row![
                mode_button("Day", Mode::Day, "cal-day"),
                mode_button("Week", Mode::Week, "cal-week"),
                mode_button("Month", Mode::Month, "cal-month"),
                mode_button("Agenda", Mode::Agenda, "cal-agenda"),
            ]
            .spacing(style::SPACE_XS),
        ]
        .spacing(style::SPACE_S)
        .align_y(iced::Center)
        .into()
    }

    /// The days the view shows, marked in the picker.
    fn shown_days(&self) -> (NaiveDate, NaiveDate) {
        match self.mode {
            Mode::Day => (self.day, self.day),
            Mode::Week => (self.week_start, self.week_start + Duration::days(6)),
            Mode::Month => {
                let first = first_of_month(self.day);
                (first, add_months(first, 1) - Duration::days(1))
            }
            Mode::Agenda => (self.week_start, self.week_start + Duration::days(agenda::DAYS - 1)),
        }
    }

    /// The range a drag over empty grid sweeps.
    fn range(&self) -> Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
        match &self.preview {
            Some(drag::Preview::Range(start, end)) => Some((*start, *end)),
            _ => None,
        }
    }

    /// The items of the calendars shown on `count` days from `first`
    /// (local dates), sorted by start, so a view lays out only what it shows.
    fn shown<'a>(
        &'a self,
        accounts: &'a [AccountState],
        first: NaiveDate,
        count: i64,
    ) -> Vec<&'a AgendaItem> {
        let last = first + Duration::days(count - 1);
        // An event being dragged, or moved and not yet on the server, is
        // drawn at its new place instead.
        let dragged = match &self.preview {
            Some(drag::Preview::Event(item)) => Some(item.as_ref()),
            _ => None,
        };
        let moved = self.moves.items();
        let replaced: Vec<&AgendaItem> = moved.iter().chain(dragged).collect();
        let mut all: Vec<&AgendaItem> = accounts
            .iter()
            .flat_map(|a| a.agenda.iter())
            .filter(|i| !replaced.iter().any(|r| drag::same(r, i)))
            .chain(moved.iter().filter(|m| dragged.is_none_or(|d| !drag::same(d, m))))
            .chain(dragged)
            .filter(|i| !self.hidden.contains(&i.calendar))
            .filter(|i| i.occurrence.start.date_naive() <= last && i.occurrence.end.date_naive() >= first)
            .collect();
        all.sort_by_key(|i| i.occurrence.start);
        // Of a series that repeats too often, only the first of each day:
        // its hundreds of identical boxes would bury everything else, and
        // its note says not every occurrence is shown.
        let mut seen = std::collections::HashSet::new();
        all.retain(|i| {
            let o = &i.occurrence;
            !i.repeats_too_often || seen.insert((i.account.as_str(), o.uid.as_str(), o.start.date_naive()))
        });
        all
    }
}

/// Monday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    crate::layout::week_of(day, Weekday::Mon)
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// `n` months after (or before) a first of the month.
fn add_months(first: NaiveDate, n: i64) -> NaiveDate {
    let months = Months::new(n.unsigned_abs().try_into().unwrap_or(u32::MAX));
    let moved = if n < 0 { first.checked_sub_months(months) } else { first.checked_add_months(months) };
    moved.unwrap_or(first)
}

/// Series whose expansion stopped at its bound, named above every view so
/// none of them goes unnoticed (their occurrences may lie outside it).
fn too_often(accounts: &[AccountState]) -> Option<String> {
    let mut names: Vec<&str> = accounts
        .iter()
        .flat_map(|a| a.agenda.iter())
        .filter(|i| i.repeats_too_often)
        .map(|i| i.occurrence.summary.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let verb = if names.len() == 1 { "repeats" } else { "repeat" };
    (!names.is_empty()).then(|| format!("{} {verb} {TOO_OFTEN}.", names.join(", ")))
}

/// A day's name and number above its column (or its agenda entries),
/// the number ringed in the accent colour on today.
pub(super) fn day_header<'a>(day: NaiveDate, today: NaiveDate) -> Element<'a, Message> {
    let name = text(day.format("%a").to_string()).size(style::TEXT_S).style(style::muted);
    let number = text(day.day().to_string()).size(style::TEXT_M);
    let number: Element<'a, Message> = if day == today {
        container(number).padding([0.0, style::SPACE_S + 2.0]).style(style::today).into()
    } else {
        container(number).padding([0.0, style::SPACE_S + 2.0]).into()
    };
    row![name, number].spacing(style::SPACE_S).align_y(iced::Center).into()
}

/// Writes the calendar's settings into the config file. Saves may finish
/// in any order on the blocking pool, so each carries a number and an
/// older one never overwrites a newer one.
pub async fn save(paths: Paths, settings: CalendarSettings) -> Result<(), String> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    static WRITTEN: Mutex<u64> = Mutex::new(0);
    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        let mut written = WRITTEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *written > number {
            return Ok(());
        }
        crate::config::Config::edit(&paths.config_file(), |c| c.calendar = settings)
            .map_err(|e| format!("The calendar's settings were not saved: {e:#}"))?;
        *written = number;
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::occurrence::Occurrence;
    use chrono::TimeZone;

    fn item(uid: &str, day: u32, second: u32, repeats_too_often: bool) -> AgendaItem {
        let start = Local.with_ymd_and_hms(2030, 6, day, 9, 0, second).unwrap();
        let calendar = Url::parse("https://example.com/cal/work/").unwrap();
        AgendaItem {
            account: "work".into(),
            url: calendar.join(&format!("{uid}.ics")).unwrap(),
            calendar,
            calendar_name: "Work".into(),
            occurrence: Occurrence {
                uid: uid.into(),
                summary: uid.into(),
                start,
                end: start,
                all_day: false,
                location: None,
                recurrence_id: None,
                cancelled: false,
            },
            invitation: true,
            pending: true,
            answer: None,
            repeats_too_often,
        }
    }

    #[test]
    fn a_series_that_repeats_too_often_shows_once_a_day_and_is_named_above() {
        let mut a = AccountState::example();
        a.agenda = (0..500).map(|s| item("ping", 4, s % 60, true)).collect();
        a.agenda.extend((0..3).map(|s| item("ping", 5, s, true)));
        a.agenda.extend([item("standup", 4, 30, false), item("standup", 4, 31, false)]);
        let accounts = [a];
        let page = Page::default();
        let shown: Vec<(&str, u32)> = page
            .shown(&accounts, NaiveDate::from_ymd_opt(2030, 6, 4).unwrap(), 2)
            .iter()
            .map(|i| (i.occurrence.uid.as_str(), i.occurrence.start.day()))
            .collect();
        assert_eq!(shown, [("ping", 4), ("standup", 4), ("standup", 4), ("ping", 5)]);
        assert_eq!(too_often(&accounts).as_deref(), Some("ping repeats too often to show every occurrence."));
    }
}
