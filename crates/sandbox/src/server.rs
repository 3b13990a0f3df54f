//! Starting and stopping a sandbox: the builder (seed, credentials, faults, port, contract
//! checking), the running server's handle, and graceful shutdown.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::Credentials;
use crate::faults::{FaultConfig, Faults};
use crate::state::{SandboxState, Shared, Store};
use crate::write_log::WriteLog;

/// What the sandbox holds when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// The site configuration, project `DEMO` with its scrum board and the Confluence space
    /// `DEMO`, but no issues, sprints or pages.
    Empty,
    /// Everything in `Empty` plus the demo dataset (epics, stories, tasks, sub-tasks, links,
    /// sprints, PRD and RFC pages).
    #[default]
    Demo,
}

/// Why a sandbox could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The port could not be bound (in use, or not permitted).
    #[error("cannot bind the sandbox to 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    /// The server stopped with an I/O error.
    #[error("the sandbox server failed: {0}")]
    Serve(#[from] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("the sandbox server task ended abnormally: {0}")]
    Task(String),
    /// The OpenAPI documents for contract checking could not be loaded.
    #[cfg(feature = "contract")]
    #[error(transparent)]
    Contract(#[from] crate::contract::ContractError),
}

/// Entry point: `Sandbox::builder()…start().await`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: demo data, `demo@example.com` / `sandbox-token`, no faults,
    /// a random port.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Configures a sandbox.
#[derive(Debug, Default)]
pub struct SandboxBuilder {
    seed: Seed,
    credentials: Credentials,
    faults: FaultConfig,
    port: u16,
    public_url: Option<String>,
    #[cfg(feature = "contract")]
    contract: Option<crate::contract::ContractOptions>,
}

impl SandboxBuilder {
    /// Chooses the starting data.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the accepted credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets the starting fault configuration.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Binds this port instead of a random one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The URL the sandbox is reached at, for `self` links and the demo data's page links when
    /// the router is mounted in-process (`start` uses the bound address).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_string());
        self
    }

    /// Checks requests and responses against the official OpenAPI documents.
    #[cfg(feature = "contract")]
    pub fn contract(mut self, options: crate::contract::ContractOptions) -> Self {
        self.contract = Some(options);
        self
    }

    /// Builds the shared state without serving it, for mounting [`crate::router`] in-process.
    /// Call [`SandboxState::set_base_url`] with the URL it will be reached at.
    pub fn build_state(self) -> Result<SandboxState, SandboxError> {
        let base_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1".to_string());
        let mut store = Store::new(self.credentials.users());
        let now = chrono::Utc::now();
        crate::demo::seed_site(&mut store, now);
        if self.seed == Seed::Demo {
            crate::demo::seed_demo(&mut store, &base_url, now);
        }
        #[cfg(feature = "contract")]
        let contract = match self.contract {
            Some(options) => Some(crate::contract::ContractCheck::new(options)?),
            None => None,
        };
        Ok(SandboxState {
            inner: Arc::new(Shared {
                store: RwLock::new(store),
                base_url: RwLock::new(base_url),
                credentials: self.credentials,
                faults: Faults::new(self.faults),
                write_log: WriteLog::default(),
                events: tokio::sync::broadcast::channel(1024).0,
                page_hooks: std::sync::Mutex::new(Vec::new()),
                #[cfg(feature = "contract")]
                contract,
            }),
        })
    }

    /// Starts serving on 127.0.0.1.
    pub async fn start(mut self) -> Result<SandboxHandle, SandboxError> {
        let port = self.port;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|source| SandboxError::Bind { port, source })?;
        let addr = listener.local_addr()?;
        self.public_url = Some(format!("http://{addr}"));
        let state = self.build_state()?;
        // The language-model providers' APIs live beside Jira and Confluence, so one sandbox is
        // every external service the product talks to.
        let llm = llm_emulator::EmulatorState::new();
        let app = crate::router(state.clone())
            .merge(llm_emulator::router(llm.clone()))
            .fallback(crate::not_found);
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown_rx.await;
                })
                .await
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(SandboxHandle {
            state,
            llm,
            addr,
            shutdown: Some(shutdown_tx),
            task: Some(task),
        })
    }
}

/// A running sandbox. Dropping it stops the server; [`SandboxHandle::shutdown`] also waits.
#[derive(Debug)]
pub struct SandboxHandle {
    state: SandboxState,
    llm: llm_emulator::EmulatorState,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.state.base_url()
    }

    /// The language-model provider emulator served beside Jira: script answers and faults, read
    /// the requests it received.
    pub fn llm(&self) -> &llm_emulator::EmulatorState {
        &self.llm
    }

    /// Base URL of the emulated OpenAI API (`…/openai/v1`).
    pub fn openai_url(&self) -> String {
        format!("{}/openai/v1", self.base_url())
    }

    /// Base URL of the emulated Anthropic API (`…/anthropic/v1`).
    pub fn anthropic_url(&self) -> String {
        format!("{}/anthropic/v1", self.base_url())
    }

    /// Base URL of the emulated Gemini API (`…/gemini/v1beta`).
    pub fn gemini_url(&self) -> String {
        format!("{}/gemini/v1beta", self.base_url())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted credentials (the default user is `credentials().default_account()`).
    pub fn credentials(&self) -> &Credentials {
        self.state.credentials()
    }

    /// Every mutating request received so far.
    pub fn write_log(&self) -> &WriteLog {
        self.state.write_log()
    }

    /// Runtime fault switches.
    pub fn faults(&self) -> &Faults {
        self.state.faults()
    }

    /// Webhook events for every write made through the API from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::WebhookEvent> {
        self.state.subscribe()
    }

    /// Direct access to the data, for inspection and seeding.
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    /// Contract violations recorded so far.
    #[cfg(feature = "contract")]
    pub fn contract_violations(&self) -> Vec<crate::contract::ContractViolation> {
        self.state.contract_violations()
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => match task.await {
                Ok(result) => result.map_err(SandboxError::Serve),
                Err(join) => Err(SandboxError::Task(join.to_string())),
            },
            None => Ok(()),
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
