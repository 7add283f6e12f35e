//! Sorting and keyset pagination of postmortem lists with an opaque cursor.
//!
//! The cursor holds the sort it was made for and the sort value and id of the
//! last row served, so the next page starts right after that row even when rows
//! were added or deleted in between (no offsets that shift).

use std::cmp::Ordering;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hindsight_store::Summary;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

/// Rows per page unless the client asks otherwise, and the most it may ask for.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// A field lists can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    Started,
    Updated,
    Key,
    Severity,
    Title,
}

const SORT_FIELDS: &str = "started, updated, key, severity, title";

/// A sort: a field, ascending or (with a leading `-`) descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest incident first.
    fn default() -> Self {
        Sort {
            field: SortField::Started,
            descending: true,
        }
    }
}

impl FromStr for Sort {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
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
}

/// A row's value for a sort field. Missing values sort first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum SortValue {
    Missing,
    Time(DateTime<Utc>),
    Number(u64),
    Text(String),
}

fn value_of(row: &Summary, field: SortField) -> SortValue {
    match field {
        SortField::Started => row.started.map_or(SortValue::Missing, SortValue::Time),
        SortField::Updated => SortValue::Time(row.updated_at),
        SortField::Key => key_number(&row.key).map_or_else(
            || SortValue::Text(row.key.to_lowercase()),
            SortValue::Number,
        ),
        SortField::Severity => row.severity.map_or(SortValue::Missing, |s| {
            // SEV1..SEV4 -> 1..4
            SortValue::Number(key_number(s.as_str()).unwrap_or_default())
        }),
        SortField::Title => SortValue::Text(row.title.to_lowercase()),
    }
}

/// The trailing number of `PM-42` or `SEV2`.
fn key_number(text: &str) -> Option<u64> {
    let digits = text.trim_start_matches(|c: char| !c.is_ascii_digit());
    digits.parse().ok()
}

/// Where the last page ended.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: Sort,
    value: SortValue,
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
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Sorts `rows` and returns the page after `cursor` (from the start without one).
pub fn page(
    mut rows: Vec<Summary>,
    sort: Sort,
    cursor: Option<&str>,
    limit: u32,
) -> Result<Page<Summary>, ApiError> {
    let order = |a: &(SortValue, Uuid), b: &(SortValue, Uuid)| -> Ordering {
        let o = a.cmp(b);
        if sort.descending { o.reverse() } else { o }
    };
    let mut keyed: Vec<((SortValue, Uuid), Summary)> = rows
        .drain(..)
        .map(|r| ((value_of(&r, sort.field), r.id), r))
        .collect();
    keyed.sort_by(|a, b| order(&a.0, &b.0));
    let start = match cursor.filter(|c| !c.trim().is_empty()) {
        None => 0,
        Some(text) => {
            let cursor = Cursor::decode(text)?;
            if cursor.sort != sort {
                return Err(ApiError::invalid(
                    "cursor",
                    "the cursor belongs to a list with another sort: keep the sort while paging",
                ));
            }
            let last = (cursor.value, cursor.id);
            keyed.partition_point(|(k, _)| order(k, &last) != Ordering::Greater)
        }
    };
    let limit = limit.clamp(1, MAX_LIMIT) as usize;
    let rest = keyed.len().saturating_sub(start);
    let items: Vec<((SortValue, Uuid), Summary)> =
        keyed.into_iter().skip(start).take(limit).collect();
    let next_cursor = match items.last() {
        Some(((value, id), _)) if rest > limit => Some(
            Cursor {
                sort,
                value: value.clone(),
                id: *id,
            }
            .encode(),
        ),
        _ => None,
    };
    Ok(Page {
        items: items.into_iter().map(|(_, row)| row).collect(),
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hindsight_core::{Kind, Status, Visibility};

    fn row(n: u32, started: Option<u32>) -> Summary {
        Summary {
            id: Uuid::new_v4(),
            key: format!("PM-{n}"),
            title: format!("Incident {n}"),
            kind: Kind::Incident,
            severity: None,
            status: Status::Draft,
            visibility: Visibility::Internal,
            owner: None,
            services: vec![],
            started: started.map(|d| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap()),
            version: 1,
            updated_at: Utc::now(),
            open_actions: 0,
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let rows: Vec<Summary> = (1..=7).map(|n| row(n, Some(n % 3 + 1))).collect();
        for sort in ["-started", "key", "-key", "title"] {
            let sort: Sort = sort.parse().unwrap();
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let p = page(rows.clone(), sort, cursor.as_deref(), 3).unwrap();
                seen.extend(p.items.iter().map(|r| r.key.clone()));
                match p.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let all = page(rows.clone(), sort, None, 100).unwrap();
            let expected: Vec<String> = all.items.iter().map(|r| r.key.clone()).collect();
            assert_eq!(seen, expected, "{sort:?}");
            assert_eq!(seen.len(), 7);
        }
        let by_key = page(rows, "-key".parse().unwrap(), None, 2).unwrap();
        assert_eq!(by_key.items[0].key, "PM-7");
    }

    #[test]
    fn foreign_cursors_are_refused() {
        let rows: Vec<Summary> = (1..=3).map(|n| row(n, None)).collect();
        let p = page(rows.clone(), Sort::default(), None, 1).unwrap();
        let cursor = p.next_cursor.unwrap();
        let err = page(rows.clone(), "key".parse().unwrap(), Some(&cursor), 1).unwrap_err();
        assert_eq!(err.body.field.as_deref(), Some("cursor"));
        assert!(page(rows, Sort::default(), Some("garbage!"), 1).is_err());
    }
}
