//! OPTIONS: what the server says it can do in its `DAV:` and `Allow:` headers.

use std::collections::BTreeSet;

use http::Method;
use url::Url;

use super::error::Error;
use super::http::{Precondition, Request, Response, expect_success};
use super::op::Operation;

pub struct Options {
    pub url: Url,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServerOptions {
    /// `DAV:` tokens, lower-cased, from every `DAV:` header line.
    pub dav: BTreeSet<String>,
    /// `Allow:` methods, upper-cased.
    pub allow: BTreeSet<String>,
    /// The `Server:` header (product identification for the quirks table).
    pub server: Option<String>,
    /// DAViCal identifies itself only in its own header.
    pub davical_version: Option<String>,
}

impl ServerOptions {
    pub fn has(&self, token: &str) -> bool {
        self.dav.contains(&token.to_ascii_lowercase())
    }
}

/// Splits every line of a comma-separated header into a token set. Servers
/// send several `DAV:` lines and fold long ones; a token must never be lost
/// at a line boundary (Thunderbird drops the first one of a line).
pub fn token_set(resp: &Response, name: &str, lower: bool) -> BTreeSet<String> {
    resp.headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| if lower { t.to_ascii_lowercase() } else { t.to_ascii_uppercase() })
        .collect()
}

impl Operation for Options {
    type Output = ServerOptions;

    fn request(&self) -> Result<Request, Error> {
        Ok(Request::new(Method::OPTIONS, self.url.clone()))
    }

    fn parse(&self, resp: Response) -> Result<ServerOptions, Error> {
        expect_success(&resp, &Precondition::None)?;
        Ok(ServerOptions {
            dav: token_set(&resp, "dav", true),
            allow: token_set(&resp, "allow", false),
            server: resp.header("server").map(str::to_owned),
            davical_version: resp.header("x-davical-version").map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    #[test]
    fn dav_tokens_come_from_every_line_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.append("dav", HeaderValue::from_static("1, 2, 3, access-control, calendar-access"));
        headers.append("dav", HeaderValue::from_static("Scheduling-Controls"));
        headers.append("dav", HeaderValue::from_static("calendar-auto-schedule,,extended-mkcol"));
        let resp =
            Response { status: 200, headers, body: Vec::new(), url: Url::parse("https://h/").unwrap() };
        let o = Options { url: resp.url.clone() }.parse(resp).unwrap();
        assert!(o.has("scheduling-controls"));
        assert!(o.has("1"));
        assert!(o.has("CALENDAR-AUTO-SCHEDULE"));
        assert!(o.has("extended-mkcol"));
        assert!(!o.dav.contains(""));
    }
}
