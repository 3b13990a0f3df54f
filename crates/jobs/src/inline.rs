//! Runs one queued job in the calling process, now: how a request that answers synchronously
//! (`async_mode=false`) does its work without a handler ever calling Jira itself. The job is a
//! normal row (leased, heartbeated, recorded), so a crash mid-run is recovered like any other,
//! and `GET /jobs/{id}` shows it.

use std::time::Duration;

use domain::job::JobId;
use store::{Database, JobRecord, StoreError};
use tokio_util::sync::CancellationToken;

use crate::pool::WorkerSettings;
use crate::registry::Registry;
use crate::runner::{RunOutcome, run_job};

/// Runs jobs inline; cheap to clone.
#[derive(Clone)]
pub struct InlineRunner {
    db: Database,
    registry: Registry,
    settings: WorkerSettings,
}

impl std::fmt::Debug for InlineRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineRunner")
            .field("worker_id", &self.settings.worker_id)
            .field("kinds", &self.registry.kinds())
            .finish()
    }
}

impl InlineRunner {
    /// A runner for the kinds in `registry`, with the pool's lease and timeout settings.
    pub fn new(db: Database, registry: Registry, settings: WorkerSettings) -> Self {
        Self {
            db,
            registry,
            settings,
        }
    }

    /// Whether this runner knows `kind`.
    pub fn handles(&self, kind: &str) -> bool {
        self.registry.get(kind).is_some()
    }

    /// Claims job `id` (queued, any `run_at`) and runs it to its end, then returns the stored
    /// record. If another worker claimed it first, waits for that worker to finish, up to
    /// `wait`. `Ok(None)` when the job did not reach a final state within `wait`.
    pub async fn run(&self, id: JobId, wait: Duration) -> Result<Option<JobRecord>, StoreError> {
        let claimed = self
            .db
            .claim_by_id(id, &self.settings.worker_id, self.settings.lease)
            .await?;
        if let Some(job) = claimed {
            let outcome = run_job(
                self.db.clone(),
                self.registry.clone(),
                job,
                self.settings.run_settings(),
                CancellationToken::new(),
                None,
            )
            .await;
            if outcome != RunOutcome::Retried {
                return self.db.get(id).await;
            }
        }
        self.wait_for_end(id, wait).await
    }

    /// Polls the job until it reaches a final state or `wait` passes.
    async fn wait_for_end(
        &self,
        id: JobId,
        wait: Duration,
    ) -> Result<Option<JobRecord>, StoreError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut interval = Duration::from_millis(5);
        loop {
            if let Some(job) = self.db.get(id).await?
                && job.status.is_final()
            {
                return Ok(Some(job));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(Duration::from_millis(100));
        }
    }
}
