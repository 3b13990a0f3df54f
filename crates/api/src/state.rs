//! The state every handler shares: database, settings, metrics, authentication and health probes.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};

use crate::auth::Authenticator;
use crate::observability::Metrics;
use crate::settings::{ApiSettings, SettingsError};

/// The future a [`HealthProbe`] returns.
pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = ProbeStatus> + Send + 'a>>;

/// A check of one external dependency for `GET /health` (Jira, Confluence, the LLM provider).
///
/// Feature crates register probes with [`AppState::with_probe`]; a dependency nobody registered is
/// reported as `"not configured"`.
pub trait HealthProbe: Send + Sync + 'static {
    /// The key under `services` in the `/health` response, e.g. `"jira"`.
    fn name(&self) -> &'static str;
    /// Checks the dependency. Should finish quickly; `/health` gives up after a few seconds.
    fn check(&self) -> ProbeFuture<'_>;
}

/// The outcome of a [`HealthProbe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeStatus {
    /// Reachable and working: `"connected"`.
    Connected,
    /// Deliberately not set up (e.g. no LLM key, offline generator): `"not configured"`.
    /// Does not degrade health.
    NotConfigured,
    /// Configured but failing: `"error: <reason>"`. Degrades health. The reason must not contain
    /// secrets.
    Unavailable(String),
    /// Working or ready, described by this text rather than "connected": `"sandbox"` for the
    /// in-process Jira emulator, `"offline"` for the offline generator, `"openai: gpt-4.1"` for a
    /// configured model provider. Does not degrade health.
    Described(String),
}

impl ProbeStatus {
    /// The text shown under `services` in `/health`.
    pub fn describe(&self) -> String {
        match self {
            Self::Connected => "connected".to_owned(),
            Self::NotConfigured => "not configured".to_owned(),
            Self::Unavailable(reason) => format!("error: {reason}"),
            Self::Described(text) => text.clone(),
        }
    }
}

/// The dependencies `/health` always reports, whether or not a probe was registered.
pub(crate) const STANDARD_PROBES: [&str; 3] = ["jira", "confluence", "llm"];

/// Shared handler state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: store::Database,
    /// The offline-only default, until [`AppState::with_llm`] chooses one.
    default_llm: Arc<llm::LlmService>,
    llm: OnceLock<Arc<llm::LlmService>>,
    settings: ApiSettings,
    metrics: Metrics,
    authenticator: Authenticator,
    probes: RwLock<Vec<Arc<dyn HealthProbe>>>,
    inline: OnceLock<jobs::InlineRunner>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.inner.settings)
            .field("authenticator", &self.inner.authenticator)
            .field(
                "probes",
                &self.probes().iter().map(|p| p.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Validates the settings and builds the state. Fails on settings that could never work
    /// (authentication enabled without credentials, malformed hashes or CORS origins).
    pub fn new(
        db: store::Database,
        settings: ApiSettings,
        metrics: Metrics,
    ) -> Result<Self, SettingsError> {
        let authenticator = Authenticator::new(&settings.auth)?;
        crate::cors::validate(&settings.cors)?;
        let llm = llm::LlmService::from_settings(llm::LlmSettings::default())
            .map(Arc::new)
            .map_err(|error| SettingsError::Llm(error.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                default_llm: llm,
                llm: OnceLock::new(),
                settings,
                metrics,
                authenticator,
                probes: RwLock::new(Vec::new()),
                inline: OnceLock::new(),
            }),
        })
    }

    /// Registers a health probe. A probe with the same name as an earlier one replaces it.
    pub fn with_probe(self, probe: Arc<dyn HealthProbe>) -> Self {
        {
            let mut probes = self
                .inner
                .probes
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            probes.retain(|existing| existing.name() != probe.name());
            probes.push(probe);
        }
        self
    }

    /// Uses this language-model layer (the default is the offline generator only). Called once,
    /// while building the state; a second call is ignored.
    pub fn with_llm(self, llm: Arc<llm::LlmService>) -> Self {
        if self.inner.llm.set(llm).is_err() {
            tracing::warn!("the language-model layer was already chosen; keeping the first");
        }
        self
    }

    /// Runs the jobs of synchronous requests in this process (see `job_dispatch`). Called once,
    /// while building the state; a second call is ignored.
    pub fn with_inline_runner(self, runner: jobs::InlineRunner) -> Self {
        if self.inner.inline.set(runner).is_err() {
            tracing::warn!("the inline job runner was already set; keeping the first");
        }
        self
    }

    /// The runner of synchronous requests' jobs, when the application has job handlers.
    pub fn inline_runner(&self) -> Option<&jobs::InlineRunner> {
        self.inner.inline.get()
    }

    /// The language-model layer: model selection for requests, `GET /models`.
    pub fn llm(&self) -> &llm::LlmService {
        self.inner.llm.get().unwrap_or(&self.inner.default_llm)
    }

    /// The job and data store.
    pub fn db(&self) -> &store::Database {
        &self.inner.db
    }

    /// The settings the router was built with.
    pub fn settings(&self) -> &ApiSettings {
        &self.inner.settings
    }

    /// The Prometheus registry.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn authenticator(&self) -> &Authenticator {
        &self.inner.authenticator
    }

    /// A snapshot of the registered probes.
    pub(crate) fn probes(&self) -> Vec<Arc<dyn HealthProbe>> {
        self.inner
            .probes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
