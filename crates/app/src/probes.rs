//! Health probes for `/health`: is the configured Jira (or the in-process sandbox) answering with
//! our credentials, is Confluence, and which model provider serves generation.
//!
//! `/health` is public and may be polled every few seconds by a load balancer, so a probe's answer
//! is cached briefly: health checks must never spend the Jira rate limit that users' work needs.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api::{HealthProbe, ProbeFuture, ProbeStatus};
use atlassian::{ConfluenceClient, JiraClient};

/// How long a probe answer is reused.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// The last answer of a probe, reused for [`CACHE_FOR`].
#[derive(Default)]
struct Cached(Mutex<Option<(Instant, ProbeStatus)>>);

impl Cached {
    async fn get_or<F: Future<Output = ProbeStatus>>(
        &self,
        check: impl FnOnce() -> F,
    ) -> ProbeStatus {
        {
            let last = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, status)) = last.as_ref()
                && at.elapsed() < CACHE_FOR
            {
                return status.clone();
            }
        }
        let status = check().await;
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), status.clone()));
        status
    }
}

/// What a working Atlassian site is reported as: the sandbox says so, a real site is connected.
fn reachable(sandbox: bool) -> ProbeStatus {
    if sandbox {
        ProbeStatus::Described("sandbox".to_owned())
    } else {
        ProbeStatus::Connected
    }
}

/// Calls `GET /rest/api/3/myself`: proves the site answers and the credentials work.
pub struct JiraProbe {
    client: JiraClient,
    /// The site is the in-process sandbox: reported as `sandbox`, not `connected`.
    sandbox: bool,
    last: Cached,
}

impl JiraProbe {
    pub fn new(client: JiraClient, sandbox: bool) -> Self {
        Self {
            client,
            sandbox,
            last: Cached::default(),
        }
    }
}

impl HealthProbe for JiraProbe {
    fn name(&self) -> &'static str {
        "jira"
    }

    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(self.last.get_or(|| async {
            match self.client.myself().await {
                Ok(_) => reachable(self.sandbox),
                // The hint says what to do (check the token, the URL, ...) and carries no secret.
                Err(error) => ProbeStatus::Unavailable(error.hint()),
            }
        }))
    }
}

/// Reads one Confluence space: proves the wiki answers and the credentials work.
pub struct ConfluenceProbe {
    client: Arc<ConfluenceClient>,
    sandbox: bool,
    last: Cached,
}

impl ConfluenceProbe {
    pub fn new(client: Arc<ConfluenceClient>, sandbox: bool) -> Self {
        Self {
            client,
            sandbox,
            last: Cached::default(),
        }
    }
}

impl HealthProbe for ConfluenceProbe {
    fn name(&self) -> &'static str {
        "confluence"
    }

    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(self.last.get_or(|| async {
            match self.client.ping().await {
                Ok(()) => reachable(self.sandbox),
                Err(error) => ProbeStatus::Unavailable(error.hint()),
            }
        }))
    }
}

/// Names the provider and model that serve a request naming neither (`offline` for the offline
/// generator) and the outcome of the last provider call. A provider is not called by the probe: a
/// health check must not spend tokens. A failed last call degrades health until a call succeeds.
pub struct LlmProbe {
    llm: Arc<llm::LlmService>,
    description: String,
}

impl LlmProbe {
    pub fn new(llm: Arc<llm::LlmService>) -> Self {
        let selection = llm.selection();
        let provider = selection.default_provider();
        let description = match (provider, selection.default_model(provider)) {
            (llm::ProviderId::Offline, _) => "offline".to_owned(),
            (provider, Some(model)) => format!("{provider}: {model}"),
            (provider, None) => provider.to_string(),
        };
        Self { llm, description }
    }

    fn status(&self) -> ProbeStatus {
        let Some(call) = self.llm.last_call() else {
            return ProbeStatus::Described(self.description.clone());
        };
        let age = call.at.elapsed().as_secs();
        let target = format!("{}: {}", call.provider, call.model);
        match call.error {
            None => ProbeStatus::Described(format!(
                "{}; last call ({target}) succeeded {age} s ago",
                self.description
            )),
            Some(error) => ProbeStatus::Unavailable(format!(
                "{}; last call ({target}) failed {age} s ago: {error}",
                self.description
            )),
        }
    }
}

impl HealthProbe for LlmProbe {
    fn name(&self) -> &'static str {
        "llm"
    }

    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(async move { self.status() })
    }
}
