//! Plain settings for the language-model layer, filled by the configuration crate (or from the
//! environment variables of seed 000 with [`LlmSettings::from_lookup`]).
//!
//! Keys are `SecretString`s so they never reach Debug output, logs or error messages. A key may
//! also come from a file (`OPENAI_API_KEY_FILE`, …) that is re-read when it changes
//! ([`crate::api_key`]); setting both forms for one provider is an error. A provider is offered only
//! when it can be called: the four vendors need a key (or key file), `openai-compatible` needs a
//! base URL, and `offline` is always offered.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::api_key::{ApiKeySource, KeyFileError};
use crate::provider_id::ProviderId;

/// Connection settings for one provider.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// API key (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `GOOGLE_API_KEY`, `MOONSHOT_API_KEY`,
    /// `OPENAI_COMPATIBLE_API_KEY`).
    pub api_key: Option<SecretString>,
    /// A file holding the API key (`OPENAI_API_KEY_FILE`, … ), re-read when it changes; exclusive
    /// with `api_key`.
    pub api_key_file: Option<PathBuf>,
    /// Default model for this provider (`OPENAI_MODEL`, `ANTHROPIC_MODEL`, `GOOGLE_MODEL`,
    /// `MOONSHOT_MODEL`, `OPENAI_COMPATIBLE_MODEL`); the catalog's default when unset.
    pub model: Option<String>,
    /// Base URL override (`*_BASE_URL`), so tests and proxies can point the provider anywhere.
    pub base_url: Option<String>,
}

/// Everything the language-model layer needs from configuration.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// `LLM_PROVIDER`: the default provider; when unset, the first keyed provider, else `offline`.
    pub provider: Option<String>,
    /// `LLM_TEMPERATURE` (models that only accept their default temperature never receive it).
    pub temperature: Option<f32>,
    /// `LLM_MAX_TOKENS`: the output budget of a call; the provider's default when unset.
    pub max_tokens: Option<u32>,
    pub openai: ProviderSettings,
    pub anthropic: ProviderSettings,
    pub google: ProviderSettings,
    pub moonshot: ProviderSettings,
    /// Any OpenAI-compatible server; offered when `base_url` is set (the key is optional).
    pub openai_compatible: ProviderSettings,
    /// `LLM_REQUEST_TIMEOUT_SECS`: timeout of one HTTP request to a provider.
    pub request_timeout: Duration,
    /// `LLM_MAX_CONCURRENCY`: calls in flight per provider at most.
    pub max_concurrency_per_provider: usize,
    /// HTTP attempts per model call (first try included) for retryable failures.
    pub max_http_attempts: u32,
    /// Backoff before the second HTTP attempt (doubled for each further one, with full jitter).
    pub retry_base_delay: Duration,
    /// Upper bound for one wait between HTTP attempts, whatever `Retry-After` says.
    pub max_retry_wait: Duration,
    /// The largest provider answer body read; a larger one fails the call (16 MiB by default).
    pub max_response_bytes: usize,
    /// How many times an answer that fails schema validation is re-asked with the errors.
    pub max_reasks: u32,
    /// How many times a truncated answer is retried with a larger output budget.
    pub max_budget_retries: u32,
    /// `PROMPTS_DIR`: templates here override the embedded ones, file by file.
    pub prompts_dir: Option<PathBuf>,
    /// `LLM_MODEL_CATALOG`: a YAML file merged over the embedded model catalog.
    pub catalog_path: Option<PathBuf>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            provider: None,
            temperature: None,
            max_tokens: None,
            openai: ProviderSettings::default(),
            anthropic: ProviderSettings::default(),
            google: ProviderSettings::default(),
            moonshot: ProviderSettings::default(),
            openai_compatible: ProviderSettings::default(),
            // Reasoning models can think for minutes before the first byte of a long answer.
            request_timeout: Duration::from_secs(300),
            max_concurrency_per_provider: 8,
            max_http_attempts: 4,
            retry_base_delay: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
            max_response_bytes: crate::providers::DEFAULT_MAX_RESPONSE_BYTES,
            max_reasks: 2,
            max_budget_retries: 2,
            prompts_dir: None,
            catalog_path: None,
        }
    }
}

impl LlmSettings {
    /// Builds settings from environment-style variables (`lookup("OPENAI_API_KEY")`, …); empty
    /// values count as unset. Unparsable numbers are reported rather than ignored.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<LlmSettings, SettingsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let provider_settings = |prefix: &str| ProviderSettings {
            api_key: get(&format!("{prefix}_API_KEY")).map(SecretString::from),
            api_key_file: get(&format!("{prefix}_API_KEY_FILE"))
                .map(|path| PathBuf::from(path.trim())),
            model: get(&format!("{prefix}_MODEL")),
            base_url: get(&format!("{prefix}_BASE_URL")),
        };
        let number = |variable: &'static str, expected: &'static str| {
            get(variable)
                .map(|v| {
                    v.trim().parse::<f64>().map_err(|_| SettingsError::Invalid {
                        variable,
                        value: v.clone(),
                        expected,
                    })
                })
                .transpose()
        };
        let temperature = number("LLM_TEMPERATURE", "a number such as 0.2")?.map(|t| t as f32);
        let whole =
            |variable: &'static str, expected: &'static str| match number(variable, expected)? {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                    Ok(Some(n as u32))
                }
                Some(_) => Err(SettingsError::Invalid {
                    variable,
                    value: get(variable).unwrap_or_default(),
                    expected,
                }),
                None => Ok(None),
            };
        let max_tokens = whole("LLM_MAX_TOKENS", "a positive whole number such as 8000")?;
        let defaults = LlmSettings::default();
        let request_timeout = whole(
            "LLM_REQUEST_TIMEOUT_SECS",
            "a whole number of seconds such as 300",
        )?
        .map_or(defaults.request_timeout, |secs| {
            Duration::from_secs(u64::from(secs))
        });
        let max_concurrency_per_provider =
            whole("LLM_MAX_CONCURRENCY", "a whole number such as 8")?
                .map_or(defaults.max_concurrency_per_provider, |n| n as usize);
        let settings = LlmSettings {
            provider: get("LLM_PROVIDER"),
            request_timeout,
            max_concurrency_per_provider,
            temperature,
            max_tokens,
            openai: provider_settings("OPENAI"),
            anthropic: provider_settings("ANTHROPIC"),
            google: provider_settings("GOOGLE"),
            moonshot: provider_settings("MOONSHOT"),
            openai_compatible: provider_settings("OPENAI_COMPATIBLE"),
            prompts_dir: get("PROMPTS_DIR").map(PathBuf::from),
            catalog_path: get("LLM_MODEL_CATALOG").map(PathBuf::from),
            ..defaults
        };
        // Key files are read now, so a missing or empty one fails at startup, not at a call.
        for id in ProviderId::ALL {
            settings.key_source(id)?;
        }
        Ok(settings)
    }

    /// Where a provider's key comes from: the key, the key file (read once here to check it), or
    /// nothing. Both set is an error naming the two variables.
    pub fn key_source(&self, id: ProviderId) -> Result<Option<ApiKeySource>, SettingsError> {
        let (Some(provider), Some(variable), Some(file_variable)) =
            (self.provider(id), id.key_variable(), id.key_file_variable())
        else {
            return Ok(None);
        };
        match (&provider.api_key, &provider.api_key_file) {
            (Some(_), Some(_)) => Err(SettingsError::KeyConflict {
                variable,
                file_variable,
            }),
            (Some(key), None) => Ok(Some(ApiKeySource::Static(key.clone()))),
            (None, Some(path)) => Ok(Some(ApiKeySource::from_file(file_variable, path)?)),
            (None, None) => Ok(None),
        }
    }

    /// The connection settings of one provider (`offline` has none).
    pub fn provider(&self, id: ProviderId) -> Option<&ProviderSettings> {
        match id {
            ProviderId::OpenAi => Some(&self.openai),
            ProviderId::Claude => Some(&self.anthropic),
            ProviderId::Gemini => Some(&self.google),
            ProviderId::Kimi => Some(&self.moonshot),
            ProviderId::OpenAiCompatible => Some(&self.openai_compatible),
            ProviderId::Offline => None,
        }
    }

    /// Mutable access to one provider's settings, for tests and configuration code.
    pub fn provider_mut(&mut self, id: ProviderId) -> Option<&mut ProviderSettings> {
        match id {
            ProviderId::OpenAi => Some(&mut self.openai),
            ProviderId::Claude => Some(&mut self.anthropic),
            ProviderId::Gemini => Some(&mut self.google),
            ProviderId::Kimi => Some(&mut self.moonshot),
            ProviderId::OpenAiCompatible => Some(&mut self.openai_compatible),
            ProviderId::Offline => None,
        }
    }

    /// Whether a provider can be called with these settings.
    pub fn is_offered(&self, id: ProviderId) -> bool {
        match id {
            ProviderId::Offline => true,
            ProviderId::OpenAiCompatible => self.openai_compatible.base_url.is_some(),
            other => self.provider(other).is_some_and(|settings| {
                settings.api_key.is_some() || settings.api_key_file.is_some()
            }),
        }
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{variable}={value:?} is not valid: expected {expected}")]
    Invalid {
        variable: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "both {variable} and {file_variable} are set; set only one of them (the key, or the file holding it)"
    )]
    KeyConflict {
        variable: &'static str,
        file_variable: &'static str,
    },
    /// A key file that is missing, unreadable or empty.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_the_seed_variables() {
        let settings = LlmSettings::from_lookup(lookup(&[
            ("LLM_PROVIDER", "claude"),
            ("LLM_TEMPERATURE", "0.3"),
            ("LLM_MAX_TOKENS", "9000"),
            ("ANTHROPIC_API_KEY", "sk-ant-secret"),
            ("ANTHROPIC_MODEL", "claude-haiku-4-5"),
            ("OPENAI_API_KEY", ""),
            ("OPENAI_COMPATIBLE_BASE_URL", "http://localhost:11434/v1"),
            ("LLM_REQUEST_TIMEOUT_SECS", "45"),
            ("LLM_MAX_CONCURRENCY", "16"),
        ]))
        .unwrap();
        assert_eq!(settings.provider.as_deref(), Some("claude"));
        assert_eq!(settings.temperature, Some(0.3));
        assert_eq!(settings.max_tokens, Some(9000));
        assert_eq!(settings.request_timeout, Duration::from_secs(45));
        assert_eq!(settings.max_concurrency_per_provider, 16);
        assert_eq!(
            settings.anthropic.model.as_deref(),
            Some("claude-haiku-4-5")
        );
        assert!(settings.is_offered(ProviderId::Claude));
        assert!(
            !settings.is_offered(ProviderId::OpenAi),
            "an empty key is no key"
        );
        assert!(settings.is_offered(ProviderId::OpenAiCompatible));
        assert!(settings.is_offered(ProviderId::Offline));
        assert!(!format!("{settings:?}").contains("sk-ant-secret"));
    }

    #[test]
    fn rejects_unparsable_numbers() {
        for value in ["lots", "0", "1.5", "-3"] {
            let err = LlmSettings::from_lookup(lookup(&[("LLM_MAX_TOKENS", value)])).unwrap_err();
            assert!(err.to_string().contains("LLM_MAX_TOKENS"), "{value}");
        }
        let err = LlmSettings::from_lookup(lookup(&[("LLM_TEMPERATURE", "warm")])).unwrap_err();
        assert!(err.to_string().contains("LLM_TEMPERATURE"));
    }

    #[test]
    fn key_files_are_read_at_startup_and_misconfiguration_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("google-key");
        std::fs::write(&key, "AIza-from-file\n").unwrap();
        let key_path = key.display().to_string();
        let settings =
            LlmSettings::from_lookup(lookup(&[("GOOGLE_API_KEY_FILE", &key_path)])).unwrap();
        assert!(settings.is_offered(ProviderId::Gemini));
        assert_eq!(settings.google.api_key_file.as_deref(), Some(key.as_path()));
        let source = settings.key_source(ProviderId::Gemini).unwrap().unwrap();
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&source.current()),
            "AIza-from-file"
        );
        assert!(!format!("{settings:?}").contains("AIza-from-file"));

        let err = LlmSettings::from_lookup(lookup(&[
            ("GOOGLE_API_KEY", "AIza-inline"),
            ("GOOGLE_API_KEY_FILE", &key_path),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, SettingsError::KeyConflict { .. }), "{text}");
        assert!(
            text.contains("GOOGLE_API_KEY ") && text.contains("GOOGLE_API_KEY_FILE"),
            "{text}"
        );
        assert!(!text.contains("AIza"), "{text}");

        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let missing = dir.path().join("missing");
        for (variable, path) in [
            ("OPENAI_API_KEY_FILE", &empty),
            ("OPENAI_COMPATIBLE_API_KEY_FILE", &missing),
        ] {
            let path_text = path.display().to_string();
            let err = LlmSettings::from_lookup(lookup(&[(variable, &path_text)])).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, SettingsError::KeyFile(_)), "{text}");
            assert!(
                text.starts_with(&format!("{variable}={path_text}: ")),
                "{text}"
            );
        }
    }
}
