//! The tray icon's subscription: it owns the tray item (see
//! [`crate::desktop::Tray`]) and tells the app what was clicked and
//! whether a tray shows it; the app sends it what to show. Nothing here
//! touches the network: "Sync now" goes to the actors as from the window.

use iced::Subscription;
use iced::futures::SinkExt;
use tokio::sync::mpsc;

use crate::desktop::{Look, Signal, Tray, TrayAction};

#[derive(Debug, Clone)]
pub enum Event {
    /// The item is on the bus: what it shows goes here.
    Ready(mpsc::UnboundedSender<Look>),
    /// Whether a tray shows the item (false: there is none, or it went).
    Shown(bool),
    Action(TrayAction),
}

/// The app's end: what it last sent, and whether a tray shows the item.
#[derive(Debug, Default)]
pub struct Link {
    looks: Option<mpsc::UnboundedSender<Look>>,
    /// The count last shown.
    sent: Option<usize>,
    pub shown: bool,
}

impl Link {
    /// Keeps the item's sender or what the tray said; an action for the app.
    pub fn event(&mut self, event: Event) -> Option<TrayAction> {
        match event {
            Event::Ready(looks) => {
                self.looks = Some(looks);
                self.sent = None;
            }
            Event::Shown(shown) => self.shown = shown,
            Event::Action(action) => return Some(action),
        }
        None
    }

    /// Shows `waiting` invitations on the item, when the count changed.
    pub fn show(&mut self, waiting: usize) {
        if self.sent == Some(waiting) {
            return;
        }
        if let Some(looks) = &self.looks
            && looks.send(look(waiting)).is_ok()
        {
            self.sent = Some(waiting);
        }
    }

    /// The item is gone (the setting turned off).
    pub fn closed(&mut self) {
        *self = Link::default();
    }
}

/// What the item shows for `waiting` invitations waiting for an answer.
pub fn look(waiting: usize) -> Look {
    let (title, tooltip) = match waiting {
        0 => ("Convene".to_owned(), "No invitation waiting for an answer".to_owned()),
        1 => ("Convene (1)".to_owned(), "1 invitation waiting for an answer".to_owned()),
        n => (format!("Convene ({n})"), format!("{n} invitations waiting for an answer")),
    };
    Look { title, tooltip, attention: waiting > 0 }
}

pub fn subscription() -> Subscription<Event> {
    Subscription::run(run)
}

fn run() -> impl iced::futures::Stream<Item = Event> {
    iced::stream::channel(10, async move |mut output: iced::futures::channel::mpsc::Sender<Event>| {
        let (tray, mut signals) = match Tray::spawn(Look::default(), super::style::icon_rgba()).await {
            Ok(t) => t,
            Err(e) => {
                tracing::info!("no tray icon: {e}");
                let _ = output.send(Event::Shown(false)).await;
                return;
            }
        };
        let (sender, mut looks) = mpsc::unbounded_channel();
        let _ = output.send(Event::Ready(sender)).await;
        let _ = output.send(Event::Shown(tray.shown())).await;
        loop {
            let event = tokio::select! {
                Some(look) = looks.recv() => {
                    tray.show(look).await;
                    continue;
                }
                Some(signal) = signals.recv() => match signal {
                    Signal::Action(action) => Event::Action(action),
                    Signal::Shown(shown) => Event::Shown(shown),
                },
                else => break,
            };
            if output.send(event).await.is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_counts_the_invitations_waiting() {
        assert_eq!(
            look(0),
            Look {
                title: "Convene".into(),
                tooltip: "No invitation waiting for an answer".into(),
                attention: false
            }
        );
        assert_eq!(look(1).tooltip, "1 invitation waiting for an answer");
        let three = look(3);
        assert_eq!((three.title.as_str(), three.attention), ("Convene (3)", true));
        assert_eq!(three.tooltip, "3 invitations waiting for an answer");
    }

    #[test]
    fn the_link_sends_the_count_only_when_it_changed() {
        let mut link = Link::default();
        link.show(1);
        let (tx, mut rx) = mpsc::unbounded_channel();
        assert_eq!(link.event(Event::Ready(tx)), None);
        link.show(1);
        link.show(1);
        link.show(2);
        assert_eq!(rx.try_recv().ok(), Some(look(1)));
        assert_eq!(rx.try_recv().ok(), Some(look(2)));
        assert!(rx.try_recv().is_err(), "the same count twice is sent once");
        assert_eq!(link.event(Event::Action(TrayAction::Quit)), Some(TrayAction::Quit));
    }
}
