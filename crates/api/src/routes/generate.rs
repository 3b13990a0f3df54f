//! `POST /generate/single` and `POST /generate/batch` (docs/reference-behaviour.md §1.2,
//! docs/reference-behaviour.md §1.2): a ticket's description generated and previewed, or written when
//! `update_jira` is set. Single tickets answer synchronously unless `async_mode`; batches are
//! always jobs.

use axum::Json;
use axum::extract::State;
use job_types::generate::{GenerateBatch, GenerateSingle, TicketResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody};
use crate::extract::ApiJson;
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind};
use crate::request_fields::{IssueKeyText, in_range, issue_key, jql, model_choice, no_repos};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate_single))
        .routes(routes!(generate_batch))
}

/// `POST /generate/single`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ticket_key": "DEMO-4", "update_jira": false}))]
pub struct SingleTicketRequest {
    /// An issue key (`PROJ-123`) or its browse URL.
    #[schema(value_type = IssueKeyText)]
    pub ticket_key: String,
    /// Write the description to Jira (only when the current one is empty or a placeholder).
    #[serde(default)]
    pub update_jira: bool,
    /// Answer at once with a job id instead of the result.
    #[serde(default)]
    pub async_mode: bool,
    /// A model of `llm_provider` (see `GET /models`).
    #[serde(default)]
    pub llm_model: Option<String>,
    /// `openai`, `claude`, `gemini`, `kimi`, `openai-compatible` or `offline`.
    #[serde(default)]
    pub llm_provider: Option<String>,
    /// Free text for the model ("focus on the auth module").
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Repositories for code-aware generation (not available in this release).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub repos: Option<Vec<Value>>,
}

/// `POST /generate/batch`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"jql": "project = DEMO AND description is EMPTY", "max_results": 50}))]
pub struct JqlRequest {
    /// Which tickets to process.
    pub jql: String,
    /// At most this many tickets, 1 to 1000 (default 100).
    #[serde(default = "default_max_results")]
    pub max_results: u32,
    #[serde(default)]
    pub update_jira: bool,
    #[serde(default)]
    pub llm_model: Option<String>,
    #[serde(default)]
    pub llm_provider: Option<String>,
}

fn default_max_results() -> u32 {
    100
}

/// The answer of `POST /generate/single`: the ticket's result, or the queued job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SingleTicketResponse {
    Ticket(Box<TicketResult>),
    Accepted(BatchResponse),
}

/// Generate the description of one ticket.
///
/// Previews by default: the response holds the generated description, the current one, and the
/// exact Jira request (`write_plan`) that `update_jira=true` would send.
#[utoipa::path(
    post,
    path = "/generate/single",
    tag = "generation",
    request_body = SingleTicketRequest,
    responses(
        (status = 200, description = "The ticket's result (or, with `async_mode`, the queued job)", body = SingleTicketResponse),
        (status = 404, description = "The ticket does not exist", body = ErrorBody),
        (status = 409, description = "The ticket is already being processed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
        (status = 503, description = "Jira or the model provider is unavailable", body = ErrorBody),
    )
)]
async fn generate_single(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SingleTicketRequest>,
) -> Result<Json<SingleTicketResponse>, ApiError> {
    let ticket_key = issue_key("ticket_key", &request.ticket_key)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    no_repos(request.repos.as_deref(), "generation")?;
    let payload = GenerateSingle {
        ticket_key: ticket_key.clone(),
        update_jira: request.update_jira,
        llm_provider: request.llm_provider,
        llm_model: request.llm_model,
        additional_context: request
            .additional_context
            .filter(|text| !text.trim().is_empty()),
    };
    if request.async_mode {
        let job = new_job(
            &payload,
            format!("Ticket {ticket_key} queued for processing"),
        )?;
        let record = enqueue(&state, job, DuplicateKind::Ticket).await?;
        let body = BatchResponse::accepted(
            &record.id,
            format!("Ticket {ticket_key} queued for processing"),
            payload.update_jira,
        );
        return Ok(Json(SingleTicketResponse::Accepted(body)));
    }
    let result = run_sync(&state, &payload, DuplicateKind::Ticket).await?;
    Ok(Json(SingleTicketResponse::Ticket(Box::new(result))))
}

/// Generate descriptions for every ticket a JQL query finds (always a job).
///
/// The JQL is checked before anything is queued; a bad query is a 422 in Jira's wording.
#[utoipa::path(
    post,
    path = "/generate/batch",
    tag = "generation",
    request_body = JqlRequest,
    responses(
        (status = 200, description = "The queued job; poll `status_url`", body = BatchResponse),
        (status = 422, description = "Invalid JQL or field", body = ValidationErrorBody),
    )
)]
async fn generate_batch(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<JqlRequest>,
) -> Result<BatchResponse, ApiError> {
    jql("jql", &request.jql)?;
    let max_results = in_range("max_results", request.max_results, 1, 1000)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    let payload = GenerateBatch {
        jql: request.jql.trim().to_owned(),
        max_results,
        update_jira: request.update_jira,
        llm_provider: request.llm_provider,
        llm_model: request.llm_model,
    };
    let message = if payload.update_jira {
        "Batch processing started in UPDATE mode - JIRA will be modified"
    } else {
        "Batch processing started in PREVIEW mode - no JIRA changes"
    };
    let record = enqueue(&state, new_job(&payload, message)?, DuplicateKind::Ticket).await?;
    let mut body = BatchResponse::accepted(&record.id, message, payload.update_jira);
    body.jql = payload.jql;
    body.max_results = max_results;
    Ok(body)
}
