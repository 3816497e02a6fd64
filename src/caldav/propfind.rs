//! PROPFIND and the discovery steps built on it (RFC 4918, RFC 5397,
//! RFC 4791 §6.2.1, RFC 6638 §2.2, RFC 6764).

use url::Url;

use super::error::Error;
use super::http::{Depth, Precondition, Request, Response, expect_success};
use super::multistatus::{self, Entry, Multistatus, same_resource};
use super::op::Operation;
use super::xml::{CALDAV, DAV, escape};

/// Prefix each namespace we ask for, so bodies stay readable in logs.
fn prefix(ns: &str) -> &'static str {
    match ns {
        super::xml::DAV => "d",
        super::xml::CALDAV => "c",
        super::xml::CALSERVER => "cs",
        super::xml::APPLE => "a",
        _ => "x",
    }
}

pub(crate) const NAMESPACES: &str = r#"xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/""#;

pub(crate) fn prop_list(props: &[(&str, &str)]) -> String {
    props.iter().map(|(ns, name)| format!("<{}:{}/>", prefix(ns), escape(name))).collect()
}

/// A generic PROPFIND for named properties.
pub struct Propfind {
    pub url: Url,
    pub depth: Depth,
    pub props: Vec<(&'static str, &'static str)>,
}

impl Operation for Propfind {
    type Output = Multistatus;

    fn request(&self) -> Result<Request, Error> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind {NAMESPACES}><d:prop>{}</d:prop></d:propfind>"#,
            prop_list(&self.props)
        );
        Request::dav("PROPFIND", self.url.clone())?.depth(self.depth)?.xml_body(body)
    }

    fn parse(&self, resp: Response) -> Result<Multistatus, Error> {
        parse_multistatus(resp)
    }
}

pub(crate) fn parse_multistatus(resp: Response) -> Result<Multistatus, Error> {
    expect_success(&resp, &Precondition::None)?;
    if resp.status != 207 {
        return Err(Error::Malformed(format!("expected 207 Multi-Status, got {}", resp.status)));
    }
    multistatus::parse(&resp.body, &resp.url)
}

/// The entry for the requested URL itself (Depth 0 answers have one).
fn own_entry<'a>(ms: &'a Multistatus, url: &Url) -> Option<&'a Entry> {
    ms.entries
        .iter()
        .find(|e| same_resource(&e.url, url))
        .or_else(|| (ms.entries.len() == 1).then(|| &ms.entries[0]))
}

/// Step 1 of discovery: who am I (RFC 5397).
pub struct CurrentUserPrincipal {
    pub url: Url,
}

impl Operation for CurrentUserPrincipal {
    type Output = Url;

    fn request(&self) -> Result<Request, Error> {
        Propfind { url: self.url.clone(), depth: Depth::Zero, props: vec![(DAV, "current-user-principal")] }
            .request()
    }

    fn parse(&self, resp: Response) -> Result<Url, Error> {
        let base = resp.url.clone();
        let ms = parse_multistatus(resp)?;
        own_entry(&ms, &base).and_then(|e| e.href(&base, DAV, "current-user-principal")).ok_or_else(|| {
            Error::Malformed(format!(
                "{base} does not name a current-user-principal (not a CalDAV server, or not logged in?)"
            ))
        })
    }
}

/// Step 2: the principal's calendar home, addresses and scheduling boxes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Principal {
    pub url: Url,
    pub display_name: Option<String>,
    pub calendar_homes: Vec<Url>,
    /// `calendar-user-address-set` verbatim: `mailto:` URIs, sometimes the
    /// principal URL, sometimes nothing at all.
    pub addresses: Vec<String>,
    pub inbox: Option<Url>,
    pub outbox: Option<Url>,
}

pub struct PrincipalProps {
    pub url: Url,
}

impl Operation for PrincipalProps {
    type Output = Principal;

    fn request(&self) -> Result<Request, Error> {
        Propfind {
            url: self.url.clone(),
            depth: Depth::Zero,
            props: vec![
                (DAV, "displayname"),
                (CALDAV, "calendar-home-set"),
                (CALDAV, "calendar-user-address-set"),
                (CALDAV, "schedule-inbox-URL"),
                (CALDAV, "schedule-outbox-URL"),
            ],
        }
        .request()
    }

    fn parse(&self, resp: Response) -> Result<Principal, Error> {
        let base = resp.url.clone();
        let ms = parse_multistatus(resp)?;
        let e = own_entry(&ms, &base)
            .ok_or_else(|| Error::Malformed(format!("no properties for principal {base}")))?;
        let homes = e.hrefs(&base, CALDAV, "calendar-home-set");
        if homes.is_empty() {
            return Err(Error::Malformed(format!("principal {base} has no calendar-home-set")));
        }
        Ok(Principal {
            url: self.url.clone(),
            display_name: e.text(DAV, "displayname"),
            calendar_homes: homes,
            addresses: e.href_texts(CALDAV, "calendar-user-address-set"),
            inbox: e.href(&base, CALDAV, "schedule-inbox-URL"),
            outbox: e.href(&base, CALDAV, "schedule-outbox-URL"),
        })
    }
}
