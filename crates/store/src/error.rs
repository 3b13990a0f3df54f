//! Store errors, classified so callers can tell a user what to do: the database is unreachable
//! (retry later, 503), the request conflicts with an active job (409), the job does not exist (404),
//! or the stored data is broken (a bug or manual tampering, 500).

use domain::job::{JobId, JobStatus};

/// A failure talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one this service understands.
    #[error(
        "unsupported database URL: expected `sqlite://PATH` (or `sqlite::memory:`) or `postgres://USER@HOST/DB`; {reason}"
    )]
    InvalidUrl {
        /// What is wrong with it (never the URL itself: it may hold a password).
        reason: String,
    },
    /// The database cannot be reached right now (connection refused, pool exhausted, I/O error).
    /// Transient: retry later; the HTTP edge answers 503.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database query failed: {0}")]
    Query(#[source] sqlx::Error),
    /// A stored value cannot be decoded (e.g. invalid JSON in a job column).
    #[error("corrupt job record {job_id}: column `{column}`: {reason}")]
    Corrupt {
        /// The job (or worker) whose row is broken.
        job_id: String,
        /// The column.
        column: &'static str,
        /// The decoding error.
        reason: String,
    },
    /// Concurrent requests kept changing the rows this one depends on; retry.
    #[error("the database was too busy to complete the request ({0}); try again")]
    Contention(&'static str),
    /// The run writing on behalf of this job no longer holds its lease (it lapsed, and the job may
    /// be running elsewhere): the run must stop without writing anything more.
    #[error(
        "job {job_id} is no longer leased to this run (its lease lapsed and another run may have taken it over); stopping without writing"
    )]
    LeaseLost {
        /// The job.
        job_id: String,
    },
    /// Creating the SQLite file or its parent directory failed.
    #[error("cannot create the SQLite database file: {0}")]
    CreateFile(#[source] std::io::Error),
}

impl StoreError {
    /// True when retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Contention(_))
    }
}

/// Database error codes that mean "busy, try again": SQLite `SQLITE_BUSY` (5, and its extended
/// forms) and `SQLITE_LOCKED` (6); PostgreSQL serialization failure, deadlock, lock timeout,
/// server starting up or shutting down, and too many connections.
const TRANSIENT_CODES: &[&str] = &[
    "5", "6", "261", "517", "40001", "40P01", "55P03", "57P01", "57P03", "53300",
];

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let transient_code = match &error {
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|code| TRANSIENT_CODES.contains(&code.as_ref())),
            _ => false,
        };
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_) => StoreError::Unavailable(error),
            other if transient_code => StoreError::Unavailable(other),
            other => StoreError::Query(other),
        }
    }
}

/// One lock key already held by an active job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActiveConflict {
    /// The contested key (e.g. a ticket key).
    pub lock_key: String,
    /// The job holding it.
    pub job_id: JobId,
    /// That job's status (`started` or `processing`; `cancelled` while its worker winds down).
    pub status: JobStatus,
}

/// Why a job was not enqueued.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// Some lock keys are held by active jobs; nothing was written. Every conflicting key is
    /// listed (the HTTP edge answers 409 with `X-Active-Job-Id` or `X-Duplicate-Stories`).
    #[error("{} already being processed", describe_conflicts(.conflicts))]
    Duplicate {
        /// One entry per conflicting key, in the order the keys were requested.
        conflicts: Vec<ActiveConflict>,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe_conflicts(conflicts: &[ActiveConflict]) -> String {
    conflicts
        .iter()
        .map(|conflict| format!("{} (job {})", conflict.lock_key, conflict.job_id))
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<sqlx::Error> for EnqueueError {
    fn from(error: sqlx::Error) -> Self {
        EnqueueError::Store(error.into())
    }
}

/// Why a job could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    /// No job has this id (404).
    #[error("job not found")]
    NotFound,
    /// The job already finished (400 `Cannot cancel job with status: X`).
    #[error("Cannot cancel job with status: {0}")]
    NotActive(JobStatus),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CancelError {
    fn from(error: sqlx::Error) -> Self {
        CancelError::Store(error.into())
    }
}
