//! `POST /prompt/resubmit` (docs/reference-behaviour.md §1.9): rerun a ticket description (`generate_single`), a
//! story's task plan (`plan_tasks`) or a story's coverage analysis (`analyze_coverage`) with
//! edited prompts, and answer both results side by side. Nothing is written to Jira.

use axum::Json;
use axum::extract::State;
use job_types::prompt_resubmit::{PromptResubmit, PromptResubmitResponse, ResubmitOperation};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, LocSegment, ValidationErrorBody, ValidationIssue};
use crate::extract::ApiJson;
use crate::job_dispatch::run_sync;
use crate::job_responses::DuplicateKind;
use crate::request_fields::{issue_key, model_choice};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(resubmit))
}

/// The reference's `PromptResubmitRequest`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "operation_type": "generate_single",
    "original_request": {"ticket_key": "DEMO-6"},
    "modified_user_prompt": "Describe DEMO-6 for a new engineer, in three scopes."
}))]
pub struct PromptResubmitRequest {
    /// `generate_single`, `plan_tasks` or `analyze_coverage`.
    pub operation_type: ResubmitOperation,
    /// The body of the original request: `ticket_key` (generate_single) or `story_key` /
    /// `story_keys` (plan_tasks, analyze_coverage); its `additional_context`, `llm_provider` and
    /// `llm_model` are used too.
    #[schema(value_type = Object)]
    pub original_request: Value,
    /// Replaces the default system prompt; omitted: the default one.
    #[serde(default)]
    pub modified_system_prompt: Option<String>,
    /// The edited user prompt.
    pub modified_user_prompt: String,
    #[serde(default)]
    pub llm_provider: Option<String>,
    #[serde(default)]
    pub llm_model: Option<String>,
}

fn original_issue(loc: &str, msg: impl Into<String>, kind: &str) -> ApiError {
    ApiError::validation(ValidationIssue::new(
        [
            LocSegment::from("body"),
            LocSegment::from("original_request"),
            LocSegment::from(loc),
        ],
        msg,
        kind,
    ))
}

/// The ticket or story the original request was about.
fn original_key(operation: ResubmitOperation, original: &Value) -> Result<String, ApiError> {
    let (field, noun) = match operation {
        ResubmitOperation::GenerateSingle => ("ticket_key", "ticket"),
        _ => ("story_key", "story"),
    };
    let single = original[field].as_str().map(str::to_owned);
    let first_of_list = original["story_keys"]
        .as_array()
        .and_then(|keys| keys.first())
        .and_then(Value::as_str)
        .map(str::to_owned);
    let value = match operation {
        ResubmitOperation::PlanTasks => single.or(first_of_list),
        _ => single,
    };
    let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        original_issue(
            field,
            format!("Field required; the original request must name the {noun}, e.g. {{\"{field}\": \"PROJ-123\"}}"),
            "missing",
        )
    })?;
    issue_key(field, &value).map_err(|_| {
        original_issue(
            field,
            format!("{value:?} is not an issue key; send a key like PROJ-123 or a browse URL"),
            "value_error",
        )
    })
}

/// Reruns an operation with edited prompts beside its run on the default prompts.
#[utoipa::path(
    post,
    path = "/prompt/resubmit",
    tag = "prompts",
    request_body = PromptResubmitRequest,
    responses(
        (status = 200, description = "Both results side by side, with the prompts used and notes on the differences", body = PromptResubmitResponse),
        (status = 404, description = "The ticket or story does not exist", body = ErrorBody),
        (status = 422, description = "Unknown operation_type, an original request without its key, or an empty prompt", body = ValidationErrorBody),
    )
)]
async fn resubmit(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PromptResubmitRequest>,
) -> Result<Json<PromptResubmitResponse>, ApiError> {
    if !request.original_request.is_object() {
        return Err(ApiError::validation(ValidationIssue::body(
            "original_request",
            "Input should be an object: the body of the original request",
            "dict_type",
        )));
    }
    let key = original_key(request.operation_type, &request.original_request)?;
    if request.modified_user_prompt.trim().is_empty() {
        return Err(ApiError::validation(ValidationIssue::body(
            "modified_user_prompt",
            "must not be empty; send the edited user prompt",
            "string_too_short",
        )));
    }
    let original_text = |field: &str| {
        request
            .original_request
            .get(field)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .filter(|text| !text.trim().is_empty())
    };
    let llm_provider = request
        .llm_provider
        .clone()
        .or_else(|| original_text("llm_provider"));
    let llm_model = request
        .llm_model
        .clone()
        .or_else(|| original_text("llm_model"));
    model_choice(&state, llm_provider.as_deref(), llm_model.as_deref())?;
    let payload = PromptResubmit {
        operation_type: request.operation_type,
        key,
        additional_context: original_text("additional_context"),
        original_request: request.original_request,
        modified_system_prompt: request.modified_system_prompt,
        modified_user_prompt: request.modified_user_prompt,
        llm_provider,
        llm_model,
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}
