//! How a route hands typed work to the job system: [`enqueue`] for `async_mode` (answer at once
//! with the job id), [`run_sync`] for synchronous requests (the same job, run in this process
//! by the inline runner, its result returned as the response). Either way the work is a durable
//! job with a record, and a handler never calls Jira or a model itself.

use std::time::Duration;

use chrono::Utc;
use domain::job::JobStatus;
use job_types::{FailureCode, JobPayload};
use serde_json::Value;
use store::{JobRecord, NewJob};

use crate::error::{ApiError, ValidationIssue};
use crate::job_responses::{DuplicateKind, enqueue_error, store_error};
use crate::state::AppState;

/// How long a synchronous job waits before any worker may take it over: the inline runner
/// claims it at once; this only matters if the process dies between enqueue and claim.
const SYNC_HANDOVER: Duration = Duration::from_secs(30);

/// A job of payload `P`, ready to enqueue: the kind, lock keys and subject come from `P`.
pub fn new_job<P: JobPayload>(payload: &P, message: impl Into<String>) -> Result<NewJob, ApiError> {
    let value = serde_json::to_value(payload).map_err(ApiError::internal)?;
    let subject = payload.subject();
    let mut job = NewJob::new(P::KIND, value)
        .with_lock_keys(payload.lock_keys())
        .with_message(message);
    job.ticket_key = subject.ticket_key;
    job.ticket_keys = subject.ticket_keys;
    job.story_key = subject.story_key;
    job.story_keys = subject.story_keys;
    Ok(job)
}

/// Enqueues `job`; a lock key held by an active job is the 409 of `duplicate`.
pub async fn enqueue(
    state: &AppState,
    job: NewJob,
    duplicate: DuplicateKind,
) -> Result<JobRecord, ApiError> {
    state
        .db()
        .enqueue(job)
        .await
        .map_err(|error| enqueue_error(duplicate, error))
}

/// Runs `payload` as a job in this process and returns its result, or the failure mapped to
/// its status code (404 for a missing ticket, 422 for bad input, 503 for Jira down, ...).
pub async fn run_sync<P: JobPayload>(
    state: &AppState,
    payload: &P,
    duplicate: DuplicateKind,
) -> Result<P::Output, ApiError> {
    let finished = run_sync_record(state, payload, duplicate).await?;
    job_output::<P>(&finished)
}

/// Like [`run_sync`], but returns the finished job itself, so a route can answer some failures
/// differently (e.g. with a status recorded in the job's attributes) before [`job_output`].
pub async fn run_sync_record<P: JobPayload>(
    state: &AppState,
    payload: &P,
    duplicate: DuplicateKind,
) -> Result<JobRecord, ApiError> {
    let Some(runner) = state
        .inline_runner()
        .filter(|runner| runner.handles(P::KIND))
    else {
        return Err(ApiError::ServiceUnavailable(format!(
            "This server runs no `{}` jobs; retry with async_mode=true so a worker runs it",
            P::KIND
        )));
    };
    let handover = chrono::Duration::from_std(SYNC_HANDOVER).unwrap_or_default();
    let job = new_job(payload, "Running synchronously")?
        .with_max_attempts(1)
        .with_priority(10)
        .with_run_at(Utc::now() + handover);
    let record = enqueue(state, job, duplicate).await?;
    let wait = state.settings().request_timeout;
    runner
        .run(record.id, wait)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::Timeout(wait))
}

/// The typed result of a finished job, or its failure as an API error.
pub fn job_output<P: JobPayload>(job: &JobRecord) -> Result<P::Output, ApiError> {
    match job.status {
        JobStatus::Completed => {
            let results = job.results.clone().unwrap_or(Value::Null);
            serde_json::from_value(results).map_err(|error| {
                ApiError::internal(format!(
                    "job {} stored an unreadable result: {error}",
                    job.id
                ))
            })
        }
        JobStatus::Cancelled => Err(ApiError::Conflict {
            detail: format!("Job {} was cancelled before it finished", job.id),
            headers: Vec::new(),
        }),
        _ => Err(failure_error(job)),
    }
}

/// Maps a failed job to the API error its failure code calls for.
pub fn failure_error(job: &JobRecord) -> ApiError {
    let code = job
        .attributes
        .get("error_code")
        .and_then(Value::as_str)
        .and_then(FailureCode::parse)
        .unwrap_or(FailureCode::Internal);
    let detail = job
        .error
        .clone()
        .unwrap_or_else(|| format!("Job {} failed", job.id));
    match code.http_status() {
        404 => ApiError::NotFound(detail),
        400 => ApiError::BadRequest(detail),
        422 => ApiError::validation(ValidationIssue::new(["body".into()], detail, code.as_str())),
        502 => ApiError::BadGateway(detail),
        503 => ApiError::ServiceUnavailable(detail),
        _ => ApiError::internal(format!("job {} failed: {detail}", job.id)),
    }
}
