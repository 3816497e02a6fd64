//! Event times in the person's local time zone.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::event::When;

/// A DATE-TIME in UTC, in a named (IANA) zone, or floating; or a DATE.
pub fn to_local(when: &When) -> Option<DateTime<Local>> {
    let v = when.value.trim();
    if when.is_date() {
        let d = NaiveDate::parse_from_str(v, "%Y%m%d").ok()?;
        return Local.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest();
    }
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Utc.from_utc_datetime(&t).with_timezone(&Local));
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()?;
    match when.tzid.as_deref().and_then(|z| z.trim_start_matches('/').parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => Some(tz.from_local_datetime(&t).earliest()?.with_timezone(&Local)),
        None => Local.from_local_datetime(&t).earliest(),
    }
}

/// "Tue 2030-06-04 10:00" in local time, or the raw value when unreadable.
pub fn describe_local(when: &When) -> String {
    match to_local(when) {
        Some(t) if when.is_date() => t.format("%a %Y-%m-%d").to_string(),
        Some(t) => t.format("%a %Y-%m-%d %H:%M").to_string(),
        None => when.describe(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_convert_to_the_same_instant() {
        let utc = When { value: "20300604T220000Z".into(), tzid: None };
        let akl = When { value: "20300605T100000".into(), tzid: Some("Pacific/Auckland".into()) };
        assert_eq!(to_local(&utc), to_local(&akl));
        let date = When { value: "20300604".into(), tzid: None };
        assert!(describe_local(&date).contains("2030-06-04"));
        let custom = When { value: "20300604T100000".into(), tzid: Some("My Custom Zone".into()) };
        assert!(to_local(&custom).is_some(), "unknown zones fall back to floating time");
    }
}
