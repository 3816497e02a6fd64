//! Every calendar of every account, in its own colour, each with a
//! checkbox that shows or hides its events (kept in the settings).

use std::collections::BTreeSet;

use iced::widget::{checkbox, column, container, text};
use iced::{Color, Element, Theme};
use url::Url;

use super::calendar::Message;
use super::event::Colours;
use super::{AccountState, colour, style};
use crate::caldav::Calendar;

pub fn view<'a>(
    accounts: &'a [AccountState],
    hidden: &BTreeSet<Url>,
    colours: &Colours,
) -> Element<'a, Message> {
    let mut list = column![text("Calendars").size(style::TEXT_M)].spacing(style::SPACE_S);
    for a in accounts {
        list = list.push(
            container(text(&a.account.name).size(style::TEXT_XS).style(style::muted))
                .padding([style::SPACE_S, 0.0]),
        );
        if a.calendars.is_empty() {
            list = list.push(text("No calendars yet").size(style::TEXT_S).style(style::muted));
        }
        for c in &a.calendars {
            list = list.push(entry(c, !hidden.contains(&c.url), colours.get(&c.url)));
        }
    }
    list.into()
}

fn entry<'a>(c: &'a Calendar, shown: bool, colour: Color) -> Element<'a, Message> {
    let url = c.url.clone();
    let toggle = checkbox(shown)
        .label(name(c))
        .size(16)
        .text_size(style::TEXT_S)
        .spacing(style::SPACE_M)
        .on_toggle(move |on| Message::Toggle(url.clone(), on))
        .style(move |theme: &Theme, status| {
            let checked = match status {
                checkbox::Status::Active { is_checked }
                | checkbox::Status::Hovered { is_checked }
                | checkbox::Status::Disabled { is_checked } => is_checked,
            };
            let hovered = matches!(status, checkbox::Status::Hovered { .. });
            let fill = if checked { colour } else { theme.palette().background };
            checkbox::Style {
                background: (if hovered { colour::mix(fill, colour, 0.3) } else { fill }).into(),
                icon_color: colour::text_on(colour),
                border: iced::Border { radius: 4.0.into(), width: 2.0, color: colour },
                text_color: None,
            }
        });
    container(toggle).id(format!("show-{}", c.url)).into()
}

/// The calendar's name, else the last part of its address.
fn name(c: &Calendar) -> String {
    c.display_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        c.url.path_segments().and_then(|mut s| s.rfind(|p| !p.is_empty())).unwrap_or("calendar").to_owned()
    })
}
