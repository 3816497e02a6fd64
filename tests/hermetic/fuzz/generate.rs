//! Structure-aware generators.

use super::*;

pub(super) const HREFS: &[&str] = &[
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

pub(super) const STATUSES: &[&str] = &[
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

pub(super) const XML_TEXTS: &[&str] = &[
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

pub(super) fn xml_text(rng: &mut Rng) -> String {
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
pub(super) fn budget(rng: &mut Rng) -> usize {
    if rng.one_in(300) { 1 << 20 } else { 16 << 10 }
}

/// A multistatus, a `DAV:error` or an element soup.
pub(super) fn gen_xml(rng: &mut Rng) -> Vec<u8> {
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

pub(super) fn prop(rng: &mut Rng, d: &str, c: &str, long: bool) -> String {
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
pub(super) fn date(rng: &mut Rng) -> String {
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

pub(super) fn when(rng: &mut Rng, name: &str) -> String {
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

pub(super) fn rrule(rng: &mut Rng) -> String {
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

pub(super) fn ical_text(rng: &mut Rng) -> String {
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
pub(super) fn gen_ical(rng: &mut Rng) -> Vec<u8> {
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

pub(super) fn calendar(rng: &mut Rng, lines: &mut Vec<String>) {
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
