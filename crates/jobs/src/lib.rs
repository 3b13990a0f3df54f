//! The worker runtime: job handlers, claiming, heartbeats, cancellation, timeouts, retries and
//! graceful shutdown.
//!
//! Feature crates implement [`JobHandler`] for their job kinds and register them in a
//! [`Registry`]; the binary starts a [`WorkerPool`] (inside `serve`, or as `worker` processes on
//! any number of machines sharing one PostgreSQL). Tests run queued jobs with [`drain`].
//! The queue itself (the job table, leases, dedupe) lives in the `store` crate.

mod context;
mod drain;
mod handler;
pub mod job_metrics;
mod pool;
#[cfg(feature = "probe")]
pub mod probe;
mod registry;
mod runner;

pub use context::{CancellationToken, JobContext};
pub use drain::{DrainOptions, DrainReport, drain, drain_with};
pub use handler::{BoxFuture, JobError, JobHandler, RetryPolicy};
pub use pool::{
    ShutdownReport, WorkerError, WorkerHandle, WorkerPool, WorkerSettings, default_worker_id,
};
pub use registry::{DuplicateKind, Registry};
pub use runner::RunOutcome;
