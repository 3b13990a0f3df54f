//! How far the planner is from the best plan: plans many small random inputs and compares each
//! with the exhaustive optimum ([`sprint_planning::quality::optimal_total_sprints`]), in three
//! families — one pooled capacity, per-team capacity (three teams), and tight inputs where every
//! task is a quarter to three quarters of a sprint — and checks the list-scheduling bound on every one.
//! Prints a Markdown table of the gap (extra sprints over the optimum) by family and by size.
//!
//! Run with `cargo run --release -p sprint-planning --example gap [INSTANCES_PER_FAMILY] [SEED]`
//! (defaults 3000 and 9); docs/benchmarks.md has the figures.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use sprint_planning::quality::{BRUTE_FORCE_MAX_TASKS, makespan_bound, optimal_total_sprints};
use sprint_planning::{
    AutoCreate, BlockEdge, CapacityModel, PlanInput, SprintNaming, TaskInput, plan,
};

/// A deterministic xorshift generator, so every run measures the same inputs.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Pooled,
    PerTeam,
    Tight,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Pooled => "pooled, estimates ½ d … capacity",
            Family::PerTeam => "3 teams, own capacity each",
            Family::Tight => "pooled, tasks ¼–¾ of a sprint",
        }
    }
}

const TEAMS: [&str; 3] = ["backend", "frontend", "qa"];

fn instance(random: &mut Random, family: Family) -> PlanInput {
    let n = 2 + random.below(BRUTE_FORCE_MAX_TASKS - 1);
    let capacity = (3 + random.below(8)) as f64;
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let half_days = (capacity * 2.0) as usize;
        let estimate = match family {
            // A quarter to three quarters of a sprint: where packing choices matter most.
            Family::Tight => (half_days / 4 + 1 + random.below(half_days / 2)) as f64 / 2.0,
            _ => (1 + random.below(half_days)) as f64 / 2.0,
        };
        tasks.push(TaskInput {
            key: format!("T-{}", i + 1),
            summary: String::new(),
            estimate_days: Some(estimate),
            team: (family == Family::PerTeam).then(|| TEAMS[random.below(TEAMS.len())].to_owned()),
        });
    }
    // Links from earlier to later positions: a DAG, about one pair in three.
    let mut blocks = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if random.below(3) == 0 {
                blocks.push(BlockEdge::new(
                    format!("T-{}", i + 1),
                    format!("T-{}", j + 1),
                ));
            }
        }
    }
    let capacity = match family {
        Family::PerTeam => CapacityModel::PerTeam {
            teams: TEAMS
                .iter()
                .map(|team| ((*team).to_owned(), capacity))
                .collect(),
            other_days: None,
        },
        _ => CapacityModel::Pooled { days: capacity },
    };
    PlanInput {
        tasks,
        blocks,
        sprints: Vec::new(),
        capacity,
        default_estimate_days: 1.0,
        auto_create: Some(AutoCreate {
            sprint_length_days: 14,
            start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
            naming: SprintNaming::Numbered {
                prefix: "Sprint".into(),
            },
        }),
    }
}

#[derive(Default)]
struct Tally {
    instances: usize,
    optimal: usize,
    gap_sum: usize,
    max_gap: usize,
    ratio_sum: f64,
    max_ratio: f64,
}

impl Tally {
    fn add(&mut self, planned: usize, optimum: usize) {
        let gap = planned.saturating_sub(optimum);
        self.instances += 1;
        self.optimal += usize::from(gap == 0);
        self.gap_sum += gap;
        self.max_gap = self.max_gap.max(gap);
        let ratio = planned as f64 / optimum.max(1) as f64;
        self.ratio_sum += ratio;
        self.max_ratio = self.max_ratio.max(ratio);
    }

    fn row(&self, label: &str) -> String {
        let n = self.instances.max(1) as f64;
        format!(
            "| {label} | {} | {:.1} % | {:.3} | {} | {:.3} | {:.3} |",
            self.instances,
            100.0 * self.optimal as f64 / n,
            self.gap_sum as f64 / n,
            self.max_gap,
            self.ratio_sum / n,
            self.max_ratio
        )
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let per_family: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(9);
    let mut random = Random(0x5EED_0000 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).max(1));
    let started = Instant::now();
    let mut by_family: BTreeMap<Family, Tally> = BTreeMap::new();
    let mut by_size: BTreeMap<usize, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    let mut bound_violations = 0;
    let mut worst: Option<(usize, PlanInput)> = None;
    for family in [Family::Pooled, Family::PerTeam, Family::Tight] {
        for _ in 0..per_family {
            let input = instance(&mut random, family);
            let planned = match plan(&input) {
                Ok(planned) => planned.total_sprints,
                Err(error) => panic!("a generated input does not plan: {error}"),
            };
            let optimum = match optimal_total_sprints(&input) {
                Ok(optimum) => optimum,
                Err(error) => panic!("no optimum: {error}"),
            };
            if let Ok(Some(bound)) = makespan_bound(&input)
                && planned > bound
            {
                bound_violations += 1;
            }
            let gap = planned.saturating_sub(optimum);
            if worst.as_ref().is_none_or(|(g, _)| gap > *g) {
                worst = Some((gap, input.clone()));
            }
            by_family.entry(family).or_default().add(planned, optimum);
            by_size
                .entry(input.tasks.len())
                .or_default()
                .add(planned, optimum);
            all.add(planned, optimum);
        }
    }
    let header = "| inputs | count | optimal | mean gap (sprints) | max gap | mean planner ÷ optimum | max ratio |\n|---|---|---|---|---|---|---|";
    println!("{header}");
    for (family, tally) in &by_family {
        println!("{}", tally.row(family.name()));
    }
    println!("{}", all.row("all"));
    println!("\n{header}");
    for (size, tally) in &by_size {
        println!("{}", tally.row(&format!("{size} tasks")));
    }
    println!(
        "\n{} inputs (seed {seed}) in {:.2} s; list-scheduling bound exceeded: {bound_violations} times",
        all.instances,
        started.elapsed().as_secs_f64()
    );
    if let Some((gap, input)) = worst.filter(|(gap, _)| *gap > 0) {
        let tasks: Vec<String> = input
            .tasks
            .iter()
            .map(|t| format!("{}={}", t.key, t.estimate_days.unwrap_or_default()))
            .collect();
        let links: Vec<String> = input
            .blocks
            .iter()
            .map(|b| format!("{}→{}", b.blocker, b.blocked))
            .collect();
        println!(
            "a worst input (+{gap}): capacity {:?}; tasks {}; links {}",
            input.capacity,
            tasks.join(" "),
            links.join(" ")
        );
    }
}
