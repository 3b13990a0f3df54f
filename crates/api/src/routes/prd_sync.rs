//! `POST /plan/stories/sync-from-prd` (docs/reference-behaviour.md §1.4, §5.4): sync an epic's
//! stories with the story table of its PRD page, and link each row to its story.
//!
//! The handler validates and runs the `prd_story_sync` job (synchronously, or queued with
//! `async_mode`); the job reads Jira and Confluence. Fixed against the reference: a dry run
//! (the default) writes nothing anywhere, bad input is a 422 naming the field (not a 400), and
//! a second sync of the same epic while one runs is a 409.

use axum::Json;
use axum::extract::State;
use job_types::prd_sync::{ExistingTicketAction, PrdStorySync, PrdSyncResult};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::ApiJson;
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued};
use crate::request_fields::{IssueKeyText, issue_key};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sync_from_prd))
}

fn default_true() -> bool {
    true
}

fn default_action() -> String {
    ExistingTicketAction::Skip.as_str().to_owned()
}

/// `POST /plan/stories/sync-from-prd` (the reference's `PRDStorySyncRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "dry_run": true, "existing_ticket_action": "skip"}))]
pub struct PrdStorySyncRequest {
    /// The epic whose stories are synced (key or browse URL). Required.
    #[schema(value_type = Option<IssueKeyText>)]
    #[serde(default)]
    pub epic_key: Option<String>,
    /// The PRD page (URL or page id); default: the epic's PRD field.
    #[serde(default)]
    pub prd_url: Option<String>,
    /// Preview only (default): nothing is written to Jira or Confluence.
    #[serde(default = "default_true")]
    pub dry_run: bool,
    /// Queue the work and answer at once with a job id.
    #[serde(default)]
    pub async_mode: bool,
    /// For rows whose story exists: `skip` (default), `update` (summary and description where
    /// they differ) or `error` (refuse the sync, naming the rows).
    #[serde(default = "default_action")]
    pub existing_ticket_action: String,
    /// Accepted for compatibility; the sync uses no model.
    // Read by no one: reference clients send it, and unknown fields are refused.
    #[allow(dead_code)]
    #[serde(default)]
    pub llm_provider: Option<String>,
    /// Accepted for compatibility; the sync uses no model.
    #[allow(dead_code)]
    #[serde(default)]
    pub llm_model: Option<String>,
}

/// `POST /plan/stories/sync-from-prd`.
///
/// Reads the epic's PRD page (or `prd_url`), finds its story table (under a heading like
/// "Story Ticket List"; Title/Summary/Story, Description, Acceptance Criteria, Priority and
/// JIRA Ticket columns recognised), and matches each row to a story of the epic: by the issue
/// the row names, else by title. Rows without a story get one (created under the epic);
/// existing ones are skipped, updated or refused as `existing_ticket_action` says. Then each
/// row's ticket cell gets a link to its story (a "JIRA Ticket" column is added if missing),
/// changing no other byte of the page, re-applied on a re-read page if someone edits it
/// meanwhile. `story_details` says per row what was (or would be) done and why; `write_plan`
/// holds the exact requests. With `dry_run` (the default) nothing is written anywhere.
#[utoipa::path(
    post,
    path = "/plan/stories/sync-from-prd",
    tag = "planning",
    request_body = PrdStorySyncRequest,
    responses(
        (status = 200, description = "The sync (sync) or the queued job (`async_mode`: BatchResponse)", body = ResultOrQueued<PrdSyncResult>),
        (status = 404, description = "`Epic X not found`, or the PRD page does not exist", body = ErrorBody),
        (status = 409, description = "`Epic X is already being processed in job J`", body = ErrorBody),
        (status = 422, description = "A missing or invalid field, an epic without a PRD page, a page without a story table, or rows with stories under existing_ticket_action=error", body = ValidationErrorBody),
        (status = 503, description = "Jira or Confluence is unavailable", body = ErrorBody),
    )
)]
async fn sync_from_prd(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PrdStorySyncRequest>,
) -> Result<Json<ResultOrQueued<PrdSyncResult>>, ApiError> {
    let Some(raw_epic) = request.epic_key.as_deref().filter(|k| !k.trim().is_empty()) else {
        let detail = if request.prd_url.is_some() {
            "epic_key is required when prd_url is given: the stories are created under the epic; send the epic's key"
        } else {
            "Send epic_key (the epic whose stories are synced); prd_url is optional and defaults to the epic's PRD field"
        };
        return Err(ApiError::validation(ValidationIssue::body(
            "epic_key", detail, "missing",
        )));
    };
    let epic_key = issue_key("epic_key", raw_epic)?;
    let existing_ticket_action = ExistingTicketAction::parse(&request.existing_ticket_action)
        .ok_or_else(|| {
            ApiError::validation(ValidationIssue::body(
                "existing_ticket_action",
                format!(
                    "existing_ticket_action must be one of: skip, update, error (got `{}`)",
                    request.existing_ticket_action
                ),
                "literal_error",
            ))
        })?;
    let prd_url = match request.prd_url.as_deref().map(str::trim) {
        Some("") => {
            return Err(ApiError::validation(ValidationIssue::body(
                "prd_url",
                "prd_url is empty: send the PRD page's URL or id, or leave it out to use the epic's PRD field",
                "value_error",
            )));
        }
        other => other.map(str::to_owned),
    };
    let payload = PrdStorySync {
        epic_key: epic_key.clone(),
        prd_url,
        dry_run: request.dry_run,
        existing_ticket_action,
    };
    if request.async_mode {
        let message = format!("PRD story sync for epic {epic_key} queued");
        let job = new_job(&payload, message.clone())?;
        let record = enqueue(&state, job, DuplicateKind::Epic).await?;
        let mut accepted = BatchResponse::accepted(&record.id, message, !request.dry_run);
        accepted.safety_note =
            "JIRA and Confluence will only be updated if dry_run is false".to_owned();
        accepted.max_results = 0;
        return Ok(Json(ResultOrQueued::Queued(accepted)));
    }
    let result = run_sync(&state, &payload, DuplicateKind::Epic).await?;
    Ok(Json(ResultOrQueued::Result(result)))
}
