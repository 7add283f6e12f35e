//! `GET /api/v1/postmortems/{id}/quality`: lint findings and rubric score.

use axum::Json;
use axum::extract::State;
use chrono::Utc;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::openapi::QualityReportSchema;
use crate::quality::Report;
use crate::routes::postmortems::visible;
use crate::state::AppState;

/// The postmortem's lint findings (with field paths and suggestions) and its
/// rubric score with the evidence for each criterion.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/quality", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key")),
    responses((status = 200, body = QualityReportSchema), (status = 404, body = ErrorBody)))]
pub async fn quality(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Report>, ApiError> {
    let pm = visible(&state, &caller, &id).await?;
    Ok(Json(state.quality.report(&pm, Utc::now().date_naive())))
}
