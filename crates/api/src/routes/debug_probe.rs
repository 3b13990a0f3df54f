//! `POST /debug/probe-jobs` — debug builds only: enqueue the test-only `probe` job kind, so
//! black-box tests can drive the real job system (dedupe races, cancellation, crashes, timeouts)
//! through the real binary. The module is not compiled into release builds, and it is left out
//! of the OpenAPI document.

use axum::extract::State;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;
use store::NewJob;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::job_responses::{BatchResponse, DuplicateKind, enqueue_error};
use crate::state::AppState;

/// The job kind the `jobs` crate registers behind its `probe` feature.
const PROBE_KIND: &str = "probe";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeRequest {
    /// Dedupe keys the job holds while active.
    #[serde(default)]
    lock_keys: Vec<String>,
    #[serde(default = "one")]
    steps: u64,
    #[serde(default)]
    step_ms: u64,
    #[serde(default)]
    fail_transient: u32,
    #[serde(default)]
    fail_permanent: bool,
    #[serde(default)]
    marker_file: Option<String>,
}

fn one() -> u64 {
    1
}

fn marker_file_allowed(path: &str) -> bool {
    let path = std::path::Path::new(path);
    path.is_absolute()
        && path.starts_with(std::env::temp_dir())
        && !path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route("/debug/probe-jobs", post(submit_probe))
}

async fn submit_probe(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ProbeRequest>,
) -> Result<BatchResponse, ApiError> {
    // Even in a debug build, a request must not make the server write anywhere it likes.
    if let Some(path) = &request.marker_file
        && !marker_file_allowed(path)
    {
        return Err(ApiError::BadRequest(format!(
            "marker_file must be an absolute path inside {} without `..`",
            std::env::temp_dir().display()
        )));
    }
    let payload = json!({
        "steps": request.steps,
        "step_ms": request.step_ms,
        "fail_transient": request.fail_transient,
        "fail_permanent": request.fail_permanent,
        "marker_file": request.marker_file,
    });
    let mut job = NewJob::new(PROBE_KIND, payload)
        .with_lock_keys(request.lock_keys.clone())
        .with_total_tickets(request.steps)
        .with_message("Probe job queued");
    if let Some(first) = request.lock_keys.first() {
        job = job.with_ticket_key(first.clone());
    }
    let record = state
        .db()
        .enqueue(job)
        .await
        .map_err(|error| enqueue_error(DuplicateKind::Ticket, error))?;
    Ok(BatchResponse::accepted(
        &record.id,
        "Probe job queued",
        false,
    ))
}
