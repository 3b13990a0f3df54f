//! What a running job sees: its record, progress and counter reporting (persisted, throttled),
//! cancellation checkpoints and the [`CancellationToken`] that fires on cancel, lease loss,
//! timeout or shutdown.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use domain::job::{JobCounters, JobId, JobProgress};
use serde_json::{Map, Value};
use store::{Database, HeartbeatOutcome, JobRecord};
pub use tokio_util::sync::CancellationToken;

use crate::handler::JobError;

/// Why a job was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    None = 0,
    CancelRequested = 1,
    LeaseLost = 2,
    Shutdown = 3,
    Timeout = 4,
}

impl StopReason {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => StopReason::CancelRequested,
            2 => StopReason::LeaseLost,
            3 => StopReason::Shutdown,
            4 => StopReason::Timeout,
            _ => StopReason::None,
        }
    }
}

/// Progress not yet written to the database.
#[derive(Debug)]
pub(crate) struct ProgressState {
    pub(crate) progress: JobProgress,
    pub(crate) counters: JobCounters,
    pub(crate) dirty: bool,
    pub(crate) last_flush: Instant,
}

/// The handle a [`crate::JobHandler`] gets for one run of one job.
pub struct JobContext {
    record: JobRecord,
    db: Database,
    lease_token: String,
    lease: Duration,
    progress_interval: Duration,
    cancel: CancellationToken,
    stop_reason: AtomicU8,
    pub(crate) state: Mutex<ProgressState>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("job_id", &self.record.id)
            .field("kind", &self.record.kind)
            .field("attempt", &self.record.attempts)
            .finish_non_exhaustive()
    }
}

impl JobContext {
    pub(crate) fn new(
        record: JobRecord,
        db: Database,
        lease_token: String,
        lease: Duration,
        progress_interval: Duration,
    ) -> Self {
        // Each attempt counts its own work: a job re-run after a crash processes its tickets again
        // (skipping writes already made), so carrying the dead attempt's counts over would report
        // more tickets processed than exist.
        let counters = JobCounters {
            total_tickets: record.counters.total_tickets,
            ..JobCounters::default()
        };
        let state = ProgressState {
            progress: record.progress.clone(),
            counters,
            dirty: false,
            last_flush: Instant::now(),
        };
        Self {
            record,
            db,
            lease_token,
            lease,
            progress_interval,
            cancel: CancellationToken::new(),
            stop_reason: AtomicU8::new(StopReason::None as u8),
            state: Mutex::new(state),
        }
    }

    /// The job id.
    pub fn job_id(&self) -> JobId {
        self.record.id
    }

    /// This run's fence: what every write on the job's behalf presents, so that a run whose lease
    /// lapsed cannot write once another run took the job over.
    pub fn fence(&self) -> store::LeaseFence {
        store::LeaseFence {
            job_id: self.record.id,
            token: self.lease_token.clone(),
        }
    }

    /// This run's attempt number (1 for the first run).
    pub fn attempt(&self) -> u32 {
        self.record.attempts
    }

    /// The job as claimed: kind, payload, `ticket_key(s)`, `story_key(s)`, attributes, ...
    pub fn record(&self) -> &JobRecord {
        &self.record
    }

    /// The database, for handlers that keep their own tables next to the jobs.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// A stable key for an external write this job makes (`<job id>:<step>`): the same on every
    /// retry or recovery of the job, so a write recorded under it is never made twice.
    pub fn idempotency_key(&self, step: &str) -> String {
        format!("{}:{step}", self.record.id)
    }

    /// Fires when the job must stop: a client cancelled it, the worker lost its lease, the job
    /// timed out, or the worker is shutting down. `select!` on it around long awaits.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// `Err(JobError::Cancelled)` once the job must stop; call between units of work.
    pub fn checkpoint(&self) -> Result<(), JobError> {
        if self.cancel.is_cancelled() {
            Err(JobError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Reports progress (`progress.message`, `processed` of `total`, derived `percentage`).
    /// Written to the database at most every few hundred milliseconds (the rest is coalesced and
    /// flushed by the heartbeat); doubles as a [`Self::checkpoint`].
    pub async fn progress(
        &self,
        message: impl Into<String>,
        processed: u64,
        total: u64,
    ) -> Result<(), JobError> {
        self.set_progress(JobProgress::counted(message, processed, total))
            .await
    }

    /// Reports a message-only progress (no counts); see [`Self::progress`].
    pub async fn message(&self, message: impl Into<String>) -> Result<(), JobError> {
        self.set_progress(JobProgress::message(message)).await
    }

    /// Reports an arbitrary progress object (e.g. with `extra` fields); see [`Self::progress`].
    pub async fn set_progress(&self, progress: JobProgress) -> Result<(), JobError> {
        let flush_now = {
            let mut state = self.lock_state();
            state.progress = progress;
            state.dirty = true;
            state.last_flush.elapsed() >= self.progress_interval
        };
        if flush_now {
            self.flush().await;
        }
        self.checkpoint()
    }

    /// Updates the ticket counters (`total_tickets`, `processed_tickets`, ...); persisted with the
    /// next progress flush.
    pub fn update_counters(&self, update: impl FnOnce(&mut JobCounters)) {
        let mut state = self.lock_state();
        update(&mut state.counters);
        state.dirty = true;
    }

    /// Counts one processed ticket as a success or a failure.
    pub fn record_ticket(&self, success: bool) {
        self.update_counters(|counters| {
            counters.processed_tickets += 1;
            if success {
                counters.successful_tickets += 1;
            } else {
                counters.failed_tickets += 1;
            }
        });
    }

    /// The counters so far.
    pub fn counters(&self) -> JobCounters {
        self.lock_state().counters
    }

    /// Merges fields into the job's extra response fields (e.g. a draft-PR `stage`); `null`
    /// removes a field. Ignored (returns false) once this worker no longer holds the job.
    pub async fn merge_attributes(&self, patch: Map<String, Value>) -> Result<bool, JobError> {
        self.db
            .merge_attributes(self.record.id, Some(&self.lease_token), &patch)
            .await
            .map_err(|error| JobError::transient(format!("could not save job attributes: {error}")))
    }

    pub(crate) fn lock_state(&self) -> std::sync::MutexGuard<'_, ProgressState> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub(crate) fn snapshot(&self) -> (JobProgress, JobCounters) {
        let state = self.lock_state();
        (state.progress.clone(), state.counters)
    }

    /// Writes pending progress, or just heartbeats when nothing is pending, and reacts to what
    /// the database says (cancel requested, lease lost).
    pub(crate) async fn flush(&self) {
        let pending = {
            let mut state = self.lock_state();
            let pending = state
                .dirty
                .then(|| (state.progress.clone(), state.counters));
            state.dirty = false;
            state.last_flush = Instant::now();
            pending
        };
        let outcome = match pending {
            Some((ref progress, counters)) => {
                self.db
                    .report_progress(
                        self.record.id,
                        &self.lease_token,
                        self.lease,
                        progress,
                        &counters,
                    )
                    .await
            }
            None => {
                self.db
                    .heartbeat(self.record.id, &self.lease_token, self.lease)
                    .await
            }
        };
        match outcome {
            Ok(HeartbeatOutcome::Continue) => {}
            Ok(HeartbeatOutcome::CancelRequested) => self.stop(StopReason::CancelRequested),
            Ok(HeartbeatOutcome::LeaseLost) => self.stop(StopReason::LeaseLost),
            Err(error) => {
                // Keep going: the lease outlives several heartbeat intervals, and a worker that
                // really loses the database also loses the lease (and the reaper takes over).
                tracing::warn!(job_id = %self.record.id, %error, "job heartbeat failed");
                if pending.is_some() {
                    self.lock_state().dirty = true;
                }
            }
        }
    }

    pub(crate) fn progress_due(&self) -> bool {
        let state = self.lock_state();
        state.dirty && state.last_flush.elapsed() >= self.progress_interval
    }

    /// Asks the handler to stop; the first reason wins.
    pub(crate) fn stop(&self, reason: StopReason) {
        let _ = self.stop_reason.compare_exchange(
            StopReason::None as u8,
            reason as u8,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.cancel.cancel();
    }

    pub(crate) fn stop_reason(&self) -> StopReason {
        StopReason::from_u8(self.stop_reason.load(Ordering::SeqCst))
    }
}
