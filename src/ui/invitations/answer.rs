//! The answer form of an invitation (the invitation page's detail pane and
//! an event's details): the comment, "don't send", the occurrence,
//! Accept / Tentative / Decline, "Delegate…", and a cancelled one's removal.
//! It owns what the person is writing; the page tells it which invitation
//! is selected (only that one takes the comment, the occurrence…).

use iced::widget::operation;
use iced::widget::{button, checkbox, column, container, radio, row, rule, text, text_input};
use iced::{Element, Task};

use super::super::{AccountState, Key, Scope, format, style};
use super::{capabilities, delegation_note, known_addresses};
use crate::ical::{Answer, Role};
use crate::sync::{Control, Listing};

#[derive(Debug, Clone)]
pub enum Message {
    Answer(Key, Answer),
    /// Take a cancelled invitation out of the calendar (no decline sent).
    Remove(Key),
    CommentChanged(String),
    /// "Don't send my answer to the organizer" ticked or not.
    SilentChanged(bool),
    /// "Delegate…" opens the address field (true) or closes it.
    DelegateOpen(bool),
    DelegateTyped(String),
    /// Delegate the invitation to the address typed.
    Delegate(Key),
    ScopeChanged(Scope),
}

/// What the page must act on.
#[derive(Debug, Clone)]
pub enum Event {
    /// Send this to the key's account.
    Reply(Key, Control),
}

/// The delegate's address field.
const DELEGATE_TO: &str = "delegate-to";

/// The answer being written for the selected invitation.
#[derive(Debug, Default)]
pub struct Form {
    pub comment: String,
    /// Answer without telling the organizer.
    pub silent: bool,
    /// While "Delegate…" is open: the address typed.
    pub delegate: Option<String>,
    pub scope: Scope,
}

impl Form {
    /// `selected`: the invitation the form is being written for.
    pub fn update(&mut self, m: Message, selected: Option<&Key>) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Answer(key, answer) => Some(self.reply(key, answer, selected)),
            Message::Remove(key) => {
                let control = Control::RemoveCancelled { uid: key.uid.clone() };
                Some(Event::Reply(key, control))
            }
            Message::CommentChanged(c) => {
                self.comment = c;
                None
            }
            Message::SilentChanged(on) => {
                self.silent = on;
                None
            }
            Message::DelegateOpen(open) => {
                self.delegate = open.then(String::new);
                let focus = if open { operation::focus(DELEGATE_TO) } else { Task::none() };
                return (focus, None);
            }
            Message::DelegateTyped(to) => {
                self.delegate = Some(to);
                None
            }
            Message::Delegate(key) => self.delegation(key, selected),
            Message::ScopeChanged(s) => {
                self.scope = s;
                None
            }
        };
        (Task::none(), event)
    }

    /// The comment, the occurrence and "don't send" go with the selected
    /// invitation only.
    fn reply(&self, key: Key, answer: Answer, selected: Option<&Key>) -> Event {
        let selected = selected == Some(&key);
        let comment = selected.then(|| self.comment.trim().to_owned()).filter(|c| !c.is_empty());
        let occurrence = match (&self.scope, selected) {
            (Scope::Occurrence(rid), true) => Some(rid.clone()),
            _ => None,
        };
        let silent = selected && self.silent;
        let control =
            Control::Reply { uid: key.uid.clone(), answer, comment, occurrence, as_address: None, silent };
        Event::Reply(key, control)
    }

    /// The delegation to the address typed, with the comment; nothing
    /// while the address is not one (the button is off then).
    fn delegation(&mut self, key: Key, selected: Option<&Key>) -> Option<Event> {
        if selected != Some(&key) || self.delegation_blocked().is_some() {
            return None;
        }
        let to = crate::ical::delegation::delegate_address(self.delegate.as_deref()?).ok()?;
        let comment = Some(self.comment.trim().to_owned()).filter(|c| !c.is_empty());
        self.delegate = None;
        Some(Event::Reply(key.clone(), Control::Delegate { uid: key.uid, to, comment }))
    }

    /// Why the form's other choices rule a delegation out, if they do.
    fn delegation_blocked(&self) -> Option<&'static str> {
        if self.silent {
            Some("A delegation always tells the organizer: untick \"Don't send\" to delegate.")
        } else if matches!(self.scope, Scope::Occurrence(_)) {
            Some("A delegation is for every occurrence: choose \"All occurrences\" to delegate.")
        } else {
            None
        }
    }

    /// The answer form of an invitation the person can answer: a comment,
    /// "don't send", the occurrence for a series, Accept / Tentative /
    /// Decline (widget ids start with `ids`); for a cancelled one, only its
    /// removal. Empty for one they can't.
    pub fn view<'a>(
        &'a self,
        selected: Option<&Key>,
        accounts: &[AccountState],
        key: &Key,
        l: &'a Listing,
        ids: &str,
    ) -> Element<'a, Message> {
        let inv = &l.invitation;
        if !matches!(inv.role, Role::Invited { .. }) {
            return column![].into();
        }
        if inv.cancelled {
            let note = text("The organizer cancelled it. Removing it sends the organizer nothing.")
                .size(13)
                .style(style::muted);
            return column![rule::horizontal(1), note, remove_button(key, ids)].spacing(8).into();
        }
        let mut col = column![rule::horizontal(1)].spacing(8);
        col = col.push(
            text_input("Comment for the organizer (optional)", &self.comment)
                .id("comment")
                .on_input(Message::CommentChanged),
        );
        col = col.push(self.dont_send(accounts, key, ids));
        if inv.recurrence.is_some() {
            let mut scopes = vec![("All occurrences".to_owned(), Scope::All)];
            for (rid, when) in l.occurrences.iter().take(6) {
                scopes.push((format!("Only {when}"), Scope::Occurrence(rid.clone())));
            }
            let selected = scopes.iter().position(|(_, s)| *s == self.scope);
            for (i, (label, scope)) in scopes.into_iter().enumerate() {
                col = col.push(radio(label, i, selected, move |_| Message::ScopeChanged(scope.clone())));
            }
        }
        col = col.push(answer_buttons(key, ids));
        col = col.push(self.delegate_form(selected, accounts, key, l, ids));
        col = col.push(text("Keys: A accept · T tentative · D decline").size(12).style(style::muted));
        col.into()
    }

    /// "Delegate…" (widget id `{ids}delegate-{uid}`), and once pressed the
    /// address (completed from known addresses not invited to this one),
    /// the *Delegate* button (`{ids}delegate-send`), and what the server
    /// will do with it: where it won't invite the delegate, the person is
    /// told to forward the invitation.
    fn delegate_form<'a>(
        &self,
        selected: Option<&Key>,
        accounts: &[AccountState],
        key: &Key,
        l: &Listing,
        ids: &str,
    ) -> Element<'a, Message> {
        // A server that won't take another delegate: said instead (measured).
        if let Some(was) = l.invitation.my_delegate()
            && let Some(why) = capabilities(accounts, key).and_then(|c| c.delegation_change_refused())
        {
            let was = was.trim_start_matches("mailto:");
            let note = format!(
                "Delegated to {was}. {}: ask the organizer to invite someone else.",
                format::capitalised(&why)
            );
            return container(text(note).size(12).style(style::muted))
                .id(format!("{ids}delegate-{}", key.uid))
                .into();
        }
        // A delegation always tells the organizer and covers the series: not
        // offered beside "Don't send" or one occurrence chosen, saying why.
        if let Some(why) = selected.filter(|s| *s == key).and_then(|_| self.delegation_blocked()) {
            let off = button(text("Delegate…")).style(button::secondary);
            return container(column![off, text(why).size(12).style(style::muted)].spacing(4))
                .id(format!("{ids}delegate-{}", key.uid))
                .into();
        }
        let typed = match (&self.delegate, selected == Some(key)) {
            (Some(typed), true) => typed.clone(),
            _ => {
                let open =
                    button(text("Delegate…")).on_press(Message::DelegateOpen(true)).style(button::secondary);
                return container(open).id(format!("{ids}delegate-{}", key.uid)).into();
            }
        };
        let to = crate::ical::delegation::delegate_address(&typed);
        let field = text_input("Who goes instead (e-mail address)", &typed)
            .id(DELEGATE_TO)
            .on_input(Message::DelegateTyped)
            .on_submit(Message::Delegate(key.clone()));
        let invited: Vec<&str> = l
            .invitation
            .attendees
            .iter()
            .map(|a| a.address.strip_prefix("mailto:").unwrap_or(&a.address))
            .collect();
        let wanted = typed.trim().to_lowercase();
        let suggestions = column(
            known_addresses(accounts)
                .into_iter()
                .filter(|a| !wanted.is_empty() && a.to_lowercase().contains(&wanted) && *a != typed.trim())
                .filter(|a| !invited.iter().any(|i| i.eq_ignore_ascii_case(a)))
                .take(4)
                .map(|a| {
                    button(text(a.clone()).size(12))
                        .on_press(Message::DelegateTyped(a))
                        .style(button::text)
                        .into()
                }),
        );
        let send =
            button(text("Delegate")).on_press_maybe(to.is_ok().then(|| Message::Delegate(key.clone())));
        let cancel = button(text("Cancel")).on_press(Message::DelegateOpen(false)).style(button::secondary);
        let buttons =
            row![container(send.style(button::primary)).id(format!("{ids}delegate-send")), cancel].spacing(6);
        let mut col =
            column![text("Delegate: someone goes instead of you").size(13), field, suggestions, buttons]
                .spacing(4);
        // Named once they type an address, not while they look for a name.
        if let (Err(problem), true) = (&to, typed.contains('@')) {
            col = col.push(text(format!("{problem}.")).size(12).style(style::changed));
        }
        let who = to.as_deref().unwrap_or("them");
        let note = match delegation_note(accounts, key, who) {
            Some(note) => text(note).size(12).style(style::changed),
            None => text("The server sends them the invitation and tells the organizer.")
                .size(12)
                .style(style::muted),
        };
        container(col.push(note)).id(format!("{ids}delegate-form")).into()
    }

    /// "Don't send my answer to the organizer" (widget id `{ids}dont-send`):
    /// offered where the server can honour it, else shown off with the reason.
    fn dont_send<'a>(&self, accounts: &[AccountState], key: &Key, ids: &str) -> Element<'a, Message> {
        let label = "Don't send my answer to the organizer";
        let id = format!("{ids}dont-send");
        match silent_possible(accounts, key) {
            Ok(()) => {
                container(checkbox(self.silent).label(label).on_toggle(Message::SilentChanged)).id(id).into()
            }
            Err(why) => {
                let note = text(format!("Not possible on this server: {why}.")).size(12).style(style::muted);
                container(column![checkbox(false).label(label), note].spacing(2)).id(id).into()
            }
        }
    }
}

/// Accept / Tentative / Decline (widget ids `{ids}accept-{uid}`…), on a
/// row of the list and in the form.
pub(super) fn answer_buttons<'a>(key: &Key, ids: &str) -> Element<'a, Message> {
    let b = |label: &'a str, answer: Answer, name: &str| {
        container(button(text(label)).on_press(Message::Answer(key.clone(), answer)).style(match answer {
            Answer::Accept => button::success,
            Answer::Tentative => button::secondary,
            Answer::Decline => button::danger,
            Answer::Delegate => button::secondary,
        }))
        .id(format!("{ids}{name}-{}", key.uid))
    };
    row![
        b("Accept", Answer::Accept, "accept"),
        b("Tentative", Answer::Tentative, "tentative"),
        b("Decline", Answer::Decline, "decline")
    ]
    .spacing(6)
    .into()
}

/// "Remove from my calendar" for a cancelled invitation (widget id
/// `{ids}remove-{uid}`): its DELETE tells the server to send no decline.
pub(super) fn remove_button<'a>(key: &Key, ids: &str) -> Element<'a, Message> {
    let b = button(text("Remove from my calendar")).on_press(Message::Remove(key.clone()));
    container(b.style(button::secondary)).id(format!("{ids}remove-{}", key.uid)).into()
}

/// Whether the key's account can keep an answer from the organizer, or why not.
fn silent_possible(accounts: &[AccountState], key: &Key) -> Result<(), String> {
    match capabilities(accounts, key) {
        Some(caps) => caps.silent_reply().map(drop),
        None => Err("the server has not been reached yet".into()),
    }
}
