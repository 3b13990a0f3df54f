//! One test per planning rule and per error of `sprint_planning::plan`, on hand-made inputs
//! whose right answer is worked out in each test's comment.

mod common;

use common::*;
use sprint_planning::{
    CapacityModel, CapacityOverride, PlanError, PlanInput, PlanWarning, SprintNaming, SprintPlan,
    UnassignedReason, plan,
};

fn sprint_name(plan: &SprintPlan, key: &str) -> Option<String> {
    plan.sprint_of(key).map(|s| s.name.clone())
}

fn keys_in(plan: &SprintPlan, index: usize) -> Vec<&str> {
    plan.sprints[index]
        .tasks
        .iter()
        .map(String::as_str)
        .collect()
}

#[test]
fn a_chain_that_fits_shares_one_sprint() {
    let p = plan(&input(
        vec![task("A", 2.0), task("B", 2.0), task("C", 2.0)],
        &[("A", "B"), ("B", "C")],
        10.0,
    ))
    .unwrap();
    assert_eq!(p.total_sprints, 1);
    assert_eq!(keys_in(&p, 0), ["A", "B", "C"]);
    assert_eq!(p.sprints[0].used_days, 6.0);
    assert!((p.sprints[0].utilisation - 0.6).abs() < 1e-12);
    assert!(p.warnings.is_empty());
}

#[test]
fn a_task_never_goes_before_its_blocker_even_where_it_would_fit() {
    // X (9 d) is placed first and fills sprint 1 to 9/10; A (5 d) goes to sprint 2; B (1 d)
    // would fit the day left in sprint 1 but A blocks it, so it goes to sprint 2 too.
    let p = plan(&input(
        vec![task("X", 9.0), task("A", 5.0), task("B", 1.0)],
        &[("A", "B")],
        10.0,
    ))
    .unwrap();
    assert_eq!(sprint_name(&p, "X").as_deref(), Some("Sprint 1"));
    assert_eq!(sprint_name(&p, "A").as_deref(), Some("Sprint 2"));
    assert_eq!(sprint_name(&p, "B").as_deref(), Some("Sprint 2"));
    assert_eq!(p.sprints[0].used_days, 9.0);
}

#[test]
fn an_independent_task_backfills_an_earlier_sprint() {
    // A (8) fills sprint 1; B (3), blocked by A, goes to sprint 2; C (2) has no blocker and
    // fits the 2 days left in sprint 1.
    let p = plan(&input(
        vec![task("A", 8.0), task("B", 3.0), task("C", 2.0)],
        &[("A", "B")],
        10.0,
    ))
    .unwrap();
    assert_eq!(keys_in(&p, 0), ["A", "C"]);
    assert_eq!(keys_in(&p, 1), ["B"]);
}

#[test]
fn tasks_are_placed_longest_critical_path_first_then_by_key() {
    // Critical paths: L-1 → L-2 → L-3 (3 d each) gives 9, 6, 3; S is 4. Ties (T-2, T-10:
    // both 1) go by natural key order.
    let p = plan(&input(
        vec![
            task("S", 4.0),
            task("L-3", 3.0),
            task("L-1", 3.0),
            task("L-2", 3.0),
            task("T-10", 1.0),
            task("T-2", 1.0),
        ],
        &[("L-1", "L-2"), ("L-2", "L-3")],
        7.0,
    ))
    .unwrap();
    let order: Vec<&str> = p.assignments.iter().map(|a| a.task.as_str()).collect();
    assert_eq!(order, ["L-1", "L-2", "S", "L-3", "T-2", "T-10"]);
    // L-1 + L-2 = 6 in sprint 1; S does not fit there (10 > 7), opens sprint 2; L-3 joins S
    // (7); T-2 takes the day left in sprint 1; T-10 opens sprint 3.
    assert_eq!(keys_in(&p, 0), ["L-1", "L-2", "T-2"]);
    assert_eq!(keys_in(&p, 1), ["S", "L-3"]);
    assert_eq!(keys_in(&p, 2), ["T-10"]);
}

#[test]
fn a_missing_estimate_uses_the_default_and_warns() {
    let mut i = input(vec![task("A", 1.0), task("B", 1.0)], &[], 10.0);
    i.tasks[1].estimate_days = None;
    i.default_estimate_days = 3.0;
    let p = plan(&i).unwrap();
    let b = p.assignment("B").unwrap();
    assert_eq!(b.estimate_days, 3.0);
    assert!(b.estimate_defaulted);
    assert!(!p.assignment("A").unwrap().estimate_defaulted);
    assert_eq!(
        p.warnings,
        [PlanWarning::MissingEstimate {
            task: "B".into(),
            default_days: 3.0
        }]
    );
    assert_eq!(p.sprints[0].used_days, 4.0);
    assert_eq!(
        p.warnings[0].to_string(),
        "B has no estimate; planned with the default of 3 days"
    );
}

#[test]
fn an_oversized_task_sits_alone_in_the_earliest_empty_sprint_and_warns() {
    // B (4) blocks O (8 > capacity 5): sprint 1 holds B, so O goes alone into sprint 2. C (1)
    // is placed last and joins B, not O.
    let mut i = input(
        vec![task("B", 4.0), task("O", 8.0), task("C", 1.0)],
        &[("B", "O")],
        5.0,
    );
    i.sprints = vec![
        sprint(11, "Sprint 1", date(2026, 1, 5), 14),
        sprint(12, "Sprint 2", date(2026, 1, 19), 14),
    ];
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["B", "C"]);
    assert_eq!(keys_in(&p, 1), ["O"]);
    assert!(p.assignment("O").unwrap().oversized);
    assert!((p.sprints[1].utilisation - 1.6).abs() < 1e-12);
    assert_eq!(
        p.warnings,
        [PlanWarning::Oversized {
            task: "O".into(),
            estimate_days: 8.0,
            capacity_days: 5.0,
            sprint: 1
        }]
    );
    assert_eq!(p.sprints_to_create().count(), 0);
}

#[test]
fn a_task_too_big_for_one_sprint_but_fitting_a_later_one_goes_there_normally() {
    // Sprint 1 holds 2 days (override), sprint 2 holds 10: the 6-day task fits sprint 2 and is
    // not oversized, even though sprint 1 is empty.
    let mut i = input(vec![task("A", 6.0)], &[], 4.0);
    i.sprints = vec![
        sprint(1, "Short", date(2026, 1, 5), 14),
        sprint(2, "Big", date(2026, 1, 19), 14),
    ];
    i.sprints[0].capacity = pooled_override(2.0);
    i.sprints[1].capacity = pooled_override(10.0);
    let p = plan(&i).unwrap();
    assert_eq!(sprint_name(&p, "A").as_deref(), Some("Big"));
    assert!(p.warnings.is_empty());
}

#[test]
fn without_auto_create_a_task_that_fits_nowhere_takes_an_empty_sprint_alone() {
    // Sprint 1 (10) holds X (8); sprint 2 is empty but holds only 2 (override). A (3) fits
    // neither, cannot create a sprint, and goes alone into sprint 2 as oversized.
    let mut i = input(vec![task("X", 8.0), task("A", 3.0)], &[], 10.0);
    i.auto_create = None;
    i.sprints = vec![
        sprint(1, "S1", date(2026, 1, 5), 14),
        sprint(2, "S2", date(2026, 1, 19), 14),
    ];
    i.sprints[1].capacity = pooled_override(2.0);
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 1), ["A"]);
    assert_eq!(
        p.warnings[0].to_string(),
        "A needs 3 days, more than its sprint's capacity of 2 days; it was placed alone in its \
         sprint (split it)"
    );
}

#[test]
fn nothing_joins_an_oversized_task_not_even_zero_day_work() {
    let p = plan(&input(
        vec![task("O", 8.0), task("Z", 0.0), task("A", 5.0)],
        &[],
        5.0,
    ))
    .unwrap();
    // O opens sprint 1 alone; A (5) fills sprint 2 exactly; zero-day Z cannot join O (over
    // capacity) but fits the full, not over-capacity sprint 2.
    assert_eq!(keys_in(&p, 0), ["O"]);
    assert_eq!(keys_in(&p, 1), ["A", "Z"]);
    assert_eq!(p.total_sprints, 2);
}

#[test]
fn without_auto_create_the_rest_is_unassigned_with_its_dependants() {
    // One sprint of 5: A (4) goes in; B (3) fits nowhere; C (1) fills it; D is blocked by B.
    let mut i = input(
        vec![
            task("A", 4.0),
            task("B", 3.0),
            task("C", 1.0),
            task("D", 1.0),
        ],
        &[("B", "D")],
        5.0,
    );
    i.auto_create = None;
    i.sprints = vec![sprint(7, "Only", date(2026, 1, 5), 14)];
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["A", "C"]);
    let unassigned: Vec<&str> = p.unassigned().map(|a| a.task.as_str()).collect();
    assert_eq!(unassigned, ["B", "D"]);
    assert_eq!(
        p.warnings,
        [
            PlanWarning::Unassigned {
                task: "B".into(),
                reason: UnassignedReason::NoSprintWithRoom
            },
            PlanWarning::Unassigned {
                task: "D".into(),
                reason: UnassignedReason::BlockerUnassigned {
                    blocker: "B".into()
                }
            },
        ]
    );
    assert_eq!(p.total_sprints, 1);
    assert_eq!(p.completion, Some(date(2026, 1, 18)));
    assert_eq!(
        p.warnings[1].to_string(),
        "D is unassigned because B, which blocks it, is unassigned"
    );
}

#[test]
fn without_any_sprint_and_without_auto_create_everything_is_unassigned() {
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.auto_create = None;
    let p = plan(&i).unwrap();
    assert_eq!(p.total_sprints, 0);
    assert_eq!(p.completion, None);
    assert_eq!(p.unassigned().count(), 1);
}

#[test]
fn new_sprints_continue_numbering_and_dates_after_the_existing_ones() {
    let mut i = input(
        vec![
            task("A", 5.0),
            task("B", 5.0),
            task("C", 5.0),
            task("D", 5.0),
        ],
        &[],
        5.0,
    );
    // Given out of order: the planner uses them by start date.
    i.sprints = vec![
        sprint(106, "Sprint 6", date(2026, 1, 19), 14),
        sprint(105, "Sprint 5", date(2026, 1, 5), 14),
    ];
    i.auto_create.as_mut().unwrap().start = date(2026, 1, 1);
    let p = plan(&i).unwrap();
    let names: Vec<&str> = p.sprints.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Sprint 5", "Sprint 6", "Sprint 7", "Sprint 8"]);
    let created: Vec<_> = p.sprints_to_create().map(|s| (s.start, s.end)).collect();
    assert_eq!(
        created,
        [
            (date(2026, 2, 2), date(2026, 2, 15)),
            (date(2026, 2, 16), date(2026, 3, 1))
        ]
    );
    assert_eq!(p.sprints[0].id, Some(105));
    assert_eq!(p.total_sprints, 4);
    assert_eq!(p.completion, Some(date(2026, 3, 1)));
}

#[test]
fn new_sprints_start_no_earlier_than_the_configured_start() {
    let mut i = input(vec![task("A", 5.0), task("B", 5.0)], &[], 5.0);
    i.sprints = vec![sprint(1, "Alpha", date(2026, 1, 5), 7)];
    i.auto_create.as_mut().unwrap().start = date(2026, 3, 2);
    let p = plan(&i).unwrap();
    let created: Vec<_> = p.sprints_to_create().collect();
    assert_eq!(created.len(), 1);
    // "Alpha" is not "Sprint N": numbering continues from the count of existing sprints.
    assert_eq!(created[0].name, "Sprint 2");
    assert_eq!(created[0].start, date(2026, 3, 2));
    assert_eq!(created[0].end, date(2026, 3, 15));
}

#[test]
fn dated_names_carry_the_start_date() {
    let mut i = input(vec![task("A", 5.0), task("B", 5.0)], &[], 5.0);
    i.auto_create.as_mut().unwrap().naming = SprintNaming::Dated {
        prefix: "Team Rocket".into(),
    };
    let p = plan(&i).unwrap();
    let names: Vec<&str> = p.sprints.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Team Rocket 2026-01-05", "Team Rocket 2026-01-19"]);
}

#[test]
fn a_sprint_capacity_override_applies_to_that_sprint_only() {
    // The first sprint holds 2 days (a holiday sprint): the 3-day task skips it.
    let mut i = input(vec![task("A", 3.0), task("B", 2.0)], &[], 10.0);
    i.sprints = vec![
        sprint(1, "Short", date(2026, 1, 5), 14),
        sprint(2, "Full", date(2026, 1, 19), 14),
    ];
    i.sprints[0].capacity = pooled_override(2.0);
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["B"]);
    assert_eq!(keys_in(&p, 1), ["A"]);
    assert_eq!(p.sprints[0].capacity_days, 2.0);
    assert_eq!(p.sprints[1].capacity_days, 10.0);
}

#[test]
fn per_team_capacity_is_consumed_by_each_team_separately() {
    // BE holds 5 a sprint, FE 5: BE-1 and BE-2 (4 each) cannot share a sprint, FE-1 joins
    // BE-1. Unlabelled work draws from "other" (2).
    let mut i = input(
        vec![
            team_task("BE-1", 4.0, "backend"),
            team_task("BE-2", 4.0, "backend"),
            team_task("FE-1", 4.0, "frontend"),
            task("X-1", 2.0),
        ],
        &[],
        1.0,
    );
    i.capacity = per_team(&[("backend", 5.0), ("frontend", 5.0)], Some(2.0));
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["BE-1", "FE-1", "X-1"]);
    assert_eq!(keys_in(&p, 1), ["BE-2"]);
    let s0 = &p.sprints[0];
    assert_eq!(s0.capacity_days, 12.0);
    assert_eq!(s0.used_days, 10.0);
    let loads: Vec<_> = s0
        .teams
        .iter()
        .map(|l| (l.team.as_deref(), l.capacity_days, l.used_days))
        .collect();
    assert_eq!(
        loads,
        [
            (Some("backend"), 5.0, 4.0),
            (Some("frontend"), 5.0, 4.0),
            (None, 2.0, 2.0)
        ]
    );
    // A sprint created for backend shows the other teams' full capacity.
    assert_eq!(p.sprints[1].teams[1].capacity_days, 5.0);
    assert_eq!(p.sprints[1].teams[1].used_days, 0.0);
}

#[test]
fn per_team_overrides_replace_only_the_listed_teams() {
    let mut i = input(
        vec![
            team_task("BE-1", 2.0, "backend"),
            team_task("FE-1", 2.0, "frontend"),
        ],
        &[],
        1.0,
    );
    i.capacity = per_team(&[("backend", 5.0), ("frontend", 5.0)], None);
    i.sprints = vec![sprint(1, "S1", date(2026, 1, 5), 14)];
    i.sprints[0].capacity = Some(CapacityOverride::PerTeam {
        teams: [("backend".to_owned(), 1.0)].into(),
    });
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["FE-1"]);
    assert_eq!(keys_in(&p, 1), ["BE-1"]);
    assert_eq!(p.sprints[0].capacity_days, 6.0);
}

#[test]
fn a_cross_team_blocker_still_orders_sprints() {
    // backend's BE-1 fills its sprint 1 pool; FE-1 is blocked by BE-2, which lands in sprint 2.
    let mut i = input(
        vec![
            team_task("BE-1", 5.0, "backend"),
            team_task("BE-2", 1.0, "backend"),
            team_task("FE-1", 1.0, "frontend"),
        ],
        &[("BE-2", "FE-1")],
        1.0,
    );
    i.capacity = per_team(&[("backend", 5.0), ("frontend", 5.0)], None);
    let p = plan(&i).unwrap();
    assert_eq!(keys_in(&p, 0), ["BE-1"]);
    assert_eq!(keys_in(&p, 1), ["BE-2", "FE-1"]);
}

#[test]
fn an_empty_input_plans_nothing() {
    let p = plan(&input(Vec::new(), &[], 5.0)).unwrap();
    assert_eq!(p.total_sprints, 0);
    assert!(p.sprints.is_empty() && p.assignments.is_empty() && p.warnings.is_empty());
    assert_eq!(p.completion, None);
}

#[test]
fn the_input_order_never_changes_the_plan() {
    let tasks = vec![
        task("P-1", 3.0),
        task("P-2", 2.5),
        task("P-10", 4.0),
        task("P-3", 1.0),
        task("P-4", 2.0),
    ];
    let links = [("P-1", "P-10"), ("P-2", "P-10"), ("P-3", "P-4")];
    let a = input(tasks.clone(), &links, 5.0);
    let mut b = a.clone();
    b.tasks.reverse();
    b.blocks.reverse();
    assert_eq!(plan(&a).unwrap(), plan(&b).unwrap());
    assert_eq!(plan(&a).unwrap(), plan(&a).unwrap());
}

// Errors.

fn error_of(i: &PlanInput) -> PlanError {
    plan(i).unwrap_err()
}

#[test]
fn a_cycle_names_exactly_its_tasks_in_blocking_order() {
    // D → A leads into the cycle A → B → C → A; E hangs off it. Only A, B, C are named.
    let i = input(
        ["A", "B", "C", "D", "E"]
            .iter()
            .map(|k| task(k, 1.0))
            .collect(),
        &[("D", "A"), ("B", "C"), ("C", "A"), ("A", "B"), ("C", "E")],
        5.0,
    );
    let error = error_of(&i);
    assert_eq!(
        error,
        PlanError::Cycle {
            tasks: vec!["A".into(), "B".into(), "C".into()]
        }
    );
    assert_eq!(
        error.to_string(),
        "the blocks links form a cycle: A blocks B blocks C blocks A"
    );
    // A task blocking itself is a cycle of one.
    let i = input(vec![task("A", 1.0)], &[("A", "A")], 5.0);
    assert_eq!(
        error_of(&i),
        PlanError::Cycle {
            tasks: vec!["A".into()]
        }
    );
}

#[test]
fn a_link_to_an_unknown_task_names_it() {
    let i = input(vec![task("A", 1.0)], &[("A", "GHOST-1")], 5.0);
    let error = error_of(&i);
    assert_eq!(
        error,
        PlanError::UnknownTask {
            unknown: "GHOST-1".into(),
            blocker: "A".into(),
            blocked: "GHOST-1".into()
        }
    );
    assert!(
        error
            .to_string()
            .contains("GHOST-1, which is not among the tasks")
    );
}

#[test]
fn a_capacity_of_zero_or_less_is_refused() {
    for days in [0.0, -3.0, f64::NAN, f64::INFINITY] {
        let error = error_of(&input(vec![task("A", 1.0)], &[], days));
        assert!(
            matches!(&error, PlanError::InvalidCapacity { what, .. } if what == "sprint capacity"),
            "{error:?}"
        );
    }
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.capacity = per_team(&[("backend", 5.0), ("qa", 0.0)], None);
    assert!(
        error_of(&i)
            .to_string()
            .contains("capacity of team qa is 0 days")
    );
    i.capacity = per_team(&[], None);
    assert!(matches!(error_of(&i), PlanError::InvalidCapacity { .. }));
    i.capacity = per_team(&[("backend", 5.0)], Some(-1.0));
    assert!(matches!(error_of(&i), PlanError::InvalidCapacity { .. }));
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.sprints = vec![sprint(3, "S3", date(2026, 1, 5), 14)];
    i.sprints[0].capacity = pooled_override(0.0);
    assert!(
        error_of(&i)
            .to_string()
            .contains("capacity of sprint S3 (3) is 0 days")
    );
}

#[test]
fn bad_estimates_are_refused() {
    for days in [-1.0, f64::NAN] {
        let error = error_of(&input(vec![task("A", days)], &[], 5.0));
        assert!(matches!(error, PlanError::InvalidEstimate { ref task, .. } if task == "A"));
    }
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.default_estimate_days = -2.0;
    assert!(matches!(
        error_of(&i),
        PlanError::InvalidDefaultEstimate { .. }
    ));
}

#[test]
fn duplicate_tasks_and_sprints_are_refused() {
    let i = input(vec![task("A", 1.0), task("A", 2.0)], &[], 5.0);
    assert_eq!(error_of(&i), PlanError::DuplicateTask { key: "A".into() });
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.sprints = vec![
        sprint(9, "S1", date(2026, 1, 5), 14),
        sprint(4, "S2", date(2026, 1, 19), 14),
        sprint(9, "S3", date(2026, 2, 2), 14),
    ];
    assert_eq!(error_of(&i), PlanError::DuplicateSprint { id: 9 });
}

#[test]
fn a_sprint_ending_before_it_starts_is_refused() {
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    let mut s = sprint(1, "S1", date(2026, 1, 5), 14);
    s.end = date(2026, 1, 4);
    i.sprints = vec![s];
    assert!(matches!(error_of(&i), PlanError::InvalidSprintDates { .. }));
}

#[test]
fn new_sprints_of_zero_days_are_refused() {
    let mut i = input(vec![task("A", 1.0)], &[], 5.0);
    i.auto_create.as_mut().unwrap().sprint_length_days = 0;
    assert_eq!(error_of(&i), PlanError::InvalidSprintLength);
}

#[test]
fn team_errors_name_the_task_or_the_team() {
    let mut i = input(
        vec![team_task("A", 1.0, "design"), task("B", 1.0)],
        &[],
        5.0,
    );
    i.capacity = per_team(&[("backend", 5.0)], None);
    assert_eq!(
        error_of(&i),
        PlanError::UnknownTeam {
            task: "A".into(),
            team: Some("design".into())
        }
    );
    i.tasks[0].team = Some("backend".into());
    let error = error_of(&i);
    assert_eq!(
        error,
        PlanError::UnknownTeam {
            task: "B".into(),
            team: None
        }
    );
    assert!(error.to_string().contains("belongs to no team"));

    i.tasks[1].team = Some("backend".into());
    i.sprints = vec![sprint(1, "S1", date(2026, 1, 5), 14)];
    i.sprints[0].capacity = Some(CapacityOverride::PerTeam {
        teams: [("ops".to_owned(), 2.0)].into(),
    });
    assert!(
        matches!(error_of(&i), PlanError::UnknownOverrideTeam { ref team, .. } if team == "ops")
    );
    i.sprints[0].capacity = pooled_override(2.0);
    assert!(matches!(
        error_of(&i),
        PlanError::CapacityOverrideMismatch { .. }
    ));
    i.capacity = CapacityModel::Pooled { days: 5.0 };
    i.sprints[0].capacity = Some(CapacityOverride::PerTeam {
        teams: Default::default(),
    });
    assert!(matches!(
        error_of(&i),
        PlanError::CapacityOverrideMismatch { .. }
    ));
}
