//! `task_generation`, `task_creation` and `cycle_time_estimate`: team tasks planned for stories
//! (docs/reference-behaviour.md §5.2, §5.8; docs/reference-behaviour.md §1.4,
//! §1.5, §5.2, §5.8, §5.9), previewed as a write plan or created in Jira with their links.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// Job attribute naming the HTTP status a synchronous request answers a failure with, when the
/// failure-code table has no code for it (a story without a parent epic is the reference's 400).
pub const ERROR_STATUS_ATTRIBUTE: &str = "error_status";
/// Job attribute with the failure's message alone (the job's `error` also carries the hint).
pub const ERROR_DETAIL_ATTRIBUTE: &str = "error_detail";

/// Plan team tasks for stories (`POST /plan/tasks/generate`, `POST /plan/tasks/team-based`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskGeneration {
    /// Normalized, deduplicated story keys (at least one).
    pub story_keys: Vec<String>,
    /// The epic the tasks go under; derived from each story's parent when absent.
    pub epic_key: Option<String>,
    /// Preview only (the default); `false` creates the tasks and their links.
    pub dry_run: bool,
    pub split_oversized_tasks: bool,
    pub max_task_cycle_days: f64,
    /// Most tasks planned per story (before oversized ones are split).
    pub max_tasks_per_story: u32,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    pub additional_context: Option<String>,
    pub generate_test_cases: bool,
    /// Add `summary_stats.team_separation` (the team-based route).
    pub team_separation: bool,
    /// Repository URLs the request named; accepted but not used yet (reported in `warnings`).
    pub repos: Vec<String>,
}

impl JobPayload for TaskGeneration {
    const KIND: &'static str = "task_generation";
    type Output = TaskPlanningResult;

    fn lock_keys(&self) -> Vec<String> {
        self.story_keys.clone()
    }

    fn subject(&self) -> JobSubject {
        JobSubject::stories(self.story_keys.iter().cloned())
    }
}

/// Plan and optionally create tasks for stories (`POST /plan/tasks/create`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCreation {
    pub story_keys: Vec<String>,
    pub tasks_per_story: u32,
    pub create_tickets: bool,
}

impl JobPayload for TaskCreation {
    const KIND: &'static str = "task_creation";
    type Output = TaskCreationResult;

    fn lock_keys(&self) -> Vec<String> {
        self.story_keys.clone()
    }

    fn subject(&self) -> JobSubject {
        JobSubject::stories(self.story_keys.iter().cloned())
    }
}

/// Estimate one ticket's cycle time (`GET /plan/estimate/{ticket_key}`). Read-only, so it locks
/// nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleTimeEstimateJob {
    pub ticket_key: String,
    /// Tickets longer than this many days should be split (3, the reference's rule).
    pub max_cycle_days: f64,
}

impl JobPayload for CycleTimeEstimateJob {
    const KIND: &'static str = "cycle_time_estimate";
    type Output = CycleTimeEstimateResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.ticket_key)
    }
}

/// The reference's `CycleTimeEstimateResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CycleTimeEstimateResponse {
    pub ticket_key: String,
    pub development_days: f64,
    pub testing_days: f64,
    pub review_days: f64,
    pub deployment_days: f64,
    /// Sum of the four parts, in man-days.
    pub total_days: f64,
    /// 0 to 1: how much the ticket's own text supports the estimate.
    pub confidence_level: f64,
    /// Whether `total_days` is above the 3-day cycle-time limit.
    pub exceeds_limit: bool,
    /// How to split the ticket, when it exceeds the limit.
    pub split_recommendations: Option<Vec<String>>,
    /// What the estimate was based on (criteria, sub-tasks, signals found).
    pub basis: Vec<String>,
}

/// One test case of a task (the reference's `TestCaseModel`, plus id and preconditions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskTestCase {
    pub id: String,
    pub title: String,
    /// `unit`, `integration`, `e2e`, ...
    #[serde(rename = "type")]
    pub test_type: String,
    /// `P0`, `P1` or `P2`.
    pub priority: String,
    pub description: String,
    pub preconditions: Vec<String>,
    /// Gherkin lines, "Given …\nWhen …\nThen …".
    pub test_steps: String,
    pub expected_result: String,
}

/// One planned task (the reference's `TaskDetail`, plus the story, blocking teams and estimate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskDetail {
    /// Unique within the response: `<story key>:T<n>`; `depends_on_tasks` names these.
    pub task_id: String,
    /// Jira summary with the team prefix, e.g. `[BE] Add the refunds endpoint`.
    pub summary: String,
    /// Markdown: `**Team:**`, `**Purpose:**`, `**Scopes:**`, `**Expected Outcome:**`.
    pub description: String,
    /// `backend`, `frontend`, `qa`, `mobile` or `devops`.
    pub team: String,
    /// `task_id`s of the tasks that must finish first (each blocks this one in Jira).
    pub depends_on_tasks: Vec<String>,
    /// Teams whose tasks block this one.
    pub blocked_by_teams: Vec<String>,
    /// Man-days.
    pub estimated_days: Option<f64>,
    pub test_cases: Vec<TaskTestCase>,
    /// The created issue, once written.
    pub jira_key: Option<String>,
    /// The story the task was split from.
    pub story_key: String,
    /// Development, testing, review and deployment days.
    #[schema(value_type = Object)]
    pub cycle_time: Value,
}

/// One story with its tasks (the reference's `StoryDetail`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryDetail {
    pub summary: String,
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    pub test_cases: Vec<TaskTestCase>,
    /// `task_id`s of the story's tasks, in dependency order.
    pub tasks: Vec<String>,
    pub jira_key: Option<String>,
    pub jira_url: Option<String>,
    /// `jira_api`: the story was read from Jira.
    pub ticket_source: Option<String>,
    /// The epic the story's tasks go under.
    pub epic_key: String,
    /// `api_feature`, `ui_feature`, ... as detected.
    pub story_type: Option<String>,
    /// Exactly the prompts sent for this story.
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
}

/// A "Blocks" relationship between two tasks (`relationships_created`, docs/reference-behaviour.md §5.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskRelationship {
    /// The blocking task: its Jira key once created, else its `task_id`.
    pub from: String,
    /// The blocked task.
    pub to: String,
    /// `Blocks` or `Work item split`.
    #[serde(rename = "type")]
    pub link_type: String,
    pub blocking_team: Option<String>,
    pub dependent_team: Option<String>,
}

/// The reference's `PlanningResultResponse` for task planning, plus the write plan, the write
/// outcomes, the relationships and the model's usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskPlanningResult {
    pub epic_key: String,
    /// Always `planning`.
    pub operation_mode: String,
    pub success: bool,
    /// `{"tasks": [...]}`: created keys, or `[DRY_RUN] <summary>` in a preview.
    pub created_tickets: std::collections::BTreeMap<String, Vec<String>>,
    pub story_details: Vec<StoryDetail>,
    pub task_details: Vec<TaskDetail>,
    /// Counts per team, estimates; `team_separation` on the team-based route.
    #[schema(value_type = Option<Object>)]
    pub summary_stats: Option<Map<String, Value>>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub execution_time_seconds: f64,
    /// Exactly the prompts sent (for the first story; each story detail has its own).
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    pub additional_context: Option<String>,
    /// Whether the tasks were written to Jira.
    pub dry_run: bool,
    /// The Jira requests the plan makes (tasks first, then their links), in a preview and a
    /// write alike. Keys of tasks created in the same plan appear as `{{created:<step>}}`.
    pub write_plan: Option<WritePlan>,
    /// What happened to each write, when written.
    pub writes: Vec<WriteOutcome>,
    /// Every "Blocks" relationship between the tasks (planned, or created when written).
    pub relationships: Vec<TaskRelationship>,
    /// The links made in Jira (empty in a preview).
    pub relationships_created: Vec<TaskRelationship>,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    pub usage: Option<UsageRecord>,
}

/// The answer of `POST /plan/tasks/create` (the reference's
/// `{story_keys, planning_results, creation_results, success}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskCreationResult {
    pub story_keys: Vec<String>,
    pub planning_results: TaskPlanningResult,
    /// `null` unless `create_tickets` was set.
    pub creation_results: Option<TaskCreationOutcome>,
    pub success: bool,
}

/// What the creation wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskCreationOutcome {
    /// Keys of the created tasks.
    pub created_tasks: Vec<String>,
    /// Links made (split and blocks).
    pub relationships_created: Vec<TaskRelationship>,
    /// Writes that failed, with why.
    pub failed: Vec<String>,
    pub writes: Vec<WriteOutcome>,
}
