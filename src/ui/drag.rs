//! The pointer on the hour grid: which slot it is over, what it holds (a
//! sweep over empty grid, an event's body or its bottom edge, a bar of
//! the all-day row), and what letting go means: a new event, a move, a
//! new length, or a click. The arithmetic is `layout::drag`'s; this only
//! keeps the state between the mouse's messages.

use chrono::{Duration, Local, NaiveDate, NaiveDateTime};

use crate::layout::drag::{self, Gesture};
use crate::sync::AgendaItem;

/// What the pointer went down on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Empty,
    Body(Box<AgendaItem>),
    Bottom(Box<AgendaItem>),
    /// An all-day event's bar: it moves by whole days.
    AllDay(Box<AgendaItem>),
}

/// What letting go did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Create {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    /// The event's start and end moved by these amounts.
    Move {
        item: Box<AgendaItem>,
        start: Duration,
        end: Duration,
    },
    Click(Box<AgendaItem>),
}

#[derive(Debug, Clone, Default)]
pub struct Drag {
    /// The slot under the pointer (its start), as the grid last reported.
    pointer: Option<NaiveDateTime>,
    held: Option<Held>,
}

#[derive(Debug, Clone)]
struct Held {
    target: Target,
    from: NaiveDateTime,
    to: NaiveDateTime,
}

impl Drag {
    /// The pointer is `y` pixels down the column of `day` (`hour` pixels an hour).
    pub fn pointer(&mut self, day: NaiveDate, y: f32, hour: f32) {
        self.point_at(drag::at(day, drag::minute_at(y, hour)));
    }

    /// The pointer is over `day` in the all-day row.
    pub fn over_day(&mut self, day: NaiveDate) {
        self.point_at(drag::at(day, 0));
    }

    fn point_at(&mut self, at: NaiveDateTime) {
        self.pointer = Some(at);
        if let Some(h) = &mut self.held {
            // An all-day event follows the day under the pointer, wherever
            // on it the pointer is.
            h.to = if matches!(h.target, Target::AllDay(_)) { drag::at(at.date(), 0) } else { at };
        }
    }

    pub fn press(&mut self, target: Target) {
        let at = match (&target, self.pointer) {
            (Target::AllDay(_), Some(p)) => drag::at(p.date(), 0),
            (_, Some(p)) => p,
            (Target::Body(item) | Target::Bottom(item) | Target::AllDay(item), None) => {
                item.occurrence.start.naive_local()
            }
            (Target::Empty, None) => return,
        };
        self.held = Some(Held { target, from: at, to: at });
    }

    /// A double-click: the press it began is not a drag.
    pub fn forget(&mut self) {
        self.held = None;
    }

    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    pub fn release(&mut self) -> Option<Outcome> {
        let h = self.held.take()?;
        let result = drag::outcome(gesture(&h.target), h.from, h.to);
        match (h.target, result) {
            (Target::Empty, Some((start, end))) => Some(Outcome::Create { start, end }),
            (Target::Empty, None) => None,
            (Target::Body(item) | Target::Bottom(item) | Target::AllDay(item), None) => {
                Some(Outcome::Click(item))
            }
            (Target::Body(item) | Target::Bottom(item) | Target::AllDay(item), Some((start, end))) => {
                let (was_start, was_end) = wall(&item);
                Some(Outcome::Move { start: start - was_start, end: end - was_end, item })
            }
        }
    }

    /// What to draw while dragging: the range swept, or the event at its
    /// new place.
    pub fn preview(&self) -> Option<Preview> {
        let h = self.held.as_ref()?;
        let (start, end) = drag::outcome(gesture(&h.target), h.from, h.to)?;
        Some(match &h.target {
            Target::Empty => Preview::Range(start, end),
            Target::Body(item) | Target::Bottom(item) | Target::AllDay(item) => {
                Preview::Event(Box::new(shifted(item, start, end)))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    Range(NaiveDateTime, NaiveDateTime),
    Event(Box<AgendaItem>),
}

fn gesture(target: &Target) -> Gesture {
    match target {
        Target::Empty => Gesture::Create,
        Target::Body(item) | Target::AllDay(item) => {
            let (start, end) = wall(item);
            Gesture::Move { start, end }
        }
        Target::Bottom(item) => {
            let (start, end) = wall(item);
            Gesture::Resize { start, end }
        }
    }
}

fn wall(item: &AgendaItem) -> (NaiveDateTime, NaiveDateTime) {
    (item.occurrence.start.naive_local(), item.occurrence.end.naive_local())
}

/// `item` drawn at local wall times `[start, end)`.
pub fn shifted(item: &AgendaItem, start: NaiveDateTime, end: NaiveDateTime) -> AgendaItem {
    let local = |t: NaiveDateTime| t.and_local_timezone(Local).earliest();
    let mut moved = item.clone();
    if let (Some(s), Some(e)) = (local(start), local(end)) {
        moved.occurrence.start = s;
        moved.occurrence.end = e;
    }
    moved
}

/// Events moved on the grid and not yet shown so by the agenda: drawn at
/// their new place until the server has the change and a new agenda
/// shows it, or the change fails or is called off.
#[derive(Debug, Clone, Default)]
pub struct Moves {
    moved: Vec<AgendaItem>,
    /// Saved on the server, waiting for the agenda: (account, UID).
    saved: Vec<(String, String)>,
}

impl Moves {
    pub fn items(&self) -> &[AgendaItem] {
        &self.moved
    }

    /// `item` at its new place (a second move of it replaces the first).
    pub fn add(&mut self, item: AgendaItem) {
        self.moved.retain(|m| !same(m, &item));
        self.moved.push(item);
    }

    /// The change to `uid` failed or was called off: drawn where it was.
    /// A change refused before it reached the outbox is named by its
    /// object's URL rather than its UID.
    pub fn settled(&mut self, account: &str, uid: &str) {
        self.moved.retain(|m| !(m.account == account && (m.occurrence.uid == uid || m.url.as_str() == uid)));
    }

    /// The server has the change to `uid`: the next agenda shows it.
    pub fn saved(&mut self, account: &str, uid: &str) {
        self.saved.push((account.to_owned(), uid.to_owned()));
    }

    /// A new agenda from `account`: the saved moves are in it.
    pub fn agenda_arrived(&mut self, account: &str) {
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.saved).into_iter().partition(|(a, _)| a == account);
        self.saved = waiting;
        for (a, uid) in done {
            self.settled(&a, &uid);
        }
    }
}

/// The same occurrence (of the same object, in the same account).
pub fn same(a: &AgendaItem, b: &AgendaItem) -> bool {
    a.account == b.account && a.url == b.url && a.occurrence.recurrence_id == b.occurrence.recurrence_id
}
