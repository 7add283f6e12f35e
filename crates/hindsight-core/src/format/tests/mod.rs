//! Tests of the whole format: the documented example, round trips over
//! generated postmortems, the public corpus, errors, and robustness.

mod corpus;
mod errors;
mod example;
mod robustness;
mod roundtrip;
mod strategy;

use chrono::{DateTime, TimeZone, Utc};

use super::{Parsed, parse};

/// The default number of cases; failures are saved next to the test's
/// source (`*.regressions`), inside this folder.
fn config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..proptest::test_runner::Config::default()
    }
}

/// A fixed "now" for parsing.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 12, 0, 0).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Parses `text`, failing the test with the error and the text.
fn parse_ok(text: &str) -> Parsed {
    match parse(text, now()) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{e}\n--- in ---\n{text}"),
    }
}
