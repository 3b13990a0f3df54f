//! Runs one claimed job to its end: spawns the handler, heartbeats and flushes progress while it
//! runs, enforces the timeout, propagates cancellation, and records exactly one outcome (or none,
//! when the lease was lost to another worker).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use domain::job::{JobCounters, JobProgress};
use serde_json::Value;
use store::{Database, FinishOutcome, JobRecord, StoreError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::context::{JobContext, StopReason};
use crate::handler::{JobError, RetryPolicy};
use crate::job_metrics;
use crate::pool::HandlerSlot;
use crate::registry::Registry;

/// Timing knobs of a run, taken from the worker settings.
#[derive(Debug, Clone)]
pub(crate) struct RunSettings {
    pub(crate) lease: Duration,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) progress_interval: Duration,
    pub(crate) default_timeout: Duration,
    /// How long a handler that was asked to stop may take before it is aborted.
    pub(crate) stop_grace: Duration,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Results recorded; status `completed`.
    Completed,
    /// Status `failed`.
    Failed,
    /// Failed transiently; queued again with backoff.
    Retried,
    /// The job had been cancelled; the worker stopped and freed its locks.
    Cancelled,
    /// Handed back to the queue (shutdown).
    Released,
    /// Another worker owns the job now; nothing was written.
    LeaseLost,
}

impl RunOutcome {
    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Completed => "completed",
            RunOutcome::Failed => "failed",
            RunOutcome::Retried => "retried",
            RunOutcome::Cancelled => "cancelled",
            RunOutcome::Released => "released",
            RunOutcome::LeaseLost => "lease_lost",
        }
    }
}

/// What the handler task produced.
enum HandlerEnd {
    Returned(Result<Value, JobError>),
    Panicked(String),
    /// Aborted after ignoring a stop request for `stop_grace`.
    Aborted,
}

/// Runs `job` (already claimed: its `lease_owner` is the claim's lease token) and records its
/// outcome. `hard_stop` is the worker's "shutdown grace is over" signal.
pub(crate) async fn run_job(
    db: Database,
    registry: Registry,
    job: JobRecord,
    settings: RunSettings,
    hard_stop: CancellationToken,
    slot: Option<HandlerSlot>,
) -> RunOutcome {
    let started = std::time::Instant::now();
    let kind = job.kind.clone();
    let outcome = run_job_inner(db, registry, job, settings, hard_stop, slot).await;
    job_metrics::record_run(&kind, outcome.as_str(), started.elapsed());
    outcome
}

async fn run_job_inner(
    db: Database,
    registry: Registry,
    job: JobRecord,
    settings: RunSettings,
    hard_stop: CancellationToken,
    slot: Option<HandlerSlot>,
) -> RunOutcome {
    // Every write about this run presents the claim's token, never the process's worker id: a
    // later claim of the same job by this same process must fence this run out.
    let Some(lease_token) = job.lease_owner.clone() else {
        tracing::error!(job_id = %job.id, "a claimed job carries no lease token; not running it");
        return RunOutcome::LeaseLost;
    };
    let Some(handler) = registry.get(&job.kind).cloned() else {
        drop(slot);
        // Only claimed kinds reach here; hand it back for a worker that knows the kind.
        return finish(&db, &job, &lease_token, Finish::Release).await;
    };
    let timeout = job
        .timeout
        .or_else(|| handler.timeout())
        .unwrap_or(settings.default_timeout);
    let policy = handler.retry_policy();
    let ctx = Arc::new(JobContext::new(
        job.clone(),
        db.clone(),
        lease_token.clone(),
        settings.lease,
        settings.progress_interval,
    ));
    let mut task = tokio::spawn({
        let ctx = ctx.clone();
        let handler = handler.clone();
        let payload = job.payload.clone();
        async move { handler.run(&ctx, payload).await }
    });

    let cancel_wakeup = db.cancel_wakeup();
    let deadline = Instant::now() + timeout;
    let tick = settings
        .progress_interval
        .min(settings.heartbeat_interval)
        .max(Duration::from_millis(10));
    let mut next_heartbeat = Instant::now() + settings.heartbeat_interval;
    let mut stop_deadline: Option<Instant> = None;
    let end = loop {
        if stop_deadline.is_none() && ctx.cancellation().is_cancelled() {
            stop_deadline = Some(Instant::now() + settings.stop_grace);
        }
        tokio::select! {
            joined = &mut task => {
                break match joined {
                    Ok(result) => HandlerEnd::Returned(result),
                    Err(error) if error.is_panic() => HandlerEnd::Panicked(panic_message(error)),
                    Err(_) => HandlerEnd::Aborted,
                };
            }
            () = tokio::time::sleep_until(deadline), if ctx.stop_reason() == StopReason::None => {
                ctx.stop(StopReason::Timeout);
            }
            () = hard_stop.cancelled(), if ctx.stop_reason() == StopReason::None => {
                ctx.stop(StopReason::Shutdown);
            }
            () = cancel_wakeup.notified() => {
                // Some job was cancelled somewhere: ask the database whether it is this one.
                ctx.flush().await;
                next_heartbeat = Instant::now() + settings.heartbeat_interval;
            }
            () = tokio::time::sleep(tick) => {
                if Instant::now() >= next_heartbeat || ctx.progress_due() {
                    ctx.flush().await;
                    next_heartbeat = Instant::now() + settings.heartbeat_interval;
                }
            }
            () = sleep_until_opt(stop_deadline) => {
                task.abort();
                let _ = (&mut task).await;
                break HandlerEnd::Aborted;
            }
        }
    };

    // The handler is done: its pool slot can run the next job while the outcome is written.
    drop(slot);
    let reason = ctx.stop_reason();
    let (progress, counters) = ctx.snapshot();
    let attempt = job.attempts.max(1);
    let max_attempts = job.max_attempts.unwrap_or(policy.max_attempts).max(1);
    let action = decide(end, reason, attempt, max_attempts, timeout, &policy, &job);
    finish_with(&db, &job, &lease_token, action, progress, counters).await
}

/// What to write after the handler ended.
enum Finish {
    Complete(Value),
    Fail(String),
    Retry { error: String, delay: Duration },
    Release,
    Nothing,
}

fn decide(
    end: HandlerEnd,
    reason: StopReason,
    attempt: u32,
    max_attempts: u32,
    timeout: Duration,
    policy: &RetryPolicy,
    job: &JobRecord,
) -> Finish {
    if reason == StopReason::LeaseLost {
        return Finish::Nothing;
    }
    let timed_out = || {
        Finish::Fail(format!(
            "job timed out after {} s (raise WORKER_JOB_TIMEOUT or the job's timeout)",
            timeout.as_secs_f64()
        ))
    };
    match end {
        HandlerEnd::Returned(Ok(results)) => Finish::Complete(results),
        HandlerEnd::Returned(Err(error)) => match (error, reason) {
            (_, StopReason::Timeout) => timed_out(),
            (JobError::Cancelled, StopReason::CancelRequested | StopReason::Shutdown) => {
                Finish::Release
            }
            (JobError::Cancelled, _) => {
                Finish::Fail("the job stopped itself as cancelled, but nobody cancelled it".into())
            }
            (_, StopReason::Shutdown) => Finish::Release,
            (JobError::Permanent(message), _) => Finish::Fail(message),
            (JobError::Transient(message), _) if attempt < max_attempts => Finish::Retry {
                error: format!("{message} (attempt {attempt} of {max_attempts}; retrying)"),
                delay: policy.delay(job.id, attempt),
            },
            (JobError::Transient(message), _) => {
                Finish::Fail(format!("{message} (gave up after {attempt} attempts)"))
            }
        },
        HandlerEnd::Panicked(message) => Finish::Fail(format!("job handler panicked: {message}")),
        HandlerEnd::Aborted => match reason {
            StopReason::Timeout => timed_out(),
            _ => Finish::Release,
        },
    }
}

async fn finish(db: &Database, job: &JobRecord, lease_token: &str, action: Finish) -> RunOutcome {
    finish_with(
        db,
        job,
        lease_token,
        action,
        job.progress.clone(),
        job.counters,
    )
    .await
}

/// Writes the outcome, retrying briefly when the database is momentarily unavailable. If it
/// stays unavailable the lease lapses and the reaper recovers the job.
async fn finish_with(
    db: &Database,
    job: &JobRecord,
    lease_token: &str,
    action: Finish,
    mut progress: JobProgress,
    counters: JobCounters,
) -> RunOutcome {
    let mut pause = Duration::from_millis(50);
    for _ in 0..5 {
        let written: Result<(FinishOutcome, RunOutcome), StoreError> = match &action {
            Finish::Nothing => return RunOutcome::LeaseLost,
            Finish::Complete(results) => {
                progress.message = "Completed successfully".to_owned();
                db.complete(job.id, lease_token, results, &progress, &counters)
                    .await
                    .map(|done| (done, RunOutcome::Completed))
            }
            Finish::Fail(error) => {
                progress.message = "Job failed".to_owned();
                db.fail(job.id, lease_token, error, None, &progress, &counters)
                    .await
                    .map(|done| (done, RunOutcome::Failed))
            }
            Finish::Retry { error, delay } => {
                progress.message = "Retrying after a temporary error".to_owned();
                let retry_at = Utc::now()
                    + chrono::Duration::from_std(*delay).unwrap_or(chrono::Duration::MAX);
                db.fail(
                    job.id,
                    lease_token,
                    error,
                    Some(retry_at),
                    &progress,
                    &counters,
                )
                .await
                .map(|done| (done, RunOutcome::Retried))
            }
            Finish::Release => db
                .release(job.id, lease_token)
                .await
                .map(|done| (done, RunOutcome::Released)),
        };
        match written {
            Ok((FinishOutcome::Recorded, outcome)) => return outcome,
            Ok((FinishOutcome::Cancelled, _)) => return RunOutcome::Cancelled,
            Ok((FinishOutcome::LeaseLost, _)) => return RunOutcome::LeaseLost,
            Err(error) => {
                tracing::warn!(job_id = %job.id, %error, "could not record the job outcome; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
    }
    tracing::error!(job_id = %job.id, "gave up recording the job outcome; its lease will lapse");
    RunOutcome::LeaseLost
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn panic_message(error: tokio::task::JoinError) -> String {
    let payload = error.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
