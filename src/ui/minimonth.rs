//! The month picker beside the calendar: a small month whose page turns
//! with ‹ ›, the days the view shows shaded and today ringed; clicking a
//! day shows it in the current view.

use chrono::{Datelike, Duration, NaiveDate};
use iced::widget::{Column, Row, button, column, container, row, space, text};
use iced::{Center, Element, Fill, Theme};

use super::calendar::{Message, week_of};
use super::style;

const CELL: f32 = 28.0;

/// The month starting on `first`; `shown` the first and last days the view shows.
pub fn view<'a>(first: NaiveDate, shown: (NaiveDate, NaiveDate), today: NaiveDate) -> Element<'a, Message> {
    let turn = |label: &'static str, n: i32, id: &'static str| {
        container(
            button(text(label).size(style::TEXT_M))
                .padding([0.0, style::SPACE_M])
                .on_press(Message::PickerShift(n))
                .style(button::text),
        )
        .id(id)
    };
    let head = row![
        text(first.format("%B %Y").to_string()).size(style::TEXT_M),
        space::horizontal(),
        turn("‹", -1, "pick-prev"),
        turn("›", 1, "pick-next"),
    ]
    .align_y(Center);
    let initials = Row::from_iter(["M", "T", "W", "T", "F", "S", "S"].into_iter().map(|d| {
        container(text(d).size(style::TEXT_XS).style(style::muted)).width(CELL).align_x(Center).into()
    }));
    let start = week_of(first);
    let weeks = (0..6).map(|w| {
        Row::from_iter((0..7).map(|d| {
            let day = start + Duration::days(w * 7 + d);
            day_button(day, day.month() != first.month(), shown.0 <= day && day <= shown.1, day == today)
        }))
        .into()
    });
    column![head, initials, Column::from_iter(weeks)].spacing(style::SPACE_S).width(Fill).into()
}

fn day_button<'a>(day: NaiveDate, other_month: bool, shown: bool, today: bool) -> Element<'a, Message> {
    let label = container(text(day.day().to_string()).size(style::TEXT_S)).center_x(Fill);
    let b =
        button(label).width(CELL).height(CELL - 4.0).padding([4.0, 0.0]).on_press(Message::Jump(day)).style(
            move |theme: &Theme, status| {
                let p = theme.extended_palette();
                let (background, text_color) = if today {
                    (Some(p.primary.base.color), p.primary.base.text)
                } else if shown {
                    (Some(p.primary.weak.color), p.primary.weak.text)
                } else if matches!(status, button::Status::Hovered) {
                    (Some(p.background.strong.color), p.background.strong.text)
                } else {
                    let t = p.background.base.text;
                    (None, if other_month { t.scale_alpha(0.45) } else { t })
                };
                // The shown days join into one band; today and a hovered day are round.
                let radius = if shown && !today { 0.0 } else { style::RADIUS };
                button::Style {
                    background: background.map(Into::into),
                    text_color,
                    border: iced::Border { radius: radius.into(), ..iced::Border::default() },
                    ..button::Style::default()
                }
            },
        );
    container(b).id(format!("pick-{day}")).into()
}
