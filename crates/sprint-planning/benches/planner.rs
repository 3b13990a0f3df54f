//! Sprint planner speed and quality: plans 10,000 tasks with 30,000 "blocks" links (a random
//! DAG from a fixed seed, estimates 0.5–5 days, 40 days a sprint), renders the Gantt chart of a
//! 500-task plan, and compares the planner with the exhaustive optimum on random small inputs.
//! Prints a markdown table.
//!
//! Run with `cargo bench -p sprint-planning --bench planner`.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sprint_planning::quality::{gap_report, makespan_bound};
use sprint_planning::{
    AutoCreate, BlockEdge, CapacityModel, PlanInput, SprintNaming, TaskInput, plan, render_svg,
    timeline,
};

const TASKS: usize = 10_000;
const LINKS: usize = 30_000;
const PLAN_RUNS: usize = 30;
const SVG_TASKS: usize = 500;
const SVG_RUNS: usize = 100;
const GAP_INSTANCES: usize = 500;
const TEAMS: [&str; 4] = ["backend", "frontend", "qa", "devops"];

/// A deterministic xorshift generator, so every run measures the same data.
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

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn auto_create() -> AutoCreate {
    AutoCreate {
        sprint_length_days: 14,
        start: date(2026, 1, 5),
        naming: SprintNaming::Numbered {
            prefix: "Sprint".into(),
        },
    }
}

/// `tasks` tasks (keys shuffled against the topological order, estimates 0.5–5 days in half
/// days, a team each) and `links` distinct links between random pairs, each pointing from the
/// earlier to the later topological position.
fn random_dag(seed: u64, tasks: usize, links: usize, capacity: f64) -> PlanInput {
    let mut random = Random(seed);
    let mut keys: Vec<String> = (1..=tasks).map(|i| format!("PW-{i}")).collect();
    for i in (1..keys.len()).rev() {
        keys.swap(i, random.below(i + 1));
    }
    let task_list = keys
        .iter()
        .enumerate()
        .map(|(i, key)| TaskInput {
            key: key.clone(),
            summary: format!("Task {i} of the epic: build & test <part {}>", i % 7),
            estimate_days: Some((1 + random.below(10)) as f64 / 2.0),
            team: Some(TEAMS[random.below(TEAMS.len())].to_owned()),
        })
        .collect();
    let mut seen = HashSet::with_capacity(links);
    let mut blocks = Vec::with_capacity(links);
    let possible = tasks * (tasks - 1) / 2;
    while blocks.len() < links.min(possible) {
        let (a, b) = (random.below(tasks), random.below(tasks));
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        blocks.push(BlockEdge::new(
            keys[a.min(b)].clone(),
            keys[a.max(b)].clone(),
        ));
    }
    PlanInput {
        tasks: task_list,
        blocks,
        sprints: Vec::new(),
        capacity: CapacityModel::Pooled { days: capacity },
        default_estimate_days: 1.0,
        auto_create: Some(auto_create()),
    }
}

/// Up to 7 tasks, estimates in half days up to the capacity (2–10 days), links between ~1/3
/// of the pairs.
fn small_instance(random: &mut Random) -> PlanInput {
    let n = 1 + random.below(7);
    let capacity = (2 + random.below(9)) as f64;
    let mut input = random_dag(random.next(), n, 0, capacity);
    for task in &mut input.tasks {
        task.estimate_days = Some((1 + random.below((capacity * 2.0) as usize)) as f64 / 2.0);
    }
    let keys: Vec<String> = input.tasks.iter().map(|t| t.key.clone()).collect();
    for i in 0..n {
        for j in i + 1..n {
            if random.below(3) == 0 {
                input
                    .blocks
                    .push(BlockEdge::new(keys[i].clone(), keys[j].clone()));
            }
        }
    }
    input
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1_000.0)
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    for _ in 0..3 {
        black_box(f());
    }
    let mut timings: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed()
        })
        .collect();
    timings.sort();
    timings
}

fn main() {
    println!(
        "{TASKS} tasks, {LINKS} links (random DAG, seed fixed), estimates 0.5–5 d, 40 d a sprint\n"
    );
    println!("| metric | target | measured |");
    println!("|---|---|---|");

    let input = random_dag(0x5EED_0009, TASKS, LINKS, 40.0);
    let timings = time(PLAN_RUNS, || plan(&input).expect("the DAG plans"));
    let planned = plan(&input).expect("the DAG plans");
    println!(
        "| plan {TASKS} tasks / {LINKS} links, p50 of {PLAN_RUNS} | ≤ 50 ms | {} |",
        millis(percentile(&timings, 0.5))
    );
    println!(
        "| same, slowest of {PLAN_RUNS} | - | {} |",
        millis(percentile(&timings, 1.0))
    );
    let work: f64 = planned.assignments.iter().map(|a| a.estimate_days).sum();
    let bound = makespan_bound(&input)
        .expect("valid input")
        .expect("the bound applies");
    println!(
        "| sprints used (work ÷ capacity = {:.1}; list-scheduling bound {bound}) | - | {} |",
        work / 40.0,
        planned.total_sprints
    );

    let mut teams = input.clone();
    teams.capacity = CapacityModel::PerTeam {
        teams: TEAMS.iter().map(|t| ((*t).to_owned(), 10.0)).collect(),
        other_days: None,
    };
    let timings = time(PLAN_RUNS, || plan(&teams).expect("the DAG plans"));
    let planned_teams = plan(&teams).expect("the DAG plans");
    println!(
        "| same with 4 teams × 10 d (per-team capacity), p50 | - | {} ({} sprints) |",
        millis(percentile(&timings, 0.5)),
        planned_teams.total_sprints
    );

    let small = random_dag(0x5EED_0500, SVG_TASKS, 3 * SVG_TASKS, 40.0);
    let small_plan = plan(&small).expect("the DAG plans");
    let today = date(2026, 3, 2);
    let timings = time(SVG_RUNS, || {
        render_svg(&timeline(&small_plan, &small), today)
    });
    let svg = render_svg(&timeline(&small_plan, &small), today);
    println!(
        "| timeline + Gantt SVG, {SVG_TASKS} tasks / {} links / {} sprints, p50 of {SVG_RUNS} | ≤ 20 ms | {} |",
        3 * SVG_TASKS,
        small_plan.total_sprints,
        millis(percentile(&timings, 0.5))
    );
    println!(
        "| same, slowest of {SVG_RUNS} (SVG of {} KB) | - | {} |",
        svg.len() / 1024,
        millis(percentile(&timings, 1.0))
    );

    let mut random = Random(0x5EED_0007);
    let instances: Vec<PlanInput> = (0..GAP_INSTANCES)
        .map(|_| small_instance(&mut random))
        .collect();
    let started = Instant::now();
    let report = gap_report(&instances).expect("small instances plan");
    let elapsed = started.elapsed();
    println!(
        "| planner vs exhaustive optimum, {} random inputs of 1–7 tasks: optimal | - | {} of {} ({:.1} %) |",
        report.instances,
        report.optimal,
        report.instances,
        100.0 * report.optimal as f64 / report.instances as f64
    );
    println!(
        "| same: mean / max gap (sprints) | - | {:.3} / {} |",
        report.mean_gap, report.max_gap
    );
    println!(
        "| same: mean / max planner ÷ optimum (bound: < 2) | - | {:.3} / {:.3} ({} to search) |",
        report.mean_ratio,
        report.max_ratio,
        millis(elapsed)
    );
}
