//! Runs queued jobs in-process until none is left, for tests: no worker pool, no sleeping, and a
//! report of what could not run (jobs of kinds nobody handles, jobs held by other workers).

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::job::JobStatus;
use store::{Database, JobFilter, JobRecord};
use tokio_util::sync::CancellationToken;

use crate::pool::{WorkerError, recovery_for};
use crate::registry::Registry;
use crate::runner::{RunOutcome, RunSettings, run_job};

/// Options for [`drain_with`].
#[derive(Debug, Clone)]
pub struct DrainOptions {
    /// Run delayed jobs (retry backoff, `run_at` in the future) now instead of leaving them.
    pub skip_delays: bool,
    /// Recover expired leases first (jobs of workers that died).
    pub recover_expired: bool,
    /// Safety stop: at most this many runs.
    pub max_runs: usize,
    /// Per-run timeout when neither the job nor its kind sets one.
    pub job_timeout: Duration,
}

impl Default for DrainOptions {
    fn default() -> Self {
        Self {
            skip_delays: true,
            recover_expired: true,
            max_runs: 10_000,
            job_timeout: Duration::from_secs(60),
        }
    }
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrainReport {
    /// Runs that completed their job.
    pub completed: usize,
    /// Runs that failed their job for good.
    pub failed: usize,
    /// Runs that failed transiently and queued a retry.
    pub retried: usize,
    /// Runs that found their job cancelled.
    pub cancelled: usize,
    /// Jobs still `started` or `processing` afterwards.
    pub leftovers: Vec<JobRecord>,
}

impl DrainReport {
    /// Nothing was left in the queue.
    pub fn is_clean(&self) -> bool {
        self.leftovers.is_empty()
    }
}

/// [`drain_with`] using the default options (delays skipped, expired leases recovered).
pub async fn drain(db: &Database, registry: &Registry) -> Result<DrainReport, WorkerError> {
    drain_with(db, registry, &DrainOptions::default()).await
}

/// Runs every claimable job of the registry's kinds, one at a time, until none is left.
pub async fn drain_with(
    db: &Database,
    registry: &Registry,
    options: &DrainOptions,
) -> Result<DrainReport, WorkerError> {
    let worker_id = format!("drain-{}", uuid::Uuid::new_v4().simple());
    let kinds = registry.kinds();
    let settings = RunSettings {
        lease: Duration::from_secs(60),
        heartbeat_interval: Duration::from_secs(5),
        progress_interval: Duration::from_millis(50),
        default_timeout: options.job_timeout,
        stop_grace: Duration::from_secs(5),
    };
    let mut report = DrainReport::default();
    if options.recover_expired {
        db.recover_expired_leases(Utc::now(), |lease| recovery_for(registry, lease))
            .await?;
    }
    for _ in 0..options.max_runs {
        let due_by: DateTime<Utc> = if options.skip_delays {
            DateTime::<Utc>::MAX_UTC
        } else {
            Utc::now()
        };
        let mut claimed = db
            .claim_due_by(&worker_id, &kinds, settings.lease, 1, due_by)
            .await?;
        let Some(job) = claimed.pop() else {
            break;
        };
        let outcome = run_job(
            db.clone(),
            registry.clone(),
            job,
            settings.clone(),
            CancellationToken::new(),
            None,
        )
        .await;
        match outcome {
            RunOutcome::Completed => report.completed += 1,
            RunOutcome::Failed => report.failed += 1,
            RunOutcome::Retried => report.retried += 1,
            RunOutcome::Cancelled => report.cancelled += 1,
            RunOutcome::Released | RunOutcome::LeaseLost => {}
        }
    }
    for status in [JobStatus::Started, JobStatus::Processing] {
        let filter = JobFilter {
            status: Some(status),
            limit: 1000,
            ..JobFilter::default()
        };
        report.leftovers.extend(db.list(&filter).await?.jobs);
    }
    Ok(report)
}
