//! The calendar: an agenda (upcoming days) and a week view of every event,
//! repeats expanded, invitations marked, today highlighted.

use chrono::{Datelike, Duration, Local, NaiveDate};
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill, FillPortion};

use super::{AccountState, style};
use crate::sync::{AgendaItem, TOO_OFTEN};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Agenda,
    Week,
}

#[derive(Debug, Clone)]
pub enum Message {
    Mode(Mode),
    /// Move by this many weeks (the arrows, and ←/→).
    Shift(i64),
    Today,
}

/// What the calendar shows. It has no tasks and nothing for the app to do,
/// so its `update` returns nothing.
#[derive(Debug, Clone)]
pub struct Page {
    pub mode: Mode,
    /// Monday of the week shown.
    pub week_start: NaiveDate,
}

impl Default for Page {
    fn default() -> Self {
        Page { mode: Mode::default(), week_start: week_of(Local::now().date_naive()) }
    }
}

impl Page {
    pub fn update(&mut self, m: Message) {
        match m {
            Message::Mode(mode) => self.mode = mode,
            Message::Shift(n) => self.week_start += Duration::weeks(n),
            Message::Today => self.week_start = week_of(Local::now().date_naive()),
        }
    }

    pub fn view<'a>(&self, accounts: &'a [AccountState]) -> Element<'a, Message> {
        view(self, accounts)
    }
}

/// Monday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Every occurrence in time order, but of a series that repeats too often
/// only the first of each day: its hundreds of identical rows would bury
/// everything else, and its note says not every occurrence is shown.
fn items(accounts: &[AccountState]) -> Vec<&AgendaItem> {
    let mut all: Vec<&AgendaItem> = accounts.iter().flat_map(|a| a.agenda.iter()).collect();
    all.sort_by_key(|i| i.occurrence.start);
    let mut shown = std::collections::HashSet::new();
    all.retain(|i| {
        let o = &i.occurrence;
        !i.repeats_too_often || shown.insert((i.account.as_str(), o.uid.as_str(), o.start.date_naive()))
    });
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
    let often = if i.repeats_too_often { format!(" • repeats {TOO_OFTEN}") } else { String::new() };
    format!("{when}  {}{place}{mark}{often}", o.summary)
}

fn item_view(i: &AgendaItem) -> Element<'_, Message> {
    let t = text(label(i)).size(14);
    let t = if i.pending { t.style(style::changed) } else { t };
    container(t).padding(4).into()
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
        Mode::Week => format!("Week of {}", page.week_start.format("%-d %b %Y")),
    };
    let bar = row![
        mode_button("Agenda", Mode::Agenda, "cal-agenda"),
        mode_button("Week", Mode::Week, "cal-week"),
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
        Mode::Week => week(accounts, page.week_start, today),
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
    (!names.is_empty()).then(|| format!("{} {verb} {TOO_OFTEN}.", names.join(", ")))
}

fn day_header<'a>(day: NaiveDate, today: NaiveDate) -> Element<'a, Message> {
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

/// One occurrence as a small card: time, title, place, and whether it
/// waits for the person's answer.
fn week_card(i: &AgendaItem) -> Element<'_, Message> {
    let o = &i.occurrence;
    let when = if o.all_day {
        "all day".to_owned()
    } else {
        format!("{}–{}", o.start.format("%H:%M"), o.end.format("%H:%M"))
    };
    let mut col = column![text(when).size(12), text(&o.summary).size(13)].spacing(2);
    if let Some(place) = &o.location {
        col = col.push(text(place).size(11).style(style::muted));
    }
    if o.cancelled {
        col = col.push(text("cancelled").size(11).style(style::muted));
    } else if i.pending {
        col = col.push(text("needs your answer").size(11).style(style::changed));
    } else if i.invitation {
        col = col.push(text("invitation").size(11).style(style::muted));
    }
    if i.repeats_too_often {
        col = col.push(text(format!("repeats {TOO_OFTEN}")).size(11).style(style::changed));
    }
    let pending = i.pending && !o.cancelled;
    container(col)
        .padding(6)
        .width(Fill)
        .style(move |theme: &iced::Theme| {
            let p = theme.extended_palette();
            let surface = if pending { p.primary.weak } else { p.background.weak };
            container::Style {
                background: Some(surface.color.into()),
                text_color: Some(surface.text),
                border: iced::Border { radius: 4.0.into(), width: 1.0, color: p.background.strong.color },
                ..container::Style::default()
            }
        })
        .into()
}

fn week(accounts: &[AccountState], start: NaiveDate, today: NaiveDate) -> Element<'_, Message> {
    let all = items(accounts);
    let days = (0..7).map(|n| {
        let day = start + Duration::days(n);
        let mut col = column![day_header(day, today)].spacing(4);
        for i in all.iter().filter(|i| i.occurrence.start.date_naive() == day) {
            col = col.push(week_card(i));
        }
        container(scrollable(col))
            .width(FillPortion(1))
            .height(Fill)
            .style(if day == today { container::rounded_box } else { container::transparent })
            .into()
    });
    row(days).spacing(6).height(Fill).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::occurrence::Occurrence;
    use chrono::TimeZone;

    fn item(uid: &str, day: u32, second: u32, repeats_too_often: bool) -> AgendaItem {
        let start = Local.with_ymd_and_hms(2030, 6, day, 9, 0, second).unwrap();
        AgendaItem {
            account: "work".into(),
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
        let shown: Vec<(&str, u32)> =
            items(&accounts).iter().map(|i| (i.occurrence.uid.as_str(), i.occurrence.start.day())).collect();
        assert_eq!(shown, [("ping", 4), ("standup", 4), ("standup", 4), ("ping", 5)]);
        assert_eq!(too_often(&accounts).as_deref(), Some("ping repeats too often to show every occurrence."));
    }
}
