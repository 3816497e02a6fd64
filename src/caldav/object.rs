//! Single calendar objects: GET, PUT, DELETE with typed preconditions.

use http::Method;
use url::Url;

use super::error::Error;
use super::http::{Etag, Precondition, Request, Response, ScheduleTag, SchedulingHeaders, expect_success};
use super::op::Operation;

/// A calendar object as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Object {
    pub url: Url,
    pub etag: Option<Etag>,
    pub schedule_tag: Option<ScheduleTag>,
    pub data: String,
}

pub struct Get {
    pub url: Url,
}

impl Operation for Get {
    type Output = Object;

    fn request(&self) -> Result<Request, Error> {
        Request::new(Method::GET, self.url.clone()).header("accept", "text/calendar")
    }

    fn parse(&self, resp: Response) -> Result<Object, Error> {
        expect_success(&resp, &Precondition::None)?;
        let data = String::from_utf8(resp.body.clone())
            .map_err(|_| Error::Malformed(format!("{} is not UTF-8 iCalendar", self.url)))?;
        Ok(Object { url: self.url.clone(), etag: resp.etag(), schedule_tag: resp.schedule_tag(), data })
    }
}

pub struct Put {
    pub url: Url,
    pub data: String,
    pub precondition: Precondition,
    pub scheduling: SchedulingHeaders,
}

/// What a PUT response says about the new version. Either tag may be
/// missing (Cyrus and DAViCal send no ETag) or, per the capability record,
/// not to be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub created: bool,
    pub etag: Option<Etag>,
    pub schedule_tag: Option<ScheduleTag>,
}

impl Operation for Put {
    type Output = Written;

    fn request(&self) -> Result<Request, Error> {
        let mut req = Request::new(Method::PUT, self.url.clone())
            .header("content-type", "text/calendar; charset=utf-8")?;
        req.body = Some(self.data.clone().into_bytes());
        let req = self.precondition.apply(req)?;
        self.scheduling.apply(req)
    }

    fn parse(&self, resp: Response) -> Result<Written, Error> {
        expect_success(&resp, &self.precondition)?;
        Ok(Written { created: resp.status == 201, etag: resp.etag(), schedule_tag: resp.schedule_tag() })
    }
}

pub struct Delete {
    pub url: Url,
    pub precondition: Precondition,
    pub scheduling: SchedulingHeaders,
}

impl Operation for Delete {
    type Output = ();

    fn request(&self) -> Result<Request, Error> {
        let req = self.precondition.apply(Request::new(Method::DELETE, self.url.clone()))?;
        self.scheduling.apply(req)
    }

    fn parse(&self, resp: Response) -> Result<(), Error> {
        expect_success(&resp, &self.precondition)
    }
}
