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

domain_schema!(
    PostmortemSchema,
    "Postmortem",
    "A postmortem, whole: the JSON form of the model described in docs/format.md \
     (title, kind, severity, status, visibility, restricted_to, services, tags, owner, \
     authors, reviewers, version, milestones, impact, summary, timeline, analysis, release, \
     actions, reviews). On create, id, key, version, status and times are set by the server.",
    ["title", "kind"]
);
domain_schema!(
    PostmortemPage,
    "PostmortemPage",
    "A page of postmortem summaries (`items`) and, unless it is the last page, the \
     `next_cursor` to pass as `cursor` for the next one.",
    ["items"]
);
domain_schema!(
    SearchHitSchema,
    "SearchHit",
    "A search result: `postmortem` (a Summary), `score` (higher is better) and `snippet` \
     (a list of `{text, matched}` parts of the best-matching passage).",
    ["postmortem", "score", "snippet"]
);
domain_schema!(
    ActionRowSchema,
    "ActionRow",
    "An action item (`item`) with its postmortem's id, key and title.",
    [
        "postmortem_id",
        "postmortem_key",
        "postmortem_title",
        "item"
    ]
);
domain_schema!(
    AuditEntrySchema,
    "AuditEntry",
    "One recorded change: postmortem_id, at, actor, action (create, update, transition, \
     import, review-request, review, delete) and the field-level changes.",
    ["postmortem_id", "at", "actor", "action", "changes"]
);
domain_schema!(
    AuditPage,
    "AuditPage",
    "A page of the audit log (`items`: AuditEntry fields plus `entry`, the entry's \
     number) and, unless it is the last page, the `next_cursor` for the next one.",
    ["items"]
);
domain_schema!(
    AccountEventPage,
    "AccountEventPage",
    "A page of the account log (`items`: at, actor, action — user-create, user-update, \
     password-set, token-create, token-revoke, login, login-failed, logout — subject and \
     detail) and, unless it is the last page, the `next_cursor` for the next one.",
    ["items"]
);
domain_schema!(
    TimelineEventSchema,
    "TimelineEvent",
    "A timeline event: at (RFC 3339, UTC), kind (deploy, alert, page, ack, communication, \
     action, mitigation, rollback, resolution, note), text, source, source_ref, milestone. \
     May carry the `version` edited.",
    []
);
domain_schema!(
    FactorSchema,
    "ContributingFactor",
    "A contributing factor: category, group (people, process, technology, environment) \
     and text. May carry the `version` edited.",
    []
);
domain_schema!(
    ActionItemSchema,
    "ActionItem",
    "An action item: title, description, type, horizon, priority, control, owner, due, \
     status, wont_do_reason, ticket, outcome, factor. May carry the `version` edited.",
    []
);
domain_schema!(
    UserSchema,
    "User",
    "An account: name (its login, and the name postmortems use), display_name, role \
     (viewer, editor, admin), groups, disabled, created_at.",
    [
        "name",
        "display_name",
        "role",
        "groups",
        "disabled",
        "created_at"
    ]
);
domain_schema!(
    ApiTokenSchema,
    "ApiToken",
    "An API token's record (never its secret): id, user, name, scope (read, write, admin, \
     webhook), prefix, created_at, expires_at, last_used_at, revoked_at.",
    ["id", "user", "name", "scope", "prefix", "created_at"]
);
domain_schema!(
    QualityReportSchema,
    "QualityReport",
    "`findings`: lint findings (rule, severity, message, field path, suggestion); \
     `score`: the rubric scorecard (criteria with scores and evidence, weighted_average, \
     pass_threshold, passed, failures).",
    ["findings", "score"]
);
