//! Web links in free text (a description, a place), shown as rich text
//! whose links open in the browser.

use iced::widget::text::Span;
use iced::widget::{rich_text, span};
use iced::{Color, Element};

/// A run of plain text, or a link to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits `text` into plain runs and http(s) links. A link ends at a space,
/// a quote or an angle bracket; punctuation after it (a full stop, a closing
/// bracket it does not open) stays text. Other schemes (`javascript:`,
/// `file:`…) are never links.
pub fn split(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut at = 0;
    while let Some(start) = next_link(text, at) {
        let end = link_end(text, start);
        if end == start {
            at = start + 1;
            continue;
        }
        if start > plain {
            out.push(Piece::Text(&text[plain..start]));
        }
        out.push(Piece::Link(&text[start..end]));
        plain = end;
        at = end;
    }
    if plain < text.len() {
        out.push(Piece::Text(&text[plain..]));
    }
    out
}

/// The next `http://` or `https://` (any case) from `from` that starts a
/// word.
fn next_link(text: &str, from: usize) -> Option<usize> {
    let lower = text.get(from..)?.to_ascii_lowercase();
    let mut search = 0;
    while let Some(i) = lower[search..].find("http") {
        let i = search + i;
        let rest = &lower[i..];
        let word_start = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if word_start && (rest.starts_with("http://") || rest.starts_with("https://")) {
            return Some(from + i);
        }
        search = i + 4;
    }
    None
}

/// Where the link at `start` ends; `start` when there is nothing after the
/// scheme.
fn link_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let scheme = rest.find("//").map_or(0, |i| i + 2);
    let mut end = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .map_or(rest.len(), |(i, _)| i);
    while let Some(last) = rest[..end].chars().next_back() {
        let unopened = |open: char| rest[..end].matches(open).count() < rest[..end].matches(last).count();
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '…' => true,
            ')' => unopened('('),
            ']' => unopened('['),
            _ => false,
        };
        if !strip {
            break;
        }
        end -= last.len_utf8();
    }
    if end <= scheme { start } else { start + end }
}

/// `text` with its links underlined in `color`; a click sends `open(url)`.
pub fn rich<'a, Message: 'a>(
    text: &'a str,
    color: Color,
    open: impl Fn(String) -> Message + 'a,
) -> Element<'a, Message> {
    let spans: Vec<Span<'a, String>> = split(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => span(t),
            Piece::Link(url) => span(url).link(url.to_owned()).underline(true).color(color),
        })
        .collect();
    rich_text(spans).on_link_click(open).into()
}

#[cfg(test)]
mod tests {
    use super::Piece::{Link, Text};
    use super::*;

    #[test]
    fn links_are_found_in_text() {
        assert_eq!(
            split("Join at https://meet.example.com/abc?x=1 or call."),
            vec![Text("Join at "), Link("https://meet.example.com/abc?x=1"), Text(" or call.")]
        );
        assert_eq!(split("http://a.example"), vec![Link("http://a.example")]);
        assert_eq!(split("HTTPS://A.EXAMPLE/"), vec![Link("HTTPS://A.EXAMPLE/")]);
        assert_eq!(split("no links here"), vec![Text("no links here")]);
        assert_eq!(split(""), vec![]);
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_link() {
        assert_eq!(
            split("See https://example.com/agenda."),
            vec![Text("See "), Link("https://example.com/agenda"), Text(".")]
        );
        assert_eq!(
            split("(notes: https://example.com/n), then"),
            vec![Text("(notes: "), Link("https://example.com/n"), Text("), then")]
        );
        assert_eq!(
            split("https://en.wikipedia.org/wiki/Mercury_(planet)!"),
            vec![Link("https://en.wikipedia.org/wiki/Mercury_(planet)"), Text("!")],
            "a bracket the link opens is its own"
        );
        assert_eq!(
            split("<https://example.com/a>, \"https://example.com/b\""),
            vec![
                Text("<"),
                Link("https://example.com/a"),
                Text(">, \""),
                Link("https://example.com/b"),
                Text("\"")
            ]
        );
    }

    #[test]
    fn other_schemes_and_lookalikes_are_text() {
        for text in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://example.com/x",
            "mailto:ann@example.com",
            "xhttps://example.com",
            "https://",
            "https://.",
        ] {
            assert_eq!(split(text), vec![Text(text)], "{text}");
        }
    }

    #[test]
    fn text_around_links_keeps_every_character() {
        let text = "Café → https://é.example/ü?q=ß… ok";
        let joined: String = split(text)
            .iter()
            .map(|p| match p {
                Text(t) | Link(t) => *t,
            })
            .collect();
        assert_eq!(joined, text);
        assert!(split(text).contains(&Link("https://é.example/ü?q=ß")), "{:?}", split(text));
    }
}
