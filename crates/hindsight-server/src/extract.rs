//! Path and query extractors whose rejections use the API's error shape.

use axum::extract::FromRequestParts;

use crate::error::ApiError;

/// Query parameters, or a 400 in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters, or a 400 in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);
