//! Test generation routes (docs/reference-behaviour.md §1.6, §5.3, docs/reference-behaviour.md §1.6):
//! `POST /plan/tests/comprehensive`, `/plan/tests/story`, `/plan/tests/task` and
//! `/plan/tests/task/context-aware`.
//!
//! Unlike the reference, nothing is written to Jira unless `update_jira=true` (the reference
//! always wrote the tests); `async_mode` answers a `BatchResponse` (the reference answered 500);
//! a missing key is a 422 naming the field (the reference answered 500 or 400).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use job_types::test_generation::{
    ComprehensiveTestSuiteResponse, CoverageLevel, GenerateTests, TestGenerationOutput,
    TestGenerationResponse, TestScope,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::ApiJson;
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued};
use crate::request_fields::{IssueKeyText, issue_key, model_choice};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(comprehensive_tests))
        .routes(routes!(story_tests))
        .routes(routes!(task_tests))
        .routes(routes!(context_aware_task_tests))
}

fn yes() -> bool {
    true
}

/// The body of every test-generation route (the reference's `TestGenerationRequest`, plus
/// `update_jira`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_key": "DEMO-4", "coverage_level": "standard"}))]
pub struct TestGenerationRequest {
    /// The epic whose stories and tasks get tests (comprehensive; derived from `story_key` when
    /// absent).
    #[serde(default)]
    #[schema(value_type = Option<IssueKeyText>)]
    pub epic_key: Option<String>,
    /// The story (required by `/plan/tests/story`).
    #[serde(default)]
    #[schema(value_type = Option<IssueKeyText>)]
    pub story_key: Option<String>,
    /// The task (required by the task routes).
    #[serde(default)]
    #[schema(value_type = Option<IssueKeyText>)]
    pub task_key: Option<String>,
    /// minimal (1-2 tests per item), basic (2-4), standard (3-6, default) or comprehensive
    /// (5-10, with performance and security tests).
    #[serde(default)]
    pub coverage_level: CoverageLevel,
    /// Queue the work and answer at once with the job id.
    #[serde(default)]
    pub async_mode: bool,
    /// Business domain to tailor the tests to: financial, healthcare, ecommerce, security, ...
    #[serde(default)]
    pub domain_context: Option<String>,
    /// Technical layer to tailor the tests to: api, database, ui, microservice, ...
    #[serde(default)]
    pub technical_context: Option<String>,
    /// Give the epic's PRD/RFC pages to the generator (default true).
    #[serde(default = "yes")]
    pub include_documents: bool,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
    /// Write the tests to the test-case field. Default false: the response previews the write,
    /// with the field's current value.
    #[serde(default)]
    pub update_jira: bool,
}

fn required_key(field: &str, value: Option<&str>, noun: &str) -> Result<String, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => issue_key(field, value),
        None => Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("Field required; send the {noun}'s key, e.g. \"PROJ-123\""),
            "missing",
        ))),
    }
}

fn optional_key(field: &str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| issue_key(field, v))
        .transpose()
}

/// Validates the request for `scope` and builds the job payload.
fn payload(
    state: &AppState,
    request: TestGenerationRequest,
    scope: TestScope,
) -> Result<GenerateTests, ApiError> {
    let (epic_key, story_key, task_key) = match scope {
        TestScope::Comprehensive => {
            let epic = optional_key("epic_key", request.epic_key.as_deref())?;
            let story = optional_key("story_key", request.story_key.as_deref())?;
            if epic.is_none() && story.is_none() {
                return Err(ApiError::validation(ValidationIssue::body(
                    "epic_key",
                    "Field required; send the epic's key (or a story_key whose epic is meant), e.g. \"PROJ-100\"",
                    "missing",
                )));
            }
            (epic, story, None)
        }
        TestScope::Story => (
            optional_key("epic_key", request.epic_key.as_deref())?,
            Some(required_key(
                "story_key",
                request.story_key.as_deref(),
                "story",
            )?),
            None,
        ),
        TestScope::Task | TestScope::TaskContextAware => (
            optional_key("epic_key", request.epic_key.as_deref())?,
            optional_key("story_key", request.story_key.as_deref())?,
            Some(required_key(
                "task_key",
                request.task_key.as_deref(),
                "task",
            )?),
        ),
    };
    model_choice(
        state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    Ok(GenerateTests {
        test_type: scope,
        epic_key,
        story_key,
        task_key,
        coverage_level: request.coverage_level,
        domain_context: request.domain_context,
        technical_context: request.technical_context,
        include_documents: request.include_documents,
        llm_provider: request.llm_provider,
        llm_model: request.llm_model,
        update_jira: request.update_jira,
    })
}

/// Queues the job (`async_mode`) or runs it and answers its result.
async fn dispatch(
    state: &AppState,
    payload: GenerateTests,
    async_mode: bool,
) -> Result<Response, ApiError> {
    let duplicate = match payload.test_type {
        TestScope::Comprehensive => DuplicateKind::Epic,
        TestScope::Story => DuplicateKind::Story,
        TestScope::Task | TestScope::TaskContextAware => DuplicateKind::Ticket,
    };
    if async_mode {
        let key = payload.primary_key().unwrap_or_default().to_owned();
        let message = match payload.test_type {
            TestScope::Comprehensive => format!("Test suite generation for {key} queued"),
            TestScope::Story => format!("Test generation for story {key} queued"),
            _ => format!("Test generation for task {key} queued"),
        };
        let update_jira = payload.update_jira;
        let record = enqueue(state, new_job(&payload, message.clone())?, duplicate).await?;
        let mut accepted = BatchResponse::accepted(&record.id, message, update_jira);
        if !update_jira {
            accepted.safety_note =
                "Preview: the tests are not written to Jira. Set update_jira=true to write them to the test-case field.".to_owned();
        }
        return Ok(accepted.into_response());
    }
    match run_sync(state, &payload, duplicate).await? {
        TestGenerationOutput::Suite(suite) => Ok(Json(suite).into_response()),
        TestGenerationOutput::Single(single) => Ok(Json(single).into_response()),
    }
}

/// Tests for every story and task of an epic.
#[utoipa::path(
    post,
    path = "/plan/tests/comprehensive",
    tag = "tests",
    request_body = TestGenerationRequest,
    responses(
        (status = 200, description = "The suite (or, with async_mode, a BatchResponse whose job result is the suite)", body = ResultOrQueued<ComprehensiveTestSuiteResponse>),
        (status = 404, description = "The epic or story does not exist", body = ErrorBody),
        (status = 409, description = "A test job for this epic is already running", body = ErrorBody),
        (status = 422, description = "No epic_key or story_key, a bad key or coverage_level, or a story without an epic", body = ValidationErrorBody),
    )
)]
async fn comprehensive_tests(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TestGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = payload(&state, request, TestScope::Comprehensive)?;
    dispatch(&state, payload, async_mode).await
}

/// Tests for one story.
#[utoipa::path(
    post,
    path = "/plan/tests/story",
    tag = "tests",
    request_body = TestGenerationRequest,
    responses(
        (status = 200, description = "The story's tests and the write plan (or, with async_mode, a BatchResponse)", body = ResultOrQueued<TestGenerationResponse>),
        (status = 404, description = "The story does not exist", body = ErrorBody),
        (status = 409, description = "A test job for this story is already running", body = ErrorBody),
        (status = 422, description = "No story_key, a bad key or coverage_level", body = ValidationErrorBody),
    )
)]
async fn story_tests(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TestGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = payload(&state, request, TestScope::Story)?;
    dispatch(&state, payload, async_mode).await
}

/// Tests for one task, from the task's own text (and its parent).
#[utoipa::path(
    post,
    path = "/plan/tests/task",
    tag = "tests",
    request_body = TestGenerationRequest,
    responses(
        (status = 200, description = "The task's tests and the write plan (or, with async_mode, a BatchResponse)", body = ResultOrQueued<TestGenerationResponse>),
        (status = 404, description = "The task does not exist", body = ErrorBody),
        (status = 409, description = "A test job for this task is already running", body = ErrorBody),
        (status = 422, description = "No task_key, a bad key or coverage_level", body = ValidationErrorBody),
    )
)]
async fn task_tests(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TestGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = payload(&state, request, TestScope::Task)?;
    dispatch(&state, payload, async_mode).await
}

/// Tests for one task with the story it belongs to (parent or "split" link) and the epic's
/// PRD/RFC as context.
#[utoipa::path(
    post,
    path = "/plan/tests/task/context-aware",
    tag = "tests",
    request_body = TestGenerationRequest,
    responses(
        (status = 200, description = "The task's tests with story_context, document_context and context_sources (or, with async_mode, a BatchResponse)", body = ResultOrQueued<TestGenerationResponse>),
        (status = 404, description = "The task does not exist", body = ErrorBody),
        (status = 409, description = "A test job for this task is already running", body = ErrorBody),
        (status = 422, description = "No task_key, a bad key or coverage_level", body = ValidationErrorBody),
    )
)]
async fn context_aware_task_tests(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TestGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = payload(&state, request, TestScope::TaskContextAware)?;
    dispatch(&state, payload, async_mode).await
}
