//! The demo data set is written the way the rules ask: a blameless,
//! specific postmortem practice. Any blame or vague-action finding on it is
//! a false positive.

use chrono::NaiveDate;
use hindsight_core::demo;
use hindsight_quality::{Config, Family, lint_postmortem};

#[test]
fn the_demo_postmortems_have_no_blame_and_no_vague_actions() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let config = Config::default();
    let mut wrong = Vec::new();
    let pms = demo::generate(today);
    for pm in &pms {
        for f in lint_postmortem(pm, &config) {
            if f.family == Family::Blame || f.rule == "action/vague" || f.family == Family::Secret {
                wrong.push(format!(
                    "{} {} {}: {} [{}]",
                    pm.title, f.field, f.rule, f.message, f.excerpt
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} false positives on the demo set:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
