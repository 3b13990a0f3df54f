//! Reading a ticket with what generation needs around it: its description as Markdown, its
//! parent, the epic above it and, on request, the epic's PRD/RFC documents.

use atlassian::models::Issue;
use generation::task::{IssueType, ParentContext};

use crate::documents::{EpicDocuments, epic_documents};
use crate::env::JobEnv;
use crate::failure::Failure;

/// A ticket and its surroundings.
#[derive(Debug, Clone)]
pub struct TicketContext {
    pub issue: Issue,
    pub key: String,
    pub summary: String,
    /// The description as Markdown (`None` when empty).
    pub description: Option<String>,
    pub issue_type: IssueType,
    /// The Jira issue type name as the site spells it.
    pub issue_type_name: String,
    /// The parent issue (epic of a story, story of a sub-task).
    pub parent: Option<Issue>,
    /// The epic above the ticket (the ticket itself when it is an epic).
    pub epic: Option<Issue>,
    pub documents: EpicDocuments,
}

impl TicketContext {
    /// The parent as generation context.
    pub fn parent_context(&self) -> Option<ParentContext> {
        self.parent.as_ref().map(parent_context)
    }

    /// The project key.
    pub fn project_key(&self) -> &str {
        self.key.split('-').next().unwrap_or_default()
    }
}

/// An issue as generation's parent context.
pub fn parent_context(issue: &Issue) -> ParentContext {
    ParentContext {
        key: Some(issue.key.clone()),
        summary: issue.summary().to_owned(),
        description: description_markdown(issue),
        issue_type: issue.issue_type_name().map(IssueType::from_name),
    }
}

/// An issue's description as Markdown, `None` when it has none.
pub fn description_markdown(issue: &Issue) -> Option<String> {
    issue
        .fields
        .description
        .as_ref()
        .map(markup::adf_to_markdown)
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// Reads `key` with every field; a missing ticket is a `not_found` failure naming it.
pub async fn read_issue(env: &JobEnv, key: &str, noun: &str) -> Result<Issue, Failure> {
    env.jira.get_issue(key, &[], &[]).await.map_err(|error| {
        if matches!(error, atlassian::Error::NotFound { .. }) {
            Failure::not_found(format!("{noun} {key} not found"))
        } else {
            Failure::jira(key, error)
        }
    })
}

/// Reads `key`, its parent and its epic, and (with `with_documents`) the epic's PRD/RFC pages.
pub async fn load_ticket(
    env: &JobEnv,
    key: &str,
    with_documents: bool,
) -> Result<TicketContext, Failure> {
    let issue = read_issue(env, key, "Ticket").await?;
    let issue_type_name = issue.issue_type_name().unwrap_or("Task").to_owned();
    let issue_type = IssueType::from_name(&issue_type_name);
    let parent = match issue.parent_key() {
        Some(parent_key) => Some(read_issue(env, parent_key, "Parent").await?),
        None => None,
    };
    let epic = if issue_type == IssueType::Epic {
        Some(issue.clone())
    } else {
        match &parent {
            Some(parent) if is_epic(parent) => Some(parent.clone()),
            Some(parent) => match parent.parent_key() {
                Some(grand) => read_issue(env, grand, "Epic").await.ok().filter(is_epic),
                None => None,
            },
            None => None,
        }
    };
    let documents = match (&epic, with_documents) {
        (Some(epic), true) => epic_documents(env, epic).await,
        _ => EpicDocuments::default(),
    };
    Ok(TicketContext {
        key: issue.key.clone(),
        summary: issue.summary().to_owned(),
        description: description_markdown(&issue),
        issue_type,
        issue_type_name,
        parent,
        epic,
        documents,
        issue,
    })
}

/// Whether an issue is an epic (by its type name).
pub fn is_epic(issue: &Issue) -> bool {
    issue
        .issue_type_name()
        .is_some_and(|name| IssueType::from_name(name) == IssueType::Epic)
}
