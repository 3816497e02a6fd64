//! One event wherever the calendar draws it (a box in the hours, a bar in
//! the all-day row, a chip in the month, an agenda entry): in its
//! calendar's colour, marked by the person's part in it, and a button that
//! opens it.

use std::collections::HashMap;

use iced::widget::text::Wrapping;
use iced::widget::{Stack, button, mouse_area, rich_text, space, span, text};
use iced::{Color, Element, Theme};
use url::Url;

use super::calendar::Message;
use super::{AccountState, colour, style};
use crate::ical::Answer;
use crate::sync::AgendaItem;

/// How an invitation stands for the person; `Plain` for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    NeedsAnswer,
    Tentative,
    Declined,
    /// Someone else goes instead (PARTSTAT=DELEGATED): looks declined.
    Delegated,
    Cancelled,
}

impl Mark {
    pub fn of(item: &AgendaItem) -> Mark {
        match (item.occurrence.cancelled, item.pending, item.answer) {
            (true, _, _) => Mark::Cancelled,
            (_, true, _) => Mark::NeedsAnswer,
            (_, _, Some(Answer::Tentative)) if item.invitation => Mark::Tentative,
            (_, _, Some(Answer::Decline)) if item.invitation => Mark::Declined,
            (_, _, Some(Answer::Delegate)) if item.invitation => Mark::Delegated,
            _ => Mark::Plain,
        }
    }

    /// Said after the event's time, where there is room.
    pub fn words(self) -> &'static str {
        match self {
            Mark::Plain => "",
            Mark::NeedsAnswer => " · needs your answer",
            Mark::Tentative => " · tentative",
            Mark::Declined => " · declined",
            Mark::Delegated => " · delegated",
            Mark::Cancelled => " · cancelled",
        }
    }

    fn struck(self) -> bool {
        matches!(self, Mark::Declined | Mark::Delegated | Mark::Cancelled)
    }

    /// How far the calendar colour fades into the page: the fainter, the
    /// less the event holds the person's time.
    fn fade(self) -> f32 {
        match self {
            Mark::Plain => 0.0,
            Mark::Tentative | Mark::Cancelled => 0.45,
            Mark::NeedsAnswer | Mark::Declined | Mark::Delegated => 0.7,
        }
    }
}

/// Each calendar's colour by its URL, for every account's calendars.
pub struct Colours(HashMap<Url, Color>);

impl Colours {
    pub fn of(accounts: &[AccountState]) -> Self {
        let calendars = accounts.iter().flat_map(|a| a.calendars.iter());
        Colours(calendars.map(|c| (c.url.clone(), colour::of(&c.url, c.color.as_deref()))).collect())
    }

    pub fn get(&self, calendar: &Url) -> Color {
        self.0.get(calendar).copied().unwrap_or_else(|| colour::stable(calendar))
    }
}

/// The event's title on one line (the box clips it), struck through
/// when declined or cancelled.
pub fn title<'a>(item: &'a AgendaItem, size: f32) -> Element<'a, Message> {
    title_wrapped(item, size, Wrapping::None)
}

/// The title, wrapped as `wrapping` says (a tall box shows it whole,
/// broken between words, rather than cut off mid-word at its edge).
pub fn title_wrapped<'a>(item: &'a AgendaItem, size: f32, wrapping: Wrapping) -> Element<'a, Message> {
    let summary = item.occurrence.summary.as_str();
    if Mark::of(item).struck() {
        let struck =
            rich_text::<(), _, _, _>([span(summary).strikethrough(true)]).size(size).wrapping(wrapping);
        // The line through is a quad, which a clipping container does not
        // cut (only text is); a layer above an empty one is cut to the
        // container, so it stops at the box's edge with the title.
        Stack::new().push(struck).push_under(space()).into()
    } else {
        text(summary).size(size).wrapping(wrapping).into()
    }
}

/// `content` as a button that opens the item, filled in its calendar's
/// `colour` ([`look`]).
pub fn card<'a>(
    item: &'a AgendaItem,
    colour: Color,
    content: impl Into<Element<'a, Message>>,
) -> button::Button<'a, Message> {
    button(content)
        .padding(0)
        .on_press(Message::Open(Box::new(item.clone())))
        .style(look(colour, Mark::of(item)))
}

/// `content` taking the clicks of the person's own event: one opens it
/// (after the double-click time), two edit it. An invitation is left to
/// its card's button: only its organizer changes it.
pub fn clicks<'a>(item: &'a AgendaItem, content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    if item.invitation {
        return content.into();
    }
    let boxed = Box::new(item.clone());
    mouse_area(content)
        .on_press(Message::Click(boxed.clone()))
        .on_double_click(Message::DoubleClick(boxed))
        .into()
}

/// A month's timed chip: on the page, with the calendar's colour in its
/// dot; an invitation waiting for an answer tinted and outlined in that
/// colour, a tentative, declined or cancelled one in fainter text.
pub fn chip(calendar: Color, mark: Mark) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let p = theme.extended_palette();
        let hovered = matches!(status, button::Status::Hovered | button::Status::Pressed);
        let background = match (mark, hovered) {
            (_, true) => Some(p.background.strong.color),
            (Mark::NeedsAnswer, false) => Some(colour::mix(calendar, p.background.base.color, 0.8)),
            _ => None,
        };
        let ink = p.background.base.text;
        let faint = matches!(mark, Mark::Tentative | Mark::Declined | Mark::Delegated | Mark::Cancelled);
        button::Style {
            background: background.map(Into::into),
            text_color: if faint { ink.scale_alpha(0.6) } else { ink },
            border: iced::Border {
                radius: 4.0.into(),
                width: if mark == Mark::NeedsAnswer { 1.5 } else { 0.0 },
                color: calendar,
            },
            ..button::Style::default()
        }
    }
}

/// Filled with the calendar's colour, faded for a tentative, declined or
/// cancelled event; an invitation still waiting for an answer is faded
/// and outlined in the full colour. The text is dark or light, whichever
/// reads better on the result.
pub fn look(calendar: Color, mark: Mark) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let page = theme.palette().background;
        let mut background = colour::mix(calendar, page, mark.fade());
        if matches!(status, button::Status::Hovered | button::Status::Pressed) {
            background = colour::mix(background, colour::text_on(background), 0.12);
        }
        let outline = if mark == Mark::NeedsAnswer { 2.0 } else { 0.0 };
        button::Style {
            background: Some(background.into()),
            text_color: colour::text_on(background),
            border: iced::Border { radius: style::RADIUS.into(), width: outline, color: calendar },
            ..button::Style::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::occurrence::Occurrence;

    fn item(invitation: bool, pending: bool, answer: Option<Answer>, cancelled: bool) -> AgendaItem {
        let now = chrono::Local::now();
        let url = Url::parse("https://h/cal/e.ics").unwrap();
        AgendaItem {
            account: "a".into(),
            calendar: url.join("./").unwrap(),
            calendar_name: "Cal".into(),
            url,
            occurrence: Occurrence {
                uid: "u".into(),
                summary: "S".into(),
                start: now,
                end: now,
                all_day: false,
                location: None,
                recurrence_id: None,
                cancelled,
            },
            invitation,
            pending,
            answer,
            repeats_too_often: false,
        }
    }

    #[test]
    fn marks_follow_the_persons_answer() {
        let cases = [
            (item(false, false, None, false), Mark::Plain),
            (item(true, true, None, false), Mark::NeedsAnswer),
            (item(true, false, Some(Answer::Accept), false), Mark::Plain),
            (item(true, false, Some(Answer::Tentative), false), Mark::Tentative),
            (item(true, false, Some(Answer::Decline), false), Mark::Declined),
            (item(true, false, Some(Answer::Delegate), false), Mark::Delegated),
            (item(true, true, None, true), Mark::Cancelled),
            (item(false, false, None, true), Mark::Cancelled),
        ];
        for (i, want) in cases {
            assert_eq!(Mark::of(&i), want, "{i:?}");
        }
        assert!(Mark::Declined.struck() && Mark::Cancelled.struck() && !Mark::Tentative.struck());
    }

    #[test]
    fn every_look_keeps_its_text_readable() {
        for theme in [Theme::Light, Theme::Dark] {
            for c in colour::PALETTE {
                for mark in [
                    Mark::Plain,
                    Mark::NeedsAnswer,
                    Mark::Tentative,
                    Mark::Declined,
                    Mark::Delegated,
                    Mark::Cancelled,
                ] {
                    for status in [button::Status::Active, button::Status::Hovered] {
                        let s = look(c, mark)(&theme, status);
                        let Some(iced::Background::Color(bg)) = s.background else { panic!("no fill") };
                        let ratio = colour::contrast(s.text_color, bg);
                        assert!(ratio >= 4.5, "{theme:?} {c:?} {mark:?} {status:?}: {ratio}");
                    }
                }
            }
        }
    }
}
