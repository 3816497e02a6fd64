//! A small namespace-resolved XML tree, built with quick-xml, hardened for
//! untrusted server responses: no DTDs, no custom entities, bounded depth and
//! size, UTF-8 only. Every failure is a typed [`Error::Malformed`], never a panic.

use std::collections::HashSet;
use std::sync::Arc;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::error::Error;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE: &str = "http://apple.com/ns/ical/";

/// Deeper than any real multistatus (about 8 levels); deep enough to refuse
/// nesting bombs long before the stack is at risk.
const MAX_DEPTH: usize = 64;
const MAX_ELEMENTS: usize = 2_000_000;

/// One element: its resolved name, its own text (concatenated, entity
/// references resolved) and its child elements. Mixed content is not needed
/// for WebDAV, so text positions are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Shared by every element in the same namespace: a hostile answer that
    /// declares one long namespace name and uses it on millions of elements
    /// must not cost one copy per element.
    pub ns: Arc<str>,
    pub name: String,
    pub text: String,
    /// Attributes by local name (WebDAV uses only unprefixed ones, e.g.
    /// `<C:comp name="VEVENT"/>`).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        &*self.ns == ns && self.name == name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Trimmed text of this element.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }

    /// Any descendant (including self) with this name.
    pub fn find(&self, ns: &str, name: &str) -> Option<&Element> {
        if self.is(ns, name) {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(ns, name))
    }
}

fn malformed(what: impl Into<String>) -> Error {
    Error::Malformed(what.into())
}

/// Parses a whole document and returns its root element.
pub fn parse(body: &[u8]) -> Result<Element, Error> {
    let text = std::str::from_utf8(body).map_err(|e| malformed(format!("XML body is not UTF-8 ({e})")))?;
    parse_streaming(text.as_bytes(), |child| Ok(Some(child)))
}

/// Parses a document as it is read, handing each child of the root to
/// `child` as soon as it is complete (a multistatus's responses, while the
/// rest is still on its way); the root keeps those `child` gives back.
/// Memory is bounded by the largest child, not the document.
pub fn parse_streaming(
    input: impl std::io::BufRead,
    mut child: impl FnMut(Element) -> Result<Option<Element>, Error>,
) -> Result<Element, Error> {
    let mut reader = NsReader::from_reader(input);
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let mut namespaces: HashSet<Arc<str>> = HashSet::new();
    // A closed element: kept by its parent, or offered to `child` when the
    // parent is the root.
    let mut close = |stack: &mut Vec<Element>, root: &mut Option<Element>, element: Element| {
        match stack.as_mut_slice() {
            [] => *root = Some(element),
            [top] => {
                if let Some(kept) = child(element)? {
                    top.children.push(kept);
                }
            }
            [.., parent] => parent.children.push(element),
        }
        Ok::<_, Error>(())
    };

    loop {
        buf.clear();
        let (ns, event) = reader.read_resolved_event_into(&mut buf).map_err(|e| match e {
            quick_xml::Error::Encoding(e) => malformed(format!("XML body is not UTF-8 ({e})")),
            e => malformed(format!("invalid XML: {e}")),
        })?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(malformed("XML has too many elements"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(format!("XML nested deeper than {MAX_DEPTH} levels")));
                }
                if root.is_some() {
                    return Err(malformed("XML has content after the root element"));
                }
                let ns = match ns {
                    ResolveResult::Bound(ns) => intern(&mut namespaces, ns.as_ref()),
                    ResolveResult::Unbound => intern(&mut namespaces, ""),
                    ResolveResult::Unknown(prefix) => {
                        return Err(malformed(format!("undeclared XML prefix {prefix:?}")));
                    }
                };
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| malformed(format!("bad XML attribute: {e}")))?;
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| malformed(format!("bad XML attribute value: {e}")))?;
                    attrs.push((attr.key.local_name().as_ref().to_owned(), value.into_owned()));
                }
                let element = Element {
                    ns,
                    name: start.local_name().as_ref().to_owned(),
                    text: String::new(),
                    attrs,
                    children: Vec::new(),
                };
                if is_empty {
                    close(&mut stack, &mut root, element)?;
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| malformed("unbalanced XML end tag"))?;
                close(&mut stack, &mut root, element)?;
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::CData(c) => {
                push_text(&mut stack, &c.xml10_content())?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = r.into_inner();
                        predefined_entity(&name)
                            .ok_or_else(|| malformed(format!("unknown XML entity &{name};")))?
                            .to_owned()
                    }
                    Err(e) => return Err(malformed(format!("bad character reference: {e}"))),
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => {
                // DTDs are how entity bombs and external entities get in.
                return Err(malformed("XML with a DOCTYPE is not accepted"));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("XML ends before its elements are closed (truncated?)"));
    }
    root.ok_or_else(|| malformed("empty XML document"))
}

/// One allocation per distinct namespace name.
fn intern(namespaces: &mut HashSet<Arc<str>>, ns: &str) -> Arc<str> {
    if let Some(shared) = namespaces.get(ns) {
        return shared.clone();
    }
    let shared: Arc<str> = Arc::from(ns);
    namespaces.insert(shared.clone());
    shared
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), Error> {
    match stack.last_mut() {
        Some(el) => {
            el.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(malformed("text outside the root element")),
    }
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// Escapes text for an XML body we build.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_whatever_the_prefix() {
        let doc = br#"<?xml version="1.0"?><x:multistatus xmlns:x="DAV:" xmlns="urn:ietf:params:xml:ns:caldav"><x:response><calendar-data>A</calendar-data></x:response></x:multistatus>"#;
        let root = parse(doc).unwrap();
        assert!(root.is(DAV, "multistatus"));
        let data = root.find(CALDAV, "calendar-data").unwrap();
        assert_eq!(data.text, "A");
    }

    #[test]
    fn keeps_text_around_entity_references() {
        let root = parse(b"<a xmlns='DAV:'> Work &amp; Projects &#x263A;</a>").unwrap();
        assert_eq!(root.trimmed(), "Work & Projects \u{263A}");
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert!(matches!(parse(bomb), Err(Error::Malformed(m)) if m.contains("DOCTYPE")));
        let xxe = br#"<a>&xxe;</a>"#;
        assert!(matches!(parse(xxe), Err(Error::Malformed(m)) if m.contains("&xxe;")));
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
        assert!(matches!(parse(deep.as_bytes()), Err(Error::Malformed(m)) if m.contains("deeper")));
    }

    #[test]
    fn refuses_truncated_and_non_utf8() {
        assert!(matches!(parse(b"<a xmlns='DAV:'><b>"), Err(Error::Malformed(m)) if m.contains("truncated")));
        assert!(matches!(parse(b"<a>\xff\xfe</a>"), Err(Error::Malformed(m)) if m.contains("UTF-8")));
        assert!(matches!(parse(b""), Err(Error::Malformed(_))));
        assert!(matches!(parse(b"<a></b>"), Err(Error::Malformed(_))));
        assert!(matches!(parse(b"<p:a/>"), Err(Error::Malformed(m)) if m.contains("prefix")));
    }

    #[test]
    fn elements_share_one_copy_of_a_namespace_name() {
        // Found by tests/hermetic/fuzz/: a 100 kB namespace name on 10,000
        // empty elements cost a copy each (about 1 GB from 140 kB).
        let long = "n".repeat(100_000);
        let doc = format!("<l:a xmlns:l=\"urn:{long}\">{}</l:a>", "<l:b/>".repeat(10_000));
        let root = parse(doc.as_bytes()).unwrap();
        assert_eq!(root.children.len(), 10_000);
        assert!(root.children.iter().all(|c| c.ns.as_ptr() == root.ns.as_ptr()), "one copy per element");
        assert!(root.is(&format!("urn:{long}"), "a"));
    }

    #[test]
    fn streaming_hands_over_the_roots_children_as_they_close() {
        let body = "<a xmlns='DAV:'><r>1</r><keep><r>inner</r></keep><r>2</r></a>";
        let mut handed = Vec::new();
        let root = parse_streaming(body.as_bytes(), |c| {
            if c.name == "r" {
                handed.push(c.text);
                return Ok(None);
            }
            Ok(Some(c))
        })
        .unwrap();
        assert_eq!(handed, ["1", "2"]);
        // Only the root's own children are handed over; what comes back is kept.
        assert_eq!(root.children.len(), 1);
        assert_eq!(root.children[0].children[0].text, "inner");
    }

    #[test]
    fn escape_round_trips() {
        let s = "a<b>&\"c'";
        let doc = format!("<a>{}</a>", escape(s));
        assert_eq!(parse(doc.as_bytes()).unwrap().text, s);
    }
}
