//! Hands the sub-screens their messages and acts on the events they
//! return: the sub-screens never touch the app or the sync actors.

use iced::Task;

use super::{App, Key, Message, calendar, details, import, invitations, merge};
use crate::ical::Diff;
use crate::sync::AgendaItem;
use crate::sync::{Control, ReplyState, Resolution};

impl App {
    /// Sends to the account's actor; a banner says so if it can't take it.
    pub(super) fn send(&mut self, account: &str, control: Control) -> bool {
        let sent = self
            .account(account)
            .and_then(|a| a.control.as_ref())
            .is_some_and(|tx| tx.try_send(control).is_ok());
        if !sent {
            self.banner(format!("{account} is not connected yet; try again in a moment."));
        }
        sent
    }

    /// Sends an answer (or a decision on one) and marks it as on its way.
    pub(super) fn send_answer(&mut self, key: Key, control: Control) {
        if self.send(&key.account, control)
            && let Some(a) = self.account_mut(&key.account)
        {
            a.sending.insert(key.uid);
        }
    }

    pub(super) fn sync_now(&mut self) {
        let names: Vec<String> = self.accounts.iter().map(|a| a.account.name.clone()).collect();
        for name in names {
            self.send(&name, Control::SyncNow);
        }
    }

    pub(super) fn invitations_message(&mut self, m: invitations::Message) -> Task<Message> {
        let (task, event) = self.invitations.update(m);
        let task = task.map(Message::Invitations);
        match event {
            None => task,
            Some(invitations::Event::Reply(key, control)) => {
                self.send_answer(key, control);
                task
            }
            Some(invitations::Event::Review(key)) => {
                self.review(key);
                task
            }
            Some(invitations::Event::OpenLink(url)) => Task::batch([task, super::open_link(url)]),
            Some(invitations::Event::Seen(key)) => {
                // Only an updated one has anything to mark; an account not
                // connected marks it when the person opens it again.
                let updated = self.listing(&key).is_some_and(|l| l.since_seen.is_some());
                if let Some(tx) =
                    self.account(&key.account).and_then(|a| a.control.as_ref()).filter(|_| updated)
                {
                    let _ = tx.try_send(Control::Seen { uid: key.uid });
                }
                task
            }
        }
    }

    pub(super) fn calendar_message(&mut self, m: calendar::Message) -> Task<Message> {
        let (task, event) = self.calendar.update(m);
        let task = task.map(Message::Calendar);
        match event {
            None => task,
            Some(calendar::Event::Settings(settings)) => {
                self.config.calendar = settings.clone();
                let save = calendar::save(self.paths.clone(), settings);
                Task::batch([task, Task::perform(save, Message::TaskDone)])
            }
            Some(calendar::Event::Open(item)) => Task::batch([task, self.open_details(*item)]),
            Some(calendar::Event::Create(when)) => Task::batch([task, self.new_event(when)]),
            Some(calendar::Event::Edit(item)) => Task::batch([task, self.edit_event(*item)]),
            Some(calendar::Event::Move { item, start, end }) => {
                self.move_event(*item, start, end);
                task
            }
        }
    }

    /// Opens any event's details over the calendar: what the view knows
    /// at once, the rest when the account's actor has read its cache. An
    /// invitation is selected in the invitation page, whose comment,
    /// occurrence and answers its details use.
    pub fn open_details(&mut self, item: AgendaItem) -> Task<Message> {
        let (d, control) = details::Details::open(item);
        let task = if d.item.invitation {
            self.invitations_message(invitations::Message::Select(d.key()))
        } else {
            Task::none()
        };
        self.send(&d.item.account, control);
        self.details = Some(d);
        task
    }

    pub(super) fn details_message(&mut self, m: details::Message) -> Task<Message> {
        let Some(d) = self.details.as_mut() else { return Task::none() };
        let (task, event) = d.update(m);
        let task = task.map(Message::Details);
        match event {
            None => task,
            Some(details::Event::Close) => {
                self.details = None;
                task
            }
            Some(details::Event::OpenLink(url)) => Task::batch([task, super::open_link(url)]),
            Some(details::Event::Edit) => match self.details.take() {
                Some(d) => Task::batch([task, self.edit_event(d.item)]),
                None => task,
            },
            Some(details::Event::Invitation(m)) => Task::batch([task, self.invitations_message(m)]),
        }
    }

    /// The merge dialog for a conflict in the list, even one postponed.
    fn review(&mut self, key: Key) {
        let diff = self.listing(&key).and_then(|l| match &l.reply {
            ReplyState::Conflict { diff, .. } => Some(diff.clone()),
            _ => None,
        });
        if let Some(diff) = diff {
            self.postponed.remove(&key);
            self.open_merge(key, diff);
        }
    }

    pub(super) fn open_merge(&mut self, key: Key, diff: Diff) {
        self.merge = Some(merge::Dialog::open(self.listing(&key), key, diff));
    }

    pub(super) fn merge_message(&mut self, m: merge::Message) -> Task<Message> {
        let Some(dialog) = self.merge.as_mut() else { return Task::none() };
        let (task, event) = dialog.update(m);
        let task = task.map(Message::Merge);
        let Some(event) = event else { return task };
        // Either way the dialog has done its job.
        let Some(dialog) = self.merge.take() else { return task };
        let key = dialog.key;
        match event {
            merge::Event::Postpone => {
                self.postponed.insert(key);
            }
            merge::Event::Resolve(resolution) => {
                let control = Control::Resolve { uid: key.uid.clone(), resolution: resolution.clone() };
                if resolution == Resolution::Discard {
                    self.send(&key.account, control);
                } else {
                    self.send_answer(key, control);
                }
            }
        }
        task
    }

    pub(super) fn import_message(&mut self, m: import::Message) -> Task<Message> {
        // Files are read first: an invitation by mail is no import.
        if let import::Message::Add(files) = &m
            && !files.is_empty()
        {
            return self.open_files(files.clone());
        }
        self.wizard_message(m)
    }

    /// A message for the import wizard itself.
    pub(super) fn wizard_message(&mut self, m: import::Message) -> Task<Message> {
        if let import::Message::Add(_) = m {
            // Files (or the Import button, with none) open the wizard.
            self.screen = super::Screen::Import;
            self.import.get_or_insert_with(import::Wizard::default);
        }
        let Some(w) = self.import.as_mut() else { return Task::none() };
        let (task, event) = w.update(m, &self.accounts);
        if let Some(event) = event {
            self.import_event(event);
        }
        task.map(Message::Import)
    }

    /// Runs `f` on the open wizard, if any, and acts on its event (for
    /// what the actors report about imports).
    pub(super) fn with_wizard(
        &mut self,
        f: impl FnOnce(&mut import::Wizard, &[super::AccountState]) -> Option<import::Event>,
    ) {
        let Some(w) = self.import.as_mut() else { return };
        if let Some(event) = f(w, &self.accounts) {
            self.import_event(event);
        }
    }

    pub(super) fn import_event(&mut self, event: import::Event) {
        match event {
            import::Event::CheckTarget(t) => {
                self.send(&t.account, Control::ImportTarget { calendar: t.calendar });
            }
            import::Event::Start(account, request) => {
                if self.send(&account, Control::Import(request))
                    && let Some(w) = self.import.as_mut()
                {
                    w.started();
                }
            }
            import::Event::Cancel(account) => {
                self.send(&account, Control::CancelImport);
            }
            import::Event::Banner(text) => self.banner(text),
            import::Event::Close => {
                self.import = None;
                self.screen = super::Screen::Invitations;
            }
        }
    }
}
