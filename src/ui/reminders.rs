//! The app's side of reminders and notifications: what the notification
//! service says (a reply to send, an invitation to open, the missed
//! reminders), and the panel listing the reminders missed.

use iced::widget::{button, column, container, pick_list, row, scrollable, text};
use iced::{Element, Task};

use super::notify::Event;
use super::{App, Key, Message, Screen, style};
use crate::notices::{In, Out};
use crate::reminder::ringer::{DISMISS, SNOOZE_CHOICES, SnoozeFor, snooze_action};
use crate::reminder::{Ring, RingKey};
use crate::sync::Control;

impl App {
    pub(super) fn notices_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::Connected(tx) => {
                self.notices = Some(tx);
                self.tell_notices(self.reminder_settings());
                // What the actors said before the service was up.
                let events: Vec<In> = self.reminder_events.drain(..).collect();
                for e in events {
                    self.tell_notices(e);
                }
                Task::none()
            }
            Event::Out(Out::Missed(list)) => {
                self.missed = list;
                if self.missed.is_empty() {
                    self.missed_open = false;
                }
                Task::none()
            }
            Event::Out(Out::Control { account, control }) => {
                match control {
                    Control::Reply { ref uid, .. } => {
                        let key = Key { account: account.clone(), uid: uid.clone() };
                        self.send_answer(key, control);
                    }
                    other => {
                        self.send(&account, other);
                    }
                }
                Task::none()
            }
            Event::Out(Out::OpenInvitation { account, uid }) => {
                self.screen = Screen::Invitations;
                self.invitations.selected = Some(Key { account, uid });
                self.raise()
            }
            Event::Out(Out::OpenMissed) => {
                self.missed_open = true;
                self.raise()
            }
        }
    }

    /// The `[reminders]` settings, for the notification service.
    pub(super) fn reminder_settings(&self) -> In {
        let r = &self.config.reminders;
        In::Settings { default_before: r.default_before, invitation_before: r.invitation_before.clone() }
    }

    /// Sends to the notification service, or keeps it until it is up.
    pub(super) fn tell_notices(&mut self, message: In) {
        match &self.notices {
            Some(tx) => {
                let _ = tx.try_send(message);
            }
            // What the service needs to plan; a new invitation's notice
            // before it is up is not news any more.
            None if matches!(message, In::Events { .. } | In::Waiting { .. }) => {
                self.reminder_events.push(message)
            }
            None => {}
        }
    }

    pub(super) fn missed_view(&self) -> Element<'_, Message> {
        let rows = self.missed.iter().map(|r| missed_row(r));
        let list = scrollable(column(rows).spacing(style::SPACE_S)).height(iced::Length::Shrink);
        let close = button(text("Close")).on_press(Message::MissedPanel(false)).style(style::tool);
        container(
            column![
                row![text("Missed reminders").size(style::TEXT_L), iced::widget::space::horizontal(), close]
                    .align_y(iced::Center),
                list,
            ]
            .spacing(style::SPACE_M),
        )
        .id("missed-reminders")
        .max_width(560)
        .into()
    }
}

fn missed_row(r: &Ring) -> Element<'_, Message> {
    let when = r.due.with_timezone(&chrono::Local);
    let starts = r.starts.with_timezone(&chrono::Local);
    let detail = if r.all_day {
        format!("{} (all day), reminded {}", starts.format("%a %d %b"), when.format("%a %H:%M"))
    } else {
        format!("{}, reminded {}", starts.format("%a %d %b %H:%M"), when.format("%a %H:%M"))
    };
    let key = r.key.clone();
    let snooze = pick_list(SNOOZE_CHOICES, None::<SnoozeFor>, move |s| {
        Message::Reminder(key.clone(), snooze_action(s.1))
    })
    .placeholder("Snooze for…");
    let dismiss =
        button(text("Dismiss")).on_press(Message::Reminder(r.key.clone(), DISMISS.into())).style(style::tool);
    row![
        column![text(&r.summary), text(detail).size(style::TEXT_S)].width(iced::Length::Fill),
        snooze,
        dismiss
    ]
    .spacing(style::SPACE_S)
    .align_y(iced::Center)
    .into()
}

/// A reminder answered in the panel goes through the service, which keeps
/// the acknowledgement (in the account's cache) like one from a notification.
pub(super) fn answered(key: RingKey, action: String) -> In {
    In::Reminder { key, action }
}
