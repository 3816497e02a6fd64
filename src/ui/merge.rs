//! The merge dialog: the organizer changed the event after the person saw
//! it. Both versions side by side, the changes highlighted, the pending
//! answer, and the person's decision. Nothing is sent until they decide.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::{Key, format, style};
use crate::ical::{Answer, Diff, Reply};
use crate::sync::{Listing, ReplyState, Resolution};

#[derive(Debug, Clone)]
pub enum Message {
    SendOnNewVersion,
    ChangeAnswer,
    NewAnswer(Answer),
    Discard,
    Close,
}

/// The person's decision, for the app to pass to the account's actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Resolve(Resolution),
    /// "Decide later": the answer stays pending and the list shows the conflict.
    Postpone,
}

#[derive(Debug, Clone)]
pub struct Dialog {
    pub key: Key,
    pub diff: Diff,
    pub reply: Option<Reply>,
    pub summary: String,
    /// The person chose "Change my answer": show the three answers.
    pub changing: bool,
}

impl Dialog {
    /// The dialog for `key`'s conflict; `listing` gives the pending answer and title.
    pub fn open(listing: Option<&Listing>, key: Key, diff: Diff) -> Self {
        let reply = listing.and_then(|l| match &l.reply {
            ReplyState::Conflict { reply, .. } | ReplyState::Pending { reply, .. } => Some(reply.clone()),
            _ => None,
        });
        let summary = listing.and_then(|l| l.invitation.summary.clone()).unwrap_or_else(|| key.uid.clone());
        Dialog { key, diff, reply, summary, changing: false }
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let resolution = match m {
            Message::SendOnNewVersion => Resolution::SendOnNewVersion,
            Message::ChangeAnswer => {
                self.changing = true;
                return (Task::none(), None);
            }
            Message::NewAnswer(answer) => Resolution::ChangeAnswer {
                answer,
                comment: self.reply.as_ref().and_then(|r| r.comment.clone()),
            },
            Message::Discard => Resolution::Discard,
            Message::Close => return (Task::none(), Some(Event::Postpone)),
        };
        (Task::none(), Some(Event::Resolve(resolution)))
    }

    /// "Time: Tue 10:00–11:00 → Wed 14:00–15:00", one per change.
    pub fn change_lines(&self) -> Vec<String> {
        self.diff.changes.iter().map(format::change).collect()
    }

    pub fn view<'a>(&'a self) -> Element<'a, Message> {
        let answer =
            self.reply.as_ref().map(|r| format::answer(Some(r.answer.partstat()))).unwrap_or("your answer");
        let header = column![
            text("The organizer changed this event").size(22),
            text(format!(
                "“{}” changed after you answered. Your answer ({answer}) has not been sent.",
                self.summary
            )),
        ]
        .spacing(6);

        let side = |title: &'a str, before: bool| {
            let mut col = column![text(title).size(16)].spacing(6).width(Fill);
            for c in &self.diff.changes {
                let value = if before { &c.before } else { &c.after };
                let line = text(format!("{}: {}", c.field.label(), format::field_value(c.field, value)));
                col = col.push(if before { line } else { line.style(style::changed) });
            }
            container(col).padding(10).style(container::rounded_box).width(Fill)
        };
        let sides =
            row![side("What you answered", true), side("The organizer's new version", false)].spacing(12);
        let summary =
            column(self.change_lines().into_iter().map(|l| text(l).size(13).style(style::muted).into()))
                .spacing(2);
        let minor: Element<'a, Message> = if self.diff.minor.is_empty() {
            column![].into()
        } else {
            text(format!("Also: {}", self.diff.minor.join("; "))).size(12).style(style::muted).into()
        };

        let actions: Element<'a, Message> = if self.changing {
            let b = |label: &'a str, a: Answer, id: &'static str| {
                container(button(text(label)).on_press(Message::NewAnswer(a))).id(id)
            };
            row![
                text("New answer:"),
                b("Accept", Answer::Accept, "merge-accept"),
                b("Tentative", Answer::Tentative, "merge-tentative"),
                b("Decline", Answer::Decline, "merge-decline"),
            ]
            .spacing(8)
            .align_y(iced::Center)
            .into()
        } else {
            row![
                container(
                    button(text("Send my answer for the new version"))
                        .on_press(Message::SendOnNewVersion)
                        .style(button::primary)
                )
                .id("merge-send"),
                container(
                    button(text("Change my answer")).on_press(Message::ChangeAnswer).style(button::secondary)
                )
                .id("merge-change"),
                container(button(text("Discard my answer")).on_press(Message::Discard).style(button::danger))
                    .id("merge-discard"),
            ]
            .spacing(8)
            .into()
        };
        let close =
            container(button(text("Decide later (Esc)")).on_press(Message::Close).style(button::text))
                .id("merge-close");
        column![header, sides, summary, minor, actions, close].spacing(12).into()
    }
}
