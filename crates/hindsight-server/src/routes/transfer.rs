//! Markdown import and Markdown/JSON export of postmortems.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hindsight_core::format;
use hindsight_core::import::{ImportPlan, plan};
use hindsight_core::vocab::Visibility;
use hindsight_store::AuditAction;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::openapi::PostmortemSchema;
use crate::routes::postmortems::visible;
use crate::state::AppState;

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// `created`, `updated` or `unchanged`.
    pub outcome: &'static str,
    #[schema(value_type = PostmortemSchema)]
    pub postmortem: hindsight_core::Postmortem,
}

/// Imports one postmortem file (Markdown with YAML front matter, or a
/// free-form write-up). Idempotent by id; a file edited from an older version
/// than the stored one is refused with 409.
#[utoipa::path(post, path = "/api/v1/import", tag = "transfer",
    request_body(content = String, content_type = "text/markdown"),
    responses((status = 201, body = Imported), (status = 200, body = Imported),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<Imported>), ApiError> {
    caller.require(Need::Write)?;
    let markdown = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/markdown")
        });
    if !markdown {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the file with Content-Type: text/markdown",
        )
        .at("Content-Type"));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::invalid("", format!("the file is not UTF-8: {e}")))?;
    let parsed = format::parse(text, Utc::now()).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-file", e.to_string())
            .at(format!("line {}", e.line))
    })?;
    let id = parsed.postmortem.id.to_string();
    let stored = match state.store.get(&id).await? {
        Some(pm) if !caller.reader().can_read(&pm) => {
            return Err(ApiError::not_found(format!("postmortem `{id}`")));
        }
        stored => stored,
    };
    let actor = caller.actor();
    let (status, outcome, pm) = match plan(stored.as_ref(), parsed.postmortem, &parsed.given) {
        ImportPlan::Create(pm) => (
            StatusCode::CREATED,
            "created",
            state.store.create(&pm, &actor).await?,
        ),
        ImportPlan::Update(pm) => (
            StatusCode::OK,
            "updated",
            state.store.update(&pm, &actor, AuditAction::Import).await?,
        ),
        ImportPlan::Unchanged => match stored {
            Some(pm) => (StatusCode::OK, "unchanged", pm),
            None => {
                return Err(ApiError::internal(
                    "import planned `unchanged` without a stored postmortem",
                ));
            }
        },
        ImportPlan::Stale {
            file_version,
            stored_version,
        } => return Err(ApiError::conflict(file_version, stored_version)),
    };
    Ok((
        status,
        axum::Json(Imported {
            outcome,
            postmortem: pm,
        }),
    ))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Markdown with YAML front matter (re-imports unchanged).
    #[default]
    Md,
    Json,
    /// Markdown with secrets, email addresses and the configured patterns
    /// redacted; only for postmortems whose visibility is `public`.
    Public,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `md` (default), `json`, or `public` (redacted Markdown of a public postmortem).
    #[serde(default)]
    #[param(inline)]
    pub format: ExportFormat,
}

/// A postmortem as a file to download.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/export", tag = "transfer",
    params(("id" = String, Path, description = "Id or key"), ExportParams),
    responses((status = 200, description = "The file",
            content((String = "text/markdown"), (PostmortemSchema = "application/json"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let pm = visible(&state, &caller, &id).await?;
    let stem: String = pm
        .handle()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let (content_type, extension, text) = match params.format {
        ExportFormat::Md => ("text/markdown; charset=utf-8", "md", format::render(&pm)),
        ExportFormat::Json => (
            "application/json",
            "json",
            serde_json::to_string_pretty(&pm).map_err(ApiError::internal)?,
        ),
        ExportFormat::Public => {
            if pm.visibility != Visibility::Public {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not-public",
                    format!(
                        "{} is {}: only public postmortems have a public export",
                        pm.handle(),
                        pm.visibility
                    ),
                )
                .at("format"));
            }
            let (redacted, _) = state.quality.public(&pm).map_err(ApiError::internal)?;
            (
                "text/markdown; charset=utf-8",
                "md",
                format::render(&redacted),
            )
        }
    };
    let disposition = format!("attachment; filename=\"{stem}.{extension}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::ETAG, format!("\"{}\"", pm.version)),
        ],
        text,
    )
        .into_response())
}
