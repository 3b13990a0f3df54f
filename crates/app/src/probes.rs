//! Health probes for `/health`: is the configured Jira (or the in-process sandbox) answering
//! with our credentials?
//!
//! `/health` is public and may be polled every few seconds by a load balancer, so a probe's answer
//! is cached briefly: health checks must never spend the Jira rate limit that users' work needs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use api::{HealthProbe, ProbeFuture, ProbeStatus};
use atlassian::JiraClient;

/// How long a probe answer is reused.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// Calls `GET /rest/api/3/myself`: proves the site answers and the credentials work.
pub struct JiraProbe {
    client: JiraClient,
    /// The site is the in-process sandbox: reported as `sandbox`, not `connected`.
    sandbox: bool,
    last: Mutex<Option<(Instant, ProbeStatus)>>,
}

impl JiraProbe {
    pub fn new(client: JiraClient, sandbox: bool) -> Self {
        Self {
            client,
            sandbox,
            last: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<ProbeStatus> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, status)| status.clone())
    }
}

impl HealthProbe for JiraProbe {
    fn name(&self) -> &'static str {
        "jira"
    }

    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            if let Some(status) = self.cached() {
                return status;
            }
            let status = match self.client.myself().await {
                Ok(_) if self.sandbox => ProbeStatus::Builtin("sandbox"),
                Ok(_) => ProbeStatus::Connected,
                // The hint says what to do (check the token, the URL, ...) and carries no secret.
                Err(error) => ProbeStatus::Unavailable(error.hint()),
            };
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((Instant::now(), status.clone()));
            status
        })
    }
}
