//! RFC 4918 multistatus bodies: one `Entry` per `DAV:response`, with the
//! properties the server found (status 200) kept apart from the rest.

use url::Url;

use super::error::Error;
use super::xml::{self, DAV, Element};

#[derive(Debug, Clone, Default)]
pub struct Multistatus {
    pub entries: Vec<Entry>,
    /// RFC 6578 `DAV:sync-token` at the top level.
    pub sync_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// Absolute URL of the resource (the href resolved against the request URL).
    pub url: Url,
    /// The `DAV:status` of the response itself, when it has one (e.g. 404 for
    /// a deleted member in sync-collection, 507 for truncation).
    pub status: Option<u16>,
    /// Properties the server returned with status 2xx.
    pub found: Vec<Element>,
}

impl Entry {
    pub fn prop(&self, ns: &str, name: &str) -> Option<&Element> {
        self.found.iter().find(|p| p.is(ns, name))
    }

    /// The trimmed text of a found property, if it has any.
    pub fn text(&self, ns: &str, name: &str) -> Option<String> {
        self.prop(ns, name).map(|p| p.trimmed().to_owned()).filter(|s| !s.is_empty())
    }

    /// The first `DAV:href` inside a found property, resolved.
    pub fn href(&self, base: &Url, ns: &str, name: &str) -> Option<Url> {
        self.hrefs(base, ns, name).into_iter().next()
    }

    /// Every `DAV:href` inside a found property, resolved.
    pub fn hrefs(&self, base: &Url, ns: &str, name: &str) -> Vec<Url> {
        let Some(p) = self.prop(ns, name) else { return Vec::new() };
        p.children_named(DAV, "href").filter_map(|h| base.join(h.trimmed()).ok()).collect()
    }

    /// Raw href texts (not resolved: e.g. `mailto:` addresses).
    pub fn href_texts(&self, ns: &str, name: &str) -> Vec<String> {
        let Some(p) = self.prop(ns, name) else { return Vec::new() };
        p.children_named(DAV, "href").map(|h| h.trimmed().to_owned()).collect()
    }
}

fn parse_status(line: &str) -> Option<u16> {
    // "HTTP/1.1 200 OK"
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn parse(body: &[u8], base: &Url) -> Result<Multistatus, Error> {
    let mut entries = Vec::new();
    let mut out = parse_streaming(body, base, |e| entries.push(e))?;
    out.entries = entries;
    Ok(out)
}

/// Reads a multistatus as it arrives: each response goes to `entry` as
/// soon as it is complete, so a 16 MB answer is never held whole. The
/// returned value has the top-level facts (the sync token), no entries.
/// An error can come after some entries were handed over: the caller
/// treats what it got as unconfirmed until this returns Ok.
pub fn parse_streaming(
    input: impl std::io::BufRead,
    base: &Url,
    mut entry: impl FnMut(Entry),
) -> Result<Multistatus, Error> {
    let root = xml::parse_streaming(input, |child| {
        if !child.is(DAV, "response") {
            return Ok(Some(child));
        }
        entry(read_entry(child, base)?);
        Ok(None)
    })?;
    if !root.is(DAV, "multistatus") {
        return Err(Error::Malformed(format!(
            "expected a DAV:multistatus, got <{}> in namespace {:?}",
            root.name, root.ns
        )));
    }
    Ok(Multistatus {
        entries: Vec::new(),
        sync_token: root.child(DAV, "sync-token").map(|t| t.trimmed().to_owned()),
    })
}

fn read_entry(response: xml::Element, base: &Url) -> Result<Entry, Error> {
    let href = response
        .child(DAV, "href")
        .map(|h| h.trimmed())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::Malformed("a DAV:response without DAV:href".into()))?;
    let url = base.join(href).map_err(|e| Error::Malformed(format!("bad href {href:?}: {e}")))?;
    let status = response.child(DAV, "status").and_then(|s| parse_status(s.trimmed()));
    let mut found = Vec::new();
    // Moved, not copied: the props hold the objects' data.
    for propstat in response.children.into_iter().filter(|c| c.is(DAV, "propstat")) {
        let ok = propstat
            .child(DAV, "status")
            .and_then(|s| parse_status(s.trimmed()))
            .is_some_and(|s| (200..300).contains(&s));
        if !ok {
            continue;
        }
        for prop in propstat.children.into_iter().filter(|c| c.is(DAV, "prop")).take(1) {
            found.extend(prop.children);
        }
    }
    Ok(Entry { url, status, found })
}

/// Same resource, ignoring a trailing slash and percent-encoding (servers
/// differ: Cyrus answers `uid@host.ics`, DAViCal `uid%40host.ics`).
pub fn same_resource(a: &Url, b: &Url) -> bool {
    let path = |u: &Url| {
        percent_encoding::percent_decode_str(u.path().trim_end_matches('/')).decode_utf8_lossy().into_owned()
    };
    a.origin() == b.origin() && path(a) == path(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_found_props_and_resolves_hrefs() {
        let body = br#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
          <d:response><d:href>/u/cal/a%20b.ics</d:href>
            <d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
            <d:propstat><d:prop><c:schedule-tag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
          </d:response>
          <d:response><d:href>/u/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
          <d:sync-token>http://t/2</d:sync-token></d:multistatus>"#;
        let base = Url::parse("https://h:1/u/cal/").unwrap();
        let ms = parse(body, &base).unwrap();
        assert_eq!(ms.sync_token.as_deref(), Some("http://t/2"));
        assert_eq!(ms.entries[0].url.as_str(), "https://h:1/u/cal/a%20b.ics");
        assert_eq!(ms.entries[0].text(DAV, "getetag").as_deref(), Some("\"1\""));
        assert!(ms.entries[0].prop(xml::CALDAV, "schedule-tag").is_none());
        assert_eq!(ms.entries[1].status, Some(404));
    }

    /// Bytes arrive in pieces of any size, split inside a tag, an entity
    /// or a UTF-8 character: the streamed read is the whole read.
    #[test]
    fn read_a_byte_at_a_time_it_is_the_same() {
        struct OneByte<'a>(&'a [u8]);
        impl std::io::Read for OneByte<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first().filter(|_| !out.is_empty()) else {
                    return Ok(0);
                };
                out[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let body = "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">\
          <d:response><d:href>/u/cal/caf%C3%A9.ics</d:href><d:propstat><d:prop><d:getetag>\"1\"</d:getetag>\
          <c:calendar-data>SUMMARY:Caf\u{e9} &amp; cr\u{e8}me &#x263A;\r\n</c:calendar-data></d:prop>\
          <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\
          <d:response><d:href>/u/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>\
          <d:sync-token>http://t/2</d:sync-token></d:multistatus>";
        let base = Url::parse("https://h:1/u/cal/").unwrap();
        let whole = parse(body.as_bytes(), &base).unwrap();
        let mut streamed = Vec::new();
        let input = std::io::BufReader::with_capacity(1, OneByte(body.as_bytes()));
        let top = parse_streaming(input, &base, |e| streamed.push(e)).unwrap();
        assert_eq!(top.sync_token, whole.sync_token);
        assert_eq!(format!("{streamed:?}"), format!("{:?}", whole.entries));
        let data = streamed[0].prop(xml::CALDAV, "calendar-data").unwrap();
        // XML 1.0 hands line ends over as LF (§2.11).
        assert_eq!(data.text, "SUMMARY:Caf\u{e9} & cr\u{e8}me \u{263a}\n");
    }

    #[test]
    fn same_resource_ignores_encoding_and_trailing_slash() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_resource(&u("http://h/c/a@b.ics"), &u("http://h/c/a%40b.ics")));
        assert!(same_resource(&u("http://h/c/inbox"), &u("http://h/c/inbox/")));
        assert!(!same_resource(&u("http://h/c/a.ics"), &u("http://other/c/a.ics")));
    }

    #[test]
    fn refuses_other_roots_and_missing_hrefs() {
        let base = Url::parse("https://h/").unwrap();
        assert!(matches!(parse(b"<a xmlns='DAV:'/>", &base), Err(Error::Malformed(_))));
        let nohref =
            b"<multistatus xmlns='DAV:'><response><status>HTTP/1.1 200 OK</status></response></multistatus>";
        assert!(matches!(parse(nohref, &base), Err(Error::Malformed(m)) if m.contains("href")));
    }
}
