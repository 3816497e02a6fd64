//! What the account actors report, folded into the app's state: passwords
//! loaded, the actor's sender, updates, new invitations to announce, and
//! conflicts to put in front of the person.

use iced::Task;

use super::{App, Key, Message, Status, connection, format, import};
use crate::caldav::Password;
use crate::ical::invitation::Invitation;
use crate::notices::{In, WaitingInvitation};
use crate::sync::{Listing, ReplyState, Update};

impl App {
    pub(super) fn passwords_loaded(&mut self, list: Vec<(String, Result<Password, String>)>) {
        for (name, result) in list {
            match result {
                Ok(p) => {
                    if let Some(a) = self.account_mut(&name) {
                        a.password = Some(p);
                    }
                }
                Err(e) => self.banner(format!("{name}: {e}")),
            }
        }
    }

    pub(super) fn account_event(&mut self, name: &str, event: connection::Event) -> Task<Message> {
        let Some(a) = self.account_mut(name) else { return Task::none() };
        match event {
            connection::Event::Connected(tx) => a.control = Some(tx),
            connection::Event::Update(Update::InvitationsChanged(list)) => {
                return self.invitations_changed(name, list);
            }
            connection::Event::Update(Update::Mailed { file, uid, result }) => {
                return self.mailed_done(name, file, uid, result);
            }
            connection::Event::Update(Update::Agenda(items)) => {
                self.actor_update(name, Update::Agenda(items));
                // Mailed files opened before the accounts said what they hold.
                return self.open_waiting_mail();
            }
            connection::Event::Update(u) => self.actor_update(name, u),
        }
        Task::none()
    }

    /// New pending invitations (not the ones already there at start) are
    /// announced with a desktop notification.
    fn invitations_changed(&mut self, name: &str, list: Vec<Listing>) -> Task<Message> {
        let first_time = self.listed.insert(name.to_owned());
        let mut fresh = Vec::new();
        for l in list.iter().filter(|l| l.invitation.is_pending()) {
            let key = Key { account: name.to_owned(), uid: l.invitation.uid.clone() };
            if self.known.insert(key) && !first_time {
                fresh.push(l.invitation.clone());
            }
        }
        if let Some(a) = self.account_mut(name) {
            a.invitations = list;
        }
        self.open_waiting_conflict();
        for inv in fresh {
            self.tell_notices(In::Invitation {
                account: name.to_owned(),
                uid: inv.uid.clone(),
                summary: inv.summary.clone().unwrap_or_default(),
                body: notice_body(&inv),
            });
        }
        self.tell_waiting(name);
        Task::none()
    }

    /// The account's invitations waiting for an answer, for the service to
    /// announce again before they start (after any new one's own notice).
    fn tell_waiting(&mut self, name: &str) {
        let Some(a) = self.account(name) else { return };
        let invitations = a
            .invitations
            .iter()
            .filter_map(|l| WaitingInvitation::of(l, || notice_body(&l.invitation)))
            .collect();
        self.tell_notices(In::Waiting { account: name.to_owned(), invitations });
    }

    fn actor_update(&mut self, name: &str, update: Update) {
        let Some(a) = self.account_mut(name) else { return };
        match update {
            Update::Ready { capabilities, invitations, .. } => {
                a.capabilities = capabilities;
                self.listed.insert(name.to_owned());
                for l in invitations.iter().filter(|l| l.invitation.is_pending()) {
                    self.known.insert(Key { account: name.to_owned(), uid: l.invitation.uid.clone() });
                }
                if let Some(a) = self.account_mut(name) {
                    a.invitations = invitations;
                }
                self.tell_waiting(name);
                self.open_waiting_conflict();
            }
            Update::Syncing => {
                a.status = Status::Syncing;
                a.progress = None;
            }
            Update::SyncProgress(p) => a.progress = Some(p),
            Update::Synced { at, .. } => {
                a.status = Status::Synced(at);
                a.progress = None;
            }
            Update::InvitationsChanged(list) => a.invitations = list,
            Update::People(people) => a.people = people,
            Update::Agenda(items) => {
                a.agenda = items;
                self.calendar.moves.agenda_arrived(name);
                // A sync may have changed the open event: read it again.
                if let Some(d) = self.details.as_ref().filter(|d| d.item.account == name)
                    && let Some(tx) = self.account(name).and_then(|a| a.control.as_ref())
                {
                    let _ = tx.try_send(d.request());
                }
            }
            Update::Details { url, details } => {
                if let Some(d) = self.details.as_mut() {
                    d.loaded(name, &url, details);
                }
            }
            Update::Sending { uid } => {
                a.sending.insert(uid);
            }
            Update::Replied { uid } => {
                a.sending.remove(&uid);
            }
            Update::ReplyPending { uid, .. } => {
                a.sending.remove(&uid);
                self.tell_notices(In::ReplyQueued { account: name.to_owned(), uid });
            }
            Update::Reminders { objects, accepted, acks } => {
                self.tell_notices(In::Events { account: name.to_owned(), objects, accepted, acks });
            }
            Update::Conflict { uid, diff } => {
                a.sending.remove(&uid);
                let key = Key { account: name.to_owned(), uid };
                if self.merge.is_none() {
                    self.open_merge(key, diff);
                }
            }
            Update::ReplyFailed { uid, error } => {
                a.sending.remove(&uid);
                self.banner(format!("Your answer could not be sent: {error}"));
            }
            Update::Calendars { calendars, addresses, capabilities } => {
                a.calendars = calendars;
                a.addresses = addresses;
                if capabilities.is_some() {
                    a.capabilities = capabilities;
                }
                self.with_wizard(|w, accounts| w.default_target(accounts));
            }
            Update::TargetUids { calendar, uids } => {
                self.with_wizard(|w, accounts| {
                    w.target_uids(name, &calendar, uids, accounts);
                    None
                });
            }
            Update::ImportProgress(p) => {
                if let Some(w) = self.import.as_mut() {
                    w.progress(p);
                }
            }
            Update::ImportFinished(outcome) => {
                match (self.import.as_mut(), outcome.map_err(|failure| failure.to_string())) {
                    (Some(w), outcome) => {
                        if let Some(event) = w.finished(name, outcome, &self.accounts) {
                            self.import_event(event);
                        }
                    }
                    (None, outcome) => self.banner(import::finished_banner(&outcome)),
                }
            }
            Update::EditorDraft { url, draft, organizer } => {
                self.editor_draft(name, &url, draft.map(|d| *d), organizer);
            }
            Update::Removed { uid } => {
                a.sending.remove(&uid);
            }
            Update::RemoveFailed { uid, error } => {
                a.sending.remove(&uid);
                self.banner(format!("The cancelled invitation was not removed: {error}"));
            }
            Update::EventSaved { uid } => self.calendar.moves.saved(name, &uid),
            Update::EventQueued { .. } => {}
            Update::FreeBusy { from, answer } => {
                self.free_busy_answered(from, answer.map_err(|e| e.to_string()));
            }
            Update::EventConflict { uid, clashes } => self.event_conflict(name, uid, clashes),
            Update::EventFailed { uid, error } => {
                self.event_written(name, &uid, Some(format!("The event could not be saved: {error}")));
            }
            Update::Offline { reason } => a.status = Status::Offline(reason.to_string()),
            Update::Online => a.status = Status::Syncing,
            Update::Error { message } => self.banner(message.to_string()),
            Update::Mailed { .. } => {}
            Update::Stopped => {
                a.control = None;
                a.status = Status::Stopped;
                if let Some(w) = self.import.as_mut() {
                    w.account_stopped(name);
                }
            }
        }
    }

    /// A conflict found in the list (e.g. left from an earlier session)
    /// opens the dialog, unless the person postponed it.
    pub(super) fn open_waiting_conflict(&mut self) {
        if self.merge.is_some() {
            return;
        }
        let waiting = self.listings().into_iter().find_map(|(account, l)| match &l.reply {
            ReplyState::Conflict { diff, .. } => {
                let key = Key { account: account.to_owned(), uid: l.invitation.uid.clone() };
                (!self.postponed.contains(&key)).then(|| (key, diff.clone()))
            }
            _ => None,
        });
        if let Some((key, diff)) = waiting {
            self.open_merge(key, diff);
        }
    }
}

/// "Tue 4 Jun 10:00 — from Olga": an invitation's notification body.
fn notice_body(inv: &Invitation) -> String {
    let from = inv.organizer.as_ref().map(|o| o.display()).unwrap_or_default();
    format!("{} — from {from}", format::time_range(inv))
}
