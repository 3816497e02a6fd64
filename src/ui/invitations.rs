//! The invitation list (all accounts, pending first) and the detail pane.

use std::collections::BTreeSet;
use std::ops::Range;

use iced::widget::operation::{self, AbsoluteOffset};
use iced::widget::text::Wrapping;
use iced::widget::{Space, button, column, container, row, rule, scrollable, text};
use iced::{Color, Element, Fill, FillPortion, Font, Task};
use url::Url;

pub mod answer;

use super::{AccountState, Key, format, links, listing, listings, style};
use crate::ical::conflicts::Conflict;
use crate::ical::seen::SinceSeen;
use crate::ical::{Answer, Invitation};
use crate::sync::{Control, Listing, ReplyState, TOO_OFTEN};

#[derive(Debug, Clone)]
pub enum Message {
    Select(Key),
    /// Open the merge dialog for an answer in conflict.
    Review(Key),
    /// Answer the selected invitation (the A/T/D keys).
    AnswerSelected(Answer),
    /// The answer form's (and a row's answer buttons').
    Form(answer::Message),
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
    pub form: answer::Form,
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
                    self.form = answer::Form::default();
                }
                self.selected = Some(key);
                // Its changes stay in view while it is selected.
                left.map(Event::Seen)
            }
            Message::Review(key) => Some(Event::Review(key)),
            Message::AnswerSelected(answer) => {
                let Some(key) = self.selected.clone() else { return (Task::none(), None) };
                return self.update(Message::Form(answer::Message::Answer(key, answer)));
            }
            Message::Form(m) => {
                let (task, event) = self.form.update(m, self.selected.as_ref());
                let event = event.map(|answer::Event::Reply(key, control)| Event::Reply(key, control));
                return (task.map(Message::Form), event);
            }
            Message::OpenLink(url) => Some(Event::OpenLink(url)),
            Message::Scrolled(offset, height) => {
                (self.offset, self.height) = (offset, height);
                None
            }
        };
        (Task::none(), event)
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
        let buttons = match inv.cancelled {
            true => answer::remove_button(&key, "row-"),
            false => answer::answer_buttons(&key, "row-"),
        };
        content = content.push(buttons.map(Message::Form));
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

/// The answer form of the invitation `key` (see [`answer::Form::view`]),
/// as the detail pane and an event's details show it.
pub fn answer_form<'a>(
    page: &'a Page,
    accounts: &[AccountState],
    key: &Key,
    l: &'a Listing,
    ids: &str,
) -> Element<'a, Message> {
    page.form.view(page.selected.as_ref(), accounts, key, l, ids).map(Message::Form)
}

/// Said wherever a series' occurrences are listed but not all could be.
pub(super) fn too_often_note<'a, M: 'a>() -> Element<'a, M> {
    text(format!("This event repeats {TOO_OFTEN}; only the first ones are listed."))
        .size(13)
        .style(style::changed)
        .into()
}
