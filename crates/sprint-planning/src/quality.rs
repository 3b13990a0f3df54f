//! How good a plan is: the list-scheduling bound every plan stays within, an exhaustive optimum
//! for small inputs, and the gap between the planner and that optimum over many inputs.
//!
//! # The bound
//!
//! When every sprint has the model's capacity (no per-sprint override) and sprints may be
//! created, take two consecutive sprints `s` and `s + 1` of a plan, and the task `u` placed
//! first in `s + 1`. None of `u`'s blockers is in `s + 1` (they were placed before `u`, and `u`
//! was first there), so `u` was allowed in `s` and was not put there: either its pool in `s`
//! lacked room for it, or `u` is larger than a sprint and then `s + 1` alone is over capacity
//! in that pool. Either way, measuring each sprint's load as Σ (estimate ÷ its pool's capacity),
//! sprints `s` and `s + 1` together carry a load above 1. The pairs (0, 1), (2, 3), … are
//! disjoint, so with Λ the load of all the work, ⌊m / 2⌋ < Λ and
//!
//! ```text
//! total_sprints ≤ max(1, 2·⌈Λ⌉ − 1)
//! ```
//!
//! — the same argument that bounds First Fit bin packing, and it holds whatever the blocks
//! links are, because a blocker may share its dependant's sprint. With one pool Λ = work ÷
//! capacity ≤ the optimum, so the planner never needs more than 2·optimum − 1 sprints (with
//! oversized tasks or several teams the optimum can be lower than Λ and the ratio is not
//! guaranteed; the bound above still is). [`makespan_bound`] computes it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::capacity::{EPS, Pools};
use crate::error::PlanError;
use crate::graph::Graph;
use crate::model::PlanInput;
use crate::planner::plan;

/// The most tasks [`optimal_total_sprints`] accepts (the search is exponential).
pub const BRUTE_FORCE_MAX_TASKS: usize = 8;

/// Why an optimum cannot be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OptimumError {
    #[error("{tasks} tasks are too many for an exhaustive search (at most {max})")]
    TooManyTasks { tasks: usize, max: usize },
    #[error("the optimum is defined only when sprints may be created (auto_create)")]
    NoAutoCreate,
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// The bound of the module documentation for `input`'s plan, or `None` when it does not apply
/// (a sprint overrides its capacity, or sprints may not be created).
pub fn makespan_bound(input: &PlanInput) -> Result<Option<usize>, PlanError> {
    let pools = Pools::new(&input.capacity)?;
    if input.auto_create.is_none() || input.sprints.iter().any(|s| s.capacity.is_some()) {
        return Ok(None);
    }
    if input.tasks.is_empty() {
        return Ok(Some(0));
    }
    let mut load = 0.0;
    for task in &input.tasks {
        let days = task.estimate_days.unwrap_or(input.default_estimate_days);
        if !(days.is_finite() && days >= 0.0) {
            return Err(PlanError::InvalidEstimate {
                task: task.key.clone(),
                days,
            });
        }
        let capacity = pools
            .default_capacity
            .get(pools.pool_of(task)?)
            .copied()
            .unwrap_or(1.0);
        load += days / capacity;
    }
    // Sums of decimal fractions land a hair off whole numbers; a load of exactly k must give k.
    let rounded = load.round();
    let load = if (load - rounded).abs() < 1e-9 {
        rounded
    } else {
        load
    };
    let ceiling = load.ceil() as usize;
    Ok(Some((2 * ceiling).saturating_sub(1).max(1)))
}

/// The fewest sprints any valid plan of `input` spans (same measure as
/// [`crate::SprintPlan::total_sprints`]): every task in a sprint, none before a blocker's,
/// every sprint's pools within capacity unless a pool holds a single task. Exhaustive
/// branch-and-bound over at most [`BRUTE_FORCE_MAX_TASKS`] tasks, starting from the planner's
/// own answer.
pub fn optimal_total_sprints(input: &PlanInput) -> Result<usize, OptimumError> {
    let n = input.tasks.len();
    if n > BRUTE_FORCE_MAX_TASKS {
        return Err(OptimumError::TooManyTasks {
            tasks: n,
            max: BRUTE_FORCE_MAX_TASKS,
        });
    }
    if input.auto_create.is_none() {
        return Err(OptimumError::NoAutoCreate);
    }
    // Validates everything and gives the first upper bound.
    let planned = plan(input)?;
    let pools = Pools::new(&input.capacity)?;
    let mut estimates = Vec::with_capacity(n);
    let mut pool = Vec::with_capacity(n);
    for task in &input.tasks {
        estimates.push(task.estimate_days.unwrap_or(input.default_estimate_days));
        pool.push(pools.pool_of(task)?);
    }
    let index: HashMap<&str, usize> = input
        .tasks
        .iter()
        .enumerate()
        .map(|(i, task)| (task.key.as_str(), i))
        .collect();
    let edges = input
        .blocks
        .iter()
        .filter_map(|e| {
            Some((
                *index.get(e.blocker.as_str())?,
                *index.get(e.blocked.as_str())?,
            ))
        })
        .collect();
    let graph = Graph::new(n, edges);
    let order = graph
        .topological_order()
        .map_err(|_| OptimumError::Plan(PlanError::Cycle { tasks: Vec::new() }))?;
    let mut existing: Vec<_> = input.sprints.iter().collect();
    existing.sort_by_key(|s| (s.start, s.end, s.id));
    // Capacity per sprint position and pool: the existing sprints, then new ones.
    let mut capacity: Vec<Vec<f64>> = Vec::with_capacity(existing.len().max(n));
    for sprint in &existing {
        capacity.push(pools.sprint_capacity(sprint)?);
    }
    while capacity.len() < planned.total_sprints.max(1) {
        capacity.push(pools.default_capacity.clone());
    }
    let mut search = Search {
        graph: &graph,
        order: &order,
        estimates: &estimates,
        pool: &pool,
        capacity: &capacity,
        used: vec![vec![0.0; pools.len()]; capacity.len()],
        count: vec![vec![0; pools.len()]; capacity.len()],
        sprint_of: vec![0; n],
        best: planned.total_sprints,
    };
    if n > 0 {
        search.run(0, 0);
    }
    Ok(search.best)
}

struct Search<'a> {
    graph: &'a Graph,
    order: &'a [usize],
    estimates: &'a [f64],
    pool: &'a [usize],
    capacity: &'a [Vec<f64>],
    used: Vec<Vec<f64>>,
    count: Vec<Vec<u32>>,
    sprint_of: Vec<usize>,
    best: usize,
}

impl Search<'_> {
    /// Places `order[depth..]`; `span` is the plan's length so far. Only plans shorter than the
    /// best found are explored.
    fn run(&mut self, depth: usize, span: usize) {
        let Some(&task) = self.order.get(depth) else {
            self.best = self.best.min(span);
            return;
        };
        let earliest = self
            .graph
            .predecessors(task)
            .iter()
            .filter_map(|&p| self.sprint_of.get(p).copied())
            .max()
            .unwrap_or(0);
        let need = self.estimates.get(task).copied().unwrap_or(0.0);
        let pool = self.pool.get(task).copied().unwrap_or(0);
        // A sprint at position s makes the span at least s + 1, which must stay below best.
        for s in earliest..self.capacity.len() {
            if s + 1 >= self.best {
                break;
            }
            let (Some(used), Some(count), Some(cap)) = (
                self.used.get(s).and_then(|u| u.get(pool)).copied(),
                self.count.get(s).and_then(|c| c.get(pool)).copied(),
                self.capacity.get(s).and_then(|c| c.get(pool)).copied(),
            ) else {
                continue;
            };
            if count > 0 && used + need > cap + EPS {
                continue;
            }
            self.set(s, pool, used + need, count + 1);
            if let Some(slot) = self.sprint_of.get_mut(task) {
                *slot = s;
            }
            self.run(depth + 1, span.max(s + 1));
            self.set(s, pool, used, count);
        }
    }

    fn set(&mut self, s: usize, pool: usize, used: f64, count: u32) {
        if let Some(u) = self.used.get_mut(s).and_then(|u| u.get_mut(pool)) {
            *u = used;
        }
        if let Some(c) = self.count.get_mut(s).and_then(|c| c.get_mut(pool)) {
            *c = count;
        }
    }
}

/// The planner against the exhaustive optimum over many inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapReport {
    pub instances: usize,
    /// Inputs where the planner found an optimal plan.
    pub optimal: usize,
    /// Mean of (planner's sprints − optimal sprints).
    pub mean_gap: f64,
    pub max_gap: usize,
    /// Mean and largest planner ÷ optimum (inputs with tasks only).
    pub mean_ratio: f64,
    pub max_ratio: f64,
}

/// Plans each input and compares it with [`optimal_total_sprints`].
pub fn gap_report<'a>(
    inputs: impl IntoIterator<Item = &'a PlanInput>,
) -> Result<GapReport, OptimumError> {
    let mut report = GapReport {
        instances: 0,
        optimal: 0,
        mean_gap: 0.0,
        max_gap: 0,
        mean_ratio: 0.0,
        max_ratio: 0.0,
    };
    let (mut gap_sum, mut ratio_sum, mut ratios) = (0usize, 0.0, 0usize);
    for input in inputs {
        let planned = plan(input)?.total_sprints;
        let optimum = optimal_total_sprints(input)?;
        let gap = planned.saturating_sub(optimum);
        report.instances += 1;
        report.optimal += usize::from(gap == 0);
        report.max_gap = report.max_gap.max(gap);
        gap_sum += gap;
        if optimum > 0 {
            let ratio = planned as f64 / optimum as f64;
            ratio_sum += ratio;
            ratios += 1;
            report.max_ratio = report.max_ratio.max(ratio);
        }
    }
    if report.instances > 0 {
        report.mean_gap = gap_sum as f64 / report.instances as f64;
    }
    if ratios > 0 {
        report.mean_ratio = ratio_sum / ratios as f64;
    }
    Ok(report)
}
