//! Feeds arbitrary bytes to the postmortem Markdown parser: it must never panic,
//! and whatever it accepts must render to a document that parses back the same.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(now) = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single() else {
        return;
    };
    if let Ok(parsed) = hindsight_core::format::parse(text, now) {
        let rendered = hindsight_core::format::render(&parsed.postmortem);
        match hindsight_core::format::parse(&rendered, now) {
            Ok(again) => assert_eq!(again.postmortem, parsed.postmortem, "render/parse round trip"),
            Err(e) => panic!("rendered document does not parse: {e}\n{rendered}"),
        }
    }
});
