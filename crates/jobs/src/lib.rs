//! The worker runtime: job handlers, claiming, heartbeats, cancellation, timeouts, retries and
//! graceful shutdown.
//!
//! Feature crates implement [`JobHandler`] for their job kinds and register them in a
//! [`Registry`]; the binary starts a [`WorkerPool`] (inside `serve`, or as `worker` processes on
//! any number of machines sharing one PostgreSQL). Tests run queued jobs with [`drain`].
//! The queue itself (the job table, leases, dedupe) lives in the `store` crate.
//!
//! # Adding a job kind
//!
//! ```
//! use jobs::{BoxFuture, JobContext, JobError, JobHandler, Registry, RetryPolicy};
//! use serde_json::{Value, json};
//!
//! struct RefineTickets;
//!
//! impl JobHandler for RefineTickets {
//!     fn kind(&self) -> &'static str {
//!         "batch"
//!     }
//!
//!     fn retry_policy(&self) -> RetryPolicy {
//!         RetryPolicy { max_attempts: 5, ..RetryPolicy::default() }
//!     }
//!
//!     fn run<'a>(&'a self, ctx: &'a JobContext, payload: Value) -> BoxFuture<'a, Result<Value, JobError>> {
//!         Box::pin(async move {
//!             let keys: Vec<String> = serde_json::from_value(payload["ticket_keys"].clone())
//!                 .map_err(|error| JobError::permanent(format!("bad payload: {error}")))?;
//!             let total = keys.len() as u64;
//!             ctx.update_counters(|counters| counters.total_tickets = Some(total));
//!             for (done, key) in keys.iter().enumerate() {
//!                 // Stops here once the job is cancelled (from any process) or the lease is lost.
//!                 ctx.progress(format!("Processing ticket {key}..."), done as u64, total).await?;
//!                 // An external write keyed by ctx.idempotency_key(key) happens at most once.
//!                 ctx.record_ticket(true);
//!             }
//!             Ok(json!({ "processed": total }))
//!         })
//!     }
//! }
//!
//! let registry = Registry::new().with(RefineTickets).expect("kind registered once");
//! assert_eq!(registry.kinds(), ["batch"]);
//! ```
//!
//! # Guarantees
//!
//! * A claimed job is leased; the runner renews the lease while the handler runs. If the process
//!   dies, any process's lease reaper re-queues the job (with the kind's backoff) or fails it when
//!   its attempts are exhausted.
//! * Every write about a job is guarded by the lease, so a worker that lost its job (paused, cut
//!   off) can never overwrite the outcome recorded by the worker that took it over.
//! * Cancellation is answered at once by the API; the running handler sees it at its next
//!   checkpoint (heartbeat interval, or immediately via `NOTIFY` on PostgreSQL / in-process).
//! * A job may run more than once (crash recovery, retries): handlers make external writes
//!   idempotent with [`JobContext::idempotency_key`].

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod context;
mod drain;
mod handler;
mod inline;
pub mod job_metrics;
mod pool;
#[cfg(feature = "probe")]
pub mod probe;
mod registry;
mod runner;

pub use context::{CancellationToken, JobContext};
pub use drain::{DrainOptions, DrainReport, drain, drain_with};
pub use handler::{BoxFuture, JobError, JobHandler, RetryPolicy};
pub use inline::InlineRunner;
pub use pool::{
    ShutdownReport, WorkerError, WorkerHandle, WorkerPool, WorkerSettings, default_worker_id,
};
pub use registry::{DuplicateKind, Registry};
pub use runner::RunOutcome;
