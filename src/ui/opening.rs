//! Files opened in the window (a drop, `convene open`, a later launch, the
//! import wizard's file dialog): read, then routed by what they are
//! ([`mailed::route`]): plain calendars to the import wizard, invitations
//! by mail to their row or the "Invitation by mail" panel, cancellations
//! and answers by mail to the account's actor. And what the actor made of
//! a mailed file.

use std::path::PathBuf;

use iced::Task;

use super::mailed::{self, Route};
use super::{App, Key, Message, Screen, import, invitations};
use crate::sync::{Cancelled, Failure, MailedDone};

impl App {
    pub(super) fn open_files(&mut self, files: Vec<PathBuf>) -> Task<Message> {
        Task::perform(mailed::read(files), Message::Opened)
    }

    pub(super) fn opened(&mut self, files: Vec<(PathBuf, Option<String>)>) -> Task<Message> {
        let mut plain = Vec::new();
        let mut tasks = Vec::new();
        for (file, text) in files {
            // Unreadable, or too large: the wizard says what is wrong.
            let Some(text) = text else {
                plain.push(file);
                continue;
            };
            match mailed::route(&file, &text, &self.accounts) {
                Route::Import => plain.push(file),
                Route::Wait => self.waiting_mail.push((file, text)),
                route => tasks.push(self.follow(route)),
            }
        }
        if !plain.is_empty() {
            tasks.push(self.wizard_message(import::Message::Add(plain)));
        }
        Task::batch(tasks)
    }

    /// Mailed files opened before the accounts said what they hold, once one has.
    pub(super) fn open_waiting_mail(&mut self) -> Task<Message> {
        if self.waiting_mail.is_empty() || self.accounts.iter().all(|a| a.calendars.is_empty()) {
            return Task::none();
        }
        let waiting = std::mem::take(&mut self.waiting_mail);
        self.opened(waiting.into_iter().map(|(f, t)| (f, Some(t))).collect())
    }

    fn follow(&mut self, route: Route) -> Task<Message> {
        match route {
            Route::Import | Route::Wait => {}
            Route::Select(key) => return self.show_invitation(key),
            Route::Panel(panel) => {
                if self.mailed.as_ref().is_some_and(|p| matches!(p.stage, mailed::Stage::Adding(_))) {
                    self.banner(format!(
                        "{}: open it again once the invitation being added is in your calendar.",
                        panel.file.display()
                    ));
                } else {
                    self.mailed = Some(*panel);
                }
            }
            Route::Apply { account, control } => {
                self.send(&account, control);
            }
            Route::Refuse(why) => self.banner(why),
        }
        Task::none()
    }

    fn show_invitation(&mut self, key: Key) -> Task<Message> {
        self.screen = Screen::Invitations;
        self.invitations_message(invitations::Message::Select(key))
    }

    pub(super) fn mailed_message(&mut self, m: mailed::Message) -> Task<Message> {
        let Some(panel) = self.mailed.as_mut() else { return Task::none() };
        let (task, event) = panel.update(m);
        let task = task.map(Message::Mailed);
        match event {
            None => {}
            Some(mailed::Event::Close) => self.mailed = None,
            Some(mailed::Event::Send { account, control }) => {
                if !self.send(&account, control)
                    && let Some(p) = self.mailed.as_mut()
                {
                    p.not_sent();
                }
            }
        }
        task
    }

    /// What the actor made of a mailed file: the panel's answer, else said.
    pub(super) fn mailed_done(
        &mut self,
        account: &str,
        file: PathBuf,
        uid: String,
        result: Result<MailedDone, Failure>,
    ) -> Task<Message> {
        if let Some(p) = self.mailed.as_mut().filter(|p| p.file == file && p.uid == uid)
            && matches!(p.stage, mailed::Stage::Adding(_))
        {
            p.finished(result.map_err(|e| e.to_string()));
            return Task::none();
        }
        let title = self.account(account).and_then(|a| {
            let listed = a.invitations.iter().find(|l| l.invitation.uid == uid);
            listed.and_then(|l| l.invitation.summary.clone()).or_else(|| {
                a.agenda.iter().find(|i| i.occurrence.uid == uid).map(|i| i.occurrence.summary.clone())
            })
        });
        let title = title.unwrap_or_else(|| uid.clone());
        match result {
            Err(e) => self.banner(format!("{}: {e}", file.display())),
            Ok(MailedDone::Cancelled(c)) => {
                self.banner(match c {
                    Cancelled::Marked => format!("Cancelled by its organizer (by mail): {title}"),
                    Cancelled::Already => format!("{title} was cancelled already"),
                    Cancelled::Removed => format!(
                        "Removed: {title}: its organizer cancelled it, and this server doesn't let an attendee mark it cancelled"
                    ),
                });
                if c != Cancelled::Removed {
                    return self.show_invitation(Key { account: account.to_owned(), uid });
                }
            }
            Ok(MailedDone::Recorded(answers)) => {
                for (who, partstat) in answers {
                    let who = crate::ical::imip::address(&who).to_owned();
                    self.banner(format!("Recorded from mail: {who} {} for {title}", partstat.to_lowercase()));
                }
            }
            Ok(MailedDone::Added { reply, .. }) => self
                .banner(format!("Added from mail: {title}; the reply to mail back is {}", reply.display())),
        }
        Task::none()
    }
}
