//! The public JSON of jobs, and the responses every job-enqueueing route shares: the "job
//! accepted" [`BatchResponse`] and the 409 for a ticket that is already being processed.
//!
//! Field names and shapes follow the reference's `JobStatus` and `BatchResponse` models
//! (docs/reference-behaviour.md §1, §1.3) so existing clients keep working; timestamps are UTC ISO-8601 with `Z`.

use axum::Json;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::job::{JobId, JobProgress};
use serde::Serialize;
use serde_json::{Map, Value};
use store::{ActiveConflict, EnqueueError, JobRecord, StoreError};
use utoipa::ToSchema;

use crate::error::ApiError;

/// Formats a timestamp as the API does everywhere: UTC, millisecond precision, `Z` suffix.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The optional fields of the reference's `JobStatus` that features fill through job attributes.
/// They are always present in the response (as `null` when unset), like the reference renders them.
const OPTIONAL_ATTRIBUTE_FIELDS: [&str; 11] = [
    "prd_url",
    "additional_context",
    "repos",
    "stage",
    "plan_versions",
    "approved_plan_hash",
    "workspace_fingerprint",
    "artifacts",
    "mode",
    "sandbox_id",
    "sandbox_status",
];

/// The fields the job table owns; attributes cannot override them.
const CORE_FIELDS: [&str; 16] = [
    "job_id",
    "job_type",
    "status",
    "progress",
    "results",
    "started_at",
    "completed_at",
    "total_tickets",
    "processed_tickets",
    "successful_tickets",
    "failed_tickets",
    "error",
    "ticket_key",
    "ticket_keys",
    "story_key",
    "story_keys",
];

/// A job as `GET /jobs/{job_id}` renders it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobStatusBody {
    /// The job id (a UUID).
    pub job_id: String,
    /// The kind of work: `single`, `batch`, `story_generation`, `task_generation`, ...
    #[schema(example = "single")]
    pub job_type: String,
    /// `started` (queued), `processing`, `completed`, `failed` or `cancelled`.
    #[schema(example = "processing")]
    pub status: String,
    /// `{message, processed?, total?, percentage?, ...}`.
    #[schema(value_type = Object)]
    pub progress: JobProgress,
    /// The job's output once it finished: an object, or a list for `batch` jobs.
    #[schema(value_type = Option<serde_json::Value>)]
    pub results: Option<Value>,
    /// When the job was accepted (UTC).
    pub started_at: String,
    /// When the job reached a final status (UTC).
    pub completed_at: Option<String>,
    /// Tickets the job will handle, when known.
    pub total_tickets: Option<u64>,
    /// Tickets handled so far.
    pub processed_tickets: u64,
    /// Tickets handled successfully.
    pub successful_tickets: u64,
    /// Tickets that failed.
    pub failed_tickets: u64,
    /// Why the job failed.
    pub error: Option<String>,
    /// The ticket (or epic) the job works on.
    pub ticket_key: Option<String>,
    /// The tickets a multi-ticket job works on.
    pub ticket_keys: Option<Vec<String>>,
    /// The story the job works on.
    pub story_key: Option<String>,
    /// The stories a multi-story job works on.
    pub story_keys: Option<Vec<String>>,
    /// Feature-specific fields (`prd_url`, `repos`, draft-PR `stage`, ...).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
}

impl From<&JobRecord> for JobStatusBody {
    fn from(job: &JobRecord) -> Self {
        let mut attributes: Map<String, Value> = job
            .attributes
            .iter()
            .filter(|(name, _)| !CORE_FIELDS.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        for field in OPTIONAL_ATTRIBUTE_FIELDS {
            attributes.entry(field).or_insert(Value::Null);
        }
        Self {
            job_id: job.id.to_string(),
            job_type: job.kind.clone(),
            status: job.status.as_str().to_owned(),
            progress: job.progress.clone(),
            results: job.results.clone(),
            started_at: format_timestamp(job.created_at),
            completed_at: job.completed_at.map(format_timestamp),
            total_tickets: job.counters.total_tickets,
            processed_tickets: job.counters.processed_tickets,
            successful_tickets: job.counters.successful_tickets,
            failed_tickets: job.counters.failed_tickets,
            error: job.error.clone(),
            ticket_key: job.ticket_key.clone(),
            ticket_keys: job.ticket_keys.clone(),
            story_key: job.story_key.clone(),
            story_keys: job.story_keys.clone(),
            attributes,
        }
    }
}

/// The reply of a route that queued a job (the reference's `BatchResponse`). Answered with
/// HTTP 200 like the reference, so existing clients that check for 200 keep working.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchResponse {
    /// The queued job.
    pub job_id: String,
    /// Always `started`.
    #[schema(example = "started")]
    pub status: String,
    /// What was queued, e.g. "Ticket PROJ-123 queued for processing".
    pub message: String,
    /// Where to poll: `/jobs/{job_id}`.
    pub status_url: String,
    /// The JQL of a batch; empty for other jobs.
    pub jql: String,
    /// The batch size limit; 1 for single-ticket jobs.
    pub max_results: u32,
    /// Whether the job will write to Jira.
    pub update_jira: bool,
    /// Reminder that nothing is written without the explicit flag.
    pub safety_note: String,
}

/// The safety note every job-accepted response carries.
pub const SAFETY_NOTE: &str = "JIRA will only be updated if update_jira is explicitly set to true";

impl BatchResponse {
    /// A response for `job_id` with `message`, `jql` empty and `max_results` 1; adjust the public
    /// fields for batch jobs.
    pub fn accepted(job_id: &JobId, message: impl Into<String>, update_jira: bool) -> Self {
        Self {
            job_id: job_id.to_string(),
            status: "started".to_owned(),
            message: message.into(),
            status_url: status_url(job_id),
            jql: String::new(),
            max_results: 1,
            update_jira,
            safety_note: SAFETY_NOTE.to_owned(),
        }
    }
}

impl IntoResponse for BatchResponse {
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}

/// The job's result (a synchronous request), or, with `async_mode`, the queued job as a
/// `BatchResponse`; both with HTTP 200. Routes whose handlers build either answer document it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ResultOrQueued<T> {
    /// The job's result (synchronous request).
    Result(T),
    /// The queued job (`async_mode`).
    Queued(BatchResponse),
}

/// `/jobs/{job_id}`.
pub fn status_url(job_id: &JobId) -> String {
    format!("/jobs/{job_id}")
}

/// What kind of key a duplicate request named; picks the wording of the 409 detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKind {
    /// "Ticket X is already being processed in job J" (single-ticket routes).
    Ticket,
    /// "Epic X is already being processed in job J" (story generation, PRD sync, sprints, ...).
    Epic,
    /// "Story X is already being processed in job J" (coverage, draft PR).
    Story,
    /// Multi-story routes (task generation): the 409 also lists every contested story in
    /// `X-Duplicate-Stories: K1,K2`.
    Stories,
}

/// Header naming the job that holds the contested key.
pub const ACTIVE_JOB_ID_HEADER: &str = "x-active-job-id";
/// Header with the status URL of that job.
pub const ACTIVE_JOB_STATUS_URL_HEADER: &str = "x-active-job-status-url";
/// Header listing every contested story of a multi-story request.
pub const DUPLICATE_STORIES_HEADER: &str = "x-duplicate-stories";

/// The 409 for a request whose keys are held by active jobs.
///
/// Carries `X-Active-Job-Id` and `X-Active-Job-Status-Url` for the first conflict and, for
/// [`DuplicateKind::Stories`], `X-Duplicate-Stories` with every contested key.
pub fn duplicate_job_error(kind: DuplicateKind, conflicts: &[ActiveConflict]) -> ApiError {
    let Some(first) = conflicts.first() else {
        return ApiError::internal("duplicate_job_error called without conflicts");
    };
    let noun = match kind {
        DuplicateKind::Ticket => "Ticket",
        DuplicateKind::Epic => "Epic",
        DuplicateKind::Story | DuplicateKind::Stories => "Story",
    };
    let detail = if conflicts.len() == 1 {
        format!(
            "{noun} {} is already being processed in job {}",
            first.lock_key, first.job_id
        )
    } else {
        let keys: Vec<String> = conflicts
            .iter()
            .map(|conflict| format!("{} (job {})", conflict.lock_key, conflict.job_id))
            .collect();
        let plural = if kind == DuplicateKind::Epic {
            "Epics"
        } else if noun == "Story" {
            "Stories"
        } else {
            "Tickets"
        };
        format!("{plural} already being processed: {}", keys.join(", "))
    };
    let mut headers = Vec::new();
    push_header(
        &mut headers,
        ACTIVE_JOB_ID_HEADER,
        &first.job_id.to_string(),
    );
    push_header(
        &mut headers,
        ACTIVE_JOB_STATUS_URL_HEADER,
        &status_url(&first.job_id),
    );
    if kind == DuplicateKind::Stories {
        let keys: Vec<&str> = conflicts
            .iter()
            .map(|conflict| conflict.lock_key.as_str())
            .collect();
        push_header(&mut headers, DUPLICATE_STORIES_HEADER, &keys.join(","));
    }
    ApiError::Conflict { detail, headers }
}

fn push_header(headers: &mut Vec<(HeaderName, HeaderValue)>, name: &'static str, value: &str) {
    // Lock keys are issue keys and ids are UUIDs, so they are always valid header values; a key
    // that is not is left out rather than failing the response.
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.push((HeaderName::from_static(name), value));
    }
}

/// Maps an enqueue failure: duplicates become the 409 of [`duplicate_job_error`], database
/// failures a 503 (transient) or 500.
pub fn enqueue_error(kind: DuplicateKind, error: EnqueueError) -> ApiError {
    match error {
        EnqueueError::Duplicate { conflicts } => duplicate_job_error(kind, &conflicts),
        EnqueueError::Store(error) => store_error(error),
    }
}

/// Maps a store failure: unreachable database → 503 (retry later), anything else → 500.
pub fn store_error(error: StoreError) -> ApiError {
    if error.is_transient() {
        tracing::warn!(%error, "database unavailable");
        ApiError::ServiceUnavailable(
            "The database is unavailable right now; retry shortly".to_owned(),
        )
    } else {
        ApiError::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use domain::job::JobStatus;
    use serde_json::json;

    use super::*;

    fn conflict(key: &str, job_id: JobId) -> ActiveConflict {
        ActiveConflict {
            lock_key: key.to_owned(),
            job_id,
            status: JobStatus::Processing,
        }
    }

    #[test]
    fn duplicate_errors_carry_the_reference_wording_and_headers() {
        let job = JobId::new();
        let ApiError::Conflict { detail, headers } =
            duplicate_job_error(DuplicateKind::Epic, &[conflict("EP-1", job)])
        else {
            panic!("expected a conflict");
        };
        assert_eq!(
            detail,
            format!("Epic EP-1 is already being processed in job {job}")
        );
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[1].1, format!("/jobs/{job}").as_str());

        let other = JobId::new();
        let error = duplicate_job_error(
            DuplicateKind::Stories,
            &[conflict("S-1", job), conflict("S-2", other)],
        );
        assert_eq!(error.status(), StatusCode::CONFLICT);
        let ApiError::Conflict { detail, headers } = error else {
            unreachable!()
        };
        assert_eq!(
            detail,
            format!("Stories already being processed: S-1 (job {job}), S-2 (job {other})")
        );
        assert!(
            headers
                .iter()
                .any(|(name, value)| name == DUPLICATE_STORIES_HEADER && value == "S-1,S-2")
        );
        assert!(matches!(
            duplicate_job_error(DuplicateKind::Ticket, &[]),
            ApiError::Internal(_)
        ));
    }

    #[test]
    fn attributes_cannot_override_core_fields() {
        let job = store::NewJob::new("single", json!({}))
            .with_attribute("status", json!("completed"))
            .with_attribute("stage", json!("PLANNING"))
            .with_attribute("custom", json!(1));
        let record = JobRecord {
            id: job.id,
            kind: job.kind.clone(),
            status: JobStatus::Started,
            payload: job.payload.clone(),
            progress: JobProgress::message("queued"),
            results: None,
            error: None,
            counters: Default::default(),
            ticket_key: None,
            ticket_keys: None,
            story_key: None,
            story_keys: None,
            attributes: job.attributes.clone(),
            lock_keys: Vec::new(),
            priority: 0,
            attempts: 0,
            max_attempts: None,
            run_at: Utc::now(),
            lease_owner: None,
            lease_until: None,
            heartbeat_at: None,
            cancel_requested: false,
            timeout: None,
            created_at: Utc::now(),
            claimed_at: None,
            completed_at: None,
            updated_at: Utc::now(),
        };
        let body = serde_json::to_value(JobStatusBody::from(&record)).expect("serializable");
        assert_eq!(body["status"], "started");
        assert_eq!(body["stage"], "PLANNING");
        assert_eq!(body["custom"], 1);
        assert_eq!(body["prd_url"], serde_json::Value::Null);
        let text = serde_json::to_string(&JobStatusBody::from(&record)).expect("serializable");
        assert_eq!(text.matches("\"status\"").count(), 1, "{text}");
    }
}
