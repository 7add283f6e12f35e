//! Property tests for the parsers of outside input: configuration files,
//! suppression comments and whole postmortem files.

use hindsight_quality::suppress::{Suppressions, directives};
use hindsight_quality::{Config, RULES, lint_markdown};
use proptest::prelude::*;

fn rule_id() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(RULES.iter().map(|r| r.id).collect::<Vec<_>>())
}

fn level() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec!["off", "note", "warning", "error"])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_text_as_configuration_is_an_answer_not_a_panic(text in "\\PC{0,200}") {
        let _ = Config::parse(&text);
    }

    #[test]
    fn rule_levels_are_read_back(rules in proptest::collection::btree_map(rule_id(), level(), 0..8), gap in 1i64..10_000) {
        let mut text = String::from("[rules]\n");
        for (id, lvl) in &rules {
            text.push_str(&format!("\"{id}\" = \"{lvl}\"\n"));
        }
        text.push_str(&format!("[thresholds]\nmax_gap_minutes = {gap}\n"));
        let config = Config::parse(&text).unwrap();
        prop_assert_eq!(config.thresholds.max_gap_minutes, gap);
        for (id, lvl) in &rules {
            let rule = hindsight_quality::rule(id).unwrap();
            let got = config.severity(rule).map_or("off", |s| s.as_str());
            prop_assert_eq!(got, *lvl);
        }
    }

    #[test]
    fn any_text_with_comments_parses_as_suppressions(text in "(\\PC|<!-- hindsight-(ignore|disable|enable|disable-file) ?[a-z/, -]{0,30}-->|\n){0,40}") {
        let s = Suppressions::parse(&text);
        for r in RULES {
            let _ = s.silences(r, 1);
        }
    }

    #[test]
    fn directives_name_their_rules_and_line(ids in proptest::collection::vec(rule_id(), 1..4), before in 0usize..5, reason in "[a-z ]{0,20}") {
        let text = format!("{}<!-- hindsight-ignore {}: {reason} -->\nx", "line\n".repeat(before), ids.join(", "));
        let found = directives(&text);
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].line, before + 1);
        prop_assert_eq!(&found[0].selector.0, &ids.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let s = Suppressions::parse(&text);
        let rule = hindsight_quality::rule(ids[0]).unwrap();
        prop_assert!(s.silences(rule, before + 2));
    }

    #[test]
    fn linting_any_file_never_panics(text in "(\\PC|\n|## (Timeline|Action items|Root cause)\n|\\| [0-9:]{0,5} \\| [a-z ]{0,10} \\|\n|---\n){0,30}") {
        let report = lint_markdown(&text, &Config::default());
        for f in report.findings {
            prop_assert!(f.position.is_some());
        }
    }
}
