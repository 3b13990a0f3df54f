//! The values that cross the store's API: a job to enqueue, a stored job, list filters, and the
//! outcomes of worker-side updates.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::job::{JobCounters, JobId, JobProgress, JobSortBy, JobStatus, SortOrder};
use serde_json::{Map, Value};

/// A job to enqueue. Build with [`NewJob::new`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The id to use (defaults to a fresh UUIDv7).
    pub id: JobId,
    /// The job kind: selects the handler, and is the response's `job_type`.
    pub kind: String,
    /// Handed to the handler as is.
    pub payload: Value,
    /// Dedupe keys (e.g. ticket keys) held while the job is active; enqueueing fails with
    /// [`crate::EnqueueError::Duplicate`] if another active job holds any of them.
    pub lock_keys: Vec<String>,
    /// The response's `ticket_key`.
    pub ticket_key: Option<String>,
    /// The response's `ticket_keys`.
    pub ticket_keys: Option<Vec<String>>,
    /// The response's `story_key`.
    pub story_key: Option<String>,
    /// The response's `story_keys`.
    pub story_keys: Option<Vec<String>>,
    /// Extra response fields a feature adds (`prd_url`, `additional_context`, `repos`, draft-PR
    /// `stage`, ...), merged into the job status object by the HTTP layer.
    pub attributes: Map<String, Value>,
    /// The initial `progress.message` (e.g. "Ticket PROJ-123 queued for processing").
    pub message: String,
    /// The response's `total_tickets`, when known up front.
    pub total_tickets: Option<u64>,
    /// Higher runs first; ties run oldest first.
    pub priority: i64,
    /// Overrides the handler's retry policy when set.
    pub max_attempts: Option<u32>,
    /// Not before this time (defaults to now).
    pub run_at: Option<DateTime<Utc>>,
    /// Overrides the handler's and the worker's timeout when set.
    pub timeout: Option<Duration>,
}

impl NewJob {
    /// A job of `kind` with `payload`, no lock keys, default priority, runnable now.
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        Self {
            id: JobId::new(),
            kind: kind.into(),
            payload,
            lock_keys: Vec::new(),
            ticket_key: None,
            ticket_keys: None,
            story_key: None,
            story_keys: None,
            attributes: Map::new(),
            message: "Job queued".to_owned(),
            total_tickets: None,
            priority: 0,
            max_attempts: None,
            run_at: None,
            timeout: None,
        }
    }

    /// Adds dedupe keys.
    pub fn with_lock_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.lock_keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Sets `ticket_key`.
    pub fn with_ticket_key(mut self, key: impl Into<String>) -> Self {
        self.ticket_key = Some(key.into());
        self
    }

    /// Sets `ticket_keys`.
    pub fn with_ticket_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.ticket_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `story_key`.
    pub fn with_story_key(mut self, key: impl Into<String>) -> Self {
        self.story_key = Some(key.into());
        self
    }

    /// Sets `story_keys`.
    pub fn with_story_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.story_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Sets one extra response field.
    pub fn with_attribute(mut self, name: impl Into<String>, value: Value) -> Self {
        self.attributes.insert(name.into(), value);
        self
    }

    /// Sets the initial progress message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Sets `total_tickets`.
    pub fn with_total_tickets(mut self, total: u64) -> Self {
        self.total_tickets = Some(total);
        self
    }

    /// Sets the priority (higher first).
    pub fn with_priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    /// Overrides the number of attempts.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// Delays the first run.
    pub fn with_run_at(mut self, run_at: DateTime<Utc>) -> Self {
        self.run_at = Some(run_at);
        self
    }

    /// Overrides the timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses a caller-chosen id (e.g. one already returned to a client).
    pub fn with_id(mut self, id: JobId) -> Self {
        self.id = id;
        self
    }
}

/// A stored job: everything `GET /jobs/{id}` renders, plus the queue's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// `job_id`.
    pub id: JobId,
    /// `job_type`.
    pub kind: String,
    /// `status`.
    pub status: JobStatus,
    /// The handler's input.
    pub payload: Value,
    /// `progress`.
    pub progress: JobProgress,
    /// `results`.
    pub results: Option<Value>,
    /// `error` (the last error, also while a retry is pending).
    pub error: Option<String>,
    /// `total_tickets`, `processed_tickets`, `successful_tickets`, `failed_tickets`.
    pub counters: JobCounters,
    /// `ticket_key`.
    pub ticket_key: Option<String>,
    /// `ticket_keys`.
    pub ticket_keys: Option<Vec<String>>,
    /// `story_key`.
    pub story_key: Option<String>,
    /// `story_keys`.
    pub story_keys: Option<Vec<String>>,
    /// Extra response fields.
    pub attributes: Map<String, Value>,
    /// The dedupe keys (held only while [`JobRecord::holds_locks`]).
    pub lock_keys: Vec<String>,
    /// Higher runs first.
    pub priority: i64,
    /// Runs started so far (the current one included while processing).
    pub attempts: u32,
    /// The per-job override of the retry policy's attempts.
    pub max_attempts: Option<u32>,
    /// Not claimable before this time.
    pub run_at: DateTime<Utc>,
    /// The worker currently holding the job, if any.
    pub lease_owner: Option<String>,
    /// When that worker's lease lapses unless renewed.
    pub lease_until: Option<DateTime<Utc>>,
    /// The last heartbeat.
    pub heartbeat_at: Option<DateTime<Utc>>,
    /// A client cancelled the job while it was running.
    pub cancel_requested: bool,
    /// The per-job timeout override.
    pub timeout: Option<Duration>,
    /// Enqueue time: the response's `started_at`.
    pub created_at: DateTime<Utc>,
    /// When the current (or last) attempt was claimed.
    pub claimed_at: Option<DateTime<Utc>>,
    /// When the job reached a final status: `completed_at`.
    pub completed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl JobRecord {
    /// Whether the job still blocks duplicates: queued, running, or cancelled while its worker
    /// has not yet stopped.
    pub fn holds_locks(&self) -> bool {
        self.status.is_active() || self.lease_owner.is_some()
    }
}

/// A claimed job, as handed to a worker (status `processing`, leased to that worker).
pub type ClaimedJob = JobRecord;

/// Who may write on behalf of a job right now: the job and the lease token of the run that
/// claimed it (its `lease_owner`). Writes presenting a fence whose lease lapsed or passed to
/// another run are refused with [`crate::StoreError::LeaseLost`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseFence {
    pub job_id: JobId,
    pub token: String,
}

/// `GET /jobs` filters, sort and page. Defaults: everything, newest first, 50 per page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    /// Only this status.
    pub status: Option<JobStatus>,
    /// Only this kind (`job_type`).
    pub job_type: Option<String>,
    /// Only this id (exact match).
    pub job_id: Option<String>,
    /// Jobs whose `ticket_key` is this key or whose `ticket_keys` contain it.
    pub ticket_key: Option<String>,
    /// Jobs whose `story_key` is this key or whose `story_keys` contain it.
    pub story_key: Option<String>,
    /// Sort column; ties are broken by job id in the same direction, so pages are stable.
    pub sort_by: JobSortBy,
    /// Direction. Jobs without a value for the sort column (`completed_at`) always come last.
    pub sort_order: SortOrder,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return (the HTTP layer enforces 1..=200).
    pub limit: u64,
}

impl Default for JobFilter {
    fn default() -> Self {
        Self {
            status: None,
            job_type: None,
            job_id: None,
            ticket_key: None,
            story_key: None,
            sort_by: JobSortBy::StartedAt,
            sort_order: SortOrder::Desc,
            offset: 0,
            limit: 50,
        }
    }
}

/// One page of jobs and the number of jobs matching the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    /// The page.
    pub jobs: Vec<JobRecord>,
    /// All matches, ignoring offset and limit.
    pub total: u64,
}

/// A job count for metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCount {
    /// The kind.
    pub kind: String,
    /// The status.
    pub status: JobStatus,
    /// How many jobs.
    pub count: u64,
}

/// What a heartbeat (or progress report) tells the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeartbeatOutcome {
    /// Keep going; the lease was extended.
    Continue,
    /// A client cancelled the job: stop at the next checkpoint, then call `complete`/`fail`/
    /// `release` (which will record nothing but free the job's locks).
    CancelRequested,
    /// This worker no longer holds the job (its lease expired and it was recovered). Stop at
    /// once; nothing this worker writes about the job will be recorded.
    LeaseLost,
}

/// The result of a worker's final write (`complete`, `fail`, `release`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishOutcome {
    /// The outcome was recorded.
    Recorded,
    /// The job had been cancelled; its status stays `cancelled` and its locks are now released.
    Cancelled,
    /// The worker had lost its lease; nothing was written.
    LeaseLost,
}

/// A job whose worker stopped heartbeating, as seen by the lease reaper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredLease {
    /// The job.
    pub id: JobId,
    /// Its kind.
    pub kind: String,
    /// Attempts started so far (including the one that died).
    pub attempts: u32,
    /// The per-job override of the attempts limit.
    pub max_attempts: Option<u32>,
    /// The worker that held it.
    pub lease_owner: String,
}

/// What to do with a `processing` job whose lease expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// Queue it again, not before `run_at`.
    Retry {
        /// The earliest next run.
        run_at: DateTime<Utc>,
    },
    /// Give up: mark it `failed` with this error.
    Fail {
        /// Shown to the client as `error`.
        error: String,
    },
}

/// What the lease reaper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Jobs queued again.
    pub requeued: u64,
    /// Jobs failed because their attempts were exhausted.
    pub failed: u64,
    /// Cancelled jobs whose worker died; their locks are now free.
    pub cancelled_released: u64,
}

impl RecoveryReport {
    /// Jobs touched in total.
    pub fn total(&self) -> u64 {
        self.requeued + self.failed + self.cancelled_released
    }
}

/// A worker process announcing itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerRegistration {
    /// Unique per process (e.g. `host-pid-uuid`); also the jobs' `lease_owner`.
    pub id: String,
    /// The machine.
    pub hostname: String,
    /// The OS process id.
    pub pid: u32,
    /// The kinds it runs.
    pub kinds: Vec<String>,
    /// How many jobs it runs at once.
    pub concurrency: u32,
}

/// A registered worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerInfo {
    /// Its id.
    pub id: String,
    /// The machine.
    pub hostname: String,
    /// The OS process id.
    pub pid: u32,
    /// The kinds it runs.
    pub kinds: Vec<String>,
    /// How many jobs it runs at once.
    pub concurrency: u32,
    /// When it registered.
    pub started_at: DateTime<Utc>,
    /// Its last heartbeat.
    pub last_seen_at: DateTime<Utc>,
}
