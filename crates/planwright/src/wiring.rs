//! Turning `Settings` into the parts the library crates take: API settings, worker settings, and
//! the registry of job kinds this binary runs.

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

/// Where the service's Jira is: the configured site, or the in-process sandbox.
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

    /// A client for health probes: one quick attempt, never the retry budget of real work, so
    /// `/health` answers fast when Jira is down.
    pub async fn probe_client(&self, settings: &Settings) -> anyhow::Result<atlassian::JiraClient> {
        self.connect(
            settings,
            atlassian::RetryPolicy {
                max_attempts: 1,
                ..atlassian::RetryPolicy::default()
            },
            Duration::from_secs(3),
        )
        .await
    }

    async fn connect(
        &self,
        settings: &Settings,
        retry: atlassian::RetryPolicy,
        request_timeout: Duration,
    ) -> anyhow::Result<atlassian::JiraClient> {
        let site = atlassian::SiteConfig::new(
            &self.url,
            atlassian::AtlassianAuth::Basic {
                email: self.email.clone(),
                api_token: self.api_token.clone(),
            },
        )?;
        let transport = atlassian::TransportConfig {
            pacing: atlassian::Pacing {
                requests_per_second: Some(settings.jira.requests_per_second),
                ..atlassian::Pacing::default()
            },
            retry,
            request_timeout,
            ..atlassian::TransportConfig::default()
        };
        Ok(atlassian::JiraClient::connect(site, transport).await?)
    }
}

/// The language-model layer's settings.
pub fn llm_settings(settings: &Settings) -> llm::LlmSettings {
    let llm = &settings.llm;
    let provider = |key: &Option<config::Secret>, model: &Option<String>, base: &Option<String>| {
        llm::ProviderSettings {
            api_key: key.as_ref().map(config::Secret::as_secret_string),
            model: model.clone(),
            base_url: base.clone(),
        }
    };
    llm::LlmSettings {
        provider: llm.provider.clone(),
        temperature: Some(llm.temperature),
        max_tokens: llm.max_tokens,
        openai: provider(&llm.openai_api_key, &llm.openai_model, &llm.openai_base_url),
        anthropic: provider(
            &llm.anthropic_api_key,
            &llm.anthropic_model,
            &llm.anthropic_base_url,
        ),
        google: provider(&llm.google_api_key, &llm.google_model, &llm.google_base_url),
        moonshot: provider(
            &llm.moonshot_api_key,
            &llm.moonshot_model,
            &llm.moonshot_base_url,
        ),
        openai_compatible: provider(
            &llm.openai_compatible_api_key,
            &llm.openai_compatible_model,
            &llm.openai_compatible_base_url,
        ),
        request_timeout: Duration::from_secs(llm.request_timeout_secs),
        max_concurrency_per_provider: llm.max_concurrency,
        prompts_dir: llm.prompts_dir.as_ref().map(Into::into),
        catalog_path: llm.model_catalog.as_ref().map(Into::into),
        ..llm::LlmSettings::default()
    }
}

/// Every job kind this binary can run. Feature issues add their handlers here.
pub fn job_registry() -> jobs::Registry {
    let mut registry = jobs::Registry::new();
    // The probe kind exists for black-box tests of the job system. Workers can run it in any
    // build, but only a debug build has a route that enqueues it (see `commands/serve.rs`), so
    // in a release build nothing reachable from the API can create one.
    registry
        .register(jobs::probe::ProbeHandler::default())
        .expect("the probe kind is registered once");
    registry
}
