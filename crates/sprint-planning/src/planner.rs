//! [`plan`]: list scheduling of tasks into sprints.
//!
//! 1. Validate and index the input (tasks in natural key order, so the input order never
//!    matters), build the blocks graph and refuse a cycle.
//! 2. Give every task a priority: its critical-path length (its estimate plus the heaviest chain
//!    of work it blocks), ties broken by key.
//! 3. Repeatedly take the highest-priority task whose blockers are all placed and put it in the
//!    earliest sprint at or after its blockers' sprints that has room in its pool, else in a
//!    new sprint (if creating is allowed and the task fits one), else — a task larger than any
//!    sprint it may go to — alone in the earliest such sprint where its pool is still empty or
//!    in a new one, with a warning. When nothing qualifies the task stays unassigned, and with
//!    it every task it blocks.
//!
//! Cost: O((V + E) log V) for the order plus O(log S) per placement (see `capacity.rs`).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use chrono::{Days, NaiveDate};

use crate::capacity::{EPS, Pools, SprintSlots};
use crate::error::PlanError;
use crate::graph::{Graph, NaturalKey};
use crate::model::{
    Assignment, AutoCreate, PlanInput, PlanWarning, PlannedSprint, SprintInput, SprintNaming,
    SprintPlan, TeamLoad, UnassignedReason,
};

/// A sprint on the plan's calendar, existing or new.
struct Slot {
    id: Option<u64>,
    name: String,
    start: NaiveDate,
    end: NaiveDate,
}

/// Names and dates of the sprints the planner creates.
struct Calendar<'a> {
    rule: &'a AutoCreate,
    first_start: NaiveDate,
    first_number: u64,
    created: u64,
}

impl<'a> Calendar<'a> {
    fn new(rule: &'a AutoCreate, existing: &[&SprintInput]) -> Result<Self, PlanError> {
        if rule.sprint_length_days == 0 {
            return Err(PlanError::InvalidSprintLength);
        }
        let after_existing = existing
            .iter()
            .map(|sprint| sprint.end)
            .max()
            .map(|end| {
                end.checked_add_days(Days::new(1))
                    .ok_or(PlanError::DateOverflow)
            })
            .transpose()?;
        let first_start = after_existing.map_or(rule.start, |day| day.max(rule.start));
        let first_number = match &rule.naming {
            SprintNaming::Numbered { prefix } => {
                let highest = existing
                    .iter()
                    .filter_map(|sprint| numbered(&sprint.name, prefix))
                    .max()
                    .unwrap_or(0);
                highest.max(existing.len() as u64) + 1
            }
            SprintNaming::Dated { .. } => 1,
        };
        Ok(Self {
            rule,
            first_start,
            first_number,
            created: 0,
        })
    }

    fn next(&mut self) -> Result<Slot, PlanError> {
        let length = u64::from(self.rule.sprint_length_days);
        let start = self
            .created
            .checked_mul(length)
            .and_then(|offset| self.first_start.checked_add_days(Days::new(offset)))
            .ok_or(PlanError::DateOverflow)?;
        let end = start
            .checked_add_days(Days::new(length - 1))
            .ok_or(PlanError::DateOverflow)?;
        let name = match &self.rule.naming {
            SprintNaming::Numbered { prefix } => {
                format!("{prefix} {}", self.first_number + self.created)
            }
            SprintNaming::Dated { prefix } => format!("{prefix} {}", start.format("%Y-%m-%d")),
        };
        self.created += 1;
        Ok(Slot {
            id: None,
            name,
            start,
            end,
        })
    }
}

/// `"{prefix} N"` → N.
fn numbered(name: &str, prefix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?
        .strip_prefix(' ')?
        .trim()
        .parse()
        .ok()
}

/// A task whose blockers are all placed, ordered for the ready queue: the longest critical path
/// first, then the smallest key (index) first.
#[derive(PartialEq)]
struct Ready {
    tail: f64,
    task: usize,
}

impl Eq for Ready {}

impl Ord for Ready {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tail
            .total_cmp(&other.tail)
            .then_with(|| Reverse(self.task).cmp(&Reverse(other.task)))
    }
}

impl PartialOrd for Ready {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One task after validation.
struct Task {
    input: usize,
    estimate: f64,
    defaulted: bool,
    pool: usize,
}

/// Packs the tasks of `input` into sprints; see the module and crate documentation.
pub fn plan(input: &PlanInput) -> Result<SprintPlan, PlanError> {
    let pools = Pools::new(&input.capacity)?;
    let default = input.default_estimate_days;
    if !(default.is_finite() && default >= 0.0) {
        return Err(PlanError::InvalidDefaultEstimate { days: default });
    }

    // Tasks by natural key order: index i is the i-th smallest key.
    let mut sorted: Vec<(NaturalKey<'_>, usize)> = input
        .tasks
        .iter()
        .enumerate()
        .map(|(i, task)| (NaturalKey::new(&task.key), i))
        .collect();
    sorted.sort_unstable();
    let order: Vec<usize> = sorted.into_iter().map(|(_, i)| i).collect();
    let mut tasks = Vec::with_capacity(order.len());
    let mut warnings = Vec::new();
    for (position, &at) in order.iter().enumerate() {
        let Some(task) = input.tasks.get(at) else {
            continue;
        };
        if position > 0
            && order
                .get(position - 1)
                .and_then(|&prev| input.tasks.get(prev))
                .is_some_and(|prev| prev.key == task.key)
        {
            return Err(PlanError::DuplicateTask {
                key: task.key.clone(),
            });
        }
        let (estimate, defaulted) = match task.estimate_days {
            Some(days) if days.is_finite() && days >= 0.0 => (days, false),
            Some(days) => {
                return Err(PlanError::InvalidEstimate {
                    task: task.key.clone(),
                    days,
                });
            }
            None => {
                warnings.push(PlanWarning::MissingEstimate {
                    task: task.key.clone(),
                    default_days: default,
                });
                (default, true)
            }
        };
        tasks.push(Task {
            input: at,
            estimate,
            defaulted,
            pool: pools.pool_of(task)?,
        });
    }
    let key = |i: usize| -> &str {
        tasks
            .get(i)
            .and_then(|t| input.tasks.get(t.input))
            .map_or("", |t| t.key.as_str())
    };

    // Existing sprints by start date.
    let mut existing: Vec<&SprintInput> = input.sprints.iter().collect();
    existing.sort_by_key(|s| (s.start, s.end, s.id));
    let mut ids: Vec<u64> = existing.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair.first() == pair.get(1)) {
        return Err(PlanError::DuplicateSprint {
            id: pair.first().copied().unwrap_or_default(),
        });
    }
    let mut slots_per_pool: Vec<SprintSlots> =
        (0..pools.len()).map(|_| SprintSlots::new()).collect();
    let mut calendar_slots = Vec::with_capacity(existing.len());
    for sprint in &existing {
        if sprint.end < sprint.start {
            return Err(PlanError::InvalidSprintDates {
                sprint: format!("{} ({})", sprint.name, sprint.id),
                start: sprint.start,
                end: sprint.end,
            });
        }
        let capacity = pools.sprint_capacity(sprint)?;
        for (slots, days) in slots_per_pool.iter_mut().zip(capacity) {
            slots.push(days);
        }
        calendar_slots.push(Slot {
            id: Some(sprint.id),
            name: sprint.name.clone(),
            start: sprint.start,
            end: sprint.end,
        });
    }
    let mut calendar = input
        .auto_create
        .as_ref()
        .map(|rule| Calendar::new(rule, &existing))
        .transpose()?;

    // The graph, in key-index space.
    let index: HashMap<&str, usize> = (0..tasks.len()).map(|i| (key(i), i)).collect();
    let mut edges = Vec::with_capacity(input.blocks.len());
    for edge in &input.blocks {
        let find = |name: &str| {
            index
                .get(name)
                .copied()
                .ok_or_else(|| PlanError::UnknownTask {
                    unknown: name.to_owned(),
                    blocker: edge.blocker.clone(),
                    blocked: edge.blocked.clone(),
                })
        };
        edges.push((find(&edge.blocker)?, find(&edge.blocked)?));
    }
    let graph = Graph::new(tasks.len(), edges);
    let topological = graph
        .topological_order()
        .map_err(|cycle| PlanError::Cycle {
            tasks: cycle.into_iter().map(|i| key(i).to_owned()).collect(),
        })?;
    let estimates: Vec<f64> = tasks.iter().map(|t| t.estimate).collect();
    let tail = graph.tail_lengths(&topological, &estimates);

    // List scheduling.
    let mut waiting: Vec<usize> = (0..tasks.len())
        .map(|v| graph.predecessors(v).len())
        .collect();
    let mut ready: BinaryHeap<Ready> = (0..tasks.len())
        .filter(|&v| waiting.get(v) == Some(&0))
        .map(|v| Ready {
            tail: tail.get(v).copied().unwrap_or(0.0),
            task: v,
        })
        .collect();
    let mut sprint_of: Vec<Option<usize>> = vec![None; tasks.len()];
    let mut oversized = vec![false; tasks.len()];
    let mut placed = Vec::with_capacity(tasks.len());
    while let Some(Ready { task: v, .. }) = ready.pop() {
        placed.push(v);
        let Some(task) = tasks.get(v) else { continue };
        let mut earliest = 0;
        let mut unassigned_blocker = None;
        for &p in graph.predecessors(v) {
            match sprint_of.get(p).copied().flatten() {
                Some(s) => earliest = earliest.max(s),
                None => {
                    unassigned_blocker.get_or_insert(p);
                }
            }
        }
        let sprint = if let Some(blocker) = unassigned_blocker {
            warnings.push(PlanWarning::Unassigned {
                task: key(v).to_owned(),
                reason: UnassignedReason::BlockerUnassigned {
                    blocker: key(blocker).to_owned(),
                },
            });
            None
        } else if let Some(slots) = slots_per_pool.get_mut(task.pool) {
            // Catch this pool up with sprints other pools created (`fresh`: a new one's capacity).
            let fresh = pools
                .default_capacity
                .get(task.pool)
                .copied()
                .unwrap_or(0.0);
            while slots.len() < calendar_slots.len() {
                slots.push(fresh);
            }
            // The earliest sprint with room; else a new sprint if the task fits one; else, for a
            // task larger than every sprint it may go to, the earliest sprint where its pool is
            // empty (alone, with a warning), or a new one.
            let can_create = calendar.is_some();
            let choice = match slots.first_with_room(earliest, task.estimate) {
                Some(s) => Some(s),
                None if can_create && task.estimate <= fresh + EPS => None,
                None => slots.first_empty(earliest),
            };
            match (choice, calendar.as_mut()) {
                (Some(s), _) => Some(s),
                (None, Some(calendar)) => {
                    calendar_slots.push(calendar.next()?);
                    slots.push(fresh);
                    Some(calendar_slots.len() - 1)
                }
                (None, None) => {
                    warnings.push(PlanWarning::Unassigned {
                        task: key(v).to_owned(),
                        reason: UnassignedReason::NoSprintWithRoom,
                    });
                    None
                }
            }
        } else {
            None
        };
        if let (Some(s), Some(slots)) = (sprint, slots_per_pool.get_mut(task.pool)) {
            let capacity = slots.capacity(s);
            if task.estimate > capacity + EPS {
                if let Some(flag) = oversized.get_mut(v) {
                    *flag = true;
                }
                warnings.push(PlanWarning::Oversized {
                    task: key(v).to_owned(),
                    estimate_days: task.estimate,
                    capacity_days: capacity,
                    sprint: s,
                });
            }
            slots.place(s, task.estimate);
            if let Some(slot) = sprint_of.get_mut(v) {
                *slot = Some(s);
            }
        }
        for &w in graph.successors(v) {
            if let Some(count) = waiting.get_mut(w) {
                *count -= 1;
                if *count == 0 {
                    ready.push(Ready {
                        tail: tail.get(w).copied().unwrap_or(0.0),
                        task: w,
                    });
                }
            }
        }
    }

    // The answer.
    let mut sprint_tasks: Vec<Vec<String>> = vec![Vec::new(); calendar_slots.len()];
    let mut assignments = Vec::with_capacity(placed.len());
    for &v in &placed {
        let Some(task) = tasks.get(v) else { continue };
        let Some(source) = input.tasks.get(task.input) else {
            continue;
        };
        let sprint = sprint_of.get(v).copied().flatten();
        if let Some(list) = sprint.and_then(|s| sprint_tasks.get_mut(s)) {
            list.push(source.key.clone());
        }
        assignments.push(Assignment {
            task: source.key.clone(),
            estimate_days: task.estimate,
            estimate_defaulted: task.defaulted,
            team: source.team.clone(),
            sprint,
            oversized: oversized.get(v).copied().unwrap_or(false),
        });
    }
    let total_sprints = sprint_of.iter().flatten().max().map_or(0, |&s| s + 1);
    let sprints: Vec<PlannedSprint> = calendar_slots
        .into_iter()
        .zip(sprint_tasks)
        .enumerate()
        .map(|(index, (slot, tasks))| {
            let loads: Vec<TeamLoad> = pools
                .names
                .iter()
                .zip(&slots_per_pool)
                .zip(&pools.default_capacity)
                .map(|((team, slots), &default)| {
                    let known = index < slots.len();
                    TeamLoad {
                        team: team.clone(),
                        capacity_days: if known {
                            slots.capacity(index)
                        } else {
                            default
                        },
                        used_days: if known { slots.used(index) } else { 0.0 },
                    }
                })
                .collect();
            let capacity_days: f64 = loads.iter().map(|l| l.capacity_days).sum();
            let used_days: f64 = loads.iter().map(|l| l.used_days).sum();
            PlannedSprint {
                index,
                id: slot.id,
                name: slot.name,
                start: slot.start,
                end: slot.end,
                capacity_days,
                used_days,
                utilisation: used_days / capacity_days,
                teams: if pools.per_team() { loads } else { Vec::new() },
                tasks,
            }
        })
        .collect();
    let completion = total_sprints
        .checked_sub(1)
        .and_then(|last| sprints.get(last))
        .map(|sprint| sprint.end);
    Ok(SprintPlan {
        sprints,
        assignments,
        warnings,
        total_sprints,
        completion,
    })
}
