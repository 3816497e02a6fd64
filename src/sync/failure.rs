//! What went wrong, as it crosses from the sync actor to the UI (and from
//! the engine to the CLI): the typed error underneath, a [`Kind`] the UI
//! can match on, and — in `Display` — the words the person reads. This is
//! the one place failures are explained.

use std::fmt;
use std::sync::Arc;

use super::engine::EngineError;
use super::mailed::MailedError;
use crate::caldav;
use crate::store::StoreError;

/// A failure, cheap to clone into every update that reports it.
#[derive(Clone)]
pub struct Failure(Arc<Cause>);

/// The typed errors underneath a [`Failure`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Cause {
    #[error(transparent)]
    Server(caldav::Error),
    #[error(transparent)]
    Store(StoreError),
    /// The engine's own refusals (unknown UID, not an attendee…).
    #[error(transparent)]
    Engine(EngineError),
    /// A reply's event is gone from the server (404).
    #[error("the organizer removed this event")]
    Removed(caldav::Error),
    /// A reply met 412 after 412, each after only others' answers changed.
    #[error("the event kept changing on the server; try again later")]
    KeptChanging,
    /// A cancelled invitation to remove was reinstated by its organizer.
    #[error(
        "the organizer has reinstated this event (it is no longer cancelled), so it was not removed: answer it instead"
    )]
    Reinstated,
    /// Neither a trusted Schedule-Tag nor a strong ETag can protect a PUT.
    #[error("the server gives this event no strong ETag, so a safe reply is impossible")]
    NoStrongEtag,
    /// One calendar refused a sync (the rest went on); with its name.
    #[error("calendar {calendar:?} could not be synced: {reason}")]
    CalendarNotSynced { calendar: String, reason: Failure },
    #[error("another import into this account is still running")]
    ImportRunning,
    #[error("the server can't be reached; try again when it is back")]
    ImportOffline,
    #[error("the import stopped unexpectedly ({0}); importing again continues where it stopped")]
    ImportStopped(tokio::task::JoinError),
    /// An event change can't be written on the server's version.
    #[error("the change can't be written: {0}")]
    Edit(String),
    /// A file that came by mail was not acted on.
    #[error(transparent)]
    Mailed(MailedError),
    /// The actor's task that opens the account stopped.
    #[error(transparent)]
    Task(tokio::task::JoinError),
}

/// What kind of failure, for the UI to decide how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Unreachable, timed out, or failing for now: retried by itself.
    Offline,
    /// The user name or password was refused.
    Auth,
    /// The event changed on the server meanwhile.
    Conflict,
    /// Refused for good (forbidden, UID conflict…).
    Refused,
    /// Gone from the server.
    Gone,
    /// The server misbehaved or can't do what is needed.
    Server,
    /// The account's settings (address, certificate, http://) don't work.
    Setup,
    /// The request or the event doesn't fit (not an attendee, unknown UID…).
    Data,
    /// On this computer: files that can't be read or written, a task that stopped.
    Local,
    /// Something else is under way (another import).
    Busy,
}

fn server_kind(e: &caldav::Error) -> Kind {
    use caldav::Error as E;
    match e {
        _ if e.is_transient() => Kind::Offline,
        E::Unauthorized => Kind::Auth,
        E::ScheduleTagMismatch | E::EtagMismatch => Kind::Conflict,
        E::Forbidden(_) | E::AttendeeChangeForbidden | E::UidConflict { .. } | E::AlreadyExists => {
            Kind::Refused
        }
        E::NotFound(_) => Kind::Gone,
        E::CrossOriginRedirect { .. }
        | E::TooManyRedirects
        | E::InsecureUrl(_)
        | E::InvalidUrl(_)
        | E::Tls(_)
        | E::CaFile(_) => Kind::Setup,
        E::InvalidRequest(_) => Kind::Data,
        _ => Kind::Server,
    }
}

impl Failure {
    pub fn kind(&self) -> Kind {
        match &*self.0 {
            Cause::Server(e) => server_kind(e),
            Cause::Store(_) => Kind::Local,
            Cause::Engine(e) => match e {
                EngineError::Server(e) => server_kind(e),
                EngineError::Store(_) => Kind::Local,
                EngineError::OccurrenceUnsupported(_)
                | EngineError::SilentUnsupported(_)
                | EngineError::DelegationUnchangeable { .. } => Kind::Server,
                EngineError::NoCapabilities => Kind::Setup,
                EngineError::NoFreeBusy(_) => Kind::Server,
                _ => Kind::Data,
            },
            Cause::Removed(_) => Kind::Gone,
            Cause::KeptChanging | Cause::Reinstated => Kind::Conflict,
            Cause::CalendarNotSynced { reason, .. } => reason.kind(),
            Cause::NoStrongEtag => Kind::Server,
            Cause::Edit(_) => Kind::Data,
            Cause::Mailed(MailedError::ReplyNotWritten { .. }) => Kind::Local,
            Cause::Mailed(_) => Kind::Data,
            Cause::ImportRunning => Kind::Busy,
            Cause::ImportOffline => Kind::Offline,
            Cause::ImportStopped(_) | Cause::Task(_) => Kind::Local,
        }
    }

    /// The server can't be reached (or is failing for now): worth retrying
    /// by itself later, unlike, say, a refused password.
    pub fn is_offline(&self) -> bool {
        self.kind() == Kind::Offline
    }

    /// The typed error underneath.
    pub fn cause(&self) -> &Cause {
        &self.0
    }
}

impl From<Cause> for Failure {
    fn from(c: Cause) -> Self {
        Failure(Arc::new(c))
    }
}

impl From<caldav::Error> for Failure {
    fn from(e: caldav::Error) -> Self {
        Cause::Server(e).into()
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Cause::Store(e).into()
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Server(e) => e.into(),
            EngineError::Store(e) => e.into(),
            e => Cause::Engine(e).into(),
        }
    }
}

impl From<MailedError> for Failure {
    fn from(e: MailedError) -> Self {
        match e {
            MailedError::Engine(e) => e.into(),
            MailedError::Refused(e) => e.into(),
            e => Cause::Mailed(e).into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Same kind and same words (the errors underneath aren't all comparable).
impl PartialEq for Failure {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.kind() == other.kind() && self.to_string() == other.to_string())
    }
}

impl Eq for Failure {}

/// As its words: `convene reply --json` prints `"error": "…"` as before.
impl serde::Serialize for Failure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_underlying_errors_words() {
        let e = caldav::Error::Connection("refused".into());
        let f = Failure::from(EngineError::Server(e.clone()));
        assert_eq!(f.to_string(), e.to_string());
        assert!(f.is_offline());
        assert_eq!(Failure::from(caldav::Error::Unauthorized).kind(), Kind::Auth);
        assert!(!Failure::from(caldav::Error::Unauthorized).is_offline());
        let gone = Failure::from(Cause::Removed(caldav::Error::NotFound("/x".into())));
        assert_eq!(
            (gone.kind(), gone.to_string().as_str()),
            (Kind::Gone, "the organizer removed this event")
        );
        assert_eq!(serde_json::to_string(&gone).unwrap(), "\"the organizer removed this event\"");
    }

    #[test]
    fn a_calendar_not_synced_is_named_with_the_reason_underneath() {
        let reason = Failure::from(caldav::Error::Malformed("unexpected end of XML".into()));
        let f = Failure::from(Cause::CalendarNotSynced { calendar: "Work".into(), reason: reason.clone() });
        let words = f.to_string();
        assert!(words.contains("\"Work\"") && words.ends_with(&reason.to_string()), "{words}");
        assert_eq!(f.kind(), reason.kind());
    }

    #[test]
    fn offline_is_what_was_retried_by_itself_before() {
        use caldav::Error as E;
        for e in [
            E::Timeout,
            E::Connection("x".into()),
            E::Server { status: 503, detail: String::new() },
            E::Busy { status: 429 },
            E::Unauthorized,
            E::NotFound("x".into()),
            E::Tls("x".into()),
            E::Malformed("x".into()),
        ] {
            assert_eq!(Failure::from(e.clone()).is_offline(), e.is_transient(), "{e:?}");
        }
    }
}
