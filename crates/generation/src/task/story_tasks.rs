//! `story_tasks`: team tasks (Backend, Frontend, Mobile, QA, DevOps) for one story, with the
//! dependencies between them and estimates in man-days.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    CoverageLevel, ParentContext, SourceDocument, TaskInput, TaskKind, TestCase, require_text,
    validate_documents, validate_parent,
};
use crate::error::GenerationError;

fn default_max_tasks() -> u32 {
    10
}

fn default_max_task_cycle_days() -> f64 {
    3.0
}

/// What team tasks are generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryTasksInput {
    /// Jira key of the story.
    #[serde(default)]
    pub story_key: Option<String>,
    /// The story's summary (required).
    pub summary: String,
    /// The story's description.
    #[serde(default)]
    pub description: Option<String>,
    /// Acceptance criteria, when they are kept outside the description.
    #[serde(default)]
    pub acceptance_criteria: Vec<String>,
    /// The epic the story belongs to.
    #[serde(default, alias = "epic")]
    pub parent: Option<ParentContext>,
    /// PRD / RFC pages linked from the epic.
    #[serde(default)]
    pub documents: Vec<SourceDocument>,
    /// Free text from the requester.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Upper bound on the number of tasks (1..=30, default 10).
    #[serde(default = "default_max_tasks", alias = "max_tasks_per_story")]
    pub max_tasks: u32,
    /// Tasks longer than this many man-days are split (default 3).
    #[serde(default = "default_max_task_cycle_days")]
    pub max_task_cycle_days: f64,
    /// Also generate test cases for each task.
    #[serde(default, alias = "generate_test_cases")]
    pub include_test_cases: bool,
    /// Coverage level of those test cases.
    #[serde(default)]
    pub coverage_level: CoverageLevel,
}

impl TaskInput for StoryTasksInput {
    const KIND: TaskKind = TaskKind::StoryTasks;
    type Output = StoryTasks;

    fn validate(&self) -> Result<(), GenerationError> {
        require_text("summary", &self.summary)?;
        validate_parent("parent", self.parent.as_ref())?;
        validate_documents(&self.documents)?;
        if !(1..=30).contains(&self.max_tasks) {
            return Err(GenerationError::invalid_input(
                "max_tasks",
                "must be between 1 and 30",
            ));
        }
        if !(self.max_task_cycle_days.is_finite() && self.max_task_cycle_days >= 0.5) {
            return Err(GenerationError::invalid_input(
                "max_task_cycle_days",
                "must be a number of man-days of at least 0.5",
            ));
        }
        Ok(())
    }
}

/// The tasks generated for a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StoryTasks {
    /// What kind of story this is, which decides the teams involved.
    pub story_type: StoryType,
    /// The tasks, ordered so that every task comes after the tasks it depends on.
    pub tasks: Vec<TeamTask>,
    /// Sum of the tasks' `estimate.total_days`, in man-days.
    pub total_estimate_days: f64,
}

/// The kind of story, detected from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoryType {
    /// Mostly APIs, services and databases.
    ApiFeature,
    /// Mostly screens and components.
    UiFeature,
    /// Data processing, pipelines, migrations, import and export.
    DataFeature,
    /// Connecting to third-party or external systems.
    Integration,
    /// Settings, configuration and administration.
    AdminFeature,
    /// Reports, dashboards and metrics.
    Reporting,
    /// An end-to-end user workflow touching several layers.
    UserWorkflow,
}

/// The team a task is assigned to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Team {
    /// APIs, databases, business logic, integrations, security.
    Backend,
    /// Web UI components, pages, client-side state, accessibility.
    Frontend,
    /// iOS and Android apps.
    Mobile,
    /// Test plans, automated and exploratory testing.
    Qa,
    /// Infrastructure, deployment pipelines, monitoring.
    Devops,
}

impl Team {
    /// The summary prefix the team's tasks carry, e.g. `[BE]`.
    pub fn prefix(self) -> &'static str {
        match self {
            Team::Backend => "[BE]",
            Team::Frontend => "[FE]",
            Team::Mobile => "[MOBILE]",
            Team::Qa => "[QA]",
            Team::Devops => "[DEVOPS]",
        }
    }

    /// The team's display name.
    pub fn name(self) -> &'static str {
        match self {
            Team::Backend => "Backend",
            Team::Frontend => "Frontend",
            Team::Mobile => "Mobile",
            Team::Qa => "QA",
            Team::Devops => "DevOps",
        }
    }
}

/// One task for one team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TeamTask {
    /// Identifier unique within this response, e.g. "T1"; used by `depends_on_tasks`.
    pub id: String,
    /// The team doing the work.
    pub team: Team,
    /// Jira summary with the team prefix, e.g. "[BE] Add POST /api/password-reset endpoint".
    pub summary: String,
    /// One or two sentences on why the task exists.
    pub purpose: String,
    /// The concrete work items.
    pub scopes: Vec<String>,
    /// What is true when the task is done.
    pub expected_outcome: Vec<String>,
    /// Ids of the tasks in this response that must finish first.
    pub depends_on_tasks: Vec<String>,
    /// Teams whose tasks block this one.
    pub blocked_by_teams: Vec<Team>,
    /// Effort in man-days.
    pub estimate: CycleTimeEstimate,
    /// Test cases for this task; empty unless they were requested.
    pub test_cases: Vec<TestCase>,
}

/// Effort of a task in man-days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CycleTimeEstimate {
    /// Building it.
    pub development_days: f64,
    /// Testing it.
    pub testing_days: f64,
    /// Code review.
    pub review_days: f64,
    /// Deployment and release.
    pub deployment_days: f64,
    /// Sum of the four parts.
    pub total_days: f64,
    /// Confidence in the estimate, 0 to 1.
    pub confidence: f64,
}
