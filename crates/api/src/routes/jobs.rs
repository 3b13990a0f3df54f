//! Job routes (docs/reference-behaviour.md §1.3): status by id, listing with
//! filters, sorting and paging, status by ticket key, and cancellation.
//!
//! Jobs live in the database, so every replica and every worker sees the same state; cancelling
//! answers at once (a running job's worker stops at its next checkpoint).

use axum::Json;
use axum::extract::State;
use domain::IssueKey;
use domain::job::{JobId, JobSortBy, JobStatus, SortOrder};
use serde::{Deserialize, Serialize};
use store::{CancelError, JobFilter};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiPath, ApiQuery};
use crate::job_responses::{JobStatusBody, store_error};
use crate::request_fields::IssueKeyText;
use crate::state::AppState;

/// The largest page `GET /jobs` returns.
pub const MAX_PAGE_SIZE: u64 = 200;
/// The page size when `limit` is not given.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(get_job, cancel_job))
        .routes(routes!(get_job_for_ticket))
}

/// A string enum schema. Parameters using `schema_with` lose their doc comment, so the
/// description is set here.
fn enum_schema(values: &[&str], description: &str, default: Option<&str>) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .description(Some(description))
        .default(default.map(serde_json::Value::from))
        .into()
}

fn status_schema() -> Schema {
    enum_schema(
        &JobStatus::ALL.map(JobStatus::as_str),
        "Only jobs with this status.",
        None,
    )
}

fn sort_by_schema() -> Schema {
    enum_schema(
        &JobSortBy::ALL.map(JobSortBy::as_str),
        "Sort column; jobs without a value (`completed_at`) come last.",
        Some(JobSortBy::default().as_str()),
    )
}

fn sort_order_schema() -> Schema {
    enum_schema(
        &[SortOrder::Asc.as_str(), SortOrder::Desc.as_str()],
        "Sort direction.",
        Some(SortOrder::default().as_str()),
    )
}

/// `GET /jobs` query parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListJobsQuery {
    /// Only jobs with this status.
    #[param(schema_with = status_schema)]
    pub status: Option<JobStatus>,
    /// Only jobs of this type (`single`, `batch`, `story_generation`, ...).
    pub job_type: Option<String>,
    /// Only the job with this id.
    pub job_id: Option<String>,
    /// Only jobs whose `ticket_key` is, or whose `ticket_keys` contain, this key (or Jira URL).
    #[param(value_type = Option<IssueKeyText>)]
    pub ticket_key: Option<String>,
    /// Only jobs whose `story_key` is, or whose `story_keys` contain, this key (or Jira URL).
    #[param(value_type = Option<IssueKeyText>)]
    pub story_key: Option<String>,
    /// Sort column; default `started_at`.
    #[param(schema_with = sort_by_schema)]
    pub sort_by: Option<JobSortBy>,
    /// `asc` or `desc` (default).
    #[param(schema_with = sort_order_schema)]
    pub sort_order: Option<SortOrder>,
    /// Jobs to skip; default 0.
    #[param(minimum = 0)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// `GET /jobs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobListResponse {
    /// The page of jobs.
    pub jobs: Vec<JobStatusBody>,
    /// Jobs matching the filters, ignoring paging.
    pub total: u64,
    /// Jobs skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
    /// The `status` filter, if any.
    pub filtered_by_status: Option<String>,
    /// The `job_type` filter, if any.
    pub filtered_by_job_type: Option<String>,
    /// The `job_id` filter, if any.
    pub filtered_by_job_id: Option<String>,
    /// The `ticket_key` filter (normalized), if any.
    pub filtered_by_ticket_key: Option<String>,
    /// The `story_key` filter (normalized), if any.
    pub filtered_by_story_key: Option<String>,
    /// The sort column.
    pub sorted_by: String,
    /// `asc` or `desc`.
    pub sort_order: String,
}

impl ListJobsQuery {
    /// Checks ranges and keys, reporting every problem at once.
    fn into_filter(self) -> Result<JobFilter, ApiError> {
        let mut issues = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if limit < 1 {
            issues.push(ValidationIssue::query(
                "limit",
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            ));
        } else if limit > MAX_PAGE_SIZE {
            issues.push(ValidationIssue::query(
                "limit",
                format!("Input should be less than or equal to {MAX_PAGE_SIZE}; page with offset"),
                "less_than_equal",
            ));
        }
        let mut key = |field: &str, value: Option<String>| {
            value.and_then(|raw| match IssueKey::parse(&raw) {
                Ok(key) => Some(key.to_string()),
                Err(error) => {
                    issues.push(ValidationIssue::query(
                        field,
                        error.to_string(),
                        "value_error",
                    ));
                    None
                }
            })
        };
        let ticket_key = key("ticket_key", self.ticket_key);
        let story_key = key("story_key", self.story_key);
        if !issues.is_empty() {
            return Err(ApiError::Validation(issues));
        }
        Ok(JobFilter {
            status: self.status,
            job_type: self.job_type.filter(|value| !value.is_empty()),
            job_id: self.job_id.filter(|value| !value.is_empty()),
            ticket_key,
            story_key,
            sort_by: self.sort_by.unwrap_or_default(),
            sort_order: self.sort_order.unwrap_or_default(),
            offset: self.offset.unwrap_or(0),
            limit,
        })
    }
}

/// List jobs, filtered, sorted and paged.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "jobs",
    params(ListJobsQuery),
    responses(
        (status = 200, description = "A page of jobs", body = JobListResponse),
        (status = 422, description = "Invalid filter, sort or page parameter", body = ValidationErrorBody),
    )
)]
async fn list_jobs(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListJobsQuery>,
) -> Result<Json<JobListResponse>, ApiError> {
    let filter = query.into_filter()?;
    let page = state.db().list(&filter).await.map_err(store_error)?;
    Ok(Json(JobListResponse {
        jobs: page.jobs.iter().map(JobStatusBody::from).collect(),
        total: page.total,
        offset: filter.offset,
        limit: filter.limit,
        filtered_by_status: filter.status.map(|status| status.as_str().to_owned()),
        filtered_by_job_type: filter.job_type,
        filtered_by_job_id: filter.job_id,
        filtered_by_ticket_key: filter.ticket_key,
        filtered_by_story_key: filter.story_key,
        sorted_by: filter.sort_by.as_str().to_owned(),
        sort_order: filter.sort_order.as_str().to_owned(),
    }))
}

const JOB_NOT_FOUND: &str = "Job not found";

/// A job id from the path. An id that is not a UUID cannot name a job, so it is a 404 like an
/// unknown one.
fn job_id(raw: &str) -> Result<JobId, ApiError> {
    JobId::parse(raw).map_err(|_| ApiError::NotFound(JOB_NOT_FOUND.to_owned()))
}

/// Status of one job.
#[utoipa::path(
    get,
    path = "/jobs/{job_id}",
    tag = "jobs",
    params(("job_id" = String, Path, format = Uuid, description = "The job id returned when the job was queued")),
    responses(
        (status = 200, description = "The job", body = JobStatusBody),
        (status = 404, description = "`Job not found`", body = ErrorBody),
    )
)]
async fn get_job(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<JobStatusBody>, ApiError> {
    let id = job_id(&raw)?;
    match state.db().get(id).await.map_err(store_error)? {
        Some(job) => Ok(Json(JobStatusBody::from(&job))),
        None => Err(ApiError::NotFound(JOB_NOT_FOUND.to_owned())),
    }
}

/// `DELETE /jobs/{job_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelResponse {
    /// `Job <id> cancelled successfully`.
    pub message: String,
    /// Always `cancelled`.
    pub status: String,
}

/// Cancel a queued or running job. Answers at once; a running job stops at its next checkpoint.
#[utoipa::path(
    delete,
    path = "/jobs/{job_id}",
    tag = "jobs",
    params(("job_id" = String, Path, format = Uuid, description = "The job to cancel")),
    responses(
        (status = 200, description = "Cancelled", body = CancelResponse),
        (status = 400, description = "`Cannot cancel job with status: <status>`", body = ErrorBody),
        (status = 404, description = "`Job not found`", body = ErrorBody),
    )
)]
async fn cancel_job(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<CancelResponse>, ApiError> {
    let id = job_id(&raw)?;
    match state.db().cancel(id).await {
        Ok(job) => Ok(Json(CancelResponse {
            message: format!("Job {} cancelled successfully", job.id),
            status: JobStatus::Cancelled.as_str().to_owned(),
        })),
        Err(CancelError::NotFound) => Err(ApiError::NotFound(JOB_NOT_FOUND.to_owned())),
        Err(CancelError::NotActive(status)) => Err(ApiError::BadRequest(format!(
            "Cannot cancel job with status: {status}"
        ))),
        Err(CancelError::Store(error)) => Err(store_error(error)),
    }
}

/// The job of a ticket: the active one if any, else the most recent.
#[utoipa::path(
    get,
    path = "/jobs/ticket/{ticket_key}",
    tag = "jobs",
    params(("ticket_key" = IssueKeyText, Path, description = "An issue key (PROJ-123) or a Jira issue URL (URL-encoded)")),
    responses(
        (status = 200, description = "The active job for the ticket, else its latest job", body = JobStatusBody),
        (status = 400, description = "Not an issue key", body = ErrorBody),
        (status = 404, description = "`No job found for ticket key: <key>`", body = ErrorBody),
    )
)]
async fn get_job_for_ticket(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<JobStatusBody>, ApiError> {
    let key = IssueKey::parse(&raw).map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let key = key.to_string();
    match state.db().find_for_key(&key).await.map_err(store_error)? {
        Some(job) => Ok(Json(JobStatusBody::from(&job))),
        None => Err(ApiError::NotFound(format!(
            "No job found for ticket key: {key}"
        ))),
    }
}
