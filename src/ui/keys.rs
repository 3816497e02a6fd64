//! Keyboard: ↑/↓ move through invitations, A/T/D answer, Ctrl+R syncs,
//! Esc closes the dialog or an event's details; Ctrl+1–4 open the
//! calendar's day, week, month and agenda (as Apple Calendar numbers
//! them), ←/→ move it, Home or Ctrl+T go to today. Ctrl+N opens the
//! editor on a new event; in the editor Enter saves and Esc cancels; over
//! an event's details Enter edits it.

use iced::{Task, keyboard};

use super::{App, Key, Message, Screen, calendar, conflict, details, editor, invitations, merge};
use crate::ical::Answer;

impl App {
    pub(super) fn key(&mut self, event: keyboard::Event) -> Task<Message> {
        use keyboard::key::Named;
        let keyboard::Event::KeyPressed { key, modifiers, .. } = event else { return Task::none() };
        if self.conflict.is_some() {
            return match key.as_ref() {
                keyboard::Key::Named(Named::Escape) => self.conflict_message(conflict::Message::Close),
                _ => Task::none(),
            };
        }
        if self.merge.is_none() && self.editor.is_some() {
            return match key.as_ref() {
                keyboard::Key::Named(Named::Escape) => self.editor_message(editor::Message::Back),
                keyboard::Key::Named(Named::Enter) => self.editor_message(editor::Message::Save),
                _ => Task::none(),
            };
        }
        if self.merge.is_none() && modifiers.command() && key.as_ref() == keyboard::Key::Character("n") {
            self.screen = Screen::Calendar;
            return self.calendar_message(calendar::Message::NewEvent);
        }
        if self.merge.is_none()
            && let Some(d) = &self.details
        {
            return self.details_key(key.as_ref(), modifiers, d.item.invitation);
        }
        match key.as_ref() {
            keyboard::Key::Named(Named::Escape) => self.merge_message(merge::Message::Close),
            keyboard::Key::Named(Named::ArrowDown) => self.move_selection(1),
            keyboard::Key::Named(Named::ArrowUp) => self.move_selection(-1),
            keyboard::Key::Named(Named::ArrowLeft) if self.screen == Screen::Calendar => {
                self.calendar_message(calendar::Message::Shift(-1))
            }
            keyboard::Key::Named(Named::ArrowRight) if self.screen == Screen::Calendar => {
                self.calendar_message(calendar::Message::Shift(1))
            }
            keyboard::Key::Named(Named::Home) if self.screen == Screen::Calendar => {
                self.calendar_message(calendar::Message::Today)
            }
            keyboard::Key::Character("t") if modifiers.command() && self.screen == Screen::Calendar => {
                self.calendar_message(calendar::Message::Today)
            }
            keyboard::Key::Character(c @ ("1" | "2" | "3" | "4")) if modifiers.command() => {
                let mode = match c {
                    "1" => calendar::Mode::Day,
                    "2" => calendar::Mode::Week,
                    "3" => calendar::Mode::Month,
                    _ => calendar::Mode::Agenda,
                };
                self.screen = Screen::Calendar;
                Task::batch([self.calendar_message(calendar::Message::Mode(mode)), self.calendar.opened()])
            }
            keyboard::Key::Character("r") if modifiers.command() => {
                self.sync_now();
                Task::none()
            }
            keyboard::Key::Character(c) if self.merge.is_none() && !modifiers.command() => {
                let answer = match c {
                    "a" => Some(Answer::Accept),
                    "t" => Some(Answer::Tentative),
                    "d" => Some(Answer::Decline),
                    _ => None,
                };
                match answer {
                    Some(a) => self.invitations_message(invitations::Message::AnswerSelected(a)),
                    None => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    /// Over an event's details: Esc closes them, A/T/D answer the
    /// invitation they show (selected when they opened), Ctrl+R syncs;
    /// the keys of the page beneath wait.
    fn details_key(
        &mut self,
        key: keyboard::Key<&str>,
        modifiers: keyboard::Modifiers,
        invitation: bool,
    ) -> Task<Message> {
        let answer = match key {
            keyboard::Key::Named(keyboard::key::Named::Escape) => {
                return self.details_message(details::Message::Close);
            }
            keyboard::Key::Named(keyboard::key::Named::Enter) if !invitation => {
                return self.details_message(details::Message::Edit);
            }
            keyboard::Key::Character("r") if modifiers.command() => {
                self.sync_now();
                return Task::none();
            }
            _ if !invitation || modifiers.command() => return Task::none(),
            keyboard::Key::Character("a") => Answer::Accept,
            keyboard::Key::Character("t") => Answer::Tentative,
            keyboard::Key::Character("d") => Answer::Decline,
            _ => return Task::none(),
        };
        self.invitations_message(invitations::Message::AnswerSelected(answer))
    }

    fn move_selection(&mut self, step: isize) -> Task<Message> {
        let keys: Vec<Key> = self
            .listings()
            .iter()
            .map(|(a, l)| Key { account: (*a).to_owned(), uid: l.invitation.uid.clone() })
            .collect();
        if keys.is_empty() {
            return Task::none();
        }
        let at = self.invitations.selected.as_ref().and_then(|k| keys.iter().position(|x| x == k));
        let next = match at {
            None => 0,
            Some(i) => (i as isize + step).clamp(0, keys.len() as isize - 1) as usize,
        };
        let reveal = self.invitations.reveal(next).map(Message::Invitations);
        Task::batch([reveal, self.invitations_message(invitations::Message::Select(keys[next].clone()))])
    }
}
