//! Story coverage routes (docs/reference-behaviour.md §1.7): `POST /analyze/story-coverage` (how well a story's
//! tasks cover it, with suggestions), and the two routes that take a suggestion's
//! `ready_to_submit` body as is: `/analyze/story-coverage/update-task` and
//! `/analyze/story-coverage/create-task`. Both preview unless their flag says otherwise.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use job_types::story_coverage::{
    AnalyzeStoryCoverage, CreateCoverageTask, CreateTaskResponse, StoryCoverageResponse,
    UpdateCoverageTask, UpdateTaskResponse,
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::ApiJson;
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued};
use crate::request_fields::{IssueKeyText, issue_key, model_choice, no_repos};
use crate::state::AppState;

/// Jira's limit on a summary.
const MAX_SUMMARY_CHARS: usize = 255;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(story_coverage))
        .routes(routes!(update_task))
        .routes(routes!(create_task))
}

fn yes() -> bool {
    true
}

/// `POST /analyze/story-coverage` (the reference's `StoryCoverageRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_key": "DEMO-5"}))]
pub struct StoryCoverageRequest {
    /// The story (a key or a browse URL).
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    /// Read the tasks' test-case fields too (default true).
    #[serde(default = "yes")]
    pub include_test_cases: bool,
    /// Queue the analysis and answer at once with the job id.
    #[serde(default)]
    pub async_mode: bool,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
    /// Free text for the model.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// Repositories for code-aware analysis (not available in this release).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub repos: Option<Vec<Value>>,
}

/// `POST /analyze/story-coverage/update-task`: a suggestion's `ready_to_submit` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"task_key": "DEMO-14", "updated_description": "**Purpose:** ...", "updated_test_cases": null, "update_jira": false}))]
pub struct UpdateTaskRequest {
    #[schema(value_type = IssueKeyText)]
    pub task_key: String,
    /// The task's new description (Markdown).
    pub updated_description: String,
    /// The task's new test cases (Markdown); `null` leaves them as they are.
    #[serde(default)]
    pub updated_test_cases: Option<String>,
    /// Write to Jira. Default false: the response previews the edit with the current values.
    #[serde(default)]
    pub update_jira: bool,
}

/// `POST /analyze/story-coverage/create-task`: a suggestion's `ready_to_submit` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_key": "DEMO-4", "task_summary": "Guest checkout: reach payment without signing in", "task_description": "**Purpose:** ...", "test_cases": null, "create_ticket": false}))]
pub struct CreateTaskRequest {
    /// The story the task is split from; the task goes under the story's epic.
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    pub task_summary: String,
    /// Markdown.
    pub task_description: String,
    /// Markdown, written to the test-case field.
    #[serde(default)]
    pub test_cases: Option<String>,
    /// Create the task. Default false: the response previews the requests.
    #[serde(default)]
    pub create_ticket: bool,
}

fn required_text(field: &str, value: &str, what: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("must not be empty; send {what}"),
            "string_too_short",
        )))
    } else {
        Ok(())
    }
}

/// How well a story's tasks cover its requirements.
#[utoipa::path(
    post,
    path = "/analyze/story-coverage",
    tag = "coverage",
    request_body = StoryCoverageRequest,
    responses(
        (status = 200, description = "The analysis (or, with async_mode, a BatchResponse whose job result is the analysis)", body = ResultOrQueued<StoryCoverageResponse>),
        (status = 404, description = "The story does not exist", body = ErrorBody),
        (status = 409, description = "The story is already being analysed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn story_coverage(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<StoryCoverageRequest>,
) -> Result<Response, ApiError> {
    let story_key = issue_key("story_key", &request.story_key)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    no_repos(request.repos.as_deref(), "analysis")?;
    let payload = AnalyzeStoryCoverage {
        story_key: story_key.clone(),
        include_test_cases: request.include_test_cases,
        llm_provider: request.llm_provider,
        llm_model: request.llm_model,
        additional_context: request
            .additional_context
            .filter(|text| !text.trim().is_empty()),
    };
    if request.async_mode {
        let message = format!("Story coverage analysis for {story_key} queued");
        let record = enqueue(
            &state,
            new_job(&payload, message.clone())?,
            DuplicateKind::Story,
        )
        .await?;
        let mut accepted = BatchResponse::accepted(&record.id, message, false);
        accepted.safety_note =
            "This is a read-only analysis operation - no JIRA updates are made".to_owned();
        return Ok(accepted.into_response());
    }
    let result = run_sync(&state, &payload, DuplicateKind::Story).await?;
    Ok(Json(result).into_response())
}

/// Applies an update suggestion to a task: previewed unless `update_jira`.
#[utoipa::path(
    post,
    path = "/analyze/story-coverage/update-task",
    tag = "coverage",
    request_body = UpdateTaskRequest,
    responses(
        (status = 200, description = "The preview (current and new values, write plan) or the write made", body = UpdateTaskResponse),
        (status = 404, description = "The task does not exist", body = ErrorBody),
        (status = 409, description = "The task is already being processed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn update_task(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<UpdateTaskRequest>,
) -> Result<Json<UpdateTaskResponse>, ApiError> {
    let task_key = issue_key("task_key", &request.task_key)?;
    required_text(
        "updated_description",
        &request.updated_description,
        "the task's new description",
    )?;
    let payload = UpdateCoverageTask {
        task_key,
        updated_description: request.updated_description,
        updated_test_cases: request.updated_test_cases,
        update_jira: request.update_jira,
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// Creates a task split from the story, under the story's epic: previewed unless
/// `create_ticket`.
#[utoipa::path(
    post,
    path = "/analyze/story-coverage/create-task",
    tag = "coverage",
    request_body = CreateTaskRequest,
    responses(
        (status = 200, description = "The preview (the exact create and link requests) or the created task", body = CreateTaskResponse),
        (status = 404, description = "The story does not exist", body = ErrorBody),
        (status = 409, description = "The story is already being processed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn create_task(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateTaskRequest>,
) -> Result<Json<CreateTaskResponse>, ApiError> {
    let story_key = issue_key("story_key", &request.story_key)?;
    required_text(
        "task_summary",
        &request.task_summary,
        "the task's one-line summary",
    )?;
    if request.task_summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(ApiError::validation(ValidationIssue::body(
            "task_summary",
            format!("String should have at most {MAX_SUMMARY_CHARS} characters (Jira's limit)"),
            "string_too_long",
        )));
    }
    required_text(
        "task_description",
        &request.task_description,
        "the task's description",
    )?;
    let payload = CreateCoverageTask {
        story_key,
        task_summary: request.task_summary.trim().to_owned(),
        task_description: request.task_description,
        test_cases: request.test_cases.filter(|text| !text.trim().is_empty()),
        create_ticket: request.create_ticket,
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Story).await?,
    ))
}
