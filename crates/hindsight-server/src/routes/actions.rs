//! `GET /api/v1/actions`: action items across postmortems.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use hindsight_core::ActionStatus;
use hindsight_store::{ActionFilter, ActionRow};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::openapi::ActionRowSchema;
use crate::routes::postmortems::word;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// Only the caller's own items (cannot be combined with `owner`).
    #[serde(default)]
    pub mine: bool,
    /// Only unfinished items past their due date (today, UTC).
    #[serde(default)]
    pub overdue: bool,
    pub owner: Option<String>,
    pub service: Option<String>,
    /// `open`, `in-progress`, `done`, `verified`, `wont-do`.
    pub status: Option<String>,
    /// Only the items of this postmortem (id or key).
    pub postmortem: Option<String>,
}

/// Action items of the postmortems the caller may read, earliest due first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions",
    params(ActionParams),
    responses((status = 200, body = Vec<ActionRowSchema>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ActionParams>,
) -> Result<Json<Vec<ActionRow>>, ApiError> {
    caller.require(Need::Read)?;
    let owner = match (params.mine, params.owner) {
        (true, Some(_)) => {
            return Err(ApiError::invalid(
                "owner",
                "give `mine` or `owner`, not both",
            ));
        }
        (true, None) => Some(caller.name().to_string()),
        (false, owner) => owner,
    };
    let filter = ActionFilter {
        owner,
        service: params.service,
        status: word::<ActionStatus>(&params.status, "status")?,
        overdue_on: params.overdue.then(|| Utc::now().date_naive()),
        postmortem: params.postmortem,
        reader: Some(caller.reader()),
    };
    Ok(Json(state.store.actions(&filter).await?))
}
