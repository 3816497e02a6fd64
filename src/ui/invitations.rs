//! The invitation list (all accounts, pending first) and the detail pane.

use std::collections::BTreeSet;
use std::ops::Range;

use iced::widget::operation::{self, AbsoluteOffset};
use iced::widget::text::Wrapping;
use iced::widget::{
    Space, button, checkbox, column, container, radio, row, rule, scrollable, text, text_input,
};
use iced::{Color, Element, Fill, FillPortion, Font, Task};
use url::Url;

use super::{AccountState, Key, Scope, format, links, listing, listings, style};
use crate::ical::conflicts::Conflict;
use crate::ical::seen::SinceSeen;
use crate::ical::{Answer, Invitation};
use crate::sync::{Control, Listing, ReplyState, TOO_OFTEN};

#[derive(Debug, Clone)]
pub enum Message {
    Select(Key),
    /// Open the merge dialog for an answer in conflict.
    Review(Key),
    Answer(Key, Answer),
    /// Take a cancelled invitation out of the calendar (no decline sent).
    Remove(Key),
    /// Answer the selected invitation (the A/T/D keys).
    AnswerSelected(Answer),
    CommentChanged(String),
    /// "Don't send my answer to the organizer" ticked or not.
    SilentChanged(bool),
    /// "Delegate…" opens the address field (true) or closes it.
    DelegateOpen(bool),
    DelegateTyped(String),
    /// Delegate the invitation to the address typed.
    Delegate(Key),
    ScopeChanged(Scope),
    OpenLink(String),
    /// The list scrolled: its offset and the height in view.
    Scrolled(f32, f32),
}

/// Every row of the list is this tall (and `GAP` apart), so the list builds
/// only the rows in view, whatever the number of invitations.
const ROW: f32 = 124.0;
const GAP: f32 = 6.0;
const PITCH: f32 = ROW + GAP;
const LIST: &str = "invitation-list";
/// The delegate's address field.
const DELEGATE_TO: &str = "delegate-to";
/// Rows built beyond the view on either side, so a scroll shows no gap.
const SPARE: usize = 3;

/// What the app must act on.
#[derive(Debug, Clone)]
pub enum Event {
    /// Send this to the key's account; the answer is on its way if it took it.
    Reply(Key, Control),
    /// The person moved on from this invitation: what changed in it has
    /// been seen.
    Seen(Key),
    Review(Key),
    OpenLink(String),
}

/// The selection and the answer being written for it.
#[derive(Debug, Default)]
pub struct Page {
    pub selected: Option<Key>,
    pub comment: String,
    /// Answer without telling the organizer.
    pub silent: bool,
    /// While "Delegate…" is open: the address typed.
    pub delegate: Option<String>,
    pub scope: Scope,
    /// The list's scroll offset and the height in view (0 until the first
    /// scroll: a tall window's worth is built).
    offset: f32,
    height: f32,
}

impl Page {
    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Select(key) => {
                let left = self.selected.clone().filter(|s| *s != key);
                if left.is_some() {
                    self.comment.clear();
                    self.silent = false;
                    self.delegate = None;
                    self.scope = Scope::All;
                }
                self.selected = Some(key);
                // Its changes stay in view while it is selected.
                left.map(Event::Seen)
            }
            Message::Review(key) => Some(Event::Review(key)),
            Message::Answer(key, answer) => Some(self.reply(key, answer)),
            Message::Remove(key) => {
                let control = Control::RemoveCancelled { uid: key.uid.clone() };
                Some(Event::Reply(key, control))
            }
            Message::AnswerSelected(answer) => self.selected.clone().map(|key| self.reply(key, answer)),
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
            Message::Delegate(key) => self.delegation(key),
            Message::ScopeChanged(s) => {
                self.scope = s;
                None
            }
            Message::OpenLink(url) => Some(Event::OpenLink(url)),
            Message::Scrolled(offset, height) => {
                (self.offset, self.height) = (offset, height);
                None
            }
        };
        (Task::none(), event)
    }

    /// The comment, the occurrence and "don't send" go with the selected
    /// invitation only.
    fn reply(&self, key: Key, answer: Answer) -> Event {
        let selected = self.selected.as_ref() == Some(&key);
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
    fn delegation(&mut self, key: Key) -> Option<Event> {
        if self.selected.as_ref() != Some(&key) || delegation_blocked(self).is_some() {
            return None;
        }
        let to = crate::ical::delegation::delegate_address(self.delegate.as_deref()?).ok()?;
        let comment = Some(self.comment.trim().to_owned()).filter(|c| !c.is_empty());
        self.delegate = None;
        Some(Event::Reply(key.clone(), Control::Delegate { uid: key.uid, to, comment }))
    }

    /// Scrolls the list so the row at `index` is in view (the ↑/↓ keys).
    pub fn reveal(&mut self, index: usize) -> Task<Message> {
        let top = index as f32 * PITCH;
        let height = self.in_view();
        if top < self.offset {
            self.offset = top;
        } else if top + ROW > self.offset + height {
            self.offset = top + ROW - height;
        } else {
            return Task::none();
        }
        operation::scroll_to(LIST, AbsoluteOffset { x: 0.0, y: self.offset })
    }

    fn in_view(&self) -> f32 {
        if self.height > 0.0 { self.height } else { 1200.0 }
    }

    /// The rows to build of a list of `len`.
    fn window(&self, len: usize) -> Range<usize> {
        let first = ((self.offset / PITCH).floor().max(0.0) as usize).saturating_sub(SPARE).min(len);
        let count = (self.in_view() / PITCH).ceil() as usize + 2 * SPARE;
        first..(first + count).min(len)
    }

    /// `link` is the colour links are drawn in; conflicts in the `hidden`
    /// calendars are not shown.
    pub fn view<'a>(
        &'a self,
        accounts: &'a [AccountState],
        link: Color,
        hidden: &'a BTreeSet<Url>,
    ) -> Element<'a, Message> {
        view(self, accounts, link, hidden)
    }
}

fn view<'a>(
    page: &'a Page,
    accounts: &'a [AccountState],
    link: Color,
    hidden: &'a BTreeSet<Url>,
) -> Element<'a, Message> {
    let listings = listings(accounts);
    if accounts.is_empty() {
        return container(text("Add an account to see your invitations.")).padding(20).into();
    }
    // Spacers stand for the rows out of view.
    let shown = page.window(listings.len());
    let above = Space::new().height(shown.start as f32 * PITCH);
    let below = Space::new().height((listings.len() - shown.end) as f32 * PITCH);
    let rows = listings[shown.clone()]
        .iter()
        .map(|(account, l)| container(row_view(page, accounts, account, l, hidden)).height(PITCH).into());
    // Room for the scrollbar, which overlays content: not over the buttons.
    let rows =
        column![above].extend(rows).push(below).padding(iced::Padding { right: 16.0, ..iced::Padding::ZERO });
    let list = scrollable(rows)
        .id(LIST)
        .height(Fill)
        .on_scroll(|v| Message::Scrolled(v.absolute_offset().y, v.bounds().height));
    let list = container(list).width(FillPortion(3));
    let detail: Element<'_, Message> =
        match page.selected.as_ref().and_then(|k| listing(accounts, k).map(|l| (k, l))) {
            Some((key, l)) => detail(page, accounts, key, l, link, hidden),
            None if listings.is_empty() => {
                text("No invitations. New ones appear here when they arrive.").into()
            }
            None => text("Select an invitation (↑/↓) to see everything about it.").into(),
        };
    row![list, container(scrollable(detail).height(Fill)).width(FillPortion(2)).padding(8)]
        .spacing(12)
        .height(Fill)
        .into()
}

/// The conflicts in the calendars the person shows.
pub fn shown_conflicts<'a>(conflicts: &'a [Conflict], hidden: &BTreeSet<Url>) -> Vec<&'a Conflict> {
    conflicts.iter().filter(|c| !hidden.iter().any(|h| h.as_str() == c.calendar)).collect()
}

/// What the organizer changed since the person saw the invitation, a line
/// each; the answer a reschedule reset, said last.
pub fn changed_lines(s: &SinceSeen) -> Vec<String> {
    let mut lines: Vec<String> = s.changes.iter().map(super::format::change).collect();
    if let Some(was) = s.answer_reset.as_deref() {
        lines.push(format!(
            "Your answer ({}) was reset by the change: answer again",
            format::answer(Some(was))
        ));
    }
    lines
}

/// "Updated: Time, Place": what a row says of an updated invitation.
fn updated_words(s: &SinceSeen) -> String {
    let mut fields: Vec<&str> = s.changes.iter().map(|c| c.field.label()).collect();
    fields.dedup();
    let mut words =
        if fields.is_empty() { "Updated".to_owned() } else { format!("Updated: {}", fields.join(", ")) };
    if s.answer_reset.is_some() {
        words.push_str(" (answer reset)");
    }
    words
}

/// Where the person's answer stands, in words.
pub fn state(accounts: &[AccountState], account: &str, l: &Listing) -> String {
    let sending = accounts.iter().any(|a| a.account.name == account && a.sending.contains(&l.invitation.uid));
    if l.invitation.cancelled {
        let removing = if sending { " — removing…" } else { "" };
        return format!("Cancelled by the organizer{removing}");
    }
    match &l.reply {
        _ if sending => "Sending…".into(),
        ReplyState::Pending { reply, .. } => {
            format!("{} — waiting to be sent (offline)", format::answer(Some(reply.answer.partstat())))
        }
        ReplyState::Conflict { reply, .. } => {
            format!(
                "{} — the organizer changed the event: decide",
                format::answer(Some(reply.answer.partstat()))
            )
        }
        ReplyState::Failed { error, .. } => format!("Not sent: {error}"),
        ReplyState::None => match &l.invitation.role {
            crate::ical::Role::SeveralAddresses { .. } => "Invited under several of your addresses".into(),
            crate::ical::Role::NotListed => "You are not listed under a known address".into(),
            _ => format::answer(l.invitation.my_partstat.as_deref()).into(),
        },
    }
}

fn answer_buttons<'a>(key: &Key, ids: &str) -> Element<'a, Message> {
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

fn summary_line(inv: &Invitation) -> String {
    let mut parts = vec![format::time_range(inv)];
    // An all-day event's range already says how many days.
    let d = format::duration(inv);
    if !d.is_empty() && !inv.start.as_ref().is_some_and(|s| s.is_date()) {
        parts.push(d);
    }
    if let Some(loc) = &inv.location {
        parts.push(loc.clone());
    }
    if let Some(r) = &inv.recurrence {
        parts.push(format::recurrence(r));
    }
    parts.join(" · ")
}

fn row_view<'a>(
    page: &'a Page,
    accounts: &'a [AccountState],
    account: &'a str,
    l: &'a Listing,
    hidden: &'a BTreeSet<Url>,
) -> Element<'a, Message> {
    let inv = &l.invitation;
    let key = Key { account: account.to_owned(), uid: inv.uid.clone() };
    let organizer = inv.organizer.as_ref().map(|o| o.display()).unwrap_or_else(|| "(no organizer)".into());
    // Up to five lines of one line each whatever happens (`ROW`; the detail
    // pane has the rest): a series that repeats too often says so on its
    // state line; the fifth names what it conflicts with.
    let line = |t: String, size: f32| text(t).size(size).wrapping(Wrapping::None);
    let title = line(inv.summary.clone().unwrap_or_else(|| "(no title)".into()), 16.0)
        .font(Font { weight: iced::font::Weight::Bold, ..Font::DEFAULT });
    let mut state_words = state(accounts, account, l);
    if let Some(s) = &l.since_seen {
        state_words = format!("{} · {state_words}", updated_words(s));
    }
    let state_line = match (l.repeats_too_often, l.since_seen.is_some()) {
        (true, _) => line(format!("{state_words} · repeats {TOO_OFTEN}"), 13.0).style(style::changed),
        (false, true) => line(state_words, 13.0).style(style::changed),
        (false, false) => line(state_words, 13.0).style(style::muted),
    };
    let mut info =
        column![title, line(format!("from {organizer}"), 13.0), line(summary_line(inv), 13.0), state_line,]
            .spacing(2)
            .width(Fill);
    if let Some(c) = format::conflicts_line(&shown_conflicts(&l.conflicts, hidden), l.judged_day) {
        info = info.push(container(line(c, 13.0).style(style::changed)).id(format!("conflicts-{}", inv.uid)));
    }
    // Fixed height (`ROW`): the list builds only the rows in view.
    let info = container(info).height(Fill).clip(true).align_y(iced::Center);
    let selected = page.selected.as_ref() == Some(&key);
    let mut content = row![info].spacing(8).align_y(iced::Center);
    if matches!(inv.role, crate::ical::Role::Invited { .. }) {
        content = content.push(match inv.cancelled {
            true => remove_button(&key, "row-"),
            false => answer_buttons(&key, "row-"),
        });
    }
    let card = button(content)
        .on_press(Message::Select(key.clone()))
        .width(Fill)
        .height(ROW)
        .padding(10)
        .style(style::card(selected));
    container(card).id(format!("row-{}", inv.uid)).into()
}

/// Conflicts named in the details; the rest are counted.
const CONFLICTS_LISTED: usize = 5;

fn detail<'a>(
    page: &'a Page,
    accounts: &'a [AccountState],
    key: &'a Key,
    l: &'a Listing,
    link: Color,
    hidden: &'a BTreeSet<Url>,
) -> Element<'a, Message> {
    let inv = &l.invitation;
    let field = |label: &'a str, value: String| {
        row![text(label).width(110).style(style::muted), text(value).width(Fill)].spacing(8)
    };
    let mut col = column![
        text(inv.summary.clone().unwrap_or_else(|| "(no title)".into())).size(22),
        field("When", format::time_range(inv)),
        field("Duration", format::duration(inv)),
    ]
    .spacing(8);
    if let Some(s) = &l.since_seen {
        let list = column(changed_lines(s).into_iter().map(|c| text(c).style(style::changed).into()));
        col = col.push(
            container(
                row![text("Changed").width(110).style(style::muted), list.spacing(2).width(Fill)].spacing(8),
            )
            .id(format!("detail-changed-{}", inv.uid)),
        );
    }
    let conflicts = shown_conflicts(&l.conflicts, hidden);
    if !conflicts.is_empty() {
        let day = l.judged_day;
        // A crowded day lists the first few and counts the rest, so the
        // answer stays in reach.
        let mut list = column(
            conflicts
                .iter()
                .take(CONFLICTS_LISTED)
                .map(|c| text(format::conflict(c, day)).style(style::changed).into()),
        );
        if conflicts.len() > CONFLICTS_LISTED {
            let more = format!("and {} more", conflicts.len() - CONFLICTS_LISTED);
            list = list.push(text(more).style(style::changed));
        }
        let label = if inv.recurrence.is_some() { "Conflicts (next)" } else { "Conflicts" };
        col = col.push(
            container(
                row![text(label).width(110).style(style::muted), list.spacing(2).width(Fill)].spacing(8),
            )
            .id(format!("detail-conflicts-{}", inv.uid)),
        );
    }
    if let Some(loc) = &inv.location {
        col = col.push(field("Where", loc.clone()));
    }
    if let Some(r) = &inv.recurrence {
        col = col.push(field("Repeats", format::recurrence(r)));
    }
    if l.repeats_too_often {
        col = col.push(row![text("").width(110), too_often_note()].spacing(8));
    }
    if let Some(o) = &inv.organizer {
        col = col.push(field("Organizer", o.display()));
    }
    col = col.push(field("Calendar", format!("{} ({})", l.calendar_name, key.account)));
    col = col.push(field("Your answer", state(accounts, &key.account, l)));
    if let Some(to) = inv.my_delegate() {
        col = col.push(field("Delegated to", to.trim_start_matches("mailto:").to_owned()));
        if let Some(note) = delegation_note(accounts, key, to) {
            col = col.push(row![text("").width(110), text(note).style(style::changed)].spacing(8));
        }
    }
    if let Some(code) = inv.my_schedule_status() {
        col = col.push(field("Server", format!("your answer: {}", crate::ical::event::delivery(code))));
    }
    if matches!(l.reply, ReplyState::Conflict { .. }) {
        col = col.push(
            container(
                button(text("Review the organizer's changes"))
                    .on_press(Message::Review(key.clone()))
                    .style(button::primary),
            )
            .id(format!("review-{}", inv.uid)),
        );
    }
    // The answer under the facts that decide it, above the long lists
    // (attendees, description): in reach without scrolling.
    col = col.push(answer_form(page, accounts, key, l, "detail-"));
    col = col.push(rule::horizontal(1));
    col = col.push(text("Attendees").size(16));
    col = col.push(text(crate::ical::invitation::Counts::of(&inv.attendees).words()));
    let me = match &inv.role {
        crate::ical::Role::Invited { me } => Some(me.as_str()),
        _ => None,
    };
    for a in &inv.attendees {
        let who = if me == Some(a.address.as_str()) { format!("{} (you)", a.display()) } else { a.display() };
        col = col.push(
            row![text(who).width(Fill), text(format::attendee(a, false)).style(style::muted)].spacing(8),
        );
    }
    if let Some(d) = &inv.description {
        col = col.push(rule::horizontal(1));
        col = col.push(text("Description").size(16));
        col = col.push(links::rich(d, link, Message::OpenLink));
    }
    // Room for the scrollbar, which overlays content.
    col.padding(iced::Padding { right: 16.0, ..iced::Padding::ZERO }).into()
}

/// What the person must do after delegating to `to` on the key's account
/// (forward the invitation where the server won't invite them), if anything.
fn delegation_note(accounts: &[AccountState], key: &Key, to: &str) -> Option<String> {
    match capabilities(accounts, key) {
        Some(caps) => caps.delegation_note(to).map(|n| format!("{}.", format::capitalised(&n))),
        None => Some("The server has not been reached yet: whether it invites them is not known.".into()),
    }
}

fn capabilities<'a>(accounts: &'a [AccountState], key: &Key) -> Option<&'a crate::caldav::Capabilities> {
    accounts.iter().find(|a| a.account.name == key.account).and_then(|a| a.capabilities.as_deref())
}

/// Addresses in the invitations (organizers and attendees), without
/// `mailto:`, sorted: what addresses are completed from.
pub(super) fn known_addresses(accounts: &[AccountState]) -> Vec<String> {
    let mut all: Vec<String> = accounts
        .iter()
        .flat_map(|a| a.invitations.iter())
        .flat_map(|l| l.invitation.organizer.iter().chain(l.invitation.attendees.iter()))
        .map(|p| p.address.strip_prefix("mailto:").unwrap_or(&p.address).to_owned())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Why the answer form's other choices rule a delegation out, if they do.
fn delegation_blocked(page: &Page) -> Option<&'static str> {
    if page.silent {
        Some("A delegation always tells the organizer: untick \"Don't send\" to delegate.")
    } else if matches!(page.scope, Scope::Occurrence(_)) {
        Some("A delegation is for every occurrence: choose \"All occurrences\" to delegate.")
    } else {
        None
    }
}

/// "Delegate…" (widget id `{ids}delegate-{uid}`), and once pressed the
/// address (completed from known addresses not invited to this one), the
/// *Delegate* button (`{ids}delegate-send`), and what the server will do
/// with it: where it won't invite the delegate, the person is told to
/// forward the invitation.
fn delegate_form<'a>(
    page: &Page,
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
    if let Some(why) = page.selected.as_ref().filter(|s| *s == key).and_then(|_| delegation_blocked(page)) {
        let off = button(text("Delegate…")).style(button::secondary);
        return container(column![off, text(why).size(12).style(style::muted)].spacing(4))
            .id(format!("{ids}delegate-{}", key.uid))
            .into();
    }
    let typed = match (&page.delegate, page.selected.as_ref() == Some(key)) {
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
    let send = button(text("Delegate")).on_press_maybe(to.is_ok().then(|| Message::Delegate(key.clone())));
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
        None => {
            text("The server sends them the invitation and tells the organizer.").size(12).style(style::muted)
        }
    };
    container(col.push(note)).id(format!("{ids}delegate-form")).into()
}

/// "Remove from my calendar" for a cancelled invitation (widget id
/// `{ids}remove-{uid}`): its DELETE tells the server to send no decline.
fn remove_button<'a>(key: &Key, ids: &str) -> Element<'a, Message> {
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

/// "Don't send my answer to the organizer" (widget id `{ids}dont-send`):
/// offered where the server can honour it, else shown off with the reason.
fn dont_send<'a>(page: &Page, accounts: &[AccountState], key: &Key, ids: &str) -> Element<'a, Message> {
    let label = "Don't send my answer to the organizer";
    let id = format!("{ids}dont-send");
    match silent_possible(accounts, key) {
        Ok(()) => {
            container(checkbox(page.silent).label(label).on_toggle(Message::SilentChanged)).id(id).into()
        }
        Err(why) => {
            let note = text(format!("Not possible on this server: {why}.")).size(12).style(style::muted);
            container(column![checkbox(false).label(label), note].spacing(2)).id(id).into()
        }
    }
}

/// The answer form of an invitation the person can answer: a comment,
/// "don't send", the occurrence for a series, Accept / Tentative / Decline
/// (widget ids start with `ids`); for a cancelled one, only its removal.
/// Empty for one they can't.
pub fn answer_form<'a>(
    page: &'a Page,
    accounts: &[AccountState],
    key: &Key,
    l: &'a Listing,
    ids: &str,
) -> Element<'a, Message> {
    let inv = &l.invitation;
    if !matches!(inv.role, crate::ical::Role::Invited { .. }) {
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
        text_input("Comment for the organizer (optional)", &page.comment)
            .id("comment")
            .on_input(Message::CommentChanged),
    );
    col = col.push(dont_send(page, accounts, key, ids));
    if inv.recurrence.is_some() {
        let mut scopes = vec![("All occurrences".to_owned(), Scope::All)];
        for (rid, when) in l.occurrences.iter().take(6) {
            scopes.push((format!("Only {when}"), Scope::Occurrence(rid.clone())));
        }
        let selected = scopes.iter().position(|(_, s)| *s == page.scope);
        for (i, (label, scope)) in scopes.into_iter().enumerate() {
            col = col.push(radio(label, i, selected, move |_| Message::ScopeChanged(scope.clone())));
        }
    }
    col = col.push(answer_buttons(key, ids));
    col = col.push(delegate_form(page, accounts, key, l, ids));
    col = col.push(text("Keys: A accept · T tentative · D decline").size(12).style(style::muted));
    col.into()
}

/// Said wherever a series' occurrences are listed but not all could be.
pub(super) fn too_often_note<'a, M: 'a>() -> Element<'a, M> {
    text(format!("This event repeats {TOO_OFTEN}; only the first ones are listed."))
        .size(13)
        .style(style::changed)
        .into()
}
