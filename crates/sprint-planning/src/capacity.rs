//! Capacity bookkeeping: the pools a capacity model defines (one, or one per team), each
//! sprint's capacity per pool, and per pool a segment tree over sprints that finds the earliest
//! sprint at or after a given one where a task can go, in O(log sprints) — so placing 10,000
//! tasks never scans sprints one by one.

use crate::error::PlanError;
use crate::model::{CapacityModel, CapacityOverride, SprintInput, TaskInput};

/// Slack for comparing sums of estimates with capacities (sums of decimal fractions).
pub(crate) const EPS: f64 = 1e-9;

/// The pools of a capacity model.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    /// Pool names: `[None]` for the pooled model; the teams in order, then `None` for
    /// `other_days` when it is set, for the per-team model.
    pub(crate) names: Vec<Option<String>>,
    /// Each pool's capacity in a sprint without an override.
    pub(crate) default_capacity: Vec<f64>,
    per_team: bool,
    /// The `other_days` pool, if any.
    other: Option<usize>,
}

fn check_capacity(what: impl FnOnce() -> String, days: f64) -> Result<f64, PlanError> {
    if days.is_finite() && days > 0.0 {
        Ok(days)
    } else {
        Err(PlanError::InvalidCapacity { what: what(), days })
    }
}

impl Pools {
    pub(crate) fn new(model: &CapacityModel) -> Result<Self, PlanError> {
        match model {
            CapacityModel::Pooled { days } => Ok(Self {
                names: vec![None],
                default_capacity: vec![check_capacity(|| "sprint capacity".into(), *days)?],
                per_team: false,
                other: None,
            }),
            CapacityModel::PerTeam { teams, other_days } => {
                let mut names = Vec::with_capacity(teams.len() + 1);
                let mut default_capacity = Vec::with_capacity(teams.len() + 1);
                for (team, days) in teams {
                    let days = check_capacity(|| format!("capacity of team {team}"), *days)?;
                    names.push(Some(team.clone()));
                    default_capacity.push(days);
                }
                let other = match other_days {
                    Some(days) => {
                        let days = check_capacity(|| "capacity for other tasks".into(), *days)?;
                        names.push(None);
                        default_capacity.push(days);
                        Some(names.len() - 1)
                    }
                    None => None,
                };
                if names.is_empty() {
                    return Err(PlanError::InvalidCapacity {
                        what: "capacity of every team (no team is listed)".into(),
                        days: 0.0,
                    });
                }
                Ok(Self {
                    names,
                    default_capacity,
                    per_team: true,
                    other,
                })
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn per_team(&self) -> bool {
        self.per_team
    }

    fn team_index(&self, team: &str) -> Option<usize> {
        let teams = self.names.get(..self.other.unwrap_or(self.names.len()))?;
        teams
            .binary_search_by(|name| name.as_deref().unwrap_or_default().cmp(team))
            .ok()
    }

    /// The pool a task draws from.
    pub(crate) fn pool_of(&self, task: &TaskInput) -> Result<usize, PlanError> {
        if !self.per_team {
            return Ok(0);
        }
        task.team
            .as_deref()
            .and_then(|team| self.team_index(team))
            .or(self.other)
            .ok_or_else(|| PlanError::UnknownTeam {
                task: task.key.clone(),
                team: task.team.clone(),
            })
    }

    /// An existing sprint's capacity per pool.
    pub(crate) fn sprint_capacity(&self, sprint: &SprintInput) -> Result<Vec<f64>, PlanError> {
        let mut capacity = self.default_capacity.clone();
        let label = || format!("{} ({})", sprint.name, sprint.id);
        match (&sprint.capacity, self.per_team) {
            (None, _) => {}
            (Some(CapacityOverride::Pooled { days }), false) => {
                let days = check_capacity(|| format!("capacity of sprint {}", label()), *days)?;
                capacity = vec![days];
            }
            (Some(CapacityOverride::PerTeam { teams }), true) => {
                for (team, days) in teams {
                    let pool =
                        self.team_index(team)
                            .ok_or_else(|| PlanError::UnknownOverrideTeam {
                                sprint: label(),
                                team: team.clone(),
                            })?;
                    let days = check_capacity(
                        || format!("capacity of team {team} in sprint {}", label()),
                        *days,
                    )?;
                    if let Some(slot) = capacity.get_mut(pool) {
                        *slot = days;
                    }
                }
            }
            (Some(_), _) => {
                return Err(PlanError::CapacityOverrideMismatch { sprint: label() });
            }
        }
        Ok(capacity)
    }
}

/// One pool's sprints: capacity, work placed and task count per sprint, with a segment tree
/// answering "the first sprint ≥ `from` with room for `need` days" and "the first sprint ≥
/// `from` where this pool holds nothing yet" (for a task larger than a sprint). Each node keeps
/// the largest free room below it and whether any sprint below it is empty, so both questions
/// prune whole subtrees.
#[derive(Debug, Clone)]
pub(crate) struct SprintSlots {
    capacity: Vec<f64>,
    used: Vec<f64>,
    count: Vec<u32>,
    /// Leaves at `size..2 * size`; absent sprints hold (−∞, false) and never match.
    size: usize,
    room: Vec<f64>,
    any_empty: Vec<bool>,
}

#[derive(Clone, Copy)]
enum Want {
    Room(f64),
    Empty,
}

impl SprintSlots {
    pub(crate) fn new() -> Self {
        Self {
            capacity: Vec::new(),
            used: Vec::new(),
            count: Vec::new(),
            size: 1,
            room: vec![f64::NEG_INFINITY; 2],
            any_empty: vec![false; 2],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.capacity.len()
    }

    /// Appends an empty sprint.
    pub(crate) fn push(&mut self, capacity: f64) {
        let index = self.capacity.len();
        self.capacity.push(capacity);
        self.used.push(0.0);
        self.count.push(0);
        if index >= self.size {
            self.grow();
        } else {
            self.update(index);
        }
    }

    pub(crate) fn capacity(&self, sprint: usize) -> f64 {
        self.capacity.get(sprint).copied().unwrap_or(0.0)
    }

    pub(crate) fn used(&self, sprint: usize) -> f64 {
        self.used.get(sprint).copied().unwrap_or(0.0)
    }

    /// Records a task of `days` in `sprint`.
    pub(crate) fn place(&mut self, sprint: usize, days: f64) {
        if let (Some(used), Some(count)) = (self.used.get_mut(sprint), self.count.get_mut(sprint)) {
            *used += days;
            *count += 1;
            self.update(sprint);
        }
    }

    /// The first sprint in `from..self.len()` with room for `need` more days.
    pub(crate) fn first_with_room(&self, from: usize, need: f64) -> Option<usize> {
        self.first(from, Want::Room(need))
    }

    /// The first sprint in `from..self.len()` where this pool holds no task.
    pub(crate) fn first_empty(&self, from: usize) -> Option<usize> {
        self.first(from, Want::Empty)
    }

    fn first(&self, from: usize, want: Want) -> Option<usize> {
        if from >= self.len() {
            return None;
        }
        self.descend(1, 0, self.size, from, want)
    }

    fn matches(&self, node: usize, want: Want) -> bool {
        match want {
            Want::Room(need) => self.room.get(node).is_some_and(|&room| room >= need - EPS),
            Want::Empty => self.any_empty.get(node).copied().unwrap_or(false),
        }
    }

    fn descend(&self, node: usize, lo: usize, hi: usize, from: usize, want: Want) -> Option<usize> {
        if hi <= from || !self.matches(node, want) {
            return None;
        }
        if hi - lo == 1 {
            return Some(lo);
        }
        let mid = lo + (hi - lo) / 2;
        self.descend(2 * node, lo, mid, from, want)
            .or_else(|| self.descend(2 * node + 1, mid, hi, from, want))
    }

    fn leaf_values(&self, sprint: usize) -> (f64, bool) {
        match (
            self.capacity.get(sprint),
            self.used.get(sprint),
            self.count.get(sprint),
        ) {
            (Some(&capacity), Some(&used), Some(&count)) => (capacity - used, count == 0),
            _ => (f64::NEG_INFINITY, false),
        }
    }

    fn set_node(&mut self, node: usize, room: f64, empty: bool) {
        if let (Some(r), Some(e)) = (self.room.get_mut(node), self.any_empty.get_mut(node)) {
            *r = room;
            *e = empty;
        }
    }

    fn pull(&mut self, node: usize) {
        let (l, r) = (2 * node, 2 * node + 1);
        let room = |i: usize| self.room.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        let empty = |i: usize| self.any_empty.get(i).copied().unwrap_or(false);
        let (new_room, new_empty) = (room(l).max(room(r)), empty(l) || empty(r));
        self.set_node(node, new_room, new_empty);
    }

    fn update(&mut self, sprint: usize) {
        let (room, empty) = self.leaf_values(sprint);
        let mut node = self.size + sprint;
        self.set_node(node, room, empty);
        while node > 1 {
            node /= 2;
            self.pull(node);
        }
    }

    /// Doubles the leaf count and rebuilds every node from the sprints: amortised O(1) a push.
    fn grow(&mut self) {
        while self.size < self.capacity.len() {
            self.size *= 2;
        }
        self.room = vec![f64::NEG_INFINITY; 2 * self.size];
        self.any_empty = vec![false; 2 * self.size];
        for sprint in 0..self.capacity.len() {
            let (room, empty) = self.leaf_values(sprint);
            self.set_node(self.size + sprint, room, empty);
        }
        for node in (1..self.size).rev() {
            self.pull(node);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_sprint_with_room_and_the_first_empty_one() {
        let mut slots = SprintSlots::new();
        for _ in 0..5 {
            slots.push(10.0);
        }
        slots.place(0, 8.0);
        slots.place(1, 3.0);
        slots.place(2, 10.0);
        assert_eq!(slots.first_with_room(0, 2.0), Some(0));
        assert_eq!(slots.first_with_room(0, 2.5), Some(1));
        assert_eq!(slots.first_with_room(2, 0.5), Some(3));
        assert_eq!(slots.first_with_room(0, 12.0), None);
        assert_eq!(slots.first_empty(0), Some(3));
        slots.place(3, 0.0);
        assert_eq!(slots.first_empty(0), Some(4));
        assert_eq!(slots.first_with_room(5, 1.0), None);
        // Zero-day tasks fit anywhere not over capacity.
        slots.place(4, 12.0);
        assert_eq!(slots.first_with_room(4, 0.0), None);
        assert_eq!(slots.first_with_room(2, 0.0), Some(2));
        assert_eq!(slots.first_empty(0), None);
        // Growing past the tree's size keeps every sprint findable.
        for _ in 0..20 {
            slots.push(1.0);
        }
        assert_eq!(slots.first_with_room(0, 1.0), Some(0));
        assert_eq!(slots.first_with_room(0, 5.0), Some(1));
        assert_eq!(slots.first_empty(7), Some(7));
        assert_eq!(slots.first_with_room(6, 1.5), None);
    }
}
