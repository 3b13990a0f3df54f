//! Team task planning for stories (docs/reference-behaviour.md §1.4, §1.5, §5.2, §5.8, §5.9): the
//! `task_generation`, `task_creation` and `cycle_time_estimate` jobs.
//!
//! For each story: read it and its epic (the explicit `epic_key`, else the story's parent),
//! generate team tasks with the story, the epic and its PRD/RFC as context, then plan them with
//! [`crate::task_graph`] (team prefixes, dependencies resolved, cycles repaired, oversized tasks
//! split, dependency order). The writes are planned in two phases, every task first and then
//! the links ("Work item split" from the story, "Blocks" from each prerequisite to its
//! dependent, the tasks of the same run named by their create step), and either previewed or
//! sent through the exactly-once [`Executor`].

use std::collections::BTreeMap;
use std::time::Instant;

use atlassian::KnownLinkType;
use atlassian::models::{Issue, NewIssue};
use generation::task::{StoryTasksInput, Team, TeamTask, TestCase};
use generation::text_analysis::parse_criteria;
use job_types::planning_tasks::{
    CycleTimeEstimateJob, CycleTimeEstimateResponse, ERROR_DETAIL_ATTRIBUTE,
    ERROR_STATUS_ATTRIBUTE, StoryDetail, TaskCreation, TaskCreationOutcome, TaskCreationResult,
    TaskDetail, TaskGeneration, TaskPlanningResult, TaskRelationship, TaskTestCase,
};
use job_types::{UsageRecord, WriteAction, WriteOutcome};
use jobs::{CancellationToken, JobContext};
use serde_json::{Map, Value, json};

use crate::custom_fields::FieldRole;
use crate::cycle_time::{TicketFacts, estimate_cycle_time};
use crate::documents::{EpicDocuments, epic_documents};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::task_graph::{PlanOptions, plan_story_tasks};
use crate::tickets::{description_markdown, is_epic, parent_context};
use crate::writes::{Executor, IssueRef, Write, WriteScope, WriteStep, preview};

/// The cycle-time limit the generator gets when splitting is off: no task is that long.
const NO_SPLIT_DAYS: f64 = 1000.0;

/// The reference's wording for a story without a parent epic.
pub const NO_PARENT_EPIC: &str =
    "Story has no parent epic in JIRA. Provide epic_key (or parent_key) explicitly.";

/// Warning added when a request names repositories.
pub const REPOS_NOT_USED: &str = "repos were accepted but are not used yet: code-aware task generation is not available, so the tasks were planned from the story, its epic and the epic's documents";

impl BackgroundJob for TaskGeneration {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        ctx.update_counters(|counters| counters.total_tickets = Some(self.story_keys.len() as u64));
        let result =
            generate_tasks(env, &WriteScope::of(ctx), &self, ctx.cancellation().clone()).await;
        finish(ctx, result).await
    }
}

impl BackgroundJob for TaskCreation {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        ctx.update_counters(|counters| counters.total_tickets = Some(self.story_keys.len() as u64));
        let result =
            create_tasks(env, &WriteScope::of(ctx), &self, ctx.cancellation().clone()).await;
        finish(ctx, result).await
    }
}

impl BackgroundJob for CycleTimeEstimateJob {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        let result = estimate_ticket(env, &self).await;
        finish(ctx, result).await
    }
}

/// Records what a synchronous request needs to answer a failure, and the story counters.
async fn finish<T>(ctx: &JobContext, result: Result<T, PlanFailure>) -> Result<T, Failure> {
    match result {
        Ok(output) => Ok(output),
        Err(PlanFailure::Failure(failure)) => Err(failure),
        Err(PlanFailure::BadRequest(failure)) => {
            let mut attributes = Map::new();
            attributes.insert(ERROR_STATUS_ATTRIBUTE.into(), json!(400));
            attributes.insert(ERROR_DETAIL_ATTRIBUTE.into(), json!(failure.0.message));
            // Best effort: without it the request answers 422 with the same message.
            let _ = ctx.merge_attributes(attributes).await;
            Err(failure)
        }
    }
}

/// How planning fails.
#[derive(Debug)]
pub enum PlanFailure {
    Failure(Failure),
    /// Answered with 400 and the message as `detail`.
    BadRequest(Failure),
}

impl From<Failure> for PlanFailure {
    fn from(failure: Failure) -> Self {
        PlanFailure::Failure(failure)
    }
}

impl PlanFailure {
    /// The failure, whatever status it is answered with.
    pub fn failure(&self) -> &Failure {
        match self {
            PlanFailure::Failure(failure) | PlanFailure::BadRequest(failure) => failure,
        }
    }
}

/// A story read from Jira with the epic its tasks go under.
#[derive(Debug, Clone)]
struct StoryContext {
    key: String,
    summary: String,
    description: Option<String>,
    criteria: Vec<String>,
    epic: Issue,
}

/// Plans (and with `dry_run = false` writes) the tasks of `payload`'s stories as `scope`.
/// Running it again with the same job id writes nothing twice.
pub async fn generate_tasks(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &TaskGeneration,
    cancel: CancellationToken,
) -> Result<TaskPlanningResult, PlanFailure> {
    let started = Instant::now();
    let model = env.resolve_model(
        payload.llm_provider.as_deref(),
        payload.llm_model.as_deref(),
    )?;
    let mut warnings: Vec<String> = Vec::new();
    if !payload.repos.is_empty() {
        warnings.push(REPOS_NOT_USED.to_owned());
    }

    let stories = load_stories(env, &payload.story_keys, payload.epic_key.as_deref()).await?;
    let mut documents: BTreeMap<String, EpicDocuments> = BTreeMap::new();
    for story in &stories {
        if !documents.contains_key(&story.epic.key) {
            let found = epic_documents(env, &story.epic).await;
            warnings.extend(found.warnings());
            documents.insert(story.epic.key.clone(), found);
        }
    }

    let options = PlanOptions {
        max_tasks: payload.max_tasks_per_story.max(1) as usize,
        split_oversized: payload.split_oversized_tasks,
        max_task_cycle_days: payload.max_task_cycle_days,
    };
    let mut usage = UsageRecord::default();
    let mut planned: Vec<PlannedStory> = Vec::with_capacity(stories.len());
    for story in stories {
        let input = StoryTasksInput {
            story_key: Some(story.key.clone()),
            summary: story.summary.clone(),
            description: story.description.clone(),
            acceptance_criteria: Vec::new(),
            parent: Some(parent_context(&story.epic)),
            documents: documents
                .get(&story.epic.key)
                .map(|found| found.documents.clone())
                .unwrap_or_default(),
            additional_context: payload.additional_context.clone(),
            max_tasks: payload.max_tasks_per_story.clamp(1, 30),
            // With splitting off, the generator must not split either.
            max_task_cycle_days: if payload.split_oversized_tasks {
                payload.max_task_cycle_days
            } else {
                NO_SPLIT_DAYS
            },
            include_test_cases: payload.generate_test_cases,
            coverage_level: Default::default(),
        };
        let generated = env.generate(&input, &model, cancel.clone()).await?;
        usage.add(&generated.usage);
        let plan = plan_story_tasks(generated.output.tasks, options);
        warnings.extend(
            plan.warnings
                .iter()
                .map(|warning| format!("{}: {warning}", story.key)),
        );
        planned.push(PlannedStory {
            story_type: serde_json::to_value(generated.output.story_type)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned)),
            system_prompt: generated.system_prompt,
            user_prompt: generated.user_prompt,
            tasks: plan.tasks,
            deps: plan.deps,
            story,
        });
    }

    let fields = match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => Some(resolution),
        Err(failure) => {
            warnings.push(format!(
                "Custom fields could not be read ({failure}); mandays and test cases are not set"
            ));
            None
        }
    };
    let mandays_field = fields
        .as_ref()
        .and_then(|fields| fields.id(FieldRole::Mandays).map(str::to_owned));
    let test_case_field = fields
        .as_ref()
        .and_then(|fields| fields.id(FieldRole::TestCases).map(str::to_owned));
    if fields.is_some() && mandays_field.is_none() {
        warnings.push(
            "No mandays field on this Jira site; task estimates are not written to Jira".to_owned(),
        );
    }
    if payload.generate_test_cases && fields.is_some() && test_case_field.is_none() {
        warnings.push(
            "No test-case field on this Jira site; test cases are not written to Jira".to_owned(),
        );
    }

    let steps = write_steps(
        &planned,
        mandays_field.as_deref(),
        if payload.generate_test_cases {
            test_case_field.as_deref()
        } else {
            None
        },
    );
    let write_plan = preview(&env.jira, scope.id(), &steps).await?;

    let mut result = TaskPlanningResult {
        epic_key: payload
            .epic_key
            .clone()
            .or_else(|| planned.first().map(|story| story.story.epic.key.clone()))
            .unwrap_or_default(),
        operation_mode: "planning".to_owned(),
        success: true,
        created_tickets: BTreeMap::new(),
        story_details: Vec::new(),
        task_details: Vec::new(),
        summary_stats: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        execution_time_seconds: 0.0,
        system_prompt: planned.first().map(|story| story.system_prompt.clone()),
        user_prompt: planned.first().map(|story| story.user_prompt.clone()),
        additional_context: payload.additional_context.clone(),
        dry_run: payload.dry_run,
        write_plan: Some(write_plan),
        writes: Vec::new(),
        relationships: Vec::new(),
        relationships_created: Vec::new(),
        llm_provider: Some(usage.provider.clone()).filter(|p| !p.is_empty()),
        llm_model: Some(usage.model.clone()).filter(|m| !m.is_empty()),
        usage: Some(usage),
    };

    // Second, the writes (the plan above is what they send).
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    if !payload.dry_run {
        let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
        let outcomes = executor.run_all(&steps).await;
        created = executor.created().clone();
        for outcome in &outcomes {
            if outcome.status == "failed" {
                result.errors.push(format!(
                    "{} {} failed: {}",
                    outcome.action.as_str(),
                    outcome.target,
                    outcome.error.as_deref().unwrap_or("unknown error")
                ));
            }
        }
        result.relationships_created = created_links(&planned, &steps, &outcomes, &created);
        result.writes = outcomes;
    }

    describe(&mut result, &planned, &created, payload);
    result.warnings = warnings;
    result.success = result.errors.is_empty();
    result.execution_time_seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    Ok(result)
}

/// Plans and optionally creates `tasks_per_story` tasks for each story (`task_creation`).
pub async fn create_tasks(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &TaskCreation,
    cancel: CancellationToken,
) -> Result<TaskCreationResult, PlanFailure> {
    let generation = TaskGeneration {
        story_keys: payload.story_keys.clone(),
        epic_key: None,
        dry_run: !payload.create_tickets,
        split_oversized_tasks: true,
        max_task_cycle_days: 3.0,
        max_tasks_per_story: payload.tasks_per_story,
        llm_provider: None,
        llm_model: None,
        additional_context: None,
        generate_test_cases: false,
        team_separation: false,
        repos: Vec::new(),
    };
    let planning = generate_tasks(env, scope, &generation, cancel).await?;
    let creation_results = payload.create_tickets.then(|| TaskCreationOutcome {
        created_tasks: planning
            .task_details
            .iter()
            .filter_map(|task| task.jira_key.clone())
            .collect(),
        relationships_created: planning.relationships_created.clone(),
        failed: planning.errors.clone(),
        writes: planning.writes.clone(),
    });
    Ok(TaskCreationResult {
        story_keys: payload.story_keys.clone(),
        success: planning.success,
        planning_results: planning,
        creation_results,
    })
}

/// The cycle-time estimate of one ticket (`cycle_time_estimate`).
pub async fn estimate_ticket(
    env: &JobEnv,
    payload: &CycleTimeEstimateJob,
) -> Result<CycleTimeEstimateResponse, PlanFailure> {
    let issue = read(
        env,
        &payload.ticket_key,
        format!("Ticket {} not found", payload.ticket_key),
    )
    .await?;
    let description = description_markdown(&issue);
    let facts = TicketFacts {
        summary: issue.summary().to_owned(),
        acceptance_criteria: criteria_of(description.as_deref()),
        subtasks: issue
            .fields
            .subtasks
            .iter()
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
    let estimate = estimate_cycle_time(&facts, payload.max_cycle_days);
    Ok(CycleTimeEstimateResponse {
        ticket_key: issue.key.clone(),
        development_days: estimate.development_days,
        testing_days: estimate.testing_days,
        review_days: estimate.review_days,
        deployment_days: estimate.deployment_days,
        total_days: estimate.total_days,
        confidence_level: estimate.confidence_level,
        exceeds_limit: estimate.exceeds_limit,
        split_recommendations: estimate.split_recommendations,
        basis: estimate.basis,
    })
}

/// One story's planned tasks.
struct PlannedStory {
    story: StoryContext,
    story_type: Option<String>,
    system_prompt: String,
    user_prompt: String,
    /// In dependency order, ids `T1..Tn`.
    tasks: Vec<TeamTask>,
    deps: Vec<Vec<usize>>,
}

impl PlannedStory {
    fn task_id(&self, task: &TeamTask) -> String {
        format!("{}:{}", self.story.key, task.id)
    }

    fn create_step(&self, task: &TeamTask) -> String {
        format!("create:{}:{}", self.story.key, task.id)
    }

    /// The prerequisites of the task at `index` (`deps` holds positions in `tasks`).
    fn prerequisites(&self, index: usize) -> impl Iterator<Item = &TeamTask> {
        self.deps
            .get(index)
            .into_iter()
            .flatten()
            .filter_map(|dep| self.tasks.get(*dep))
    }
}

async fn read(env: &JobEnv, key: &str, missing: String) -> Result<Issue, Failure> {
    env.jira.get_issue(key, &[], &[]).await.map_err(|error| {
        if matches!(error, atlassian::Error::NotFound { .. }) {
            Failure::not_found(missing)
        } else {
            Failure::jira(key, error)
        }
    })
}

/// Reads every story and the epic its tasks go under.
async fn load_stories(
    env: &JobEnv,
    keys: &[String],
    epic_key: Option<&str>,
) -> Result<Vec<StoryContext>, PlanFailure> {
    let mut epics: BTreeMap<String, Issue> = BTreeMap::new();
    if let Some(epic_key) = epic_key {
        let epic = read(env, epic_key, format!("Epic {epic_key} not found in JIRA")).await?;
        epics.insert(epic_key.to_owned(), epic);
    }
    let mut stories = Vec::with_capacity(keys.len());
    for key in keys {
        let issue = read(env, key, format!("Story ticket {key} not found in JIRA")).await?;
        let epic_key = match epic_key {
            Some(epic_key) => epic_key.to_owned(),
            None => match issue.parent_key() {
                Some(parent) => parent.to_owned(),
                None => {
                    return Err(PlanFailure::BadRequest(Failure::invalid(format!(
                        "{NO_PARENT_EPIC} ({key} has no parent)"
                    ))));
                }
            },
        };
        if !epics.contains_key(&epic_key) {
            let parent = read(
                env,
                &epic_key,
                format!("Parent epic {epic_key} of {key} not found in JIRA"),
            )
            .await?;
            if !is_epic(&parent) {
                return Err(PlanFailure::BadRequest(Failure::invalid(format!(
                    "{NO_PARENT_EPIC} ({key}'s parent {epic_key} is a {}, not an epic)",
                    parent.issue_type_name().unwrap_or("issue")
                ))));
            }
            epics.insert(epic_key.clone(), parent);
        }
        let Some(epic) = epics.get(&epic_key).cloned() else {
            return Err(Failure::internal("epic read but not kept").into());
        };
        let description = description_markdown(&issue);
        stories.push(StoryContext {
            key: issue.key.clone(),
            summary: issue.summary().to_owned(),
            criteria: criteria_of(description.as_deref()),
            description,
            epic,
        });
    }
    Ok(stories)
}

fn criteria_of(description: Option<&str>) -> Vec<String> {
    description
        .map(|text| {
            parse_criteria(text, true)
                .into_iter()
                .map(|criterion| criterion.text)
                .collect()
        })
        .unwrap_or_default()
}

/// A task's Jira description: Purpose, Scopes, Expected Outcome (the description contract).
pub fn task_description(task: &TeamTask) -> String {
    let bullets = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("- {item}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "**Purpose:**\n{}\n\n**Scopes:**\n{}\n\n**Expected Outcome:**\n{}",
        task.purpose.trim(),
        bullets(&task.scopes),
        bullets(&task.expected_outcome)
    )
}

/// Test cases as Markdown for the test-case field.
fn test_cases_markdown(cases: &[TestCase]) -> String {
    cases
        .iter()
        .map(|case| {
            let steps = case
                .test_steps
                .iter()
                .map(|step| format!("- {step}"))
                .collect::<Vec<_>>()
                .join("\n");
            format!(
                "**{} {}** ({})\n{}\n\n{}\n\n**Expected:** {}",
                case.id,
                case.title,
                enum_name(&case.priority),
                case.description,
                steps,
                case.expected_result
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn enum_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn team_name(team: Team) -> String {
    enum_name(&team)
}

/// Every write, tasks first, then links: phase two may name tasks created in phase one.
fn write_steps(
    stories: &[PlannedStory],
    mandays_field: Option<&str>,
    test_case_field: Option<&str>,
) -> Vec<WriteStep> {
    let mut steps = Vec::new();
    for story in stories {
        let project = story.story.epic.key.split('-').next().unwrap_or_default();
        for task in &story.tasks {
            let mut issue = NewIssue::new(project, "Task", task.summary.clone())
                .with_description(markup::markdown_to_adf(&task_description(task)))
                .with_parent(story.story.epic.key.clone());
            if let Some(field) = mandays_field {
                issue = issue.with_custom_field(field, json!(task.estimate.total_days));
            }
            if let Some(field) = test_case_field
                && !task.test_cases.is_empty()
                && let Ok(value) = serde_json::to_value(markup::markdown_to_adf(
                    &test_cases_markdown(&task.test_cases),
                ))
            {
                issue = issue.with_custom_field(field, value);
            }
            steps.push(WriteStep::new(
                story.create_step(task),
                Write::CreateIssue(issue),
            ));
        }
    }
    for story in stories {
        for task in &story.tasks {
            // "story split to task": the task is split from the story.
            steps.push(WriteStep::new(
                format!("link:split:{}:{}", story.story.key, task.id),
                Write::CreateLink {
                    link: KnownLinkType::WorkItemSplit,
                    inward: IssueRef::Existing(story.story.key.clone()),
                    outward: IssueRef::Created(story.create_step(task)),
                },
            ));
        }
        for (index, dependent) in story.tasks.iter().enumerate() {
            for prerequisite in story.prerequisites(index) {
                // "prerequisite blocks dependent".
                steps.push(WriteStep::new(
                    format!(
                        "link:blocks:{}:{}:{}",
                        story.story.key, prerequisite.id, dependent.id
                    ),
                    Write::CreateLink {
                        link: KnownLinkType::Blocks,
                        inward: IssueRef::Created(story.create_step(prerequisite)),
                        outward: IssueRef::Created(story.create_step(dependent)),
                    },
                ));
            }
        }
    }
    steps
}

/// The links that were made (or found made by an earlier attempt).
fn created_links(
    stories: &[PlannedStory],
    steps: &[WriteStep],
    outcomes: &[WriteOutcome],
    created: &BTreeMap<String, String>,
) -> Vec<TaskRelationship> {
    let team_of: BTreeMap<String, Team> = stories
        .iter()
        .flat_map(|story| {
            story
                .tasks
                .iter()
                .map(move |task| (story.create_step(task), task.team))
        })
        .collect();
    steps
        .iter()
        .zip(outcomes)
        .filter(|(_, outcome)| {
            outcome.action == WriteAction::CreateLink && outcome.status != "failed"
        })
        .filter_map(|(step, _)| {
            let Write::CreateLink {
                link,
                inward,
                outward,
            } = &step.write
            else {
                return None;
            };
            let end = |end: &IssueRef| match end {
                IssueRef::Existing(key) => Some(key.clone()),
                IssueRef::Created(step) => created.get(step).cloned(),
            };
            let team = |end: &IssueRef| match end {
                IssueRef::Created(step) => team_of.get(step).map(|team| team_name(*team)),
                IssueRef::Existing(_) => None,
            };
            Some(TaskRelationship {
                from: end(inward)?,
                to: end(outward)?,
                link_type: match link {
                    KnownLinkType::Blocks => "Blocks".to_owned(),
                    KnownLinkType::WorkItemSplit => "Work item split".to_owned(),
                    other => format!("{other:?}"),
                },
                blocking_team: team(inward),
                dependent_team: team(outward),
            })
        })
        .collect()
}

/// Fills task and story details, created tickets, relationships and summary statistics.
fn describe(
    result: &mut TaskPlanningResult,
    stories: &[PlannedStory],
    created: &BTreeMap<String, String>,
    payload: &TaskGeneration,
) {
    let mut by_team: BTreeMap<String, u64> = BTreeMap::new();
    let mut total_days = 0.0;
    let mut created_tasks = Vec::new();
    for story in stories {
        let mut story_tasks = Vec::new();
        for (index, task) in story.tasks.iter().enumerate() {
            let key = created.get(&story.create_step(task)).cloned();
            let id = story.task_id(task);
            *by_team.entry(team_name(task.team)).or_default() += 1;
            total_days += task.estimate.total_days;
            created_tasks.push(match &key {
                Some(key) => key.clone(),
                None if payload.dry_run => format!("[DRY_RUN] {}", task.summary),
                None => format!("[NOT_CREATED] {}", task.summary),
            });
            for prerequisite in story.prerequisites(index) {
                let ends = |at: &TeamTask| {
                    created
                        .get(&story.create_step(at))
                        .cloned()
                        .unwrap_or_else(|| story.task_id(at))
                };
                result.relationships.push(TaskRelationship {
                    from: ends(prerequisite),
                    to: ends(task),
                    link_type: "Blocks".to_owned(),
                    blocking_team: Some(team_name(prerequisite.team)),
                    dependent_team: Some(team_name(task.team)),
                });
            }
            story_tasks.push(id.clone());
            result.task_details.push(TaskDetail {
                task_id: id,
                summary: task.summary.clone(),
                description: task_description(task),
                team: team_name(task.team),
                depends_on_tasks: story
                    .prerequisites(index)
                    .map(|dep| story.task_id(dep))
                    .collect(),
                blocked_by_teams: task
                    .blocked_by_teams
                    .iter()
                    .map(|t| team_name(*t))
                    .collect(),
                estimated_days: Some(task.estimate.total_days),
                test_cases: task.test_cases.iter().map(test_case).collect(),
                jira_key: key,
                story_key: story.story.key.clone(),
                cycle_time: json!({
                    "development_days": task.estimate.development_days,
                    "testing_days": task.estimate.testing_days,
                    "review_days": task.estimate.review_days,
                    "deployment_days": task.estimate.deployment_days,
                    "total_days": task.estimate.total_days,
                    "confidence": task.estimate.confidence,
                }),
            });
        }
        result.story_details.push(StoryDetail {
            summary: story.story.summary.clone(),
            description: story.story.description.clone().unwrap_or_default(),
            acceptance_criteria: story.story.criteria.clone(),
            test_cases: Vec::new(),
            tasks: story_tasks,
            jira_key: Some(story.story.key.clone()),
            jira_url: None,
            ticket_source: Some("jira_api".to_owned()),
            epic_key: story.story.epic.key.clone(),
            story_type: story.story_type.clone(),
            system_prompt: Some(story.system_prompt.clone()),
            user_prompt: Some(story.user_prompt.clone()),
        });
    }
    result
        .created_tickets
        .insert("tasks".to_owned(), created_tasks);
    let mut stats = Map::new();
    stats.insert("total_stories".into(), json!(stories.len()));
    stats.insert("total_tasks".into(), json!(result.task_details.len()));
    stats.insert(
        "total_estimated_days".into(),
        json!((total_days * 100.0_f64).round() / 100.0),
    );
    stats.insert("dependencies".into(), json!(result.relationships.len()));
    stats.insert("tasks_by_team".into(), json!(by_team));
    if payload.team_separation {
        let count = |team: &str| by_team.get(team).copied().unwrap_or(0);
        let mut separation = Map::new();
        separation.insert("backend_tasks".into(), json!(count("backend")));
        separation.insert("frontend_tasks".into(), json!(count("frontend")));
        separation.insert("qa_tasks".into(), json!(count("qa")));
        for (team, field) in [("devops", "devops_tasks"), ("mobile", "mobile_tasks")] {
            if count(team) > 0 {
                separation.insert(field.into(), json!(count(team)));
            }
        }
        stats.insert("team_separation".into(), Value::Object(separation));
    }
    result.summary_stats = Some(stats);
}

fn test_case(case: &TestCase) -> TaskTestCase {
    TaskTestCase {
        id: case.id.clone(),
        title: case.title.clone(),
        test_type: enum_name(&case.test_type),
        priority: enum_name(&case.priority),
        description: case.description.clone(),
        preconditions: case.preconditions.clone(),
        test_steps: case.test_steps.join("\n"),
        expected_result: case.expected_result.clone(),
    }
}
