//! Turning `Settings` into the parts the library crates take: API, worker, Jira/Confluence, custom
//! field and language-model settings.

use std::time::Duration;

use config::{Environment, Settings};

/// The HTTP edge's settings.
pub fn api_settings(settings: &Settings) -> api::ApiSettings {
    api::ApiSettings {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        auth: api::AuthSettings {
            enabled: settings.auth.enabled,
            username: settings.auth.username.clone(),
            password_hash: settings
                .auth
                .password_hash
                .as_ref()
                .map(config::Secret::as_secret_string),
            api_key_hashes: settings.auth.api_key_hashes.clone(),
        },
        cors: api::CorsSettings {
            development: settings.environment == Environment::Development,
            allowed_origins: settings.cors.allowed_origins.clone(),
        },
        body_limit_bytes: settings.server.body_limit_bytes,
        request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
        metrics_public: settings.server.public_metrics,
        // Three missed heartbeats: a worker is stale once its jobs' leases could have expired.
        worker_stale_after: settings.worker.lease().max(Duration::from_secs(6)),
        chat_max_active_per_user: settings.chat.max_active_tasks_per_user,
    }
}

/// The worker pool's settings; intervals derive from the lease so a short lease (tests, or an
/// operator who wants fast takeover) also speeds up heartbeats and recovery.
pub fn worker_settings(settings: &Settings, concurrency: Option<u32>) -> jobs::WorkerSettings {
    let lease = settings.worker.lease();
    let keep = settings.worker.keep_result();
    jobs::WorkerSettings {
        concurrency: concurrency.unwrap_or(settings.worker.max_jobs).max(1) as usize,
        lease,
        heartbeat_interval: lease / 3,
        reap_interval: (lease / 2).max(Duration::from_secs(1)),
        job_timeout: settings.worker.job_timeout(),
        keep_result: keep,
        purge_interval: (keep / 2).clamp(Duration::from_secs(1), Duration::from_secs(3600)),
        claim_batch: concurrency.unwrap_or(settings.worker.max_jobs).max(1) as usize,
        ..jobs::WorkerSettings::default()
    }
}

/// Where the service's Jira (or Confluence) is: the configured site, or the in-process sandbox.
pub struct JiraSite {
    pub url: String,
    pub email: String,
    pub api_token: secrecy::SecretString,
}

impl JiraSite {
    /// The configured Jira Cloud site, if all three of URL, user and token are set.
    pub fn configured(settings: &Settings) -> Option<Self> {
        let jira = &settings.jira;
        Some(Self {
            url: jira.server_url.clone()?,
            email: jira.username.clone()?,
            api_token: jira.api_token.as_ref()?.as_secret_string(),
        })
    }

    /// The configured Confluence site, if all three of URL, user and token are set.
    pub fn confluence(settings: &Settings) -> Option<Self> {
        let confluence = &settings.confluence;
        Some(Self {
            url: confluence.server_url.clone()?,
            email: confluence.username.clone()?,
            api_token: confluence.api_token.as_ref()?.as_secret_string(),
        })
    }

    /// The sandbox as a site, with its default demo account.
    pub fn of_sandbox(sandbox: &sandbox::SandboxHandle) -> Self {
        let account = sandbox.credentials().default_account();
        Self {
            url: sandbox.base_url(),
            email: account.email.clone(),
            api_token: account.api_token().clone(),
        }
    }

    /// The client jobs use: the full retry budget of real work.
    pub async fn client(&self, settings: &Settings) -> atlassian::Result<atlassian::JiraClient> {
        atlassian::JiraClient::connect(
            self.site()?,
            transport(
                settings,
                atlassian::RetryPolicy::default(),
                Duration::from_secs(30),
            ),
        )
        .await
    }

    /// A client for health probes: one quick attempt, never the retry budget of real work, so
    /// `/health` answers fast when Jira is down.
    pub async fn probe_client(
        &self,
        settings: &Settings,
    ) -> atlassian::Result<atlassian::JiraClient> {
        let retry = atlassian::RetryPolicy {
            max_attempts: 1,
            ..atlassian::RetryPolicy::default()
        };
        atlassian::JiraClient::connect(
            self.site()?,
            transport(settings, retry, Duration::from_secs(3)),
        )
        .await
    }

    /// A Confluence client for this site.
    pub async fn confluence_client(
        &self,
        settings: &Settings,
    ) -> atlassian::Result<atlassian::ConfluenceClient> {
        atlassian::ConfluenceClient::connect(
            self.site()?,
            transport(
                settings,
                atlassian::RetryPolicy::default(),
                Duration::from_secs(30),
            ),
        )
        .await
    }

    fn site(&self) -> atlassian::Result<atlassian::SiteConfig> {
        atlassian::SiteConfig::new(
            &self.url,
            atlassian::AtlassianAuth::Basic {
                email: self.email.clone(),
                api_token: self.api_token.clone(),
            },
        )
    }
}

/// Pacing at `rate` requests per second with bursts of up to one second's worth: a site that
/// sustains `rate` takes that many at once (Jira Cloud's burst limits are per second), so 64
/// requests arriving together at a 1000 req/s site go at once instead of 10 at a time
/// (docs/benchmarks.md, "planwright — features").
fn pacing(rate: f64) -> atlassian::Pacing {
    atlassian::Pacing {
        requests_per_second: Some(rate),
        // `rate` is validated to (0, 1000] at load.
        burst: (rate.ceil() as u32).max(1),
    }
}

fn transport(
    settings: &Settings,
    retry: atlassian::RetryPolicy,
    request_timeout: Duration,
) -> atlassian::TransportConfig {
    atlassian::TransportConfig {
        pacing: pacing(settings.jira.requests_per_second),
        retry,
        request_timeout,
        max_response_bytes: settings.jira.max_response_bytes,
        ..atlassian::TransportConfig::default()
    }
}

/// The configured custom field ids (unset or unknown ones are found by name at run time).
pub fn field_settings(settings: &Settings) -> features::FieldSettings {
    let jira = &settings.jira;
    let id = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    features::FieldSettings {
        prd: id(&Some(jira.prd_custom_field.clone())),
        rfc: id(&jira.rfc_custom_field),
        test_cases: id(&jira.test_case_custom_field),
        mandays: id(&jira.mandays_custom_field),
    }
}

/// The language-model layer's settings.
pub fn llm_settings(settings: &Settings) -> llm::LlmSettings {
    let llm = &settings.llm;
    let provider = |key: &Option<config::Secret>,
                    key_file: &Option<String>,
                    model: &Option<String>,
                    base: &Option<String>| llm::ProviderSettings {
        api_key: key.as_ref().map(config::Secret::as_secret_string),
        api_key_file: key_file.as_ref().map(Into::into),
        model: model.clone(),
        base_url: base.clone(),
    };
    llm::LlmSettings {
        provider: llm.provider.clone(),
        temperature: Some(llm.temperature),
        max_tokens: llm.max_tokens,
        openai: provider(
            &llm.openai_api_key,
            &llm.openai_api_key_file,
            &llm.openai_model,
            &llm.openai_base_url,
        ),
        anthropic: provider(
            &llm.anthropic_api_key,
            &llm.anthropic_api_key_file,
            &llm.anthropic_model,
            &llm.anthropic_base_url,
        ),
        google: provider(
            &llm.google_api_key,
            &llm.google_api_key_file,
            &llm.google_model,
            &llm.google_base_url,
        ),
        moonshot: provider(
            &llm.moonshot_api_key,
            &llm.moonshot_api_key_file,
            &llm.moonshot_model,
            &llm.moonshot_base_url,
        ),
        openai_compatible: provider(
            &llm.openai_compatible_api_key,
            &llm.openai_compatible_api_key_file,
            &llm.openai_compatible_model,
            &llm.openai_compatible_base_url,
        ),
        request_timeout: Duration::from_secs(llm.request_timeout_secs),
        max_concurrency_per_provider: llm.max_concurrency,
        max_response_bytes: llm.max_response_bytes,
        prompts_dir: llm.prompts_dir.as_ref().map(Into::into),
        catalog_path: llm.model_catalog.as_ref().map(Into::into),
        ..llm::LlmSettings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::pacing;

    #[test]
    fn key_files_reach_the_llm_settings() {
        let mut settings = config::Settings::default();
        settings.llm.google_api_key_file = Some("/run/secrets/google".into());
        settings.llm.openai_api_key = Some(config::Secret::new("sk-inline"));
        let llm = super::llm_settings(&settings);
        assert_eq!(
            llm.google.api_key_file.as_deref(),
            Some(std::path::Path::new("/run/secrets/google"))
        );
        assert!(llm.google.api_key.is_none());
        assert!(llm.openai.api_key.is_some() && llm.openai.api_key_file.is_none());
        assert!(llm.is_offered(llm::ProviderId::Gemini));
    }

    #[test]
    fn bursts_allow_one_second_of_the_configured_rate() {
        for (rate, burst) in [(1000.0, 1000), (10.0, 10), (2.5, 3), (0.5, 1)] {
            let pacing = pacing(rate);
            assert_eq!(pacing.burst, burst, "{rate} req/s");
            assert_eq!(pacing.requests_per_second, Some(rate));
        }
    }
}
