//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the
//! schemas of the domain types (which live in core, free of HTTP concerns).

use axum::Json;
use axum::extract::State;
use utoipa::OpenApi;
use utoipa::openapi::schema::{ObjectBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Type};

use crate::state::AppState;

/// The document's fixed parts; the paths come from the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hindsight API",
        description = "Blameless, structured postmortems. Every error answers \
            `{\"error\": {\"status\", \"code\", \"message\", \"field\"}}`. Changes to an \
            existing postmortem name the version they were made from (a `version` \
            field or an `If-Match` header); a stale one gets 409 with the current version.",
    ),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    tags(
        (name = "postmortems", description = "Postmortems: list, search, read, write, audit"),
        (name = "parts", description = "Timeline events, contributing factors and action items"),
        (name = "workflow", description = "Review workflow transitions"),
        (name = "actions", description = "Action items across postmortems"),
        (name = "transfer", description = "Markdown import and export"),
        (name = "accounts", description = "Sessions, API tokens and users"),
        (name = "webhooks", description = "Deliveries from alerting, paging and deploy tools (docs/hooks.md)"),
        (name = "insight", description = "Metrics, pattern review, similar postmortems, reports and charts over the postmortems the caller may read (docs/insight.md)"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token: `Authorization: Bearer hs_...`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "hindsight_session",
                "The session cookie set by POST /api/v1/session; mutations also need the \
                 session's CSRF token in the X-CSRF-Token header",
            ))),
        );
    }
}

/// The OpenAPI document of this server.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json")))]
pub async fn document(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.openapi.as_ref().clone())
}

/// Declares a named schema for a domain type serialized by serde in core:
/// an object, described, with its required fields.
macro_rules! domain_schema {
    ($(#[$doc:meta])* $marker:ident, $name:literal, $description:literal, [$($required:literal),*]) => {
        $(#[$doc])*
        pub struct $marker;

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some($description))
                    $(.required($required))*
                    .build()
                    .into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }
        }
    };
}

/// A postmortem as the server answers it (the model's own schema).
pub type PostmortemSchema = hindsight_core::Postmortem;

domain_schema!(
    PostmortemInput,
    "PostmortemInput",
    "A postmortem to create or replace: the fields of `Postmortem`. On create, id, key, \
     version, status and times are set by the server; on replace they may be echoed back \
     unchanged, and the version edited goes in `version` or `If-Match`.",
    ["title", "kind"]
);
/// One recorded change (the model's own schema).
pub type AuditEntrySchema = hindsight_core::AuditEntry;
/// A search result with the snippet of its best-matching passage.
pub type SearchHitSchema = hindsight_store::SearchHit;
/// An action item with its postmortem's id, key and title.
pub type ActionRowSchema = hindsight_store::ActionRow;
/// An account.
pub type UserSchema = hindsight_store::User;
/// An API token's record (never its secret).
pub type ApiTokenSchema = hindsight_store::ApiToken;
domain_schema!(
    TimelineEventSchema,
    "TimelineEventInput",
    "A timeline event: at (RFC 3339, UTC), kind (deploy, alert, page, ack, communication, \
     action, mitigation, rollback, resolution, note), text, source, source_ref, milestone. \
     May carry the `version` edited.",
    []
);
domain_schema!(
    FactorSchema,
    "ContributingFactorInput",
    "A contributing factor: category, group (people, process, technology, environment) \
     and text. May carry the `version` edited.",
    []
);
domain_schema!(
    ActionItemSchema,
    "ActionItemInput",
    "An action item: title, description, type, horizon, priority, control, owner, due, \
     status, wont_do_reason, ticket, outcome, factor. May carry the `version` edited.",
    []
);
domain_schema!(
    QualityReportSchema,
    "QualityReport",
    "`findings`: lint findings (rule, severity, message, field path, suggestion); \
     `score`: the rubric scorecard (criteria with scores and evidence, weighted_average, \
     pass_threshold, passed, failures).",
    ["findings", "score"]
);
domain_schema!(
    MetricsSchema,
    "MetricsComparison",
    "`period` and `previous_period` (`2026-Q3`, `2026-07`); `current` and `previous`: the \
     metrics of each (postmortems, per_month, by_severity; mttd, mtta, mttm, mttr and lag as \
     distributions in minutes: count, missing, inconsistent, median_minutes, p90_minutes, \
     mean_minutes; recurrence, rca_completeness, action_closure, action_on_time and \
     lag_on_target as rates: hits, total, missing, rate; error_budget: consumed, largest, \
     reported, missing). With `by`: `groups`, each a key with its current and previous metrics.",
    ["period", "previous_period", "current", "previous"]
);
domain_schema!(
    PatternReviewSchema,
    "PatternReview",
    "`period`; `categories` and `by_service`: patterns (category, release_gate, service, \
     occurrences: id, handle, title, started, actions, actions_closed), most frequent first; \
     `gates`: release gates that let changes through (gate, misses: handle, outcome, why); \
     `relapses`: fixes that did not hold (category, service, earlier, earlier_title, \
     earlier_closed, later, later_title, later_started).",
    ["period", "categories", "by_service", "gates", "relapses"]
);
domain_schema!(
    SimilarSchema,
    "SimilarPostmortem",
    "A similar postmortem: id, handle, title, score, shared_services, shared_factors, \
     shared_words and the reason for people (\"same service (checkout), same factor: config; \
     words: pool, timeout\").",
    ["id", "handle", "title", "score", "reason"]
);
