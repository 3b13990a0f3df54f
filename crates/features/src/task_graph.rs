//! The dependency graph of one story's team tasks, as pure code (no I/O): dependencies named by
//! id or summary are resolved to tasks, a cycle from the model is repaired by dropping its back
//! edge (with a warning), tasks longer than the cycle-time limit are split into parts that keep
//! the dependencies, and the tasks come out in topological order (every prerequisite first)
//! with stable ids, the team prefix on each summary and `blocked_by_teams` recomputed.
//!
//! Edges point from a dependent task to its prerequisite: `deps[i]` lists the tasks task `i`
//! waits for. In Jira each edge becomes "prerequisite blocks dependent".

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use generation::task::{CycleTimeEstimate, Team, TeamTask};

/// Every team prefix a summary may already carry, in any case, with or without brackets.
const TEAM_PREFIXES: [&str; 12] = [
    "[BE]", "[FE]", "[QA]", "[MOBILE]", "[DEVOPS]", "[OPS]", "BE:", "FE:", "QA:", "MOBILE:",
    "DEVOPS:", "OPS:",
];

/// What to do with oversized tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOptions {
    /// Most tasks kept from the model's answer (before splitting).
    pub max_tasks: usize,
    /// Split tasks whose estimate exceeds `max_task_cycle_days`.
    pub split_oversized: bool,
    pub max_task_cycle_days: f64,
}

/// One story's tasks, ready to show and write.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryTaskPlan {
    /// In topological order; ids `T1..Tn`; `depends_on_tasks` names ids of earlier tasks only.
    pub tasks: Vec<TeamTask>,
    /// `deps[i]`: positions (in `tasks`) of the prerequisites of task `i`, all `< i`.
    pub deps: Vec<Vec<usize>>,
    /// Dropped dependencies, repaired cycles, split tasks.
    pub warnings: Vec<String>,
}

/// A dependency cycle that remains (only possible when [`break_cycles`] was not run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleError {
    /// The tasks on or behind a cycle, by position.
    pub tasks: Vec<usize>,
}

/// Plans one story's tasks from the model's answer; see the module documentation.
pub fn plan_story_tasks(mut tasks: Vec<TeamTask>, options: PlanOptions) -> StoryTaskPlan {
    let mut warnings = Vec::new();
    if tasks.len() > options.max_tasks {
        warnings.push(format!(
            "The model planned {} tasks; kept the first {}",
            tasks.len(),
            options.max_tasks
        ));
        tasks.truncate(options.max_tasks.max(1));
    }
    for task in &mut tasks {
        task.summary = with_team_prefix(task.team, &task.summary);
    }
    let (mut deps, unresolved) = resolve_dependencies(&tasks);
    warnings.extend(unresolved);
    let teams: Vec<Team> = tasks.iter().map(|task| task.team).collect();
    let against_flow = |dependent: usize, prerequisite: usize| match (
        teams.get(prerequisite),
        teams.get(dependent),
    ) {
        (Some(prerequisite), Some(dependent)) => flow_rank(*prerequisite) > flow_rank(*dependent),
        _ => false,
    };
    let mut removed = break_cycles_against(&mut deps, against_flow);
    removed.extend(break_cycles(&mut deps));
    let summary = |task: usize| tasks.get(task).map_or("", |task| task.summary.as_str());
    for (dependent, prerequisite) in removed {
        warnings.push(format!(
            "Dependency cycle repaired: \"{}\" no longer waits for \"{}\" (that task already waits for it)",
            summary(dependent),
            summary(prerequisite)
        ));
    }
    if options.split_oversized {
        let (split, split_deps, notes) = split_oversized(tasks, deps, options.max_task_cycle_days);
        tasks = split;
        deps = split_deps;
        warnings.extend(notes);
    }
    // `break_cycles` left a DAG and splitting adds only forward chains, so this always orders.
    let order = topological_order(&deps).unwrap_or_else(|cycle| {
        warnings.push(format!(
            "Tasks {:?} still form a dependency cycle; their dependencies were dropped",
            cycle.tasks
        ));
        for task in &cycle.tasks {
            if let Some(prerequisites) = deps.get_mut(*task) {
                prerequisites.clear();
            }
        }
        topological_order(&deps).unwrap_or_else(|_| (0..deps.len()).collect())
    });
    let (tasks, deps) = reorder(tasks, &deps, &order);
    StoryTaskPlan {
        tasks,
        deps,
        warnings,
    }
}

/// `summary` with exactly one prefix, the one of `team` (`[BE] …`).
pub fn with_team_prefix(team: Team, summary: &str) -> String {
    format!("{} {}", team.prefix(), strip_team_prefix(summary))
}

/// `summary` without a leading team prefix.
pub fn strip_team_prefix(summary: &str) -> &str {
    let mut rest = summary.trim();
    loop {
        let upper = rest.to_ascii_uppercase();
        match TEAM_PREFIXES
            .iter()
            .find(|prefix| upper.starts_with(*prefix))
        {
            Some(prefix) => rest = rest[prefix.len()..].trim_start(),
            None => return rest,
        }
    }
}

fn normalized_summary(summary: &str) -> String {
    strip_team_prefix(summary)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Resolves every `depends_on_tasks` entry to a task position: by id, then by summary (with or
/// without the team prefix), then `task_N` (the reference's positional names). Unknown and
/// self references are dropped with a warning.
pub fn resolve_dependencies(tasks: &[TeamTask]) -> (Vec<Vec<usize>>, Vec<String>) {
    let mut warnings = Vec::new();
    let find = |reference: &str| -> Option<usize> {
        let wanted = reference.trim();
        tasks
            .iter()
            .position(|task| task.id.trim().eq_ignore_ascii_case(wanted))
            .or_else(|| {
                let wanted = normalized_summary(wanted);
                tasks
                    .iter()
                    .position(|task| normalized_summary(&task.summary) == wanted)
            })
            .or_else(|| {
                let number = wanted.strip_prefix("task_")?.parse::<usize>().ok()?;
                (1..=tasks.len()).contains(&number).then(|| number - 1)
            })
    };
    let deps = tasks
        .iter()
        .enumerate()
        .map(|(index, task)| {
            let mut resolved: Vec<usize> = Vec::new();
            for reference in &task.depends_on_tasks {
                if reference.trim().is_empty() || reference.trim().eq_ignore_ascii_case("none") {
                    continue;
                }
                match find(reference) {
                    Some(found) if found == index => warnings.push(format!(
                        "\"{}\" depended on itself; dependency dropped",
                        task.summary
                    )),
                    Some(found) => {
                        if !resolved.contains(&found) {
                            resolved.push(found);
                        }
                    }
                    None => warnings.push(format!(
                        "\"{}\" depends on unknown task \"{reference}\"; dependency dropped",
                        task.summary
                    )),
                }
            }
            resolved
        })
        .collect();
    (deps, warnings)
}

/// Where a team's work sits in the usual flow (docs/reference-behaviour.md §5.8: infrastructure, then Backend, then
/// Frontend and Mobile, then QA).
pub fn flow_rank(team: Team) -> u8 {
    match team {
        Team::Devops => 0,
        Team::Backend => 1,
        Team::Frontend | Team::Mobile => 2,
        Team::Qa => 3,
    }
}

/// Removes, in order, each edge that `against` marks (e.g. Backend waiting for Frontend) and
/// that closes a cycle (its prerequisite already waits, directly or not, for its dependent).
/// Returns them as `(dependent, prerequisite)`. Cycles made only of other edges remain for
/// [`break_cycles`].
pub fn break_cycles_against(
    deps: &mut [Vec<usize>],
    against: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut removed = Vec::new();
    for dependent in 0..deps.len() {
        let mut at = 0;
        while let Some(&prerequisite) = deps.get(dependent).and_then(|list| list.get(at)) {
            if prerequisite < deps.len()
                && against(dependent, prerequisite)
                && waits_for(deps, prerequisite, dependent)
            {
                if let Some(list) = deps.get_mut(dependent) {
                    list.remove(at);
                }
                removed.push((dependent, prerequisite));
            } else {
                at += 1;
            }
        }
    }
    removed
}

/// Whether `from` waits, directly or through other tasks, for `to`.
fn waits_for(deps: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; deps.len()];
    let mut stack = vec![from];
    while let Some(task) = stack.pop() {
        if task == to {
            return true;
        }
        let (Some(seen), Some(prerequisites)) = (seen.get_mut(task), deps.get(task)) else {
            continue;
        };
        if std::mem::replace(seen, true) {
            continue;
        }
        stack.extend(prerequisites.iter().copied());
    }
    false
}

/// Removes the back edges of every dependency cycle and returns them as
/// `(dependent, prerequisite)`. A depth-first search from each task in order follows its
/// dependencies in their listed order; an edge to a task still on the search path closes a
/// cycle and is the one dropped, so earlier tasks and earlier-listed dependencies win. What is
/// left is acyclic.
pub fn break_cycles(deps: &mut [Vec<usize>]) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn set(marks: &mut [Mark], task: usize, mark: Mark) {
        if let Some(slot) = marks.get_mut(task) {
            *slot = mark;
        }
    }
    let mut marks = vec![Mark::New; deps.len()];
    let mut removed = Vec::new();
    for root in 0..deps.len() {
        if marks.get(root) != Some(&Mark::New) {
            continue;
        }
        // (task, index of the next dependency to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        set(&mut marks, root, Mark::OnPath);
        while let Some(&mut (task, ref mut next)) = path.last_mut() {
            // Every task on the path is a position of `deps`: roots are, and so is every
            // prerequisite pushed below (it has a mark).
            let Some(prerequisites) = deps.get_mut(task) else {
                path.pop();
                continue;
            };
            let Some(&prerequisite) = prerequisites.get(*next) else {
                set(&mut marks, task, Mark::Done);
                path.pop();
                continue;
            };
            match marks.get(prerequisite).copied() {
                Some(Mark::OnPath) => {
                    prerequisites.remove(*next);
                    removed.push((task, prerequisite));
                }
                Some(Mark::New) => {
                    *next += 1;
                    set(&mut marks, prerequisite, Mark::OnPath);
                    path.push((prerequisite, 0));
                }
                Some(Mark::Done) => *next += 1,
                None => {
                    // Out of range: not a task of this graph.
                    prerequisites.remove(*next);
                }
            }
        }
    }
    removed
}

/// Positions in an order where every task comes after its prerequisites; among tasks that are
/// ready, the earliest listed goes first, so an already ordered list keeps its order.
pub fn topological_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, CycleError> {
    let count = deps.len();
    // Prerequisites out of range are not tasks of this graph and are not waited for.
    let mut waiting_on: Vec<usize> = deps
        .iter()
        .map(|prerequisites| prerequisites.iter().filter(|p| **p < count).count())
        .collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (task, prerequisites) in deps.iter().enumerate() {
        for prerequisite in prerequisites {
            if let Some(of_prerequisite) = dependents.get_mut(*prerequisite) {
                of_prerequisite.push(task);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = waiting_on
        .iter()
        .enumerate()
        .filter(|(_, waiting)| **waiting == 0)
        .map(|(task, _)| Reverse(task))
        .collect();
    let mut order = Vec::with_capacity(count);
    while let Some(Reverse(task)) = ready.pop() {
        order.push(task);
        for dependent in dependents.get(task).into_iter().flatten() {
            if let Some(waiting) = waiting_on.get_mut(*dependent) {
                *waiting -= 1;
                if *waiting == 0 {
                    ready.push(Reverse(*dependent));
                }
            }
        }
    }
    if order.len() == count {
        Ok(order)
    } else {
        Err(CycleError {
            tasks: waiting_on
                .iter()
                .enumerate()
                .filter(|(_, waiting)| **waiting > 0)
                .map(|(task, _)| task)
                .collect(),
        })
    }
}

/// Splits every task whose `estimate.total_days` exceeds `max_days` into `ceil(total / max)`
/// parts of equal share (at most 10): the scopes are shared out in order (or, with fewer scopes
/// than parts, a design part comes first). The first part waits for the task's prerequisites,
/// each later part for the part before it, and whatever waited for the task waits for its last
/// part. Test cases go with the last part. Returns the tasks, their dependencies and a note
/// per split task.
pub fn split_oversized(
    tasks: Vec<TeamTask>,
    deps: Vec<Vec<usize>>,
    max_days: f64,
) -> (Vec<TeamTask>, Vec<Vec<usize>>, Vec<String>) {
    let max_days = if max_days.is_finite() && max_days > 0.0 {
        max_days
    } else {
        return (tasks, deps, Vec::new());
    };
    let parts_of: Vec<usize> = tasks
        .iter()
        .map(|task| {
            let total = task.estimate.total_days;
            if total > max_days + 1e-9 {
                ((total / max_days).ceil() as usize).clamp(2, 10)
            } else {
                1
            }
        })
        .collect();
    // Where each original task's parts start in the new list.
    let mut first = Vec::with_capacity(tasks.len());
    let mut next = 0;
    for parts in &parts_of {
        first.push(next);
        next += parts;
    }
    // The position of a task's last part; `None` for a prerequisite that is not a task.
    let last = |task: usize| Some(first.get(task)? + parts_of.get(task)? - 1);
    let mut out_tasks = Vec::with_capacity(next);
    let mut out_deps = Vec::with_capacity(next);
    let mut notes = Vec::new();
    let starts = parts_of.iter().copied().zip(first.iter().copied());
    for ((index, task), (parts, first_part)) in tasks.into_iter().enumerate().zip(starts) {
        let inherited: Vec<usize> = deps
            .get(index)
            .into_iter()
            .flatten()
            .filter_map(|dep| last(*dep))
            .collect();
        if parts == 1 {
            out_tasks.push(task);
            out_deps.push(inherited);
            continue;
        }
        let share = task.estimate.total_days / parts as f64;
        notes.push(if share > max_days + 1e-9 {
            format!(
                "\"{}\" ({} days) exceeds the {max_days}-day cycle-time limit; split into {parts} parts, which still take {share:.2} days each: plan it as its own story",
                task.summary, task.estimate.total_days
            )
        } else {
            format!(
                "\"{}\" ({} days) exceeds the {max_days}-day cycle-time limit; split into {parts} parts",
                task.summary, task.estimate.total_days
            )
        });
        let groups = scope_groups(&task.scopes, parts);
        let estimate = scaled(&task.estimate, 1.0 / parts as f64);
        let by_scope = task.scopes.len() >= parts;
        for (part, scopes) in groups.into_iter().enumerate() {
            let label = if by_scope {
                format!("Part {}/{parts}", part + 1)
            } else if part == 0 {
                "Design".to_owned()
            } else if parts == 2 {
                "Implementation".to_owned()
            } else {
                format!("Implementation {part}")
            };
            out_tasks.push(TeamTask {
                id: format!("{}.{}", task.id, part + 1),
                team: task.team,
                summary: format!("{} - {label}", task.summary),
                purpose: task.purpose.clone(),
                scopes,
                expected_outcome: task.expected_outcome.clone(),
                depends_on_tasks: Vec::new(),
                blocked_by_teams: Vec::new(),
                estimate: estimate.clone(),
                test_cases: if part + 1 == parts {
                    task.test_cases.clone()
                } else {
                    Vec::new()
                },
            });
            out_deps.push(if part == 0 {
                inherited.clone()
            } else {
                vec![first_part + part - 1]
            });
        }
    }
    (out_tasks, out_deps, notes)
}

fn scope_groups(scopes: &[String], parts: usize) -> Vec<Vec<String>> {
    if scopes.len() >= parts {
        let base = scopes.len() / parts;
        let extra = scopes.len() % parts;
        let mut groups = Vec::with_capacity(parts);
        let mut rest = scopes;
        for part in 0..parts {
            let size = base + usize::from(part < extra);
            // The sizes add up to `scopes.len()`, so `rest` always holds `size` more.
            let (group, tail) = rest.split_at_checked(size).unwrap_or((rest, &[]));
            groups.push(group.to_vec());
            rest = tail;
        }
        return groups;
    }
    let mut groups = vec![vec![
        "Technical design and breakdown of the work, reviewed by the team".to_owned(),
    ]];
    for _ in 1..parts {
        groups.push(scopes.to_vec());
    }
    groups
}

fn scaled(estimate: &CycleTimeEstimate, share: f64) -> CycleTimeEstimate {
    let part = |days: f64| (days * share * 100.0).round() / 100.0;
    let development_days = part(estimate.development_days);
    let testing_days = part(estimate.testing_days);
    let review_days = part(estimate.review_days);
    let deployment_days = part(estimate.deployment_days);
    CycleTimeEstimate {
        development_days,
        testing_days,
        review_days,
        deployment_days,
        total_days: ((development_days + testing_days + review_days + deployment_days) * 100.0)
            .round()
            / 100.0,
        confidence: estimate.confidence,
    }
}

/// Puts tasks in `order`, renumbers them `T1..Tn`, and rewrites `depends_on_tasks` and
/// `blocked_by_teams` from the graph.
fn reorder(
    tasks: Vec<TeamTask>,
    deps: &[Vec<usize>],
    order: &[usize],
) -> (Vec<TeamTask>, Vec<Vec<usize>>) {
    let mut position = vec![0; tasks.len()];
    for (new, old) in order.iter().enumerate() {
        if let Some(slot) = position.get_mut(*old) {
            *slot = new;
        }
    }
    let mut slots: Vec<Option<TeamTask>> = tasks.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(order.len());
    let mut out_deps = Vec::with_capacity(order.len());
    for old in order {
        let Some(task) = slots.get_mut(*old).and_then(Option::take) else {
            continue;
        };
        let mut task_deps: Vec<usize> = deps
            .get(*old)
            .into_iter()
            .flatten()
            .filter_map(|dep| position.get(*dep).copied())
            .collect();
        task_deps.sort_unstable();
        task_deps.dedup();
        out.push(task);
        out_deps.push(task_deps);
    }
    let teams: Vec<Team> = out.iter().map(|task| task.team).collect();
    for (index, (task, task_deps)) in out.iter_mut().zip(&out_deps).enumerate() {
        task.id = format!("T{}", index + 1);
        task.depends_on_tasks = task_deps
            .iter()
            .map(|dep| format!("T{}", dep + 1))
            .collect();
        let mut blocked: Vec<Team> = task_deps
            .iter()
            .filter_map(|dep| teams.get(*dep).copied())
            .filter(|team| *team != task.team)
            .collect();
        blocked.sort();
        blocked.dedup();
        task.blocked_by_teams = blocked;
    }
    (out, out_deps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, team: Team, summary: &str, depends_on: &[&str], days: f64) -> TeamTask {
        TeamTask {
            id: id.to_owned(),
            team,
            summary: summary.to_owned(),
            purpose: "Why".to_owned(),
            scopes: vec!["one".into(), "two".into(), "three".into()],
            expected_outcome: vec!["Done".into()],
            depends_on_tasks: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            blocked_by_teams: Vec::new(),
            estimate: CycleTimeEstimate {
                development_days: days - 0.5,
                testing_days: 0.25,
                review_days: 0.25,
                deployment_days: 0.0,
                total_days: days,
                confidence: 0.7,
            },
            test_cases: Vec::new(),
        }
    }

    fn options() -> PlanOptions {
        PlanOptions {
            max_tasks: 10,
            split_oversized: true,
            max_task_cycle_days: 3.0,
        }
    }

    #[test]
    fn prefixes_are_normalized_to_the_team() {
        assert_eq!(with_team_prefix(Team::Backend, "Add API"), "[BE] Add API");
        assert_eq!(
            with_team_prefix(Team::Frontend, "[be] FE: Build page"),
            "[FE] Build page"
        );
        assert_eq!(
            with_team_prefix(Team::Devops, "  Pipeline "),
            "[DEVOPS] Pipeline"
        );
        assert_eq!(strip_team_prefix("[QA]Test plan"), "Test plan");
    }

    #[test]
    fn dependencies_resolve_by_id_summary_and_position() {
        let tasks = vec![
            task("a", Team::Backend, "[BE] Build API", &[], 1.0),
            task("b", Team::Frontend, "Build UI", &["build api", "none"], 1.0),
            task(
                "c",
                Team::Qa,
                "Test it",
                &["task_2", "A", "ghost", "c"],
                1.0,
            ),
        ];
        let (deps, warnings) = resolve_dependencies(&tasks);
        assert_eq!(deps, vec![vec![], vec![0], vec![1, 0]]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("ghost"));
        assert!(warnings[1].contains("itself"));
    }

    #[test]
    fn a_cycle_loses_its_back_edge_only() {
        // 0 -> 1 -> 2 -> 0, plus 3 -> 2.
        let mut deps = vec![vec![1], vec![2], vec![0], vec![2]];
        let removed = break_cycles(&mut deps);
        assert_eq!(removed, vec![(2, 0)]);
        assert_eq!(deps, vec![vec![1], vec![2], vec![], vec![2]]);
        assert_eq!(topological_order(&deps), Ok(vec![2, 1, 0, 3]));
    }

    #[test]
    fn a_self_loop_and_two_cycles_are_all_repaired() {
        let mut deps = vec![vec![0, 1], vec![0], vec![3], vec![2]];
        let removed = break_cycles(&mut deps);
        assert_eq!(removed, vec![(0, 0), (1, 0), (3, 2)]);
        assert!(topological_order(&deps).is_ok());
    }

    #[test]
    fn edges_against_the_team_flow_go_first_and_only_when_they_close_a_cycle() {
        // 0 (BE) waits for 1 (FE) and 1 waits for 0; 2 (BE) waits for 1 without a cycle.
        let mut deps = vec![vec![1], vec![0], vec![1]];
        let against = |dependent: usize, prerequisite: usize| prerequisite == 1 && dependent != 1;
        let removed = break_cycles_against(&mut deps, against);
        assert_eq!(removed, vec![(0, 1)]);
        assert_eq!(deps, vec![vec![], vec![0], vec![1]]);
        assert!(break_cycles(&mut deps).is_empty());
    }

    #[test]
    fn topological_order_reports_a_cycle() {
        let deps = vec![vec![], vec![2], vec![1]];
        assert_eq!(
            topological_order(&deps),
            Err(CycleError { tasks: vec![1, 2] })
        );
        assert_eq!(topological_order(&[vec![], vec![0]]), Ok(vec![0, 1]));
    }

    #[test]
    fn oversized_tasks_split_into_a_chain_that_keeps_dependencies() {
        let tasks = vec![
            task("T1", Team::Backend, "Schema", &[], 1.0),
            task("T2", Team::Backend, "API", &["T1"], 7.0),
            task("T3", Team::Qa, "Tests", &["T2"], 1.0),
        ];
        let plan = plan_story_tasks(tasks, options());
        let summaries: Vec<&str> = plan.tasks.iter().map(|t| t.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "[BE] Schema",
                "[BE] API - Part 1/3",
                "[BE] API - Part 2/3",
                "[BE] API - Part 3/3",
                "[QA] Tests"
            ]
        );
        assert_eq!(plan.deps, vec![vec![], vec![0], vec![1], vec![2], vec![3]]);
        assert_eq!(plan.tasks[4].depends_on_tasks, ["T4"]);
        assert_eq!(plan.tasks[4].blocked_by_teams, [Team::Backend]);
        assert!(plan.tasks.iter().all(|t| t.estimate.total_days <= 3.0));
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("split into 3 parts"))
        );
    }

    #[test]
    fn a_task_with_few_scopes_splits_into_design_and_implementation() {
        let mut big = task("T1", Team::Frontend, "Page", &[], 5.0);
        big.scopes = vec!["only".into()];
        let plan = plan_story_tasks(vec![big], options());
        let summaries: Vec<&str> = plan.tasks.iter().map(|t| t.summary.as_str()).collect();
        assert_eq!(
            summaries,
            ["[FE] Page - Design", "[FE] Page - Implementation"]
        );
        assert_eq!(plan.tasks[1].scopes, ["only"]);
    }

    #[test]
    fn splitting_can_be_turned_off() {
        let tasks = vec![task("T1", Team::Backend, "API", &[], 7.0)];
        let plan = plan_story_tasks(
            tasks,
            PlanOptions {
                split_oversized: false,
                ..options()
            },
        );
        assert_eq!(plan.tasks.len(), 1);
    }

    #[test]
    fn plans_come_out_in_dependency_order_with_a_repaired_cycle() {
        // The model lists QA first and makes the API wait for the UI that waits for it.
        let tasks = vec![
            task("q", Team::Qa, "Test", &["api", "ui"], 1.0),
            task("api", Team::Backend, "API", &["ui"], 1.0),
            task("ui", Team::Frontend, "UI", &["api"], 1.0),
        ];
        let plan = plan_story_tasks(tasks, options());
        let summaries: Vec<&str> = plan.tasks.iter().map(|t| t.summary.as_str()).collect();
        assert_eq!(summaries, ["[BE] API", "[FE] UI", "[QA] Test"]);
        assert_eq!(plan.tasks[1].depends_on_tasks, ["T1"]);
        assert_eq!(plan.tasks[2].depends_on_tasks, ["T1", "T2"]);
        assert_eq!(
            plan.tasks[2].blocked_by_teams,
            [Team::Backend, Team::Frontend]
        );
        assert!(
            plan.warnings.iter().any(|w| w.contains("cycle repaired")
                && w.contains("\"[BE] API\" no longer waits for \"[FE] UI\"")),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn too_many_tasks_are_cut_and_their_dependencies_dropped() {
        let tasks = vec![
            task("a", Team::Backend, "A", &[], 1.0),
            task("b", Team::Backend, "B", &["c"], 1.0),
            task("c", Team::Qa, "C", &[], 1.0),
        ];
        let plan = plan_story_tasks(
            tasks,
            PlanOptions {
                max_tasks: 2,
                ..options()
            },
        );
        assert_eq!(plan.tasks.len(), 2);
        assert!(plan.deps.iter().all(Vec::is_empty));
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        fn graph() -> impl Strategy<Value = Vec<Vec<usize>>> {
            (1usize..12).prop_flat_map(|n| {
                proptest::collection::vec(proptest::collection::vec(0..n, 0..4), n)
            })
        }

        proptest! {
            #[test]
            fn repaired_graphs_order_and_keep_every_edge_that_was_not_removed(deps in graph()) {
                let original = deps.clone();
                let mut repaired = deps;
                let removed = break_cycles(&mut repaired);
                let order = topological_order(&repaired).expect("acyclic after repair");
                prop_assert_eq!(order.len(), original.len());
                let mut position = vec![0; order.len()];
                for (at, task) in order.iter().enumerate() {
                    position[*task] = at;
                }
                for (task, prerequisites) in repaired.iter().enumerate() {
                    for prerequisite in prerequisites {
                        prop_assert!(position[*prerequisite] < position[task]);
                    }
                }
                // Every original edge is either kept or reported as removed.
                let kept: usize = repaired.iter().map(Vec::len).sum();
                let total: usize = original.iter().map(Vec::len).sum();
                prop_assert_eq!(kept + removed.len(), total);
                for (task, prerequisite) in removed {
                    prop_assert!(original[task].contains(&prerequisite));
                }
                // An acyclic input loses nothing.
                if topological_order(&original).is_ok() {
                    prop_assert_eq!(repaired, original);
                }
            }

            #[test]
            fn preferring_some_edges_still_leaves_an_acyclic_graph(deps in graph(), seed in 0usize..7) {
                let original = deps.clone();
                let mut repaired = deps;
                let against = |dependent: usize, prerequisite: usize| (dependent * 3 + prerequisite + seed).is_multiple_of(4);
                let mut removed = break_cycles_against(&mut repaired, against);
                removed.extend(break_cycles(&mut repaired));
                prop_assert!(topological_order(&repaired).is_ok());
                let kept: usize = repaired.iter().map(Vec::len).sum();
                let total: usize = original.iter().map(Vec::len).sum();
                prop_assert_eq!(kept + removed.len(), total);
                if topological_order(&original).is_ok() {
                    prop_assert_eq!(repaired, original);
                }
            }

            #[test]
            fn split_plans_respect_the_limit_and_stay_ordered(
                days in proptest::collection::vec(0.5f64..12.0, 1..6),
                max in 1.5f64..10.0,
            ) {
                let tasks: Vec<TeamTask> = days
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let deps: Vec<String> = (0..i).map(|j| format!("T{}", j + 1)).collect();
                        let refs: Vec<&str> = deps.iter().map(String::as_str).collect();
                        super::task(&format!("T{}", i + 1), Team::Backend, &format!("Task {i}"), &refs, *d)
                    })
                    .collect();
                let plan = plan_story_tasks(tasks, PlanOptions { max_tasks: 10, split_oversized: true, max_task_cycle_days: max });
                for (index, task) in plan.tasks.iter().enumerate() {
                    prop_assert!(task.estimate.total_days <= max + 0.05, "{} > {}", task.estimate.total_days, max);
                    prop_assert!(plan.deps[index].iter().all(|dep| *dep < index));
                }
            }
        }
    }
}
