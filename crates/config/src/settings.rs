//! The typed configuration tree, its defaults and its validation.
//!
//! Every section has a `Default` that is the embedded quick-start: SQLite under `./data/`,
//! auth off on loopback, the offline generator. Validation names the dotted key and the fix.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::secret::{Secret, optional_secret};

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub environment: Environment,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub logging: LoggingSettings,
    pub auth: AuthSettings,
    pub cors: CorsSettings,
    pub worker: WorkerSettings,
    pub jira: JiraSettings,
    pub confluence: ConfluenceSettings,
    pub llm: LlmSettings,
    pub chat: ChatSettings,
}

/// The chat agent (docs/chat.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatSettings {
    /// Seconds a proposal waits for the user's confirmation before the task fails.
    #[serde(deserialize_with = "lenient::number")]
    pub confirmation_expiry_secs: u64,
    /// Chat tasks one user may have processing at once; one more is a 429.
    #[serde(deserialize_with = "lenient::number")]
    pub max_active_tasks_per_user: u32,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            confirmation_expiry_secs: 24 * 3600,
            max_active_tasks_per_user: 4,
        }
    }
}

/// `development` allows any CORS origin; `production` only the configured list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    /// The default: a misconfigured deployment should fail closed, not open.
    #[default]
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    #[serde(deserialize_with = "lenient::number")]
    pub request_timeout_secs: u64,
    #[serde(deserialize_with = "lenient::number")]
    pub body_limit_bytes: usize,
    /// Serve `/metrics` without authentication (for a Prometheus scraper on a private network).
    #[serde(deserialize_with = "lenient::boolean")]
    pub public_metrics: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            request_timeout_secs: 60,
            body_limit_bytes: 2 * 1024 * 1024,
            public_metrics: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: Secret,
}

/// Where the embedded default keeps its data.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/planwright.db";

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: Secret::new(DEFAULT_DATABASE_URL),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggingSettings {
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `planwright=debug,info`; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LoggingSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    #[serde(deserialize_with = "lenient::boolean")]
    pub enabled: bool,
    pub username: String,
    /// An argon2 PHC string from `planwright hash-password`, or (legacy) SHA-256 hex.
    #[serde(deserialize_with = "optional_secret")]
    pub password_hash: Option<Secret>,
    /// SHA-256 hex digests of accepted `Authorization: Bearer` API keys.
    #[serde(deserialize_with = "lenient::list")]
    pub api_key_hashes: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            username: "admin".into(),
            password_hash: None,
            api_key_hashes: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CorsSettings {
    #[serde(deserialize_with = "lenient::list")]
    pub allowed_origins: Vec<String>,
}

impl Default for CorsSettings {
    fn default() -> Self {
        Self {
            allowed_origins: [
                "http://localhost:5173",
                "http://localhost:3000",
                "http://127.0.0.1:5173",
                "http://127.0.0.1:3000",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerSettings {
    /// Concurrent jobs per worker process.
    #[serde(deserialize_with = "lenient::number")]
    pub max_jobs: u32,
    /// Seconds a job may run before it fails with a timeout.
    #[serde(deserialize_with = "lenient::number")]
    pub job_timeout: u64,
    /// Seconds finished jobs (and their results) are kept.
    #[serde(deserialize_with = "lenient::number")]
    pub keep_result: u64,
    /// Seconds running jobs get to finish on SIGTERM before they are handed back to the queue.
    #[serde(deserialize_with = "lenient::number")]
    pub shutdown_grace: u64,
    /// Seconds a claimed job stays leased without a heartbeat; a worker that dies loses its jobs
    /// to other workers this long after its last heartbeat.
    #[serde(deserialize_with = "lenient::number")]
    pub lease_secs: u64,
    /// Tickets one batch job works on at once (each within Jira's pacing and the model's
    /// concurrency limit).
    #[serde(deserialize_with = "lenient::number")]
    pub batch_concurrency: u32,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            max_jobs: 10,
            job_timeout: 3600,
            keep_result: 7 * 24 * 3600,
            shutdown_grace: 30,
            lease_secs: 30,
            batch_concurrency: 8,
        }
    }
}

impl WorkerSettings {
    pub fn job_timeout(&self) -> Duration {
        Duration::from_secs(self.job_timeout)
    }
    pub fn keep_result(&self) -> Duration {
        Duration::from_secs(self.keep_result)
    }
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace)
    }
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct JiraSettings {
    #[serde(deserialize_with = "lenient::optional_string")]
    pub server_url: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub api_token: Option<Secret>,
    pub prd_custom_field: String,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub rfc_custom_field: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub test_case_custom_field: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub mandays_custom_field: Option<String>,
    /// The project new tickets go to when a request names none (the chat agent).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub project_key: Option<String>,
    /// Proactive pacing per Jira site, so Jira's own limits are rarely hit.
    #[serde(deserialize_with = "lenient::number")]
    pub requests_per_second: f64,
    /// The largest Jira or Confluence response read (a bigger one fails with a clear error
    /// instead of filling memory).
    #[serde(deserialize_with = "lenient::number")]
    pub max_response_bytes: usize,
}

impl Default for JiraSettings {
    fn default() -> Self {
        Self {
            server_url: None,
            username: None,
            api_token: None,
            prd_custom_field: "customfield_10001".into(),
            rfc_custom_field: None,
            test_case_custom_field: None,
            mandays_custom_field: None,
            project_key: None,
            requests_per_second: 10.0,
            max_response_bytes: 32 * 1024 * 1024,
        }
    }
}

impl JiraSettings {
    /// Jira counts as configured once it has a URL, a user and a token.
    pub fn is_configured(&self) -> bool {
        self.server_url.is_some() && self.username.is_some() && self.api_token.is_some()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfluenceSettings {
    #[serde(deserialize_with = "lenient::optional_string")]
    pub server_url: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub api_token: Option<Secret>,
}

impl ConfluenceSettings {
    pub fn is_configured(&self) -> bool {
        self.server_url.is_some() && self.username.is_some() && self.api_token.is_some()
    }
}

/// Provider names accepted in `llm.provider` (seed 000 plus the self-hosted and offline ones).
pub const LLM_PROVIDERS: &[&str] = &[
    "openai",
    "claude",
    "gemini",
    "kimi",
    "openai-compatible",
    "offline",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// Default provider; when unset, the first provider with a key, else `offline`.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub provider: Option<String>,
    #[serde(deserialize_with = "lenient::number")]
    pub temperature: f32,
    #[serde(deserialize_with = "lenient::optional_number")]
    pub max_tokens: Option<u32>,
    #[serde(deserialize_with = "optional_secret")]
    pub openai_api_key: Option<Secret>,
    /// A file holding the key instead (`OPENAI_API_KEY_FILE`), re-read when it changes.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_api_key_file: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_model: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_base_url: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub anthropic_api_key: Option<Secret>,
    /// A file holding the key instead (`ANTHROPIC_API_KEY_FILE`), re-read when it changes.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub anthropic_api_key_file: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub anthropic_model: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub anthropic_base_url: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub google_api_key: Option<Secret>,
    /// A file holding the key instead (`GOOGLE_API_KEY_FILE`), re-read when it changes.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub google_api_key_file: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub google_model: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub google_base_url: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub moonshot_api_key: Option<Secret>,
    /// A file holding the key instead (`MOONSHOT_API_KEY_FILE`), re-read when it changes.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub moonshot_api_key_file: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub moonshot_model: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub moonshot_base_url: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_compatible_base_url: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub openai_compatible_api_key: Option<Secret>,
    /// A file holding the key instead (`OPENAI_COMPATIBLE_API_KEY_FILE`), re-read when it changes.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_compatible_api_key_file: Option<String>,
    #[serde(deserialize_with = "lenient::optional_string")]
    pub openai_compatible_model: Option<String>,
    /// A directory whose `*.md` prompt templates override the embedded ones.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub prompts_dir: Option<String>,
    /// A YAML file merged over the embedded model catalog (new models, prices, context windows).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub model_catalog: Option<String>,
    /// Seconds one provider request may take (reasoning models can take minutes).
    #[serde(deserialize_with = "lenient::number")]
    pub request_timeout_secs: u64,
    /// Calls in flight per provider at most.
    #[serde(deserialize_with = "lenient::number")]
    pub max_concurrency: usize,
    /// The largest model-provider answer read (a bigger one fails the call with a clear error).
    #[serde(deserialize_with = "lenient::number")]
    pub max_response_bytes: usize,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            provider: None,
            temperature: 0.7,
            max_tokens: None,
            openai_api_key: None,
            openai_api_key_file: None,
            openai_model: None,
            openai_base_url: None,
            anthropic_api_key: None,
            anthropic_api_key_file: None,
            anthropic_model: None,
            anthropic_base_url: None,
            google_api_key: None,
            google_api_key_file: None,
            google_model: None,
            google_base_url: None,
            moonshot_api_key: None,
            moonshot_api_key_file: None,
            moonshot_model: None,
            moonshot_base_url: None,
            openai_compatible_base_url: None,
            openai_compatible_api_key: None,
            openai_compatible_api_key_file: None,
            openai_compatible_model: None,
            prompts_dir: None,
            model_catalog: None,
            request_timeout_secs: 300,
            max_concurrency: 8,
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The largest key file read: keys are a few hundred bytes, a bigger file is the wrong file.
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

impl LlmSettings {
    /// Each provider's key comes from the key or from a key file, never both; a key file must be
    /// readable and hold a key now, so a wrong path fails at startup rather than at the first
    /// call (the llm crate re-reads it whenever it changes).
    fn check_key_files(&self) -> Result<(), Invalid> {
        let providers: [(&'static str, &'static str, &Option<Secret>, &Option<String>); 5] = [
            (
                "OPENAI",
                "llm.openai_api_key_file",
                &self.openai_api_key,
                &self.openai_api_key_file,
            ),
            (
                "ANTHROPIC",
                "llm.anthropic_api_key_file",
                &self.anthropic_api_key,
                &self.anthropic_api_key_file,
            ),
            (
                "GOOGLE",
                "llm.google_api_key_file",
                &self.google_api_key,
                &self.google_api_key_file,
            ),
            (
                "MOONSHOT",
                "llm.moonshot_api_key_file",
                &self.moonshot_api_key,
                &self.moonshot_api_key_file,
            ),
            (
                "OPENAI_COMPATIBLE",
                "llm.openai_compatible_api_key_file",
                &self.openai_compatible_api_key,
                &self.openai_compatible_api_key_file,
            ),
        ];
        for (prefix, key, inline, file) in providers {
            let Some(path) = file else { continue };
            let key_path = key.trim_end_matches("_file");
            if inline.is_some() {
                return Err(Invalid {
                    key,
                    message: format!(
                        "both {prefix}_API_KEY ({key_path}) and {prefix}_API_KEY_FILE ({key}) are set; set only one of them"
                    ),
                });
            }
            check_key_file(path).map_err(|problem| Invalid {
                key,
                message: format!("{prefix}_API_KEY_FILE={path}: {problem}"),
            })?;
        }
        Ok(())
    }
}

/// Why a key file cannot be used, without ever quoting its content.
fn check_key_file(path: &str) -> Result<(), String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the key file: {e}"))?;
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot read the key file: {e}"))?;
    if !metadata.is_file() {
        return Err("the path is not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the key file: {e}"))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(format!(
            "the key file is larger than {MAX_KEY_FILE_BYTES} bytes; it must hold only the key"
        ));
    }
    // Checked through a secret so the key is wiped from memory when dropped.
    let text = secrecy::SecretString::from(
        String::from_utf8(bytes).map_err(|_| "the key file is not UTF-8 text".to_owned())?,
    );
    let key = secrecy::ExposeSecret::expose_secret(&text).trim();
    if key.is_empty() {
        return Err("the key file is empty; write the API key into it".into());
    }
    if key.chars().any(char::is_control) {
        return Err(
            "the key file holds a line break or control character inside the key; it must hold only the key"
                .into(),
        );
    }
    Ok(())
}

// Upper bounds of time and size settings. Each leaves room for any real deployment and keeps
// every derived `Instant`, `chrono` and SQL timestamp far from overflow (a job deadline of
// `now + u64::MAX` seconds panics).
const DAY_SECS: u64 = 24 * 60 * 60;
/// `worker.job_timeout`: a week.
pub const MAX_JOB_TIMEOUT_SECS: u64 = 7 * DAY_SECS;
/// `worker.keep_result`: ten years.
pub const MAX_KEEP_RESULT_SECS: u64 = 3650 * DAY_SECS;
/// `worker.shutdown_grace`: an hour.
pub const MAX_SHUTDOWN_GRACE_SECS: u64 = 60 * 60;
/// `server.request_timeout_secs` and `llm.request_timeout_secs`: a day.
pub const MAX_REQUEST_TIMEOUT_SECS: u64 = DAY_SECS;
/// `server.body_limit_bytes`: 1 GiB.
pub const MAX_BODY_LIMIT_BYTES: usize = 1024 * 1024 * 1024;
/// `jira.max_response_bytes` and `llm.max_response_bytes`: at least 64 KiB (a page of issues),
/// at most 1 GiB.
pub const MIN_RESPONSE_BYTES: usize = 64 * 1024;
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024 * 1024;
/// `llm.max_concurrency`.
pub const MAX_LLM_CONCURRENCY: usize = 1000;

/// `Ok` when `min <= value <= max`, else an [`Invalid`] naming `key` and the range.
fn in_range<T: PartialOrd + std::fmt::Display>(
    key: &'static str,
    value: T,
    min: T,
    max: T,
    unit: &str,
) -> Result<(), Invalid> {
    if min <= value && value <= max {
        Ok(())
    } else {
        Err(Invalid {
            key,
            message: format!("is {value}; must be between {min} and {max}{unit}"),
        })
    }
}

/// A validation failure: the dotted key and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub message: String,
}

impl Settings {
    /// Checks what serde cannot: ranges, URL shapes, and settings that only make sense together.
    pub fn validate(&self) -> Result<(), Invalid> {
        let invalid = |key, message: String| Err(Invalid { key, message });
        let db = self.database.url.expose();
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return invalid(
                "database.url",
                "must start with sqlite:// (a file) or postgres:// (a server)".into(),
            );
        }
        if self.auth.enabled
            && self.auth.password_hash.is_none()
            && self.auth.api_key_hashes.is_empty()
        {
            return invalid(
                "auth.password_hash",
                "auth is enabled but neither AUTH_PASSWORD_HASH nor AUTH_API_KEY_HASHES is set; \
                 create a hash with `planwright hash-password`"
                    .into(),
            );
        }
        if self.auth.enabled && self.auth.username.trim().is_empty() {
            return invalid(
                "auth.username",
                "must not be empty when auth is enabled".into(),
            );
        }
        for hash in &self.auth.api_key_hashes {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return invalid(
                    "auth.api_key_hashes",
                    "each entry must be the 64-character SHA-256 hex digest of an API key".into(),
                );
            }
        }
        for origin in &self.cors.allowed_origins {
            if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return invalid(
                    "cors.allowed_origins",
                    format!("{origin:?} is not an origin; write it like https://app.example.com"),
                );
            }
        }
        const SECONDS: &str = " seconds";
        let worker = &self.worker;
        in_range("worker.max_jobs", worker.max_jobs, 1, 1000, "")?;
        in_range(
            "worker.batch_concurrency",
            worker.batch_concurrency,
            1,
            256,
            "",
        )?;
        let job_timeout = worker.job_timeout;
        in_range(
            "worker.job_timeout",
            job_timeout,
            1,
            MAX_JOB_TIMEOUT_SECS,
            SECONDS,
        )?;
        in_range("worker.lease_secs", worker.lease_secs, 2, 3600, SECONDS)?;
        in_range(
            "chat.confirmation_expiry_secs",
            self.chat.confirmation_expiry_secs,
            1,
            30 * 24 * 3600,
            SECONDS,
        )?;
        in_range(
            "chat.max_active_tasks_per_user",
            self.chat.max_active_tasks_per_user,
            1,
            1000,
            "",
        )?;
        let keep_result = worker.keep_result;
        in_range(
            "worker.keep_result",
            keep_result,
            1,
            MAX_KEEP_RESULT_SECS,
            SECONDS,
        )?;
        let grace = worker.shutdown_grace;
        in_range(
            "worker.shutdown_grace",
            grace,
            0,
            MAX_SHUTDOWN_GRACE_SECS,
            SECONDS,
        )?;
        in_range(
            "server.request_timeout_secs",
            self.server.request_timeout_secs,
            1,
            MAX_REQUEST_TIMEOUT_SECS,
            SECONDS,
        )?;
        in_range(
            "server.body_limit_bytes",
            self.server.body_limit_bytes,
            1024,
            MAX_BODY_LIMIT_BYTES,
            " bytes",
        )?;
        for (key, value) in [
            ("jira.server_url", &self.jira.server_url),
            ("confluence.server_url", &self.confluence.server_url),
            ("llm.openai_base_url", &self.llm.openai_base_url),
            ("llm.anthropic_base_url", &self.llm.anthropic_base_url),
            ("llm.google_base_url", &self.llm.google_base_url),
            ("llm.moonshot_base_url", &self.llm.moonshot_base_url),
            (
                "llm.openai_compatible_base_url",
                &self.llm.openai_compatible_base_url,
            ),
        ] {
            if let Some(raw) = value {
                // Self-hosted OpenAI-compatible servers (Ollama, vLLM) often serve plain http on
                // the local network; only they may, and a remote one is logged.
                let plain_http = if key == "llm.openai_compatible_base_url" {
                    PlainHttp::Allowed
                } else {
                    PlainHttp::LoopbackOnly
                };
                check_http_url(key, raw, plain_http).map_err(|message| Invalid { key, message })?;
            }
        }
        // A half-configured site must not silently fall back to the demo sandbox.
        for (prefix, parts) in [
            (
                "JIRA",
                [
                    (
                        "jira.server_url",
                        "JIRA_SERVER_URL",
                        self.jira.server_url.is_some(),
                    ),
                    (
                        "jira.username",
                        "JIRA_USERNAME",
                        self.jira.username.is_some(),
                    ),
                    (
                        "jira.api_token",
                        "JIRA_API_TOKEN",
                        self.jira.api_token.is_some(),
                    ),
                ],
            ),
            (
                "CONFLUENCE",
                [
                    (
                        "confluence.server_url",
                        "CONFLUENCE_SERVER_URL",
                        self.confluence.server_url.is_some(),
                    ),
                    (
                        "confluence.username",
                        "CONFLUENCE_USERNAME",
                        self.confluence.username.is_some(),
                    ),
                    (
                        "confluence.api_token",
                        "CONFLUENCE_API_TOKEN",
                        self.confluence.api_token.is_some(),
                    ),
                ],
            ),
        ] {
            let set = parts.iter().filter(|(_, _, present)| *present).count();
            if set > 0 && set < parts.len() {
                let (key, variable, _) = parts
                    .iter()
                    .find(|(_, _, present)| !present)
                    .copied()
                    .unwrap_or(parts[0]);
                return invalid(
                    key,
                    format!(
                        "{variable} is not set while other {prefix}_* settings are; set all three of {prefix}_SERVER_URL, {prefix}_USERNAME and {prefix}_API_TOKEN, or none to use the built-in sandbox"
                    ),
                );
            }
        }
        if !(self.jira.requests_per_second > 0.0 && self.jira.requests_per_second <= 1000.0) {
            return invalid(
                "jira.requests_per_second",
                "must be between 0 and 1000".into(),
            );
        }
        if let Some(provider) = &self.llm.provider
            && !LLM_PROVIDERS.contains(&provider.as_str())
        {
            return invalid(
                "llm.provider",
                format!(
                    "{provider:?} is not a provider; choose one of {}",
                    LLM_PROVIDERS.join(", ")
                ),
            );
        }
        self.llm.check_key_files()?;
        in_range(
            "llm.request_timeout_secs",
            self.llm.request_timeout_secs,
            1,
            MAX_REQUEST_TIMEOUT_SECS,
            SECONDS,
        )?;
        in_range(
            "llm.max_concurrency",
            self.llm.max_concurrency,
            1,
            MAX_LLM_CONCURRENCY,
            "",
        )?;
        for (key, value) in [
            ("jira.max_response_bytes", self.jira.max_response_bytes),
            ("llm.max_response_bytes", self.llm.max_response_bytes),
        ] {
            in_range(key, value, MIN_RESPONSE_BYTES, MAX_RESPONSE_BYTES, " bytes")?;
        }
        if !(0.0..=2.0).contains(&self.llm.temperature) {
            return invalid("llm.temperature", "must be between 0 and 2".into());
        }
        Ok(())
    }
}

/// Whether a URL setting may use plain `http` to a host other than this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlainHttp {
    LoopbackOnly,
    /// Allowed, with a warning: for self-hosted model servers on the local network.
    Allowed,
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_http_url(key: &str, raw: &str, plain_http: PlainHttp) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not a URL ({e})"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" if plain_http == PlainHttp::Allowed => {
            // Only the host is logged: the URL itself may carry credentials.
            tracing::warn!(
                key,
                host = url.host_str().unwrap_or_default(),
                "plain http to a host other than this machine: requests and any API key travel \
                 unencrypted; use https unless the network is trusted"
            );
            Ok(())
        }
        "http" => Err(format!(
            "{raw:?} uses plain http to a remote host; credentials would travel unencrypted, use https"
        )),
        other => Err(format!("{raw:?} has scheme {other:?}; use https")),
    }
}
