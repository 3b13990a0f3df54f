//! The composition root: everything `planwright serve` and `planwright worker` assemble from
//! configuration (database, language models, Jira and Confluence clients or the in-process
//! sandbox, the job environment and registry, the HTTP state, the worker pool), as a library
//! so the binary and [`testing::TestApp`] build the same application.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod probes;
// Test support, never on a request or worker path: a setup step that fails fails the test.
#[cfg(feature = "testing")]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub mod testing;
pub mod wiring;

use std::sync::Arc;
use std::time::Duration;

use config::Settings;
use sandbox::SandboxHandle;

use crate::probes::{ConfluenceProbe, JiraProbe, LlmProbe};

/// What can go wrong assembling the application.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("connecting to the database (check DATABASE_URL): {0}")]
    Database(#[source] store::StoreError),
    #[error("starting the in-process sandbox: {0}")]
    Sandbox(#[source] sandbox::SandboxError),
    #[error("setting up the Jira client (check JIRA_SERVER_URL): {0}")]
    Jira(#[source] atlassian::Error),
    #[error("setting up the Confluence client (check CONFLUENCE_SERVER_URL): {0}")]
    Confluence(#[source] atlassian::Error),
    #[error("invalid HTTP settings: {0}")]
    Http(#[source] api::SettingsError),
    #[error("starting the worker pool: {0}")]
    Worker(#[source] jobs::WorkerError),
    #[error("registering the job kinds: {0}")]
    Registry(#[source] jobs::DuplicateKind),
}

/// How to assemble the application.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Use the in-process sandbox even when a Jira site is configured.
    pub force_sandbox: bool,
    /// Do not start the in-process worker pool (jobs run in `planwright worker` processes).
    pub no_worker: bool,
    /// Worker pool size; `WORKER_MAX_JOBS` when unset.
    pub worker_concurrency: Option<u32>,
}

/// The Jira side of the application: clients for the configured site, or for an in-process
/// sandbox (owned here, stopped on shutdown).
pub struct Atlassian {
    pub jira: atlassian::JiraClient,
    pub confluence: Option<Arc<atlassian::ConfluenceClient>>,
    pub probe_client: atlassian::JiraClient,
    pub sandbox: Option<SandboxHandle>,
}

impl Atlassian {
    /// The configured site, or the demo sandbox when none is configured (or `force_sandbox`).
    pub async fn connect(settings: &Settings, force_sandbox: bool) -> Result<Self, AppError> {
        let (sandbox, jira_site, confluence_site) = match wiring::JiraSite::configured(settings) {
            Some(site) if !force_sandbox => (None, site, wiring::JiraSite::confluence(settings)),
            _ => {
                let sandbox = start_sandbox().await?;
                let site = wiring::JiraSite::of_sandbox(&sandbox);
                let confluence = Some(wiring::JiraSite::of_sandbox(&sandbox));
                (Some(sandbox), site, confluence)
            }
        };
        let jira = jira_site.client(settings).await.map_err(AppError::Jira)?;
        let probe_client = jira_site
            .probe_client(settings)
            .await
            .map_err(AppError::Jira)?;
        let confluence = match confluence_site {
            Some(site) => Some(Arc::new(
                site.confluence_client(settings)
                    .await
                    .map_err(AppError::Confluence)?,
            )),
            None => None,
        };
        Ok(Self {
            jira,
            confluence,
            probe_client,
            sandbox,
        })
    }
}

async fn start_sandbox() -> Result<SandboxHandle, AppError> {
    let sandbox = sandbox::Sandbox::builder()
        .seed(sandbox::Seed::Demo)
        .start()
        .await
        .map_err(AppError::Sandbox)?;
    tracing::info!(
        url = %sandbox.base_url(),
        user = %sandbox.credentials().default_account().email,
        "no Jira configured: using the built-in sandbox (Jira Cloud + Confluence emulator with project DEMO)"
    );
    Ok(sandbox)
}

/// Connects to the configured database and applies migrations.
pub async fn connect_database(settings: &Settings) -> Result<store::Database, AppError> {
    let db = store::Database::connect(settings.database.url.expose())
        .await
        .map_err(AppError::Database)?;
    db.migrate().await.map_err(AppError::Database)?;
    Ok(db)
}

/// The job environment and registry for `db`, `llm` and the Atlassian clients; fails only if
/// two job kinds share a name.
pub fn job_registry(
    settings: &Settings,
    db: &store::Database,
    llm: Arc<llm::LlmService>,
    atlassian: &Atlassian,
) -> Result<(Arc<features::JobEnv>, jobs::Registry), AppError> {
    let env = Arc::new(
        features::JobEnv::new(
            db.clone(),
            llm,
            atlassian.jira.clone(),
            atlassian.confluence.clone(),
            wiring::field_settings(settings),
        )
        .with_batch_concurrency(settings.worker.batch_concurrency as usize)
        .with_chat(features::chat::ChatConfig {
            confirmation_expiry: Duration::from_secs(settings.chat.confirmation_expiry_secs),
            default_project: settings.jira.project_key.clone(),
        }),
    );
    let mut registry = features::registry(env.clone()).map_err(AppError::Registry)?;
    // The probe kind exists for black-box tests of the job system. Workers can run it in any
    // build, but only a debug build has a route that enqueues it, so in a release build nothing
    // reachable from the API can create one.
    registry
        .register(jobs::probe::ProbeHandler::default())
        .map_err(AppError::Registry)?;
    Ok((env, registry))
}

/// A running application: the HTTP state, its worker pool and its sandbox.
pub struct Application {
    pub settings: Settings,
    pub db: store::Database,
    pub state: api::AppState,
    pub env: Arc<features::JobEnv>,
    pub registry: jobs::Registry,
    workers: Option<jobs::WorkerHandle>,
    sandbox: Option<SandboxHandle>,
}

impl Application {
    /// Assembles the application from configuration: connects and migrates the database, picks
    /// the Jira site, builds the job registry and HTTP state, and starts the worker pool unless
    /// `options.no_worker`.
    pub async fn build(
        settings: Settings,
        llm: llm::LlmService,
        options: AppOptions,
    ) -> Result<Self, AppError> {
        let db = connect_database(&settings).await?;
        Self::build_with_database(settings, llm, options, db).await
    }

    /// [`Self::build`] on a database that is already connected and migrated.
    pub async fn build_with_database(
        settings: Settings,
        llm: llm::LlmService,
        options: AppOptions,
        db: store::Database,
    ) -> Result<Self, AppError> {
        let metrics = api::Metrics::new();
        if metrics.install_global().is_err() {
            tracing::debug!("a metrics recorder was already installed; job metrics go there");
        }
        let llm = Arc::new(llm);
        let atlassian = Atlassian::connect(&settings, options.force_sandbox).await?;
        let (env, registry) = job_registry(&settings, &db, llm.clone(), &atlassian)?;
        let worker_settings = wiring::worker_settings(&settings, options.worker_concurrency);
        let inline = jobs::InlineRunner::new(db.clone(), registry.clone(), worker_settings.clone());
        let state = api::AppState::new(db.clone(), wiring::api_settings(&settings), metrics)
            .map_err(AppError::Http)?
            .with_llm(llm.clone())
            .with_inline_runner(inline)
            .with_probe(Arc::new(JiraProbe::new(
                atlassian.probe_client.clone(),
                atlassian.sandbox.is_some(),
            )))
            .with_probe(Arc::new(LlmProbe::new(llm.clone())));
        let state = match &atlassian.confluence {
            Some(confluence) => state.with_probe(Arc::new(ConfluenceProbe::new(
                confluence.clone(),
                atlassian.sandbox.is_some(),
            ))),
            None => state,
        };
        let workers = if options.no_worker {
            None
        } else {
            let pool = jobs::WorkerPool::start(db.clone(), registry.clone(), worker_settings)
                .await
                .map_err(AppError::Worker)?;
            tracing::info!(worker_id = pool.worker_id(), "worker pool started");
            Some(pool)
        };
        Ok(Self {
            settings,
            db,
            state,
            env,
            registry,
            workers,
            sandbox: atlassian.sandbox,
        })
    }

    /// The HTTP application.
    pub fn router(&self) -> axum::Router {
        api::router(self.state.clone())
    }

    /// The in-process sandbox, when no Jira is configured.
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandbox.as_ref()
    }

    /// Stops the worker pool (running jobs get `grace` to finish), the sandbox and the database.
    pub async fn shutdown(self, grace: Duration) {
        if let Some(pool) = self.workers {
            let report = pool.shutdown(grace).await;
            tracing::info!(
                finished = report.finished,
                released = report.released,
                "worker pool stopped"
            );
        }
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await.ok();
        }
        self.db.close().await;
    }
}
