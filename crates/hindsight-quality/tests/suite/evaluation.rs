//! Precision and recall of the blame and action families on the labelled set
//! in `tests/data/labelled.tsv` (printed with `--nocapture`).

use hindsight_quality::Config;
use hindsight_quality::eval::{evaluate, parse};

#[test]
fn blame_and_action_rules_meet_their_floors_on_the_labelled_set() {
    let examples = parse(include_str!("../data/labelled.tsv")).unwrap();
    let (counts, outcomes) = evaluate(&examples, &Config::default());
    for o in outcomes.iter().filter(|o| !o.correct()) {
        println!(
            "miss  line {:>3} {} {}: {} -> {:?}",
            o.example.line,
            o.example.family,
            if o.example.positive { "+" } else { "-" },
            o.example.text,
            o.rules
        );
    }
    for (family, c) in &counts {
        println!(
            "{family:<7} n={:<4} precision {:.3}  recall {:.3}  (tp {} fp {} fn {} tn {})",
            c.total(),
            c.precision(),
            c.recall(),
            c.true_positives,
            c.false_positives,
            c.false_negatives,
            c.true_negatives
        );
        assert!(
            c.precision() >= 0.9,
            "{family} precision {:.3}",
            c.precision()
        );
        assert!(c.recall() >= 0.85, "{family} recall {:.3}", c.recall());
    }
}
