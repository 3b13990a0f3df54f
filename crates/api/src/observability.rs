//! Prometheus metrics: the registry behind `GET /metrics` and the HTTP request middleware.
//!
//! Each [`Metrics`] owns its own Prometheus recorder, so two routers in one process (as in tests)
//! never share counters. The HTTP middleware records into it directly. Crates that record through
//! the global `metrics` facade (the jobs runtime) reach the same registry once the binary calls
//! [`Metrics::install_global`].

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::state::AppState;

/// Counter of answered HTTP requests by `method`, `path` (the route template) and `status`.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of HTTP request latency in seconds by `method` and `path`.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Gauge of jobs waiting to be claimed, refreshed from the database at every scrape.
pub const JOB_QUEUE_DEPTH: &str = "planwright_job_queue_depth";
/// Gauge of worker processes with a fresh heartbeat, refreshed at every scrape.
pub const LIVE_WORKERS: &str = "planwright_live_workers";
/// Gauge of stored jobs by `kind` and `status`, refreshed at every scrape.
pub const JOBS_BY_STATUS: &str = "planwright_jobs";

/// Latency buckets in seconds: API calls are mostly milliseconds, some synchronous generation
/// calls take tens of seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Label used for requests no route matched, so unknown paths cannot explode label cardinality.
const UNMATCHED_PATH: &str = "unmatched";

/// Label for any HTTP method outside the standard set. Clients may send arbitrary method tokens
/// (`FOO1`, `FOO2`, …), and every distinct label value is a new series kept forever, so a raw
/// method label would let anyone grow `/metrics` without bound.
const OTHER_METHOD: &str = "other";

/// The `method` label for `method`: one of the methods the API serves, or [`OTHER_METHOD`].
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => OTHER_METHOD,
    }
}

/// A Prometheus registry and the handle that renders it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// The (kind, status) pairs reported so far, so a pair whose jobs were all purged or moved on
    /// is reset to 0 instead of keeping its last count.
    job_series: Arc<Mutex<BTreeSet<(String, String)>>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The global `metrics` recorder could not be installed.
#[derive(Debug, thiserror::Error)]
#[error("a global metrics recorder is already installed in this process")]
pub struct GlobalRecorderTaken;

impl Metrics {
    /// A fresh, empty registry.
    // The bucket list is a non-empty constant: `set_buckets` cannot fail (the metrics tests
    // build this registry).
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .expect("the latency bucket list is non-empty")
            .build_recorder();
        let handle = recorder.handle();
        Self {
            recorder: Arc::new(recorder),
            handle,
            job_series: Arc::default(),
        }
    }

    /// Makes this registry the process-wide `metrics` recorder, so metrics recorded by other
    /// crates through `metrics::counter!` and friends appear on `/metrics`. Call once, at startup.
    pub fn install_global(&self) -> Result<(), GlobalRecorderTaken> {
        metrics::set_global_recorder(SharedRecorder(Arc::clone(&self.recorder)))
            .map_err(|_| GlobalRecorderTaken)
    }

    /// Renders the registry in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Sets the per-kind, per-status job gauges to `counts`, zeroing pairs that disappeared.
    pub fn set_job_counts(&self, counts: &[(String, String, u64)]) {
        let mut series = self
            .job_series
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current: BTreeSet<(String, String)> = counts
            .iter()
            .map(|(kind, status, _)| (kind.clone(), status.clone()))
            .collect();
        self.record(|| {
            for (kind, status) in series.difference(&current) {
                metrics::gauge!(JOBS_BY_STATUS, "kind" => kind.clone(), "status" => status.clone())
                    .set(0.0);
            }
            for (kind, status, count) in counts {
                metrics::gauge!(JOBS_BY_STATUS, "kind" => kind.clone(), "status" => status.clone())
                    .set(*count as f64);
            }
        });
        series.extend(current);
    }

    /// Runs `record` with this registry as the recorder for `metrics` macros on this thread.
    pub fn record<T>(&self, record: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(self.recorder.as_ref(), record)
    }
}

/// Forwards the global facade to a shared [`PrometheusRecorder`].
struct SharedRecorder(Arc<PrometheusRecorder>);

impl Recorder for SharedRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_counter(key, unit, description);
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_gauge(key, unit, description);
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_histogram(key, unit, description);
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        self.0.register_counter(key, metadata)
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        self.0.register_gauge(key, metadata)
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        self.0.register_histogram(key, metadata)
    }
}

/// Middleware recording every answered request by route template, method and status.
pub(crate) async fn record_http_metrics(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // Only the matched route template (`/jobs/{job_id}`) is a label, never the raw path, so ids
    // and probes of unknown paths cannot add series; unmatched requests share one label.
    let path = request.extensions().get::<MatchedPath>().map_or_else(
        || UNMATCHED_PATH.to_owned(),
        |matched| matched.as_str().to_owned(),
    );
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    state.metrics().record(|| {
        metrics::counter!(
            HTTP_REQUESTS_TOTAL,
            "method" => method,
            "path" => path.clone(),
            "status" => status
        )
        .increment(1);
        metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, "method" => method, "path" => path)
            .record(elapsed);
    });
    response
}
