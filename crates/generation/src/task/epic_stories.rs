//! `epic_stories`: user stories split out of an epic and its PRD.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SourceDocument, TaskInput, TaskKind, require_text, validate_documents};
use crate::error::GenerationError;

fn default_max_stories() -> u32 {
    8
}

/// What stories are generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicStoriesInput {
    /// Jira key of the epic.
    #[serde(default)]
    pub epic_key: Option<String>,
    /// The epic's summary (required).
    #[serde(alias = "epic_summary")]
    pub summary: String,
    /// The epic's description.
    #[serde(default, alias = "epic_description")]
    pub description: Option<String>,
    /// PRD / RFC pages linked from the epic; their bullet points and sections become stories.
    #[serde(default)]
    pub documents: Vec<SourceDocument>,
    /// Free text from the requester.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Upper bound on the number of stories (1..=50, default 8).
    #[serde(default = "default_max_stories")]
    pub max_stories: u32,
}

impl TaskInput for EpicStoriesInput {
    const KIND: TaskKind = TaskKind::EpicStories;
    type Output = EpicStories;

    fn validate(&self) -> Result<(), GenerationError> {
        require_text("summary", &self.summary)?;
        validate_documents(&self.documents)?;
        if !(1..=50).contains(&self.max_stories) {
            return Err(GenerationError::invalid_input(
                "max_stories",
                "must be between 1 and 50",
            ));
        }
        Ok(())
    }
}

/// The stories generated for an epic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EpicStories {
    /// The stories, in the order they should be delivered.
    pub stories: Vec<StoryDraft>,
}

/// One user story, ready to be created in Jira.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StoryDraft {
    /// Short imperative Jira summary, e.g. "Reset password via emailed link".
    pub summary: String,
    /// "As a <role>, I want <capability>, so that <benefit>."
    pub user_story: String,
    /// Description: context, scope and notes for the team.
    pub description: String,
    /// Testable acceptance criteria, preferably "Given ..., when ..., then ...".
    pub acceptance_criteria: Vec<String>,
    /// Delivery priority.
    pub priority: Priority,
    /// Relative size in story points (1, 2, 3, 5, 8 or 13).
    pub story_points: u32,
    /// The epic line or PRD section the story was derived from, for traceability.
    pub source: Option<String>,
}

/// Priority of a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Needed for the epic to deliver its core value.
    High,
    /// Expected, but the epic still works without it.
    Medium,
    /// Nice to have.
    Low,
}
