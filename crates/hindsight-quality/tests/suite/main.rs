//! Integration tests of the quality engine: the labelled evaluation, the demo
//! set and the public corpus, the rubric, and property tests of the parsers.

#![allow(clippy::unwrap_used)]

mod corpus;
mod demo;
mod docs;
mod evaluation;
mod props;
mod scoring;
