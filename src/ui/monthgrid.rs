//! The month view: six weeks of days from `layout::month`, events as chips
//! in time order, "+N more" (which opens the day) where a day is full,
//! weekends and other months' days set apart.

use chrono::{Datelike, Local, NaiveDate, Weekday};
use iced::widget::{Column, Row, button, column, container, mouse_area, responsive, text};
use iced::{Element, Fill, FillPortion, Size, Theme};

use super::calendar::Message;
use super::event::{self, Colours};
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
pub fn view<'a>(
    items: Vec<&'a AgendaItem>,
    colours: &Colours,
    day: NaiveDate,
    today: NaiveDate,
) -> Element<'a, Message> {
    let colours: Vec<_> = items.iter().map(|i| colours.get(&i.calendar)).collect();
    let occurrences: Vec<Occurrence> = items.iter().map(|i| i.occurrence.clone()).collect();
    let weekdays = std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ())).take(7);
    let names = Row::from_iter(weekdays.map(|weekday| {
        let name = text(weekday.to_string()).size(style::TEXT_S).style(style::muted);
        container(name).padding([0.0, style::SPACE_S]).width(FillPortion(1)).into()
    }))
    .spacing(style::SPACE_XS);
    // As many lines as a day's cell has room for, at the window's size.
    let grid = responsive(move |size: Size| {
        let cell = size.height / WEEKS as f32;
        let fits = ((cell - NUMBER) / LINE).floor().max(1.0) as usize;
        let Some(m) = month::month(&occurrences, day.year(), day.month(), Weekday::Mon, fits, &Local) else {
            return text("No such month").into();
        };
        let weeks = m.days.chunks(7).map(|week| {
            Row::from_iter(week.iter().map(|d| cell_view(d, &items, &colours, today)))
                .spacing(style::SPACE_XS)
                .into()
        });
        Column::from_iter(weeks).spacing(style::SPACE_XS).into()
    });
    column![names, grid].spacing(style::SPACE_S).height(Fill).into()
}

fn cell_view<'a>(
    d: &MonthDay,
    items: &[&'a AgendaItem],
    colours: &[iced::Color],
    today: NaiveDate,
) -> Element<'a, Message> {
    let number = text(d.date.day().to_string()).size(style::TEXT_S);
    let number: Element<'a, Message> = if d.date == today {
        container(number).padding([0.0, style::SPACE_S + 2.0]).style(style::today).into()
    } else if d.other_month {
        container(number.style(style::muted)).padding([0.0, style::SPACE_S + 2.0]).into()
    } else {
        container(number).padding([0.0, style::SPACE_S + 2.0]).into()
    };
    let mut lines = Column::new().push(number).spacing(1);
    for chip in &d.chips {
        let item = items[chip.index];
        lines = lines.push(chip_view(item, chip.time, colours[chip.index]));
    }
    if d.more > 0 {
        let more = button(text(format!("+{} more", d.more)).size(style::TEXT_XS + 1.0))
            .padding([0.0, style::SPACE_S])
            .on_press(Message::OpenDay(d.date))
            .style(button::text);
        lines = lines.push(container(more).id(format!("more-{}", d.date)));
    }
    let (weekend, other) = (d.weekend, d.other_month);
    let cell = container(lines).padding(style::SPACE_XS).width(FillPortion(1)).height(Fill).clip(true).style(
        move |theme: &Theme| {
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
        },
    );
    // A double-click on the day (not on an event) creates an all-day event.
    let date = d.date;
    container(mouse_area(cell).on_double_click(Message::NewOnDay(date)))
        .id(format!("day-{date}"))
        .width(FillPortion(1))
        .height(Fill)
        .into()
}

/// A timed event: a dot in its calendar's colour, the time and the title
/// on the page (as Apple Calendar and GNOME draw them, so a busy month
/// stays readable); an all-day one: a bar in its colour.
fn chip_view<'a>(
    item: &'a AgendaItem,
    time: Option<chrono::NaiveTime>,
    colour: iced::Color,
) -> Element<'a, Message> {
    let Some(t) = time else {
        let inside = container(event::title(item, style::TEXT_XS + 1.0))
            .padding([0.0, style::SPACE_S])
            .width(Fill)
            .clip(true);
        return event::card(item, colour, event::clicks(item, inside)).width(Fill).into();
    };
    let dot = container(iced::widget::space().width(6).height(6)).style(move |_: &Theme| container::Style {
        background: Some(colour.into()),
        border: iced::Border { radius: 3.0.into(), ..iced::Border::default() },
        ..container::Style::default()
    });
    let line = iced::widget::row![
        dot,
        text(t.format("%H:%M").to_string()).size(style::TEXT_XS + 1.0).style(style::muted),
        event::title(item, style::TEXT_XS + 1.0),
    ]
    .spacing(style::SPACE_S)
    .align_y(iced::Center);
    let inside = container(line).padding([0.0, style::SPACE_S]).width(Fill).clip(true);
    event::card(item, colour, event::clicks(item, inside))
        .width(Fill)
        .style(event::chip(colour, event::Mark::of(item)))
        .into()
}
