//! Any event's details, over the calendar: the time in words (and in the
//! event's own zone), the place and description with links, the organizer
//! and attendees with their answers, the calendar, the repeat rule. An
//! invitation keeps its answer form, the invitation page's own.
//!
//! The views carry only what they draw; the rest is read from the account's
//! cache when the details open (`Control::Details`), so they show the
//! occurrence at once and fill in when the actor answers.

use std::collections::BTreeSet;

use iced::widget::{Space, button, column, container, row, rule, scrollable, text};
use iced::{Color, Element, Fill, Font, Length, Task};
use url::Url;

use super::{AccountState, Key, colour, format, invitations, links, listing, style};
use crate::ical::event::Person;
use crate::sync::{self, AgendaItem, Control};

#[derive(Debug, Clone)]
pub enum Message {
    Close,
    /// Open the editor on this event (the button, or Enter).
    Edit,
    OpenLink(String),
    /// The answer form's messages, for the invitation page to handle.
    Invitation(invitations::Message),
}

/// What the app must act on.
#[derive(Debug, Clone)]
pub enum Event {
    Close,
    Edit,
    OpenLink(String),
    Invitation(invitations::Message),
}

/// What the cache said about the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Asked; the actor has not answered yet.
    Waiting,
    Found(Box<sync::Details>),
    /// No longer cached (deleted on the server since the view was drawn).
    Gone,
}

#[derive(Debug, Clone)]
pub struct Details {
    /// The occurrence as the views show it.
    pub item: AgendaItem,
    pub loaded: Loaded,
}

impl Details {
    /// The details of `item`, and what to ask its account's actor for them.
    pub fn open(item: AgendaItem) -> (Self, Control) {
        let d = Details { item, loaded: Loaded::Waiting };
        let control = d.request();
        (d, control)
    }

    /// What to ask the account's actor for (again, after a sync).
    pub fn request(&self) -> Control {
        Control::Details {
            url: self.item.url.clone(),
            recurrence_id: self.item.occurrence.recurrence_id.clone(),
        }
    }

    /// The account's answer to `Control::Details`; others are not for us.
    pub fn loaded(&mut self, account: &str, url: &Url, details: Option<Box<sync::Details>>) {
        if account == self.item.account && *url == self.item.url {
            self.loaded = details.map_or(Loaded::Gone, Loaded::Found);
        }
    }

    /// The invitation, when the event is one (its answers go through the
    /// invitation page).
    pub fn key(&self) -> Key {
        Key { account: self.item.account.clone(), uid: self.item.occurrence.uid.clone() }
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        let event = match m {
            Message::Close => Event::Close,
            Message::Edit => Event::Edit,
            Message::OpenLink(url) => Event::OpenLink(url),
            Message::Invitation(m) => Event::Invitation(m),
        };
        (Task::none(), Some(event))
    }

    /// `page` holds the comment and scope of the answer being written;
    /// `link` is the colour links are drawn in.
    pub fn view<'a>(
        &'a self,
        accounts: &'a [AccountState],
        page: &'a invitations::Page,
        link: Color,
        hidden: &'a BTreeSet<Url>,
    ) -> Element<'a, Message> {
        view(self, accounts, page, link, hidden)
    }
}

fn view<'a>(
    d: &'a Details,
    accounts: &'a [AccountState],
    page: &'a invitations::Page,
    link: Color,
    hidden: &'a BTreeSet<Url>,
) -> Element<'a, Message> {
    let o = &d.item.occurrence;
    let found = match &d.loaded {
        Loaded::Found(f) => Some(f.as_ref()),
        _ => None,
    };
    let title =
        text(o.summary.clone()).size(22).font(Font { weight: iced::font::Weight::Bold, ..Font::DEFAULT });
    let close =
        container(button(text("Close")).on_press(Message::Close).style(style::tool)).id("details-close");
    let mut header = row![title.width(Fill)].spacing(12).align_y(iced::Center);
    // Someone else's meeting is theirs to change; the person answers it.
    if !d.item.invitation {
        let edit = button(text("Edit")).on_press(Message::Edit).style(button::secondary);
        header = header.push(container(edit).id("details-edit"));
    }
    let header = header.push(close);

    let mut col = column![].spacing(10);
    if o.cancelled {
        col = col.push(text("Cancelled by the organizer").style(style::changed));
    }
    let mut when = column![text(when_in_words(&d.item))].spacing(2);
    if let Some(other) = found.and_then(|f| own_zone(&d.item, f)) {
        when = when.push(text(other).size(13).style(style::muted));
    }
    col = col.push(field("When", when));
    if let Some(rule) = found.and_then(|f| f.event.recurrence.as_deref()) {
        let mut repeats = column![text(format::recurrence(rule))].spacing(2);
        if d.item.repeats_too_often {
            repeats = repeats.push(invitations::too_often_note());
        }
        col = col.push(field("Repeats", repeats));
    } else if d.item.repeats_too_often {
        col = col.push(field("Repeats", invitations::too_often_note()));
    }
    if let Some(place) = o.location.as_deref() {
        col = col.push(field("Where", links::rich(place, link, Message::OpenLink)));
    }
    col = col.push(field("Calendar", calendar(d, found)));
    match &d.loaded {
        Loaded::Waiting => col = col.push(text("Reading the rest from the calendar…").style(style::muted)),
        Loaded::Gone => {
            col = col.push(text("This event is no longer in the calendar.").style(style::changed));
        }
        Loaded::Found(f) => {
            col = schedule(col, d, f, hidden);
            col = people(col, &f.event);
        }
    }
    let key = d.key();
    if d.item.invitation
        && !o.cancelled
        && let Some(l) = listing(accounts, &key)
    {
        col = col.push(rule::horizontal(1));
        col = col.push(field("Your answer", text(invitations::state(accounts, &key.account, l))));
        if matches!(l.reply, sync::ReplyState::Conflict { .. }) {
            let review = button(text("Review the organizer's changes"))
                .on_press(invitations::Message::Review(key.clone()))
                .style(button::primary);
            let review: Element<'a, invitations::Message> = container(review).id("details-review").into();
            col = col.push(review.map(Message::Invitation));
        }
        col =
            col.push(invitations::answer_form(page, accounts, &key, l, "details-").map(Message::Invitation));
    }
    // The description last: however long, the answer is above it, in sight.
    if let Some(description) =
        found.and_then(|f| f.event.description.as_deref()).filter(|d| !d.trim().is_empty())
    {
        col = col.push(rule::horizontal(1));
        col =
            col.push(container(links::rich(description, link, Message::OpenLink)).id("details-description"));
    }
    // Room for the scrollbar, which overlays content.
    let body =
        scrollable(col.padding(iced::Padding { right: 16.0, ..iced::Padding::ZERO })).id("details-body");
    column![header, body.height(Length::Shrink)].spacing(14).into()
}

fn field<'a>(label: &'a str, value: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    row![text(label).width(100).style(style::muted), container(value).width(Fill)].spacing(8).into()
}

/// The occurrence's time in the person's zone.
fn when_in_words(item: &AgendaItem) -> String {
    let o = &item.occurrence;
    if o.all_day {
        format::days_in_words(o.start.date_naive(), o.end.date_naive())
    } else {
        format::times_in_words(&o.start, &o.end)
    }
}

/// The same time on the event's own clock, when it keeps another one.
fn own_zone(item: &AgendaItem, found: &sync::Details) -> Option<String> {
    let o = &item.occurrence;
    let tzid = found.event.start.as_ref()?.tzid.as_deref()?;
    if o.all_day {
        return None;
    }
    format::in_own_zone(&o.start, &o.end, tzid)
}

/// The calendar's name in its colour (the one the views draw it in).
fn calendar<'a>(d: &'a Details, found: Option<&'a sync::Details>) -> Element<'a, Message> {
    let name = found.map_or(d.item.calendar_name.as_str(), |f| f.calendar_name.as_str());
    let label = text(format!("{name} ({})", d.item.account));
    let colour = colour::of(&d.item.calendar, found.and_then(|f| f.calendar_color.as_deref()));
    let swatch = container(Space::new().width(12).height(12)).style(move |_| container::Style {
        background: Some(colour.into()),
        border: iced::Border { radius: 6.0.into(), ..iced::Border::default() },
        ..container::Style::default()
    });
    row![swatch, label].spacing(6).align_y(iced::Center).into()
}

/// An invitation's conflicts and the person's day around it (what is in
/// the calendars they hide left out).
fn schedule<'a>(
    mut col: iced::widget::Column<'a, Message>,
    d: &'a Details,
    found: &'a sync::Details,
    hidden: &'a BTreeSet<Url>,
) -> iced::widget::Column<'a, Message> {
    let o = &d.item.occurrence;
    if let Some(s) = &found.since_seen {
        let list =
            column(invitations::changed_lines(s).into_iter().map(|c| text(c).style(style::changed).into()));
        col = col.push(container(field("Changed", list.spacing(2))).id("details-changed"));
    }
    let conflicts = invitations::shown_conflicts(&found.conflicts, hidden);
    if !conflicts.is_empty() {
        let day = Some(o.start.date_naive());
        let list =
            column(conflicts.iter().map(|c| text(format::conflict(c, day)).style(style::changed).into()))
                .spacing(2);
        col = col.push(container(field("Conflicts", list)).id("details-conflicts"));
    }
    let shown = |i: &&AgendaItem| !hidden.contains(&i.calendar);
    if found.day.iter().filter(shown).count() > 1 {
        let clashing = |x: &crate::ical::occurrence::Occurrence| conflicts.iter().any(|c| c.uid == x.uid);
        let entry = |i: &'a AgendaItem| -> Element<'a, Message> {
            let x = &i.occurrence;
            let time = if x.all_day {
                "all day".to_owned()
            } else {
                format!("{}–{}", x.start.format("%H:%M"), x.end.format("%H:%M"))
            };
            let line = text(format!("{time}  {}", x.summary));
            if x.uid == o.uid {
                line.font(Font { weight: iced::font::Weight::Bold, ..Font::DEFAULT }).into()
            } else if clashing(x) {
                line.style(style::changed).into()
            } else {
                line.style(style::muted).into()
            }
        };
        let day = column(found.day.iter().filter(shown).map(entry)).spacing(2);
        col = col.push(container(field("That day", day)).id("details-day"));
    }
    col
}

fn people<'a>(
    mut col: iced::widget::Column<'a, Message>,
    event: &'a crate::ical::Invitation,
) -> iced::widget::Column<'a, Message> {
    if let Some(o) = &event.organizer {
        col = col.push(field("Organizer", text(o.display())));
    }
    if !event.attendees.is_empty() {
        let me = match &event.role {
            crate::ical::Role::Invited { me } => Some(me.as_str()),
            crate::ical::Role::Organizer => event.organizer.as_ref().map(|o| o.address.as_str()),
            _ => None,
        };
        let organizer = matches!(event.role, crate::ical::Role::Organizer);
        let counts = crate::ical::invitation::Counts::of(&event.attendees).words();
        let list = column![text(counts)]
            .extend(event.attendees.iter().map(|a| attendee(a, me == Some(a.address.as_str()), organizer)))
            .spacing(4);
        col = col.push(field("Attendees", list));
    }
    col
}

/// "Ann <ann@example.com> (you)   Accepted · optional"; the organizer also
/// sees what the server did with each invitation ("· delivered").
fn attendee(a: &Person, me: bool, organizer: bool) -> Element<'_, Message> {
    let who = if me { format!("{} (you)", a.display()) } else { a.display() };
    let answer = format::attendee(a, organizer && !me);
    row![text(who).width(Fill), text(answer).style(style::muted)].spacing(8).into()
}
