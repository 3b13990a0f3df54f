//! The chat agent (docs/chat.md): the job that works a message (`chat_turn`), the user's answer
//! to a proposal, and the documented shapes of a task's `result` and of a proposal (`data`
//! while waiting for confirmation).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::payload::{JobPayload, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// The agent's first step for a new message.
pub const FIRST_STEP: &str = "classify";
/// The step that reads the user's answer to a proposal.
pub const DECIDE_STEP: &str = "decide";

/// Works one chat task from its last checkpoint until it waits for a confirmation or ends.
/// The same job kind runs a new message and a resumed one: the task's stored step says where
/// to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatTurn {
    pub task_id: String,
}

impl JobPayload for ChatTurn {
    const KIND: &'static str = "chat_turn";
    type Output = ChatTurnReport;
}

/// What a `chat_turn` job stores: where it left the task (the task's own record holds the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChatTurnReport {
    pub task_id: String,
    /// The task's status when the job ended (`waiting_confirmation`, `completed`, `failed`), or
    /// `superseded` when another run of the task took over.
    pub status: String,
}

/// The user's answer to a proposal, as stored on the task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatDecision {
    pub confirmation: bool,
    /// Edited fields of the proposal (`summary`, `description`, `issue_type`, `priority`,
    /// `labels`, `components`, `assignee`, `parent_key`, `comment`); validated again and shown
    /// again before anything is written.
    #[serde(default)]
    pub user_input: Option<Map<String, Value>>,
}

/// A task's `result` once it completed. Which fields are set depends on `type`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatResult {
    /// `requirement_analysis`, `ticket_created`, `ticket_updated`, `ticket_assessment`,
    /// `search_results`, `answer`, `cancelled` or `clarification` (the agent needs more to go
    /// on, e.g. which ticket).
    #[serde(rename = "type")]
    pub kind: String,
    /// The classified intent.
    pub intent: String,
    /// `markdown` or `json`, as the message asked.
    pub format: String,
    /// One line for the user.
    pub message: String,
    /// The answer as Markdown (always set, whatever the format: a client may show it).
    pub content: String,
    /// With `format: json`: the structured answer (the intent's documented schema, docs/chat.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
    /// The ticket written or assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_url: Option<String>,
    /// What each confirmed write did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<WriteOutcome>,
    /// What the model calls of this message cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageRecord>,
}

/// What a waiting task proposes to write: `data` of `GET /chat/result/{task_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatProposal {
    /// `create_ticket` or `update_ticket`.
    pub action: String,
    /// The ticket's fields as they will be written (create), or the ticket's key (update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_key: Option<String>,
    pub ticket_summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    /// The assignee as resolved: display name and account id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub assignee: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// For an update: each changed field, before and after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// A comment that will be added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Things the agent checked and could not honour (an unknown component, an assignee it
    /// could not find, an edit that failed validation), each saying what was done instead.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The exact requests a confirmation sends.
    pub write_plan: WritePlan,
}

/// One field of a proposed update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: Value,
    #[schema(value_type = Object)]
    pub after: Value,
    /// For text fields: a unified diff of before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl ChatProposal {
    /// SHA-256 (hex) of the proposal's canonical JSON: what a confirmation is bound to.
    pub fn hash(&self) -> String {
        let canonical = serde_json::to_value(self)
            .map(|value| value.to_string())
            .unwrap_or_default();
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}
