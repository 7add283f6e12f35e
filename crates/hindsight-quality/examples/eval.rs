//! Precision and recall of the blame and action rules on a labelled file.
//!
//! `cargo run -p hindsight-quality --example eval -- [FILE] [--misses]`
//! FILE defaults to the crate's own set (tests/data/labelled.tsv); the format
//! is described in `hindsight_quality::eval`.

use std::process::ExitCode;

use hindsight_quality::Config;
use hindsight_quality::eval::{evaluate, parse};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/labelled.tsv").to_string()
        });
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let examples = match parse(&text) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (counts, outcomes) = evaluate(&examples, &Config::default());
    if misses {
        for o in outcomes.iter().filter(|o| !o.correct()) {
            let label = if o.example.positive {
                "missed"
            } else {
                "false alarm"
            };
            println!(
                "{label:<12} line {:>4}  {}  {:?}",
                o.example.line, o.example.text, o.rules
            );
        }
    }
    println!("{path}");
    println!(
        "{:<8} {:>5} {:>10} {:>8}   tp   fp   fn   tn",
        "family", "n", "precision", "recall"
    );
    for (family, c) in &counts {
        println!(
            "{:<8} {:>5} {:>10.3} {:>8.3} {:>4} {:>4} {:>4} {:>4}",
            family.as_str(),
            c.total(),
            c.precision(),
            c.recall(),
            c.true_positives,
            c.false_positives,
            c.false_negatives,
            c.true_negatives
        );
    }
    ExitCode::SUCCESS
}
