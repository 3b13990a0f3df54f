//! The `probe` job kind (feature `probe`), for black-box tests of the job system: configurable
//! steps, delays, transient and permanent failures, progress and cancellation per step, and a
//! marker file that proves each job completed exactly once.

use std::io::Write;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::context::JobContext;
use crate::handler::{BoxFuture, JobError, JobHandler, RetryPolicy};

/// The job kind.
pub const PROBE_KIND: &str = "probe";

/// The probe's payload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbePayload {
    /// Units of work (default 1).
    #[serde(default = "one")]
    pub steps: u64,
    /// Milliseconds per step (default 0).
    #[serde(default)]
    pub step_ms: u64,
    /// Fail transiently on the first `fail_transient` attempts.
    #[serde(default)]
    pub fail_transient: u32,
    /// Fail permanently on the first step.
    #[serde(default)]
    pub fail_permanent: bool,
    /// Append `<job id>` as one line to this file on completion (only once per job, even if the
    /// job runs again after a crash: the line doubles as the write's idempotency record).
    #[serde(default)]
    pub marker_file: Option<String>,
}

fn one() -> u64 {
    1
}

/// Runs [`ProbePayload`]s.
#[derive(Debug, Clone)]
pub struct ProbeHandler {
    retry: RetryPolicy,
}

impl Default for ProbeHandler {
    /// Five attempts with short backoff, so `fail_transient` up to 4 ends in success.
    fn default() -> Self {
        Self::with_retry_policy(RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        })
    }
}

impl ProbeHandler {
    /// A probe with a specific retry policy.
    pub fn with_retry_policy(retry: RetryPolicy) -> Self {
        Self { retry }
    }

    async fn run_probe(&self, ctx: &JobContext, payload: Value) -> Result<Value, JobError> {
        let probe: ProbePayload = serde_json::from_value(payload)
            .map_err(|error| JobError::permanent(format!("invalid probe payload: {error}")))?;
        ctx.checkpoint()?;
        if probe.fail_permanent {
            return Err(JobError::permanent(
                "probe failure requested (fail_permanent)",
            ));
        }
        if ctx.attempt() <= probe.fail_transient {
            return Err(JobError::transient(format!(
                "probe transient failure on attempt {} (fail_transient = {})",
                ctx.attempt(),
                probe.fail_transient
            )));
        }
        ctx.update_counters(|counters| counters.total_tickets = Some(probe.steps));
        for step in 1..=probe.steps {
            if probe.step_ms > 0 {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(probe.step_ms)) => {}
                    () = ctx.cancellation().cancelled() => return Err(JobError::Cancelled),
                }
            }
            ctx.record_ticket(true);
            ctx.progress(format!("Step {step} of {}", probe.steps), step, probe.steps)
                .await?;
        }
        if let Some(path) = &probe.marker_file {
            append_marker_once(path, &ctx.job_id().to_string()).map_err(|error| {
                JobError::transient(format!("cannot write marker file: {error}"))
            })?;
        }
        Ok(json!({ "steps": probe.steps, "attempt": ctx.attempt(), "success": true }))
    }
}

fn append_marker_once(path: &str, line: &str) -> std::io::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if existing.lines().any(|written| written == line) {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_data()
}

impl JobHandler for ProbeHandler {
    fn kind(&self) -> &'static str {
        PROBE_KIND
    }

    fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    fn run<'a>(
        &'a self,
        ctx: &'a JobContext,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, JobError>> {
        Box::pin(self.run_probe(ctx, payload))
    }
}
