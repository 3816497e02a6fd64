//! The agenda: five weeks of days that have events, from the week shown;
//! each entry in its calendar's colour, opened by a click (one's own
//! event edited by a double-click).

use chrono::NaiveDate;
use iced::widget::{button, column, container, row, scrollable, space, text};
use iced::{Element, Fill, Theme};

use super::calendar::Message;
use super::event::{self, Colours, Mark};
use super::style;
use crate::sync::{AgendaItem, TOO_OFTEN};

/// How many days the agenda lists.
pub const DAYS: i64 = 35;

/// `items` sorted by start; those starting before `from` (still going on)
/// are left to the views that show that day.
pub fn view<'a>(
    items: Vec<&'a AgendaItem>,
    colours: &Colours,
    from: NaiveDate,
    today: NaiveDate,
) -> Element<'a, Message> {
    let mut col = column![].spacing(style::SPACE_XS);
    let mut current = None;
    for i in items.into_iter().filter(|i| i.occurrence.start.date_naive() >= from) {
        let day = i.occurrence.start.date_naive();
        if current != Some(day) {
            let name = day.format("%A %-d %B").to_string();
            let name = if day == today { format!("Today, {name}") } else { name };
            col = col.push(container(text(name).size(style::TEXT_M)).padding([style::SPACE_M, 0.0]));
            current = Some(day);
        }
        col = col.push(entry(i, colours));
    }
    if current.is_none() {
        col = col.push(text("Nothing in these five weeks.").style(style::muted));
    }
    scrollable(col.padding([0.0, style::SPACE_M])).id("agenda").height(Fill).into()
}

fn entry<'a>(i: &'a AgendaItem, colours: &Colours) -> Element<'a, Message> {
    let o = &i.occurrence;
    let colour = colours.get(&i.calendar);
    let swatch = container(space().width(4).height(18)).style(move |_: &Theme| container::Style {
        background: Some(colour.into()),
        border: iced::Border { radius: 2.0.into(), ..iced::Border::default() },
        ..container::Style::default()
    });
    let when = if o.all_day {
        "all day".to_owned()
    } else {
        format!("{}–{}", o.start.format("%H:%M"), o.end.format("%H:%M"))
    };
    let place = o.location.as_ref().map(|l| format!(" — {l}")).unwrap_or_default();
    let often = if i.repeats_too_often { format!(" · repeats {TOO_OFTEN}") } else { String::new() };
    // The place quiet; only "needs your answer" in the colour that asks for attention.
    let mark = Mark::of(i);
    let note = text(format!("{place}{often}")).size(style::TEXT_S).style(style::muted);
    let words = text(mark.words()).size(style::TEXT_S);
    let words =
        if mark == Mark::NeedsAnswer { words.style(style::changed) } else { words.style(style::muted) };
    let line = row![
        swatch,
        text(when).size(style::TEXT_S).width(96),
        event::title(i, style::TEXT_M),
        row![note, words]
    ]
    .spacing(style::SPACE_M)
    .align_y(iced::Center);
    // The padding inside the clicks, so the whole entry takes a double-click.
    let line = container(line).padding([style::SPACE_S, style::SPACE_M]).width(Fill);
    button(event::clicks(i, line))
        .padding(0)
        .width(Fill)
        .on_press(Message::Open(Box::new(i.clone())))
        .style(|theme: &Theme, status| {
            let p = theme.extended_palette();
            let hovered = matches!(status, button::Status::Hovered | button::Status::Pressed);
            button::Style {
                background: hovered.then(|| p.background.weak.color.into()),
                text_color: p.background.base.text,
                border: iced::Border { radius: style::RADIUS.into(), ..iced::Border::default() },
                ..button::Style::default()
            }
        })
        .into()
}
