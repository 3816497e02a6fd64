//! One subscription per account runs its sync actor. The first event hands
//! the UI the actor's command sender; after that, every actor update.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use iced::Subscription;
use iced::futures::SinkExt;
use tokio::sync::mpsc;

use crate::caldav::Password;
use crate::config::Account;
use crate::paths::Paths;
use crate::sync::actor::Settings;
use crate::sync::{Control, Update};

#[derive(Debug, Clone)]
pub enum Event {
    Connected(mpsc::Sender<Control>),
    Update(Update),
}

/// What identifies a running actor. The password is carried, not hashed.
#[derive(Clone)]
pub struct Connection {
    pub paths: Paths,
    pub account: Account,
    pub password: Password,
}

impl Hash for Connection {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.paths.data.hash(state);
        self.account.name.hash(state);
        self.account.url.as_str().hash(state);
        self.account.user.hash(state);
        // Changed aliases change who "me" is: restart the actor with them.
        self.account.aliases.hash(state);
    }
}

pub fn subscription(connection: Connection) -> Subscription<(String, Event)> {
    Subscription::run_with(connection, run)
}

fn run(c: &Connection) -> impl iced::futures::Stream<Item = (String, Event)> + use<> {
    let c = c.clone();
    iced::stream::channel(
        100,
        async move |mut output: iced::futures::channel::mpsc::Sender<(String, Event)>| {
            let name = c.account.name.clone();
            let settings = Settings {
                paths: c.paths,
                account: c.account,
                password: c.password,
                every: Duration::from_secs(300),
                retry: Duration::from_secs(30),
            };
            let mut handle = crate::sync::spawn(settings);
            let _ = output.send((name.clone(), Event::Connected(handle.control.clone()))).await;
            while let Some(update) = handle.updates.recv().await {
                if output.send((name.clone(), Event::Update(update))).await.is_err() {
                    break;
                }
            }
        },
    )
}
