//! CalDAV protocol layer. Knows nothing of the app or the UI: sans-IO
//! operations (build a request, parse a response) plus one HTTP client.

pub mod calendars;
pub mod capability;
pub mod changes;
pub mod client;
pub mod discovery;
pub mod error;
pub mod freebusy;
pub mod http;
pub mod multistatus;
pub mod object;
pub mod op;
pub mod options;
pub mod propfind;
pub mod quirks;
pub mod report;
pub mod xml;

pub use calendars::{Calendar, ListCalendars, MkCalendar};
pub use capability::{Capabilities, Fact};
pub use client::{Client, ClientConfig, Password};
pub use discovery::{Discovery, discover, parse_server_url};
pub use error::Error;
pub use freebusy::{Busy, FreeBusy};
pub use http::{Etag, Precondition, ScheduleTag, SchedulingHeaders, SchedulingMode};
pub use object::{Delete, Get, Object, Put, Written};
pub use op::Operation;
pub use options::{Options, ServerOptions};
pub use propfind::{CurrentUserPrincipal, Principal, PrincipalProps, Propfind};
pub use report::{
    All, AllEntry, CalendarQuery, FetchAll, Fetched, Listed, Multiget, ScheduleTags, SyncCollection,
    SyncDelta,
};
