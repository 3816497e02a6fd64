//! Fuzzing the readers of untrusted bytes: server XML (the tree, multistatus,
//! `DAV:error` bodies and the operations that parse answers) and iCalendar
//! text (content lines, invitations, expansion, diff, reply, import).
//!
//! Coverage-guided fuzzing (cargo-fuzz, libFuzzer) needs a nightly toolchain,
//! so this is property-based with structure-aware generators: a seeded PRNG
//! writes multistatus and iCalendar documents with the tricks hostile peers
//! use (entities, DTDs, deep nesting, huge counts, long and folded lines, odd
//! encodings) and mutates them and the captured server answers in
//! tests/fixtures (byte flips, truncation, splices, repeated lines). Every
//! input runs under `catch_unwind`; a panic or a broken property is
//! minimised and reported with the seed and index that rebuild it.
//!
//! Plain `cargo test` runs [`QUICK`] inputs per reader. The full run:
//!
//! ```text
//! CONVENE_FUZZ_INPUTS=1000000 cargo test --release --test hermetic fuzz -- --nocapture
//! ```
//!
//! (`CONVENE_FUZZ_SEED=n` picks another seed) prints per reader the inputs,
//! panics, the slowest input, inputs/s and the process's peak RSS.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once, OnceLock};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use convene::caldav::http::Response;
use convene::caldav::xml::{self, Element};
use convene::caldav::{
    CalendarQuery, CurrentUserPrincipal, ListCalendars, Multiget, Operation, PrincipalProps, SyncCollection,
    error::DavErrorBody, multistatus,
};
use convene::ical::identity::normalize;
use convene::ical::lines::{Component, Item};
use convene::ical::repeat::BOUNDS;
use convene::ical::{Answer, Document, Identity, Reply, diff::diff, invitation, occurrence, reply};
use convene::import::source;
use http::HeaderMap;
use url::Url;

/// Inputs per reader in plain `cargo test` (a debug build): a few seconds.
const QUICK: u64 = 1000;

/// An input still running after this long is reported (not failed: the
/// figure is for finding hangs, not for timing).
const HANG_REPORT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// The PRNG: SplitMix64, seeded per reader and input, so (seed, index) rebuilds
// any input.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    /// How many of something: mostly a few, now and then very many.
    fn count(&mut self) -> usize {
        match self.below(1000) {
            0 => 500 + self.below(3000),
            1..=20 => 10 + self.below(50),
            _ => self.below(5),
        }
    }
}

// ---------------------------------------------------------------------------
// Seeds: the captured answers of the four servers and the import fixtures.

struct Corpus {
    xml: Vec<Vec<u8>>,
    ical: Vec<Vec<u8>>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut c = Corpus { xml: Vec::new(), ical: Vec::new() };
        for dir in ["xandikos", "cyrus", "davical", "radicale", "requests", "import"] {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
            files.sort();
            for f in files {
                let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
                match ext {
                    "xml" | "body" => c.xml.push(std::fs::read(&f).unwrap()),
                    "ics" => c.ical.push(std::fs::read(&f).unwrap()),
                    _ => {}
                }
            }
        }
        assert!(c.xml.len() > 30 && c.ical.len() > 5, "fixtures missing");
        c
    })
}

// ---------------------------------------------------------------------------
// Structure-aware generators.

const HREFS: &[&str] = &[
    "/dav/cal/a.ics",
    "/dav/cal/a%20b.ics",
    "/dav/cal/",
    "/dav/cal",
    "a.ics",
    "https://other.example/x.ics",
    "http://[::1]:80/",
    "mailto:ann@example.com",
    "MAILTO:Attendee@EXAMPLE.com",
    "",
    " ",
    "../../../..",
    "//evil.example/",
    "/dav/cal/%zz",
    "/dav/cal/\u{e9}t\u{e9}.ics",
    "javascript:alert(1)",
    "http://h:99999/",
    "urn:uuid:1234",
    "/dav/cal/uid@host.ics",
    "/dav/cal/uid%40host.ics",
    "\u{0}",
];

const STATUSES: &[&str] = &[
    "HTTP/1.1 200 OK",
    "HTTP/1.1 200 OK",
    "HTTP/1.1 404 Not Found",
    "HTTP/1.1 410 Gone",
    "HTTP/1.1 507 Insufficient Storage",
    "HTTP/1.1 403 Forbidden",
    "HTTP/1.1",
    "",
    "garbage",
    "HTTP/1.1 99999 x",
    "HTTP/1.1 -1",
    "HTTP/1.1 2OO OK",
    "HTTP/2 201",
];

const XML_TEXTS: &[&str] = &[
    "\"etag-1\"",
    "W/\"weak\"",
    "Work &amp; Projects &#x263A;",
    "&#0;",
    "&#xD800;",
    "&#99999999;",
    "&#x;",
    "&unknown;",
    "&amp",
    "<![CDATA[ <b>not a tag</b> ]]>",
    "<![CDATA[",
    "]]>",
    "\u{FEFF}",
    "\u{1F600}\u{e9}",
    "#ff0000ff",
    "http://sync.example/token/1",
    "  \r\n\t ",
    "\u{7}\u{1b}[31m",
];

fn xml_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(3) {
        s.push_str(rng.pick(XML_TEXTS));
    }
    if rng.one_in(200) {
        s = s.repeat(1 + rng.below(2000));
    }
    s
}

/// Generated documents stop growing at about this size (a few inputs in a
/// thousand are allowed ten times more).
fn budget(rng: &mut Rng) -> usize {
    if rng.one_in(300) { 1 << 20 } else { 16 << 10 }
}

/// A multistatus, a `DAV:error` or an element soup.
fn gen_xml(rng: &mut Rng) -> Vec<u8> {
    let d = rng.pick(&["d", "D", "ns0", "", "x"]);
    let c = rng.pick(&["c", "C", "cal", "ns1"]);
    let tag = |p: &str, n: &str| if p.is_empty() { n.to_owned() } else { format!("{p}:{n}") };
    let xmlns = |p: &str| if p.is_empty() { "xmlns".to_owned() } else { format!("xmlns:{p}") };
    let mut s = String::new();
    if rng.one_in(10) {
        s.push('\u{FEFF}');
    }
    if !rng.one_in(4) {
        let enc = rng.pick(&["utf-8", "UTF-8", "UTF-16", "ISO-8859-1", "bogus"]);
        s.push_str(&format!("<?xml version=\"1.0\" encoding=\"{enc}\"?>\n"));
    }
    if rng.one_in(30) {
        s.push_str("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\"><!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>");
    }
    if rng.one_in(20) {
        s.push_str("<!-- a comment -- with dashes --><?pi target?>");
    }
    let ns_decl = |rng: &mut Rng| {
        let mut n = format!(
            r#" {}="DAV:" {}="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/""#,
            xmlns(d),
            xmlns(c)
        );
        if rng.one_in(40) {
            // A long namespace name that many elements share.
            n.push_str(&format!(r#" xmlns:long="urn:{}""#, "n".repeat(1000 + rng.below(20_000))));
        }
        n
    };
    match rng.below(20) {
        0 | 1 => {
            let decls = ns_decl(rng);
            s.push_str(&format!("<{}{decls}>", tag(d, "error")));
            for _ in 0..rng.count() {
                s.push_str(match rng.below(5) {
                    0 => "<C:no-uid-conflict xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:href xmlns:D=\"DAV:\">/cal/a.ics</D:href></C:no-uid-conflict>",
                    1 => "<C:attendee-allowed xmlns:C=\"urn:ietf:params:xml:ns:caldav\"/>",
                    2 => "<D:valid-sync-token xmlns:D=\"DAV:\"/>",
                    3 => "<x:other xmlns:x=\"urn:x\">text</x:other>",
                    _ => "<unique-scheduling-object-resource xmlns=\"urn:ietf:params:xml:ns:caldav\"/>",
                });
            }
            s.push_str(&format!("</{}>", tag(d, "error")));
        }
        2 => {
            // Soup: nesting, attributes, odd names.
            let depth = if rng.one_in(5) { 10 + rng.below(200) } else { rng.below(10) };
            for i in 0..depth {
                s.push_str(&format!("<e{i} a=\"{}\" b='&lt;&#65;'>", xml_text(rng).replace('"', "")));
            }
            s.push_str(&xml_text(rng));
            for i in (0..depth).rev() {
                s.push_str(&format!("</e{i}>"));
            }
        }
        _ => {
            let decls = ns_decl(rng);
            let long = decls.contains("xmlns:long");
            let budget = budget(rng);
            s.push_str(&format!("<{}{decls}>", tag(d, "multistatus")));
            for _ in 0..rng.count() {
                if s.len() > budget {
                    break;
                }
                s.push_str(&format!("<{}>", tag(d, "response")));
                if !rng.one_in(20) {
                    s.push_str(&format!("<{0}>{1}</{0}>", tag(d, "href"), rng.pick(HREFS)));
                }
                if rng.one_in(6) {
                    s.push_str(&format!("<{0}>{1}</{0}>", tag(d, "status"), rng.pick(STATUSES)));
                }
                for _ in 0..rng.below(3) {
                    s.push_str(&format!("<{}><{}>", tag(d, "propstat"), tag(d, "prop")));
                    for _ in 0..rng.count().max(1) {
                        if s.len() > budget {
                            break;
                        }
                        s.push_str(&prop(rng, d, c, long));
                    }
                    s.push_str(&format!("</{}>", tag(d, "prop")));
                    s.push_str(&format!("<{0}>{1}</{0}>", tag(d, "status"), rng.pick(STATUSES)));
                    s.push_str(&format!("</{}>", tag(d, "propstat")));
                }
                s.push_str(&format!("</{}>", tag(d, "response")));
            }
            if rng.one_in(2) {
                s.push_str(&format!("<{0}>{1}</{0}>", tag(d, "sync-token"), xml_text(rng)));
            }
            s.push_str(&format!("</{}>", tag(d, "multistatus")));
        }
    }
    if rng.one_in(30) {
        s.push_str(rng.pick(&["<after/>", "trailing text", "<?pi?>", "\u{0}"]));
    }
    s.into_bytes()
}

fn prop(rng: &mut Rng, d: &str, c: &str, long: bool) -> String {
    let tag = |p: &str, n: &str| if p.is_empty() { n.to_owned() } else { format!("{p}:{n}") };
    let href = |rng: &mut Rng| format!("<{0}>{1}</{0}>", tag(d, "href"), rng.pick(HREFS));
    let (p, name, body) = match rng.below(16) {
        0 => (d, "getetag", xml_text(rng)),
        1 => (c, "schedule-tag", xml_text(rng)),
        2 | 3 => {
            let ics = String::from_utf8_lossy(&gen_ical(rng)).into_owned();
            let body = if rng.one_in(3) { format!("<![CDATA[{ics}]]>") } else { xml::escape(&ics) };
            (c, "calendar-data", body)
        }
        4 => (d, "displayname", xml_text(rng)),
        5 => (d, "resourcetype", format!("<{}/><{}/>", tag(d, "collection"), tag(c, "calendar"))),
        6 => {
            let comps: String = (0..rng.count())
                .map(|_| {
                    format!("<{} name=\"{}\"/>", tag(c, "comp"), rng.pick(&["VEVENT", "VTODO", "", "&amp;"]))
                })
                .collect();
            (c, "supported-calendar-component-set", comps)
        }
        7 => (d, "current-user-principal", href(rng)),
        8 => (c, "calendar-home-set", (0..1 + rng.below(3)).map(|_| href(rng)).collect()),
        9 => (c, "calendar-user-address-set", (0..1 + rng.below(3)).map(|_| href(rng)).collect()),
        10 => (c, "schedule-inbox-URL", href(rng)),
        11 => (d, "sync-token", xml_text(rng)),
        12 => ("cs", "getctag", xml_text(rng)),
        13 => ("a", "calendar-color", xml_text(rng)),
        14 => (
            d,
            "supported-report-set",
            format!(
                "<{0}><{1}><{2}/></{1}></{0}>",
                tag(d, "supported-report"),
                tag(d, "report"),
                tag(d, "sync-collection")
            ),
        ),
        _ => {
            let depth = if rng.one_in(10) { 60 + rng.below(20) } else { rng.below(6) };
            ("a", "nested", "<a:x>".repeat(depth) + &"</a:x>".repeat(depth))
        }
    };
    if long && rng.one_in(2) {
        return "<long:p/>".repeat(1 + rng.below(300));
    }
    let t = tag(p, name);
    if body.is_empty() && rng.one_in(2) { format!("<{t}/>") } else { format!("<{t}>{body}</{t}>") }
}

/// Dates near the expansion window (2030-06/07) mostly, far ones now and then.
fn date(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => (rng
            .pick(&["19700101", "20000101", "00010101", "99991231", "19000228", "20300229", "20301332"]))
        .to_owned(),
        _ => format!(
            "{}{:02}{:02}",
            rng.pick(&[2029, 2030, 2030, 2030, 2031]),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
    }
}

fn when(rng: &mut Rng, name: &str) -> String {
    let tz = rng.pick(&[
        "",
        "",
        ";TZID=Europe/Berlin",
        ";TZID=Pacific/Chatham",
        ";TZID=Nowhere/Atlantis",
        ";TZID=\"America/New_York\"",
        ";TZID=/mozilla.org/20050126_1/Europe/Paris",
        ";TZID=W. Europe Standard Time",
        ";VALUE=DATE",
    ]);
    let time = format!("T{:02}{:02}{:02}", rng.below(24), rng.below(60), rng.below(60));
    let value = match rng.below(12) {
        0 => date(rng),
        1 => (rng.pick(&["2030-01-15", "20300115T1000", "+20300115", "", "20300115T250000Z", "T", "P1D"]))
            .to_owned(),
        2..=5 => format!("{}{time}", date(rng)),
        _ => format!("{}{time}Z", date(rng)),
    };
    format!("{name}{tz}:{value}")
}

fn rrule(rng: &mut Rng) -> String {
    let freqs: &[&str] =
        &["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "FOO", ""];
    let mut r = format!("RRULE:FREQ={}", rng.pick(freqs));
    for _ in 0..rng.below(4) {
        r.push(';');
        r.push_str(match rng.below(12) {
            0 => rng.pick(&["COUNT=1", "COUNT=10", "COUNT=1000", "COUNT=2000000000", "COUNT=0", "COUNT=-1"]),
            1 => rng.pick(&["UNTIL=20300701T000000Z", "UNTIL=20300701", "UNTIL=19700101T000000Z", "UNTIL=x"]),
            2 => rng.pick(&["INTERVAL=1", "INTERVAL=2", "INTERVAL=0", "INTERVAL=1000000"]),
            3 => rng.pick(&["BYDAY=MO,TU", "BYDAY=1MO", "BYDAY=-1FR", "BYDAY=53MO", "BYDAY=XX"]),
            4 => rng.pick(&["BYMONTHDAY=31", "BYMONTHDAY=-1", "BYMONTHDAY=0"]),
            5 => rng.pick(&["BYMONTH=2", "BYMONTH=13", "BYMONTH=6,7"]),
            6 => rng.pick(&["BYSETPOS=-1", "BYSETPOS=400"]),
            7 => rng.pick(&["BYHOUR=9", "BYHOUR=25", "BYMINUTE=0,30", "BYSECOND=61"]),
            8 => rng.pick(&["BYWEEKNO=53", "BYYEARDAY=366", "BYYEARDAY=-1"]),
            9 => "WKST=SU",
            10 => "X-NAME=1",
            _ => "",
        });
    }
    r
}

fn ical_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(3) {
        s.push_str(rng.pick(&[
            "Weekly sync",
            "Caf\u{e9} \\, bar\\; baz",
            "\\n\\N\\\\",
            "\u{1F600}\u{e9}\u{301}",
            "a:b;c,d",
            "\"quoted\"",
            "\u{0}\u{7f}",
            "\u{FEFF}",
            "\\",
            " ",
        ]));
    }
    if rng.one_in(100) {
        s = s.repeat(1 + rng.below(1000));
    }
    s
}

/// An iCalendar object (sometimes several, for import) with timezones,
/// series, overrides, attendees and alarms, folded at odd widths.
fn gen_ical(rng: &mut Rng) -> Vec<u8> {
    let mut lines: Vec<String> = Vec::new();
    let calendars = if rng.one_in(10) { 2 + rng.below(3) } else { 1 };
    for cal in 0..calendars {
        if cal > 0 && rng.one_in(3) {
            lines.push("garbage between calendars".into());
        }
        calendar(rng, &mut lines);
    }
    let eol = rng.pick(&["\r\n", "\r\n", "\n"]);
    let mut out = String::new();
    for line in &lines {
        if rng.one_in(4) {
            // Folded at an odd width (on character boundaries).
            let width = 1 + rng.below(80);
            let cont = rng.pick(&[" ", "\t"]);
            let mut n = 0;
            for ch in line.chars() {
                if n >= width {
                    out.push_str(eol);
                    out.push_str(cont);
                    n = 0;
                }
                out.push(ch);
                n += ch.len_utf8();
            }
        } else {
            out.push_str(line);
        }
        out.push_str(if rng.one_in(50) { "\n" } else { eol });
    }
    if rng.one_in(20) {
        out.insert(0, '\u{FEFF}');
    }
    out.into_bytes()
}

fn calendar(rng: &mut Rng, lines: &mut Vec<String>) {
    lines.push("BEGIN:VCALENDAR".into());
    lines.push("VERSION:2.0".into());
    if !rng.one_in(5) {
        lines.push("PRODID:-//Fuzz//EN".into());
    }
    if rng.one_in(3) {
        lines.push(
            (rng.pick(&["METHOD:REQUEST", "METHOD:CANCEL", "CALSCALE:GREGORIAN", "X-WR-CALNAME:x"])).into(),
        );
    }
    if rng.one_in(4) {
        let zones = if rng.one_in(50) { 1 + rng.below(300) } else { 1 };
        for _ in 0..zones {
            lines.push("BEGIN:VTIMEZONE".into());
            lines.push(format!(
                "TZID:{}",
                rng.pick(&["Europe/Berlin", "Nowhere/Atlantis", "Custom\\, zone", ""])
            ));
            for part in ["STANDARD", "DAYLIGHT"] {
                lines.push(format!("BEGIN:{part}"));
                lines.push("DTSTART:19701025T030000".into());
                lines.push("TZOFFSETFROM:+0200".into());
                lines.push("TZOFFSETTO:+0100".into());
                if rng.one_in(30) {
                    lines.extend(
                        (0..rng.count() * 3).map(|i| format!("RDATE:{}1025T030000", 1970 + i % 9000)),
                    );
                }
                lines.push(format!("END:{part}"));
            }
            lines.push("END:VTIMEZONE".into());
        }
    }
    let uid = format!("uid-{}@example.com", rng.below(4));
    let comps = rng.count().max(1);
    let budget = budget(rng) / 40;
    for i in 0..comps {
        if lines.len() > budget {
            break;
        }
        let kind = rng.pick(&["VEVENT", "VEVENT", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "X-THING"]);
        lines.push(format!("BEGIN:{kind}"));
        if !rng.one_in(10) {
            let u = if rng.one_in(2) { uid.clone() } else { format!("u{i}-{}", rng.below(1000)) };
            lines.push(format!("UID:{u}"));
        }
        lines.push("DTSTAMP:20300101T000000Z".into());
        let start = when(rng, "DTSTART");
        if !rng.one_in(15) {
            lines.push(start);
        }
        match rng.below(4) {
            0 => lines.push(when(rng, "DTEND")),
            1 => lines.push(format!(
                "DURATION:{}",
                rng.pick(&["PT1H", "P1D", "PT15M", "P999999999999W", "PT", "P1W2D", "-PT1H", "1H"])
            )),
            2 if kind == "VTODO" => lines.push(when(rng, "DUE")),
            _ => {}
        }
        if rng.one_in(3) {
            lines.push(rrule(rng));
        }
        if rng.one_in(8) {
            lines.push(when(rng, "RDATE"));
        }
        if rng.one_in(8) {
            lines.push(when(rng, "EXDATE"));
        }
        if i > 0 && rng.one_in(3) {
            lines.push(format!("RECURRENCE-ID{}", &when(rng, "")[..]));
        }
        if !rng.one_in(5) {
            lines.push(format!("SUMMARY:{}", ical_text(rng)));
        }
        if rng.one_in(4) {
            lines.push(format!("LOCATION;ALTREP=\"http://x\":{}", ical_text(rng)));
        }
        if rng.one_in(6) {
            lines.push(format!("DESCRIPTION:{}", ical_text(rng)));
        }
        if rng.one_in(6) {
            lines.push(
                (rng.pick(&[
                    "STATUS:CANCELLED",
                    "STATUS:CONFIRMED",
                    "SEQUENCE:2",
                    "SEQUENCE:x",
                    "TRANSP:OPAQUE",
                    "COMMENT:hi",
                ]))
                .into(),
            );
        }
        if !rng.one_in(3) {
            lines.push(format!(
                "ORGANIZER;CN=\"Olga: Lead\":{}",
                rng.pick(&[
                    "mailto:olga@example.com",
                    "mailto:attendee@example.com",
                    "MAILTO:OLGA@EXAMPLE.COM",
                    ""
                ])
            ));
        }
        for _ in 0..rng.count() {
            let who = rng.pick(&[
                "mailto:attendee@example.com",
                "MAILTO:Attendee@EXAMPLE.com",
                "mailto:ann@example.com",
                "mailto:bob@example.com",
                "https://cal.example.com/p/ann",
                "",
            ]);
            let ps =
                rng.pick(&["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "\"ACCEPTED\"", "X-ODD", ""]);
            let extra = rng.pick(&[
                "",
                ";RSVP=TRUE",
                ";CN=\"Chen: Lead\"",
                ";SCHEDULE-STATUS=\"2.0;Success\"",
                ";X-Q=a,\"b,c\"",
                ";ROLE",
            ]);
            lines.push(format!("ATTENDEE;PARTSTAT={ps}{extra}:{who}"));
        }
        if rng.one_in(5) {
            lines.push(
                (rng.pick(&[
                    "X-FOO;X-P=a,\"b,c\":v",
                    "x-lower:case",
                    "BAD NAME:x",
                    "NOCOLON",
                    ";:x",
                    ":",
                    "A;B=\"unterminated:x",
                ]))
                .into(),
            );
        }
        if rng.one_in(4) {
            lines.push("BEGIN:VALARM".into());
            lines.push("ACTION:DISPLAY".into());
            lines.push("TRIGGER:-PT15M".into());
            lines.push("END:VALARM".into());
        }
        if rng.one_in(200) {
            let depth = 5 + rng.below(30);
            lines.extend((0..depth).map(|k| format!("BEGIN:X-N{k}")));
            lines.extend((0..depth).rev().map(|k| format!("END:X-N{k}")));
        }
        lines.push(format!("END:{kind}"));
    }
    lines.push("END:VCALENDAR".into());
}

// ---------------------------------------------------------------------------
// Mutations.

const TOKENS: &[&str] = &[
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VALARM\n",
    "\r\n ",
    "\n\t",
    "RRULE:FREQ=DAILY;COUNT=3\r\n",
    "RECURRENCE-ID:20300611T100000Z\r\n",
    "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:attendee@example.com\r\n",
    "TZID=",
    ";",
    ":",
    "\"",
    "=",
    ",",
    "\\",
    "<d:response>",
    "</d:response>",
    "<d:href>/x</d:href>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#x10FFFF;",
    "&#1114112;",
    "&lt",
    "<!DOCTYPE x>",
    "<?xml version=\"1.0\"?>",
    "xmlns:z=\"\"",
    "<z:x/>",
    "</",
    "/>",
    "\u{FEFF}",
    "\u{e9}",
    "\u{1F600}",
    "\u{0}",
    "\r",
];

const BYTES: &[u8] = b"\x00\xff\xc3\x80<>&;:\"'=\r\n \t/\\#xX9Z";

fn lines_of(input: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < input.len() {
        out.push((start, input.len()));
    }
    out
}

fn mutate(rng: &mut Rng, mut input: Vec<u8>, other: &[u8]) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(13) {
            0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => input[at.min(len - 1)] = rng.pick(BYTES),
            2 => {
                let t = rng.pick(TOKENS).as_bytes();
                input.splice(at..at, t.iter().copied());
            }
            3 => {
                let n = if rng.one_in(4) { rng.below(len / 2 + 1) } else { rng.below(64) };
                input.drain(at..(at + n).min(len));
            }
            4 => {
                let n = rng.below(256).min(len - at);
                let piece = input[at..at + n].to_vec();
                let to = rng.below(len + 1);
                input.splice(to..to, piece);
            }
            5 => input.truncate(at),
            6 => {
                // Splice: our prefix, another input's suffix.
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            7 | 8 => {
                let ls = lines_of(&input);
                if ls.is_empty() {
                    continue;
                }
                let (s, e) = rng.pick(&ls);
                let times = if rng.one_in(50) { 100 + rng.below(2000) } else { 1 + rng.below(10) };
                let piece = input[s..e].repeat(times);
                input.splice(e..e, piece);
            }
            9 => {
                let ls = lines_of(&input);
                if !ls.is_empty() {
                    let (s, e) = rng.pick(&ls);
                    input.drain(s..e);
                }
            }
            10 => {
                let ls = lines_of(&input);
                if ls.len() > 1 {
                    let (a, b) = (rng.pick(&ls), rng.pick(&ls));
                    let (first, second) = if a.0 < b.0 { (a, b) } else { (b, a) };
                    if first.1 <= second.0 {
                        let mut out = input[..first.0].to_vec();
                        out.extend_from_slice(&input[second.0..second.1]);
                        out.extend_from_slice(&input[first.1..second.0]);
                        out.extend_from_slice(&input[first.0..first.1]);
                        out.extend_from_slice(&input[second.1..]);
                        input = out;
                    }
                }
            }
            11 => {
                let b = rng.pick(b"A \t<:;\"\\\r\n");
                let n = if rng.one_in(50) { 1000 + rng.below(50_000) } else { rng.below(200) };
                input.splice(at..at, std::iter::repeat_n(b, n));
            }
            _ => {
                // Wrap in many levels.
                let depth = 10 + rng.below(100);
                let (open, close): (&[u8], &[u8]) = if rng.one_in(2) {
                    (&b"<w>"[..], &b"</w>"[..])
                } else {
                    (&b"BEGIN:X\r\n"[..], &b"END:X\r\n"[..])
                };
                let mut out = open.repeat(depth);
                out.extend_from_slice(&input);
                out.extend_from_slice(&close.repeat(depth));
                input = out;
            }
        }
    }
    input.truncate(2 << 20);
    input
}

// ---------------------------------------------------------------------------
// The readers and their properties. Each gets the input and a number for its
// other arguments; Err is a broken property (a panic is caught outside).

type Check = fn(u64, &[u8]) -> Result<(), String>;

struct Reader {
    name: &'static str,
    xml: bool,
    check: Check,
}

const READERS: &[Reader] = &[
    Reader { name: "xml", xml: true, check: check_xml },
    Reader { name: "ical-lines", xml: false, check: check_lines },
    Reader { name: "invitation", xml: false, check: check_invitation },
    Reader { name: "expand", xml: false, check: check_expand },
    Reader { name: "diff", xml: false, check: check_diff },
    Reader { name: "reply", xml: false, check: check_reply },
    Reader { name: "import", xml: false, check: check_import },
];

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

fn base() -> Url {
    Url::parse("https://h.example:8443/dav/cal/").unwrap()
}

/// Elements and the bytes they hold. A namespace name is counted once per
/// allocation: elements may share one, but each copy costs memory.
fn weigh(e: &Element, seen: &mut HashSet<usize>, out: &mut (usize, usize)) {
    out.0 += 1;
    out.1 += e.name.len() + e.text.len() + e.attrs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let ns: &str = e.ns.as_ref();
    if seen.insert(ns.as_ptr() as usize) {
        out.1 += ns.len();
    }
    for c in &e.children {
        weigh(c, seen, out);
    }
}

fn check_xml(params: u64, body: &[u8]) -> Result<(), String> {
    let n = body.len();
    if let Ok(root) = xml::parse(body) {
        let mut w = (0, 0);
        weigh(&root, &mut HashSet::new(), &mut w);
        ensure(w.0 <= n / 3 + 1, || format!("{} elements from {n} bytes", w.0))?;
        // Attributes keep the namespace declarations, so twice is the bound.
        ensure(w.1 <= 2 * n, || format!("a tree of {} bytes from {n} bytes", w.1))?;
    }
    let url = base();
    if let Ok(ms) = multistatus::parse(body, &url) {
        ensure(ms.entries.len() <= n / 20 + 1, || format!("{} entries from {n} bytes", ms.entries.len()))?;
    }
    let _ = DavErrorBody::parse(body);
    let status = [207, 207, 207, 207, 200, 403, 409, 412, 507, 500][(params % 10) as usize];
    let resp = || Response { status, headers: HeaderMap::new(), body: body.to_vec(), url: url.clone() };
    let _ = CurrentUserPrincipal { url: url.clone() }.parse(resp());
    let _ = PrincipalProps { url: url.clone() }.parse(resp());
    let _ = ListCalendars { home: url.clone() }.parse(resp());
    let query = CalendarQuery {
        calendar: url.clone(),
        start: "20300101T000000Z".into(),
        end: "20310101T000000Z".into(),
        with_data: true,
    };
    let _ = query.parse(resp());
    let asked = vec![url.join("a.ics").unwrap(), url.join("uid@host.ics").unwrap()];
    if let Ok(f) = (Multiget { calendar: url.clone(), objects: asked.clone() }).parse(resp()) {
        let total = f.objects.len() + f.missing.len() + f.failed.len();
        ensure(total <= n / 20 + asked.len() + 1, || format!("{total} multiget results from {n} bytes"))?;
    }
    let token = params.is_multiple_of(3).then(|| "http://t/1".to_owned());
    let _ = SyncCollection { calendar: url.clone(), token }.parse(resp());
    Ok(())
}

fn text_of(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

fn check_lines(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let Ok(doc) = Document::parse(&text) else { return Ok(()) };
    let out = doc.to_string();
    // Whitespace-only lines are skipped; every other byte comes back.
    if text.lines().all(|l| !l.trim().is_empty()) {
        ensure(out == text, || "parse → to_string changed the bytes".into())?;
    }
    ensure(out.len() <= text.len(), || format!("{} bytes written from {}", out.len(), text.len()))?;
    ensure(Document::parse(&out).is_ok(), || "the written document does not parse".into())
}

fn me() -> Identity {
    Identity::new(["mailto:attendee@example.com", "https://cal.example.com/p/ann"])
}

fn check_invitation(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    if let Ok(Some(inv)) = invitation::read(&text, &me()) {
        let json = serde_json::to_string(&inv).unwrap();
        ensure(json.len() <= 8 * text.len() + 4096, || {
            format!("{} bytes read from {}", json.len(), text.len())
        })?;
    }
    Ok(())
}

fn window(params: u64) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
    match params % 4 {
        0 => (at(2030, 6, 10), at(2030, 6, 11)),
        1 => (at(1970, 1, 1), at(2100, 1, 1)),
        _ => (at(2030, 6, 1), at(2030, 8, 1)),
    }
}

fn check_expand(params: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let (from, to) = window(params);
    let found = occurrence::expand(&text, from, to);
    let all = &found.occurrences;
    let events = Document::parse(&text)
        .ok()
        .and_then(|d| d.calendar().map(|c| c.children().filter(|c| c.name == "VEVENT").count()));
    let events = events.unwrap_or(0);
    // The work is bounded per event, whatever the rule and its start.
    ensure(all.len() <= BOUNDS.max_instances * events, || {
        format!("{} occurrences of {events} events", all.len())
    })?;
    ensure(found.steps <= BOUNDS.max_steps * events as u64, || {
        format!("{} steps for {events} events", found.steps)
    })?;
    ensure(all.windows(2).all(|w| w[0].start <= w[1].start), || "occurrences out of order".into())
}

/// Two documents in one input, for diff.
const SPLIT: &str = "\n\u{1}DIFF\u{1}\n";

fn check_diff(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let (a, b) = text.split_once(SPLIT).unwrap_or((text.as_str(), text.as_str()));
    let me = me();
    let Ok(before) = Document::parse(a) else { return Ok(()) };
    let same = diff(&before, &before, &me);
    ensure(same.changes.is_empty(), || format!("a document differs from itself: {:?}", same.changes))?;
    if let Ok(after) = Document::parse(b) {
        for d in [diff(&before, &after, &me), diff(&after, &before, &me)] {
            let json = serde_json::to_string(&d).unwrap();
            ensure(json.len() <= 16 * text.len() + 4096, || format!("a diff of {} bytes", json.len()))?;
        }
    }
    Ok(())
}

/// The reply to send: the answer, comment and occurrence from `params`, the
/// address one of the document's attendees (or a stranger).
fn reply_for(params: u64, doc: Option<&Document>) -> Reply {
    let mut rng = Rng::new(params);
    let answer = rng.pick(&[Answer::Accept, Answer::Tentative, Answer::Decline]);
    let mut attendees = Vec::new();
    let mut starts = Vec::new();
    if let Some(cal) = doc.and_then(|d| d.calendar()) {
        for ev in cal.children() {
            attendees.extend(ev.props_named("ATTENDEE").map(|l| l.value.clone()));
            starts.extend(ev.props_named("DTSTART").map(|l| l.value.trim().to_owned()));
        }
    }
    let me = if attendees.is_empty() || rng.one_in(10) {
        "mailto:attendee@example.com".to_owned()
    } else {
        rng.pick(&attendees)
    };
    let comment = rng.one_in(4).then(|| ical_text(&mut rng));
    let occurrence = match rng.below(4) {
        0 | 1 => None,
        2 if !starts.is_empty() => {
            // Same shape as a DTSTART, a few days later.
            let s = rng.pick(&starts);
            let mut bytes = s.into_bytes();
            if bytes.len() >= 8 {
                bytes[7] = b'0' + rng.below(10) as u8;
            }
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => Some(
            (rng.pick(&["20300611T100000", "20300611T100000Z", "20300611", "", "x", "99991231T235959"]))
                .into(),
        ),
    };
    Reply { answer, comment, occurrence, me }
}

/// Property lines in document order: (name, params, value).
fn flat(doc: &Document) -> Vec<(String, Vec<String>, String)> {
    fn walk(c: &Component, out: &mut Vec<(String, Vec<String>, String)>) {
        out.push(("BEGIN".into(), Vec::new(), c.name.clone()));
        for i in &c.items {
            match i {
                Item::Prop(l) => out.push((
                    l.name.clone(),
                    l.params.iter().map(|p| p.raw.clone()).collect(),
                    l.value.clone(),
                )),
                Item::Child(c) => walk(c, out),
            }
        }
    }
    let mut out = Vec::new();
    for c in &doc.components {
        walk(c, &mut out);
    }
    out
}

fn check_reply(params: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let parsed = Document::parse(&text).ok();
    let r = reply_for(params, parsed.as_ref());
    let Ok(out) = reply::apply(&text, &r) else { return Ok(()) };
    let extra = r.comment.as_ref().map_or(0, |c| 2 * c.len() + 100);
    ensure(out.len() <= 2 * text.len() + extra + 1024, || {
        format!("{} bytes from {}", out.len(), text.len())
    })?;
    let Ok(after) = Document::parse(&out) else { return Err("the reply does not parse".into()) };
    ensure(reply::apply(&out, &r).as_deref() == Ok(out.as_str()), || {
        "a second apply changed it again".into()
    })?;
    if r.occurrence.is_none()
        && r.comment.is_none()
        && let Some(before) = &parsed
    {
        let (old, new) = (flat(before), flat(&after));
        ensure(old.len() == new.len(), || "the reply added or removed lines".into())?;
        for (o, n) in old.iter().zip(&new) {
            if o == n {
                continue;
            }
            let mine = o.0 == "ATTENDEE" && normalize(&o.2) == normalize(&r.me) && o.2 == n.2 && o.0 == n.0;
            let others = |p: &[String]| -> Vec<String> {
                p.iter().filter(|p| !p.to_ascii_uppercase().starts_with("PARTSTAT")).cloned().collect()
            };
            ensure(mine && others(&o.1) == others(&n.1), || format!("the reply changed {o:?} into {n:?}"))?;
        }
    }
    Ok(())
}

fn check_import(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let batch = source::parse(Path::new("fuzz.ics"), &text);
    let data: usize = batch.items.iter().map(|i| i.data.len()).sum();
    // A VTIMEZONE the repair builds from the database holds up to 200 years
    // of transitions (about 60 KB); the file only had to name the zone.
    let zones: usize = batch.items.iter().map(|i| i.data.matches("BEGIN:VTIMEZONE").count()).sum();
    let bound = 2 * text.len() + 256 * batch.items.len() + 64 * 1024 * zones + 1024;
    ensure(data <= bound, || {
        format!("{} items hold {data} bytes from {} bytes", batch.items.len(), text.len())
    })?;
    for item in &batch.items {
        ensure(Document::parse(&item.data).is_ok(), || format!("item {} does not parse again", item.uid))?;
    }
    let lines = text.lines().count() + 1;
    ensure(batch.items.len() + batch.bad.len() <= lines, || "more results than lines".into())
}

// ---------------------------------------------------------------------------
// The driver.

/// Builds input `index` for `reader`: a fixture or a generated document,
/// usually mutated.
fn input(reader: &Reader, seed: u64, index: u64) -> (u64, Vec<u8>) {
    let salt = reader.name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = Rng::new(seed ^ salt.rotate_left(17) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let params = rng.next();
    let c = corpus();
    let fresh = |rng: &mut Rng| -> Vec<u8> {
        let seeds = if reader.xml { &c.xml } else { &c.ical };
        if rng.one_in(4) {
            rng.pick(seeds)
        } else if reader.xml {
            gen_xml(rng)
        } else {
            gen_ical(rng)
        }
    };
    let mut data = fresh(&mut rng);
    if reader.name == "diff" {
        let second = if rng.one_in(2) { mutate(&mut rng, data.clone(), &[]) } else { fresh(&mut rng) };
        data.extend_from_slice(SPLIT.as_bytes());
        data.extend_from_slice(&second);
    }
    if !rng.one_in(4) {
        let other = fresh(&mut rng);
        data = mutate(&mut rng, data, &other);
    }
    (params, data)
}

thread_local! {
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Panics on fuzz threads are recorded quietly; others print as usual.
fn quiet_panics_on_fuzz_threads() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if std::thread::current().name().is_some_and(|n| n.starts_with("fuzz-")) {
                PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
}

/// Err(message) when the input panics or breaks a property.
fn outcome(check: Check, params: u64, input: &[u8]) -> Result<(), String> {
    match panic::catch_unwind(AssertUnwindSafe(|| check(params, input))) {
        Ok(r) => r,
        Err(_) => Err(PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "panic".into())),
    }
}

/// Removes chunks while the input still fails, halving the chunk size.
fn minimise(check: Check, params: u64, mut input: Vec<u8>) -> Vec<u8> {
    let mut chunk = (input.len() / 2).max(1);
    let mut budget = 4000;
    while budget > 0 {
        let mut i = 0;
        let mut shrunk = false;
        while i < input.len() && budget > 0 {
            budget -= 1;
            let mut candidate = input.clone();
            candidate.drain(i..(i + chunk).min(input.len()));
            if outcome(check, params, &candidate).is_err() {
                input = candidate;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !shrunk {
            break;
        }
        if !shrunk {
            chunk = (chunk / 2).max(1);
        }
    }
    input
}

fn peak_rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

fn settings() -> (u64, u64, bool) {
    let var = |name| std::env::var(name).ok().and_then(|v: String| v.trim().parse::<u64>().ok());
    let inputs = var("CONVENE_FUZZ_INPUTS");
    (inputs.unwrap_or(QUICK), var("CONVENE_FUZZ_SEED").unwrap_or(0x00C0_FFEE), inputs.is_some())
}

fn fuzz(name: &str) {
    quiet_panics_on_fuzz_threads();
    let reader = READERS.iter().find(|r| r.name == name).unwrap();
    let (inputs, seed, full) = settings();
    let report = std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(64 << 20)
        .spawn(move || run(reader, inputs, seed, full))
        .unwrap()
        .join()
        .unwrap();
    assert!(report.is_empty(), "{report}");
}

/// Runs the inputs; returns the failures (empty when none).
fn run(reader: &'static Reader, inputs: u64, seed: u64, full: bool) -> String {
    let current = Arc::new(AtomicU64::new(0));
    let started = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let clock = Instant::now();
    let watchdog = {
        let (current, started, done) = (current.clone(), started.clone(), done.clone());
        std::thread::spawn(move || {
            let mut reported = u64::MAX;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let index = current.load(Ordering::Relaxed);
                let since =
                    clock.elapsed().saturating_sub(Duration::from_millis(started.load(Ordering::Relaxed)));
                if since > HANG_REPORT && reported != index {
                    reported = index;
                    eprintln!(
                        "fuzz {}: input {index} (seed {seed}) still running after {since:?}",
                        reader.name
                    );
                }
            }
        })
    };
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, 0u64, 0usize);
    let mut bytes = 0u64;
    for index in 0..inputs {
        let (params, data) = input(reader, seed, index);
        current.store(index, Ordering::Relaxed);
        started.store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
        let t = Instant::now();
        let result = outcome(reader.check, params, &data);
        let took = t.elapsed();
        bytes += data.len() as u64;
        if took > slowest.0 {
            slowest = (took, index, data.len());
        }
        if let Err(message) = result {
            let small = minimise(reader.check, params, data);
            failures.push(format!(
                "{} input {index} (CONVENE_FUZZ_SEED={seed}): {message}\n  minimised ({} bytes): {:?}",
                reader.name,
                small.len(),
                String::from_utf8_lossy(&small)
            ));
            if failures.len() >= 3 {
                break;
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    watchdog.join().unwrap();
    let secs = clock.elapsed().as_secs_f64();
    if full {
        println!(
            "fuzz {:<10} {inputs} inputs ({:.1} MB), {} panics/failures, slowest input #{} ({} bytes) {:.1} ms, {:.0} inputs/s, peak RSS {}",
            reader.name,
            bytes as f64 / 1e6,
            failures.len(),
            slowest.1,
            slowest.2,
            slowest.0.as_secs_f64() * 1e3,
            inputs as f64 / secs,
            peak_rss()
        );
    }
    failures.join("\n")
}

/// `CONVENE_FUZZ_DUMP=reader:index` writes that input to a file, to look at
/// a slow one the watchdog named.
#[test]
fn dump_one_input() {
    let Ok(which) = std::env::var("CONVENE_FUZZ_DUMP") else { return };
    let (name, index) = which.split_once(':').unwrap();
    let reader = READERS.iter().find(|r| r.name == name).unwrap();
    let (params, data) = input(reader, settings().1, index.parse().unwrap());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{name}-{index}"));
    std::fs::write(&path, &data).unwrap();
    println!("params {params}, {} bytes: {}", data.len(), path.display());
}

#[test]
fn xml_reader() {
    fuzz("xml");
}

#[test]
fn ical_lines_reader() {
    fuzz("ical-lines");
}

#[test]
fn invitation_reader() {
    fuzz("invitation");
}

#[test]
fn expand_reader() {
    fuzz("expand");
}

#[test]
fn diff_reader() {
    fuzz("diff");
}

#[test]
fn reply_reader() {
    fuzz("reply");
}

#[test]
fn import_reader() {
    fuzz("import");
}
