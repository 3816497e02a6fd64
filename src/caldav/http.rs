//! Plain data for one HTTP exchange, so operations can build requests and
//! parse responses without doing I/O (sans-IO), and tests can pin exact bytes.

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use url::Url;

use super::error::{DavErrorBody, Error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        Request { method, url, headers: HeaderMap::new(), body: None }
    }

    /// A WebDAV extension method (PROPFIND, REPORT, MKCALENDAR).
    pub fn dav(method: &str, url: Url) -> Result<Self, Error> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("{method:?} is not an HTTP method")))?;
        Ok(Request::new(method, url))
    }

    /// Adds a header. A value that can't be sent (a line break, say) is an
    /// error rather than a dropped header: a dropped `If-Match` would turn a
    /// safe write into an overwrite.
    pub fn header(mut self, name: &'static str, value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref();
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidRequest(format!("{value:?} can't be sent as the {name} header")))?;
        let name = HeaderName::from_lowercase(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("{name:?} is not a header name")))?;
        self.headers.append(name, v);
        Ok(self)
    }

    pub fn xml_body(self, body: String) -> Result<Self, Error> {
        // Cyrus answers 415 without this content type.
        let mut r = self.header("content-type", "application/xml; charset=utf-8")?;
        r.body = Some(body.into_bytes());
        Ok(r)
    }

    pub fn depth(self, depth: Depth) -> Result<Self, Error> {
        self.header("depth", depth.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Zero,
    One,
}

impl Depth {
    fn as_str(self) -> &'static str {
        match self {
            Depth::Zero => "0",
            Depth::One => "1",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The URL that answered (hrefs in the body are relative to it).
    pub url: Url,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn etag(&self) -> Option<Etag> {
        self.header("etag").map(Etag::new)
    }

    pub fn schedule_tag(&self) -> Option<ScheduleTag> {
        self.header("schedule-tag").map(ScheduleTag::new)
    }

    /// A short, safe excerpt of the body for error messages.
    pub fn detail(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        let mut out: String = text.chars().take(200).collect();
        if text.chars().count() > 200 {
            out.push('…');
        }
        out
    }
}

/// An entity tag exactly as the server sent it (quotes and `W/` kept), since
/// preconditions must echo it byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Etag(pub String);

impl Etag {
    pub fn new(raw: impl Into<String>) -> Self {
        Etag(raw.into().trim().to_owned())
    }
    /// Weak tags can't be used with `If-Match` (RFC 9110 §13.1.1).
    pub fn is_weak(&self) -> bool {
        self.0.starts_with("W/")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// RFC 6638 §3.2.10 Schedule-Tag, opaque and echoed verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ScheduleTag(pub String);

impl ScheduleTag {
    pub fn new(raw: impl Into<String>) -> Self {
        ScheduleTag(raw.into().trim().to_owned())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The one precondition a write carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    #[default]
    None,
    /// Create only: fails with [`Error::AlreadyExists`] if something is there.
    IfNoneMatchAny,
    IfMatch(Etag),
    IfScheduleTagMatch(ScheduleTag),
}

impl Precondition {
    pub fn apply(&self, req: Request) -> Result<Request, Error> {
        match self {
            Precondition::None => Ok(req),
            Precondition::IfNoneMatchAny => req.header("if-none-match", "*"),
            Precondition::IfMatch(e) => req.header("if-match", e.as_str()),
            Precondition::IfScheduleTagMatch(t) => req.header("if-schedule-tag-match", t.as_str()),
        }
    }
}

/// draft-ietf-calext-caldav-scheduling-controls `Scheduling:` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchedulingMode {
    All,
    None,
    InternalOnly,
    ExternalOnly,
}

impl SchedulingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulingMode::All => "all",
            SchedulingMode::None => "none",
            SchedulingMode::InternalOnly => "internal-only",
            SchedulingMode::ExternalOnly => "external-only",
        }
    }
}

/// Headers that steer server-side (implicit) scheduling on PUT/DELETE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchedulingHeaders {
    /// The draft's `Scheduling:`; send only where OPTIONS lists `scheduling-controls`.
    pub scheduling: Option<SchedulingMode>,
    /// The draft's `Schedule-User-Address:`.
    pub schedule_user_address: Option<String>,
    /// RFC 6638 §8.1 `Schedule-Reply: T|F` (attendee DELETE).
    pub schedule_reply: Option<bool>,
    /// Cyrus's own `Scheduling-Enabled: T|F`.
    pub cyrus_scheduling_enabled: Option<bool>,
}

impl SchedulingHeaders {
    pub fn apply(&self, mut req: Request) -> Result<Request, Error> {
        let flag = |b: bool| if b { "T" } else { "F" };
        if let Some(mode) = self.scheduling {
            req = req.header("scheduling", mode.as_str())?;
        }
        if let Some(addr) = &self.schedule_user_address {
            req = req.header("schedule-user-address", addr)?;
        }
        if let Some(b) = self.schedule_reply {
            req = req.header("schedule-reply", flag(b))?;
        }
        if let Some(b) = self.cyrus_scheduling_enabled {
            req = req.header("scheduling-enabled", flag(b))?;
        }
        Ok(req)
    }
}

/// Turns a non-success status into the typed error it stands for. The
/// precondition that was sent tells a stale Schedule-Tag from a stale ETag;
/// the `DAV:error` body tells both from UID conflicts and forbidden edits.
pub fn status_error(resp: &Response, sent: &Precondition) -> Error {
    let body = DavErrorBody::parse(&resp.body);
    if let Some(b) = &body {
        if let Some(existing) = &b.uid_conflict {
            return Error::UidConflict { existing: existing.clone() };
        }
        if b.attendee_forbidden {
            return Error::AttendeeChangeForbidden;
        }
        if b.invalid_sync_token {
            return Error::InvalidSyncToken;
        }
    }
    match resp.status {
        401 => Error::Unauthorized,
        403 => Error::Forbidden(
            body.map(|b| b.conditions.join(", ")).filter(|s| !s.is_empty()).unwrap_or_else(|| resp.detail()),
        ),
        404 | 410 => Error::NotFound(resp.url.to_string()),
        // Xandikos answers 423 while another write holds its store's lock.
        423 | 429 => Error::Busy { status: resp.status },
        412 => match sent {
            Precondition::IfScheduleTagMatch(_) => Error::ScheduleTagMismatch,
            Precondition::IfNoneMatchAny => Error::AlreadyExists,
            _ => Error::EtagMismatch,
        },
        500..=599 => Error::Server { status: resp.status, detail: resp.detail() },
        status => Error::UnexpectedStatus { status, detail: resp.detail() },
    }
}

/// Ok for 2xx, else the typed error.
pub fn expect_success(resp: &Response, sent: &Precondition) -> Result<(), Error> {
    if (200..300).contains(&resp.status) { Ok(()) } else { Err(status_error(resp, sent)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            url: Url::parse("https://h/cal/e.ics").unwrap(),
        }
    }

    #[test]
    fn a_412_is_named_by_the_precondition_sent() {
        let tag = Precondition::IfScheduleTagMatch(ScheduleTag::new("\"1\""));
        assert_eq!(status_error(&resp(412, ""), &tag), Error::ScheduleTagMismatch);
        let etag = Precondition::IfMatch(Etag::new("\"1\""));
        assert_eq!(status_error(&resp(412, ""), &etag), Error::EtagMismatch);
        assert_eq!(status_error(&resp(412, ""), &Precondition::IfNoneMatchAny), Error::AlreadyExists);
    }

    #[test]
    fn the_error_body_beats_the_status() {
        let tag = Precondition::IfScheduleTagMatch(ScheduleTag::new("\"1\""));
        let x = r#"<ns0:error xmlns:ns0="DAV:"><ns1:attendee-allowed xmlns:ns1="urn:ietf:params:xml:ns:caldav"/></ns0:error>"#;
        assert_eq!(status_error(&resp(412, x), &tag), Error::AttendeeChangeForbidden);
        let u = r#"<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:unique-scheduling-object-resource/></D:error>"#;
        assert_eq!(status_error(&resp(403, u), &Precondition::None), Error::UidConflict { existing: None });
    }

    #[test]
    fn locked_and_throttled_are_busy_and_transient() {
        for status in [423, 429] {
            let e = status_error(&resp(status, ""), &Precondition::None);
            assert_eq!(e, Error::Busy { status });
            assert!(e.is_transient());
        }
    }

    #[test]
    fn headers_are_sent_as_typed() {
        let url = Url::parse("https://h/c/e.ics").unwrap();
        let req = Precondition::IfScheduleTagMatch(ScheduleTag::new("\"abc\""))
            .apply(Request::new(Method::PUT, url))
            .unwrap();
        let req = SchedulingHeaders {
            scheduling: Some(SchedulingMode::InternalOnly),
            schedule_user_address: Some("mailto:a@example.com".into()),
            schedule_reply: Some(false),
            cyrus_scheduling_enabled: Some(false),
        }
        .apply(req)
        .unwrap();
        let h = |n: &str| req.headers.get(n).unwrap().to_str().unwrap().to_owned();
        assert_eq!(h("if-schedule-tag-match"), "\"abc\"");
        assert_eq!(h("scheduling"), "internal-only");
        assert_eq!(h("schedule-user-address"), "mailto:a@example.com");
        assert_eq!(h("schedule-reply"), "F");
        assert_eq!(h("scheduling-enabled"), "F");
    }

    #[test]
    fn a_header_that_cant_be_sent_is_an_error_not_dropped() {
        let url = Url::parse("https://h/c/e.ics").unwrap();
        let req = Request::new(Method::PUT, url.clone());
        let e = Precondition::IfMatch(Etag::new("\"a\"\r\nx: y")).apply(req).unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(ref m) if m.contains("if-match")), "{e}");
        let e = Request::dav("PROP FIND", url).unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    }

    #[test]
    fn weak_etags_are_recognised() {
        assert!(Etag::new("W/\"x\"").is_weak());
        assert!(!Etag::new("\"x\"").is_weak());
    }
}
