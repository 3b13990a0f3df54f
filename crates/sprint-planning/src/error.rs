//! Why an input cannot be planned. Each variant names the offending task, team or sprint so a
//! caller can answer with a 422 that says what to fix.

use chrono::NaiveDate;
use thiserror::Error;

/// An input the planner refuses.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlanError {
    /// The "blocks" links form a cycle. `tasks` is one cycle in blocking order (each task blocks
    /// the next, the last blocks the first), starting at its smallest key.
    #[error("the blocks links form a cycle: {}", cycle_text(.tasks))]
    Cycle { tasks: Vec<String> },
    /// A "blocks" link names a task that is not in the input.
    #[error(
        "the link \"{blocker} blocks {blocked}\" names {unknown}, which is not among the tasks"
    )]
    UnknownTask {
        unknown: String,
        blocker: String,
        blocked: String,
    },
    #[error("task {key} appears more than once")]
    DuplicateTask { key: String },
    #[error("task {task} has an estimate of {days} days; an estimate must be a number ≥ 0")]
    InvalidEstimate { task: String, days: f64 },
    #[error("the default estimate is {days} days; it must be a number ≥ 0")]
    InvalidDefaultEstimate { days: f64 },
    /// A capacity ≤ 0 (or not a number). `what` says which one: "sprint capacity", "capacity of
    /// team X", "capacity of sprint Y", …
    #[error("the {what} is {days} days; a capacity must be a number > 0")]
    InvalidCapacity { what: String, days: f64 },
    /// The per-team model has no capacity for this task's team and no `other_days`.
    #[error(
        "task {task} belongs to {}, which has no capacity (add the team or set other_days)",
        team.as_deref().map_or_else(|| "no team".to_owned(), |t| format!("team {t}"))
    )]
    UnknownTeam { task: String, team: Option<String> },
    /// A sprint's per-team override names a team the model does not have.
    #[error("sprint {sprint} overrides the capacity of team {team}, which the model does not have")]
    UnknownOverrideTeam { sprint: String, team: String },
    /// A sprint's capacity override is pooled under the per-team model or the other way round.
    #[error("sprint {sprint} overrides capacity with a different kind than the capacity model")]
    CapacityOverrideMismatch { sprint: String },
    #[error("sprint {sprint} ends ({end}) before it starts ({start})")]
    InvalidSprintDates {
        sprint: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("sprint id {id} appears more than once")]
    DuplicateSprint { id: u64 },
    #[error("new sprints must last at least one day")]
    InvalidSprintLength,
    /// New sprints would run past the last date the calendar can hold.
    #[error("new sprints would end after the last representable date")]
    DateOverflow,
}

fn cycle_text(tasks: &[String]) -> String {
    let mut text = tasks.join(" blocks ");
    if let Some(first) = tasks.first() {
        text.push_str(" blocks ");
        text.push_str(first);
    }
    text
}
