//! Mutations.

use super::*;

pub(super) const TOKENS: &[&str] = &[
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

pub(super) const BYTES: &[u8] = b"\x00\xff\xc3\x80<>&;:\"'=\r\n \t/\\#xX9Z";

pub(super) fn lines_of(input: &[u8]) -> Vec<(usize, usize)> {
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

/// The largest input: far more than any server answer or file the readers
/// must take whole, and small enough to build quickly.
const MAX_INPUT: usize = 2 << 20;

pub(super) fn mutate(rng: &mut Rng, mut input: Vec<u8>, other: &[u8]) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        // Capped after each step: repeats of repeats grew one input to
        // gigabytes before the cut (3.6 GB of the fuzz run's peak RSS was
        // the driver's, not a reader's).
        input.truncate(MAX_INPUT);
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
                let times = times.min(MAX_INPUT / (e - s).max(1)).max(1);
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
    input.truncate(MAX_INPUT);
    input
}
