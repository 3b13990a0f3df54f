//! `story_generation`, `story_creation`, `epic_planning` and `epic_creation` (docs/reference-behaviour.md §1.4,
//! §1.5): stories for an epic from its summary, description and PRD/RFC pages, optionally with
//! test cases and team tasks per story, previewed as a write plan or created under the epic
//! exactly once.
//!
//! The reference's versions never produced anything (docs/reference-behaviour.md §9 B6), ignored the requested
//! model (B9) and could create duplicates on retry (§5.8). Here every model call honours
//! `llm_provider`/`llm_model` and reports its prompts and usage; a generated story that an
//! existing story of the epic already covers is reported as `skipped` instead of being created
//! twice; and every write goes through [`crate::writes`], keyed by the job id, so re-running a
//! job never creates a story, task or link again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use atlassian::KnownLinkType;
use atlassian::models::{Issue, NewIssue};
use generation::task::{
    CoverageLevel, EpicStoriesInput, ParentContext, SourceDocument, StoryDraft, StoryTasksInput,
    TeamTask, TestCase, TestCasesInput, TestTarget,
};
use job_types::epic_planning::{
    BulkCreationResult, CreationResults, EpicCreation, EpicPlanOptions, EpicPlanning,
    PlanningResult, StoryCreation, StoryCreationResult, StoryGeneration, StoryPlanDetail,
    TaskPlanDetail, TestCaseDetail,
};
use job_types::{UsageRecord, WriteOutcome, intent_id};
use jobs::JobContext;
use llm::ResolvedModel;
use serde_json::json;

use crate::custom_fields::FieldRole;
use crate::documents::epic_documents;
use crate::env::JobEnv;
use crate::epic_analysis::{read_children, read_epic};
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::requirement_coverage::{Requirement, StoryText, coverage};
use crate::tickets::{description_markdown, parent_context};
use crate::writes::{Executor, IssueRef, Write, WriteScope, WriteStep, marker_label, preview};

/// The Jira issue types planning creates.
const STORY_TYPE: &str = "Story";
const TASK_TYPE: &str = "Task";

/// Why a generated story is not created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duplicate {
    /// This story of the epic already covers it.
    Existing(String),
    /// An earlier story of the same plan has the same summary.
    Repeated,
}

impl Duplicate {
    fn key(&self) -> Option<&str> {
        match self {
            Duplicate::Existing(key) => Some(key),
            Duplicate::Repeated => None,
        }
    }
}

/// One story of the plan with what was generated for it.
#[derive(Debug, Clone)]
struct PlannedStory {
    draft: StoryDraft,
    /// Set when the story is not created.
    existing: Option<Duplicate>,
    test_cases: Vec<TestCase>,
    tasks: Vec<TeamTask>,
}

/// Step names, stable across attempts of the same job.
fn story_step(index: usize) -> String {
    format!("story:{index}")
}

fn task_step(story: usize, task: &str) -> String {
    format!("task:{story}:{task}")
}

/// The plan-wide id of a task (`S1-T2`): generated ids are unique per story only.
fn task_id(story: usize, task: &str) -> String {
    format!("S{}-{task}", story + 1)
}

/// The Markdown description a story is created with: the user story, the generated context,
/// the acceptance criteria and, when the site has no test-case field, the test cases.
pub fn story_markdown(draft: &StoryDraft, tests_inline: &[TestCase]) -> String {
    let mut text = String::new();
    let user_story = draft.user_story.trim();
    if !user_story.is_empty() && !draft.description.contains(user_story) {
        text.push_str(user_story);
        text.push_str("\n\n");
    }
    text.push_str(draft.description.trim());
    if !draft.acceptance_criteria.is_empty() {
        text.push_str("\n\n### Acceptance criteria\n\n");
        for criterion in &draft.acceptance_criteria {
            text.push_str(&format!("- {}\n", criterion.trim()));
        }
    }
    if !tests_inline.is_empty() {
        text.push_str("\n\n### Test cases\n\n");
        text.push_str(&test_cases_markdown(tests_inline));
    }
    text.trim().to_owned()
}

/// Test cases as Markdown, for the test-case field or a description.
pub fn test_cases_markdown(tests: &[TestCase]) -> String {
    let mut text = String::new();
    for test in tests {
        text.push_str(&format!(
            "- **{}** ({}, {:?}): {}\n",
            test.title.trim(),
            serde_json::to_value(test.test_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            test.priority,
            test.expected_result.trim()
        ));
        for step in &test.test_steps {
            text.push_str(&format!("  - {}\n", step.trim()));
        }
    }
    text
}

/// A team task's description in the reference's format.
pub fn task_markdown(task: &TeamTask) -> String {
    let mut text = format!(
        "**Team:** {}\n\n**Purpose:** {}\n\n**Scopes:**\n",
        task.team.name(),
        task.purpose.trim()
    );
    for scope in &task.scopes {
        text.push_str(&format!("- {}\n", scope.trim()));
    }
    text.push_str("\n**Expected Outcome:**\n");
    for outcome in &task.expected_outcome {
        text.push_str(&format!("- {}\n", outcome.trim()));
    }
    if !task.test_cases.is_empty() {
        text.push_str("\n**Test Cases:**\n");
        text.push_str(&test_cases_markdown(&task.test_cases));
    }
    text.trim().to_owned()
}

fn test_case_detail(test: &TestCase, source: &str) -> TestCaseDetail {
    let name = |value: serde_json::Value| value.as_str().map(str::to_owned).unwrap_or_default();
    TestCaseDetail {
        title: test.title.clone(),
        test_type: name(serde_json::to_value(test.test_type).unwrap_or_default()),
        description: test.description.clone(),
        expected_result: test.expected_result.clone(),
        priority: Some(name(
            serde_json::to_value(test.priority).unwrap_or_default(),
        )),
        traceability: test.covers.clone(),
        precondition: (!test.preconditions.is_empty()).then(|| test.preconditions.join("\n")),
        test_steps: (!test.test_steps.is_empty()).then(|| test.test_steps.join("\n")),
        source: Some(source.to_owned()),
    }
}

/// Marks drafts that an existing story already covers, and drafts repeating an earlier draft.
/// A story that carries the marker label of one of this job's own steps was created by an
/// earlier attempt of this job: it is not a duplicate (the executor reports it as written).
pub fn match_existing(
    drafts: &[StoryDraft],
    existing: &[StoryText],
    own_markers: &BTreeSet<String>,
    labels: &BTreeMap<String, Vec<String>>,
) -> Vec<Option<Duplicate>> {
    let foreign: Vec<StoryText> = existing
        .iter()
        .filter(|story| {
            !labels
                .get(&story.key)
                .is_some_and(|labels| labels.iter().any(|label| own_markers.contains(label)))
        })
        .cloned()
        .collect();
    let mut seen = BTreeSet::new();
    drafts
        .iter()
        .map(|draft| {
            let wanted = Requirement {
                text: draft.summary.clone(),
                section: None,
                ticket: None,
            };
            let found = coverage(&wanted, &foreign);
            let summary = draft.summary.trim().to_lowercase();
            if !seen.insert(summary) {
                Some(Duplicate::Repeated)
            } else if found.covered {
                found.story.map(Duplicate::Existing)
            } else {
                None
            }
        })
        .collect()
}

/// What a planning run needs besides its options.
struct PlanningRun<'a> {
    env: &'a JobEnv,
    ctx: &'a JobContext,
    options: &'a EpicPlanOptions,
    model: ResolvedModel,
    usage: UsageRecord,
}

impl PlanningRun<'_> {
    fn track(&mut self, usage: &UsageRecord) {
        self.usage.add(usage);
    }

    async fn progress(&self, message: String) -> Result<(), Failure> {
        self.ctx
            .message(message)
            .await
            .map_err(|_| Failure::internal("the job was stopped"))
    }
}

/// Plans an epic: stories (and, when the mode says so, test cases and team tasks), then either
/// the write plan or the writes.
pub async fn plan_epic(
    env: &JobEnv,
    ctx: &JobContext,
    options: &EpicPlanOptions,
) -> Result<PlanningResult, Failure> {
    let started = Instant::now();
    let model = env.resolve_model(
        options.llm_provider.as_deref(),
        options.llm_model.as_deref(),
    )?;
    let mut run = PlanningRun {
        env,
        ctx,
        options,
        model,
        usage: UsageRecord::default(),
    };
    let epic = read_epic(env, &options.epic_key).await?;
    run.progress(format!("Reading {} and its documents", epic.key))
        .await?;
    let documents = epic_documents(env, &epic).await;
    let children = read_children(env, &epic.key).await?;
    let existing_stories: Vec<&Issue> = children
        .iter()
        .filter(|child| {
            child
                .issue_type_name()
                .map(generation::task::IssueType::from_name)
                == Some(generation::task::IssueType::Story)
        })
        .collect();
    let mut warnings = documents.warnings();
    let input = EpicStoriesInput {
        epic_key: Some(epic.key.clone()),
        summary: epic.summary().to_owned(),
        description: description_markdown(&epic),
        documents: documents.documents.clone(),
        additional_context: None,
        max_stories: options.max_stories,
    };
    run.progress(format!("Generating stories for {}", epic.key))
        .await?;
    let generated = env
        .generate(&input, &run.model, ctx.cancellation().clone())
        .await?;
    run.track(&generated.usage);
    let mut drafts = generated.output.stories;
    drafts.truncate(options.max_stories as usize);

    let job_id = ctx.job_id().to_string();
    let own_markers: BTreeSet<String> = (0..drafts.len())
        .map(|index| marker_label(&intent_id(&job_id, &story_step(index))))
        .collect();
    let labels: BTreeMap<String, Vec<String>> = existing_stories
        .iter()
        .map(|story| (story.key.clone(), story.fields.labels.clone()))
        .collect();
    let existing_texts: Vec<StoryText> = existing_stories
        .iter()
        .map(|story| StoryText {
            key: story.key.clone(),
            summary: story.summary().to_owned(),
            description: description_markdown(story).unwrap_or_default(),
        })
        .collect();
    let matches = match_existing(&drafts, &existing_texts, &own_markers, &labels);
    let epic_context = parent_context(&epic);
    let mut planned = Vec::with_capacity(drafts.len());
    for (draft, existing) in drafts.into_iter().zip(matches) {
        match &existing {
            Some(Duplicate::Existing(key)) => warnings.push(format!(
                "Story \"{}\" is not created: {key} already covers it",
                draft.summary
            )),
            Some(Duplicate::Repeated) => warnings.push(format!(
                "Story \"{}\" is not created twice: the plan repeats it",
                draft.summary
            )),
            None => {}
        }
        planned.push(PlannedStory {
            draft,
            existing,
            test_cases: Vec::new(),
            tasks: Vec::new(),
        });
    }
    let total = planned.len();
    for (index, story) in planned.iter_mut().enumerate() {
        if story.existing.is_some() {
            continue;
        }
        if options.generate_test_cases {
            run.progress(format!(
                "Test cases for story {} of {total}: {}",
                index + 1,
                story.draft.summary
            ))
            .await?;
            story.test_cases =
                story_tests(&mut run, story, &epic_context, &documents.documents).await?;
        }
        if options.operation_mode.includes_tasks() {
            run.progress(format!(
                "Tasks for story {} of {total}: {}",
                index + 1,
                story.draft.summary
            ))
            .await?;
            story.tasks = story_tasks(&mut run, story, &epic_context, &documents.documents).await?;
        }
    }

    let test_field = match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => resolution.id(FieldRole::TestCases).map(str::to_owned),
        Err(_) => None,
    };
    let mandays_field = match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => resolution.id(FieldRole::Mandays).map(str::to_owned),
        Err(_) => None,
    };
    let project = epic
        .fields
        .project
        .as_ref()
        .map(|project| project.key.clone())
        .unwrap_or_else(|| epic.key.split('-').next().unwrap_or_default().to_owned());
    let steps = write_steps(
        &planned,
        &epic.key,
        &project,
        test_field.as_deref(),
        mandays_field.as_deref(),
    );
    let write_plan = preview(&env.jira, &job_id, &steps).await?;
    let mut outcomes: Vec<WriteOutcome> = Vec::new();
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    if options.write && !steps.is_empty() {
        run.progress(format!("Creating {} issues and links in Jira", steps.len()))
            .await?;
        let mut executor = Executor::new(&env.jira, &env.db, WriteScope::of(ctx));
        outcomes = executor.run_all(&steps).await;
        created = executor.created().clone();
    }
    let test_source = if run.usage.provider == "offline" {
        "offline"
    } else {
        "llm_ai"
    };
    let mut result = planning_result(&planned, &created, &epic.key, env, options, test_source);
    result.errors = outcomes
        .iter()
        .filter(|outcome| outcome.status == "failed")
        .map(|outcome| {
            format!(
                "{} {}: {}",
                outcome.action.as_str(),
                outcome.target,
                outcome.error.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    result.success = result.errors.is_empty();
    result.warnings = warnings;
    result.system_prompt = Some(generated.system_prompt);
    result.user_prompt = Some(generated.user_prompt);
    result.write_plan = Some(write_plan);
    result.writes = outcomes;
    result.context_sources = documents.source_names();
    result.llm_provider = Some(run.usage.provider.clone());
    result.llm_model = Some(run.usage.model.clone());
    result.usage = Some(run.usage);
    result.execution_time_seconds = started.elapsed().as_secs_f64();
    Ok(result)
}

async fn story_tests(
    run: &mut PlanningRun<'_>,
    story: &PlannedStory,
    epic: &ParentContext,
    documents: &[SourceDocument],
) -> Result<Vec<TestCase>, Failure> {
    let input = TestCasesInput {
        target: TestTarget::Story,
        key: None,
        summary: story.draft.summary.clone(),
        description: Some(story.draft.description.clone()),
        acceptance_criteria: story.draft.acceptance_criteria.clone(),
        team: None,
        parent: Some(epic.clone()),
        documents: documents.to_vec(),
        additional_context: None,
        coverage_level: CoverageLevel::Standard,
    };
    let generated = run
        .env
        .generate(&input, &run.model, run.ctx.cancellation().clone())
        .await?;
    run.track(&generated.usage);
    Ok(generated.output.test_cases)
}

async fn story_tasks(
    run: &mut PlanningRun<'_>,
    story: &PlannedStory,
    epic: &ParentContext,
    documents: &[SourceDocument],
) -> Result<Vec<TeamTask>, Failure> {
    let input = StoryTasksInput {
        story_key: None,
        summary: story.draft.summary.clone(),
        description: Some(story.draft.description.clone()),
        acceptance_criteria: story.draft.acceptance_criteria.clone(),
        parent: Some(epic.clone()),
        documents: documents.to_vec(),
        additional_context: None,
        max_tasks: run.options.max_tasks_per_story,
        max_task_cycle_days: run.options.max_task_cycle_days,
        include_test_cases: run.options.generate_test_cases,
        coverage_level: CoverageLevel::Standard,
    };
    let generated = run
        .env
        .generate(&input, &run.model, run.ctx.cancellation().clone())
        .await?;
    run.track(&generated.usage);
    let mut tasks = generated.output.tasks;
    tasks.truncate(run.options.max_tasks_per_story as usize);
    Ok(tasks)
}

/// The writes of a plan: each new story under the epic, each task under the epic split from its
/// story, and a Blocks link for each dependency between tasks of the same story.
fn write_steps(
    planned: &[PlannedStory],
    epic_key: &str,
    project: &str,
    test_field: Option<&str>,
    mandays_field: Option<&str>,
) -> Vec<WriteStep> {
    let mut steps = Vec::new();
    for (index, story) in planned.iter().enumerate() {
        if story.existing.is_some() {
            continue;
        }
        let inline_tests: &[TestCase] = if test_field.is_none() {
            &story.test_cases
        } else {
            &[]
        };
        let mut issue = NewIssue::new(project, STORY_TYPE, story.draft.summary.trim())
            .with_parent(epic_key)
            .with_description(markup::markdown_to_adf(&story_markdown(
                &story.draft,
                inline_tests,
            )));
        if let Some(field) = test_field
            && !story.test_cases.is_empty()
        {
            issue = issue.with_custom_field(
                field,
                markup::markdown_to_adf(&test_cases_markdown(&story.test_cases)).to_json(),
            );
        }
        if let Some(field) = mandays_field
            && !story.tasks.is_empty()
        {
            let days = story
                .tasks
                .iter()
                .fold(0.0, |total, task| total + task.estimate.total_days);
            issue = issue.with_custom_field(field, json!(days));
        }
        steps.push(WriteStep::new(story_step(index), Write::CreateIssue(issue)));
        let ids: BTreeSet<&str> = story.tasks.iter().map(|task| task.id.as_str()).collect();
        for task in &story.tasks {
            let mut issue = NewIssue::new(project, TASK_TYPE, task.summary.trim())
                .with_parent(epic_key)
                .with_description(markup::markdown_to_adf(&task_markdown(task)));
            if let Some(field) = mandays_field {
                issue = issue.with_custom_field(field, json!(task.estimate.total_days));
            }
            steps.push(WriteStep::new(
                task_step(index, &task.id),
                Write::CreateIssue(issue),
            ));
        }
        for task in &story.tasks {
            steps.push(WriteStep::new(
                format!("link:split:{index}:{}", task.id),
                Write::CreateLink {
                    link: KnownLinkType::WorkItemSplit,
                    inward: IssueRef::Created(story_step(index)),
                    outward: IssueRef::Created(task_step(index, &task.id)),
                },
            ));
        }
        for task in &story.tasks {
            for dependency in task
                .depends_on_tasks
                .iter()
                .filter(|dependency| ids.contains(dependency.as_str()))
            {
                steps.push(WriteStep::new(
                    format!("link:blocks:{index}:{dependency}:{}", task.id),
                    Write::CreateLink {
                        link: KnownLinkType::Blocks,
                        inward: IssueRef::Created(task_step(index, dependency)),
                        outward: IssueRef::Created(task_step(index, &task.id)),
                    },
                ));
            }
        }
    }
    steps
}

fn planning_result(
    planned: &[PlannedStory],
    created: &BTreeMap<String, String>,
    epic_key: &str,
    env: &JobEnv,
    options: &EpicPlanOptions,
    test_source: &str,
) -> PlanningResult {
    let mut story_details = Vec::new();
    let mut task_details = Vec::new();
    let mut created_stories = Vec::new();
    let mut created_tasks = Vec::new();
    let mut tasks_by_team: BTreeMap<String, usize> = BTreeMap::new();
    for (index, story) in planned.iter().enumerate() {
        let jira_key = match &story.existing {
            Some(duplicate) => duplicate.key().map(str::to_owned),
            None => created.get(&story_step(index)).cloned(),
        };
        if story.existing.is_none()
            && let Some(key) = &jira_key
        {
            created_stories.push(key.clone());
        }
        let tasks: Vec<TaskPlanDetail> = story
            .tasks
            .iter()
            .map(|task| {
                let key = created.get(&task_step(index, &task.id)).cloned();
                if let Some(key) = &key {
                    created_tasks.push(key.clone());
                }
                *tasks_by_team
                    .entry(task.team.name().to_lowercase())
                    .or_default() += 1;
                TaskPlanDetail {
                    task_id: Some(task_id(index, &task.id)),
                    summary: task.summary.clone(),
                    description: task_markdown(task),
                    team: serde_json::to_value(task.team)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    depends_on_tasks: task
                        .depends_on_tasks
                        .iter()
                        .map(|dependency| task_id(index, dependency))
                        .collect(),
                    estimated_days: Some(task.estimate.total_days),
                    test_cases: task
                        .test_cases
                        .iter()
                        .map(|test| test_case_detail(test, test_source))
                        .collect(),
                    jira_url: key.as_deref().map(|key| env.jira.browse_url(key)),
                    jira_key: key,
                }
            })
            .collect();
        task_details.extend(tasks.iter().cloned());
        let was_created = story.existing.is_none() && jira_key.is_some();
        story_details.push(StoryPlanDetail {
            summary: story.draft.summary.clone(),
            description: story_markdown(&story.draft, &[]),
            acceptance_criteria: story.draft.acceptance_criteria.clone(),
            test_cases: story
                .test_cases
                .iter()
                .map(|test| test_case_detail(test, test_source))
                .collect(),
            tasks,
            jira_url: jira_key.as_deref().map(|key| env.jira.browse_url(key)),
            ticket_source: match (&story.existing, was_created) {
                (Some(_), _) if jira_key.is_some() => Some("jira_api".to_owned()),
                (None, true) => Some("newly_created".to_owned()),
                _ => None,
            },
            action_taken: if story.existing.is_some() {
                Some("skipped".to_owned())
            } else if was_created {
                Some("created".to_owned())
            } else {
                None
            },
            was_updated: Some(false),
            prd_row_uuid: None,
            user_story: Some(story.draft.user_story.clone()),
            priority: serde_json::to_value(story.draft.priority)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
            story_points: Some(story.draft.story_points),
            source: story.draft.source.clone(),
            jira_key,
        });
    }
    let to_create = planned.iter().filter(|s| s.existing.is_none()).count();
    let summary_stats = json!({
        "total_stories": planned.len(),
        "stories_to_create": to_create,
        "stories_skipped": planned.len() - to_create,
        "total_tasks": task_details.len(),
        "total_estimated_days": task_details
            .iter()
            .filter_map(|t| t.estimated_days)
            .fold(0.0, |total, days| total + days),
        "total_test_cases": story_details.iter().map(|s| s.test_cases.len()).sum::<usize>()
            + task_details.iter().map(|t| t.test_cases.len()).sum::<usize>(),
        "tasks_by_team": tasks_by_team,
    });
    let mut created_tickets = BTreeMap::new();
    created_tickets.insert("stories".to_owned(), created_stories);
    if options.operation_mode.includes_tasks() {
        created_tickets.insert("tasks".to_owned(), created_tasks);
    }
    PlanningResult {
        epic_key: epic_key.to_owned(),
        operation_mode: options.operation_mode.as_str().to_owned(),
        success: true,
        created_tickets,
        story_details,
        task_details,
        summary_stats: Some(summary_stats),
        dry_run: !options.write,
        ..PlanningResult::default()
    }
}

/// The `creation_results` of a planning result.
pub fn creation_results(result: &PlanningResult) -> CreationResults {
    CreationResults {
        created_tickets: result.created_tickets.clone(),
        success: result.errors.is_empty(),
        dry_run: result.dry_run,
        errors: result.errors.clone(),
        links: result
            .writes
            .iter()
            .filter(|outcome| outcome.action == job_types::WriteAction::CreateLink)
            .filter(|outcome| outcome.status != "failed")
            .map(|outcome| outcome.target.clone())
            .collect(),
    }
}

impl BackgroundJob for StoryGeneration {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<PlanningResult, Failure> {
        plan_epic(env, ctx, &self.options).await
    }
}

impl BackgroundJob for EpicPlanning {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<PlanningResult, Failure> {
        plan_epic(env, ctx, &self.options).await
    }
}

impl BackgroundJob for EpicCreation {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<BulkCreationResult, Failure> {
        let started = Instant::now();
        let planning = plan_epic(env, ctx, &self.options).await?;
        let job_id = ctx.job_id().to_string();
        Ok(BulkCreationResult {
            epic_key: planning.epic_key.clone(),
            create_tickets: self.options.write,
            success: planning.success,
            creation_results: Some(creation_results(&planning)),
            rollback_info: None,
            errors: planning.errors.clone(),
            execution_time_seconds: started.elapsed().as_secs_f64(),
            status_url: Some(format!("/jobs/{job_id}")),
            job_id: Some(job_id),
            planning_results: Some(planning),
        })
    }
}

impl BackgroundJob for StoryCreation {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<StoryCreationResult, Failure> {
        let planning = plan_epic(env, ctx, &self.options).await?;
        Ok(StoryCreationResult {
            epic_key: planning.epic_key.clone(),
            success: planning.success,
            creation_results: Some(creation_results(&planning)),
            errors: planning.errors.clone(),
            planning_results: Some(planning),
        })
    }
}

#[cfg(test)]
mod tests {
    use generation::task::Priority;

    use super::*;

    fn draft(summary: &str) -> StoryDraft {
        StoryDraft {
            summary: summary.into(),
            user_story: format!("As a shopper, I want {summary}, so that I buy faster."),
            description: "Context for the team.".into(),
            acceptance_criteria: vec!["Given a cart, when I pay, then it works".into()],
            priority: Priority::High,
            story_points: 3,
            source: None,
        }
    }

    fn story(key: &str, summary: &str) -> StoryText {
        StoryText {
            key: key.into(),
            summary: summary.into(),
            description: String::new(),
        }
    }

    #[test]
    fn drafts_covered_by_existing_stories_or_repeated_are_matched() {
        let drafts = [
            draft("Guest checkout without an account"),
            draft("Order confirmation e-mail"),
            draft("Order confirmation e-mail"),
        ];
        let existing = [story("PW-4", "Guest checkout")];
        let matches = match_existing(&drafts, &existing, &BTreeSet::new(), &BTreeMap::new());
        assert_eq!(matches[0], Some(Duplicate::Existing("PW-4".into())));
        assert_eq!(matches[1], None);
        assert_eq!(matches[2], Some(Duplicate::Repeated));
    }

    #[test]
    fn a_story_this_job_created_earlier_is_not_a_duplicate() {
        let drafts = [draft("Order confirmation e-mail")];
        let existing = [story("PW-20", "Order confirmation e-mail")];
        let marker = "pw-0123456789abcdef".to_owned();
        let own = BTreeSet::from([marker.clone()]);
        let labels = BTreeMap::from([("PW-20".to_owned(), vec![marker])]);
        assert_eq!(match_existing(&drafts, &existing, &own, &labels), [None]);
        assert_eq!(
            match_existing(&drafts, &existing, &BTreeSet::new(), &BTreeMap::new()),
            [Some(Duplicate::Existing("PW-20".into()))]
        );
    }

    #[test]
    fn the_story_description_carries_the_user_story_and_criteria() {
        let text = story_markdown(&draft("Guest checkout"), &[]);
        assert!(text.starts_with("As a shopper, I want Guest checkout"));
        assert!(text.contains("### Acceptance criteria\n\n- Given a cart"));
        let criteria = crate::requirement_coverage::acceptance_criteria(&text);
        assert_eq!(criteria.len(), 1, "{text}");
    }
}
