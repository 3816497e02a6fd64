//! Typed errors the UI can match on. The `DAV:error` body of a 403/412, not
//! the status alone, decides which precondition failed.

use super::xml::{self, CALDAV, DAV};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the server did not accept the user name or password")]
    Unauthorized,
    #[error("the server refused access: {0}")]
    Forbidden(String),
    #[error("not found on the server: {0}")]
    NotFound(String),
    #[error("the event was changed by its organizer since it was read (Schedule-Tag mismatch)")]
    ScheduleTagMismatch,
    #[error("the resource was changed on the server since it was read (ETag mismatch)")]
    EtagMismatch,
    #[error("a resource already exists at this address")]
    AlreadyExists,
    #[error("an event with this UID already exists on the server{}", .existing.as_deref().map(|h| format!(" at {h}")).unwrap_or_default())]
    UidConflict { existing: Option<String> },
    #[error("the server does not let an attendee make this change")]
    AttendeeChangeForbidden,
    #[error("the server no longer accepts this sync token")]
    InvalidSyncToken,
    #[error("the server failed (HTTP {status}){}", detail_suffix(.detail))]
    Server { status: u16, detail: String },
    #[error("the server answered HTTP {status} unexpectedly{}", detail_suffix(.detail))]
    UnexpectedStatus { status: u16, detail: String },
    #[error("the server is busy (HTTP {status}); try again shortly")]
    Busy { status: u16 },
    #[error("the server did not answer in time")]
    Timeout,
    #[error("could not reach the server: {0}")]
    Connection(String),
    #[error("TLS problem: {0}")]
    Tls(String),
    #[error("the server sent a malformed response: {0}")]
    Malformed(String),
    #[error("the response is larger than the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("the server redirects to another site ({to}); use that address instead")]
    CrossOriginRedirect { to: String },
    #[error("too many redirects")]
    TooManyRedirects,
    #[error(
        "refusing unencrypted http:// to {0}: only loopback addresses may use it unless the account allows it"
    )]
    InsecureUrl(String),
    #[error("invalid address: {0}")]
    InvalidUrl(String),
    #[error("Convene could not build the request: {0}")]
    InvalidRequest(String),
    #[error("cannot read the CA file: {0}")]
    CaFile(String),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() { String::new() } else { format!(": {detail}") }
}

impl Error {
    /// True for failures worth retrying later (offline, timeouts, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Timeout | Error::Connection(_) | Error::Server { .. } | Error::Busy { .. })
    }
}

/// The precondition elements of a `DAV:error` body (RFC 4918 §16) that change
/// what a 403/409/412 means.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DavErrorBody {
    pub uid_conflict: Option<Option<String>>,
    pub attendee_forbidden: bool,
    pub invalid_sync_token: bool,
    /// Local names of all precondition elements, for messages.
    pub conditions: Vec<String>,
}

impl DavErrorBody {
    pub fn parse(body: &[u8]) -> Option<Self> {
        let root = xml::parse(body).ok()?;
        if !root.is(DAV, "error") {
            return None;
        }
        let mut out = DavErrorBody::default();
        for c in &root.children {
            out.conditions.push(c.name.clone());
            match (&*c.ns, c.name.as_str()) {
                (CALDAV, "unique-scheduling-object-resource") | (CALDAV, "no-uid-conflict") => {
                    let href = c.find(DAV, "href").map(|h| h.trimmed().to_owned());
                    out.uid_conflict = Some(href);
                }
                (CALDAV, "allowed-attendee-scheduling-object-change")
                | (CALDAV, "attendee-allowed")
                | (CALDAV, "allowed-organizer-scheduling-object-change") => out.attendee_forbidden = true,
                (DAV, "valid-sync-token") => out.invalid_sync_token = true,
                _ => {}
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_xandikos_attendee_allowed() {
        let body = br#"<?xml version='1.0' encoding='utf-8'?>
<ns0:error xmlns:ns0="DAV:"><ns1:attendee-allowed xmlns:ns1="urn:ietf:params:xml:ns:caldav" /></ns0:error>"#;
        let e = DavErrorBody::parse(body).unwrap();
        assert!(e.attendee_forbidden);
        assert_eq!(e.uid_conflict, None);
    }

    #[test]
    fn reads_uid_conflict_with_href() {
        let body = br#"<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:no-uid-conflict><D:href>/cal/a.ics</D:href></C:no-uid-conflict></D:error>"#;
        let e = DavErrorBody::parse(body).unwrap();
        assert_eq!(e.uid_conflict, Some(Some("/cal/a.ics".into())));
    }

    #[test]
    fn non_error_bodies_are_ignored() {
        assert_eq!(DavErrorBody::parse(b"<html>oops</html>"), None);
        assert_eq!(DavErrorBody::parse(b"not xml"), None);
    }
}
