//! The month view: six weeks of days from `layout::month`, events as chips
//! in time order, "+N more" (which opens the day) where a day is full,
//! weekends and other months' days set apart.

use chrono::{Datelike, Local, NaiveDate, Weekday};
use iced::widget::{Column, Row, button, column, container, responsive, text};
use iced::{Element, Fill, FillPortion, Size, Theme};

use super::calendar::Message;
use super::style;
use crate::ical::occurrence::Occurrence;
use crate::layout::month::{self, MonthDay, WEEKS};
use crate::sync::AgendaItem;

/// The height of one chip line and of the day number above the chips.
const LINE: f32 = 18.0;
const NUMBER: f32 = 24.0;

/// The first day the month view of `day`'s month shows.
pub fn first_shown(day: NaiveDate) -> NaiveDate {
    crate::layout::week_of(day.with_day(1).unwrap_or(day), Weekday::Mon)
}

/// The month holding `day`; `items` sorted by start.
pub fn view<'a>(items: Vec<&'a AgendaItem>, day: NaiveDate, today: NaiveDate) -> Element<'a, Message> {
    let occurrences: Vec<Occurrence> = items.iter().map(|i| i.occurrence.clone()).collect();
    let weekdays = std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ())).take(7);
    let names = Row::from_iter(weekdays.map(|weekday| {
        container(text(weekday.to_string()).size(12).style(style::muted)).width(FillPortion(1)).into()
    }))
    .spacing(2);
    // As many lines as a day's cell has room for, at the window's size.
    let grid = responsive(move |size: Size| {
        let cell = size.height / WEEKS as f32;
        let fits = ((cell - NUMBER) / LINE).floor().max(1.0) as usize;
        let Some(m) = month::month(&occurrences, day.year(), day.month(), Weekday::Mon, fits, &Local) else {
            return text("No such month").into();
        };
        let weeks = m
            .days
            .chunks(7)
            .map(|week| Row::from_iter(week.iter().map(|d| cell_view(d, &items, today))).spacing(2).into());
        Column::from_iter(weeks).spacing(2).into()
    });
    column![names, grid].spacing(4).height(Fill).into()
}

fn cell_view<'a>(d: &MonthDay, items: &[&'a AgendaItem], today: NaiveDate) -> Element<'a, Message> {
    let number = text(d.date.day().to_string()).size(13);
    let number: Element<'a, Message> = if d.date == today {
        container(number).padding([0, 4]).style(container::primary).into()
    } else if d.other_month {
        number.style(style::muted).into()
    } else {
        number.into()
    };
    let mut lines = Column::new().push(number).spacing(1);
    for chip in &d.chips {
        let item = items[chip.index];
        let name = match chip.time {
            Some(t) => format!("{} {}", t.format("%H:%M"), item.occurrence.summary),
            None => item.occurrence.summary.clone(),
        };
        lines = lines.push(
            container(text(name).size(11)).padding([0, 4]).width(Fill).clip(true).style(style::event(item)),
        );
    }
    if d.more > 0 {
        let more = button(text(format!("+{} more", d.more)).size(11))
            .padding([0, 4])
            .on_press(Message::OpenDay(d.date))
            .style(button::text);
        lines = lines.push(container(more).id(format!("more-{}", d.date)));
    }
    let (weekend, other) = (d.weekend, d.other_month);
    container(lines)
        .padding(2)
        .width(FillPortion(1))
        .height(Fill)
        .clip(true)
        .style(move |theme: &Theme| {
            let p = theme.extended_palette();
            let background = match (other, weekend) {
                (true, _) => p.background.weaker.color,
                (false, true) => p.background.weak.color.scale_alpha(0.5),
                (false, false) => p.background.base.color,
            };
            container::Style {
                background: Some(background.into()),
                border: iced::Border {
                    width: 1.0,
                    color: p.background.strong.color,
                    ..iced::Border::default()
                },
                ..container::Style::default()
            }
        })
        .into()
}
