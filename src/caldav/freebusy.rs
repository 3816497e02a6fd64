//! Free/busy lookup (RFC 6638 §5): a VFREEBUSY `METHOD:REQUEST` POSTed to
//! the organizer's schedule-outbox; the answer is a `schedule-response`
//! with one `calendar-data` per recipient holding its FREEBUSY periods.

use chrono::{DateTime, Utc};
use http::Method;
use url::Url;

use super::error::Error;
use super::http::{Precondition, Request, Response, expect_success};
use super::op::Operation;
use super::xml::{self, CALDAV, DAV};

pub struct FreeBusy {
    pub outbox: Url,
    /// The organizer's address (`mailto:…`).
    pub organizer: String,
    /// The attendees asked about (`mailto:…`).
    pub attendees: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub uid: String,
}

/// One recipient's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Busy {
    pub recipient: String,
    /// The REQUEST-STATUS code (`2.0` success, `3.7` unknown address…).
    pub status: String,
    /// The VFREEBUSY answered (`crate::ical::freebusy` reads its periods).
    pub data: Option<String>,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

impl FreeBusy {
    fn body(&self) -> String {
        let mut s = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n",
        );
        s.push_str(&format!("UID:{}\r\nDTSTAMP:{}\r\n", self.uid, stamp(Utc::now())));
        s.push_str(&format!("DTSTART:{}\r\nDTEND:{}\r\n", stamp(self.start), stamp(self.end)));
        s.push_str(&format!("ORGANIZER:{}\r\n", self.organizer));
        for a in &self.attendees {
            s.push_str(&format!("ATTENDEE:{a}\r\n"));
        }
        s.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
        s
    }
}

impl Operation for FreeBusy {
    type Output = Vec<Busy>;

    fn request(&self) -> Result<Request, Error> {
        let mut req = Request::new(Method::POST, self.outbox.clone())
            .header("content-type", "text/calendar; charset=utf-8")?;
        // Older servers route by these (RFC 6638 drafts); harmless elsewhere.
        req = req.header("originator", &self.organizer)?;
        for a in &self.attendees {
            req = req.header("recipient", a)?;
        }
        req.body = Some(self.body().into_bytes());
        Ok(req)
    }

    fn parse(&self, resp: Response) -> Result<Vec<Busy>, Error> {
        expect_success(&resp, &Precondition::None)?;
        let root = xml::parse(&resp.body)?;
        if !root.is(CALDAV, "schedule-response") {
            return Err(Error::Malformed("a free/busy answer that is not a schedule-response".into()));
        }
        Ok(root
            .children_named(CALDAV, "response")
            .map(|r| {
                let recipient = r
                    .child(CALDAV, "recipient")
                    .and_then(|x| x.child(DAV, "href").or(Some(x)))
                    .map(|h| h.trimmed().to_owned())
                    .unwrap_or_default();
                let status = r
                    .child(CALDAV, "request-status")
                    .map(|s| s.trimmed().split(';').next().unwrap_or_default().trim().to_owned())
                    .unwrap_or_default();
                let data = r.child(CALDAV, "calendar-data").map(|d| d.text.clone());
                Busy { recipient, status, data }
            })
            .collect())
    }
}
