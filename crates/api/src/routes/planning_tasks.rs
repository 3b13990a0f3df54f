//! Task planning routes (docs/reference-behaviour.md §5.2, §5.8;
//! docs/reference-behaviour.md §1.4, §1.5): `POST /plan/tasks/generate`, `POST /plan/tasks/team-based`,
//! `POST /plan/tasks/create` and `GET /plan/estimate/{ticket_key}`.
//!
//! Each validates its request and runs the `task_generation`, `task_creation` or
//! `cycle_time_estimate` job: queued with `async_mode`, else run in this process and answered
//! with its result. Nothing is written to Jira unless `dry_run=false` / `create_tickets=true`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use domain::IssueKey;
use domain::job::JobStatus;
use job_types::JobPayload;
use job_types::planning_tasks::{
    CycleTimeEstimateJob, CycleTimeEstimateResponse, ERROR_DETAIL_ATTRIBUTE,
    ERROR_STATUS_ATTRIBUTE, TaskCreation, TaskCreationResult, TaskGeneration, TaskPlanningResult,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::JobRecord;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, LocSegment, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiJson, ApiPath};
use crate::job_dispatch::{enqueue, job_output, new_job, run_sync_record};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued, status_url};
use crate::request_fields::{IssueKeyText, in_range, issue_key, issue_keys, model_choice};
use crate::state::AppState;

/// Most repositories one request may name (the reference's `opencode.max_repos_per_job`).
pub const MAX_REPOS: usize = 5;
/// The cycle-time limit the estimate compares against (the reference's 3-day rule).
pub const MAX_CYCLE_DAYS: f64 = 3.0;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate_tasks))
        .routes(routes!(team_based_tasks))
        .routes(routes!(create_tasks))
        .routes(routes!(estimate_ticket))
}

fn default_true() -> bool {
    true
}

fn default_cycle_days() -> f64 {
    3.0
}

fn default_tasks_per_story() -> u32 {
    3
}

/// A repository: its URL, or `{url, branch}` (the reference's `RepoSpec`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RepoSpec {
    Url(String),
    Spec(RepoSpecObject),
}

/// `{url, branch?}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepoSpecObject {
    /// `https://…` or `git@…`.
    pub url: String,
    pub branch: Option<String>,
}

/// `POST /plan/tasks/generate` and `POST /plan/tasks/team-based` (the reference's
/// `TaskGenerationRequest`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_keys": ["DEMO-4"], "dry_run": true}))]
pub struct TaskGenerationRequest {
    /// Story keys or Jira browse URLs (deduplicated; at least one).
    #[schema(value_type = Vec<IssueKeyText>, min_items = 1)]
    pub story_keys: Vec<String>,
    /// The epic the tasks go under; default: each story's parent epic.
    #[serde(default, alias = "parent_key")]
    #[schema(value_type = Option<IssueKeyText>)]
    pub epic_key: Option<String>,
    /// Preview only (default); `false` creates the tasks and their links in Jira.
    #[serde(default = "default_true")]
    pub dry_run: bool,
    /// Queue the work and answer with the job id at once.
    #[serde(default)]
    pub async_mode: bool,
    /// Split tasks longer than `max_task_cycle_days` (default true).
    #[serde(default = "default_true")]
    pub split_oversized_tasks: bool,
    /// Cycle-time limit per task in man-days, 0.5 to 10 (default 3).
    #[serde(default = "default_cycle_days")]
    pub max_task_cycle_days: f64,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Free text added to the prompt.
    pub additional_context: Option<String>,
    /// Add test cases to every task.
    #[serde(default)]
    pub generate_test_cases: bool,
    /// Repositories for code-aware planning; accepted and validated, not used yet.
    pub repos: Option<Vec<RepoSpec>>,
}

/// `POST /plan/tasks/create` (the reference's `TaskCreationRequest`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_keys": ["DEMO-4"], "tasks_per_story": 3, "create_tickets": false}))]
pub struct TaskCreationRequest {
    /// Story keys or Jira browse URLs.
    #[schema(value_type = Vec<IssueKeyText>, min_items = 1)]
    pub story_keys: Vec<String>,
    /// Most tasks planned per story, 1 to 30 (default 3); oversized tasks may add parts.
    #[serde(default = "default_tasks_per_story")]
    pub tasks_per_story: u32,
    /// Create the tasks in Jira (default false: preview).
    #[serde(default)]
    pub create_tickets: bool,
    #[serde(default)]
    pub async_mode: bool,
}

/// The async answer of `POST /plan/tasks/create` (the reference's plain object, not a
/// `BatchResponse`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskCreationAccepted {
    pub job_id: String,
    /// Always `started`.
    pub status: String,
    pub message: String,
    pub status_url: String,
    pub story_keys: Vec<String>,
}

/// The answer of `POST /plan/tasks/create`: the plan and what was created, or the queued job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TaskCreationResponse {
    Result(Box<TaskCreationResult>),
    Accepted(TaskCreationAccepted),
}

/// Validates a task generation request into its job payload.
fn generation_payload(
    state: &AppState,
    request: TaskGenerationRequest,
    team_separation: bool,
) -> Result<TaskGeneration, ApiError> {
    let story_keys = issue_keys("story_keys", &request.story_keys)?;
    let epic_key = request
        .epic_key
        .as_deref()
        .filter(|key| !key.trim().is_empty())
        .map(|key| issue_key("epic_key", key))
        .transpose()?;
    let max_task_cycle_days = if request.max_task_cycle_days.is_finite() {
        in_range(
            "max_task_cycle_days",
            request.max_task_cycle_days,
            0.5,
            10.0,
        )?
    } else {
        return Err(ApiError::validation(ValidationIssue::body(
            "max_task_cycle_days",
            "Input should be a finite number",
            "finite_number",
        )));
    };
    model_choice(
        state,
        request.llm_provider.as_deref(),
        request.llm_model.as_deref(),
    )?;
    let repos = repo_urls(request.repos.as_deref().unwrap_or_default())?;
    Ok(TaskGeneration {
        story_keys,
        epic_key,
        dry_run: request.dry_run,
        split_oversized_tasks: request.split_oversized_tasks,
        max_task_cycle_days,
        max_tasks_per_story: 10,
        llm_provider: request.llm_provider,
        llm_model: request.llm_model,
        additional_context: request
            .additional_context
            .filter(|text| !text.trim().is_empty()),
        generate_test_cases: request.generate_test_cases,
        team_separation,
        repos,
    })
}

/// Checks repositories as the reference's `RepoSpec` does, naming the entry at fault.
pub fn repo_urls(repos: &[RepoSpec]) -> Result<Vec<String>, ApiError> {
    if repos.len() > MAX_REPOS {
        return Err(ApiError::validation(ValidationIssue::body(
            "repos",
            format!(
                "At most {MAX_REPOS} repositories per request; {} were sent",
                repos.len()
            ),
            "too_long",
        )));
    }
    let mut issues = Vec::new();
    let mut urls = Vec::with_capacity(repos.len());
    for (index, repo) in repos.iter().enumerate() {
        let (url, branch) = match repo {
            RepoSpec::Url(url) => (url.trim(), None),
            RepoSpec::Spec(spec) => (spec.url.trim(), spec.branch.as_deref()),
        };
        let at = |field: Option<&str>| {
            let mut loc = vec![
                LocSegment::from("body"),
                LocSegment::from("repos"),
                LocSegment::Index(index),
            ];
            if let Some(field) = field {
                loc.push(LocSegment::from(field));
            }
            loc
        };
        if let Some(problem) = repo_url_problem(url) {
            issues.push(ValidationIssue::new(
                at(matches!(repo, RepoSpec::Spec(_)).then_some("url")),
                problem,
                "value_error",
            ));
        }
        if let Some(branch) = branch
            && !valid_branch(branch)
        {
            issues.push(ValidationIssue::new(
                at(Some("branch")),
                "Branch names may contain letters, digits, `_`, `-`, `.` and `/`, and no `..`",
                "value_error",
            ));
        }
        urls.push(url.to_owned());
    }
    if issues.is_empty() {
        Ok(urls)
    } else {
        Err(ApiError::Validation(issues))
    }
}

fn repo_url_problem(url: &str) -> Option<String> {
    if !(url.starts_with("https://") || url.starts_with("git@")) {
        return Some("Repository URL must start with https:// or git@".to_owned());
    }
    let lower = url.to_ascii_lowercase();
    ["file://", "ftp://", "..", "://localhost", "://127.0.0.1"]
        .iter()
        .find(|bad| lower.contains(*bad))
        .map(|bad| format!("Repository URL must not contain `{bad}`"))
}

fn valid_branch(branch: &str) -> bool {
    !branch.is_empty()
        && !branch.contains("..")
        && branch
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

/// Runs `payload` in this process; a failure the job marked with a status (the reference's 400
/// for a story without an epic) is answered with it.
async fn run_here<P: JobPayload>(state: &AppState, payload: &P) -> Result<P::Output, ApiError> {
    let record = run_sync_record(state, payload, DuplicateKind::Stories).await?;
    if let Some(error) = marked_failure(&record) {
        return Err(error);
    }
    job_output::<P>(&record)
}

fn marked_failure(record: &JobRecord) -> Option<ApiError> {
    if record.status != JobStatus::Failed {
        return None;
    }
    let status = record
        .attributes
        .get(ERROR_STATUS_ATTRIBUTE)
        .and_then(Value::as_u64)?;
    let detail = record
        .attributes
        .get(ERROR_DETAIL_ATTRIBUTE)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| record.error.clone())
        .unwrap_or_else(|| format!("Job {} failed", record.id));
    (status == 400).then_some(ApiError::BadRequest(detail))
}

async fn generation_response(
    state: &AppState,
    payload: TaskGeneration,
    async_mode: bool,
) -> Result<Response, ApiError> {
    if !async_mode {
        return Ok(Json(run_here(state, &payload).await?).into_response());
    }
    let count = payload.story_keys.len();
    let mode = if payload.dry_run {
        "PREVIEW mode - no JIRA changes"
    } else {
        "UPDATE mode - JIRA will be modified"
    };
    let message = format!(
        "Task generation started for {count} {} in {mode}",
        if count == 1 { "story" } else { "stories" }
    );
    let job = new_job(&payload, message.clone())?;
    let record = enqueue(state, job, DuplicateKind::Stories).await?;
    let mut body = BatchResponse::accepted(&record.id, message, !payload.dry_run);
    body.max_results = u32::try_from(count).unwrap_or(u32::MAX);
    body.safety_note = "JIRA will only be updated if dry_run is false".to_owned();
    Ok(body.into_response())
}

/// Plan team tasks for stories: Backend, Frontend, QA (DevOps, Mobile where the story calls for
/// them), with dependencies, estimates and splitting of oversized tasks. A preview by default:
/// the response carries the Jira requests it would send (`write_plan`); `dry_run=false` creates
/// the tasks under the epic, links each to its story ("Work item split") and each prerequisite
/// to its dependent ("Blocks"), exactly once.
#[utoipa::path(
    post,
    path = "/plan/tasks/generate",
    tag = "planning",
    request_body = TaskGenerationRequest,
    responses(
        (status = 200, description = "The planned tasks (or, with `async_mode`, a `BatchResponse` with the job id)", body = ResultOrQueued<TaskPlanningResult>),
        (status = 400, description = "`Story has no parent epic in JIRA. Provide epic_key (or parent_key) explicitly.`", body = ErrorBody),
        (status = 404, description = "`Story ticket X not found in JIRA`", body = ErrorBody),
        (status = 409, description = "A story is already being processed (`X-Active-Job-Id`, `X-Duplicate-Stories`)", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn generate_tasks(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TaskGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = generation_payload(&state, request, false)?;
    generation_response(&state, payload, async_mode).await
}

/// Team-based task generation: as `/plan/tasks/generate`, with
/// `summary_stats.team_separation = {backend_tasks, frontend_tasks, qa_tasks}` (and
/// `devops_tasks` / `mobile_tasks` when there are any).
#[utoipa::path(
    post,
    path = "/plan/tasks/team-based",
    tag = "planning",
    request_body = TaskGenerationRequest,
    responses(
        (status = 200, description = "The planned tasks with `summary_stats.team_separation` (or a `BatchResponse` with `async_mode`)", body = ResultOrQueued<TaskPlanningResult>),
        (status = 400, description = "The story has no parent epic", body = ErrorBody),
        (status = 404, description = "`Story ticket X not found in JIRA`", body = ErrorBody),
        (status = 409, description = "A story is already being processed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn team_based_tasks(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TaskGenerationRequest>,
) -> Result<Response, ApiError> {
    let async_mode = request.async_mode;
    let payload = generation_payload(&state, request, true)?;
    generation_response(&state, payload, async_mode).await
}

/// Plan `tasks_per_story` tasks for each story and, with `create_tickets`, create them under
/// the story's epic with their links (never under a placeholder epic).
#[utoipa::path(
    post,
    path = "/plan/tasks/create",
    tag = "planning",
    request_body = TaskCreationRequest,
    responses(
        (status = 200, description = "`{story_keys, planning_results, creation_results, success}`, or with `async_mode` `{job_id, status, message, status_url, story_keys}`", body = TaskCreationResponse),
        (status = 400, description = "The story has no parent epic", body = ErrorBody),
        (status = 404, description = "`Story ticket X not found in JIRA`", body = ErrorBody),
        (status = 409, description = "A story is already being processed", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
    )
)]
async fn create_tasks(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TaskCreationRequest>,
) -> Result<Json<TaskCreationResponse>, ApiError> {
    let story_keys = issue_keys("story_keys", &request.story_keys)?;
    let tasks_per_story = in_range("tasks_per_story", request.tasks_per_story, 1, 30)?;
    let payload = TaskCreation {
        story_keys,
        tasks_per_story,
        create_tickets: request.create_tickets,
    };
    if !request.async_mode {
        let result = run_here(&state, &payload).await?;
        return Ok(Json(TaskCreationResponse::Result(Box::new(result))));
    }
    let message = format!(
        "Task creation started for {} in {}",
        payload.story_keys.join(", "),
        if payload.create_tickets {
            "UPDATE mode - JIRA will be modified"
        } else {
            "PREVIEW mode - no JIRA changes"
        }
    );
    let job = new_job(&payload, message.clone())?;
    let record = enqueue(&state, job, DuplicateKind::Stories).await?;
    Ok(Json(TaskCreationResponse::Accepted(TaskCreationAccepted {
        job_id: record.id.to_string(),
        status: "started".to_owned(),
        message,
        status_url: status_url(&record.id),
        story_keys: payload.story_keys,
    })))
}

/// Estimate a ticket's cycle time from its description, acceptance criteria and sub-tasks, with
/// split suggestions when it exceeds 3 days.
#[utoipa::path(
    get,
    path = "/plan/estimate/{ticket_key}",
    tag = "planning",
    params(("ticket_key" = IssueKeyText, Path, description = "An issue key, e.g. DEMO-5")),
    responses(
        (status = 200, description = "The estimate", body = CycleTimeEstimateResponse),
        (status = 404, description = "`Ticket X not found`", body = ErrorBody),
        (status = 422, description = "Not an issue key", body = ValidationErrorBody),
    )
)]
async fn estimate_ticket(
    State(state): State<AppState>,
    ApiPath(ticket_key): ApiPath<String>,
) -> Result<Json<CycleTimeEstimateResponse>, ApiError> {
    let ticket_key = IssueKey::parse(&ticket_key)
        .map(|key| key.to_string())
        .map_err(|error| {
            ApiError::validation(ValidationIssue::new(
                [LocSegment::from("path"), LocSegment::from("ticket_key")],
                error.to_string(),
                "value_error",
            ))
        })?;
    let payload = CycleTimeEstimateJob {
        ticket_key,
        max_cycle_days: MAX_CYCLE_DAYS,
    };
    let record = run_sync_record(&state, &payload, DuplicateKind::Ticket).await?;
    Ok(Json(job_output::<CycleTimeEstimateJob>(&record)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_checked_like_the_reference() {
        let ok = repo_urls(&[
            RepoSpec::Url("https://bitbucket.org/acme/shop".into()),
            RepoSpec::Spec(RepoSpecObject {
                url: "git@github.com:acme/shop.git".into(),
                branch: Some("feature/checkout-v2".into()),
            }),
        ])
        .expect("valid repos");
        assert_eq!(ok.len(), 2);
        let ApiError::Validation(issues) = repo_urls(&[
            RepoSpec::Url("http://example.com/x".into()),
            RepoSpec::Spec(RepoSpecObject {
                url: "https://127.0.0.1/x".into(),
                branch: Some("a..b".into()),
            }),
        ])
        .expect_err("invalid repos") else {
            panic!("expected a validation error");
        };
        assert_eq!(issues.len(), 3);
        let too_many: Vec<RepoSpec> = (0..6)
            .map(|i| RepoSpec::Url(format!("https://example.com/{i}")))
            .collect();
        assert!(repo_urls(&too_many).is_err());
    }
}
