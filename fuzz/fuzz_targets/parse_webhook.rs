//! Feeds arbitrary bytes to every webhook parser: none may panic; each either
//! accepts or refuses with a reason naming a field. The first byte picks the
//! source and, for GitHub, the event, so every payload shape is explored.
#![no_main]

use chrono::{TimeZone, Utc};
use hindsight_hooks::{Source, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(received) = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single() else {
        return;
    };
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let source = Source::ALL[usize::from(pick) % Source::ALL.len()];
    let event = if pick & 0x80 == 0 { "deployment" } else { "deployment_status" };
    let headers = [
        ("X-GitHub-Event".to_string(), event.to_string()),
        ("X-GitHub-Delivery".to_string(), "fuzz".to_string()),
    ];
    if let Err(e) = parse(source, &headers, body, received) {
        assert!(!e.field.is_empty(), "an error names its field: {e}");
    }
});
