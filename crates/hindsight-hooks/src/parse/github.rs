//! GitHub `deployment` and `deployment_status` webhooks. The event name is in
//! `X-GitHub-Event`, the delivery id in `X-GitHub-Delivery` (kept by
//! redeliveries). Rollbacks are recognised by the policy, which sees the
//! environment's history: a new deployment of an earlier SHA is one.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Headers, Parsed, from_json, header, non_empty, required};
use crate::{Deploy, Event, EventType, ParseError, Source};

const SOURCE: Source = Source::Github;

#[derive(Deserialize)]
struct DeploymentPayload {
    deployment: Deployment,
    repository: Repository,
}

#[derive(Deserialize)]
struct StatusPayload {
    deployment_status: DeploymentStatus,
    deployment: Deployment,
    repository: Repository,
}

#[derive(Deserialize)]
struct Deployment {
    id: u64,
    sha: String,
    #[serde(default, rename = "ref")]
    git_ref: Option<String>,
    environment: String,
    #[serde(default)]
    description: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    creator: Option<Login>,
}

#[derive(Deserialize)]
struct DeploymentStatus {
    state: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    target_url: Option<String>,
    #[serde(default)]
    log_url: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Repository {
    name: String,
    full_name: String,
    #[serde(default)]
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

pub(super) fn parse(headers: &Headers, body: &[u8]) -> Result<Parsed, ParseError> {
    let delivery_id = header(headers, "x-github-delivery")
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| ParseError::new(SOURCE, "X-GitHub-Delivery", "header missing"))?
        .to_string();
    let name = header(headers, "x-github-event")
        .ok_or_else(|| ParseError::new(SOURCE, "X-GitHub-Event", "header missing"))?;
    let events = match name.trim() {
        "deployment" => {
            let p: DeploymentPayload = from_json(SOURCE, body)?;
            vec![deployment_event(p)?]
        }
        "deployment_status" => {
            let p: StatusPayload = from_json(SOURCE, body)?;
            status_event(p)?.into_iter().collect()
        }
        // `ping` when the hook is created, and events subscribed by mistake:
        // accepted, stored, and nothing to do.
        _ => Vec::new(),
    };
    Ok(Parsed {
        delivery_id,
        events,
    })
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn deploy_of(d: &Deployment, repo: &Repository) -> Deploy {
    Deploy {
        id: d.id.to_string(),
        artifact: Some(match non_empty(d.git_ref.clone()) {
            Some(r) => format!("{}@{r}", repo.full_name),
            None => repo.full_name.clone(),
        }),
        version: Some(d.sha.clone()),
    }
}

fn base_event(
    event_type: EventType,
    at: DateTime<Utc>,
    d: &Deployment,
    repo: &Repository,
    environment: String,
    title: String,
) -> Event {
    let mut e = Event::new(SOURCE, event_type, at, d.id.to_string(), title);
    e.service = Some(repo.name.clone());
    e.environment = Some(environment);
    e.deploy = Some(deploy_of(d, repo));
    e.url = repo
        .html_url
        .as_ref()
        .map(|u| format!("{u}/deployments/{}", e.environment.as_deref().unwrap_or("")));
    e
}

fn deployment_event(p: DeploymentPayload) -> Result<Event, ParseError> {
    let d = &p.deployment;
    let sha = required(SOURCE, "deployment.sha", d.sha.clone())?;
    let env = required(SOURCE, "deployment.environment", d.environment.clone())?;
    let mut title = format!(
        "Deployment {} of {} {} to {env} created",
        d.id,
        p.repository.full_name,
        short(&sha)
    );
    if let Some(who) = d
        .creator
        .as_ref()
        .map(|c| c.login.clone())
        .and_then(|l| non_empty(Some(l)))
    {
        title.push_str(&format!(" by {who}"));
    }
    if let Some(desc) = non_empty(d.description.clone()) {
        title.push_str(&format!(": {desc}"));
    }
    Ok(base_event(
        EventType::DeployStarted,
        d.created_at,
        d,
        &p.repository,
        env,
        title,
    ))
}

fn status_event(p: StatusPayload) -> Result<Option<Event>, ParseError> {
    let s = &p.deployment_status;
    let (event_type, verb) = match s.state.as_str() {
        "success" => (EventType::DeploySucceeded, "succeeded"),
        "failure" => (EventType::DeployFailed, "failed"),
        "error" => (EventType::DeployFailed, "errored"),
        // pending, queued, in_progress: progress, not evidence; inactive: an
        // older deployment superseded by a newer one.
        "pending" | "queued" | "in_progress" | "inactive" => return Ok(None),
        other => {
            return Err(ParseError::new(
                SOURCE,
                "deployment_status.state",
                format!("unknown state `{other}`"),
            ));
        }
    };
    let d = &p.deployment;
    let env = non_empty(s.environment.clone())
        .or_else(|| non_empty(Some(d.environment.clone())))
        .ok_or_else(|| {
            ParseError::new(SOURCE, "deployment_status.environment", "must not be empty")
        })?;
    let mut title = format!(
        "Deployment {} of {} {} to {env} {verb}",
        d.id,
        p.repository.full_name,
        short(&d.sha)
    );
    if let Some(desc) = non_empty(s.description.clone()) {
        title.push_str(&format!(": {desc}"));
    }
    let mut e = base_event(event_type, s.created_at, d, &p.repository, env, title);
    if let Some(url) = non_empty(s.log_url.clone()).or_else(|| non_empty(s.target_url.clone())) {
        e.url = Some(url);
    }
    Ok(Some(e))
}
