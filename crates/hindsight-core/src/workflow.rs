//! The review workflow: draft -> in-review -> final -> closed.
//!
//! Every status change goes through [`transition`], so the guards live in one
//! place. A refused change says exactly what is missing.

use chrono::{DateTime, Utc};

use crate::model::{GateOutcome, Postmortem, Status};
use crate::review::{self, ReviewPolicy};

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot move from {from} to {to}; from {from} the next statuses are: {allowed}")]
    NotAllowed {
        from: Status,
        to: Status,
        allowed: String,
    },
    #[error("cannot move to {to}, missing: {}", .missing.join("; "))]
    Incomplete { to: Status, missing: Vec<String> },
}

/// The statuses reachable in one step from `from`.
pub fn next_statuses(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        Draft => &[InReview],
        // Back to draft when a reviewer asks for changes.
        InReview => &[Draft, Final],
        // Reopened for corrections, or closed when the actions are done.
        Final => &[InReview, Closed],
        // Reopened when an action item turns out not to be done after all.
        Closed => &[Final],
    }
}

/// What the postmortem still lacks to be moved to `to` (empty when nothing).
pub fn missing_for(pm: &Postmortem, to: Status, policy: &ReviewPolicy) -> Vec<String> {
    let mut missing = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            missing.push(what.to_string());
        }
    };
    match to {
        Status::Draft => {}
        Status::InReview => {
            need(!pm.title.trim().is_empty(), "a title");
            need(pm.owner.is_some(), "an owner");
            need(pm.severity.is_some(), "a severity");
            need(!pm.summary.trim().is_empty(), "a summary");
        }
        Status::Final => {
            need(pm.owner.is_some(), "an owner");
            need(pm.severity.is_some(), "a severity");
            need(!pm.summary.trim().is_empty(), "a summary");
            need(
                !pm.impact.text.trim().is_empty() || pm.impact.has_numbers(),
                "the impact",
            );
            need(!pm.timeline.is_empty(), "a timeline");
            need(!pm.analysis.root_cause.trim().is_empty(), "the root cause");
            need(!pm.actions.is_empty(), "at least one action item");
            if pm.kind.is_release() {
                let gates = pm
                    .release
                    .as_ref()
                    .map(|r| r.gates.as_slice())
                    .unwrap_or_default();
                need(!gates.is_empty(), "the release gate analysis");
                for g in gates.iter().filter(|g| g.outcome == GateOutcome::Unknown) {
                    need(
                        false,
                        &format!("what the {} gate did (it is unknown)", g.gate),
                    );
                }
            }
            for a in &pm.actions {
                need(
                    a.owner.is_some(),
                    &format!("an owner for action item {}", a.id),
                );
                need(
                    a.due.is_some(),
                    &format!("a due date for action item {}", a.id),
                );
            }
            missing.extend(review::missing_approvals(pm, policy));
            for reviewer in review::changes_requested_by(pm) {
                missing.push(format!(
                    "a new review from {reviewer}, who requested changes"
                ));
            }
        }
        Status::Closed => {
            for a in pm.actions.iter().filter(|a| !a.is_closed_out()) {
                let state = if a.status.is_finished() {
                    "wont-do without a reason".to_string()
                } else {
                    a.status.to_string()
                };
                missing.push(format!(
                    "action item {} \"{}\" to be done, verified or won't-do with a reason (it is {state})",
                    a.id, a.title
                ));
            }
        }
    }
    missing
}

/// Checks a move to `to` without making it.
pub fn check(pm: &Postmortem, to: Status, policy: &ReviewPolicy) -> Result<(), TransitionError> {
    let allowed = next_statuses(pm.status);
    if !allowed.contains(&to) {
        return Err(TransitionError::NotAllowed {
            from: pm.status,
            to,
            allowed: allowed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let missing = missing_for(pm, to, policy);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(TransitionError::Incomplete { to, missing })
    }
}

/// Moves the postmortem to `to`, stamping the published and closed times.
pub fn transition(
    pm: &mut Postmortem,
    to: Status,
    policy: &ReviewPolicy,
    now: DateTime<Utc>,
) -> Result<(), TransitionError> {
    check(pm, to, policy)?;
    match to {
        Status::Final => {
            pm.published_at.get_or_insert(now);
            pm.closed_at = None;
        }
        Status::Closed => pm.closed_at = Some(now),
        Status::Draft | Status::InReview => {}
    }
    pm.status = to;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::{NaiveDate, TimeZone};

    fn policy() -> ReviewPolicy {
        ReviewPolicy::default()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 9, 0, 0).single().unwrap()
    }

    fn complete() -> Postmortem {
        let mut pm = Postmortem::new("Checkout errors after deploy", Kind::Incident, now());
        pm.owner = Some("alice".into());
        pm.severity = Some(Severity::Sev2);
        pm.summary = "Checkout failed for 12% of requests.".into();
        pm.impact.users_affected = Some(1200);
        pm.timeline.push(TimelineEvent::note(now(), "Deploy"));
        pm.analysis.root_cause = "A missing index made the query scan.".into();
        let mut a = ActionItem::new("A1", "Add the index");
        a.owner = Some("bob".into());
        a.due = NaiveDate::from_ymd_opt(2026, 4, 1);
        pm.actions.push(a);
        pm.reviews.push(Review {
            reviewer: "carol".into(),
            verdict: Verdict::Approved,
            at: now(),
            comment: String::new(),
            section: None,
        });
        pm
    }

    #[test]
    fn skipping_a_step_is_refused_with_the_allowed_next_steps() {
        let pm = complete();
        let err = check(&pm, Status::Closed, &policy()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot move from draft to closed; from draft the next statuses are: in-review"
        );
    }

    #[test]
    fn final_lists_everything_missing() {
        let mut pm = Postmortem::new("x", Kind::Deploy, now());
        pm.status = Status::InReview;
        let TransitionError::Incomplete { missing, .. } =
            check(&pm, Status::Final, &policy()).unwrap_err()
        else {
            panic!("expected incomplete");
        };
        assert_eq!(
            missing,
            [
                "an owner",
                "a severity",
                "a summary",
                "the impact",
                "a timeline",
                "the root cause",
                "at least one action item",
                "the release gate analysis",
                "an approving review"
            ]
        );
    }

    #[test]
    fn release_gates_left_unknown_block_final() {
        let mut pm = complete();
        pm.kind = Kind::Deploy;
        pm.status = Status::InReview;
        let gate = |gate, outcome| GateAnalysis {
            gate,
            outcome,
            why_missed: String::new(),
        };
        pm.release = Some(ReleaseRecord {
            gates: vec![
                gate(Gate::Ci, GateOutcome::Passed),
                gate(Gate::Canary, GateOutcome::Unknown),
            ],
            ..ReleaseRecord::default()
        });
        let TransitionError::Incomplete { missing, .. } =
            check(&pm, Status::Final, &policy()).unwrap_err()
        else {
            panic!("expected incomplete");
        };
        assert_eq!(missing, ["what the canary gate did (it is unknown)"]);
        if let Some(r) = pm.release.as_mut() {
            r.gates[1].outcome = GateOutcome::Skipped;
        }
        assert!(check(&pm, Status::Final, &policy()).is_ok());
    }

    #[test]
    fn a_full_walk_stamps_times_and_closing_needs_finished_actions() {
        let mut pm = complete();
        transition(&mut pm, Status::InReview, &policy(), now()).unwrap();
        transition(&mut pm, Status::Final, &policy(), now()).unwrap();
        assert_eq!(pm.published_at, Some(now()));
        let err = transition(&mut pm, Status::Closed, &policy(), now()).unwrap_err();
        assert!(
            err.to_string().contains("action item A1 \"Add the index\""),
            "{err}"
        );
        pm.actions[0].status = ActionStatus::WontDo;
        let err = transition(&mut pm, Status::Closed, &policy(), now()).unwrap_err();
        assert!(
            err.to_string().contains("wont-do without a reason"),
            "{err}"
        );
        pm.actions[0].wont_do_reason = Some("replaced by the new schema".into());
        transition(&mut pm, Status::Closed, &policy(), now()).unwrap();
        assert_eq!(pm.status, Status::Closed);
        assert_eq!(pm.closed_at, Some(now()));
    }

    #[test]
    fn an_unanswered_request_for_changes_blocks_final() {
        let mut pm = complete();
        pm.status = Status::InReview;
        pm.reviews.push(Review {
            reviewer: "dave".into(),
            verdict: Verdict::ChangesRequested,
            at: now(),
            comment: "Quantify the impact".into(),
            section: None,
        });
        let err = check(&pm, Status::Final, &policy()).unwrap_err();
        assert!(err.to_string().contains("a new review from dave"), "{err}");
    }
}
