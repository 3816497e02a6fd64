//! Importing .ics files into a calendar without mailing anyone: read and
//! check the files ([`source`]), show what would happen ([`preview`]),
//! decide how this server can honour the person's scheduling choice
//! ([`plan`]), then write every entry with `If-None-Match: *`, bounded
//! concurrency and an on-disk [`journal`] so a crash or cancel resumes
//! without duplicates ([`run`]), and say what happened ([`report`]).

pub mod journal;
pub mod plan;
pub mod preview;
pub mod report;
pub mod run;
pub mod source;

pub use plan::{Method, Plan, Unhonourable};
pub use preview::Preview;
pub use report::{Counts, Outcome, Report};
pub use run::{DEFAULT_CONCURRENCY, Job, Progress};
pub use source::{Bad, Batch, Item, Kind, Note};
