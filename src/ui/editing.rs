//! Creating and changing events from the window: the app opens the editor
//! (from the grid, the "New event" button, the details' "Edit"), asks the
//! account's actor for the event's draft, and hands what the editor saves
//! to that actor. A move on the grid goes the same way, the moved box
//! drawn at its new place until the actor says how the write went.

use chrono::Duration;
use iced::Task;

use super::{App, Message, colour, conflict, editor};
use crate::ical::draft::When;
use crate::sync::{AgendaItem, Control};

impl App {
    /// Calendars the person can put an event in, the shown ones first.
    fn choices(&self) -> Vec<editor::Choice> {
        let mut all: Vec<(bool, editor::Choice)> = self
            .accounts
            .iter()
            .flat_map(|a| {
                a.calendars.iter().filter(|c| c.holds_events() && !c.read_only).map(move |c| (a, c))
            })
            .map(|(a, c)| {
                let choice = editor::Choice {
                    account: a.account.name.clone(),
                    url: c.url.clone(),
                    name: crate::sync::calendar_label(c),
                    colour: colour::of(&c.url, c.color.as_deref()),
                };
                (self.calendar.hidden.contains(&c.url), choice)
            })
            .collect();
        all.sort_by_key(|(hidden, _)| *hidden);
        all.into_iter().map(|(_, c)| c).collect()
    }

    /// Addresses already in the cache (organizers and attendees of the
    /// person's events and invitations), most used first, to complete
    /// attendees from.
    fn known_addresses(&self) -> Vec<String> {
        let people = self.accounts.iter().flat_map(|a| a.people.iter());
        let invited = super::invitations::known_addresses(&self.accounts);
        // The login, when it is an address, too: a server may not list the
        // person's addresses.
        let own = self.accounts.iter().flat_map(|a| {
            let login = a.account.user.contains('@').then_some(&a.account.user);
            a.addresses.iter().chain(&a.account.aliases).chain(login)
        });
        editor::known::addresses(people, invited.iter().map(String::as_str), own.map(String::as_str))
    }

    pub fn new_event(&mut self, when: When) -> Task<Message> {
        self.details = None;
        let mut e = editor::Editor::new(when, self.choices(), self.known_addresses());
        e.form.reminders = self.config.reminders.default_before.into_iter().collect();
        self.editor = Some(e);
        iced::widget::operation::focus("editor-title")
    }

    /// The editor on an existing event; its draft is asked of the actor.
    pub fn edit_event(&mut self, item: AgendaItem) -> Task<Message> {
        self.details = None;
        let e = editor::Editor::existing(item, self.choices(), self.known_addresses());
        self.ask_draft(&e);
        self.editor = Some(e);
        iced::widget::operation::focus("editor-title")
    }

    /// A drop on the grid: the move is written once the draft is known.
    pub fn move_event(&mut self, item: AgendaItem, start: Duration, end: Duration) {
        let e = editor::Editor::moved(item, start, end, self.choices());
        self.ask_draft(&e);
        self.editor = Some(e);
    }

    fn ask_draft(&mut self, e: &editor::Editor) {
        if let Some(item) = e.existing_item() {
            let control = Control::EditorDraft {
                url: item.url.clone(),
                recurrence_id: item.occurrence.recurrence_id.clone(),
            };
            let account = item.account.clone();
            self.send(&account, control);
        }
    }

    pub(super) fn editor_message(&mut self, m: editor::Message) -> Task<Message> {
        let Some(e) = self.editor.as_mut() else { return Task::none() };
        let (task, event) = e.update(m);
        let task = task.map(Message::Editor);
        if let Some(event) = event {
            self.editor_event(event);
        }
        self.ask_free_busy();
        task
    }

    /// The editor's attendees, day or calendar changed: their busy times
    /// are asked of the account's actor (which answers without asking a
    /// server that doesn't tell them).
    fn ask_free_busy(&mut self) {
        if let Some(q) = self.editor.as_mut().and_then(editor::Editor::free_busy) {
            // Quietly: an account not connected yet just shows no busy times.
            let control = Control::FreeBusy { attendees: q.attendees, from: q.from, to: q.to };
            let sent = self
                .account(&q.account)
                .and_then(|a| a.control.as_ref())
                .is_some_and(|tx| tx.try_send(control).is_ok());
            if !sent && let Some(e) = self.editor.as_mut() {
                // Asked again on the next change.
                e.busy = editor::busy::Busy::NotAsked;
            }
        }
    }

    /// The actor's answer to `Control::FreeBusy`.
    pub(super) fn free_busy_answered(
        &mut self,
        from: chrono::DateTime<chrono::Utc>,
        answer: Result<Vec<crate::sync::Availability>, String>,
    ) {
        if let Some(e) = self.editor.as_mut() {
            e.busy.answered(from, answer);
        }
    }

    /// The actor's answer to `Control::EditorDraft`.
    pub(super) fn editor_draft(
        &mut self,
        account: &str,
        url: &url::Url,
        draft: Option<crate::ical::draft::Draft>,
        organizer: bool,
    ) {
        let Some(e) = self.editor.as_mut() else { return };
        let ours = e.existing_item().is_some_and(|i| i.account == account && i.url == *url);
        if !ours {
            return;
        }
        let lost_move = draft.is_none() && !e.shows_form();
        let event = e.loaded(draft, organizer);
        self.ask_free_busy();
        if lost_move {
            self.banner("The event was not moved: it is no longer in the calendar.");
        }
        if let Some(event) = event {
            self.editor_event(event);
        }
    }

    fn editor_event(&mut self, event: editor::Event) {
        let moving = self.editor.as_ref().and_then(|e| (!e.shows_form()).then(|| e.existing_item().cloned()));
        self.editor = None;
        let (account, control) = match event {
            editor::Event::Close => {
                // A move the person backed out of goes back where it was.
                if let Some(Some(item)) = moving {
                    self.calendar.moves.settled(&item.account, &item.occurrence.uid);
                }
                return;
            }
            editor::Event::Create { account, draft } => (account, Control::CreateEvent(draft)),
            editor::Event::Edit { account, url, scope, before, after } => {
                (account, Control::EditEvent { url, scope, before, after })
            }
            editor::Event::Delete { account, url, scope, cancel_meeting } => {
                (account, Control::DeleteEvent { url, scope, cancel_meeting })
            }
        };
        if !self.send(&account, control)
            && let Some(Some(item)) = moving
        {
            self.calendar.moves.settled(&item.account, &item.occurrence.uid);
        }
    }

    /// How a write went, from the account's actor: a moved box stays where
    /// it was dropped until the next agenda shows it there, or goes back.
    pub(super) fn event_written(&mut self, account: &str, uid: &str, failure: Option<String>) {
        if let Some(why) = failure {
            self.calendar.moves.settled(account, uid);
            self.banner(why);
        }
    }

    /// A change met another made elsewhere to the same fields: the box
    /// shows the server's version, and the dialog asks (one at a time; a
    /// later one waits in the outbox for the next).
    pub(super) fn event_conflict(&mut self, account: &str, uid: String, clashes: Vec<crate::ical::Clash>) {
        self.calendar.moves.settled(account, &uid);
        if self.conflict.is_some() {
            return;
        }
        let summary = self
            .account(account)
            .and_then(|a| a.agenda.iter().find(|i| i.occurrence.uid == uid))
            .map_or_else(|| uid.clone(), |i| i.occurrence.summary.clone());
        self.conflict = Some(conflict::Dialog { account: account.to_owned(), uid, summary, clashes });
    }

    pub(super) fn conflict_message(&mut self, m: conflict::Message) -> Task<Message> {
        let Some(dialog) = self.conflict.as_mut() else { return Task::none() };
        let (_, event) = dialog.update(m);
        let Some(event) = event else { return Task::none() };
        let Some(c) = self.conflict.take() else { return Task::none() };
        let resolve = |resolution| Control::Resolve { uid: c.uid.clone(), resolution };
        match event {
            conflict::Event::Postpone => Task::none(),
            conflict::Event::Resolve(resolution) => {
                self.send(&c.account, resolve(resolution));
                Task::none()
            }
            // Theirs stays; the editor opens on it (its draft read anew).
            conflict::Event::EditAgain => {
                self.send(&c.account, resolve(crate::sync::Resolution::Discard));
                let item = self
                    .account(&c.account)
                    .and_then(|a| a.agenda.iter().find(|i| i.occurrence.uid == c.uid));
                match item.cloned() {
                    Some(item) => self.edit_event(item),
                    None => Task::none(),
                }
            }
        }
    }
}
