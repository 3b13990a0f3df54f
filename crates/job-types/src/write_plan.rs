//! The write plan: every write a feature would make, built before anything is sent. A preview
//! returns the plan (the exact requests, and for edits the current values beside the new ones);
//! a write executes the same plan, each entry once, under its intent id (ARCHITECTURE.md, "Writes
//! happen once").

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The kind of one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WriteAction {
    CreateIssue,
    EditIssue,
    CreateLink,
    AddComment,
    UpdatePage,
    CreateSprint,
    UpdateSprint,
    MoveToSprint,
    MoveToBacklog,
}

impl WriteAction {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteAction::CreateIssue => "create_issue",
            WriteAction::EditIssue => "edit_issue",
            WriteAction::CreateLink => "create_link",
            WriteAction::AddComment => "add_comment",
            WriteAction::UpdatePage => "update_page",
            WriteAction::CreateSprint => "create_sprint",
            WriteAction::UpdateSprint => "update_sprint",
            WriteAction::MoveToSprint => "move_to_sprint",
            WriteAction::MoveToBacklog => "move_to_backlog",
        }
    }
}

/// One write as it would be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlannedWrite {
    /// Stable across retries of the same job: the write's exactly-once identity.
    pub intent_id: String,
    pub action: WriteAction,
    /// What the write is about: an issue key, or the summary of an issue to create.
    pub target: String,
    /// HTTP method and path relative to the site, e.g. `POST /rest/api/3/issue`.
    pub method: String,
    pub path: String,
    /// The exact JSON body. Keys of issues created earlier in the same plan appear as
    /// `{{created:<step>}}` until they exist.
    #[schema(value_type = Object)]
    pub body: Value,
    /// For edits: the current values of the fields the write changes, keyed like `body.fields`.
    #[schema(value_type = Option<Object>)]
    pub current: Option<Value>,
}

/// Every write of one request, in the order they are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WritePlan {
    pub writes: Vec<PlannedWrite>,
}

impl WritePlan {
    /// No writes.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Number of writes of `action`.
    pub fn count(&self, action: WriteAction) -> usize {
        self.writes.iter().filter(|w| w.action == action).count()
    }
}

/// What happened to one planned write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WriteOutcome {
    pub intent_id: String,
    pub action: WriteAction,
    pub target: String,
    /// `written`, `already_written` (found from an earlier attempt), `failed` or `skipped`.
    pub status: String,
    /// What the write produced, e.g. `{"key": "PW-7"}`.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    pub error: Option<String>,
}

/// The intent id of `step` within `scope` (usually the job id): 32 hex characters of
/// SHA-256, the same on every attempt of the job.
pub fn intent_id(scope: &str, step: &str) -> String {
    let digest = Sha256::digest(format!("{scope}\n{step}").as_bytes());
    // The first 16 bytes: hex is ASCII, so 32 characters end on a character boundary.
    let mut id = hex::encode(digest);
    id.truncate(32);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_ids_are_stable_and_distinct() {
        assert_eq!(intent_id("job", "create:1"), intent_id("job", "create:1"));
        assert_ne!(intent_id("job", "create:1"), intent_id("job", "create:2"));
        assert_ne!(intent_id("job-a", "x"), intent_id("job-b", "x"));
        assert_eq!(intent_id("job", "x").len(), 32);
    }
}
