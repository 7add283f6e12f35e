//! Sorting and keyset pagination of postmortem lists with an opaque cursor.
//!
//! The cursor holds the sort it was made for and the id of the last row served;
//! the store continues right after that row's sort values (keyset paging), so
//! rows added in between neither shift nor repeat rows (no offsets).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hindsight_store::{Filter, Sort, SortField, Summary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Rows per page unless the client asks otherwise, and the most it may ask for.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

const SORT_FIELDS: &str = "started, updated, key, severity, title";

/// Parses a `sort` parameter: a field, descending with a leading `-`.
pub fn parse_sort(s: &str) -> Result<Sort, ApiError> {
    let s = s.trim();
    let (descending, name) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let field = match name.to_ascii_lowercase().as_str() {
        "started" => SortField::Started,
        "updated" => SortField::Updated,
        "key" => SortField::Key,
        "severity" => SortField::Severity,
        "title" => SortField::Title,
        _ => {
            return Err(ApiError::invalid(
                "sort",
                format!(
                    "unknown sort `{s}`, expected one of: {SORT_FIELDS} (a leading `-` sorts descending)"
                ),
            ));
        }
    };
    Ok(Sort { field, descending })
}

/// Where the last page ended.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: Sort,
    id: Uuid,
}

impl Cursor {
    fn encode(&self) -> String {
        // A Cursor always serializes; an empty cursor would only restart the list.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bad = || ApiError::invalid("cursor", "the cursor is not one this server gave out");
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of `items`, read with one row more than `limit`: that extra
    /// row, dropped, says another page follows, continued from `cursor` of
    /// the last row kept.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> Self {
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = items.last().filter(|_| more).map(cursor);
        Page { items, next_cursor }
    }
}

/// The page of postmortems matching `filter` in `sort` order after `cursor`
/// (from the start without one). The store pages by keyset: it reads only the
/// rows of the page, one more to know whether another page follows.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    mut filter: Filter,
    sort: Sort,
    cursor: Option<&str>,
    limit: u32,
) -> Result<Page<Summary>, ApiError> {
    filter.sort = sort;
    if let Some(text) = cursor.filter(|c| !c.trim().is_empty()) {
        let cursor = Cursor::decode(text)?;
        if cursor.sort != sort {
            return Err(ApiError::invalid(
                "cursor",
                "the cursor belongs to a list with another sort: keep the sort while paging",
            ));
        }
        // The page starts after the cursor's row: if that row is gone (or was
        // never the caller's to see), the list must restart, not end silently.
        match state.store.get(&cursor.id.to_string()).await? {
            Some(pm) if caller.reader().can_read(&pm) => filter.after = Some(cursor.id),
            _ => {
                return Err(ApiError::invalid(
                    "cursor",
                    "the postmortem this cursor continues from was deleted: start the list again",
                ));
            }
        }
    }
    let limit = limit.clamp(1, MAX_LIMIT);
    filter.limit = Some(limit + 1);
    let items = state.store.list(&filter).await?;
    Ok(Page::from_overfetch(items, limit, |last| {
        Cursor { sort, id: last.id }.encode()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_parse_with_direction_and_unknown_ones_are_named() {
        let sort = parse_sort(" -key ").unwrap();
        assert_eq!(
            sort,
            Sort {
                field: SortField::Key,
                descending: true
            }
        );
        assert_eq!(parse_sort("Title").unwrap().field, SortField::Title);
        let err = parse_sort("owner").unwrap_err();
        assert_eq!(err.body.field.as_deref(), Some("sort"));
        assert!(
            err.body.message.contains("expected one of: started"),
            "{}",
            err.body.message
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            sort: Sort::default(),
            id: Uuid::new_v4(),
        };
        let back = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!((back.sort, back.id), (cursor.sort, cursor.id));
        let err = Cursor::decode("garbage!").unwrap_err();
        assert_eq!(err.body.field.as_deref(), Some("cursor"));
    }
}
