//! Front-matter keys of free-form files (a body with no known `##` section),
//! such as the public postmortems of the icco/postmortems collection: their
//! keys are mapped onto the format's where they fit, and kept otherwise.

use super::fields::Fields;
use super::time::{self, Reading};
use super::{Given, ParseError};
use crate::model::Postmortem;

/// What a free-form file gives beyond its fields.
#[derive(Default)]
pub(super) struct Lead {
    /// `summary`, put before the body in the Summary.
    pub summary: Option<String>,
    /// The company, product and date, for a file without a title.
    pub title: Option<String>,
}

/// Maps `uuid`, `start_time`, `end_time`, `categories`, `keywords`, `product`
/// and `summary` where the format's own key was not given.
pub(super) fn read(
    fields: &mut Fields,
    pm: &mut Postmortem,
    given: &mut Given,
) -> Result<Lead, ParseError> {
    let title = fallback_title(fields);
    if !given.id
        && let Some(field) = fields.take("uuid")
        && let Some(id) = field.uuid()?
    {
        pm.id = id;
        given.id = true;
    }
    if pm.milestones.started.is_none() {
        pm.milestones.started = take_time(fields, "start_time")?;
    }
    if pm.milestones.resolved.is_none() {
        pm.milestones.resolved = take_time(fields, "end_time")?;
    }
    if pm.tags.is_empty() && (fields.has("categories") || fields.has("keywords")) {
        for key in ["categories", "keywords"] {
            for tag in fields
                .take(key)
                .map(|f| f.texts())
                .transpose()?
                .unwrap_or_default()
            {
                if !pm.tags.contains(&tag) {
                    pm.tags.push(tag);
                }
            }
        }
    }
    if pm.services.is_empty()
        && let Some(field) = fields.take("product")
    {
        pm.services = field.texts()?;
    }
    let summary = match fields.take("summary") {
        Some(field) => field.text()?.map(|s| s.trim().to_string()),
        None => None,
    };
    Ok(Lead { summary, title })
}

/// Takes `key` when it is a full timestamp; a date alone or a time without a
/// zone is left in place (kept as an extra key): nothing is guessed.
fn take_time(
    fields: &mut Fields,
    key: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ParseError> {
    let Some(text) = fields.peek(key).map(|f| f.text()).transpose()? else {
        return Ok(None);
    };
    match text.as_deref().map(time::read) {
        Some(Reading::Full(at)) => {
            fields.take(key);
            Ok(Some(at))
        }
        _ => Ok(None),
    }
}

/// `company product incident (YYYY-MM-DD)`, from whichever of them are
/// there; the company is left out when the product already starts with it.
fn fallback_title(fields: &Fields) -> Option<String> {
    let text = |key: &str| {
        let text = fields.peek(key)?.text().ok()??;
        Some(text.trim().to_string())
    };
    let product = text("product");
    let company = text("company").filter(|c| {
        product
            .as_deref()
            .is_none_or(|p| !p.to_lowercase().starts_with(&c.to_lowercase()))
    });
    let date = text("start_time")
        .and_then(|t| t.get(..10).map(str::to_string))
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    let name = [company, product]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    match (name.is_empty(), date) {
        (true, date) => date.map(|d| format!("Incident ({d})")),
        (false, None) => Some(format!("{name} incident")),
        (false, Some(date)) => Some(format!("{name} incident ({date})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::yaml::Yaml;

    fn title(yaml: &str) -> Option<String> {
        let yaml = Yaml::parse(yaml, 2).unwrap();
        fallback_title(&Fields::new(&yaml).unwrap())
    }

    #[test]
    fn titles_from_company_product_and_date() {
        assert_eq!(
            title("company: Gitlab\nproduct: GitLab.com\nstart_time: 2014-07-08T00:00:00Z\n")
                .as_deref(),
            Some("GitLab.com incident (2014-07-08)")
        );
        assert_eq!(
            title("company: Amazon\nproduct: SimpleDB\n").as_deref(),
            Some("Amazon SimpleDB incident")
        );
        assert_eq!(
            title("company: Basecamp\nproduct: \"\"\n").as_deref(),
            Some("Basecamp incident")
        );
        assert_eq!(title("url: x\n"), None);
    }
}
