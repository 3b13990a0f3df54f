//! The chat agent's records: conversations, tasks (one per message, with the agent's
//! checkpoint) and the steps a task took. See docs/chat.md.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::StoreError;

/// Where a chat task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatStatus {
    /// The agent is working (or queued to work) on it.
    Processing,
    /// The agent proposed a write and waits for the user's answer.
    WaitingConfirmation,
    Completed,
    Failed,
}

impl ChatStatus {
    /// The wire name (`processing`, `waiting_confirmation`, `completed`, `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStatus::Processing => "processing",
            ChatStatus::WaitingConfirmation => "waiting_confirmation",
            ChatStatus::Completed => "completed",
            ChatStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(task_id: &str, text: &str) -> Result<Self, StoreError> {
        match text {
            "processing" => Ok(ChatStatus::Processing),
            "waiting_confirmation" => Ok(ChatStatus::WaitingConfirmation),
            "completed" => Ok(ChatStatus::Completed),
            "failed" => Ok(ChatStatus::Failed),
            other => Err(StoreError::Corrupt {
                job_id: task_id.to_owned(),
                column: "status",
                reason: format!("unknown chat status {other:?}"),
            }),
        }
    }

    /// Completed or failed: nothing more will happen to the task.
    pub fn is_final(self) -> bool {
        matches!(self, ChatStatus::Completed | ChatStatus::Failed)
    }
}

/// A message to start working on.
#[derive(Debug, Clone)]
pub struct NewChatTask {
    pub task_id: String,
    /// An existing conversation of the user, or a new id.
    pub conversation_id: String,
    pub user_id: String,
    pub message: String,
    pub output_format: String,
    /// The agent's first step and empty state.
    pub step: String,
    pub state: Value,
    /// Tasks of one user processing at once; one more is [`ChatError::UserBusy`].
    pub max_active_per_user: u32,
}

/// A message just recorded: what its sender is told.
#[derive(Debug, Clone, PartialEq)]
pub struct StartedChatTask {
    pub task_id: String,
    pub conversation_id: String,
    pub created_at: DateTime<Utc>,
}

/// One chat task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatTaskRecord {
    pub id: String,
    pub conversation_id: String,
    pub user_id: String,
    pub seq: i64,
    pub message: String,
    pub output_format: String,
    pub status: ChatStatus,
    /// The node the agent runs next.
    pub step: String,
    /// The agent's checkpoint.
    pub state: Value,
    /// Bumped by every write of the agent's state; a write naming an older one is refused.
    pub version: i64,
    pub job_id: String,
    /// While waiting: exactly what will be written.
    pub proposal: Option<Value>,
    pub proposal_hash: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The user's answer to the proposal.
    pub decision: Option<Value>,
    pub result: Option<Value>,
    /// The assistant's answer as text, carried into later turns' prompts.
    pub reply: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A conversation with how many messages it has.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub turns: u64,
    /// The status of its latest task.
    pub last_status: Option<ChatStatus>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One step a task took, as the live view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEvent {
    pub seq: i64,
    pub kind: String,
    pub data: Value,
    pub created_at: DateTime<Utc>,
}

/// What the agent writes after a step.
#[derive(Debug, Clone)]
pub struct ChatCheckpoint {
    /// The version the step started from.
    pub version: i64,
    /// The node to run next.
    pub step: String,
    pub state: Value,
    /// The step's event for the live view.
    pub event: Option<(String, Value)>,
}

/// How a task ends or pauses after a checkpoint.
#[derive(Debug, Clone)]
pub enum ChatOutcome {
    /// Keep processing.
    Continue,
    /// Wait for the user to confirm `proposal` (hashed as `proposal_hash`) until `expires_at`.
    Interrupt {
        proposal: Value,
        proposal_hash: String,
        expires_at: DateTime<Utc>,
    },
    Completed {
        result: Value,
        reply: String,
    },
    Failed {
        error: String,
    },
}

/// Why a chat operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such conversation for this user (or it was deleted).
    #[error("conversation {0} not found")]
    ConversationNotFound(String),
    /// No such task (for this user).
    #[error("task {0} not found")]
    TaskNotFound(String),
    /// The user already has `limit` tasks processing.
    #[error("{active} chat tasks of this user are processing (limit {limit})")]
    UserBusy { active: u64, limit: u32 },
    /// The conversation's previous message is still being processed.
    #[error("the conversation's previous message (task {task_id}) is still processing")]
    ConversationBusy { task_id: String },
    /// The task is not waiting for a confirmation.
    #[error("task is {}, not waiting for confirmation", .status.as_str())]
    NotWaiting { status: ChatStatus },
    /// The proposal named is not the one waiting.
    #[error("the proposal changed: expected hash {expected}, the waiting proposal is {actual}")]
    ProposalMismatch { expected: String, actual: String },
    /// Another run of the task wrote its state first.
    #[error("the task's state moved on (version {0} is stale)")]
    Stale(i64),
}

impl From<sqlx::Error> for ChatError {
    fn from(error: sqlx::Error) -> Self {
        ChatError::Store(error.into())
    }
}
