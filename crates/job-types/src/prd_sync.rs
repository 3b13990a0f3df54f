//! PRD → story sync (docs/reference-behaviour.md §1.4, §5.4): the stories of an epic's PRD
//! story table matched to the epic's stories, created or updated as asked, and the Jira links
//! written back into the table. The result keeps the reference's `PlanningResultResponse`
//! shape (`story_details` with `jira_key`, `action_taken`, `ticket_source`, `prd_row_uuid`)
//! and adds, per row, why, plus the write plan and what each write did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject};
use crate::write_plan::{WriteOutcome, WritePlan};

/// What to do with a row whose story already exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExistingTicketAction {
    /// Leave the story as it is (its link is still written into the row).
    #[default]
    Skip,
    /// Edit the story's summary and description where they differ from the row.
    Update,
    /// Refuse the whole sync, naming the rows.
    Error,
}

impl ExistingTicketAction {
    /// From the request's text; `None` for anything but skip, update, error.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "skip" => Some(Self::Skip),
            "update" => Some(Self::Update),
            "error" => Some(Self::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skip => "skip",
            Self::Update => "update",
            Self::Error => "error",
        }
    }
}

/// `POST /plan/stories/sync-from-prd`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrdStorySync {
    pub epic_key: String,
    /// The PRD page; when absent, the epic's PRD field.
    pub prd_url: Option<String>,
    pub dry_run: bool,
    pub existing_ticket_action: ExistingTicketAction,
}

impl JobPayload for PrdStorySync {
    const KIND: &'static str = "prd_story_sync";
    type Output = PrdSyncResult;

    /// The epic: one sync (or other planning job) per epic at a time.
    fn lock_keys(&self) -> Vec<String> {
        vec![self.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.epic_key)
    }
}

/// One PRD row: the reference's `StoryDetail` plus the row and the reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrdStoryDetail {
    pub summary: String,
    /// Markdown, as the story's description is (or would be) written.
    pub description: String,
    pub acceptance_criteria: Vec<String>,
    /// Always empty (the reference's field; the sync makes no test cases).
    #[schema(value_type = Vec<Object>)]
    pub test_cases: Vec<Value>,
    /// Always empty (the reference's field).
    #[schema(value_type = Vec<Object>)]
    pub tasks: Vec<Value>,
    pub jira_key: Option<String>,
    pub jira_url: Option<String>,
    /// `prd_table` (the row names the issue), `jira_api` (matched by title) or `newly_created`.
    pub ticket_source: Option<String>,
    /// `created`, `would_create`, `updated`, `would_update`, `unchanged`, `skipped` or `error`.
    pub action_taken: Option<String>,
    pub was_updated: Option<bool>,
    /// The row's id: pass it to `/jira/create-story-ticket` to link the row to a story made
    /// there.
    pub prd_row_uuid: Option<String>,
    pub user_story: Option<String>,
    pub priority: Option<String>,
    /// Data row in the table (from 0, header excluded).
    pub prd_row: usize,
    /// Why this action.
    pub reason: String,
    /// For updates: the fields that differ (`summary`, `description`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_fields: Vec<String>,
    /// What happens (or would happen) to the row's ticket cell: `link` (a link is written),
    /// `already_linked`, `kept` (the cell names another issue) or `none`.
    pub page_link: String,
}

/// The story table as found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrdTableInfo {
    pub page_id: String,
    pub page_title: String,
    pub page_version: u32,
    pub heading: Option<String>,
    /// Recognised columns by role (`title`, `description`, `acceptance_criteria`, `priority`,
    /// `ticket`, `user_story`) → header text.
    pub columns: BTreeMap<String, String>,
    /// Whether a "JIRA Ticket" column is (or would be) added.
    pub adds_ticket_column: bool,
    /// Rows that are not stories (section labels, empty rows), with the reason.
    pub skipped_rows: Vec<String>,
}

/// The reference's `PRDStorySyncResponse` (= `PlanningResultResponse`), plus the table, the
/// write plan and the outcome of each write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrdSyncResult {
    pub epic_key: String,
    /// Always `documentation`.
    pub operation_mode: String,
    pub success: bool,
    /// `{"stories": [keys created]}` (in a dry run: `[DRY_RUN] <summary>`).
    pub created_tickets: BTreeMap<String, Vec<String>>,
    pub story_details: Vec<PrdStoryDetail>,
    /// Always empty (the reference's field).
    #[schema(value_type = Vec<Object>)]
    pub task_details: Vec<Value>,
    /// Counts per action.
    #[schema(value_type = Object)]
    pub summary_stats: Value,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub execution_time_seconds: f64,
    pub dry_run: bool,
    pub existing_ticket_action: ExistingTicketAction,
    pub prd_url: String,
    pub table: PrdTableInfo,
    /// Every write the sync makes (dry run: would make), Jira first, then the page.
    pub write_plan: WritePlan,
    /// What each write did (empty in a dry run).
    pub writes: Vec<WriteOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_the_epic_is_the_lock() {
        assert_eq!(
            ExistingTicketAction::parse(" Update "),
            Some(ExistingTicketAction::Update)
        );
        assert_eq!(ExistingTicketAction::parse("overwrite"), None);
        let sync = PrdStorySync {
            epic_key: "DEMO-1".into(),
            prd_url: None,
            dry_run: true,
            existing_ticket_action: ExistingTicketAction::Skip,
        };
        assert_eq!(sync.lock_keys(), ["DEMO-1"]);
    }
}
