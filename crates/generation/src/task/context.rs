//! Context shared by several task inputs: the Jira issue type, the parent issue and source
//! documents (PRD / RFC pages).

use serde::{Deserialize, Serialize};

/// The kind of planning document a page is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    /// Product Requirements Document: users, problems, business value, proposed solution.
    #[default]
    #[serde(alias = "PRD")]
    Prd,
    /// Request for Comments: technical design, security and performance, rollout, concerns.
    #[serde(alias = "RFC")]
    Rfc,
}

impl DocumentType {
    /// The upper-case label people use for it.
    pub fn label(self) -> &'static str {
        match self {
            DocumentType::Prd => "PRD",
            DocumentType::Rfc => "RFC",
        }
    }
}

/// A planning document (usually a Confluence page) attached as context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceDocument {
    /// PRD or RFC; PRD when omitted.
    #[serde(default, alias = "document_type", alias = "type")]
    pub kind: DocumentType,
    /// Page title.
    #[serde(default)]
    pub title: Option<String>,
    /// Page address, for traceability only.
    #[serde(default)]
    pub url: Option<String>,
    /// The page text (plain text or Markdown), possibly an excerpt.
    pub content: String,
}

/// The parent issue (epic or story) of the ticket being generated for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParentContext {
    /// Jira key, e.g. `PROJ-100`.
    #[serde(default)]
    pub key: Option<String>,
    /// The parent's summary.
    pub summary: String,
    /// The parent's description.
    #[serde(default)]
    pub description: Option<String>,
    /// The parent's Jira issue type.
    #[serde(default)]
    pub issue_type: Option<IssueType>,
}

/// The Jira issue type, normalised from the free-form names Jira projects use ("Sub-task",
/// "New Feature", "Defect", ...). Unknown names count as a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "String")]
pub enum IssueType {
    /// A user-facing increment of value.
    Story,
    /// A technical piece of work.
    #[default]
    Task,
    /// Something that behaves wrongly.
    Bug,
    /// A large body of work split into stories.
    Epic,
    /// Time-boxed research.
    Spike,
    /// A child of a story or task.
    Subtask,
}

impl IssueType {
    /// Classifies a Jira issue type name.
    pub fn from_name(name: &str) -> Self {
        let name = name.trim().to_lowercase();
        let has = |needle: &str| name.contains(needle);
        if has("bug") || has("defect") || has("incident") || has("problem") {
            IssueType::Bug
        } else if has("epic") || has("initiative") {
            IssueType::Epic
        } else if has("spike") || has("research") || has("investigation") {
            IssueType::Spike
        } else if has("sub") {
            IssueType::Subtask
        } else if has("story") || has("feature") {
            IssueType::Story
        } else {
            IssueType::Task
        }
    }

    /// The lower-case name used in generated prose ("this story").
    pub fn noun(self) -> &'static str {
        match self {
            IssueType::Story => "story",
            IssueType::Task => "task",
            IssueType::Bug => "bug",
            IssueType::Epic => "epic",
            IssueType::Spike => "spike",
            IssueType::Subtask => "sub-task",
        }
    }
}

impl From<String> for IssueType {
    fn from(name: String) -> Self {
        IssueType::from_name(&name)
    }
}
