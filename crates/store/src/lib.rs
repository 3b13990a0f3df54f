//! Database access for SQLite and PostgreSQL from one code path: pool, migrations, and the durable
//! job table.
//!
//! One [`Database`] handle serves both engines through sqlx's `Any` driver, with one migrations
//! directory (TEXT/BIGINT columns only, unix-millisecond timestamps, UUIDv7 text ids, JSON as
//! TEXT). The job table implements the product's job model:
//!
//! * **client side** ([`Database::enqueue`], [`Database::get`], [`Database::list`],
//!   [`Database::find_for_key`], [`Database::cancel`]): dedupe while active is enforced by the
//!   database (`job_locks` primary key), so it holds across processes and machines;
//! * **worker side** ([`Database::claim`], [`Database::heartbeat`], [`Database::complete`], ...):
//!   leases with heartbeats, guarded writes, crash recovery of expired leases.
//!
//! The worker runtime lives in the `jobs` crate.
//!
//! Besides jobs, the store keeps the planning data the API manages directly: teams, members,
//! memberships (role, capacity allocation), board records and team↔board links, all soft-deleted,
//! with team and role capacity for sprint planning, and the latest computed sprint timeline per
//! epic and board (`team_queries`, migration 0004), and the chat agent's conversations, tasks
//! with their checkpoints, and steps (`chat_queries`, migration 0005).
//!
//! # Backend notes
//!
//! * **SQLite**: WAL journal, `busy_timeout`, foreign keys, `synchronous = NORMAL`; write
//!   transactions are `BEGIN IMMEDIATE`, and writers of one process queue on an async mutex
//!   rather than on SQLite's sleeping busy handler. `sqlite::memory:` becomes a shared-cache
//!   in-memory database so every pooled connection sees the same data.
//! * **PostgreSQL**: claims use `FOR UPDATE SKIP LOCKED`; enqueues wake workers everywhere with a
//!   coalesced `NOTIFY` sent after commit ([`Database::start_listener`] forwards them);
//!   completions are group-committed (one statement for all completions waiting in a process),
//!   and so are enqueues (one statement for all enqueues waiting in a process).
//! * Lock keys are inserted in sorted order so overlapping multi-key enqueues cannot deadlock.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod chat_batch;
mod chat_queries;
mod chat_records;
mod completion_batch;
mod database;
mod enqueue_batch;
mod error;
mod intent_queries;
mod job_queries;
mod records;
mod row;
mod team_queries;
mod team_records;
#[cfg(feature = "testing")]
mod testing;
mod worker_queries;

pub use chat_records::{
    ChatCheckpoint, ChatError, ChatEvent, ChatOutcome, ChatStatus, ChatTaskRecord,
    ConversationRecord, NewChatTask, StartedChatTask,
};
pub use database::{Backend, Database, DbHealth, PoolSettings};
pub use error::{ActiveConflict, CancelError, EnqueueError, StoreError};
pub use intent_queries::IntentState;
pub use records::{
    ClaimedJob, ExpiredLease, FinishOutcome, HeartbeatOutcome, JobCount, JobFilter, JobPage,
    JobRecord, LeaseFence, NewJob, Recovery, RecoveryReport, WorkerInfo, WorkerRegistration,
};
pub use team_records::{
    BoardInput, BoardRecord, BoardSummary, Entity, LEVELS, MemberFilter, MemberInput, MemberRecord,
    MemberTeam, MembershipInput, ROLES, Role, RoleCapacity, RoleTeamCapacity, StoredTimeline,
    TeamCapacity, TeamError, TeamInput, TeamMemberEntry, TeamRecord, TeamSummary, UNASSIGNED_ROLE,
    level_named, role_for_team_name, role_named,
};
#[cfg(feature = "testing")]
pub use testing::TestDatabase;
