//! Busy times from a VFREEBUSY (RFC 5545 §3.6.4), as a free/busy lookup
//! answers them (see `caldav::freebusy`).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::lines::Document;
use super::occurrence::parse_duration;

fn utc(v: &str) -> Option<DateTime<Utc>> {
    let t = NaiveDateTime::parse_from_str(v.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()?;
    Some(Utc.from_utc_datetime(&t))
}

/// FREEBUSY periods other than FREE: `start/end` or `start/duration`.
pub fn periods(data: &str) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Ok(doc) = Document::parse(data) else { return Vec::new() };
    let mut out = Vec::new();
    for fb in doc.components.iter().flat_map(|c| c.children()).filter(|c| c.name == "VFREEBUSY") {
        for line in fb.props_named("FREEBUSY") {
            if line.param("FBTYPE").is_some_and(|t| t.value().eq_ignore_ascii_case("FREE")) {
                continue;
            }
            for period in line.value.split(',') {
                let Some((a, b)) = period.split_once('/') else { continue };
                let Some(start) = utc(a) else { continue };
                let end = utc(b).or_else(|| parse_duration(b).map(|d| start + d));
                if let Some(end) = end {
                    out.push((start, end));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_periods_leave_out_free_ones() {
        let data = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VFREEBUSY\r\n\
FREEBUSY;FBTYPE=BUSY:20300702T100000Z/20300702T110000Z,20300702T140000Z/PT30M\r\n\
FREEBUSY;FBTYPE=FREE:20300702T000000Z/20300702T100000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        let at = |s: &str| utc(s).expect("a time");
        assert_eq!(
            periods(data),
            vec![
                (at("20300702T100000Z"), at("20300702T110000Z")),
                (at("20300702T140000Z"), at("20300702T143000Z"))
            ]
        );
    }
}
