//! The sans-IO contract: an operation builds its request and parses the
//! response; [`super::Client::run`] does the I/O in between.

use super::error::Error;
use super::http::{Request, Response};

pub trait Operation {
    type Output;
    /// Fails only on input that can't be put on the wire (never silently
    /// dropped).
    fn request(&self) -> Result<Request, Error>;
    fn parse(&self, response: Response) -> Result<Self::Output, Error>;
}
