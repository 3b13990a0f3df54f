//! Planning an epic into sprints (`sprint_planning`) and its timeline (`timeline_planning`):
//! read the epic's open work from Jira, hand it to the pure planner
//! ([`sprint_planning::plan`]), and, for a plan with `dry_run=false`, create the sprints it
//! needs and move each issue into its sprint through the exactly-once executor.
//!
//! What is planned: the epic's children (stories, tasks, bugs) that are not done and not in an
//! active sprint. Sub-tasks are part of their parent's work (Jira keeps a sub-task in its
//! parent's sprint), so they are never planned alone: they only inform the parent's estimate.
//! Estimates: the mandays field (docs/custom-fields.md) when set, else the cycle-time estimate of
//! the ticket ([`crate::cycle_time`]), with a warning naming the task. Dependencies: "Blocks"
//! links between planned issues.
//!
//! Capacity: the request's days per sprint; else the team's (`team_id`: its active members'
//! capacity from the database, one pool per role when every task carries a role the team has,
//! else pooled); else the reference's 10 days.
//!
//! Sprints: the board's future sprints, in the board's order; one without dates follows the sprint
//! before it (`sprint_duration_days` long). With `auto_create_sprints` (always, for a timeline)
//! the planner adds sprints named `Sprint YYYY-MM-DD` after them. A second plan of the same epic
//! finds the sprints the first created among the board's future sprints and the issues already
//! in them, so it creates and moves nothing again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use atlassian::models::{Issue, NewSprint, Sprint, SprintState};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use generation::text_analysis::parse_criteria;
use job_types::sprints::{
    CapacitySource, CapacityUsed, DEFAULT_SPRINT_CAPACITY_DAYS, EpicPlanSpec, PlanEpicSprints,
    PlanTimeline, PlannedSprintInfo, SkippedIssue, SprintAssignment, SprintPlanningResponse,
    TimelineResponse, TimelineSprintInfo, TimelineTaskInfo,
};
use jobs::JobContext;
use sprint_planning::{
    AutoCreate, BlockEdge, CapacityModel, CapacityOverride, PlanError, PlanInput, SprintInput,
    SprintNaming, SprintPlan, TaskInput,
};

use super::{board_sprints, move_steps};
use crate::custom_fields::FieldRole;
use crate::cycle_time::{TicketFacts, estimate_cycle_time};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::tickets::{description_markdown, is_epic, read_issue};
use crate::writes::{Executor, SprintRef, SprintWrite, Write, WriteScope, WriteStep, preview};

/// Most children of an epic read.
const MAX_CHILDREN: usize = 1000;
/// Most issues read per sprint (to know what is already where).
const MAX_SPRINT_ISSUES: usize = 5000;
/// The limit the cycle-time estimate compares against; only its total is used here.
const CYCLE_LIMIT_DAYS: f64 = 3.0;
/// Prefix of the sprints a plan creates (the reference's `Sprint YYYY-MM-DD`).
const NEW_SPRINT_PREFIX: &str = "Sprint";

/// One issue to plan.
#[derive(Debug, Clone)]
struct WorkItem {
    key: String,
    summary: String,
    estimate_days: f64,
    source: &'static str,
    team: Option<String>,
    current_sprint: Option<u64>,
}

/// Everything read from Jira for one plan.
struct EpicWork {
    items: Vec<WorkItem>,
    blocks: Vec<BlockEdge>,
    sprints: Vec<SprintInput>,
    /// Work outside the epic already in each future sprint, by sprint id.
    commitments: BTreeMap<u64, Commitment>,
    /// The day after the board's last future sprint ends: new sprints start then at the
    /// earliest, even when that sprint is full and not planned into.
    after_board: Option<NaiveDate>,
    skipped: Vec<SkippedIssue>,
    warnings: Vec<String>,
}

/// Open issues of other epics a future sprint already holds: their capacity is taken.
#[derive(Debug, Clone, Default)]
struct Commitment {
    days: f64,
    issues: Vec<String>,
}

/// The capacity model and how the response describes it.
struct Capacity {
    model: CapacityModel,
    used: CapacityUsed,
}

/// The team of a task from the prefix task planning gives its summary (`[BE] …`).
fn team_of(summary: &str) -> Option<String> {
    let rest = summary.trim_start().strip_prefix('[')?;
    let (tag, _) = rest.split_once(']')?;
    let team = match tag.trim().to_ascii_uppercase().as_str() {
        "BE" | "BACKEND" => "backend",
        "FE" | "FRONTEND" => "frontend",
        "QA" => "qa",
        "DEVOPS" | "OPS" => "devops",
        "MOBILE" => "mobile",
        _ => return None,
    };
    Some(team.to_owned())
}

fn is_subtask(issue: &Issue) -> bool {
    issue.issue_type_name().is_some_and(|name| {
        name.to_ascii_lowercase()
            .replace('-', "")
            .contains("subtask")
    })
}

fn is_done(issue: &Issue) -> bool {
    issue
        .fields
        .status
        .as_ref()
        .is_some_and(|status| status.is_done())
}

/// A number in a custom field (a number, or text holding one).
fn number(value: &serde_json::Value) -> Option<f64> {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
        .filter(|days| days.is_finite() && *days >= 0.0)
}

/// The estimate of `issue`: its mandays, else the cycle-time estimate of what it says.
fn estimate(issue: &Issue, mandays_field: Option<&str>) -> (f64, &'static str) {
    if let Some(days) = mandays_field
        .and_then(|field| issue.fields.raw(field))
        .and_then(number)
    {
        return (days, "mandays");
    }
    let description = description_markdown(issue);
    let facts = TicketFacts {
        summary: issue.summary().to_owned(),
        acceptance_criteria: description
            .as_deref()
            .map(|text| {
                parse_criteria(text, true)
                    .into_iter()
                    .map(|criterion| criterion.text)
                    .collect()
            })
            .unwrap_or_default(),
        subtasks: issue
            .fields
            .subtasks
            .iter()
            .filter(|subtask| {
                !subtask
                    .fields
                    .as_ref()
                    .and_then(|fields| fields.status.as_ref())
                    .is_some_and(|status| status.is_done())
            })
            .map(|subtask| {
                subtask
                    .fields
                    .as_ref()
                    .and_then(|fields| fields.summary.clone())
                    .unwrap_or_else(|| subtask.key.clone())
            })
            .collect(),
        description,
    };
    (
        estimate_cycle_time(&facts, CYCLE_LIMIT_DAYS).total_days,
        "cycle_time",
    )
}

fn day_of(time: DateTime<Utc>) -> NaiveDate {
    time.date_naive()
}

fn add_days(day: NaiveDate, days: u64) -> Result<NaiveDate, Failure> {
    day.checked_add_days(Days::new(days))
        .ok_or_else(|| Failure::invalid("the sprint dates run past the last representable date"))
}

/// The board's future sprints as the planner takes them, in the board's order: a dated sprint
/// keeps its dates; an undated one follows the sprint before it (the first follows the active
/// sprints, or starts on `start_date`). Keeping the board's order means a sprint a plan created
/// (dated) stays after the undated ones it was planned after, so planning again gives the
/// same plan.
fn sprint_inputs(
    future: &[Sprint],
    active: &[Sprint],
    spec: &EpicPlanSpec,
) -> Result<Vec<SprintInput>, Failure> {
    let length = u64::from(spec.sprint_duration_days.max(1));
    let mut cursor: Option<NaiveDate> = None;
    for sprint in active {
        if let Some(end) = sprint.end_date {
            let next = add_days(day_of(end), 1)?;
            cursor = Some(cursor.map_or(next, |at| at.max(next)));
        }
    }
    let mut next = cursor.unwrap_or(spec.start_date);
    let mut inputs = Vec::with_capacity(future.len());
    for sprint in future {
        let start = sprint.start_date.map_or(next, day_of);
        let end = match sprint.end_date {
            Some(end) => day_of(end).max(start),
            None => add_days(start, length - 1)?,
        };
        next = add_days(end, 1)?;
        inputs.push(SprintInput {
            id: sprint.id,
            name: sprint.name.clone(),
            start,
            end,
            capacity: None,
        });
    }
    Ok(inputs)
}

/// Reads the epic, the board's open sprints and what is in them, and the epic's open work.
async fn collect(env: &JobEnv, spec: &EpicPlanSpec) -> Result<EpicWork, Failure> {
    let epic = read_issue(env, &spec.epic_key, "Epic").await?;
    if !is_epic(&epic) {
        return Err(Failure::invalid(format!(
            "{} is a {}, not an epic: plan an epic's work (epic_key)",
            spec.epic_key,
            epic.issue_type_name().unwrap_or("issue")
        )));
    }
    let open = board_sprints(
        env,
        spec.board_id,
        &[SprintState::Active, SprintState::Future],
    )
    .await?;
    let (active, future): (Vec<Sprint>, Vec<Sprint>) = open
        .into_iter()
        .partition(|sprint| sprint.state == SprintState::Active);
    let mut warnings = Vec::new();
    let fields = match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => Some(resolution),
        Err(failure) => {
            warnings.push(format!(
                "Custom fields could not be read ({failure}); every estimate comes from the cycle-time estimator"
            ));
            None
        }
    };
    let mandays_field = fields
        .as_ref()
        .and_then(|fields| fields.id(FieldRole::Mandays).map(str::to_owned));
    let mut wanted = vec![
        "summary",
        "description",
        "status",
        "issuetype",
        "issuelinks",
        "subtasks",
        "parent",
    ];
    if let Some(field) = mandays_field.as_deref() {
        wanted.push(field);
    }
    let children = env
        .jira
        .epic_children(&spec.epic_key, &wanted, MAX_CHILDREN)
        .await
        .map_err(|error| Failure::jira(&spec.epic_key, error))?;
    let epic_children: BTreeSet<&str> = children.iter().map(|c| c.key.as_str()).collect();

    // Where each issue is now, and the work of other epics a future sprint already holds.
    let mut in_sprint: HashMap<String, (u64, SprintState)> = HashMap::new();
    let mut commitments: BTreeMap<u64, Commitment> = BTreeMap::new();
    for sprint in active.iter().chain(&future) {
        let issues = env
            .jira
            .sprint_issues(sprint.id, &wanted, MAX_SPRINT_ISSUES)
            .await
            .map_err(|error| Failure::jira(&format!("sprint {}", sprint.id), error))?;
        for issue in issues {
            if sprint.state == SprintState::Future
                && !epic_children.contains(issue.key.as_str())
                && !is_subtask(&issue)
                && !is_done(&issue)
            {
                let entry = commitments.entry(sprint.id).or_default();
                entry.days += estimate(&issue, mandays_field.as_deref()).0;
                entry.issues.push(issue.key.clone());
            }
            in_sprint.insert(issue.key, (sprint.id, sprint.state));
        }
    }

    let mut items = Vec::new();
    let mut skipped = Vec::new();
    let mut planned_issues = Vec::new();
    for issue in &children {
        if is_subtask(issue) {
            continue;
        }
        if is_done(issue) {
            skipped.push(SkippedIssue {
                key: issue.key.clone(),
                reason: "done".to_owned(),
            });
            continue;
        }
        let current = in_sprint.get(&issue.key).copied();
        if let Some((sprint, SprintState::Active)) = current {
            skipped.push(SkippedIssue {
                key: issue.key.clone(),
                reason: format!("in active sprint {sprint}"),
            });
            continue;
        }
        let (days, source) = estimate(issue, mandays_field.as_deref());
        if source != "mandays" {
            warnings.push(format!(
                "{} has no mandays estimate; planned with {days} days from the cycle-time estimator \
                 (set its mandays field for a firmer plan)",
                issue.key
            ));
        }
        items.push(WorkItem {
            key: issue.key.clone(),
            summary: issue.summary().to_owned(),
            estimate_days: days,
            source,
            team: team_of(issue.summary()),
            current_sprint: current.map(|(id, _)| id),
        });
        planned_issues.push(issue);
    }

    // "Blocks" links between planned issues; a blocker outside the plan is only a warning.
    let planned: BTreeSet<&str> = items.iter().map(|item| item.key.as_str()).collect();
    let done_or_started: BTreeSet<&str> = skipped.iter().map(|s| s.key.as_str()).collect();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for issue in planned_issues {
        for link in &issue.fields.issuelinks {
            if !link.link_type.name.eq_ignore_ascii_case("blocks") {
                continue;
            }
            // An outward issue Y: "this blocks Y"; an inward issue Y: "this is blocked by Y".
            let (blocker, blocked) = match (&link.outward_issue, &link.inward_issue) {
                (Some(other), _) => (issue.key.as_str(), other.key.as_str()),
                (None, Some(other)) => (other.key.as_str(), issue.key.as_str()),
                (None, None) => continue,
            };
            if planned.contains(blocker) && planned.contains(blocked) {
                edges.insert((blocker.to_owned(), blocked.to_owned()));
            } else if blocked == issue.key
                && !planned.contains(blocker)
                && !done_or_started.contains(blocker)
            {
                warnings.push(format!(
                    "{blocked} is blocked by {blocker}, which is not part of this plan (another epic, or not open); plan {blocker} first"
                ));
            }
        }
    }
    let blocks = edges
        .into_iter()
        .map(|(blocker, blocked)| BlockEdge::new(blocker, blocked))
        .collect();
    let sprints = sprint_inputs(&future, &active, spec)?;
    let after_board = sprints
        .iter()
        .map(|sprint| sprint.end)
        .max()
        .map(|end| add_days(end, 1))
        .transpose()?;
    Ok(EpicWork {
        items,
        blocks,
        sprints,
        commitments,
        after_board,
        skipped,
        warnings,
    })
}

/// The capacity of the plan: the request's days, the team's members, or the default.
async fn capacity(
    env: &JobEnv,
    spec: &EpicPlanSpec,
    work: &mut EpicWork,
) -> Result<Capacity, Failure> {
    match spec.capacity {
        CapacitySource::Days(days) => {
            if !(days.is_finite() && days > 0.0) {
                return Err(Failure::invalid(format!(
                    "sprint_capacity_days is {days}; a sprint's capacity must be more than 0 days"
                )));
            }
            Ok(Capacity {
                model: CapacityModel::Pooled { days },
                used: CapacityUsed {
                    source: "request".to_owned(),
                    days_per_sprint: days,
                    team_id: None,
                    team_name: None,
                    per_role: BTreeMap::new(),
                },
            })
        }
        CapacitySource::Team(team_id) => team_capacity(env, team_id, spec.board_id, work).await,
        CapacitySource::Default => Ok(Capacity {
            model: CapacityModel::Pooled {
                days: DEFAULT_SPRINT_CAPACITY_DAYS,
            },
            used: CapacityUsed {
                source: "default".to_owned(),
                days_per_sprint: DEFAULT_SPRINT_CAPACITY_DAYS,
                team_id: None,
                team_name: None,
                per_role: BTreeMap::new(),
            },
        }),
    }
}

/// The capacity of team `team_id`: the sum of its active members' capacity. Split by role
/// (each task drawing on its role's pool) when every task carries a role the team has; pooled
/// otherwise, with a warning naming the tasks without one.
async fn team_capacity(
    env: &JobEnv,
    team_id: i64,
    board_id: u64,
    work: &mut EpicWork,
) -> Result<Capacity, Failure> {
    let Some(team) = env.db.team_capacity(team_id, Some(board_id)).await? else {
        return Err(Failure::not_found(format!(
            "Team {team_id} not found: check team_id (GET /teams lists the teams)"
        )));
    };
    if !(team.total_days.is_finite() && team.total_days > 0.0) {
        return Err(Failure::invalid(format!(
            "team_id {team_id} ({}) has a capacity of {} days per sprint (active members: {});              a sprint's capacity must be more than 0: add members or send sprint_capacity_days",
            team.team_name, team.total_days, team.active_members
        )));
    }
    if team.board_linked == Some(false) {
        work.warnings.push(format!(
            "Team {} is not linked to board {board_id}; its whole capacity was used",
            team.team_name
        ));
    }
    let per_role: BTreeMap<String, f64> = team
        .per_role
        .iter()
        .filter(|(_, days)| **days > 0.0)
        .map(|(role, days)| (role.to_ascii_lowercase(), *days))
        .collect();
    let without_role: Vec<&str> = work
        .items
        .iter()
        .filter(|item| {
            item.team
                .as_deref()
                .is_none_or(|role| !per_role.contains_key(role))
        })
        .map(|item| item.key.as_str())
        .collect();
    let split = per_role.len() > 1 && without_role.is_empty() && !work.items.is_empty();
    if per_role.len() > 1 && !without_role.is_empty() {
        work.warnings.push(format!(
            "{} carry no role of team {} ({}), so the team's capacity was pooled",
            without_role.join(", "),
            team.team_name,
            per_role.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let model = if split {
        CapacityModel::PerTeam {
            teams: per_role.clone(),
            other_days: None,
        }
    } else {
        CapacityModel::Pooled {
            days: team.total_days,
        }
    };
    Ok(Capacity {
        model,
        used: CapacityUsed {
            source: "team".to_owned(),
            days_per_sprint: team.total_days,
            team_id: Some(team.team_id),
            team_name: Some(team.team_name),
            per_role: if split { per_role } else { BTreeMap::new() },
        },
    })
}

/// Lowers each future sprint's capacity by the work of other epics it already holds; a sprint
/// with no room left is not planned into. Under per-role capacity the committed work is not
/// split by role (a warning says so).
fn take_committed(work: &mut EpicWork, capacity: &Capacity) {
    let CapacityModel::Pooled { days } = capacity.model else {
        if !work.commitments.is_empty() {
            work.warnings.push(
                "The board's future sprints already hold work of other epics; with capacity per role it is not deducted"
                    .to_owned(),
            );
        }
        return;
    };
    let mut kept = Vec::with_capacity(work.sprints.len());
    for mut sprint in std::mem::take(&mut work.sprints) {
        let Some(taken) = work.commitments.get(&sprint.id).filter(|c| c.days > 0.0) else {
            kept.push(sprint);
            continue;
        };
        let left = days - taken.days;
        if left <= 1e-9 {
            work.warnings.push(format!(
                "{} ({}) is full: it already holds {} days of other work ({}), so nothing is planned into it",
                sprint.name,
                sprint.id,
                round3(taken.days),
                taken.issues.join(", ")
            ));
            continue;
        }
        work.warnings.push(format!(
            "{} ({}) already holds {} days of other work ({}); {} of its {days} days are left for this plan",
            sprint.name,
            sprint.id,
            round3(taken.days),
            taken.issues.join(", "),
            round3(left)
        ));
        sprint.capacity = Some(CapacityOverride::Pooled { days: left });
        kept.push(sprint);
    }
    work.sprints = kept;
}

/// The planner's input for `work`.
fn plan_input(work: &EpicWork, capacity: &Capacity, spec: &EpicPlanSpec, auto: bool) -> PlanInput {
    PlanInput {
        tasks: work
            .items
            .iter()
            .map(|item| TaskInput {
                key: item.key.clone(),
                summary: item.summary.clone(),
                estimate_days: Some(item.estimate_days),
                team: item.team.clone(),
            })
            .collect(),
        blocks: work.blocks.clone(),
        sprints: work.sprints.clone(),
        capacity: capacity.model.clone(),
        default_estimate_days: 1.0,
        auto_create: auto.then(|| AutoCreate {
            sprint_length_days: spec.sprint_duration_days.max(1),
            start: work
                .after_board
                .map_or(spec.start_date, |day| day.max(spec.start_date)),
            naming: SprintNaming::Dated {
                prefix: NEW_SPRINT_PREFIX.to_owned(),
            },
        }),
    }
}

/// The planner's refusal as a 422 that says what to fix.
fn plan_failure(epic_key: &str, error: PlanError) -> Failure {
    match &error {
        PlanError::Cycle { tasks } => Failure::invalid(format!(
            "The \"Blocks\" links of epic {epic_key} form a cycle ({}): tasks {} block each other, \
             so no order exists; remove one of these links",
            error,
            tasks.join(", ")
        )),
        _ => Failure::invalid(format!("epic {epic_key} cannot be planned: {error}")),
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn sprint_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

fn sprint_end(day: NaiveDate) -> DateTime<Utc> {
    // The last moment of the last day, so the end date reads back as the same day.
    day.and_hms_opt(23, 59, 59)
        .map_or_else(|| sprint_start(day), |time| time.and_utc())
}

impl BackgroundJob for PlanEpicSprints {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        plan_epic(env, &WriteScope::of(ctx), &self).await
    }
}

/// `sprint_planning`: the plan, its write plan, and with `dry_run=false` the writes.
pub async fn plan_epic(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &PlanEpicSprints,
) -> Result<SprintPlanningResponse, Failure> {
    let spec = &payload.spec;
    let mut work = collect(env, spec).await?;
    let capacity = capacity(env, spec, &mut work).await?;
    take_committed(&mut work, &capacity);
    let input = plan_input(&work, &capacity, spec, payload.auto_create_sprints);
    let plan =
        sprint_planning::plan(&input).map_err(|error| plan_failure(&spec.epic_key, error))?;

    // The writes: sprints to create, then each sprint's newcomers (50 per request).
    // Step names follow the content (sprint names carry their start date), so a retried job
    // finds its earlier writes under the same intents.
    let create_step = |index: usize| {
        let name = plan
            .sprints
            .get(index)
            .map_or("", |sprint| sprint.name.as_str());
        format!("create-sprint:{name}")
    };
    let mut steps = Vec::new();
    for sprint in plan.sprints_to_create() {
        steps.push(WriteStep::new(
            create_step(sprint.index),
            Write::Sprint(SprintWrite::Create(NewSprint {
                name: sprint.name.clone(),
                origin_board_id: spec.board_id,
                start_date: Some(sprint_start(sprint.start)),
                end_date: Some(sprint_end(sprint.end)),
                goal: Some(format!("{} (planned by Planwright)", spec.epic_key)),
            })),
        ));
    }
    let current: HashMap<&str, Option<u64>> = work
        .items
        .iter()
        .map(|item| (item.key.as_str(), item.current_sprint))
        .collect();
    for sprint in &plan.sprints {
        let newcomers: Vec<String> = sprint
            .tasks
            .iter()
            .filter(|key| {
                sprint.id.is_none() || current.get(key.as_str()).copied().flatten() != sprint.id
            })
            .cloned()
            .collect();
        if newcomers.is_empty() {
            continue;
        }
        let target = match sprint.id {
            Some(id) => SprintRef::Existing(id),
            None => SprintRef::Created(create_step(sprint.index)),
        };
        steps.extend(move_steps(
            &format!("plan-move:{}:{}", sprint.name, newcomers.join(",")),
            &target,
            &newcomers,
        ));
    }
    let write_plan = preview(&env.jira, scope.id(), &steps).await?;

    let mut errors = Vec::new();
    let mut writes = Vec::new();
    let mut created_ids: BTreeMap<usize, u64> = BTreeMap::new();
    if !payload.dry_run {
        let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
        writes = executor.run_all(&steps).await;
        for outcome in &writes {
            if let Some(error) = &outcome.error {
                errors.push(format!(
                    "{} {} failed: {error}",
                    outcome.action.as_str(),
                    outcome.target
                ));
            }
        }
        for sprint in plan.sprints_to_create() {
            if let Some(id) = executor
                .created_key(&create_step(sprint.index))
                .and_then(|id| id.parse().ok())
            {
                created_ids.insert(sprint.index, id);
            }
        }
    }
    Ok(planning_response(
        payload,
        &work,
        &plan,
        capacity.used,
        &created_ids,
        write_plan,
        writes,
        errors,
    ))
}

#[allow(clippy::too_many_arguments)]
fn planning_response(
    payload: &PlanEpicSprints,
    work: &EpicWork,
    plan: &SprintPlan,
    capacity: CapacityUsed,
    created_ids: &BTreeMap<usize, u64>,
    write_plan: job_types::WritePlan,
    writes: Vec<job_types::WriteOutcome>,
    errors: Vec<String>,
) -> SprintPlanningResponse {
    let spec = &payload.spec;
    let sprint_id = |index: usize| {
        plan.sprints
            .get(index)
            .and_then(|sprint| sprint.id)
            .or_else(|| created_ids.get(&index).copied())
    };
    let sprints: Vec<PlannedSprintInfo> = plan
        .sprints
        .iter()
        .map(|sprint| PlannedSprintInfo {
            sprint_id: sprint_id(sprint.index),
            name: sprint.name.clone(),
            start_date: sprint.start,
            end_date: sprint.end,
            new: sprint.id.is_none(),
            capacity_days: round3(sprint.capacity_days),
            used_days: round3(sprint.used_days),
            utilisation: round3(sprint.utilisation),
            task_keys: sprint.tasks.clone(),
        })
        .collect();
    let by_key: HashMap<&str, &WorkItem> = work
        .items
        .iter()
        .map(|item| (item.key.as_str(), item))
        .collect();
    let assignments = plan
        .assignments
        .iter()
        .map(|assignment| {
            let item = by_key.get(assignment.task.as_str());
            SprintAssignment {
                task_key: assignment.task.clone(),
                task_summary: item.map(|item| item.summary.clone()).unwrap_or_default(),
                sprint_id: assignment.sprint.and_then(sprint_id),
                sprint_name: assignment
                    .sprint
                    .and_then(|index| plan.sprints.get(index))
                    .map(|sprint| sprint.name.clone()),
                estimated_days: assignment.estimate_days,
                estimate_source: item.map_or("default", |item| item.source).to_owned(),
                team: assignment.team.clone(),
                oversized: assignment.oversized,
                current_sprint_id: item.and_then(|item| item.current_sprint),
            }
        })
        .collect();
    let mut warnings = work.warnings.clone();
    warnings.extend(plan.warnings.iter().map(ToString::to_string));
    if !payload.auto_create_sprints && plan.unassigned().next().is_some() {
        warnings.push(
            "Some tasks fit no future sprint of the board; send auto_create_sprints=true to add sprints"
                .to_owned(),
        );
    }
    SprintPlanningResponse {
        epic_key: spec.epic_key.clone(),
        board_id: spec.board_id,
        success: errors.is_empty(),
        dry_run: payload.dry_run,
        assignments,
        sprints_created: sprints.iter().filter(|s| s.new).cloned().collect(),
        capacity_utilization: sprints
            .iter()
            .filter(|sprint| !sprint.task_keys.is_empty() || !sprint.new)
            .map(|sprint| (sprint.name.clone(), sprint.utilisation))
            .collect(),
        sprints,
        total_tasks: work.items.len(),
        total_sprints: plan.total_sprints,
        capacity,
        estimated_completion_date: plan.completion,
        skipped: work.skipped.clone(),
        errors,
        warnings,
        write_plan,
        writes,
    }
}

impl BackgroundJob for PlanTimeline {
    async fn run(self, env: &JobEnv, _ctx: &JobContext) -> Result<Self::Output, Failure> {
        plan_timeline(env, &self).await
    }
}

/// `timeline_planning`: the plan from `start_date` (new sprints as needed, nothing written to
/// Jira) as a timeline.
pub async fn plan_timeline(
    env: &JobEnv,
    payload: &PlanTimeline,
) -> Result<TimelineResponse, Failure> {
    let spec = &payload.spec;
    let mut work = collect(env, spec).await?;
    let capacity = capacity(env, spec, &mut work).await?;
    take_committed(&mut work, &capacity);
    let input = plan_input(&work, &capacity, spec, true);
    let plan =
        sprint_planning::plan(&input).map_err(|error| plan_failure(&spec.epic_key, error))?;
    let timeline = sprint_planning::timeline(&plan, &input);
    let chart = serde_json::to_value(&timeline)
        .map_err(|error| Failure::internal(format!("cannot encode the timeline: {error}")))?;
    let sprints = timeline
        .sprints
        .iter()
        .map(|sprint| TimelineSprintInfo {
            sprint_id: sprint.id,
            name: sprint.name.clone(),
            start_date: sprint.start,
            end_date: sprint.end,
            new: sprint.new,
            capacity_days: round3(sprint.capacity_days),
            used_days: round3(sprint.used_days),
            utilisation: round3(sprint.utilisation),
            tasks: sprint
                .tasks
                .iter()
                .filter_map(|&row| timeline.tasks.get(row))
                .map(|task| TimelineTaskInfo {
                    key: task.key.clone(),
                    summary: task.summary.clone(),
                    team: task.team.clone(),
                    estimated_days: task.estimate_days,
                    oversized: task.oversized,
                })
                .collect(),
        })
        .collect();
    let mut warnings = work.warnings.clone();
    warnings.extend(plan.warnings.iter().map(ToString::to_string));
    let response = TimelineResponse {
        epic_key: spec.epic_key.clone(),
        board_id: spec.board_id,
        start_date: spec.start_date,
        sprint_duration_days: spec.sprint_duration_days,
        sprints,
        total_sprints: plan.total_sprints,
        total_tasks: work.items.len(),
        estimated_completion_date: plan.completion,
        capacity: capacity.used,
        computed_at: Utc::now(),
        unassigned: plan.unassigned().map(|a| a.task.clone()).collect(),
        skipped: work.skipped,
        errors: Vec::new(),
        warnings,
        chart,
    };
    let stored = serde_json::to_value(&response)
        .map_err(|error| Failure::internal(format!("cannot encode the timeline: {error}")))?;
    env.db
        .save_timeline(&spec.epic_key, spec.board_id, &stored)
        .await?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_come_from_the_summary_prefix_of_planned_tasks() {
        assert_eq!(team_of("[BE] Store tokens").as_deref(), Some("backend"));
        assert_eq!(team_of(" [fe] Form").as_deref(), Some("frontend"));
        assert_eq!(team_of("[QA] Checks").as_deref(), Some("qa"));
        assert_eq!(team_of("Guest checkout"), None);
        assert_eq!(team_of("[WIP] Guest checkout"), None);
    }

    fn sprint(id: u64, start: Option<&str>, end: Option<&str>) -> Sprint {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("a timestamp")
                .with_timezone(&Utc)
        };
        Sprint {
            id,
            name: format!("S{id}"),
            state: SprintState::Future,
            start_date: start.map(at),
            end_date: end.map(at),
            complete_date: None,
            origin_board_id: Some(1),
            goal: None,
        }
    }

    #[test]
    fn undated_future_sprints_follow_the_sprint_before_them() {
        let spec = EpicPlanSpec {
            epic_key: "DEMO-1".into(),
            board_id: 1,
            capacity: CapacitySource::Default,
            start_date: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            sprint_duration_days: 14,
        };
        let active = [sprint(
            1,
            Some("2026-01-05T09:00:00Z"),
            Some("2026-01-18T17:00:00Z"),
        )];
        let future = [
            sprint(3, None, None),
            sprint(
                4,
                Some("2026-02-02T00:00:00Z"),
                Some("2026-02-15T23:59:59Z"),
            ),
            sprint(5, None, None),
        ];
        let inputs = sprint_inputs(&future, &active, &spec).expect("valid dates");
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
        let spans: Vec<(u64, NaiveDate, NaiveDate)> =
            inputs.iter().map(|s| (s.id, s.start, s.end)).collect();
        assert_eq!(
            spans,
            [
                (3, day("2026-01-19"), day("2026-02-01")),
                (4, day("2026-02-02"), day("2026-02-15")),
                (5, day("2026-02-16"), day("2026-03-01")),
            ]
        );
        // Without an active sprint, the first undated sprint starts on the plan's start date.
        let inputs = sprint_inputs(&future[..1], &[], &spec).expect("valid dates");
        assert_eq!(inputs[0].start, day("2026-01-01"));
    }
}
