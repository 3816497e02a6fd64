//! The organizer's merge dialog: a change of theirs met a change made
//! elsewhere to the same fields (another device moved the meeting too).
//! Each field as the person started from it, their change and the
//! server's, side by side; nothing is sent until they decide. Fields
//! changed on one side only were merged without asking.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::{format, style};
use crate::ical::Clash;
use crate::sync::Resolution;

#[derive(Debug, Clone)]
pub enum Message {
    KeepMine,
    KeepTheirs,
    EditAgain,
    Close,
}

/// What the app must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Resolve(Resolution),
    /// Drop the change and open the editor on the server's version.
    EditAgain,
    /// Decide later: the change waits in the outbox.
    Postpone,
}

#[derive(Debug, Clone)]
pub struct Dialog {
    pub account: String,
    pub uid: String,
    pub summary: String,
    pub clashes: Vec<Clash>,
}

impl Dialog {
    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::KeepMine => Event::Resolve(Resolution::SendOnNewVersion),
            Message::KeepTheirs => Event::Resolve(Resolution::Discard),
            Message::EditAgain => Event::EditAgain,
            Message::Close => Event::Postpone,
        };
        (Task::none(), Some(event))
    }

    pub fn view(&self) -> Element<'_, Message> {
        let header = column![
            text("Changed elsewhere meanwhile").size(22),
            text(format!(
                "“{}” was changed on the server while you changed it too. Your change has not been sent.",
                self.summary
            )),
        ]
        .spacing(style::SPACE_S);
        let side = |title: &'static str, pick: fn(&Clash) -> &str, changed: bool| {
            let mut col = column![text(title).size(16)].spacing(style::SPACE_S).width(Fill);
            for c in &self.clashes {
                let line = text(format!("{}: {}", c.field.label(), format::field_value(c.field, pick(c))));
                col = col.push(if changed { line.style(style::changed) } else { line });
            }
            container(col).padding(10).style(container::rounded_box).width(Fill)
        };
        let sides = row![
            side("You started from", |c| &c.before, false),
            side("Your change", |c| &c.mine, true),
            side("On the server now", |c| &c.theirs, true),
        ]
        .spacing(style::SPACE_M);
        let b = |label: &'static str, m: Message, id: &'static str, primary: bool| {
            let style = if primary { button::primary } else { button::secondary };
            container(button(text(label)).on_press(m).style(style)).id(id)
        };
        let actions = row![
            b("Keep mine on top of theirs", Message::KeepMine, "conflict-mine", true),
            b("Keep theirs", Message::KeepTheirs, "conflict-theirs", false),
            b("Edit again", Message::EditAgain, "conflict-edit", false),
        ]
        .spacing(style::SPACE_M);
        let close = button(text("Decide later (Esc)")).on_press(Message::Close).style(button::text);
        column![header, sides, actions, container(close).id("conflict-close")].spacing(style::SPACE_L).into()
    }
}
