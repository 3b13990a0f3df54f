//! Jira operations (docs/reference-behaviour.md §1.8, docs/reference-behaviour.md §1.8 and §5.8): editing a ticket or a
//! story, creating a task or a story, and the bulk versions of those, each previewed by default
//! and written exactly once when the request's flag says so.
//!
//! Payloads carry normalized keys (the route validated them); results keep the reference's
//! field names (`UpdateTicketResponse`, `CreateTicketResponse`, `BulkUpdateStoriesResponse`,
//! `BulkCreateTasksResponse`, `BulkCreateStoriesResponse`) and add the write plan, the outcome
//! of every write and warnings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject};
use crate::write_plan::{WriteOutcome, WritePlan};

/// Which way a link reads from the ticket that names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkDirection {
    /// "this ticket <outward description> target": `Blocks` outward means this ticket blocks
    /// the target.
    #[default]
    Outward,
    /// "this ticket <inward description> target": `Blocks` inward means this ticket is blocked
    /// by the target.
    Inward,
}

impl LinkDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkDirection::Outward => "outward",
            LinkDirection::Inward => "inward",
        }
    }
}

/// A link to create from the ticket being edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkSpec {
    /// A link type name of the site (`Blocks`, `Relates`, `Work item split`, ...).
    #[schema(example = "Blocks")]
    pub link_type: String,
    /// The other ticket.
    #[schema(example = "PROJ-456")]
    pub target_key: String,
    #[serde(default)]
    pub direction: LinkDirection,
}

/// Changes to one ticket (or story).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketChanges {
    pub summary: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Markdown.
    pub test_cases: Option<String>,
    pub mandays: Option<f64>,
    /// A new parent epic (stories only).
    pub parent_key: Option<String>,
    pub links: Vec<LinkSpec>,
}

/// `POST /jira/update-ticket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateTicket {
    pub ticket_key: String,
    pub changes: TicketChanges,
    pub update_jira: bool,
}

impl JobPayload for UpdateTicket {
    const KIND: &'static str = "ticket_update";
    type Output = UpdateTicketResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.ticket_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.ticket_key)
    }
}

/// `POST /jira/update-story-ticket`: like [`UpdateTicket`], only for stories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateStoryTicket {
    pub story_key: String,
    pub changes: TicketChanges,
    pub update_jira: bool,
    /// The PRD row of the story: linked to it after the update.
    #[serde(default)]
    pub prd_row_uuid: Option<String>,
}

impl JobPayload for UpdateStoryTicket {
    const KIND: &'static str = "story_ticket_update";
    type Output = UpdateTicketResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.story_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::story(&self.story_key)
    }
}

/// One task to create under an epic, split from a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskSpec {
    /// The caller's id of the task (a UUID or `task_N`), which other tasks' `blocks` may name.
    pub task_id: Option<String>,
    /// The epic; when absent, the story's parent epic.
    pub parent_key: Option<String>,
    pub summary: String,
    /// Markdown.
    pub description: String,
    pub story_key: String,
    /// Markdown.
    pub test_cases: Option<String>,
    pub mandays: Option<f64>,
    /// Tickets the new task blocks: Jira keys, or (in bulk) task ids of the same request.
    #[serde(default)]
    pub blocks: Vec<String>,
}

/// `POST /jira/create-ticket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTicket {
    pub task: TaskSpec,
    pub create_ticket: bool,
}

impl JobPayload for CreateTicket {
    const KIND: &'static str = "ticket_creation";
    type Output = CreateTicketResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.task.story_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::story(&self.task.story_key)
    }
}

/// One story to create under an epic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StorySpec {
    pub parent_key: String,
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Markdown.
    pub test_cases: Option<String>,
    /// The PRD table row this story came from (kept in the result).
    pub prd_row_uuid: Option<String>,
}

/// `POST /jira/create-story-ticket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateStoryTicket {
    pub story: StorySpec,
    pub create_ticket: bool,
}

impl JobPayload for CreateStoryTicket {
    const KIND: &'static str = "story_ticket_creation";
    type Output = CreateTicketResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.story.parent_key)
    }
}

/// One story of a bulk update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryUpdate {
    pub story_key: String,
    pub changes: TicketChanges,
}

/// `POST /jira/bulk-update-stories`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkUpdateStories {
    pub stories: Vec<StoryUpdate>,
    pub dry_run: bool,
}

impl JobPayload for BulkUpdateStories {
    const KIND: &'static str = "bulk_story_update";
    type Output = BulkUpdateStoriesResponse;

    fn lock_keys(&self) -> Vec<String> {
        distinct(self.stories.iter().map(|s| s.story_key.clone()))
    }

    fn subject(&self) -> JobSubject {
        JobSubject::stories(self.lock_keys())
    }
}

/// `POST /jira/bulk-create-tasks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkCreateTasks {
    pub tasks: Vec<TaskSpec>,
    pub create_tickets: bool,
}

impl JobPayload for BulkCreateTasks {
    const KIND: &'static str = "bulk_task_creation";
    type Output = BulkCreateTasksResponse;

    fn lock_keys(&self) -> Vec<String> {
        distinct(self.tasks.iter().map(|t| t.story_key.clone()))
    }

    fn subject(&self) -> JobSubject {
        JobSubject::stories(self.lock_keys())
    }
}

/// `POST /jira/bulk-create-stories`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkCreateStories {
    pub stories: Vec<StorySpec>,
    pub create_tickets: bool,
}

impl JobPayload for BulkCreateStories {
    const KIND: &'static str = "bulk_story_creation";
    type Output = BulkCreateStoriesResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::tickets(distinct(self.stories.iter().map(|s| s.parent_key.clone())))
    }
}

fn distinct(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// Why a single-ticket request was refused before anything was written: the HTTP status the
/// route answers with and, for a bad field, where it is (`["body", "links", 0, "link_type"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rejection {
    /// 400 (a ticket of the wrong kind, no epic), 404 (a ticket that does not exist) or 422
    /// (a field the site cannot accept, e.g. an unknown link type).
    pub status: u16,
    #[schema(value_type = Vec<Object>)]
    pub loc: Vec<Value>,
}

/// One link made (or to make, or that failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkResult {
    /// The site's name of the link type.
    pub link_type: String,
    /// The ticket the type's outward description applies to ("source blocks target").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_key: Option<String>,
    pub target_key: String,
    /// As requested, for links named in `links`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<LinkDirection>,
    /// `created`, `already_exists` (made by an earlier attempt) or `failed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What an edit would change: the current values beside the new ones (reference's preview
/// object) plus the exact requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdatePreview {
    pub ticket_key: String,
    /// Set for stories (`/jira/update-story-ticket`, `/jira/bulk-update-stories`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story_key: Option<String>,
    pub current_summary: String,
    /// Markdown.
    pub current_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_test_cases: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_test_cases: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_mandays: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_mandays: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_parent_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_parent_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links_to_create: Option<Vec<LinkResult>>,
    /// Exactly the requests an update would send.
    pub write_plan: WritePlan,
}

/// The reference's `UpdateTicketResponse`, plus write outcomes and warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateTicketResponse {
    pub success: bool,
    pub ticket_key: String,
    pub updated_in_jira: bool,
    /// Per requested field (`summary`, `description`, `test_cases`, `mandays`, `parent_key`):
    /// whether it was (or, in a preview, would be) applied.
    pub updates_applied: BTreeMap<String, bool>,
    pub links_created: Vec<LinkResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<UpdatePreview>,
    pub message: String,
    pub error: Option<String>,
    /// What happened to each write, when the update was committed.
    pub writes: Vec<WriteOutcome>,
    /// Things done differently than asked (no test-case field on the site, ...).
    pub warnings: Vec<String>,
    /// Set when the request was refused; the route answers with its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
}

/// What a creation would send (reference's preview object plus the exact requests).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreatePreview {
    /// The epic the new ticket goes under.
    pub parent_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story_key: Option<String>,
    pub summary: String,
    /// Markdown, as it will be written (for stories: with the user-story sentence).
    pub description: String,
    pub test_cases: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandays: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_was_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links_to_create: Option<Vec<LinkResult>>,
    pub write_plan: WritePlan,
}

/// The reference's `CreateTicketResponse`, plus write outcomes and warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateTicketResponse {
    pub success: bool,
    pub ticket_key: Option<String>,
    pub created_in_jira: bool,
    pub links_created: Vec<LinkResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<CreatePreview>,
    pub message: String,
    pub error: Option<String>,
    /// For stories created from a PRD row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prd_row_uuid: Option<String>,
    pub writes: Vec<WriteOutcome>,
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
}

/// One story's outcome in a bulk update (reference's `StoryUpdateResult`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryUpdateResult {
    pub story_key: String,
    pub success: bool,
    pub updated_in_jira: bool,
    pub updates_applied: BTreeMap<String, bool>,
    pub links_created: Vec<LinkResult>,
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<UpdatePreview>,
    pub writes: Vec<WriteOutcome>,
    pub warnings: Vec<String>,
}

/// The reference's `BulkUpdateStoriesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkUpdateStoriesResponse {
    pub total_stories: usize,
    pub successful: usize,
    pub failed: usize,
    pub results: Vec<StoryUpdateResult>,
    /// Always `null` in a synchronous answer (the job's id is on the job itself).
    pub job_id: Option<String>,
    pub status_url: Option<String>,
    pub message: String,
}

/// One created (or previewed, or failed) ticket of a bulk creation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkCreateResult {
    /// Position in the request, from 0.
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    pub success: bool,
    pub ticket_key: Option<String>,
    pub error: Option<String>,
    pub links_created: Vec<LinkResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prd_row_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<CreatePreview>,
    pub warnings: Vec<String>,
}

/// The reference's `BulkCreateTasksResponse`, plus the whole plan in a preview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkCreateTasksResponse {
    pub total_tasks: usize,
    pub successful: usize,
    pub failed: usize,
    pub results: Vec<BulkCreateResult>,
    pub created_tickets: Vec<String>,
    pub message: String,
    /// Every request a commit would send, creations first, then links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
}

/// The reference's `BulkCreateStoriesResponse`, plus the whole plan in a preview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkCreateStoriesResponse {
    pub total_stories: usize,
    pub successful: usize,
    pub failed: usize,
    pub results: Vec<BulkCreateResult>,
    pub created_tickets: Vec<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_direction_defaults_to_outward_and_lock_keys_are_distinct() {
        let link: LinkSpec =
            serde_json::from_str(r#"{"link_type":"Blocks","target_key":"A-1"}"#).expect("valid");
        assert_eq!(link.direction, LinkDirection::Outward);
        let bulk = BulkUpdateStories {
            stories: ["A-1", "A-2", "A-1"]
                .iter()
                .map(|key| StoryUpdate {
                    story_key: key.to_string(),
                    changes: TicketChanges::default(),
                })
                .collect(),
            dry_run: true,
        };
        assert_eq!(bulk.lock_keys(), vec!["A-1", "A-2"]);
    }
}
