//! One window per profile. The first `convene` to open a window owns a
//! name on the D-Bus session bus (the app id; one of its own for each
//! `--profile`) and serves `org.freedesktop.Application` there; a later
//! launch (`convene`, or `convene open FILE.ics` from the file manager)
//! hands it its files and asks it to come to the front, then exits.
//! Elsewhere than Linux each launch opens its own window, for now.

use std::path::PathBuf;

use crate::paths::Paths;

/// What a later launch asked of the running window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Come to the front.
    Activate,
    /// Come to the front and open these files (an invitation by mail, else
    /// the import wizard).
    Open(Vec<PathBuf>),
}

pub enum Claim {
    /// This process is the first: later launches' requests arrive here.
    First(Listener),
    /// The running window took the files; this launch is done.
    Handed,
}

/// Keeps the name while it lives; [`Listener::requests`] yields what
/// later launches ask.
pub struct Listener {
    #[cfg(target_os = "linux")]
    _connection: Option<zbus::blocking::Connection>,
    requests: Option<tokio::sync::mpsc::UnboundedReceiver<Request>>,
}

impl Listener {
    /// The requests, for the one who answers them (once).
    pub fn requests(&mut self) -> Option<tokio::sync::mpsc::UnboundedReceiver<Request>> {
        self.requests.take()
    }
}

/// The bus name for a profile: the app id for the platform's directories,
/// else the app id and a stable hash of the profile's folder.
pub fn bus_name(paths: &Paths) -> String {
    paths.instance_name()
}

/// The object path `org.freedesktop.Application` asks for: the name with
/// dots as slashes.
#[cfg(target_os = "linux")]
fn object_path(name: &str) -> String {
    format!("/{}", name.replace('.', "/"))
}

/// Hands `files` (relative ones made absolute) to the window already open
/// for this profile, or claims the profile for this process. Without a
/// session bus, or when the running one does not answer, this process
/// opens its own window.
pub fn claim(paths: &Paths, files: &[PathBuf]) -> Claim {
    claim_on(None, paths, files)
}

/// For a start in the background (at login): claims the profile, or, when
/// Convene already runs for it, leaves that one as it is (its window is
/// not raised) and this launch is done.
pub fn claim_quietly(paths: &Paths) -> Claim {
    #[cfg(target_os = "linux")]
    if linux::running(None, &bus_name(paths)) {
        return Claim::Handed;
    }
    claim(paths, &[])
}

/// [`claim`] on the bus at `address` (None: the session bus), so a test
/// can use a private one.
pub fn claim_on(address: Option<&str>, paths: &Paths, files: &[PathBuf]) -> Claim {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let requests = Some(receiver);
    #[cfg(target_os = "linux")]
    {
        let name = bus_name(paths);
        match linux::own(address, &name, sender) {
            Ok(connection) => Claim::First(Listener { _connection: Some(connection), requests }),
            Err(zbus::Error::NameTaken) => match linux::hand(address, &name, files) {
                Ok(()) => Claim::Handed,
                Err(e) => {
                    tracing::warn!("the Convene window already open did not answer ({e}); opening another");
                    Claim::First(Listener { _connection: None, requests })
                }
            },
            Err(e) => {
                tracing::info!("no D-Bus session ({e}): a second launch will open a second window");
                Claim::First(Listener { _connection: None, requests })
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (address, paths, files, sender);
        Claim::First(Listener { requests })
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use zbus::fdo::{RequestNameFlags, RequestNameReply};
    use zbus::zvariant::{OwnedValue, Value};

    use super::{Request, object_path};

    type Sender = tokio::sync::mpsc::UnboundedSender<Request>;

    /// `org.freedesktop.Application`, as the first window serves it.
    struct Application {
        sender: Sender,
    }

    #[zbus::interface(name = "org.freedesktop.Application")]
    impl Application {
        fn activate(&self, _platform_data: HashMap<String, OwnedValue>) {
            let _ = self.sender.send(Request::Activate);
        }

        fn open(&self, uris: Vec<String>, _platform_data: HashMap<String, OwnedValue>) {
            let files = uris.iter().filter_map(|u| url::Url::parse(u).ok()?.to_file_path().ok()).collect();
            let _ = self.sender.send(Request::Open(files));
        }

        fn activate_action(
            &self,
            _name: String,
            _parameter: Vec<OwnedValue>,
            _platform_data: HashMap<String, OwnedValue>,
        ) {
            let _ = self.sender.send(Request::Activate);
        }
    }

    fn bus(address: Option<&str>) -> zbus::Result<zbus::blocking::connection::Builder<'static>> {
        match address {
            Some(a) => zbus::blocking::connection::Builder::address(a),
            None => zbus::blocking::connection::Builder::session(),
        }
    }

    /// Serves the interface and takes the name; [`zbus::Error::NameTaken`]
    /// when a window has it. (Asked without queueing by hand: the
    /// builder's `name` queues behind the owner and says nothing.)
    pub fn own(
        address: Option<&str>,
        name: &str,
        sender: Sender,
    ) -> zbus::Result<zbus::blocking::Connection> {
        let connection = bus(address)?.serve_at(object_path(name), Application { sender })?.build()?;
        match connection.request_name_with_flags(name, RequestNameFlags::DoNotQueue.into())? {
            RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner => Ok(connection),
            RequestNameReply::InQueue | RequestNameReply::Exists => Err(zbus::Error::NameTaken),
        }
    }

    /// Whether the name is owned on the bus (a Convene runs for the profile).
    pub fn running(address: Option<&str>, name: &str) -> bool {
        let Ok(connection) = bus(address).and_then(|b| b.build()) else { return false };
        let (Ok(dbus), Ok(name)) = (zbus::blocking::fdo::DBusProxy::new(&connection), name.try_into()) else {
            return false;
        };
        dbus.name_has_owner(name).unwrap_or(false)
    }

    pub fn hand(address: Option<&str>, name: &str, files: &[PathBuf]) -> zbus::Result<()> {
        let connection = bus(address)?.build()?;
        let platform_data: HashMap<&str, Value<'_>> = HashMap::new();
        let (path, interface) = (object_path(name), Some("org.freedesktop.Application"));
        if files.is_empty() {
            connection.call_method(Some(name), path.as_str(), interface, "Activate", &(platform_data,))?;
        } else {
            let uris: Vec<String> = files.iter().filter_map(|f| file_uri(f)).collect();
            connection.call_method(Some(name), path.as_str(), interface, "Open", &(uris, platform_data))?;
        }
        Ok(())
    }

    /// A file URI for a path as typed (relative to where it was typed).
    fn file_uri(file: &Path) -> Option<String> {
        let absolute = std::path::absolute(file).ok()?;
        Some(url::Url::from_file_path(absolute).ok()?.to_string())
    }
}
