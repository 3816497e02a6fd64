//! The calendar: an agenda (upcoming days), day and week views with
//! events placed by their times (`timegrid`) and a month of chips
//! (`monthgrid`); repeats expanded, invitations marked, today highlighted.

use chrono::{Datelike, Duration, Local, Months, NaiveDate, Weekday};
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill};

use super::{AccountState, monthgrid, style, timegrid};
use crate::sync::{AgendaItem, REPEATS_TOO_OFTEN};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Agenda,
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone)]
pub enum Message {
    Mode(Mode),
    /// Move by this many days, weeks or months, as the view shows (the
    /// arrows, and ←/→).
    Shift(i64),
    Today,
    /// Show this day in the day view (a month's "+N more").
    OpenDay(NaiveDate),
    /// A minute passed: redraw, so the current-time line moves.
    Tick,
    /// Show this occurrence's details (a click on it).
    Open(Box<AgendaItem>),
}

/// What the app must act on.
#[derive(Debug, Clone)]
pub enum Event {
    /// Open the details of this occurrence (`App::open_details`).
    Open(Box<AgendaItem>),
}

/// What the calendar shows. It has no tasks, so its `update` returns only
/// what the app must do.
#[derive(Debug, Clone)]
pub struct Page {
    pub mode: Mode,
    /// Monday of the week shown.
    pub week_start: NaiveDate,
    /// The day the day view shows; the month view shows its month.
    pub day: NaiveDate,
}

impl Default for Page {
    fn default() -> Self {
        let today = Local::now().date_naive();
        Page { mode: Mode::default(), week_start: week_of(today), day: today }
    }
}

impl Page {
    pub fn update(&mut self, m: Message) -> Option<Event> {
        match m {
            Message::Mode(mode) => {
                // The day view opens on today when the week shown holds it.
                let today = Local::now().date_naive();
                match (self.mode, mode) {
                    (Mode::Day | Mode::Month, Mode::Agenda | Mode::Week) => {
                        self.week_start = week_of(self.day);
                    }
                    (Mode::Agenda | Mode::Week, Mode::Day | Mode::Month) => {
                        let this_week = week_of(today) == self.week_start;
                        self.day = if this_week { today } else { self.week_start };
                    }
                    _ => {}
                }
                self.mode = mode;
            }
            Message::Shift(n) if self.mode == Mode::Day => self.day += Duration::days(n),
            Message::Shift(n) if self.mode == Mode::Month => {
                let first = self.day.with_day(1).unwrap_or(self.day);
                let months = Months::new(n.unsigned_abs().try_into().unwrap_or(u32::MAX));
                let moved =
                    if n < 0 { first.checked_sub_months(months) } else { first.checked_add_months(months) };
                self.day = moved.unwrap_or(first);
            }
            Message::Shift(n) => self.week_start += Duration::weeks(n),
            Message::OpenDay(day) => {
                self.mode = Mode::Day;
                self.day = day;
            }
            Message::Tick => {}
            Message::Today => {
                self.day = Local::now().date_naive();
                self.week_start = week_of(self.day);
            }
            Message::Open(item) => return Some(Event::Open(item)),
        }
        None
    }

    /// A tick a minute while the hours are shown, for the current-time line.
    pub fn subscription(&self) -> iced::Subscription<Message> {
        match self.mode {
            Mode::Day | Mode::Week => {
                iced::time::every(std::time::Duration::from_secs(60)).map(|_| Message::Tick)
            }
            Mode::Agenda | Mode::Month => iced::Subscription::none(),
        }
    }

    /// What a view needs when it opens: the hours scrolled to the working day.
    pub fn opened<T>(&self) -> iced::Task<T> {
        match self.mode {
            Mode::Day | Mode::Week => timegrid::to_working_day(),
            Mode::Agenda | Mode::Month => iced::Task::none(),
        }
    }

    pub fn view<'a>(&self, accounts: &'a [AccountState]) -> Element<'a, Message> {
        view(self, accounts)
    }
}

/// Monday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    crate::layout::week_of(day, Weekday::Mon)
}

/// The items on `count` days from `first` (local dates), so a view lays out
/// only what it shows.
fn shown(accounts: &[AccountState], first: NaiveDate, count: u64) -> Vec<&AgendaItem> {
    let last = first + chrono::Days::new(count);
    let mut all = items(accounts);
    all.retain(|i| i.occurrence.start.date_naive() <= last && i.occurrence.end.date_naive() >= first);
    all
}

fn items(accounts: &[AccountState]) -> Vec<&AgendaItem> {
    let mut all: Vec<&AgendaItem> = accounts.iter().flat_map(|a| a.agenda.iter()).collect();
    all.sort_by_key(|i| i.occurrence.start);
    all
}

fn label(i: &AgendaItem) -> String {
    let o = &i.occurrence;
    let when = if o.all_day {
        "all day".to_owned()
    } else {
        format!("{}–{}", o.start.format("%H:%M"), o.end.format("%H:%M"))
    };
    let mark = match (o.cancelled, i.pending, i.invitation) {
        (true, _, _) => " (cancelled)",
        (_, true, _) => " • invitation, needs an answer",
        (_, _, true) => " • invitation",
        _ => "",
    };
    let place = o.location.as_ref().map(|l| format!(" — {l}")).unwrap_or_default();
    let often = if i.repeats_too_often { format!(" • {REPEATS_TOO_OFTEN}") } else { String::new() };
    format!("{when}  {}{place}{mark}{often}", o.summary)
}

/// An agenda entry: a click opens its details.
fn item_view(i: &AgendaItem) -> Element<'_, Message> {
    let t = text(label(i)).size(14);
    let t = if i.pending { t.style(style::changed) } else { t };
    let id = format!("agenda-{}-{}", i.url, i.occurrence.recurrence_id.as_deref().unwrap_or(""));
    container(
        button(t).on_press(Message::Open(Box::new(i.clone()))).padding(4).width(Fill).style(button::text),
    )
    .id(id)
    .into()
}

fn view<'a>(page: &Page, accounts: &'a [AccountState]) -> Element<'a, Message> {
    let today = Local::now().date_naive();
    let b = |label: &'static str, m: Message, id: &'static str| {
        container(button(text(label)).on_press(m).style(button::secondary)).id(id)
    };
    let mode_button = |label: &'static str, mode: Mode, id: &'static str| {
        let btn = button(text(label)).on_press(Message::Mode(mode));
        container(if page.mode == mode { btn.style(button::primary) } else { btn.style(button::secondary) })
            .id(id)
    };
    let title = match page.mode {
        Mode::Agenda => format!("From {}", page.week_start.format("%a %-d %b %Y")),
        Mode::Day => page.day.format("%A %-d %B %Y").to_string(),
        Mode::Week => format!("Week of {}", page.week_start.format("%-d %b %Y")),
        Mode::Month => page.day.format("%B %Y").to_string(),
    };
    let bar = row![
        mode_button("Agenda", Mode::Agenda, "cal-agenda"),
        mode_button("Day", Mode::Day, "cal-day"),
        mode_button("Week", Mode::Week, "cal-week"),
        mode_button("Month", Mode::Month, "cal-month"),
        b("◀", Message::Shift(-1), "cal-prev"),
        b("Today", Message::Today, "cal-today"),
        b("▶", Message::Shift(1), "cal-next"),
        text(title).size(18),
        text("(←/→ to move)").size(12).style(style::muted),
    ]
    .spacing(8)
    .align_y(iced::Center);
    let body = match page.mode {
        Mode::Agenda => agenda(accounts, page.week_start, today),
        Mode::Day => timegrid::view(&shown(accounts, page.day, 1), page.day, 1, Local::now()),
        Mode::Week => timegrid::view(&shown(accounts, page.week_start, 7), page.week_start, 7, Local::now()),
        Mode::Month => {
            let first = monthgrid::first_shown(page.day);
            monthgrid::view(shown(accounts, first, 42), page.day, today)
        }
    };
    let mut page_col = column![bar].spacing(10).height(Fill);
    if let Some(note) = too_often(accounts) {
        page_col = page_col.push(text(note).size(13).style(style::changed));
    }
    page_col.push(body).into()
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
    let rest = REPEATS_TOO_OFTEN.strip_prefix("repeats").unwrap_or(REPEATS_TOO_OFTEN);
    (!names.is_empty()).then(|| format!("Not every occurrence is shown: {} {verb}{rest}.", names.join(", ")))
}

pub(super) fn day_header<'a>(day: NaiveDate, today: NaiveDate) -> Element<'a, Message> {
    let t = text(day.format("%a %-d %b").to_string()).size(16);
    if day == today {
        container(t).padding(4).style(container::primary).width(Fill).into()
    } else {
        container(t).padding(4).width(Fill).into()
    }
}

/// Five weeks of days that have events, from the shown week on.
fn agenda(accounts: &[AccountState], from: NaiveDate, today: NaiveDate) -> Element<'_, Message> {
    let to = from + Duration::days(35);
    let mut col = column![].spacing(4);
    let mut current = None;
    let mut any = false;
    for i in items(accounts).into_iter().filter(|i| {
        let d = i.occurrence.start.date_naive();
        d >= from && d < to
    }) {
        let day = i.occurrence.start.date_naive();
        if current != Some(day) {
            col = col.push(day_header(day, today));
            current = Some(day);
        }
        col = col.push(item_view(i));
        any = true;
    }
    if !any {
        col = col.push(text("Nothing in these five weeks."));
    }
    scrollable(col).id("agenda").height(Fill).into()
}
