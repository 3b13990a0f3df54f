//! The contract between the HTTP edge and the workers: typed job payloads (what a route
//! enqueues), their results (what `GET /jobs/{id}` shows under `results`), the write plan every
//! preview renders, and the failure codes a job records. Pure serde types, no I/O, so `api` can
//! enqueue and describe jobs without depending on Jira or a model.
//!
//! Each job kind is one payload type implementing [`JobPayload`]; the `features` crate implements
//! how it runs.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod failure;
pub mod generate;
pub mod jira_ops;
pub mod payload;
pub mod planning_tasks;
pub mod prompt_resubmit;
pub mod story_coverage;
pub mod test_generation;
pub mod write_plan;

pub use failure::{FailureCode, JobFailure};
pub use payload::{JobPayload, JobSubject, UsageRecord};
pub use write_plan::{PlannedWrite, WriteAction, WriteOutcome, WritePlan, intent_id};
pub mod chat;
pub mod epic_planning;
pub mod prd_sync;
pub mod sprints;
