//! Builders shared by the integration tests: short ways to write tasks, links, sprints and
//! inputs, and a deterministic random generator for instances outside proptest.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sprint_planning::{
    AutoCreate, BlockEdge, CapacityModel, CapacityOverride, PlanInput, SprintInput, SprintNaming,
    TaskInput,
};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn task(key: &str, days: f64) -> TaskInput {
    TaskInput {
        key: key.into(),
        summary: format!("Summary of {key}"),
        estimate_days: Some(days),
        team: None,
    }
}

pub fn team_task(key: &str, days: f64, team: &str) -> TaskInput {
    TaskInput {
        team: Some(team.into()),
        ..task(key, days)
    }
}

pub fn edges(pairs: &[(&str, &str)]) -> Vec<BlockEdge> {
    pairs.iter().map(|(a, b)| BlockEdge::new(*a, *b)).collect()
}

/// New two-week sprints named "Sprint N" from Monday 2026-01-05.
pub fn auto() -> AutoCreate {
    AutoCreate {
        sprint_length_days: 14,
        start: date(2026, 1, 5),
        naming: SprintNaming::Numbered {
            prefix: "Sprint".into(),
        },
    }
}

/// Pooled capacity, auto-created sprints, default estimate 1 day.
pub fn input(tasks: Vec<TaskInput>, blocks: &[(&str, &str)], capacity: f64) -> PlanInput {
    PlanInput {
        tasks,
        blocks: edges(blocks),
        sprints: Vec::new(),
        capacity: CapacityModel::Pooled { days: capacity },
        default_estimate_days: 1.0,
        auto_create: Some(auto()),
    }
}

pub fn sprint(id: u64, name: &str, start: NaiveDate, days: u64) -> SprintInput {
    SprintInput {
        id,
        name: name.into(),
        start,
        end: start + chrono::Days::new(days - 1),
        capacity: None,
    }
}

pub fn pooled_override(days: f64) -> Option<CapacityOverride> {
    Some(CapacityOverride::Pooled { days })
}

pub fn per_team(teams: &[(&str, f64)], other: Option<f64>) -> CapacityModel {
    CapacityModel::PerTeam {
        teams: teams
            .iter()
            .map(|(t, d)| ((*t).to_owned(), *d))
            .collect::<BTreeMap<_, _>>(),
        other_days: other,
    }
}

/// xorshift64*: the same instances on every run and machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A random small pooled instance: `n` tasks with estimates in half days up to `capacity`, a
/// random DAG (each pair linked with probability ~1/3, in a shuffled key order).
pub fn small_instance(rng: &mut Rng, n: usize, capacity: f64) -> PlanInput {
    let mut keys: Vec<String> = (1..=n).map(|i| format!("T-{i}")).collect();
    for i in (1..keys.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        keys.swap(i, j);
    }
    let halves = (capacity * 2.0) as u64;
    let tasks = keys
        .iter()
        .map(|k| task(k, (1 + rng.below(halves)) as f64 / 2.0))
        .collect();
    let mut blocks = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.below(3) == 0 {
                blocks.push(BlockEdge::new(keys[i].clone(), keys[j].clone()));
            }
        }
    }
    PlanInput {
        tasks,
        blocks,
        sprints: Vec::new(),
        capacity: CapacityModel::Pooled { days: capacity },
        default_estimate_days: 1.0,
        auto_create: Some(auto()),
    }
}
