//! Hindsight's domain: the postmortem model, its review workflow and its
//! Markdown file format. Pure code: no IO, no async, no clock reads except
//! where a caller passes the time in.

pub mod access;
pub mod demo;
pub mod diff;
pub mod format;
pub mod import;
pub mod model;
pub mod review;
pub mod vocab;
pub mod workflow;

pub use model::*;
