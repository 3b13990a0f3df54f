//! `ticket_description`: a Jira description with Purpose / Scopes / Expected Outcome sections.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    IssueType, ParentContext, SourceDocument, TaskInput, TaskKind, require_text,
    validate_documents, validate_parent,
};
use crate::error::GenerationError;

/// What a ticket description is generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDescriptionInput {
    /// Jira key, e.g. `PROJ-123`.
    #[serde(default)]
    pub ticket_key: Option<String>,
    /// The ticket's one-line summary (required).
    pub summary: String,
    /// Jira issue type; decides which sections the description gets (bugs get reproduction
    /// steps, stories user-facing outcomes, tasks technical scopes).
    #[serde(default)]
    pub issue_type: IssueType,
    /// The current description, possibly empty or a placeholder such as "TBD".
    #[serde(default)]
    pub description: Option<String>,
    /// The parent epic or story.
    #[serde(default)]
    pub parent: Option<ParentContext>,
    /// PRD / RFC pages linked from the epic.
    #[serde(default)]
    pub documents: Vec<SourceDocument>,
    /// Free text from the requester ("focus on the auth module").
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Titles of linked pull requests and commit messages.
    #[serde(default)]
    pub linked_changes: Vec<String>,
    /// Jira labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Jira components.
    #[serde(default)]
    pub components: Vec<String>,
}

impl TaskInput for TicketDescriptionInput {
    const KIND: TaskKind = TaskKind::TicketDescription;
    type Output = TicketDescription;

    fn validate(&self) -> Result<(), GenerationError> {
        require_text("summary", &self.summary)?;
        validate_parent("parent", self.parent.as_ref())?;
        validate_documents(&self.documents)
    }
}

/// A generated ticket description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketDescription {
    /// One or two sentences: why this ticket exists and who benefits.
    pub purpose: String,
    /// The work in scope, one concrete item per entry.
    pub scopes: Vec<String>,
    /// Observable results once the ticket is done, one per entry.
    pub expected_outcome: Vec<String>,
    /// Further sections suited to the issue type, e.g. "Steps to Reproduce" and "Verification"
    /// for a bug or "Acceptance Criteria" for a story. May be empty.
    pub additional_sections: Vec<DescriptionSection>,
}

/// One extra titled section of a description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DescriptionSection {
    /// Section heading, e.g. "Steps to Reproduce".
    pub heading: String,
    /// The section's bullet points (numbered when the heading names steps).
    pub items: Vec<String>,
}

impl TicketDescription {
    /// Renders the description as Markdown with `## Purpose`, `## Scopes` and
    /// `## Expected Outcome` headings followed by the additional sections.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str("## Purpose\n\n");
        out.push_str(self.purpose.trim());
        out.push('\n');
        push_list(&mut out, "Scopes", &self.scopes, false);
        push_list(&mut out, "Expected Outcome", &self.expected_outcome, false);
        for section in &self.additional_sections {
            let numbered = section.heading.to_lowercase().contains("steps");
            push_list(&mut out, &section.heading, &section.items, numbered);
        }
        out
    }
}

fn push_list(out: &mut String, heading: &str, items: &[String], numbered: bool) {
    if items.is_empty() {
        return;
    }
    out.push_str("\n## ");
    out.push_str(heading);
    out.push_str("\n\n");
    for (index, item) in items.iter().enumerate() {
        if numbered {
            out.push_str(&format!("{}. ", index + 1));
        } else {
            out.push_str("- ");
        }
        out.push_str(item.trim());
        out.push('\n');
    }
}
