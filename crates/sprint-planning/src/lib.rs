//! Sprint planning as a pure function: tasks with estimates, "blocks" links and a capacity
//! model in; sprint assignments, per-sprint utilisation, sprints to create, warnings and an
//! estimated completion date out. No I/O, no clock, no Jira: callers fetch and write.
//!
//! - [`plan`] packs tasks into sprints ([`PlanInput`] → [`SprintPlan`]).
//! - [`timeline`] turns a plan into the data of a timeline; [`render_markdown`] and
//!   [`render_svg`] draw it as a table and as a Gantt chart.
//! - [`quality`] holds the bound every plan stays within and an exhaustive optimum for small
//!   inputs, to measure how far the planner is from the best plan.
//!
//! # Rules
//!
//! - **Dependencies**: a task is never placed in a sprint before a sprint holding a task that
//!   blocks it. The *same* sprint is allowed: sprint capacity counts person-days of a team, and
//!   a blocker and its dependant that fit together are routinely done within one sprint.
//!   Forcing every link across a sprint boundary would stretch a chain of small tasks over as
//!   many sprints as it has links.
//! - **Capacity** ([`CapacityModel`]): either one pool of person-days per sprint, or one pool per
//!   team label (a task consumes only its team's pool; unlabelled tasks use `other_days`).
//!   An existing sprint may override its capacity. Every capacity must be > 0.
//! - **Packing**: list scheduling. Tasks are taken in order of their critical-path length (own
//!   estimate plus the heaviest chain of work they block), ties by key, never before all their
//!   blockers; each goes into the earliest sprint at or after its blockers' sprints with room
//!   in its pool, or into a new sprint (created after the existing ones when [`AutoCreate`]
//!   allows it). A task larger than every sprint it may go to goes alone (in its pool) into the
//!   earliest such sprint where its pool is empty, or a new one, with a warning. A task with no
//!   sprint left, and every task it blocks, stays unassigned with a warning.
//! - **Determinism**: tasks are handled in natural key order (`PROJ-2` before `PROJ-10`) and
//!   sprints by start date, so the input's order never changes the output, and the same input
//!   always gives the same plan.
//!
//! Cost: O((V + E) log V) for the order and O(log S) to find each task's sprint (a segment
//! tree per pool), so 10,000 tasks with 30,000 links plan well within the 50 ms target
//! (docs/benchmarks.md).
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use sprint_planning::{AutoCreate, BlockEdge, CapacityModel, PlanInput, SprintNaming, TaskInput};
//!
//! let task = |key: &str, days: f64| TaskInput {
//!     key: key.into(),
//!     summary: String::new(),
//!     estimate_days: Some(days),
//!     team: None,
//! };
//! let input = PlanInput {
//!     tasks: vec![task("PW-1", 6.0), task("PW-2", 3.0), task("PW-3", 5.0)],
//!     blocks: vec![BlockEdge::new("PW-1", "PW-2")],
//!     sprints: Vec::new(),
//!     capacity: CapacityModel::Pooled { days: 10.0 },
//!     default_estimate_days: 1.0,
//!     auto_create: Some(AutoCreate {
//!         sprint_length_days: 14,
//!         start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
//!         naming: SprintNaming::Numbered { prefix: "Sprint".into() },
//!     }),
//! };
//! let plan = sprint_planning::plan(&input)?;
//! // PW-1 goes first (longest path), PW-3 (5) does not fit beside it, PW-2 (3) does.
//! assert_eq!(plan.sprints[0].tasks, ["PW-1", "PW-2"]);
//! assert_eq!(plan.sprint_of("PW-3").map(|s| s.name.as_str()), Some("Sprint 2"));
//! assert_eq!(plan.completion, NaiveDate::from_ymd_opt(2026, 2, 1));
//! let chart = sprint_planning::render_svg(
//!     &sprint_planning::timeline(&plan, &input),
//!     NaiveDate::from_ymd_opt(2026, 1, 12).unwrap(),
//! );
//! assert!(chart.starts_with("<svg"));
//! # Ok::<(), sprint_planning::PlanError>(())
//! ```

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod capacity;
mod error;
mod graph;
mod markdown;
mod model;
mod planner;
pub mod quality;
mod svg;
mod timeline;

pub use error::PlanError;
pub use graph::natural_cmp;
pub use markdown::render_markdown;
pub use model::{
    Assignment, AutoCreate, BlockEdge, CapacityModel, CapacityOverride, PlanInput, PlanWarning,
    PlannedSprint, SprintInput, SprintNaming, SprintPlan, TaskInput, TeamLoad, UnassignedReason,
};
pub use planner::plan;
pub use svg::render_svg;
pub use timeline::{Timeline, TimelineDependency, TimelineSprint, TimelineTask, timeline};
