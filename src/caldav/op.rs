//! The sans-IO contract: an operation builds its request and parses the
//! response; [`super::Client::run`] does the I/O in between.

use super::error::Error;
use super::http::{Request, Response};

pub trait Operation {
    type Output;
    fn request(&self) -> Request;
    fn parse(&self, response: Response) -> Result<Self::Output, Error>;
}
