//! REPORTs: calendar-query (time range), calendar-multiget (RFC 4791 §7.8,
//! §7.9) and sync-collection (RFC 6578).

use url::Url;

use super::error::Error;
use super::http::{Depth, Etag, Precondition, Request, Response, ScheduleTag, status_error};
use super::multistatus::{Entry, Multistatus, same_resource};
use super::object::Object;
use super::op::Operation;
use super::propfind::{NAMESPACES, parse_multistatus};
use super::xml::{CALDAV, DAV, escape};

/// What a listing says about one object, with its data when asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub url: Url,
    pub etag: Option<Etag>,
    pub schedule_tag: Option<ScheduleTag>,
    pub data: Option<String>,
}

impl Listed {
    fn from_entry(e: &Entry) -> Self {
        Listed {
            url: e.url.clone(),
            etag: e.text(DAV, "getetag").map(Etag::new),
            schedule_tag: e.text(CALDAV, "schedule-tag").map(ScheduleTag::new),
            // Keep calendar-data untrimmed inside; iCalendar ends with CRLF.
            data: e.prop(CALDAV, "calendar-data").map(|d| d.text.clone()).filter(|d| !d.trim().is_empty()),
        }
    }

    pub fn into_object(self) -> Option<Object> {
        let data = self.data?;
        Some(Object { url: self.url, etag: self.etag, schedule_tag: self.schedule_tag, data })
    }
}

fn object_props(with_data: bool) -> &'static str {
    if with_data {
        "<d:prop><d:getetag/><c:schedule-tag/><c:calendar-data/></d:prop>"
    } else {
        "<d:prop><d:getetag/><c:schedule-tag/></d:prop>"
    }
}

/// Compact UTC form used by CalDAV time ranges: `20300101T000000Z`.
pub fn utc_stamp(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Events overlapping `[start, end)` (times as `YYYYMMDDTHHMMSSZ`).
pub struct CalendarQuery {
    pub calendar: Url,
    pub start: String,
    pub end: String,
    pub with_data: bool,
}

impl Operation for CalendarQuery {
    type Output = Vec<Listed>;

    fn request(&self) -> Result<Request, Error> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><c:calendar-query {NAMESPACES}>{}<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{}" end="{}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#,
            object_props(self.with_data),
            escape(&self.start),
            escape(&self.end)
        );
        Request::dav("REPORT", self.calendar.clone())?.depth(Depth::One)?.xml_body(body)
    }

    fn parse(&self, resp: Response) -> Result<Vec<Listed>, Error> {
        let ms = parse_multistatus(resp)?;
        Ok(members(&ms, &self.calendar).map(Listed::from_entry).collect())
    }
}

/// Every object of a calendar with its ETag and data, in one
/// calendar-query: the first sync's fetch. A calendar-query costs servers
/// less per object than multigets (Xandikos 3-4x less), and it asks for no
/// `schedule-tag`, which alone makes Xandikos 0.4.10 take 8x as long
/// (issue 13); the tag is asked for where a reply needs it.
pub struct FetchAll {
    pub calendar: Url,
}

#[derive(Debug, Clone, Default)]
pub struct All {
    pub objects: Vec<Object>,
    /// Listed without their data (to be fetched by multiget).
    pub without_data: Vec<Url>,
    /// The server cut the answer short (507 on the calendar itself): what
    /// is missing is not evidence of anything.
    pub truncated: bool,
}

impl Operation for FetchAll {
    type Output = All;

    fn request(&self) -> Result<Request, Error> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><c:calendar-query {NAMESPACES}><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>"#
        );
        Request::dav("REPORT", self.calendar.clone())?.depth(Depth::One)?.xml_body(body)
    }

    fn parse(&self, resp: Response) -> Result<All, Error> {
        let ms = parse_multistatus(resp)?;
        let mut out = All::default();
        for e in ms.entries {
            match self.read(e) {
                Some(AllEntry::Object(o)) => out.objects.push(o),
                Some(AllEntry::WithoutData(url)) => out.without_data.push(url),
                Some(AllEntry::Truncated) => out.truncated = true,
                None => {}
            }
        }
        Ok(out)
    }
}

/// What one response of a [`FetchAll`] answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllEntry {
    Object(Object),
    /// Listed without its data (to be fetched by multiget).
    WithoutData(Url),
    /// The server cut the answer short.
    Truncated,
}

impl FetchAll {
    /// Reads one response of the answer (also as it streams in, see
    /// [`super::Client::stream_multistatus`]); None for one that says
    /// nothing (the calendar itself, a member that failed).
    pub fn read(&self, e: Entry) -> Option<AllEntry> {
        if same_resource(&e.url, &self.calendar) {
            return (e.status == Some(507)).then_some(AllEntry::Truncated);
        }
        if e.status.is_some_and(|s| !(200..300).contains(&s)) {
            return None;
        }
        let url = e.url.clone();
        Some(match Listed::from_entry(&e).into_object() {
            Some(o) => AllEntry::Object(o),
            None => AllEntry::WithoutData(url),
        })
    }
}

/// The ETag and Schedule-Tag of named objects, without their data: the
/// tags a first sync's [`FetchAll`] leaves out, for the objects a reply is
/// likely to need them for.
pub struct ScheduleTags {
    pub calendar: Url,
    pub objects: Vec<Url>,
}

impl Operation for ScheduleTags {
    type Output = Vec<Listed>;

    fn request(&self) -> Result<Request, Error> {
        multiget(&self.calendar, &self.objects, object_props(false))
    }

    fn parse(&self, resp: Response) -> Result<Vec<Listed>, Error> {
        let ms = parse_multistatus(resp)?;
        Ok(members(&ms, &self.calendar).map(Listed::from_entry).collect())
    }
}

fn multiget(calendar: &Url, objects: &[Url], props: &str) -> Result<Request, Error> {
    let hrefs: String = objects.iter().map(|u| format!("<d:href>{}</d:href>", escape(u.path()))).collect();
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget {NAMESPACES}>{props}{hrefs}</c:calendar-multiget>"#
    );
    // RFC 4791 §7.9: no Depth header for multiget.
    Request::dav("REPORT", calendar.clone())?.xml_body(body)
}

/// Entries that are objects inside `calendar` and were found.
fn members<'a>(ms: &'a Multistatus, calendar: &'a Url) -> impl Iterator<Item = &'a Entry> + 'a {
    ms.entries
        .iter()
        .filter(move |e| !same_resource(&e.url, calendar))
        .filter(|e| e.status.is_none_or(|s| (200..300).contains(&s)))
}

/// Fetch named objects in one request.
pub struct Multiget {
    pub calendar: Url,
    pub objects: Vec<Url>,
}

#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub objects: Vec<Object>,
    /// Answered 404/410: deleted in between.
    pub missing: Vec<Url>,
    /// Asked for but not delivered for another reason (an error status, no
    /// data, left out): not evidence of deletion.
    pub failed: Vec<Url>,
}

impl Operation for Multiget {
    type Output = Fetched;

    fn request(&self) -> Result<Request, Error> {
        multiget(&self.calendar, &self.objects, object_props(true))
    }

    fn parse(&self, resp: Response) -> Result<Fetched, Error> {
        let ms = parse_multistatus(resp)?;
        let mut out = Fetched::default();
        for e in ms.entries.iter().filter(|e| !same_resource(&e.url, &self.calendar)) {
            match e.status {
                Some(404 | 410) => out.missing.push(e.url.clone()),
                Some(s) if !(200..300).contains(&s) => out.failed.push(e.url.clone()),
                _ => match Listed::from_entry(e).into_object() {
                    Some(o) => out.objects.push(o),
                    None => out.failed.push(e.url.clone()),
                },
            }
        }
        for asked in &self.objects {
            let answered = out.objects.iter().any(|o| same_resource(&o.url, asked))
                || out.missing.iter().chain(&out.failed).any(|m| same_resource(m, asked));
            if !answered {
                out.failed.push(asked.clone());
            }
        }
        Ok(out)
    }
}

/// One round of sync-collection (RFC 6578 §3.2); after the initial one,
/// asking for each changed object's data too: one request instead of a
/// listing and a multiget.
pub struct SyncCollection {
    pub calendar: Url,
    /// None for the initial sync.
    pub token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncDelta {
    /// With their data where the server sent it (asked for: a change then
    /// costs no multiget).
    pub changed: Vec<Listed>,
    pub removed: Vec<Url>,
    pub token: Option<String>,
    /// 507 on the collection: more changes remain; ask again with `token`.
    pub truncated: bool,
}

impl Operation for SyncCollection {
    type Output = SyncDelta;

    fn request(&self) -> Result<Request, Error> {
        // An incremental sync's few changes come whole, with the
        // Schedule-Tag a changed invitation's reply needs. An initial one
        // lists ETags only: it resumes a first sync that stopped half-way
        // (what is cached is not fetched again), and asking every object's
        // tag would make Xandikos 8x slower (issue 13).
        let (token, props) = match &self.token {
            Some(t) => (format!("<d:sync-token>{}</d:sync-token>", escape(t)), object_props(true)),
            None => ("<d:sync-token/>".to_owned(), "<d:prop><d:getetag/></d:prop>"),
        };
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:sync-collection {NAMESPACES}>{token}<d:sync-level>1</d:sync-level>{props}</d:sync-collection>"#
        );
        Request::dav("REPORT", self.calendar.clone())?.xml_body(body)
    }

    fn parse(&self, resp: Response) -> Result<SyncDelta, Error> {
        if resp.status != 207 {
            let err = status_error(&resp, &Precondition::None);
            // Servers that forget the DAV:error body still mean "token expired"
            // when they refuse a token we sent.
            return Err(match (&err, &self.token) {
                (Error::Forbidden(_) | Error::UnexpectedStatus { status: 400 | 409 | 412, .. }, Some(_)) => {
                    Error::InvalidSyncToken
                }
                _ => err,
            });
        }
        let ms = parse_multistatus(resp)?;
        let mut out = SyncDelta { token: ms.sync_token.clone(), ..SyncDelta::default() };
        for e in &ms.entries {
            if same_resource(&e.url, &self.calendar) {
                out.truncated |= e.status == Some(507);
                continue;
            }
            match e.status {
                Some(404) => out.removed.push(e.url.clone()),
                Some(s) if !(200..300).contains(&s) => {}
                _ => out.changed.push(Listed::from_entry(e)),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_stamps_are_calendar_correct() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000Z");
        // 2030-03-01 12:34:56 UTC, across a leap day (2028).
        assert_eq!(utc_stamp(UNIX_EPOCH + Duration::from_secs(1_898_598_896)), "20300301T123456Z");
    }

    #[test]
    fn truncation_and_removals_are_read() {
        let cal = Url::parse("https://h/u/cal/").unwrap();
        let body = br#"<multistatus xmlns="DAV:">
          <response><href>/u/cal/a.ics</href><propstat><prop><getetag>"2"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
          <response><href>/u/cal/b.ics</href><status>HTTP/1.1 404 Not Found</status></response>
          <response><href>/u/cal/</href><status>HTTP/1.1 507 Insufficient Storage</status></response>
          <sync-token>t2</sync-token></multistatus>"#;
        let resp =
            Response { status: 207, headers: Default::default(), body: body.to_vec(), url: cal.clone() };
        let d = SyncCollection { calendar: cal, token: Some("t1".into()) }.parse(resp).unwrap();
        assert!(d.truncated);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].etag, Some(Etag::new("\"2\"")));
        assert_eq!(d.removed[0].path(), "/u/cal/b.ics");
        assert_eq!(d.token.as_deref(), Some("t2"));
    }
}
