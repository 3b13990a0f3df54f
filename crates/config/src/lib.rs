//! Typed Planwright configuration: YAML file with `${VAR}` substitution, `.env` and environment
//! overrides, secrets wrapped.
//!
//! Precedence, lowest first: built-in defaults, the YAML file (after `${VAR}` / `${VAR:default}`
//! substitution), then environment variables (the seed's flat names from [`env_map::ENV_KEYS`],
//! or `PLANWRIGHT_SECTION__KEY`). A `.env` file fills environment variables that are not already
//! set. Every error names the dotted key that is wrong.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod env_map;
mod lenient;
pub mod secret;
pub mod settings;
pub mod substitute;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use secret::{REDACTED, Secret};
pub use settings::{
    AuthSettings, ChatSettings, ConfluenceSettings, CorsSettings, DatabaseSettings, Environment,
    JiraSettings, LLM_PROVIDERS, LlmSettings, LogFormat, LoggingSettings, ServerSettings, Settings,
    WorkerSettings,
};

/// The file `serve` and `worker` read when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "config.yaml";

/// Why configuration could not be loaded; the message names the file or key and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {source}")]
    Substitution {
        path: String,
        source: substitute::SubstitutionError,
    },
    #[error("config file {path} is not valid YAML: {message}")]
    Yaml { path: String, message: String },
    #[error("invalid configuration `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl ConfigError {
    /// The dotted configuration key at fault, when there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// Loads `.env` from the working directory (never overriding variables already set).
pub fn load_dotenv() -> Option<PathBuf> {
    dotenvy::dotenv().ok()
}

/// Resolves which file to read: the explicit one, else `./config.yaml` if it exists.
pub fn config_file(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            default.is_file().then_some(default)
        }
    }
}

/// Loads configuration from an optional file and the process environment.
pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
    let yaml = match file {
        Some(path) => Some((
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?,
        )),
        None => None,
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    from_parts(yaml.as_ref().map(|(p, t)| (p.as_str(), t.as_str())), &env)
}

/// Builds settings from YAML text (with the name to report it by) and an environment snapshot.
pub fn from_parts(
    yaml: Option<(&str, &str)>,
    env: &BTreeMap<String, String>,
) -> Result<Settings, ConfigError> {
    let mut tree = match yaml {
        Some((path, text)) => {
            let text =
                substitute::substitute(text, |name| env.get(name).cloned()).map_err(|source| {
                    ConfigError::Substitution {
                        path: path.to_owned(),
                        source,
                    }
                })?;
            let value: Value = if text.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                yaml_serde::from_str(&text).map_err(|e| ConfigError::Yaml {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?
            };
            match value {
                Value::Object(map) => Value::Object(map),
                Value::Null => Value::Object(Map::new()),
                _ => {
                    return Err(ConfigError::Yaml {
                        path: path.to_owned(),
                        message: "the top level must be a mapping of sections".into(),
                    });
                }
            }
        }
        None => Value::Object(Map::new()),
    };
    for (name, value) in env {
        if let Some(path) = env_map::path_for(name) {
            set_path(&mut tree, &path, Value::String(value.clone()));
        }
    }
    prune_empty(&mut tree);
    let settings: Settings = serde_path_to_error::deserialize(tree).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::Invalid {
            key: if key == "." { "(root)".into() } else { key },
            message: e.into_inner().to_string(),
        }
    })?;
    settings
        .validate()
        .map_err(|invalid| ConfigError::Invalid {
            key: invalid.key.into(),
            message: invalid.message,
        })?;
    Ok(settings)
}

/// The effective configuration as YAML with every secret replaced by [`REDACTED`].
pub fn redacted_yaml(settings: &Settings) -> String {
    yaml_serde::to_string(settings).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
}

fn set_path(tree: &mut Value, path: &str, value: Value) {
    let mut node = tree;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else {
            return; // unreachable: made an object just above
        };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        node = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Removes nulls and blank strings so an unset `${VAR}` falls back to the field's default.
fn prune_empty(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|_, v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        });
        for v in map.values_mut() {
            prune_empty(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_quick_start() {
        let s = from_parts(None, &env(&[])).unwrap();
        assert_eq!(s.database.url.expose(), settings::DEFAULT_DATABASE_URL);
        assert!(!s.auth.enabled);
        assert_eq!(s.worker.max_jobs, 10);
        assert_eq!(s.worker.keep_result, 604_800);
        assert_eq!(s.environment, Environment::Production);
        assert!(!s.jira.is_configured());
    }

    #[test]
    fn yaml_with_substitution_then_env_overrides() {
        let yaml = "\
jira:
  server_url: ${JIRA_URL_IN_FILE:https://acme.atlassian.net}
  username: bot@acme.com
  rfc_custom_field: ${JIRA_RFC_CUSTOM_FIELD:}
worker:
  max_jobs: 4
  job_timeout: ${TIMEOUT:120}
cors:
  allowed_origins:
    - https://a.example.com
";
        let s = from_parts(
            Some(("config.yaml", yaml)),
            &env(&[
                ("WORKER_MAX_JOBS", "8"),
                ("JIRA_API_TOKEN", "tok-123"),
                (
                    "CORS_ALLOWED_ORIGINS",
                    "https://b.example.com, https://c.example.com",
                ),
                ("AUTH_ENABLED", "TRUE"),
                ("AUTH_PASSWORD_HASH", "abc"),
                ("PLANWRIGHT_SERVER__BODY_LIMIT_BYTES", "4096"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.jira.server_url.as_deref(),
            Some("https://acme.atlassian.net")
        );
        assert_eq!(s.jira.rfc_custom_field, None);
        assert_eq!(s.worker.max_jobs, 8, "env beats the file");
        assert_eq!(s.worker.job_timeout, 120);
        assert_eq!(s.jira.api_token.as_ref().unwrap().expose(), "tok-123");
        assert_eq!(
            s.cors.allowed_origins,
            ["https://b.example.com", "https://c.example.com"]
        );
        assert!(s.auth.enabled);
        assert_eq!(s.server.body_limit_bytes, 4096);
        assert!(s.jira.is_configured());
    }

    #[test]
    fn errors_name_the_key() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("WORKER_MAX_JOBS", "lots")], "worker.max_jobs"),
            (&[("WORKER_MAX_JOBS", "0")], "worker.max_jobs"),
            (&[("AUTH_ENABLED", "maybe")], "auth.enabled"),
            (&[("AUTH_ENABLED", "true")], "auth.password_hash"),
            (&[("DATABASE_URL", "mysql://x")], "database.url"),
            (&[("LLM_PROVIDER", "skynet")], "llm.provider"),
            (
                &[("JIRA_SERVER_URL", "http://jira.example.com")],
                "jira.server_url",
            ),
            (
                &[("JIRA_SERVER_URL", "https://acme.atlassian.net")],
                "jira.username",
            ),
            (
                &[
                    ("JIRA_SERVER_URL", "https://acme.atlassian.net"),
                    ("JIRA_USERNAME", "me@acme.com"),
                ],
                "jira.api_token",
            ),
            (&[("CONFLUENCE_API_TOKEN", "t")], "confluence.server_url"),
            (
                &[("CORS_ALLOWED_ORIGINS", "example.com")],
                "cors.allowed_origins",
            ),
            (&[("AUTH_API_KEY_HASHES", "short")], "auth.api_key_hashes"),
            (&[("ENVIRONMENT", "staging")], "environment"),
        ];
        for (vars, key) in cases {
            let err = from_parts(None, &env(vars)).unwrap_err();
            assert_eq!(err.key(), Some(*key), "{vars:?}: {err}");
        }
    }

    #[test]
    fn bad_yaml_and_bad_substitution_are_reported_with_the_file() {
        let err = from_parts(Some(("c.yaml", "a: [unclosed")), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("c.yaml"), "{err}");
        let err = from_parts(Some(("c.yaml", "a: ${X")), &env(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::Substitution { .. }), "{err}");
        let err = from_parts(Some(("c.yaml", "- 1\n- 2\n")), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("mapping"), "{err}");
    }

    #[test]
    fn redacted_output_never_contains_secrets() {
        let s = from_parts(
            None,
            &env(&[
                ("JIRA_SERVER_URL", "https://acme.atlassian.net"),
                ("JIRA_USERNAME", "me@acme.com"),
                ("JIRA_API_TOKEN", "very-secret-token"),
                ("OPENAI_API_KEY", "sk-secret"),
                ("DATABASE_URL", "postgres://u:pw-secret@db/x"),
            ]),
        )
        .unwrap();
        let out = redacted_yaml(&s);
        for secret in ["very-secret-token", "sk-secret", "pw-secret"] {
            assert!(!out.contains(secret), "{out}");
            assert!(!format!("{s:?}").contains(secret));
        }
        assert!(out.contains(REDACTED));
    }

    #[test]
    fn time_and_size_settings_have_upper_bounds_naming_the_key() {
        let huge = u64::MAX.to_string();
        let cases: &[(&str, &str, &str)] = &[
            ("WORKER_KEEP_RESULT", &huge, "worker.keep_result"),
            ("WORKER_KEEP_RESULT", "315360001", "worker.keep_result"),
            ("WORKER_JOB_TIMEOUT", &huge, "worker.job_timeout"),
            ("WORKER_JOB_TIMEOUT", "604801", "worker.job_timeout"),
            ("WORKER_SHUTDOWN_GRACE", &huge, "worker.shutdown_grace"),
            ("WORKER_LEASE_SECS", &huge, "worker.lease_secs"),
            (
                "LLM_REQUEST_TIMEOUT_SECS",
                &huge,
                "llm.request_timeout_secs",
            ),
            ("LLM_MAX_CONCURRENCY", &huge, "llm.max_concurrency"),
            (
                "PLANWRIGHT_SERVER__REQUEST_TIMEOUT_SECS",
                &huge,
                "server.request_timeout_secs",
            ),
            (
                "PLANWRIGHT_SERVER__BODY_LIMIT_BYTES",
                &huge,
                "server.body_limit_bytes",
            ),
            ("JIRA_MAX_RESPONSE_BYTES", &huge, "jira.max_response_bytes"),
            ("JIRA_MAX_RESPONSE_BYTES", "1000", "jira.max_response_bytes"),
            ("LLM_MAX_RESPONSE_BYTES", &huge, "llm.max_response_bytes"),
        ];
        for (name, value, key) in cases {
            let err = from_parts(None, &env(&[(name, value)])).unwrap_err();
            assert_eq!(err.key(), Some(*key), "{name}={value}: {err}");
            assert!(err.to_string().contains("must be between"), "{err}");
        }
        // The bounds themselves are accepted.
        let at_limits = env(&[
            ("WORKER_KEEP_RESULT", "315360000"),
            ("WORKER_JOB_TIMEOUT", "604800"),
            ("WORKER_SHUTDOWN_GRACE", "3600"),
            ("LLM_REQUEST_TIMEOUT_SECS", "86400"),
            ("LLM_MAX_CONCURRENCY", "1000"),
            ("PLANWRIGHT_SERVER__REQUEST_TIMEOUT_SECS", "86400"),
            ("JIRA_MAX_RESPONSE_BYTES", "65536"),
            ("LLM_MAX_RESPONSE_BYTES", "1073741824"),
        ]);
        let s = from_parts(None, &at_limits).unwrap();
        assert_eq!(
            (s.jira.max_response_bytes, s.llm.max_response_bytes),
            (65_536, 1_073_741_824)
        );
        assert_eq!(
            s.worker.keep_result(),
            std::time::Duration::from_secs(315_360_000)
        );
    }

    /// Collects formatted log lines, to check what configuration warns about.
    #[derive(Clone, Default)]
    struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn load_logging(vars: &[(&str, &str)]) -> (Result<Settings, ConfigError>, String) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let result = tracing::subscriber::with_default(subscriber, || from_parts(None, &env(vars)));
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        (result, text)
    }

    #[test]
    fn openai_compatible_servers_may_use_plain_http_on_the_network_with_a_warning() {
        let (result, logs) = load_logging(&[(
            "OPENAI_COMPATIBLE_BASE_URL",
            "http://user:hunter2@192.168.1.20:11434/v1",
        )]);
        result.expect("plain http is allowed for openai-compatible");
        assert!(logs.contains("WARN"), "{logs}");
        assert!(logs.contains("llm.openai_compatible_base_url"), "{logs}");
        assert!(logs.contains("192.168.1.20"), "{logs}");
        assert!(
            !logs.contains("hunter2"),
            "the URL's credentials are not logged: {logs}"
        );

        for loopback in [
            "http://localhost:11434/v1",
            "http://127.0.0.1:8000/v1",
            "http://127.0.0.2:8000/v1",
            "http://[::1]:8000/v1",
        ] {
            let (result, logs) = load_logging(&[("OPENAI_COMPATIBLE_BASE_URL", loopback)]);
            result.expect(loopback);
            assert!(!logs.contains("WARN"), "{loopback}: {logs}");
        }

        // Vendor APIs and Atlassian sites still refuse plain http off this machine.
        for (name, key) in [
            ("OPENAI_BASE_URL", "llm.openai_base_url"),
            ("JIRA_SERVER_URL", "jira.server_url"),
        ] {
            let err = from_parts(None, &env(&[(name, "http://192.168.1.20/v1")])).unwrap_err();
            assert_eq!(err.key(), Some(key), "{err}");
        }
    }

    #[test]
    fn provider_keys_may_come_from_files_and_misuse_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("openai-key");
        std::fs::write(&good, "sk-from-file\n").unwrap();
        let good = good.display().to_string();
        let s = from_parts(None, &env(&[("OPENAI_API_KEY_FILE", &good)])).unwrap();
        assert_eq!(s.llm.openai_api_key_file.as_deref(), Some(good.as_str()));
        assert!(s.llm.openai_api_key.is_none());
        let yaml = format!("llm:\n  anthropic_api_key_file: {good}\n");
        let s = from_parts(Some(("c.yaml", &yaml)), &env(&[])).unwrap();
        assert_eq!(s.llm.anthropic_api_key_file.as_deref(), Some(good.as_str()));
        assert!(!redacted_yaml(&s).contains("sk-from-file"));

        let empty = dir.path().join("empty");
        std::fs::write(&empty, " \n").unwrap();
        let empty = empty.display().to_string();
        let missing = dir.path().join("missing").display().to_string();
        // (variables, the key the error names, parts of its message)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a [&'a str]);
        let cases: [Case; 4] = [
            (
                &[
                    ("GOOGLE_API_KEY", "AIza-inline"),
                    ("GOOGLE_API_KEY_FILE", &good),
                ],
                "llm.google_api_key_file",
                &["GOOGLE_API_KEY (llm.google_api_key)", "GOOGLE_API_KEY_FILE"],
            ),
            (
                &[("MOONSHOT_API_KEY_FILE", &missing)],
                "llm.moonshot_api_key_file",
                &[
                    "MOONSHOT_API_KEY_FILE=",
                    &missing,
                    "cannot read the key file",
                ],
            ),
            (
                &[("OPENAI_COMPATIBLE_API_KEY_FILE", &empty)],
                "llm.openai_compatible_api_key_file",
                &["OPENAI_COMPATIBLE_API_KEY_FILE=", &empty, "empty"],
            ),
            (
                &[("OPENAI_API_KEY_FILE", dir.path().to_str().unwrap())],
                "llm.openai_api_key_file",
                &["not a regular file"],
            ),
        ];
        for (vars, key, parts) in cases {
            let err = from_parts(None, &env(vars)).unwrap_err();
            assert_eq!(err.key(), Some(key), "{vars:?}: {err}");
            let text = err.to_string();
            for part in parts {
                assert!(text.contains(part), "{vars:?}: {text}");
            }
            assert!(
                !text.contains("sk-from-file") && !text.contains("AIza"),
                "{text}"
            );
        }
    }

    #[test]
    fn the_example_config_loads() {
        let text = include_str!("../../../config.example.yaml");
        let s = from_parts(Some(("config.example.yaml", text)), &env(&[])).unwrap();
        assert_eq!(s.worker.max_jobs, 10);
    }
}
