//! The server end to end: the real router over real HTTP, on SQLite and on
//! PostgreSQL (run with `scripts/with-postgres cargo test -p hindsight-server`).

#![allow(clippy::unwrap_used)]

mod support;

mod accounts;
mod errors;
mod hooks;
mod insight;
mod matrix;
mod openapi;
mod operations;
mod postmortems;
mod reviews;
