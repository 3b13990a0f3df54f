//! `GET /metrics`: the Prometheus text exposition.
//!
//! Queue depth and live workers are read from the database at scrape time, so every replica
//! reports the shared queue's true state rather than what it last saw itself.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use chrono::Utc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::observability::{JOB_QUEUE_DEPTH, LIVE_WORKERS};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// Prometheus metrics: HTTP requests, jobs, queue depth, workers.
///
/// Requires authentication unless the server is configured to expose metrics publicly.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"))
)]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    refresh_queue_gauges(&state).await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics().render(),
    )
}

/// Sets the queue gauges from the database. A failing database leaves the last values in place
/// (and `/health` reports the failure), so a scrape never fails because of it.
async fn refresh_queue_gauges(state: &AppState) {
    let db = state.db();
    match db.queue_depth().await {
        Ok(depth) => state
            .metrics()
            .record(|| metrics::gauge!(JOB_QUEUE_DEPTH).set(depth as f64)),
        Err(error) => tracing::warn!(%error, "metrics: reading the queue depth failed"),
    }
    match db.counts_by_kind_and_status().await {
        Ok(counts) => {
            let counts: Vec<(String, String, u64)> = counts
                .into_iter()
                .map(|count| (count.kind, count.status.as_str().to_owned(), count.count))
                .collect();
            state.metrics().set_job_counts(&counts);
        }
        Err(error) => tracing::warn!(%error, "metrics: counting jobs failed"),
    }
    let since = Utc::now()
        - chrono::Duration::from_std(state.settings().worker_stale_after)
            .unwrap_or(chrono::Duration::MAX);
    match db.live_workers(since).await {
        Ok(workers) => state
            .metrics()
            .record(|| metrics::gauge!(LIVE_WORKERS).set(workers.len() as f64)),
        Err(error) => tracing::warn!(%error, "metrics: reading live workers failed"),
    }
}
