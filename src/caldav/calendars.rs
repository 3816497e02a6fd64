//! Calendar collections: listing the calendar home, and MKCALENDAR.

use url::Url;

use super::error::Error;
use super::http::{Depth, Precondition, Request, Response, expect_success};
use super::multistatus::same_resource;
use super::op::Operation;
use super::propfind::{NAMESPACES, Propfind, parse_multistatus};
use super::xml::{APPLE, CALDAV, CALSERVER, DAV, escape};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Calendar {
    pub url: Url,
    pub display_name: Option<String>,
    /// `#RRGGBB` or `#RRGGBBAA` as the server stores it (Apple's property).
    pub color: Option<String>,
    /// VEVENT, VTODO…; empty means the server did not say (all allowed).
    pub components: Vec<String>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
    /// REPORTs the collection advertises (`supported-report-set`).
    pub reports: Vec<String>,
    /// The server says the user may not add or change events here (its
    /// `current-user-privilege-set` has no write privilege: a calendar
    /// shared read-only, a subscription). False where it did not say.
    #[serde(default)]
    pub read_only: bool,
}

impl Calendar {
    pub fn holds_events(&self) -> bool {
        self.components.is_empty() || self.components.iter().any(|c| c == "VEVENT")
    }
    pub fn supports_sync_collection(&self) -> bool {
        self.reports.iter().any(|r| r == "sync-collection")
    }
}

/// PROPFIND Depth 1 on a calendar home; keeps only calendar collections
/// (not inbox/outbox, which are also children of the home on some servers).
pub struct ListCalendars {
    pub home: Url,
}

impl Operation for ListCalendars {
    type Output = Vec<Calendar>;

    fn request(&self) -> Result<Request, Error> {
        Propfind {
            url: self.home.clone(),
            depth: Depth::One,
            props: vec![
                (DAV, "resourcetype"),
                (DAV, "displayname"),
                (APPLE, "calendar-color"),
                (CALDAV, "supported-calendar-component-set"),
                (CALSERVER, "getctag"),
                (DAV, "sync-token"),
                (DAV, "supported-report-set"),
                (DAV, "current-user-privilege-set"),
            ],
        }
        .request()
    }

    fn parse(&self, resp: Response) -> Result<Vec<Calendar>, Error> {
        let ms = parse_multistatus(resp)?;
        let mut out = Vec::new();
        for e in &ms.entries {
            let is_calendar =
                e.prop(DAV, "resourcetype").is_some_and(|rt| rt.child(CALDAV, "calendar").is_some());
            if !is_calendar || same_resource(&e.url, &self.home) {
                continue;
            }
            let components = e
                .prop(CALDAV, "supported-calendar-component-set")
                .map(|set| {
                    set.children_named(CALDAV, "comp")
                        .filter_map(|c| c.attr("name").map(str::to_ascii_uppercase))
                        .collect()
                })
                .unwrap_or_default();
            let reports = e
                .prop(DAV, "supported-report-set")
                .map(|set| {
                    set.children_named(DAV, "supported-report")
                        .filter_map(|s| s.child(DAV, "report"))
                        .filter_map(|r| r.children.first())
                        .map(|r| r.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Calendar {
                url: e.url.clone(),
                display_name: e.text(DAV, "displayname"),
                color: e.text(APPLE, "calendar-color"),
                components,
                ctag: e.text(CALSERVER, "getctag"),
                sync_token: e.text(DAV, "sync-token"),
                reports,
                read_only: e.prop(DAV, "current-user-privilege-set").is_some_and(|set| !may_write(set)),
            });
        }
        Ok(out)
    }
}

/// Whether a `current-user-privilege-set` (RFC 3744 §5.4) lets the user
/// add events (`bind`) or change them (`write-content`), directly or
/// through an aggregate (`write`, `all`).
fn may_write(set: &super::xml::Element) -> bool {
    set.children_named(DAV, "privilege")
        .flat_map(|p| p.children.iter())
        .any(|p| &*p.ns == DAV && matches!(p.name.as_str(), "write" | "write-content" | "bind" | "all"))
}

/// MKCALENDAR (RFC 4791 §5.3.1).
pub struct MkCalendar {
    pub url: Url,
    pub display_name: String,
    pub components: Vec<&'static str>,
}

impl Operation for MkCalendar {
    type Output = ();

    fn request(&self) -> Result<Request, Error> {
        let comps: String =
            self.components.iter().map(|c| format!(r#"<c:comp name="{}"/>"#, escape(c))).collect();
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><c:mkcalendar {NAMESPACES}><d:set><d:prop><d:displayname>{}</d:displayname><c:supported-calendar-component-set>{comps}</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"#,
            escape(&self.display_name)
        );
        Request::dav("MKCALENDAR", self.url.clone())?.xml_body(body)
    }

    fn parse(&self, resp: Response) -> Result<(), Error> {
        expect_success(&resp, &Precondition::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A calendar home listing two calendars, one the user may only read
    /// (its privileges as RFC 3744 §5.4 shows them), and one where the
    /// server names no privileges at all.
    fn listing(privileges: &str) -> Response {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
 <d:response><d:href>/home/shared/</d:href><d:propstat><d:prop>
  <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
  <d:current-user-privilege-set>{privileges}</d:current-user-privilege-set>
 </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/home/silent/</d:href><d:propstat><d:prop>
  <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
 </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"#
        );
        let url = Url::parse("https://h/home/").unwrap_or_else(|e| panic!("{e}"));
        Response { status: 207, headers: Default::default(), body: body.into_bytes(), url }
    }

    fn read_only(privileges: &str) -> (bool, bool) {
        let home = Url::parse("https://h/home/").unwrap_or_else(|e| panic!("{e}"));
        let cals = ListCalendars { home }.parse(listing(privileges)).unwrap_or_else(|e| panic!("{e}"));
        let of = |path: &str| cals.iter().find(|c| c.url.path() == path).map(|c| c.read_only);
        (of("/home/shared/").unwrap_or_default(), of("/home/silent/").unwrap_or(true))
    }

    #[test]
    fn a_calendar_without_a_write_privilege_is_read_only() {
        let read = "<d:privilege><d:read/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>";
        assert_eq!(read_only(read), (true, false));
        // Writing properties only (a colour) is not writing events.
        let props = "<d:privilege><d:read/></d:privilege><d:privilege><d:write-properties/></d:privilege>";
        assert_eq!(read_only(props), (true, false));
    }

    #[test]
    fn any_privilege_that_adds_or_changes_events_makes_it_writable() {
        for write in ["write", "write-content", "bind", "all"] {
            let set = format!("<d:privilege><d:read/></d:privilege><d:privilege><d:{write}/></d:privilege>");
            assert_eq!(read_only(&set), (false, false), "{write}");
        }
    }
}
