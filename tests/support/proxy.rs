//! A fault-injecting HTTP/1.1 proxy in front of a real plain-HTTP server:
//! it forwards each request on a fresh upstream connection and can refuse
//! connections, or hold a PUT (before or after the server got it) so a test
//! can kill the client mid-send, or lose PUT answers and cut REPORT answers
//! short. It counts the PUTs the server received.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Forward = 0,
    /// Close every connection at once: the server looks down.
    Refuse = 1,
    /// Swallow PUTs without forwarding them, and never answer.
    HoldPutBefore = 2,
    /// Forward PUTs to the server but never pass the answer back.
    HoldPutAfter = 3,
    /// Forward the next PUT, then hang up instead of answering (the answer
    /// is lost on the way); back to `Forward` after that one.
    DropOnePutAnswer = 4,
    /// Forward every PUT, then hang up instead of answering (a connection
    /// reset after the server stored it).
    DropPutAnswers = 5,
    /// Pass REPORT answers back cut in half (those under the path given to
    /// [`Proxy::truncate_reports_under`]), with a Content-Length that
    /// matches the cut: the HTTP is whole, the XML is not.
    TruncateReports = 6,
}

pub struct Proxy {
    pub url: url::Url,
    mode: Arc<AtomicU8>,
    puts: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
    cut_under: Arc<Mutex<String>>,
}

impl Proxy {
    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
    /// [`Mode::TruncateReports`] for REPORTs whose path starts with `prefix`.
    pub fn truncate_reports_under(&self, prefix: &str) {
        *self.cut_under.lock().expect("proxy prefix") = prefix.to_owned();
        self.set(Mode::TruncateReports);
    }
    /// PUTs that reached the real server.
    pub fn puts_forwarded(&self) -> usize {
        self.puts.load(Ordering::SeqCst)
    }
    /// PUTs the client sent (forwarded or not).
    pub fn puts_seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

pub async fn start(upstream: std::net::SocketAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let mode = Arc::new(AtomicU8::new(Mode::Forward as u8));
    let puts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let cut_under = Arc::new(Mutex::new(String::new()));
    let (m, p, s, c) = (mode.clone(), puts.clone(), seen.clone(), cut_under.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (m, p, s, c) = (m.clone(), p.clone(), s.clone(), c.clone());
            tokio::spawn(async move {
                let _ = serve(client, upstream, m, p, s, c).await;
            });
        }
    });
    Proxy { url, mode, puts, seen, cut_under }
}

/// Reads one request (headers + Content-Length body), rewritten to close
/// the upstream connection after the answer; with its method and path.
async fn read_request(client: &mut TcpStream) -> Option<(String, String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let kept: Vec<&str> =
        head.trim_end().lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    let mut out = kept.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    out.extend_from_slice(&buf[head_end..head_end + len]);
    Some((method, path, out))
}

async fn serve(
    mut client: TcpStream,
    upstream: std::net::SocketAddr,
    mode: Arc<AtomicU8>,
    puts: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
    cut_under: Arc<Mutex<String>>,
) -> std::io::Result<()> {
    let current = || mode.load(Ordering::SeqCst);
    if current() == Mode::Refuse as u8 {
        return Ok(());
    }
    let Some((method, path, request)) = read_request(&mut client).await else { return Ok(()) };
    if method == "PUT" {
        seen.fetch_add(1, Ordering::SeqCst);
    }
    let hold = |m: Mode| method == "PUT" && current() == m as u8;
    if hold(Mode::HoldPutBefore) {
        std::future::pending::<()>().await;
    }
    let held_after = hold(Mode::HoldPutAfter);
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request).await?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    if method == "PUT" {
        puts.fetch_add(1, Ordering::SeqCst);
    }
    if held_after {
        std::future::pending::<()>().await;
    }
    let drop_this = method == "PUT"
        && mode
            .compare_exchange(
                Mode::DropOnePutAnswer as u8,
                Mode::Forward as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok();
    if drop_this || hold(Mode::DropPutAnswers) {
        return Ok(());
    }
    let cut_this = method == "REPORT"
        && current() == Mode::TruncateReports as u8
        && path.starts_with(cut_under.lock().expect("proxy prefix").as_str());
    let response = if cut_this { cut(&response) } else { response };
    client.write_all(&response).await?;
    client.shutdown().await
}

/// The response with its body cut in half (chunked bodies decoded first)
/// and a Content-Length that matches.
fn cut(response: &[u8]) -> Vec<u8> {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else { return response.to_vec() };
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut body = response[end + 4..].to_vec();
    let header = |l: &str, name: &str| l.to_ascii_lowercase().starts_with(name);
    if head.lines().any(|l| header(l, "transfer-encoding:") && l.to_ascii_lowercase().contains("chunked")) {
        body = dechunk(&body);
    }
    body.truncate(body.len() / 2);
    let kept: Vec<&str> =
        head.lines().filter(|l| !header(l, "content-length:") && !header(l, "transfer-encoding:")).collect();
    let mut out = format!("{}\r\nContent-Length: {}\r\n\r\n", kept.join("\r\n"), body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&raw[..eol]);
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else { break };
        if n == 0 || raw.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + n]);
        raw = &raw[(eol + 4 + n).min(raw.len())..];
    }
    out
}
