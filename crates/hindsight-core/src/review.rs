//! Reviews: asking named reviewers, their verdicts, how many approvals `final`
//! needs, and when the draft and the review are due.
//!
//! The status guards stay in [`crate::workflow`]; this module adds the rules
//! that depend on a team's policy and on who is acting.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Postmortem, Review, Severity, Status, Verdict};
use crate::workflow::{self, TransitionError};

/// A team's review rules (the server's configuration; these defaults otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewPolicy {
    /// Distinct approving reviewers `final` needs.
    pub approvals_required: usize,
    /// Hours from resolution until the draft should be in review, per severity
    /// (SEV1..SEV4); severities not listed use the last value.
    pub draft_due_hours: Vec<i64>,
    /// Hours from the review request until the reviewers should have answered.
    pub review_due_hours: i64,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy {
            approvals_required: 1,
            draft_due_hours: vec![48, 48, 72, 120],
            review_due_hours: 72,
        }
    }
}

/// Why a review action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("name at least one reviewer")]
    NoReviewers,
    #[error("{0} owns this postmortem and cannot review it")]
    OwnReview(String),
    #[error("{who} is not a requested reviewer (reviewers: {reviewers})")]
    NotAReviewer { who: String, reviewers: String },
    #[error("reviews are given while the postmortem is in review; it is {0}")]
    NotInReview(Status),
    #[error("a request for changes needs a comment saying what to change")]
    EmptyRequest,
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// Asks `reviewers` to review: adds them to the postmortem's reviewers and, from
/// `draft`, moves it to `in-review` (with the usual guards).
pub fn request_review(
    pm: &mut Postmortem,
    reviewers: &[String],
    now: DateTime<Utc>,
) -> Result<(), ReviewError> {
    let reviewers: Vec<&String> = reviewers.iter().filter(|r| !r.trim().is_empty()).collect();
    if reviewers.is_empty() {
        return Err(ReviewError::NoReviewers);
    }
    if let Some(owner) = reviewers.iter().find(|r| pm.owner.as_ref() == Some(**r)) {
        return Err(ReviewError::OwnReview(owner.to_string()));
    }
    let mut updated = pm.clone();
    for r in reviewers {
        if !updated.reviewers.contains(r) {
            updated.reviewers.push(r.clone());
        }
    }
    if updated.status == Status::Draft {
        workflow::transition(
            &mut updated,
            Status::InReview,
            &ReviewPolicy::default(),
            now,
        )?;
    }
    *pm = updated;
    Ok(())
}

/// Records a reviewer's verdict on the postmortem or one of its sections.
pub fn record_review(pm: &mut Postmortem, review: Review) -> Result<(), ReviewError> {
    if pm.status != Status::InReview && review.verdict != Verdict::Commented {
        return Err(ReviewError::NotInReview(pm.status));
    }
    if pm.owner.as_deref() == Some(review.reviewer.as_str()) && review.verdict != Verdict::Commented
    {
        return Err(ReviewError::OwnReview(review.reviewer));
    }
    if review.verdict != Verdict::Commented && !pm.reviewers.contains(&review.reviewer) {
        return Err(ReviewError::NotAReviewer {
            who: review.reviewer,
            reviewers: if pm.reviewers.is_empty() {
                "none yet".to_string()
            } else {
                pm.reviewers.join(", ")
            },
        });
    }
    if review.verdict == Verdict::ChangesRequested && review.comment.trim().is_empty() {
        return Err(ReviewError::EmptyRequest);
    }
    pm.reviews.push(review);
    Ok(())
}

/// Reviewers whose latest verdict (comments aside) is an approval.
pub fn approvers(pm: &Postmortem) -> Vec<&str> {
    latest_verdicts(pm)
        .into_iter()
        .filter(|(_, v)| *v == Verdict::Approved)
        .map(|(who, _)| who)
        .collect()
}

/// Reviewers whose latest verdict (comments aside) asks for changes.
pub fn changes_requested_by(pm: &Postmortem) -> Vec<&str> {
    latest_verdicts(pm)
        .into_iter()
        .filter(|(_, v)| *v == Verdict::ChangesRequested)
        .map(|(who, _)| who)
        .collect()
}

/// Each reviewer's latest approving or change-requesting verdict, by name.
fn latest_verdicts(pm: &Postmortem) -> Vec<(&str, Verdict)> {
    let mut latest: Vec<(&str, &Review)> = Vec::new();
    for r in pm
        .reviews
        .iter()
        .filter(|r| r.verdict != Verdict::Commented)
    {
        match latest.iter_mut().find(|(who, _)| *who == r.reviewer) {
            Some(slot) if slot.1.at <= r.at => slot.1 = r,
            Some(_) => {}
            None => latest.push((r.reviewer.as_str(), r)),
        }
    }
    latest.sort_by_key(|(who, _)| *who);
    latest
        .into_iter()
        .map(|(who, r)| (who, r.verdict))
        .collect()
}

/// What `final` lacks under this policy beyond the workflow's own guards.
pub fn missing_approvals(pm: &Postmortem, policy: &ReviewPolicy) -> Vec<String> {
    let have = approvers(pm).len();
    if have >= policy.approvals_required {
        return Vec::new();
    }
    vec![if policy.approvals_required == 1 {
        "an approving review".to_string()
    } else {
        format!(
            "{} approving reviews from different reviewers (it has {have})",
            policy.approvals_required
        )
    }]
}

/// When the draft and the review are due, and whether they are late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadlines {
    /// When the draft should be in review: resolution plus the severity's hours.
    pub draft_due: Option<DateTime<Utc>>,
    /// Still a draft after `draft_due`.
    pub draft_overdue: bool,
    /// When reviewers should have answered: the review request plus the policy's hours.
    pub review_due: Option<DateTime<Utc>>,
    /// Still in review after `review_due`.
    pub review_overdue: bool,
}

impl ReviewPolicy {
    /// Hours the draft may take after resolution, for this severity (an unknown
    /// severity gets the most lenient).
    fn draft_hours(&self, severity: Option<Severity>) -> Option<i64> {
        let index = severity
            .and_then(|s| Severity::ALL.iter().position(|x| *x == s))
            .unwrap_or(Severity::ALL.len() - 1);
        self.draft_due_hours
            .get(index)
            .or(self.draft_due_hours.last())
            .copied()
    }

    /// The deadlines of `pm`, given when its review was last requested (the
    /// latest move to `in-review`, from the audit log) and the time now. Without a
    /// resolution time there is no draft deadline: it is never guessed.
    pub fn deadlines(
        &self,
        pm: &Postmortem,
        review_requested_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Deadlines {
        let draft_due = pm
            .milestones
            .resolved
            .zip(self.draft_hours(pm.severity))
            .map(|(resolved, hours)| resolved + Duration::hours(hours));
        let review_due = review_requested_at.map(|at| at + Duration::hours(self.review_due_hours));
        Deadlines {
            draft_due,
            draft_overdue: pm.status == Status::Draft && draft_due.is_some_and(|d| now > d),
            review_due,
            review_overdue: pm.status == Status::InReview && review_due.is_some_and(|d| now > d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0)
            .single()
            .unwrap()
    }

    fn review(who: &str, verdict: Verdict, day: u32, comment: &str) -> Review {
        Review {
            reviewer: who.into(),
            verdict,
            at: at(day, 9),
            comment: comment.into(),
            section: None,
        }
    }

    fn draft() -> Postmortem {
        let mut pm = Postmortem::new("Checkout errors", Kind::Incident, at(1, 0));
        pm.owner = Some("alice".into());
        pm.severity = Some(Severity::Sev2);
        pm.summary = "Checkout failed.".into();
        pm
    }

    #[test]
    fn requesting_a_review_names_reviewers_and_moves_the_draft() {
        let mut pm = draft();
        assert_eq!(
            request_review(&mut pm, &[], at(2, 9)),
            Err(ReviewError::NoReviewers)
        );
        let err = request_review(&mut pm, &["alice".into()], at(2, 9)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "alice owns this postmortem and cannot review it"
        );
        request_review(
            &mut pm,
            &["bob".into(), "carol".into(), "bob".into()],
            at(2, 9),
        )
        .unwrap();
        assert_eq!(pm.status, Status::InReview);
        assert_eq!(pm.reviewers, ["bob", "carol"]);

        let mut empty = Postmortem::new("x", Kind::Incident, at(1, 0));
        let err = request_review(&mut empty, &["bob".into()], at(2, 9)).unwrap_err();
        assert!(err.to_string().contains("an owner"), "{err}");
        assert!(
            empty.reviewers.is_empty(),
            "a refused request changes nothing"
        );
    }

    #[test]
    fn verdicts_come_from_requested_reviewers_and_the_latest_counts() {
        let mut pm = draft();
        let err = record_review(&mut pm, review("bob", Verdict::Approved, 2, "")).unwrap_err();
        assert_eq!(err, ReviewError::NotInReview(Status::Draft));
        request_review(&mut pm, &["bob".into(), "carol".into()], at(2, 9)).unwrap();
        let err = record_review(&mut pm, review("dave", Verdict::Approved, 2, "")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dave is not a requested reviewer (reviewers: bob, carol)"
        );
        assert_eq!(
            record_review(&mut pm, review("bob", Verdict::ChangesRequested, 2, " ")),
            Err(ReviewError::EmptyRequest)
        );
        record_review(
            &mut pm,
            review("bob", Verdict::ChangesRequested, 2, "Quantify the impact"),
        )
        .unwrap();
        record_review(&mut pm, review("carol", Verdict::Approved, 3, "")).unwrap();
        // Anyone may comment, also outside review.
        record_review(
            &mut pm,
            review("dave", Verdict::Commented, 3, "Nice timeline"),
        )
        .unwrap();
        assert_eq!(changes_requested_by(&pm), ["bob"]);
        assert_eq!(approvers(&pm), ["carol"]);
        record_review(&mut pm, review("bob", Verdict::Approved, 4, "")).unwrap();
        assert_eq!(changes_requested_by(&pm), Vec::<&str>::new());
        assert_eq!(approvers(&pm), ["bob", "carol"]);

        let two = ReviewPolicy {
            approvals_required: 3,
            ..ReviewPolicy::default()
        };
        assert_eq!(
            missing_approvals(&pm, &two),
            ["3 approving reviews from different reviewers (it has 2)"]
        );
        assert!(missing_approvals(&pm, &ReviewPolicy::default()).is_empty());
    }

    #[test]
    fn deadlines_follow_severity_and_are_never_guessed() {
        let policy = ReviewPolicy::default();
        let mut pm = draft();
        let none = policy.deadlines(&pm, None, at(20, 0));
        assert_eq!((none.draft_due, none.draft_overdue), (None, false));

        pm.milestones.resolved = Some(at(1, 12));
        let d = policy.deadlines(&pm, None, at(3, 13));
        assert_eq!(d.draft_due, Some(at(3, 12)), "SEV2: 48 hours");
        assert!(d.draft_overdue);
        pm.severity = Some(Severity::Sev4);
        assert_eq!(
            policy.deadlines(&pm, None, at(3, 13)).draft_due,
            Some(at(6, 12))
        );

        pm.status = Status::InReview;
        let d = policy.deadlines(&pm, Some(at(4, 9)), at(7, 10));
        assert!(!d.draft_overdue, "no longer a draft");
        assert_eq!(d.review_due, Some(at(7, 9)));
        assert!(d.review_overdue);
    }
}
