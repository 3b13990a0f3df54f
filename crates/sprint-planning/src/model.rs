//! The planner's plain data: what [`crate::plan`] takes ([`PlanInput`]) and what it returns
//! ([`SprintPlan`]). Every type is `serde`-ready so a caller can store or send it as it is; none
//! of them knows Jira.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything one planning run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    /// The work to place. Keys must be unique; the order does not matter (the planner sorts).
    pub tasks: Vec<TaskInput>,
    /// "`blocker` blocks `blocked`" links. A task is never placed in a sprint before a sprint
    /// holding one of its blockers; the same sprint is allowed (see the crate documentation).
    #[serde(default)]
    pub blocks: Vec<BlockEdge>,
    /// The board's future sprints. The order does not matter: they are used by start date.
    #[serde(default)]
    pub sprints: Vec<SprintInput>,
    /// How much work a sprint holds.
    pub capacity: CapacityModel,
    /// The estimate of a task that has none (a warning names each such task). Must be ≥ 0.
    pub default_estimate_days: f64,
    /// When set, sprints are created after the existing ones as the work needs them; when
    /// `None`, work that does not fit the existing sprints stays unassigned (with a warning).
    #[serde(default)]
    pub auto_create: Option<AutoCreate>,
}

/// One task to place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInput {
    /// The task's key (a Jira issue key such as `PROJ-12`, or any unique name).
    pub key: String,
    #[serde(default)]
    pub summary: String,
    /// Effort in person-days; `None` uses [`PlanInput::default_estimate_days`].
    #[serde(default)]
    pub estimate_days: Option<f64>,
    /// The team (or role) whose capacity the task consumes under [`CapacityModel::PerTeam`];
    /// also the colour of its bar in the Gantt chart.
    #[serde(default)]
    pub team: Option<String>,
}

/// "`blocker` blocks `blocked`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEdge {
    pub blocker: String,
    pub blocked: String,
}

impl BlockEdge {
    pub fn new(blocker: impl Into<String>, blocked: impl Into<String>) -> Self {
        Self {
            blocker: blocker.into(),
            blocked: blocked.into(),
        }
    }
}

/// An existing (future) sprint the planner may fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SprintInput {
    /// The sprint's id on the board (Jira's sprint id).
    pub id: u64,
    pub name: String,
    /// First day of the sprint.
    pub start: NaiveDate,
    /// Last day of the sprint (inclusive).
    pub end: NaiveDate,
    /// This sprint's capacity when it differs from [`PlanInput::capacity`] (holidays, a short
    /// sprint); its kind must match the model's.
    #[serde(default)]
    pub capacity: Option<CapacityOverride>,
}

/// How much work one sprint holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CapacityModel {
    /// One pool of person-days per sprint that every task draws from.
    Pooled { days: f64 },
    /// A pool per team (or role) label per sprint; a task draws only from its own team's pool.
    /// Tasks without a team, or with a team not listed, draw from `other_days` when it is set
    /// and are an error ([`crate::PlanError::UnknownTeam`]) when it is not.
    PerTeam {
        teams: BTreeMap<String, f64>,
        #[serde(default)]
        other_days: Option<f64>,
    },
}

/// One sprint's capacity, replacing the model's for that sprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CapacityOverride {
    /// With [`CapacityModel::Pooled`].
    Pooled { days: f64 },
    /// With [`CapacityModel::PerTeam`]: the listed teams' capacity in this sprint (unlisted teams
    /// keep the model's). A listed team must exist in the model.
    PerTeam { teams: BTreeMap<String, f64> },
}

/// Permission and shape for new sprints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoCreate {
    /// Calendar days per new sprint (≥ 1): a sprint starting on a Monday with 14 days ends on
    /// the Sunday 13 days later.
    pub sprint_length_days: u32,
    /// The earliest first day of the first new sprint. New sprints start on this day or on the
    /// day after the last existing sprint ends, whichever is later, and follow each other.
    pub start: NaiveDate,
    pub naming: SprintNaming,
}

/// How new sprints are named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SprintNaming {
    /// `"{prefix} {n}"`, numbering on from the highest `"{prefix} N"` among the existing
    /// sprints (or from their count, when none is named so): after "Sprint 6", "Sprint 7".
    Numbered { prefix: String },
    /// `"{prefix} {start date}"`, e.g. "Sprint 2026-01-05".
    Dated { prefix: String },
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SprintPlan {
    /// Every sprint in time order: the existing ones (by start date), then the ones to create.
    pub sprints: Vec<PlannedSprint>,
    /// One per task, in the order the planner placed them (a blocker always before the tasks
    /// it blocks).
    pub assignments: Vec<Assignment>,
    /// In order: missing estimates (by key), then oversized and unassigned tasks as placed.
    pub warnings: Vec<PlanWarning>,
    /// How many sprints the plan spans: the position of the last sprint holding a task, plus
    /// one (0 when nothing is assigned). Empty sprints before it count.
    pub total_sprints: usize,
    /// The last day of the last sprint holding a task.
    pub completion: Option<NaiveDate>,
}

impl SprintPlan {
    /// The sprints to create, in order (all of them hold work).
    pub fn sprints_to_create(&self) -> impl Iterator<Item = &PlannedSprint> {
        self.sprints.iter().filter(|sprint| sprint.id.is_none())
    }

    /// The tasks left without a sprint.
    pub fn unassigned(&self) -> impl Iterator<Item = &Assignment> {
        self.assignments.iter().filter(|a| a.sprint.is_none())
    }

    /// The assignment of one task.
    pub fn assignment(&self, key: &str) -> Option<&Assignment> {
        self.assignments.iter().find(|a| a.task == key)
    }

    /// The sprint a task was placed in.
    pub fn sprint_of(&self, key: &str) -> Option<&PlannedSprint> {
        let index = self.assignment(key)?.sprint?;
        self.sprints.get(index)
    }
}

/// One sprint of the plan, existing or to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSprint {
    /// Position in [`SprintPlan::sprints`].
    pub index: usize,
    /// The board's sprint id; `None` for a sprint to create.
    pub id: Option<u64>,
    pub name: String,
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// Total capacity (the sum over teams under the per-team model).
    pub capacity_days: f64,
    pub used_days: f64,
    /// `used_days / capacity_days`: above 1 only when the sprint holds an oversized task.
    pub utilisation: f64,
    /// Per team, under [`CapacityModel::PerTeam`] (sorted by team; the pool of tasks without a
    /// listed team last, with `team: None`); empty under the pooled model.
    pub teams: Vec<TeamLoad>,
    /// Keys of the tasks in this sprint, in placement order.
    pub tasks: Vec<String>,
}

/// One team's share of a sprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamLoad {
    /// `None`: the pool of tasks without a listed team (`other_days`).
    pub team: Option<String>,
    pub capacity_days: f64,
    pub used_days: f64,
}

/// Where one task went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub task: String,
    /// The estimate the planner used (the default when the task had none).
    pub estimate_days: f64,
    pub estimate_defaulted: bool,
    pub team: Option<String>,
    /// Position in [`SprintPlan::sprints`]; `None`: unassigned (a warning says why).
    pub sprint: Option<usize>,
    /// More work than its sprint's (team) capacity; it sits alone in that sprint's pool.
    pub oversized: bool,
}

/// Something the caller should show the person planning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanWarning {
    /// The task had no estimate; the default was used.
    MissingEstimate { task: String, default_days: f64 },
    /// The task needs more than a whole sprint's capacity; it was placed alone.
    Oversized {
        task: String,
        estimate_days: f64,
        capacity_days: f64,
        sprint: usize,
    },
    /// The task has no sprint.
    Unassigned {
        task: String,
        reason: UnassignedReason,
    },
}

/// Why a task has no sprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnassignedReason {
    /// No existing sprint at or after its blockers' had room, and creating sprints is not allowed.
    NoSprintWithRoom,
    /// A task blocking it has no sprint, so any sprint would come before its blocker.
    BlockerUnassigned { blocker: String },
}

impl PlanWarning {
    /// The task the warning is about.
    pub fn task(&self) -> &str {
        match self {
            Self::MissingEstimate { task, .. }
            | Self::Oversized { task, .. }
            | Self::Unassigned { task, .. } => task,
        }
    }
}

impl fmt::Display for PlanWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingEstimate { task, default_days } => write!(
                f,
                "{task} has no estimate; planned with the default of {}",
                days(*default_days)
            ),
            Self::Oversized {
                task,
                estimate_days,
                capacity_days,
                ..
            } => write!(
                f,
                "{task} needs {}, more than its sprint's capacity of {}; it was placed alone \
                 in its sprint (split it)",
                days(*estimate_days),
                days(*capacity_days)
            ),
            Self::Unassigned { task, reason } => match reason {
                UnassignedReason::NoSprintWithRoom => write!(
                    f,
                    "{task} fits no existing sprint at or after its blockers' and creating \
                     sprints is not allowed; it is unassigned"
                ),
                UnassignedReason::BlockerUnassigned { blocker } => write!(
                    f,
                    "{task} is unassigned because {blocker}, which blocks it, is unassigned"
                ),
            },
        }
    }
}

/// "1 day", "2.5 days".
fn days(value: f64) -> String {
    if value == 1.0 {
        "1 day".to_owned()
    } else {
        format!("{value} days")
    }
}
