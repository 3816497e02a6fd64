//! Everything that changed in a calendar since a sync token: follows 507
//! truncation to the end and falls back to a full listing when the server
//! has forgotten the token (RFC 6578 §3.6, §3.8).

use url::Url;

use super::client::Client;
use super::error::Error;
use super::report::{Listed, SyncCollection};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// With their data where the server sent it.
    pub changed: Vec<Listed>,
    pub removed: Vec<Url>,
    pub token: Option<String>,
    /// The token was refused: `changed` lists every object, and anything the
    /// caller holds that is not listed is gone.
    pub full: bool,
}

/// Bounds a misbehaving server that reports truncation forever.
const MAX_ROUNDS: usize = 1000;

pub async fn since(client: &Client, calendar: &Url, token: Option<String>) -> Result<Changes, Error> {
    let mut out = Changes { full: token.is_none(), ..Changes::default() };
    let mut token = token;
    for _ in 0..MAX_ROUNDS {
        let round = SyncCollection { calendar: calendar.clone(), token: token.clone() };
        let delta = match client.run(&round).await {
            Err(Error::InvalidSyncToken) if token.is_some() => {
                tracing::info!(%calendar, "sync token refused; listing everything");
                out = Changes { full: true, ..Changes::default() };
                token = None;
                continue;
            }
            other => other?,
        };
        out.changed.extend(delta.changed);
        out.removed.extend(delta.removed);
        if delta.token.is_none() || delta.token == token {
            out.token = delta.token;
            return Ok(out);
        }
        token = delta.token.clone();
        out.token = delta.token;
        if !delta.truncated {
            return Ok(out);
        }
    }
    Err(Error::Malformed(format!("{calendar} kept reporting truncated sync results")))
}
