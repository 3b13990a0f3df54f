//! `draft_pr_plan`: the plan (PlanSpec) of a Draft PR, the read-only first stage of the
//! PLAN → APPROVAL → APPLY → VERIFY → PACKAGE → DRAFT_PR pipeline.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{TaskInput, TaskKind, require_text};
use crate::error::GenerationError;

/// What a Draft PR plan is generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftPrPlanInput {
    /// Jira key of the story.
    #[serde(default)]
    pub story_key: Option<String>,
    /// The story's summary (required).
    pub summary: String,
    /// The story's description.
    #[serde(default)]
    pub description: Option<String>,
    /// Acceptance criteria kept outside the description.
    #[serde(default)]
    pub acceptance_criteria: Vec<String>,
    /// Repositories the change may touch: a URL string or `{"url", "branch"}`.
    #[serde(default)]
    pub repos: Vec<RepoHint>,
    /// Path constraints from the request (`scope.files`): directories or files.
    #[serde(default)]
    pub scope: Option<ScopeHint>,
    /// Paths known to exist in the repository (a listing or search result); files are picked
    /// from here when they match the story.
    #[serde(default)]
    pub repo_files: Vec<String>,
    /// Free text from the requester ("focus on API endpoints only").
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Present when revising an earlier plan with reviewer feedback.
    #[serde(default)]
    pub revision: Option<PlanRevision>,
}

impl TaskInput for DraftPrPlanInput {
    const KIND: TaskKind = TaskKind::DraftPrPlan;
    type Output = PlanSpec;

    fn validate(&self) -> Result<(), GenerationError> {
        require_text("summary", &self.summary)?;
        for (index, repo) in self.repos.iter().enumerate() {
            if repo.url.trim().is_empty() {
                return Err(GenerationError::invalid_input(
                    format!("repos[{index}].url"),
                    "must not be empty; give the repository's clone URL",
                ));
            }
        }
        if let Some(revision) = &self.revision
            && revision.feedback.trim().is_empty()
            && revision.specific_concerns.is_empty()
            && revision
                .requested_changes
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            return Err(GenerationError::invalid_input(
                "revision.feedback",
                "must not be empty; say what the revised plan should change",
            ));
        }
        Ok(())
    }
}

/// A repository the plan may touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RepoHintWire")]
pub struct RepoHint {
    /// Clone URL.
    pub url: String,
    /// Branch to base the change on.
    pub branch: Option<String>,
}

impl RepoHint {
    /// The repository's short name: the last path segment of the URL without `.git`.
    pub fn name(&self) -> &str {
        let trimmed = self.url.trim().trim_end_matches('/');
        let last = trimmed.rsplit(['/', ':']).next().unwrap_or(trimmed);
        last.strip_suffix(".git").unwrap_or(last)
    }
}

/// The two spellings seed 000 accepts for a repository.
#[derive(Deserialize)]
#[serde(untagged)]
enum RepoHintWire {
    Url(String),
    Spec {
        url: String,
        #[serde(default)]
        branch: Option<String>,
    },
}

impl From<RepoHintWire> for RepoHint {
    fn from(wire: RepoHintWire) -> Self {
        match wire {
            RepoHintWire::Url(url) => RepoHint { url, branch: None },
            RepoHintWire::Spec { url, branch } => RepoHint { url, branch },
        }
    }
}

/// Path constraints from the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeHint {
    /// Directories (ending in `/`) or files the change must stay within.
    #[serde(default)]
    pub files: Vec<String>,
}

/// Reviewer feedback on an earlier plan version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRevision {
    /// The plan being revised.
    pub previous_plan: PlanSpec,
    /// The reviewer's feedback.
    #[serde(default)]
    pub feedback: String,
    /// Individual concerns.
    #[serde(default)]
    pub specific_concerns: Vec<String>,
    /// The changes asked for.
    #[serde(default)]
    pub requested_changes: Option<String>,
    /// e.g. "addition", "removal", "clarification".
    #[serde(default)]
    pub feedback_type: Option<String>,
}

/// A Draft PR plan: the fields of seed 000/001's plan specification plus `reason` per file
/// and ordered `implementation_steps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanSpec {
    /// High-level overview of the change, at least 10 characters.
    pub summary: String,
    /// Files the change will touch; applying the plan may touch no others.
    pub scope: PlanScope,
    /// Ordered steps to implement the change.
    pub implementation_steps: Vec<String>,
    /// Scenarios that must work after the change.
    pub happy_paths: Vec<String>,
    /// Boundary conditions the change must handle.
    pub edge_cases: Vec<String>,
    /// What could go wrong, its impact and the mitigation.
    pub failure_modes: Vec<FailureMode>,
    /// What the plan assumes about the system.
    pub assumptions: Vec<String>,
    /// What must be investigated before or during the change.
    pub unknowns: Vec<String>,
    /// Tests to add or run.
    pub tests: Vec<PlanTest>,
    /// Steps to revert the change.
    pub rollback: Vec<String>,
    /// Effects on other repositories.
    pub cross_repo_impacts: Vec<CrossRepoImpact>,
}

/// The files a plan touches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanScope {
    /// One entry per file.
    pub files: Vec<PlanFile>,
}

/// One file in a plan's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanFile {
    /// Repository-relative path.
    pub path: String,
    /// How the file changes.
    pub change: FileChange,
    /// Why the file changes.
    pub reason: String,
}

/// How a file changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    /// A new file.
    Added,
    /// An existing file is edited.
    Modified,
    /// The file is removed.
    Deleted,
    /// The file moves.
    Renamed,
}

/// A way the change could fail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FailureMode {
    /// What sets it off.
    pub trigger: String,
    /// What users or systems experience.
    pub impact: String,
    /// How the change prevents or limits it.
    pub mitigation: String,
}

/// A test the plan adds or runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanTest {
    /// unit, integration or e2e.
    #[serde(rename = "type")]
    pub test_type: PlanTestType,
    /// What it tests.
    pub target: String,
}

/// Kind of plan test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanTestType {
    /// One module in isolation.
    Unit,
    /// Modules or services together.
    Integration,
    /// The whole user journey.
    E2e,
}

/// An effect on another repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CrossRepoImpact {
    /// The other repository.
    pub repo: String,
    /// What it must do or watch for.
    pub reason: String,
}
