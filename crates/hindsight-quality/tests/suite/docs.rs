//! docs/quality.md documents every rule and every rubric fact.

use hindsight_quality::RULES;
use hindsight_quality::rubric::FACTS;

#[test]
fn every_rule_and_fact_is_documented() {
    let doc = include_str!("../../../../docs/quality.md");
    for rule in RULES {
        assert!(
            doc.contains(&format!("`{}`", rule.id)),
            "docs/quality.md does not list {}",
            rule.id
        );
    }
    for (fact, _) in FACTS {
        assert!(
            doc.contains(&format!("`{fact}`")),
            "docs/quality.md does not list the fact {fact}"
        );
    }
}
