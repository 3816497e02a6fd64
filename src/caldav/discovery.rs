//! Account discovery (RFC 6764 §5, RFC 5397, RFC 4791 §6.2.1): from a URL or a
//! bare domain to the principal, its calendars and the server's options.

use url::Url;

use super::calendars::{Calendar, ListCalendars};
use super::client::Client;
use super::error::Error;
use super::http::Request;
use super::options::{Options, ServerOptions};
use super::propfind::{CurrentUserPrincipal, Principal, PrincipalProps};
use super::quirks::ServerId;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Discovery {
    pub server: ServerId,
    pub principal: Principal,
    pub options: ServerOptions,
    pub calendars: Vec<Calendar>,
}

/// Turns what a person typed ("example.com", "https://dav.example.com/x")
/// into a URL: https unless a scheme is given.
pub fn parse_server_url(input: &str) -> Result<Url, Error> {
    let input = input.trim();
    let with_scheme = if input.contains("://") { input.to_owned() } else { format!("https://{input}") };
    let url = Url::parse(&with_scheme).map_err(|e| Error::InvalidUrl(format!("{input:?}: {e}")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl(format!("{input:?} has no host")));
    }
    // A password in the address would end up in the config file and logs.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidUrl(
            "the address must not contain a user name or password; give the user separately".into(),
        ));
    }
    Ok(url)
}

/// Where to look for the principal: a bare host goes through
/// `/.well-known/caldav` first; a URL with a path is tried as given first.
fn candidates(url: &Url) -> Vec<Url> {
    let well_known = url.join("/.well-known/caldav").ok();
    let bare = url.path() == "/" || url.path().is_empty();
    let mut out = Vec::new();
    if bare {
        out.extend(well_known);
        out.push(url.clone());
    } else {
        out.push(url.clone());
        out.extend(well_known);
    }
    out
}

pub async fn find_principal(client: &Client) -> Result<Url, Error> {
    let mut redirected = None;
    let mut last = None;
    for url in candidates(client.base_url()) {
        match client.run(&CurrentUserPrincipal { url }).await {
            Ok(p) => return Ok(p),
            // These are answers about the account, not about the path.
            Err(e @ (Error::Unauthorized | Error::Tls(_) | Error::Connection(_) | Error::Timeout)) => {
                return Err(e);
            }
            // Credentials never follow it, but the next candidate may work.
            Err(e @ Error::CrossOriginRedirect { .. }) => redirected = Some(e),
            Err(e) => last = Some(e),
        }
    }
    Err(redirected.or(last).unwrap_or_else(|| Error::NotFound(client.base_url().to_string())))
}

pub async fn discover(client: &Client) -> Result<Discovery, Error> {
    let (principal, home) = find_account(client).await?;
    // The server's options and its calendars don't depend on each other:
    // asked side by side, on two connections, they cost one round trip
    // (and the calendar list, on a fresh connection, escapes the 40 ms
    // Cyrus adds to answers over about 4 kB on a reused one).
    let ((options, server), calendars) =
        tokio::try_join!(about_server(client, home), list_calendars(client, &principal))?;
    Ok(Discovery { server, principal, options, calendars })
}

/// The principal and the calendar home the server's options are asked
/// on: the part of [`discover`] the rest depends on.
pub async fn find_account(client: &Client) -> Result<(Principal, Url), Error> {
    let principal_url = find_principal(client).await?;
    let principal = client.run(&PrincipalProps { url: principal_url }).await?;
    let home = principal
        .calendar_homes
        .first()
        .cloned()
        .ok_or_else(|| Error::Malformed("the principal names no calendar home".into()))?;
    Ok((principal, home))
}

/// Every calendar in the principal's calendar homes.
pub async fn list_calendars(client: &Client, principal: &Principal) -> Result<Vec<Calendar>, Error> {
    let mut calendars = Vec::new();
    for home in &principal.calendar_homes {
        calendars.extend(client.run(&ListCalendars { home: home.clone() }).await?);
    }
    Ok(calendars)
}

/// What the server says of itself (OPTIONS on the calendar home) and which
/// server it is: the capability probes, which no data fetch waits for.
pub async fn about_server(client: &Client, home: Url) -> Result<(ServerOptions, ServerId), Error> {
    let options = client.run(&Options { url: home }).await?;
    let server = identify(client, &options).await;
    Ok((options, server))
}

/// Which server this is, for the quirks table. Looks at the root page only
/// when the headers don't say; failing that, the server stays unrecognised.
async fn identify(client: &Client, options: &ServerOptions) -> ServerId {
    let mut id = ServerId::identify(options.server.as_deref(), options.davical_version.as_deref());
    if !id.needs_page() {
        return id;
    }
    let Ok(root) = client.base_url().join("/") else { return id };
    if let Ok(resp) = client.send(Request::new(http::Method::GET, root)).await {
        let head: String = String::from_utf8_lossy(&resp.body).chars().take(4096).collect();
        id.identify_from_page(&head);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_domains_become_https_and_try_well_known_first() {
        let u = parse_server_url("example.com").unwrap();
        assert_eq!(u.as_str(), "https://example.com/");
        let c = candidates(&u);
        assert_eq!(c[0].as_str(), "https://example.com/.well-known/caldav");
        let u = parse_server_url("http://127.0.0.1:8080/dav/").unwrap();
        assert_eq!(candidates(&u)[0].as_str(), "http://127.0.0.1:8080/dav/");
        assert!(parse_server_url("https://").is_err());
        let err = parse_server_url("https://ann:secret@dav.example.com/").unwrap_err().to_string();
        assert!(err.contains("must not contain") && !err.contains("secret"), "{err}");
    }
}
