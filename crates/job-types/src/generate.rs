//! `single` and `batch`: ticket descriptions generated from a ticket and its context, previewed
//! or written to Jira (docs/reference-behaviour.md §1.2; reference `TicketResponse`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// Generate (and optionally write) the description of one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateSingle {
    /// A normalized issue key.
    pub ticket_key: String,
    pub update_jira: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    pub additional_context: Option<String>,
}

impl JobPayload for GenerateSingle {
    const KIND: &'static str = "single";
    type Output = TicketResult;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.ticket_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.ticket_key)
    }
}

/// Generate descriptions for every ticket a JQL query finds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateBatch {
    pub jql: String,
    pub max_results: u32,
    pub update_jira: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
}

impl JobPayload for GenerateBatch {
    const KIND: &'static str = "batch";
    type Output = Vec<TicketResult>;
}

/// The outcome for one ticket (the reference's `TicketResponse`, plus what Planwright adds:
/// the current description, the write plan, usage and the context used).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketResult {
    pub ticket_key: String,
    pub summary: String,
    pub assignee_name: Option<String>,
    pub parent_name: Option<String>,
    /// The generated description (Markdown: Purpose, Scopes, Expected Outcome).
    pub generated_description: Option<String>,
    pub success: bool,
    pub error: Option<String>,
    /// Why the ticket was not processed or not written (e.g. "Ticket already has description").
    pub skipped_reason: Option<String>,
    pub updated_in_jira: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Exactly the prompts sent.
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    pub additional_context: Option<String>,
    /// The ticket's description before this run (Markdown), beside the generated one.
    pub current_description: Option<String>,
    /// The writes a preview would make, or a write made.
    pub write_plan: Option<WritePlan>,
    /// What happened to each write, when `update_jira` was set.
    pub writes: Vec<WriteOutcome>,
    /// The documents (PRD/RFC pages) used as context.
    pub context_sources: Vec<String>,
    pub usage: Option<UsageRecord>,
}
