//! Epic planning (docs/reference-behaviour.md §1.4, §1.5): gap analysis of an epic against its PRD/RFC
//! (`GET /plan/epic/{key}/analyze`), structural validation (`GET /plan/validate/{key}`), story
//! generation (`POST /plan/stories/generate`, `/plan/stories/create`) and full epic planning with
//! team tasks (`POST /plan/epic/complete`, `/plan/epic/create`).
//!
//! Result types keep the reference's field names (`PlanningResultResponse`, `StoryDetail`,
//! `TaskDetail`, `TestCaseModel`, `BulkCreationResponse`, `EpicAnalysisResponse`) and add what
//! Planwright knows besides: the write plan, write outcomes, usage and the documents used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// What an epic planning run produces (the reference's `operation_mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OperationMode {
    /// Stories from the epic and its documents only.
    Documentation,
    /// Stories and their team tasks.
    Planning,
    /// Stories from the documents and team tasks for each (the default).
    #[default]
    Hybrid,
}

impl OperationMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationMode::Documentation => "documentation",
            OperationMode::Planning => "planning",
            OperationMode::Hybrid => "hybrid",
        }
    }

    /// Parses the wire name (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "documentation" => Some(OperationMode::Documentation),
            "planning" => Some(OperationMode::Planning),
            "hybrid" => Some(OperationMode::Hybrid),
            _ => None,
        }
    }

    /// Whether team tasks are generated for each story.
    pub fn includes_tasks(self) -> bool {
        !matches!(self, OperationMode::Documentation)
    }
}

/// The knobs every epic planning job shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicPlanOptions {
    /// A normalized epic key.
    pub epic_key: String,
    /// Write to Jira (`dry_run=false` / `create_tickets=true`).
    pub write: bool,
    pub operation_mode: OperationMode,
    /// The most stories to generate (1..=50).
    pub max_stories: u32,
    /// The most tasks per story (1..=30).
    pub max_tasks_per_story: u32,
    /// Tasks longer than this many man-days are split.
    pub max_task_cycle_days: f64,
    pub generate_test_cases: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
}

/// `GET /plan/epic/{epic_key}/analyze`: compare an epic's children with its documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicAnalysis {
    pub epic_key: String,
}

impl JobPayload for EpicAnalysis {
    const KIND: &'static str = "epic_analysis";
    type Output = EpicAnalysisResult;

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.epic_key)
    }
}

/// `GET /plan/validate/{epic_key}`: structural checks of an epic's stories and tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicValidation {
    pub epic_key: String,
}

impl JobPayload for EpicValidation {
    const KIND: &'static str = "epic_validation";
    type Output = EpicValidationResult;

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.epic_key)
    }
}

/// `POST /plan/stories/generate`: stories for an epic, previewed or created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryGeneration {
    pub options: EpicPlanOptions,
}

impl JobPayload for StoryGeneration {
    const KIND: &'static str = "story_generation";
    type Output = PlanningResult;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.options.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.options.epic_key)
    }
}

/// `POST /plan/epic/complete`: stories and their team tasks, previewed or created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicPlanning {
    pub options: EpicPlanOptions,
}

impl JobPayload for EpicPlanning {
    const KIND: &'static str = "epic_planning";
    type Output = PlanningResult;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.options.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.options.epic_key)
    }
}

/// `POST /plan/epic/create`: planning plus ticket creation, in the reference's
/// `BulkCreationResponse` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicCreation {
    pub options: EpicPlanOptions,
}

impl JobPayload for EpicCreation {
    const KIND: &'static str = "epic_creation";
    type Output = BulkCreationResult;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.options.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.options.epic_key)
    }
}

/// `POST /plan/stories/create`: a number of stories, previewed or created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryCreation {
    pub options: EpicPlanOptions,
}

impl JobPayload for StoryCreation {
    const KIND: &'static str = "story_creation";
    type Output = StoryCreationResult;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.options.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.options.epic_key)
    }
}

/// One test case (the reference's `TestCaseModel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestCaseDetail {
    pub title: String,
    /// `unit`, `integration`, `acceptance`, `e2e`, `performance`, `security` or `ui`.
    #[serde(rename = "type")]
    pub test_type: String,
    pub description: String,
    pub expected_result: String,
    /// `P0`, `P1` or `P2`.
    pub priority: Option<String>,
    /// The acceptance criterion the test traces to.
    pub traceability: Option<String>,
    pub precondition: Option<String>,
    /// Gherkin lines, newline separated.
    pub test_steps: Option<String>,
    /// Where the test came from: `llm_ai` for a model, `offline` for the built-in generator.
    pub source: Option<String>,
}

/// One team task of a story (the reference's `TaskDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskPlanDetail {
    /// Identifier within the plan (`<story n>.<task id>`), used by `depends_on_tasks`.
    pub task_id: Option<String>,
    pub summary: String,
    /// Markdown: `**Team:**`, `**Purpose:**`, `**Scopes:**`, `**Expected Outcome:**`.
    pub description: String,
    /// `backend`, `frontend`, `qa`, `mobile` or `devops`.
    pub team: String,
    /// `task_id`s of the tasks that must finish first.
    pub depends_on_tasks: Vec<String>,
    /// Estimated man-days.
    pub estimated_days: Option<f64>,
    pub test_cases: Vec<TestCaseDetail>,
    /// The created issue, once written.
    pub jira_key: Option<String>,
    pub jira_url: Option<String>,
}

/// One story (the reference's `StoryDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryPlanDetail {
    pub summary: String,
    /// Markdown, as written to Jira: the user story, context and acceptance criteria.
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub test_cases: Vec<TestCaseDetail>,
    pub tasks: Vec<TaskPlanDetail>,
    pub jira_key: Option<String>,
    pub jira_url: Option<String>,
    /// `newly_created` for a story this run created, `jira_api` for one that already existed.
    pub ticket_source: Option<String>,
    /// `created`, `skipped` (an equal story exists) or `null` in a preview.
    pub action_taken: Option<String>,
    pub was_updated: Option<bool>,
    pub prd_row_uuid: Option<String>,
    /// "As a <role>, I want <capability>, so that <benefit>."
    pub user_story: Option<String>,
    /// `high`, `medium` or `low`.
    pub priority: Option<String>,
    pub story_points: Option<u32>,
    /// The document line or section the story was derived from.
    pub source: Option<String>,
}

/// The result of story generation and epic planning (the reference's
/// `PlanningResultResponse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanningResult {
    pub epic_key: String,
    /// `documentation`, `planning` or `hybrid`.
    pub operation_mode: String,
    pub success: bool,
    /// Keys created by this run, by type (`stories`, `tasks`); empty lists in a preview.
    pub created_tickets: BTreeMap<String, Vec<String>>,
    pub story_details: Vec<StoryPlanDetail>,
    pub task_details: Vec<TaskPlanDetail>,
    /// Counts: stories, tasks, estimated days, test cases, per team.
    #[schema(value_type = Option<Object>)]
    pub summary_stats: Option<serde_json::Value>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub execution_time_seconds: f64,
    /// Exactly the prompts sent for the stories.
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    pub additional_context: Option<String>,
    /// Whether this run was a preview.
    pub dry_run: bool,
    /// The writes a preview would make (or that were made).
    pub write_plan: Option<WritePlan>,
    /// What happened to each write, when writing.
    pub writes: Vec<WriteOutcome>,
    /// The documents (PRD/RFC pages) used as context.
    pub context_sources: Vec<String>,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Model usage over every call of the run.
    pub usage: Option<UsageRecord>,
}

/// What a creating run made (the reference's `creation_results`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreationResults {
    /// Keys created, by type (`stories`, `tasks`); empty lists in a preview.
    pub created_tickets: BTreeMap<String, Vec<String>>,
    pub success: bool,
    /// Whether the run was a preview (nothing was written).
    pub dry_run: bool,
    pub errors: Vec<String>,
    /// Links created between tasks and stories (`"A split to B"`, `"A blocks B"`).
    pub links: Vec<String>,
}

/// `POST /plan/epic/create` (the reference's `BulkCreationResponse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkCreationResult {
    pub epic_key: String,
    pub create_tickets: bool,
    pub success: bool,
    pub planning_results: Option<PlanningResult>,
    pub creation_results: Option<CreationResults>,
    /// Always `null`: writes are never undone; a retried job finishes what was started.
    #[schema(value_type = Option<Object>)]
    pub rollback_info: Option<serde_json::Value>,
    pub errors: Vec<String>,
    pub execution_time_seconds: f64,
    /// The job that produced this result.
    pub job_id: Option<String>,
    pub status_url: Option<String>,
}

/// `POST /plan/stories/create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryCreationResult {
    pub epic_key: String,
    pub planning_results: Option<PlanningResult>,
    pub creation_results: Option<CreationResults>,
    pub success: bool,
    pub errors: Vec<String>,
}

/// A story under the epic, as the analysis saw it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalyzedStory {
    pub key: String,
    pub summary: String,
    pub status: Option<String>,
    /// Acceptance criteria found in the description.
    pub acceptance_criteria: usize,
    /// Tasks and sub-tasks linked to or under the story.
    pub task_count: usize,
    /// Why the story is incomplete (empty when it is not).
    pub problems: Vec<String>,
}

/// A document requirement no story covers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissingStory {
    pub requirement: String,
    /// `PRD` or `RFC`.
    pub document: String,
    /// The heading the requirement sits under.
    pub section: Option<String>,
    /// The closest existing story and the share of the requirement's words it covers.
    pub closest_story: Option<String>,
    pub overlap: f64,
}

/// The analysis counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EpicAnalysisSummary {
    pub total_existing_stories: usize,
    pub total_missing_stories: usize,
    pub total_incomplete_stories: usize,
    pub total_orphaned_tasks: usize,
    /// Share of requirements covered and stories complete, 0 to 100.
    pub completion_percentage: f64,
}

/// `GET /plan/epic/{epic_key}/analyze` (the reference's `EpicAnalysisResponse`: lists of keys
/// and requirement texts, plus details).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EpicAnalysisResult {
    pub epic_key: String,
    /// Keys of the epic's stories.
    pub existing_stories: Vec<String>,
    /// Requirements no story covers.
    pub missing_stories: Vec<String>,
    /// Keys of stories with an empty or placeholder description or no acceptance criteria.
    pub incomplete_stories: Vec<String>,
    /// Keys of tasks under the epic that no story links to.
    pub orphaned_tasks: Vec<String>,
    /// Requirement lines of the PRD.
    pub prd_requirements: Vec<String>,
    /// Requirement lines of the RFC.
    pub rfc_requirements: Vec<String>,
    pub needs_stories: bool,
    /// Whether some story has no tasks yet.
    pub needs_tasks: bool,
    pub is_complete: bool,
    pub summary: EpicAnalysisSummary,
    /// Each story with its criteria, tasks and problems.
    pub story_details: Vec<AnalyzedStory>,
    /// Each missing requirement with its source and the closest story.
    pub missing_story_details: Vec<MissingStory>,
    /// Keys of stories with no tasks.
    pub stories_without_tasks: Vec<String>,
    pub context_sources: Vec<String>,
    pub warnings: Vec<String>,
}

/// One finding of `GET /plan/validate/{epic_key}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidationIssueDetail {
    /// The issue the finding is about.
    pub key: String,
    /// `error` (the epic is not ready) or `warning`.
    pub severity: String,
    /// A stable code, e.g. `story_without_description`.
    pub code: String,
    pub message: String,
}

/// `validation_results` of `GET /plan/validate/{epic_key}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EpicValidationResults {
    pub epic_key: String,
    /// No error-level findings.
    pub valid: bool,
    /// Every finding as a sentence.
    pub issues: Vec<String>,
    pub story_count: usize,
    pub task_count: usize,
    pub orphaned_tasks: Vec<String>,
    /// Every finding with its key, severity and code.
    pub details: Vec<ValidationIssueDetail>,
}

/// `GET /plan/validate/{epic_key}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EpicValidationResult {
    pub epic_key: String,
    pub validation_results: EpicValidationResults,
    pub success: bool,
}
