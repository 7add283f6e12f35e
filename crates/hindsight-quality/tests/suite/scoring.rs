//! The rubric on real shapes of postmortem: a complete demo postmortem
//! passes, a free-form write-up does not, and every score carries evidence.

use chrono::NaiveDate;
use hindsight_core::demo;
use hindsight_quality::rubric::{Rubric, score};
use hindsight_quality::{Config, lint_markdown, lint_postmortem};

#[test]
fn complete_postmortems_pass_and_free_form_ones_do_not() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let rubric = Rubric::default_rubric().unwrap();
    let config = Config::default();
    let pms = demo::generate(today);
    let passed = pms
        .iter()
        .filter(|pm| score(pm, &lint_postmortem(pm, &config), &rubric, today).passed)
        .count();
    assert!(
        passed * 10 >= pms.len() * 8,
        "only {passed} of {} demo postmortems pass",
        pms.len()
    );

    let free_form =
        "---\ntitle: Outage\n---\n\nThe site was down for a while after a bad deploy.\n";
    let parsed = hindsight_core::format::parse(free_form, chrono::Utc::now()).unwrap();
    let card = score(
        &parsed.postmortem,
        &lint_markdown(free_form, &config).findings,
        &rubric,
        today,
    );
    assert!(!card.passed);
    assert!(card.weighted_average < 3.0, "{}", card.weighted_average);
    for c in &card.criteria {
        assert!((1..=5).contains(&c.score));
        assert!(!c.evidence.is_empty(), "{} has no evidence", c.id);
    }
}
