//! Learning across postmortems: the numbers, the recurring gaps and the
//! history worth re-reading.
//!
//! Pure code over loaded [`Postmortem`] values: no IO, no database, no clock
//! reads (the caller passes "now" in [`metrics::Options`]).
//!
//! - [`metrics`]: MTTD, MTTA, MTTM, MTTR, frequency, recurrence, RCA
//!   completeness, action closure, postmortem lag and error budget, grouped and
//!   compared period over period. Definitions: `docs/insight.md`.
//! - [`patterns`]: contributing-factor categories and release gates that
//!   recur in a period, and fixes that did not hold.
//! - [`similar`]: a BM25 index over text, services and factor categories that
//!   returns the most similar postmortems with a reason.
//! - [`report`]: the quarterly review as Markdown or self-contained HTML.
//! - [`charts`]: the SVG charts the report embeds.
//!
//! [`Postmortem`]: hindsight_core::Postmortem

pub mod charts;
mod error;
pub mod metrics;
pub mod patterns;
pub mod period;
pub mod rca;
pub mod report;
pub mod similar;
pub mod stats;
mod text;

pub use error::InsightError;
pub use period::Period;
