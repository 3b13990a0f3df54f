//! The worker's metrics, through the `metrics` facade (the binary installs the Prometheus
//! recorder): finished jobs by kind and outcome, run durations, queue depth, live workers and
//! running jobs.

use std::sync::Once;
use std::time::Duration;

/// Counter: job runs finished, labelled `kind` and `outcome`.
pub const JOBS_FINISHED: &str = "planwright_jobs_finished_total";
/// Histogram: run duration in seconds, labelled `kind` and `outcome`.
pub const JOB_DURATION: &str = "planwright_job_duration_seconds";
/// Gauge: jobs waiting to run.
pub const QUEUE_DEPTH: &str = "planwright_job_queue_depth";
/// Gauge: worker processes seen recently.
pub const WORKERS_LIVE: &str = "planwright_workers_live";
/// Gauge: jobs running in this process.
pub const JOBS_RUNNING: &str = "planwright_jobs_running";

static DESCRIBE: Once = Once::new();

pub(crate) fn describe() {
    DESCRIBE.call_once(|| {
        metrics::describe_counter!(JOBS_FINISHED, "Job runs finished, by kind and outcome");
        metrics::describe_histogram!(
            JOB_DURATION,
            metrics::Unit::Seconds,
            "Job run duration, by kind and outcome"
        );
        metrics::describe_gauge!(QUEUE_DEPTH, "Jobs waiting to run");
        metrics::describe_gauge!(WORKERS_LIVE, "Worker processes seen recently");
        metrics::describe_gauge!(JOBS_RUNNING, "Jobs running in this process");
    });
}

pub(crate) fn record_run(kind: &str, outcome: &'static str, duration: Duration) {
    let labels = [("kind", kind.to_owned()), ("outcome", outcome.to_owned())];
    metrics::counter!(JOBS_FINISHED, &labels).increment(1);
    metrics::histogram!(JOB_DURATION, &labels).record(duration.as_secs_f64());
}
