//! The desktop notifications' subscription: it owns the notification
//! connection and runs [`crate::notices::run`] (reminders, invitations
//! with buttons); the app talks to it by messages. Without a notification
//! server the window is the only place to act.

use iced::Subscription;
use iced::futures::SinkExt;
use tokio::sync::mpsc;

use crate::desktop::Notifier;
use crate::notices::{In, Out};

#[derive(Debug, Clone)]
pub enum Event {
    Connected(mpsc::Sender<In>),
    Out(Out),
}

pub fn subscription() -> Subscription<Event> {
    Subscription::run(run)
}

fn run() -> impl iced::futures::Stream<Item = Event> {
    iced::stream::channel(100, async move |mut output: iced::futures::channel::mpsc::Sender<Event>| {
        // Without a notification server the service still lists the
        // missed reminders in the window.
        let notifier = match Notifier::session().await {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::info!("no desktop notifications: {e}");
                None
            }
        };
        let (input, from_app) = mpsc::channel(100);
        let (to_app, mut outs) = mpsc::channel(100);
        let _ = output.send(Event::Connected(input)).await;
        tokio::spawn(crate::notices::run(notifier, from_app, to_app));
        while let Some(o) = outs.recv().await {
            if output.send(Event::Out(o)).await.is_err() {
                break;
            }
        }
    })
}
