//! What a job kind implements: the [`JobHandler`] trait, how it reports failure ([`JobError`]),
//! and how failures are retried ([`RetryPolicy`], jittered exponential backoff).

use std::time::Duration;

use domain::job::JobId;
pub use futures::future::BoxFuture;
use serde_json::Value;

use crate::context::JobContext;

/// One job kind. Feature crates implement this and register it in a [`crate::Registry`].
///
/// `run` receives the payload given at enqueue time and returns the job's `results`. It should
/// call [`JobContext::progress`] / [`JobContext::checkpoint`] between units of work, so that a
/// cancellation (from any process) or a lost lease stops it promptly, and `select!` on
/// [`JobContext::cancellation`] around long awaits.
///
/// A job may run more than once (retries, crash recovery): external writes must be idempotent,
/// e.g. keyed by [`JobContext::idempotency_key`].
pub trait JobHandler: Send + Sync + 'static {
    /// The kind this handler runs (the job's `job_type`).
    fn kind(&self) -> &'static str;

    /// How failures of this kind are retried.
    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy::default()
    }

    /// A kind-specific timeout; `None` uses the worker's `job_timeout` (a per-job timeout set at
    /// enqueue time wins over both).
    fn timeout(&self) -> Option<Duration> {
        None
    }

    /// Does the work.
    fn run<'a>(
        &'a self,
        ctx: &'a JobContext,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, JobError>>;
}

/// Why a job run did not produce results.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth retrying (a timeout, a 429/5xx from a peer): the job is queued again with backoff
    /// while attempts remain.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (bad input, a 4xx, a missing ticket): the job fails now.
    #[error("{0}")]
    Permanent(String),
    /// The job stopped because it was cancelled (or its worker is shutting down or lost the
    /// lease); returned by [`JobContext::checkpoint`].
    #[error("job cancelled")]
    Cancelled,
}

impl JobError {
    /// A retryable failure.
    pub fn transient(message: impl std::fmt::Display) -> Self {
        JobError::Transient(message.to_string())
    }

    /// A final failure.
    pub fn permanent(message: impl std::fmt::Display) -> Self {
        JobError::Permanent(message.to_string())
    }
}

/// How many times a kind is attempted and how long to wait between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The delay before the second attempt (before jitter).
    pub base: Duration,
    /// The largest delay.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 5 s then 10 s (each jittered), capped at 5 minutes.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base: Duration::from_secs(5),
            cap: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay after failed attempt number `attempt` (1-based): `min(cap, base * 2^(attempt-1))`
    /// scaled by a jitter factor in [0.5, 1.0) derived from the job id, so jobs that failed
    /// together do not retry in lockstep, while one job's schedule stays reproducible.
    pub fn delay(&self, job: JobId, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let raw = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        let bytes = job.as_uuid().into_bytes();
        let seed = u64::from_le_bytes([
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
        ]) ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let jitter = 0.5 + (splitmix(seed) >> 11) as f64 / (1u64 << 53) as f64 / 2.0;
        raw.mul_f64(jitter)
    }
}

/// One round of the SplitMix64 mixer: spreads similar seeds over the whole range.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_within_jitter_and_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60),
        };
        let job = JobId::new();
        for attempt in 1..=10u32 {
            let raw = Duration::from_secs(2 * 2u64.pow(attempt - 1)).min(Duration::from_secs(60));
            let delay = policy.delay(job, attempt);
            assert!(
                delay >= raw / 2 && delay < raw,
                "attempt {attempt}: {delay:?} vs {raw:?}"
            );
        }
        assert_eq!(policy.delay(job, 3), policy.delay(job, 3));
    }

    #[test]
    fn jitter_differs_between_jobs() {
        let policy = RetryPolicy::default();
        let delays: std::collections::BTreeSet<Duration> =
            (0..20).map(|_| policy.delay(JobId::new(), 1)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }
}
