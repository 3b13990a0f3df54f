//! A plan as a timeline: sprint dates, the tasks of each sprint with their summaries and teams,
//! utilisation, the dependencies between tasks and the estimated completion date — the data
//! behind the Markdown table ([`crate::render_markdown`]) and the Gantt chart
//! ([`crate::render_svg`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{PlanInput, SprintPlan, TaskInput};

/// Everything a chart or table of a plan shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Every sprint of the plan, in time order.
    pub sprints: Vec<TimelineSprint>,
    /// One row per task: by sprint, within a sprint in placement order (blockers first), the
    /// unassigned tasks last.
    pub tasks: Vec<TimelineTask>,
    /// Blocks links between rows, sorted.
    pub dependencies: Vec<TimelineDependency>,
    /// The team labels in use, sorted (the chart's legend, and its colour order).
    pub teams: Vec<String>,
    /// The last day of the last sprint holding a task.
    pub completion: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineSprint {
    pub id: Option<u64>,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// A sprint the plan creates.
    pub new: bool,
    pub capacity_days: f64,
    pub used_days: f64,
    pub utilisation: f64,
    /// Rows (positions in [`Timeline::tasks`]) of the sprint's tasks.
    pub tasks: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineTask {
    pub key: String,
    pub summary: String,
    pub team: Option<String>,
    pub estimate_days: f64,
    /// Position in [`Timeline::sprints`]; `None` when unassigned.
    pub sprint: Option<usize>,
    pub oversized: bool,
}

/// `blocker` blocks `blocked` (rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimelineDependency {
    pub blocker: usize,
    pub blocked: usize,
}

/// The timeline of `plan`, which [`crate::plan`] made from `input` (summaries and links come
/// from `input`).
pub fn timeline(plan: &SprintPlan, input: &PlanInput) -> Timeline {
    let by_key: HashMap<&str, &TaskInput> = input
        .tasks
        .iter()
        .map(|task| (task.key.as_str(), task))
        .collect();

    // Rows: assigned tasks by sprint (stable: placement order within a sprint), then the rest.
    let mut order: Vec<usize> = (0..plan.assignments.len()).collect();
    order.sort_by_key(|&i| {
        plan.assignments
            .get(i)
            .and_then(|a| a.sprint)
            .unwrap_or(usize::MAX)
    });
    let mut sprints: Vec<TimelineSprint> = plan
        .sprints
        .iter()
        .map(|sprint| TimelineSprint {
            id: sprint.id,
            name: sprint.name.clone(),
            start: sprint.start,
            end: sprint.end,
            new: sprint.id.is_none(),
            capacity_days: sprint.capacity_days,
            used_days: sprint.used_days,
            utilisation: sprint.utilisation,
            tasks: Vec::new(),
        })
        .collect();
    let mut tasks = Vec::with_capacity(order.len());
    let mut row_of: HashMap<&str, usize> = HashMap::with_capacity(order.len());
    for &i in &order {
        let Some(assignment) = plan.assignments.get(i) else {
            continue;
        };
        let row = tasks.len();
        row_of.insert(assignment.task.as_str(), row);
        if let Some(sprint) = assignment.sprint.and_then(|s| sprints.get_mut(s)) {
            sprint.tasks.push(row);
        }
        tasks.push(TimelineTask {
            key: assignment.task.clone(),
            summary: by_key
                .get(assignment.task.as_str())
                .map(|task| task.summary.clone())
                .unwrap_or_default(),
            team: assignment.team.clone(),
            estimate_days: assignment.estimate_days,
            sprint: assignment.sprint,
            oversized: assignment.oversized,
        });
    }

    let mut dependencies: Vec<TimelineDependency> = input
        .blocks
        .iter()
        .filter_map(|edge| {
            Some(TimelineDependency {
                blocker: *row_of.get(edge.blocker.as_str())?,
                blocked: *row_of.get(edge.blocked.as_str())?,
            })
        })
        .collect();
    dependencies.sort_unstable();
    dependencies.dedup();

    let mut teams: Vec<String> = tasks.iter().filter_map(|t| t.team.clone()).collect();
    teams.sort();
    teams.dedup();

    Timeline {
        sprints,
        tasks,
        dependencies,
        teams,
        completion: plan.completion,
    }
}
