//! `story_coverage` and its follow-ups: how well a story's tasks cover its acceptance criteria,
//! with ready-to-submit suggestions, and the two routes that apply a suggestion (update a task,
//! create a task split from the story). Reference: docs/reference-behaviour.md §1.7 and §5.7.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// Analyse a story's coverage by its tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeStoryCoverage {
    pub story_key: String,
    /// Read the tasks' test-case fields too.
    pub include_test_cases: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    pub additional_context: Option<String>,
}

impl JobPayload for AnalyzeStoryCoverage {
    const KIND: &'static str = "story_coverage";
    type Output = StoryCoverageResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.story_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::story(&self.story_key)
    }
}

/// One task of the story as analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoverageTask {
    pub task_key: String,
    pub summary: String,
    pub description: String,
    pub test_cases: Option<String>,
}

/// A requirement the tasks do not (fully) cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoverageGap {
    pub requirement: String,
    /// `critical`, `important` or `minor`.
    pub severity: String,
    pub suggestion: String,
    pub affected_files: Option<Vec<String>>,
    /// `missing` or `partial`.
    pub implementation_status: Option<String>,
}

/// A requirement and how it is covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RequirementCoverage {
    pub requirement: String,
    /// `acceptance_criteria`, `description` or `summary`.
    pub source: String,
    /// `covered`, `partial` or `missing`.
    pub status: String,
    /// The tasks whose text covers it, best first.
    pub covered_by: Vec<String>,
    /// The share of the requirement's salient terms the best task mentions (0..1).
    pub score: f64,
}

/// The body `POST /analyze/story-coverage/update-task` accepts as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateTaskSubmission {
    pub task_key: String,
    pub updated_description: String,
    pub updated_test_cases: Option<String>,
    pub update_jira: bool,
}

/// The body `POST /analyze/story-coverage/create-task` accepts as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateTaskSubmission {
    pub story_key: String,
    pub task_summary: String,
    pub task_description: String,
    pub test_cases: Option<String>,
    pub create_ticket: bool,
}

/// A suggested change to an existing task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskUpdateSuggestion {
    pub task_key: String,
    pub current_description: String,
    pub suggested_description: String,
    pub suggested_test_cases: Option<String>,
    pub ready_to_submit: UpdateTaskSubmission,
}

/// A suggested new task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewTaskSuggestion {
    pub summary: String,
    pub description: String,
    pub test_cases: Option<String>,
    pub gap_addressed: String,
    pub ready_to_submit: CreateTaskSubmission,
}

/// The reference's `StoryCoverageResponse`, plus the per-requirement table, model and usage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryCoverageResponse {
    pub success: bool,
    pub story_key: String,
    pub story_description: String,
    pub tasks: Vec<CoverageTask>,
    pub coverage_percentage: f64,
    pub gaps: Vec<CoverageGap>,
    pub overall_assessment: String,
    pub covered_requirements: Vec<String>,
    pub requirements: Vec<RequirementCoverage>,
    pub suggestions_for_updates: Vec<TaskUpdateSuggestion>,
    pub suggestions_for_new_tasks: Vec<NewTaskSuggestion>,
    pub error: Option<String>,
    /// `requirement_matching` (deterministic, no model) or `model`.
    pub analysis_method: String,
    pub warnings: Vec<String>,
    /// Exactly the prompts sent; `null` when no model was called.
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    pub additional_context: Option<String>,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    pub usage: Option<UsageRecord>,
}

/// Apply an update suggestion to a task (preview unless `update_jira`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateCoverageTask {
    pub task_key: String,
    pub updated_description: String,
    pub updated_test_cases: Option<String>,
    pub update_jira: bool,
}

impl JobPayload for UpdateCoverageTask {
    const KIND: &'static str = "coverage_task_update";
    type Output = UpdateTaskResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.task_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.task_key)
    }
}

/// The reference's `UpdateTaskResponse`, plus the current values and the write plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateTaskResponse {
    pub success: bool,
    pub task_key: String,
    pub updated_in_jira: bool,
    pub preview_description: Option<String>,
    pub preview_test_cases: Option<String>,
    pub current_description: Option<String>,
    pub current_test_cases: Option<String>,
    pub message: String,
    pub error: Option<String>,
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
}

/// Create a task split from a story (preview unless `create_ticket`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCoverageTask {
    pub story_key: String,
    pub task_summary: String,
    pub task_description: String,
    pub test_cases: Option<String>,
    pub create_ticket: bool,
}

impl JobPayload for CreateCoverageTask {
    const KIND: &'static str = "coverage_task_creation";
    type Output = CreateTaskResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.story_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::story(&self.story_key)
    }
}

/// The reference's `CreateTaskResponse`, plus the epic, the link type and the write plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateTaskResponse {
    pub success: bool,
    pub story_key: String,
    pub task_key: Option<String>,
    pub created_in_jira: bool,
    pub preview_summary: Option<String>,
    pub preview_description: Option<String>,
    pub preview_test_cases: Option<String>,
    /// The epic the task is created under (the story's parent epic).
    pub epic_key: Option<String>,
    /// `Work item split`, or `Relates` when the site has no split link type.
    pub link_type: Option<String>,
    pub message: String,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
}
