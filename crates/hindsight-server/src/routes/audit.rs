//! `GET /api/v1/postmortems/{id}/audit`: who changed what, when.

use axum::Json;
use axum::extract::State;
use hindsight_core::AuditEntry;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::openapi::AuditEntrySchema;
use crate::routes::postmortems::visible;
use crate::state::AppState;

/// The audit history of a postmortem, oldest first. A deleted postmortem's
/// history (by its id) is for admins only, since nobody else can be shown to
/// have been allowed to read it.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/audit", tag = "postmortems",
    params(("id" = String, Path, description = "Id or key; a deleted postmortem needs its id")),
    responses((status = 200, body = Vec<AuditEntrySchema>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let pm_id = match visible(&state, &caller, &id).await {
        Ok(pm) => pm.id,
        Err(not_found) => match uuid::Uuid::parse_str(&id) {
            Ok(uuid) if caller.require(Need::Admin).is_ok() => uuid,
            _ => return Err(not_found),
        },
    };
    let entries = state.store.audit(pm_id).await?;
    if entries.is_empty() {
        return Err(ApiError::not_found(format!("postmortem `{id}`")));
    }
    Ok(Json(entries))
}
