//! `GET /api/v1/search`: full-text search with the list filters and snippets.

use axum::Json;
use axum::extract::State;
use hindsight_store::SearchHit;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::openapi::SearchHitSchema;
use crate::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::routes::postmortems::FilterParams;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to look for (all must match; the last may be a prefix).
    pub q: String,
    /// Most hits returned (default 50, at most 500).
    pub limit: Option<u32>,
}

/// Postmortems the caller may read that match the words, best first, each
/// with a snippet of its best-matching passage.
#[utoipa::path(get, path = "/api/v1/search", tag = "postmortems",
    params(SearchParams, FilterParams),
    responses((status = 200, body = Vec<SearchHitSchema>), (status = 400, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
    Query(filters): Query<FilterParams>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    caller.require(Need::Read)?;
    if params.q.trim().is_empty() {
        return Err(ApiError::invalid("q", "give words to search for"));
    }
    let mut filter = filters.to_filter(&caller)?;
    filter.limit = Some(params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT));
    Ok(Json(state.store.search(&params.q, &filter).await?))
}
