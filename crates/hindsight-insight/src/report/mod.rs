//! The quarterly review: headline metrics with their trend, recurring
//! patterns, action items by owner, late postmortems and charts, rendered
//! as Markdown or as one self-contained HTML page.
//!
//! The content is built once as a list of [`Block`]s; the two renderers
//! ([`markdown`], [`html`]) only differ in markup.

mod figures;
mod headline;
mod render;
mod sections;

pub use figures::{Figure, figures};
pub use headline::minutes;
pub use render::{html, markdown};

use chrono::Duration;
use serde::Serialize;

use crate::metrics::Insight;
use crate::patterns;
use crate::period::Period;
use figures::charts;
use headline::{headline_rows, highlights, severity_line};
use sections::{actions_by_owner, late_postmortems, pattern_row, relapses, services};

/// One piece of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    List {
        items: Vec<String>,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Inline SVG markup.
    Chart {
        svg: String,
    },
}

/// The report of `period` as blocks.
pub fn build(insight: &Insight<'_>, period: Period) -> Vec<Block> {
    let now = insight.options().now;
    let comparison = insight.compare(period);
    let (current, previous) = (&comparison.current, &comparison.previous);
    let prev = comparison.previous_period;
    let review = patterns::review(insight.postmortems(), Some(period));
    let mut out = vec![
        Block::Heading {
            level: 1,
            text: format!("Reliability review {period}"),
        },
        Block::Paragraph {
            text: format!(
                "{} postmortems with an incident between {} and {} (UTC), compared with {prev} ({} postmortems). Generated {}. Durations come from the incident milestones; postmortems without the milestones a metric needs are counted as missing, not estimated.",
                current.postmortems,
                period.start().format("%Y-%m-%d"),
                (period.end() - Duration::days(1)).format("%Y-%m-%d"),
                previous.postmortems,
                now.format("%Y-%m-%d %H:%M UTC"),
            ),
        },
        Block::Heading {
            level: 2,
            text: "Highlights".into(),
        },
        Block::List {
            items: highlights(insight, period, &review),
        },
        Block::Heading {
            level: 2,
            text: "Headline metrics".into(),
        },
        Block::Table {
            headers: vec![
                "Metric".into(),
                period.to_string(),
                prev.to_string(),
                "Trend".into(),
            ],
            rows: headline_rows(current, previous),
        },
    ];
    out.push(Block::Paragraph {
        text: severity_line(current),
    });

    out.extend(charts(insight, period));

    out.push(Block::Heading {
        level: 2,
        text: "Recurring patterns".into(),
    });
    if review.categories.is_empty() {
        out.push(Block::Paragraph {
            text:
                "No contributing-factor category appears in more than one postmortem this period."
                    .into(),
        });
    } else {
        out.push(Block::Table {
            headers: vec![
                "Pattern".into(),
                "Postmortems".into(),
                "Actions closed".into(),
                "Behind it".into(),
            ],
            rows: review
                .categories
                .iter()
                .chain(review.by_service.iter())
                .take(12)
                .map(pattern_row)
                .collect(),
        });
    }
    if !review.gates.is_empty() {
        out.push(Block::Paragraph {
            text:
                "Release gates that let a change through more than once (from the release records):"
                    .into(),
        });
        out.push(Block::List {
            items: review
                .gates
                .iter()
                .map(|g| {
                    let handles: Vec<&str> = g.misses.iter().map(|m| m.handle.as_str()).collect();
                    let outcomes: Vec<String> = g
                        .outcomes()
                        .iter()
                        .map(|(o, n)| format!("{o} {n}"))
                        .collect();
                    format!(
                        "**{}** gate did not catch {} releases ({}): {}",
                        g.gate,
                        g.misses.len(),
                        outcomes.join(", "),
                        handles.join(", ")
                    )
                })
                .collect(),
        });
    }
    out.push(Block::Heading {
        level: 3,
        text: "Fixes that did not hold".into(),
    });
    out.extend(relapses(&review.relapses));

    out.extend(services(insight, period));
    out.extend(actions_by_owner(insight, now));
    out.extend(late_postmortems(insight, period, now));
    out
}
