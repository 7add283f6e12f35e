//! Server settings, in layers: defaults, then a TOML file, then `HINDSIGHT_*`
//! environment variables, then command-line flags (the caller applies those on
//! the returned value). Unknown keys in the file are reported as warnings.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use hindsight_core::review::ReviewPolicy;
use serde::Deserialize;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "human" | "text" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "unknown log format `{other}`, expected one of: human, json"
            )),
        }
    }
}

/// Everything the server needs to know before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// A SQLite path, `sqlite:` URL or `postgres://` URL; `None` leaves the
    /// choice to the caller (the CLI's default database).
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    /// Seed the demo data into an empty database at start.
    pub demo: bool,
    /// Mark the session cookie `Secure` (turn off only for plain-HTTP localhost).
    pub cookie_secure: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Deepest nesting of JSON arrays and objects accepted in a request body.
    pub json_depth: usize,
    /// Review rules: approvals `final` needs, draft and review due dates.
    pub review: ReviewPolicy,
    /// The quality engine's config file (`.hindsight.toml`: lint rules,
    /// redaction patterns, rubric); built-in defaults without one.
    pub quality_config: Option<PathBuf>,
    /// Webhook signing secrets and the trigger policy file.
    pub hooks: HooksSettings,
    /// The one-time token that creates the first admin (`POST /api/v1/setup`);
    /// the CLI makes one when it starts on a database without accounts.
    pub setup_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            log_format: LogFormat::Human,
            demo: false,
            cookie_secure: true,
            body_limit: 2 * 1024 * 1024,
            json_depth: 64,
            review: ReviewPolicy::default(),
            quality_config: None,
            setup_token: None,
            hooks: HooksSettings::default(),
        }
    }
}

/// Webhook settings: the `[hooks]` table of the config file, or
/// `HINDSIGHT_GITHUB_WEBHOOK_SECRET`, `HINDSIGHT_PAGERDUTY_WEBHOOK_SECRET`
/// (comma-separated) and `HINDSIGHT_HOOKS_POLICY`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HooksSettings {
    /// Secrets GitHub deliveries may be signed with (several while one is rotated).
    pub github_secrets: Vec<String>,
    /// Secrets PagerDuty deliveries may be signed with.
    pub pagerduty_secrets: Vec<String>,
    /// The trigger policy file (TOML, see docs/hooks.md); built-in defaults without one.
    pub policy: Option<PathBuf>,
}

/// A comma-separated list of secrets, blanks dropped.
fn secret_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

/// The keys a config file may hold (all optional), named like the fields.
#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    bind: Option<String>,
    database_url: Option<String>,
    log_format: Option<String>,
    demo: Option<bool>,
    cookie_secure: Option<bool>,
    body_limit: Option<usize>,
    json_depth: Option<usize>,
    review: Option<ReviewPolicy>,
    quality_config: Option<String>,
    hooks: Option<HooksSettings>,
}

const FILE_KEYS: &[&str] = &[
    "bind",
    "database_url",
    "log_format",
    "demo",
    "cookie_secure",
    "body_limit",
    "json_depth",
    "review",
    "quality_config",
    "hooks",
];

/// The settings read, with warnings to log once logging is set up.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

impl Config {
    /// Reads the file (if any) over the defaults, then the environment
    /// (`env("HINDSIGHT_BIND")` etc.) over that.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Loaded, ConfigError> {
        let mut config = Config::default();
        let mut warnings = Vec::new();
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let file_error = |message: String| ConfigError::File {
                path: shown.clone(),
                message,
            };
            let table: toml::Table =
                toml::from_str(&text).map_err(|e| file_error(e.to_string()))?;
            for key in table.keys().filter(|k| !FILE_KEYS.contains(&k.as_str())) {
                warnings.push(format!(
                    "config file {shown}: unknown setting `{key}` ignored (known: {})",
                    FILE_KEYS.join(", ")
                ));
            }
            let known: toml::Table = table
                .into_iter()
                .filter(|(k, _)| FILE_KEYS.contains(&k.as_str()))
                .collect();
            let values: FileConfig = known
                .try_into()
                .map_err(|e: toml::de::Error| file_error(e.to_string()))?;
            config.apply(values, |key, message| {
                file_error(format!("`{key}`: {message}"))
            })?;
        }
        let from_env = FileConfig {
            bind: env("HINDSIGHT_BIND"),
            database_url: env("HINDSIGHT_DATABASE_URL"),
            log_format: env("HINDSIGHT_LOG_FORMAT"),
            demo: env_parse(&env, "HINDSIGHT_DEMO")?,
            cookie_secure: env_parse(&env, "HINDSIGHT_COOKIE_SECURE")?,
            body_limit: env_parse(&env, "HINDSIGHT_BODY_LIMIT")?,
            json_depth: env_parse(&env, "HINDSIGHT_JSON_DEPTH")?,
            review: None,
            quality_config: env("HINDSIGHT_QUALITY_CONFIG"),
            hooks: None,
        };
        config.apply(from_env, |key, message| ConfigError::Env {
            name: format!("HINDSIGHT_{}", key.to_ascii_uppercase()),
            message,
        })?;
        if let Some(list) = env("HINDSIGHT_GITHUB_WEBHOOK_SECRET") {
            config.hooks.github_secrets = secret_list(&list);
        }
        if let Some(list) = env("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRET") {
            config.hooks.pagerduty_secrets = secret_list(&list);
        }
        if let Some(path) = env("HINDSIGHT_HOOKS_POLICY").filter(|p| !p.trim().is_empty()) {
            config.hooks.policy = Some(PathBuf::from(path));
        }
        Ok(Loaded { config, warnings })
    }

    fn apply(
        &mut self,
        values: FileConfig,
        error: impl Fn(&str, String) -> ConfigError,
    ) -> Result<(), ConfigError> {
        if let Some(bind) = values.bind {
            self.bind = parse_bind(&bind).map_err(|m| error("bind", m))?;
        }
        if let Some(url) = values.database_url.filter(|u| !u.trim().is_empty()) {
            self.database_url = Some(url);
        }
        if let Some(format) = values.log_format {
            self.log_format = format.parse().map_err(|m| error("log_format", m))?;
        }
        if let Some(demo) = values.demo {
            self.demo = demo;
        }
        if let Some(secure) = values.cookie_secure {
            self.cookie_secure = secure;
        }
        if let Some(limit) = values.body_limit {
            if limit == 0 {
                return Err(error("body_limit", "must be more than 0 bytes".into()));
            }
            self.body_limit = limit;
        }
        if let Some(depth) = values.json_depth {
            if depth == 0 {
                return Err(error("json_depth", "must be at least 1".into()));
            }
            self.json_depth = depth;
        }
        if let Some(review) = values.review {
            self.review = review;
        }
        if let Some(path) = values.quality_config.filter(|p| !p.trim().is_empty()) {
            self.quality_config = Some(PathBuf::from(path));
        }
        if let Some(hooks) = values.hooks {
            self.hooks = hooks;
        }
        Ok(())
    }
}

/// `ADDR:PORT`, e.g. `127.0.0.1:8080` or `[::1]:8080`.
pub fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an address and port such as 127.0.0.1:8080"))
}

fn env_parse<T: FromStr>(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<T>, ConfigError> {
    env(name)
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.trim().parse().map_err(|_| ConfigError::Env {
                name: name.to_string(),
                message: format!("`{v}` is not a valid value"),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn file_then_environment_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hindsight.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:9000\"\ncookie_secure = false\njson_depth = 10\ncolour = \"red\"\n[review]\napprovals_required = 2\n",
        )
        .unwrap();
        let loaded = Config::load(
            Some(&path),
            env(&[
                ("HINDSIGHT_JSON_DEPTH", "20"),
                ("HINDSIGHT_LOG_FORMAT", "json"),
            ]),
        )
        .unwrap();
        let c = loaded.config;
        assert_eq!(c.bind, "0.0.0.0:9000".parse().unwrap());
        assert!(!c.cookie_secure);
        assert_eq!(c.json_depth, 20);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.body_limit, Config::default().body_limit);
        assert_eq!(c.review.approvals_required, 2);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(loaded.warnings[0].contains("`colour`"));
    }

    #[test]
    fn webhook_secrets_come_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hindsight.toml");
        std::fs::write(
            &path,
            "[hooks]\ngithub_secrets = [\"old\", \"new\"]\npagerduty_secrets = [\"pd\"]\npolicy = \"/etc/hindsight/policy.toml\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), env(&[])).unwrap().config;
        assert_eq!(c.hooks.github_secrets, ["old", "new"]);
        assert_eq!(c.hooks.pagerduty_secrets, ["pd"]);
        assert_eq!(
            c.hooks.policy,
            Some(PathBuf::from("/etc/hindsight/policy.toml"))
        );
        let c = Config::load(
            Some(&path),
            env(&[("HINDSIGHT_GITHUB_WEBHOOK_SECRET", "rotated, next ,")]),
        )
        .unwrap()
        .config;
        assert_eq!(c.hooks.github_secrets, ["rotated", "next"]);
        assert_eq!(c.hooks.pagerduty_secrets, ["pd"]);
        std::fs::write(&path, "[hooks]\ngithub_secret = \"typo\"\n").unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err();
        assert!(err.to_string().contains("github_secret"), "{err}");
    }

    #[test]
    fn bad_values_name_their_source() {
        let err = Config::load(None, env(&[("HINDSIGHT_BIND", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("HINDSIGHT_BIND"), "{err}");
        let err = Config::load(None, env(&[("HINDSIGHT_DEMO", "perhaps")])).unwrap_err();
        assert!(err.to_string().contains("HINDSIGHT_DEMO"), "{err}");
    }
}
