//! The one place that does HTTP: runs sans-IO operations over reqwest with
//! rustls, Basic auth, a body-size cap, and redirects handled by hand so
//! credentials never reach another origin.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use url::Url;

use super::error::Error;
use super::http::{Request, Response};
use super::multistatus::{self, Entry, Multistatus};
use super::op::Operation;
use super::propfind::parse_multistatus;

/// A password that never shows up in `Debug` output, logs or panics.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Self {
        Password(secret.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub url: Url,
    pub user: String,
    pub password: Password,
    /// Extra CA or self-signed certificate (PEM or DER) to trust besides the
    /// system store. There is deliberately no "accept any certificate" switch.
    pub ca_file: Option<PathBuf>,
    /// Plain http:// to a non-loopback host, only when the user insists.
    pub allow_insecure_http: bool,
    pub timeout: Duration,
    pub max_body: usize,
    /// The most a streamed answer (a first sync's calendar-query) may send:
    /// its entries are read as they come, but they are kept until it ends,
    /// so a server sending without end must not fill the memory. 100,000
    /// realistic events are about 160 MB.
    pub max_streamed: usize,
    /// The most one request waits in all when the server asks to come back
    /// later (`Retry-After` on 503 or 429); a longer wait is left to the
    /// caller (the next sync, the import's own retries).
    pub retry_after_budget: Duration,
}

impl ClientConfig {
    pub fn new(url: Url, user: impl Into<String>, password: Password) -> Self {
        ClientConfig {
            url,
            user: user.into(),
            password,
            ca_file: None,
            allow_insecure_http: false,
            timeout: Duration::from_secs(60),
            max_body: 64 * 1024 * 1024,
            max_streamed: 512 * 1024 * 1024,
            retry_after_budget: Duration::from_secs(30),
        }
    }
}

const MAX_REDIRECTS: usize = 5;
/// Waits while a server answers 423 Locked (Xandikos, while another write
/// holds its store): it did nothing, so asking again is safe.
const LOCKED_WAITS_MS: [u64; 5] = [50, 100, 250, 500, 1000];
/// At most this many `Retry-After` waits per request (a server that says
/// "0" forever can't keep us asking).
const RETRY_AFTER_TIMES: usize = 5;

/// How long a 503 or 429 asks us to wait: `Retry-After` in seconds or as an
/// HTTP date (RFC 9110 §10.2.3). None: no such answer, or no usable header.
fn retry_after(resp: &Response) -> Option<Duration> {
    if !matches!(resp.status, 429 | 503) {
        return None;
    }
    let value = resp.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or_default())
}

/// Cheap to clone: clones share the connection pool and the request count
/// (an import runs beside the account's sync).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    requests: Arc<AtomicU64>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.config.url.as_str())
            .field("user", &self.config.user)
            .finish()
    }
}

/// Loopback hosts may use plain http: nothing crosses a network.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn check_url(url: &Url, allow_insecure_http: bool) -> Result<(), Error> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::InsecureUrl(url.host_str().unwrap_or_default().to_owned())),
        other => Err(Error::InvalidUrl(format!("unsupported scheme {other}:"))),
    }
}

fn load_certificates(path: &PathBuf) -> Result<Vec<reqwest::Certificate>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::CaFile(format!("{}: {e}", path.display())))?;
    let certs = reqwest::Certificate::from_pem_bundle(&bytes).unwrap_or_default();
    if !certs.is_empty() {
        return Ok(certs);
    }
    reqwest::Certificate::from_der(&bytes)
        .map(|c| vec![c])
        .map_err(|_| Error::CaFile(format!("{} holds no PEM or DER certificate", path.display())))
}

/// Names the underlying cause, so "TLS problem" reads as something a person can act on.
fn describe(err: &reqwest::Error) -> String {
    let mut msg = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        let text = e.to_string();
        if !msg.contains(&text) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&text);
        }
        source = e.source();
    }
    msg
}

fn map_transport(err: reqwest::Error) -> Error {
    let text = describe(&err);
    if err.is_timeout() {
        Error::Timeout
    } else if text.contains("certificate") || text.contains("InvalidCertificate") || text.contains("tls") {
        Error::Tls(text)
    } else {
        Error::Connection(text)
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        check_url(&config.url, config.allow_insecure_http)?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(15))
            .user_agent(concat!("Convene/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &config.ca_file {
            builder = builder.tls_certs_merge(load_certificates(path)?);
        }
        let http = builder.build().map_err(|e| Error::Tls(describe(&e)))?;
        Ok(Client { http, config, requests: Arc::new(AtomicU64::new(0)) })
    }

    pub fn base_url(&self) -> &Url {
        &self.config.url
    }

    pub fn user(&self) -> &str {
        &self.config.user
    }

    /// HTTP requests sent so far (benchmarks count them).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub async fn run<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        let resp = self.send(op.request()?).await?;
        op.parse(resp)
    }

    /// Sends one request, following same-origin redirects only.
    pub async fn send(&self, req: Request) -> Result<Response, Error> {
        let (start, method) = (std::time::Instant::now(), req.method.clone());
        let (head, body) = self.send_for_head(req).await?;
        let resp = self.read_body(head, body).await?;
        log_timed(&method, &resp.url, resp.status, resp.body.len(), start);
        Ok(resp)
    }

    /// Sends a REPORT or PROPFIND whose 207 answer is parsed as it arrives,
    /// on a thread of its own (the parse is CPU work that overlaps the
    /// transfer): each response goes to `entry` there, and the answer is
    /// never held whole. Returns the top-level facts (no entries). An
    /// answer other than 207 is the error [`Client::run`] would give.
    pub async fn stream_multistatus(
        &self,
        req: Request,
        entry: impl FnMut(Entry) + Send + 'static,
    ) -> Result<Multistatus, Error> {
        let (start, method) = (std::time::Instant::now(), req.method.clone());
        let (head, mut body) = self.send_for_head(req).await?;
        if head.status != 207 {
            let resp = self.read_body(head, body).await?;
            let status = resp.status;
            return parse_multistatus(resp)
                .and(Err(Error::Malformed(format!("expected 207 Multi-Status, got {status}"))));
        }
        // A few chunks in flight: a parse that falls behind slows the
        // transfer instead of filling memory.
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
        let base = head.url.clone();
        let parser = tokio::task::spawn_blocking(move || {
            let input = std::io::BufReader::with_capacity(64 * 1024, Chunks { rx, chunk: Vec::new(), at: 0 });
            multistatus::parse_streaming(input, &base, entry)
        });
        let mut transfer = Ok(());
        let mut streamed = 0usize;
        loop {
            match body.chunk().await {
                Ok(Some(chunk)) => {
                    streamed += chunk.len();
                    if streamed > self.config.max_streamed {
                        transfer = Err(Error::TooLarge { limit: self.config.max_streamed });
                        break;
                    }
                    // The parser stopped early: its error says why.
                    if tx.send(chunk.to_vec()).await.is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    transfer = Err(map_transport(e));
                    break;
                }
            }
        }
        drop(tx);
        let parsed =
            parser.await.map_err(|e| Error::Malformed(format!("the answer's parse stopped: {e}")))?;
        // A cut connection is that, not malformed XML.
        transfer?;
        log_timed(&method, &head.url, head.status, streamed, start);
        parsed
    }

    /// [`Client::send`] up to the final answer's status and headers (its
    /// `body` empty); the body is left to read.
    async fn send_for_head(&self, mut req: Request) -> Result<(Response, reqwest::Response), Error> {
        // One budget for the whole request, redirects included.
        let mut locked = LOCKED_WAITS_MS.into_iter();
        let mut budget = self.config.retry_after_budget;
        let mut asked = 0;
        for _ in 0..=MAX_REDIRECTS {
            check_url(&req.url, self.config.allow_insecure_http)?;
            let (mut resp, mut body) = self.send_once(&req).await?;
            loop {
                // Locked (423), or told when to come back (503/429): the
                // server did nothing, so asking again is safe.
                let wait = match (resp.status, retry_after(&resp)) {
                    (423, _) => locked.next().map(Duration::from_millis),
                    (_, Some(w)) if w <= budget && asked < RETRY_AFTER_TIMES => {
                        budget -= w;
                        asked += 1;
                        tracing::info!(url = %req.url, status = resp.status, secs = w.as_secs(), "server asked to retry later; waiting");
                        Some(w)
                    }
                    _ => None,
                };
                let Some(wait) = wait else { break };
                tokio::time::sleep(wait).await;
                (resp, body) = self.send_once(&req).await?;
            }
            if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                return Ok((resp, body));
            }
            let location = resp
                .header("location")
                .ok_or_else(|| Error::Malformed(format!("redirect {} without Location", resp.status)))?;
            let next = req
                .url
                .join(location)
                .map_err(|e| Error::Malformed(format!("bad redirect Location {location:?}: {e}")))?;
            if next.origin() != self.config.url.origin() {
                return Err(Error::CrossOriginRedirect { to: next.to_string() });
            }
            tracing::debug!(from = %req.url, to = %next, "following redirect");
            req.url = next;
        }
        Err(Error::TooManyRedirects)
    }

    /// One request; returns its status and headers, and the body to read.
    async fn send_once(&self, req: &Request) -> Result<(Response, reqwest::Response), Error> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let start = std::time::Instant::now();
        let mut builder = self.http.request(req.method.clone(), req.url.clone()).headers(req.headers.clone());
        // Credentials go only to the account's own origin.
        if req.url.origin() == self.config.url.origin() {
            builder = builder.basic_auth(&self.config.user, Some(self.config.password.expose()));
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let resp = builder.send().await.map_err(map_transport)?;
        let status = resp.status().as_u16();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        tracing::trace!(method = %req.method, path = req.url.path(), status, ms = format!("{ms:.1}"), "http headers");
        let headers = resp.headers().clone();
        Ok((Response { status, headers, body: Vec::new(), url: req.url.clone() }, resp))
    }

    /// Reads a whole body into `head`, up to the size cap.
    async fn read_body(&self, mut head: Response, mut resp: reqwest::Response) -> Result<Response, Error> {
        while let Some(chunk) = resp.chunk().await.map_err(map_transport)? {
            if head.body.len() + chunk.len() > self.config.max_body {
                return Err(Error::TooLarge { limit: self.config.max_body });
            }
            head.body.extend_from_slice(&chunk);
        }
        Ok(head)
    }
}

/// One request's method, path, status, size and wall time, redirects and
/// waits included (`RUST_LOG=convene=debug`): where a sync's time goes.
fn log_timed(method: &http::Method, url: &Url, status: u16, bytes: usize, start: std::time::Instant) {
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    tracing::debug!(%method, path = url.path(), status, bytes, ms = format!("{ms:.1}"), "http");
}

/// The body's chunks as they arrive, read on the parse thread.
struct Chunks {
    rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl std::io::Read for Chunks {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.blocking_recv() {
                Some(chunk) => (self.chunk, self.at) = (chunk, 0),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_unless_allowed() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_url(&u("http://127.0.0.1:8080/"), false).is_ok());
        assert!(check_url(&u("http://[::1]/"), false).is_ok());
        assert!(check_url(&u("http://localhost/"), false).is_ok());
        assert_eq!(
            check_url(&u("http://cal.example.com/"), false),
            Err(Error::InsecureUrl("cal.example.com".into()))
        );
        assert!(check_url(&u("http://cal.example.com/"), true).is_ok());
        assert!(check_url(&u("https://cal.example.com/"), false).is_ok());
        assert!(check_url(&u("ftp://cal.example.com/"), true).is_err());
    }

    #[test]
    fn passwords_do_not_leak_through_debug() {
        let c = ClientConfig::new(Url::parse("https://h/").unwrap(), "me", Password::new("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
