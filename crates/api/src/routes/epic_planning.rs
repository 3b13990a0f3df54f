//! Epic planning routes (docs/reference-behaviour.md §1.4, §1.5; docs/reference-behaviour.md §1.5): gap analysis and
//! validation of an epic, story generation, full epic planning with team tasks, and story
//! creation. Every route validates, then runs its job synchronously or (with `async_mode`)
//! queues it; nothing is written to Jira unless `dry_run=false` / `create_tickets=true`.
//!
//! Fixed against the reference: a duplicate request is a 409 (not a 500), a missing epic a 404,
//! a key that is not an epic a 422, an unknown `operation_mode` a 422 (not a silent `hybrid`),
//! and `llm_provider` / `llm_model` are checked and used.

use axum::Json;
use axum::extract::State;
use domain::IssueKey;
use job_types::JobPayload;
use job_types::epic_planning::{
    BulkCreationResult, EpicAnalysis, EpicAnalysisResult, EpicCreation, EpicPlanOptions,
    EpicPlanning, EpicValidation, EpicValidationResult, OperationMode, PlanningResult,
    StoryCreation, StoryCreationResult, StoryGeneration,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiJson, ApiPath};
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, status_url};
use crate::request_fields::{IssueKeyText, in_range, issue_key, model_choice};
use crate::state::AppState;

/// Stories generated when a request does not say how many.
const DEFAULT_MAX_STORIES: u32 = 8;
/// Tasks per story in full epic planning (the reference's planning default is 3; 10 for
/// task generation). Enough for one task per team and a split or two.
const DEFAULT_TASKS_PER_STORY: u32 = 6;
const DEFAULT_MAX_TASK_CYCLE_DAYS: f64 = 3.0;

/// The safety note of routes whose flag is `dry_run`.
const DRY_RUN_NOTE: &str = "JIRA will only be updated if dry_run is false";
/// The safety note of routes whose flag is `create_tickets`.
const CREATE_TICKETS_NOTE: &str = "JIRA will only be updated if create_tickets is true";

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(analyze_epic))
        .routes(routes!(validate_epic))
        .routes(routes!(generate_stories))
        .routes(routes!(complete_epic))
        .routes(routes!(create_epic))
        .routes(routes!(create_stories))
}

fn default_true() -> bool {
    true
}

fn default_story_count() -> u32 {
    5
}

fn default_max_task_cycle_days() -> f64 {
    DEFAULT_MAX_TASK_CYCLE_DAYS
}

fn default_operation_mode() -> String {
    OperationMode::Hybrid.as_str().to_owned()
}

/// `POST /plan/stories/generate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "dry_run": true, "async_mode": false}))]
pub struct StoryGenerationRequest {
    /// The epic's key or browse URL.
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    /// Preview only (default). `false` creates the stories under the epic.
    #[serde(default = "default_true")]
    pub dry_run: bool,
    /// Queue the work and answer at once with a job id.
    #[serde(default)]
    pub async_mode: bool,
    /// `openai`, `claude`, `gemini`, `kimi`, `offline` ... (see `GET /models`).
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
    /// Also generate test cases for each story (written to the test-case field).
    #[serde(default)]
    pub generate_test_cases: bool,
}

/// `POST /plan/epic/complete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "dry_run": true}))]
pub struct EpicPlanRequest {
    /// The epic's key or browse URL.
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    /// Preview only (default). `false` creates the stories and tasks.
    #[serde(default = "default_true")]
    pub dry_run: bool,
    /// Tasks longer than `max_task_cycle_days` are split by the generator.
    #[serde(default = "default_true")]
    pub split_oversized_tasks: bool,
    /// Test cases for every story and task (default true, as the reference).
    #[serde(default = "default_true")]
    pub generate_test_cases: bool,
    /// Longest task in man-days, 0.5 to 10 (default 3).
    #[serde(default = "default_max_task_cycle_days")]
    pub max_task_cycle_days: f64,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
}

/// `POST /plan/epic/create`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "create_tickets": false, "operation_mode": "hybrid"}))]
pub struct BulkTicketCreationRequest {
    /// The epic's key or browse URL.
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    /// Create the planned stories and tasks (default false: preview).
    #[serde(default)]
    pub create_tickets: bool,
    /// `documentation` (stories only), `planning` or `hybrid` (stories and team tasks).
    #[serde(default = "default_operation_mode")]
    pub operation_mode: String,
    #[serde(default)]
    pub async_mode: bool,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
}

/// `POST /plan/stories/create`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "story_count": 5, "create_tickets": false}))]
pub struct StoryCreationRequest {
    /// The epic's key or browse URL.
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    /// Stories to generate, 1 to 50 (default 5).
    #[serde(default = "default_story_count")]
    pub story_count: u32,
    /// Create the stories (default false: preview).
    #[serde(default)]
    pub create_tickets: bool,
    #[serde(default)]
    pub async_mode: bool,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
}

/// The async answer of `POST /plan/stories/create` (the reference's shape, not
/// `BatchResponse`).
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryCreationAccepted {
    pub job_id: String,
    /// Always `started`.
    pub status: String,
    pub message: String,
    pub status_url: String,
    pub epic_key: String,
}

/// The answer of `POST /plan/stories/generate`: the plan, or the queued job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum StoryGenerationResponse {
    Plan(Box<PlanningResult>),
    Accepted(BatchResponse),
}

/// The answer of `POST /plan/epic/create`: the plan and what was created, or the queued job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum EpicCreationResponse {
    Result(Box<BulkCreationResult>),
    Accepted(BatchResponse),
}

/// The answer of `POST /plan/stories/create`: the stories and what was created, or the queued
/// job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum StoryCreationResponse {
    Result(Box<StoryCreationResult>),
    Accepted(StoryCreationAccepted),
}

/// An epic key from the path, normalized; a malformed one is a 422 at `["path", "epic_key"]`.
fn path_epic_key(raw: &str) -> Result<String, ApiError> {
    IssueKey::parse(raw)
        .map(|key| key.to_string())
        .map_err(|error| {
            ApiError::validation(ValidationIssue::new(
                ["path".into(), "epic_key".into()],
                error.to_string(),
                "value_error",
            ))
        })
}

fn operation_mode(raw: &str) -> Result<OperationMode, ApiError> {
    OperationMode::parse(raw).ok_or_else(|| {
        ApiError::validation(ValidationIssue::body(
            "operation_mode",
            format!("Unknown operation_mode `{raw}`; send documentation, planning or hybrid"),
            "literal_error",
        ))
    })
}

/// Queues `payload` and answers with the reference's `BatchResponse`.
async fn accept<P: JobPayload>(
    state: &AppState,
    payload: &P,
    message: String,
    update_jira: bool,
    safety_note: &str,
    max_results: u32,
) -> Result<BatchResponse, ApiError> {
    let job = new_job(payload, message.clone())?;
    let record = enqueue(state, job, DuplicateKind::Epic).await?;
    let mut response = BatchResponse::accepted(&record.id, message, update_jira);
    response.safety_note = safety_note.to_owned();
    response.max_results = max_results;
    Ok(response)
}

/// `GET /plan/epic/{epic_key}/analyze`.
///
/// Gap analysis of an epic: the requirement lines of its PRD and RFC pages, which of them no
/// story covers (`missing_stories`), stories with no or a placeholder description or no
/// acceptance criteria (`incomplete_stories`), tasks no story links to (`orphaned_tasks`), and
/// a completion percentage. Reads only.
#[utoipa::path(
    get,
    path = "/plan/epic/{epic_key}/analyze",
    tag = "planning",
    params(("epic_key" = IssueKeyText, Path, description = "The epic's key, e.g. DEMO-1")),
    responses(
        (status = 200, description = "The analysis", body = EpicAnalysisResult),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 422, description = "Malformed key, or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira is unavailable", body = ErrorBody),
    )
)]
async fn analyze_epic(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<EpicAnalysisResult>, ApiError> {
    let epic_key = path_epic_key(&raw)?;
    let payload = EpicAnalysis { epic_key };
    Ok(Json(run_sync(&state, &payload, DuplicateKind::Epic).await?))
}

/// `GET /plan/validate/{epic_key}`.
///
/// Structural checks of an epic: stories without a description or acceptance criteria, tasks
/// linked to no story, open sub-tasks under done stories, open children under a done epic.
/// `valid` is false when any finding is an error. Reads only.
#[utoipa::path(
    get,
    path = "/plan/validate/{epic_key}",
    tag = "planning",
    params(("epic_key" = IssueKeyText, Path, description = "The epic's key, e.g. DEMO-1")),
    responses(
        (status = 200, description = "The findings", body = EpicValidationResult),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 422, description = "Malformed key, or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira is unavailable", body = ErrorBody),
    )
)]
async fn validate_epic(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<EpicValidationResult>, ApiError> {
    let epic_key = path_epic_key(&raw)?;
    let payload = EpicValidation { epic_key };
    Ok(Json(run_sync(&state, &payload, DuplicateKind::Epic).await?))
}

/// `POST /plan/stories/generate`.
///
/// Generates user stories for an epic from its summary, description and PRD/RFC pages.
/// With `dry_run` (the default) the answer holds the stories and the write plan and nothing is
/// written; `dry_run=false` creates each story under the epic (once, even if the job is
/// retried). Stories an existing story already covers are reported as `skipped`.
#[utoipa::path(
    post,
    path = "/plan/stories/generate",
    tag = "planning",
    request_body = StoryGenerationRequest,
    responses(
        (status = 200, description = "The stories (sync) or the queued job (`async_mode`: BatchResponse)", body = StoryGenerationResponse),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 409, description = "`Epic X is already being processed in job J`, with X-Active-Job-Id", body = ErrorBody),
        (status = 422, description = "Invalid field, or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira or the model provider is unavailable", body = ErrorBody),
    )
)]
async fn generate_stories(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<StoryGenerationRequest>,
) -> Result<Json<StoryGenerationResponse>, ApiError> {
    let epic_key = issue_key("epic_key", &request.epic_key)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    let payload = StoryGeneration {
        options: EpicPlanOptions {
            epic_key: epic_key.clone(),
            write: !request.dry_run,
            operation_mode: OperationMode::Documentation,
            max_stories: DEFAULT_MAX_STORIES,
            max_tasks_per_story: DEFAULT_TASKS_PER_STORY,
            max_task_cycle_days: DEFAULT_MAX_TASK_CYCLE_DAYS,
            generate_test_cases: request.generate_test_cases,
            llm_provider: request.llm_provider,
            llm_model: request.llm_model,
        },
    };
    if request.async_mode {
        let message = format!("Story generation for epic {epic_key} queued");
        let accepted = accept(&state, &payload, message, !request.dry_run, DRY_RUN_NOTE, 0).await?;
        return Ok(Json(StoryGenerationResponse::Accepted(accepted)));
    }
    let result = run_sync(&state, &payload, DuplicateKind::Epic).await?;
    Ok(Json(StoryGenerationResponse::Plan(Box::new(result))))
}

/// `POST /plan/epic/complete`.
///
/// Full planning of an epic: stories from its documents, team tasks for each story (Backend,
/// Frontend, QA, ...; with estimates and dependencies) and, by default, test cases. With
/// `dry_run` (the default) nothing is written; `dry_run=false` creates the stories and tasks,
/// links each task to its story ("split to") and dependent tasks with Blocks.
#[utoipa::path(
    post,
    path = "/plan/epic/complete",
    tag = "planning",
    request_body = EpicPlanRequest,
    responses(
        (status = 200, description = "The plan", body = PlanningResult),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 409, description = "`Epic X is already being processed in job J`", body = ErrorBody),
        (status = 422, description = "Invalid field, or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira or the model provider is unavailable", body = ErrorBody),
    )
)]
async fn complete_epic(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EpicPlanRequest>,
) -> Result<Json<PlanningResult>, ApiError> {
    let epic_key = issue_key("epic_key", &request.epic_key)?;
    let max_task_cycle_days = in_range(
        "max_task_cycle_days",
        request.max_task_cycle_days,
        0.5,
        10.0,
    )?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    // Without splitting, a task may be as long as the generator's upper bound allows.
    let max_task_cycle_days = if request.split_oversized_tasks {
        max_task_cycle_days
    } else {
        10.0
    };
    let payload = EpicPlanning {
        options: EpicPlanOptions {
            epic_key,
            write: !request.dry_run,
            operation_mode: OperationMode::Hybrid,
            max_stories: DEFAULT_MAX_STORIES,
            max_tasks_per_story: DEFAULT_TASKS_PER_STORY,
            max_task_cycle_days,
            generate_test_cases: request.generate_test_cases,
            llm_provider: request.llm_provider,
            llm_model: request.llm_model,
        },
    };
    Ok(Json(run_sync(&state, &payload, DuplicateKind::Epic).await?))
}

/// `POST /plan/epic/create`.
///
/// Epic planning with ticket creation in the reference's `BulkCreationResponse` shape: the plan
/// under `planning_results`, what was created under `creation_results`. `operation_mode`
/// `documentation` plans stories only; `planning` and `hybrid` add team tasks per story.
#[utoipa::path(
    post,
    path = "/plan/epic/create",
    tag = "planning",
    request_body = BulkTicketCreationRequest,
    responses(
        (status = 200, description = "The plan and what was created (sync) or the queued job (`async_mode`: BatchResponse)", body = EpicCreationResponse),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 409, description = "`Epic X is already being processed in job J`", body = ErrorBody),
        (status = 422, description = "Invalid field (e.g. operation_mode), or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira or the model provider is unavailable", body = ErrorBody),
    )
)]
async fn create_epic(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BulkTicketCreationRequest>,
) -> Result<Json<EpicCreationResponse>, ApiError> {
    let epic_key = issue_key("epic_key", &request.epic_key)?;
    let operation_mode = operation_mode(&request.operation_mode)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    let payload = EpicCreation {
        options: EpicPlanOptions {
            epic_key: epic_key.clone(),
            write: request.create_tickets,
            operation_mode,
            max_stories: DEFAULT_MAX_STORIES,
            max_tasks_per_story: DEFAULT_TASKS_PER_STORY,
            max_task_cycle_days: DEFAULT_MAX_TASK_CYCLE_DAYS,
            generate_test_cases: false,
            llm_provider: request.llm_provider,
            llm_model: request.llm_model,
        },
    };
    if request.async_mode {
        let message = format!("Epic planning and creation queued for {epic_key}");
        let accepted = accept(
            &state,
            &payload,
            message,
            request.create_tickets,
            CREATE_TICKETS_NOTE,
            1,
        )
        .await?;
        return Ok(Json(EpicCreationResponse::Accepted(accepted)));
    }
    let result = run_sync(&state, &payload, DuplicateKind::Epic).await?;
    Ok(Json(EpicCreationResponse::Result(Box::new(result))))
}

/// `POST /plan/stories/create`.
///
/// Generates `story_count` stories for an epic, with acceptance criteria in each description,
/// and creates them with `create_tickets=true`. Async answers use the reference's
/// `{job_id, status, message, status_url, epic_key}`.
#[utoipa::path(
    post,
    path = "/plan/stories/create",
    tag = "planning",
    request_body = StoryCreationRequest,
    responses(
        (status = 200, description = "The stories and what was created (sync) or the queued job (`async_mode`: StoryCreationAccepted)", body = StoryCreationResponse),
        (status = 404, description = "`Epic X not found`", body = ErrorBody),
        (status = 409, description = "`Epic X is already being processed in job J`", body = ErrorBody),
        (status = 422, description = "Invalid field (story_count 1 to 50), or the issue is not an epic", body = ValidationErrorBody),
        (status = 503, description = "Jira or the model provider is unavailable", body = ErrorBody),
    )
)]
async fn create_stories(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<StoryCreationRequest>,
) -> Result<Json<StoryCreationResponse>, ApiError> {
    let epic_key = issue_key("epic_key", &request.epic_key)?;
    let story_count = in_range("story_count", request.story_count, 1, 50)?;
    model_choice(
        &state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    let payload = StoryCreation {
        options: EpicPlanOptions {
            epic_key: epic_key.clone(),
            write: request.create_tickets,
            operation_mode: OperationMode::Documentation,
            max_stories: story_count,
            max_tasks_per_story: DEFAULT_TASKS_PER_STORY,
            max_task_cycle_days: DEFAULT_MAX_TASK_CYCLE_DAYS,
            generate_test_cases: false,
            llm_provider: request.llm_provider,
            llm_model: request.llm_model,
        },
    };
    if request.async_mode {
        let message = format!("Story creation queued for epic {epic_key}");
        let job = new_job(&payload, message.clone())?;
        let record = enqueue(&state, job, DuplicateKind::Epic).await?;
        return Ok(Json(StoryCreationResponse::Accepted(
            StoryCreationAccepted {
                job_id: record.id.to_string(),
                status: "started".to_owned(),
                message,
                status_url: status_url(&record.id),
                epic_key,
            },
        )));
    }
    let result = run_sync(&state, &payload, DuplicateKind::Epic).await?;
    Ok(Json(StoryCreationResponse::Result(Box::new(result))))
}
