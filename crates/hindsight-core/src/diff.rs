//! Field-level differences between two versions of a postmortem, for the audit log.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Postmortem;

/// One changed field: its path (`status`, `actions[A2].status`, `timeline`) and
/// the values before and after (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Fields that change on every save and say nothing about what was edited.
const BOOKKEEPING: &[&str] = &["version", "updated_at"];

/// The changes from `before` to `after`. Objects are compared field by field;
/// lists of records with an `id` are compared by id; other lists as a whole.
pub fn diff(before: &Postmortem, after: &Postmortem) -> Vec<Change> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(before), serde_json::to_value(after)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out.retain(|c| !BOOKKEEPING.contains(&c.field.as_str()));
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Change>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let sub = join(path, k);
                walk(
                    &sub,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if keyed(x) && keyed(y) => {
            let mut ids: Vec<&str> = x.iter().chain(y.iter()).filter_map(id_of).collect();
            ids.dedup();
            let mut seen = Vec::new();
            for id in ids {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let find = |list: &Vec<Value>| {
                    list.iter()
                        .find(|v| id_of(v) == Some(id))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                walk(&format!("{path}[{id}]"), &find(x), &find(y), out);
            }
        }
        _ => out.push(Change {
            field: path.to_string(),
            before: a.clone(),
            after: b.clone(),
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id")?.as_str()
}

fn keyed(list: &[Value]) -> bool {
    !list.is_empty() && list.iter().all(|v| id_of(v).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::Utc;

    #[test]
    fn reports_changed_fields_by_path_and_items_by_id() {
        let mut a = Postmortem::new("Outage", Kind::Incident, Utc::now());
        a.actions.push(ActionItem::new("A1", "Add alert"));
        a.actions.push(ActionItem::new("A2", "Add index"));
        let mut b = a.clone();
        b.version += 1;
        b.status = Status::InReview;
        b.actions[1].status = ActionStatus::Done;
        let fields: Vec<String> = diff(&a, &b).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["actions[A2].status", "status"]);
    }
}
