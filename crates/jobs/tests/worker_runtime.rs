//! The worker runtime against SQLite and (when `PLANWRIGHT_TEST_POSTGRES_URL` is set) PostgreSQL:
//! draining, retries with backoff, permanent failures, timeouts, cancellation from another
//! process, crash recovery with exactly-once completion, lost leases, graceful shutdown and
//! retention. Nothing sleeps to wait for a worker: tests drain, or wait on a condition with a
//! deadline.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use domain::job::{JobId, JobStatus};
use jobs::probe::{PROBE_KIND, ProbeHandler};
use jobs::{
    BoxFuture, DrainOptions, JobContext, JobError, JobHandler, Registry, RetryPolicy, WorkerPool,
    WorkerSettings, drain, drain_with,
};
use serde_json::{Value, json};
use store::{Database, FinishOutcome, JobRecord, NewJob, Recovery, TestDatabase};

const DEADLINE: Duration = Duration::from_secs(20);

fn registry() -> Registry {
    Registry::new().with(ProbeHandler::default()).unwrap()
}

fn probe(payload: Value) -> NewJob {
    NewJob::new(PROBE_KIND, payload)
}

/// Fast timings so that tests finish quickly; still far from the deadlines.
fn fast_settings() -> WorkerSettings {
    WorkerSettings {
        concurrency: 4,
        lease: Duration::from_secs(5),
        heartbeat_interval: Duration::from_millis(50),
        poll_interval: Duration::from_millis(200),
        reap_interval: Duration::from_millis(100),
        progress_interval: Duration::from_millis(20),
        stop_grace: Duration::from_secs(5),
        ..WorkerSettings::default()
    }
}

/// Polls `condition` until it holds, failing the test after [`DEADLINE`].
async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn job(db: &Database, id: JobId) -> JobRecord {
    db.get(id).await.unwrap().expect("job exists")
}

#[tokio::test]
async fn drain_completes_jobs_with_progress_counters_and_results() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let first = tdb
            .enqueue(probe(json!({ "steps": 3 })).with_lock_keys(["P-1"]))
            .await
            .unwrap();
        let second = tdb.enqueue(probe(json!({}))).await.unwrap();
        let orphan = tdb
            .enqueue(NewJob::new("nobody_handles_this", json!({})))
            .await
            .unwrap();
        let report = drain(&tdb, &registry()).await.unwrap();
        assert_eq!(report.completed, 2, "{label}");
        assert_eq!(
            report.leftovers.iter().map(|j| j.id).collect::<Vec<_>>(),
            vec![orphan.id]
        );
        assert!(!report.is_clean());
        let done = job(&tdb, first.id).await;
        assert_eq!(done.status, JobStatus::Completed, "{label}");
        assert_eq!(
            done.results,
            Some(json!({ "steps": 3, "attempt": 1, "success": true }))
        );
        assert_eq!(done.progress.message, "Completed successfully");
        assert_eq!(
            (done.progress.processed, done.progress.total),
            (Some(3), Some(3))
        );
        assert_eq!(done.progress.percentage, Some(100.0));
        assert_eq!(done.counters.total_tickets, Some(3));
        assert_eq!(
            (
                done.counters.processed_tickets,
                done.counters.successful_tickets
            ),
            (3, 3)
        );
        assert!(done.completed_at.is_some() && done.lease_owner.is_none());
        assert_eq!(job(&tdb, second.id).await.status, JobStatus::Completed);
        tdb.enqueue(probe(json!({})).with_lock_keys(["P-1"]))
            .await
            .expect("lock freed");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn transient_failures_retry_with_backoff_then_succeed() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let registry = Registry::new()
            .with(ProbeHandler::with_retry_policy(RetryPolicy {
                max_attempts: 5,
                base: Duration::from_secs(30),
                cap: Duration::from_secs(600),
            }))
            .unwrap();
        let queued = tdb
            .enqueue(probe(json!({ "fail_transient": 2 })).with_lock_keys(["R-1"]))
            .await
            .unwrap();
        let no_skip = DrainOptions {
            skip_delays: false,
            ..DrainOptions::default()
        };
        let before = Utc::now();
        let report = drain_with(&tdb, &registry, &no_skip).await.unwrap();
        assert_eq!((report.retried, report.completed), (1, 0), "{label}");
        let waiting = job(&tdb, queued.id).await;
        assert_eq!(
            (waiting.status, waiting.attempts),
            (JobStatus::Started, 1),
            "{label}"
        );
        let delay = waiting.run_at - before;
        assert!(
            delay >= chrono::Duration::seconds(15),
            "{label}: backoff applied, got {delay}"
        );
        assert!(
            waiting.error.as_deref().unwrap().contains("attempt 1 of 5"),
            "{waiting:?}"
        );
        assert!(
            tdb.enqueue(probe(json!({})).with_lock_keys(["R-1"]))
                .await
                .is_err(),
            "{label}: still held"
        );
        let report = drain(&tdb, &registry).await.unwrap();
        assert_eq!((report.retried, report.completed), (1, 1), "{label}");
        let done = job(&tdb, queued.id).await;
        assert_eq!(
            (done.status, done.attempts),
            (JobStatus::Completed, 3),
            "{label}"
        );
        assert_eq!(done.error, None);
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn permanent_failures_and_exhausted_retries_fail_the_job() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let permanent = tdb
            .enqueue(probe(json!({ "fail_permanent": true })).with_lock_keys(["F-1"]))
            .await
            .unwrap();
        let exhausted = tdb
            .enqueue(probe(json!({ "fail_transient": 9 })).with_max_attempts(2))
            .await
            .unwrap();
        let invalid = tdb
            .enqueue(probe(json!({ "steps": "many" })))
            .await
            .unwrap();
        let report = drain(&tdb, &registry()).await.unwrap();
        assert_eq!(
            (report.failed, report.retried, report.completed),
            (3, 1, 0),
            "{label}"
        );
        let failed = job(&tdb, permanent.id).await;
        assert_eq!((failed.status, failed.attempts), (JobStatus::Failed, 1));
        assert_eq!(
            failed.error.as_deref(),
            Some("probe failure requested (fail_permanent)")
        );
        assert_eq!(failed.progress.message, "Job failed");
        let gave_up = job(&tdb, exhausted.id).await;
        assert_eq!(
            (gave_up.status, gave_up.attempts),
            (JobStatus::Failed, 2),
            "{label}"
        );
        assert!(
            gave_up
                .error
                .as_deref()
                .unwrap()
                .contains("gave up after 2 attempts"),
            "{gave_up:?}"
        );
        assert!(
            job(&tdb, invalid.id)
                .await
                .error
                .unwrap()
                .contains("invalid probe payload")
        );
        tdb.enqueue(probe(json!({})).with_lock_keys(["F-1"]))
            .await
            .expect("lock freed");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn jobs_exceeding_their_timeout_fail_with_a_clear_error() {
    for tdb in TestDatabase::all().await.unwrap() {
        let slow =
            probe(json!({ "steps": 1000, "step_ms": 20 })).with_timeout(Duration::from_millis(200));
        let slow = tdb.enqueue(slow).await.unwrap();
        let report = drain(&tdb, &registry()).await.unwrap();
        assert_eq!(report.failed, 1, "{}", tdb.label());
        let failed = job(&tdb, slow.id).await;
        assert_eq!(failed.status, JobStatus::Failed);
        assert!(
            failed
                .error
                .as_deref()
                .unwrap()
                .contains("timed out after 0.2 s"),
            "{failed:?}"
        );
        assert!(failed.counters.processed_tickets < 1000);
        tdb.cleanup().await;
    }
}

/// A handler that panics, to prove a panic fails the job instead of killing the worker.
struct Panicker;

impl JobHandler for Panicker {
    fn kind(&self) -> &'static str {
        "panicker"
    }
    fn run<'a>(
        &'a self,
        _ctx: &'a JobContext,
        _payload: Value,
    ) -> BoxFuture<'a, Result<Value, JobError>> {
        Box::pin(async { panic!("boom") })
    }
}

#[tokio::test]
async fn a_panicking_handler_fails_its_job() {
    let tdb = TestDatabase::sqlite().await.unwrap();
    let registry = Registry::new().with(Panicker).unwrap();
    let id = tdb
        .enqueue(NewJob::new("panicker", json!({})))
        .await
        .unwrap()
        .id;
    assert_eq!(drain(&tdb, &registry).await.unwrap().failed, 1);
    assert_eq!(
        job(&tdb, id).await.error.as_deref(),
        Some("job handler panicked: boom")
    );
    assert!(
        Registry::new()
            .with(Panicker)
            .unwrap()
            .with(Panicker)
            .is_err(),
        "duplicate kind"
    );
    tdb.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_job_cancelled_from_another_process_stops_at_its_next_checkpoint() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let pool = WorkerPool::start(tdb.db().clone(), registry(), fast_settings())
            .await
            .unwrap();
        let long = probe(json!({ "steps": 2000, "step_ms": 10 })).with_lock_keys(["X-1"]);
        let id = tdb.enqueue(long).await.unwrap().id;
        wait_until("the job runs and reports progress", || async {
            job(&tdb, id).await.counters.processed_tickets > 0
        })
        .await;
        // Another "process": its own pool, no shared in-process signals.
        let api = tdb.connect_another().await.unwrap();
        let cancelled = api.cancel(id).await.unwrap();
        assert_eq!(
            cancelled.status,
            JobStatus::Cancelled,
            "{label}: answered at once"
        );
        wait_until("the worker lets go of the cancelled job", || async {
            job(&tdb, id).await.lease_owner.is_none()
        })
        .await;
        let stopped = job(&tdb, id).await;
        assert_eq!(
            stopped.status,
            JobStatus::Cancelled,
            "{label}: not overwritten"
        );
        assert!(
            stopped.counters.processed_tickets < 2000,
            "{label}: stopped early"
        );
        tdb.enqueue(probe(json!({})).with_lock_keys(["X-1"]))
            .await
            .expect("lock freed");
        api.close().await;
        pool.shutdown(Duration::from_secs(5)).await;
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_a_dead_worker_is_recovered_and_completes_exactly_once() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("marker.txt");
        let payload = json!({ "steps": 2, "marker_file": marker.display().to_string() });
        let id = tdb.enqueue(probe(payload)).await.unwrap().id;
        // A worker claims the job and dies: it never heartbeats.
        let dead = tdb
            .claim("dead-worker", &[PROBE_KIND], Duration::from_millis(50), 1)
            .await
            .unwrap();
        assert_eq!(dead[0].id, id);
        let pool = WorkerPool::start(tdb.db().clone(), registry(), fast_settings())
            .await
            .unwrap();
        wait_until(
            "the reaper recovers the job and a live worker completes it",
            || async { job(&tdb, id).await.status == JobStatus::Completed },
        )
        .await;
        pool.shutdown(Duration::from_secs(5)).await;
        let done = job(&tdb, id).await;
        assert_eq!(done.attempts, 2, "{label}");
        assert_eq!(done.results.as_ref().unwrap()["attempt"], 2);
        // The dead worker comes back and tries to record its own outcome: refused.
        let dead_lease = dead[0].lease_owner.as_deref().expect("lease token");
        let stale = tdb
            .complete(
                id,
                dead_lease,
                &json!("stale"),
                &done.progress,
                &done.counters,
            )
            .await
            .unwrap();
        assert_eq!(stale, FinishOutcome::LeaseLost, "{label}");
        assert_eq!(job(&tdb, id).await.results, done.results);
        let lines = std::fs::read_to_string(&marker).unwrap();
        assert_eq!(lines, format!("{id}\n"), "{label}: completed exactly once");
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_lost_its_lease_stops_and_cannot_overwrite_the_new_owner() {
    lost_lease_is_fenced(false).await;
}

/// The same, when the new claim comes from the very process whose lease lapsed (its database
/// connection came back after the lease expired): the worker id is the same, the claim is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_lease_lapsed_is_fenced_out_by_a_new_claim_of_the_same_process() {
    lost_lease_is_fenced(true).await;
}

async fn lost_lease_is_fenced(same_process: bool) {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let settings = WorkerSettings {
            reap_interval: Duration::from_secs(3600),
            ..fast_settings()
        };
        let pool = WorkerPool::start(tdb.db().clone(), registry(), settings)
            .await
            .unwrap();
        let id = tdb
            .enqueue(probe(json!({ "steps": 400, "step_ms": 10 })))
            .await
            .unwrap()
            .id;
        wait_until("the pool runs the job", || async {
            job(&tdb, id).await.counters.processed_tickets > 0
        })
        .await;
        // Pretend the pool's lease lapsed (as if it had been partitioned away): recover it.
        let far_future = Utc::now() + chrono::Duration::hours(1);
        // Requeue it for later, so that only the new claim (skipping the delay) can take it.
        let recovered = tdb
            .recover_expired_leases(far_future, |_| Recovery::Retry { run_at: far_future })
            .await
            .unwrap();
        assert_eq!(recovered.requeued, 1, "{label}");
        let new_owner = if same_process {
            pool.worker_id().to_owned()
        } else {
            "new-owner".to_owned()
        };
        let taken = tdb
            .claim_due_by(
                &new_owner,
                &[PROBE_KIND],
                Duration::from_secs(60),
                1,
                far_future,
            )
            .await
            .unwrap();
        assert_eq!(taken[0].id, id);
        let new_lease = taken[0].lease_owner.clone().expect("lease token");
        wait_until("the old worker notices and stops on its own", || async {
            pool.running_jobs() == 0
        })
        .await;
        let untouched = job(&tdb, id).await;
        assert_eq!(
            untouched.lease_owner.as_deref(),
            Some(new_lease.as_str()),
            "{label}"
        );
        assert_eq!(untouched.status, JobStatus::Processing);
        let progress = domain::job::JobProgress::message("new owner's result");
        let counters = domain::job::JobCounters::default();
        let mine = tdb
            .complete(id, &new_lease, &json!("new"), &progress, &counters)
            .await
            .unwrap();
        assert_eq!(mine, FinishOutcome::Recorded, "{label}");
        let report = pool.shutdown(Duration::from_secs(5)).await;
        assert_eq!(
            (report.finished, report.lease_lost),
            (1, 1),
            "{label}: {report:?}"
        );
        let done = job(&tdb, id).await;
        assert_eq!(
            (done.status, done.results),
            (JobStatus::Completed, Some(json!("new"))),
            "{label}"
        );
        assert_eq!(done.progress.message, "new owner's result");
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_hands_unfinished_jobs_back() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let settings = WorkerSettings {
            concurrency: 2,
            ..fast_settings()
        };
        let pool = WorkerPool::start(tdb.db().clone(), registry(), settings)
            .await
            .unwrap();
        let quick = tdb.enqueue(probe(json!({}))).await.unwrap().id;
        wait_until("the quick job completes", || async {
            job(&tdb, quick).await.status == JobStatus::Completed
        })
        .await;
        let mut slow = Vec::new();
        for key in ["G-1", "G-2"] {
            let new = probe(json!({ "steps": 50, "step_ms": 20 })).with_lock_keys([key]);
            slow.push(tdb.enqueue(new).await.unwrap().id);
        }
        wait_until("both slow jobs run", || async {
            let mut all = true;
            for id in &slow {
                all &= job(&tdb, *id).await.counters.processed_tickets > 0;
            }
            all
        })
        .await;
        let report = pool.shutdown(Duration::from_millis(100)).await;
        assert_eq!(report.released, 2, "{label}: {report:?}");
        for id in &slow {
            let back = job(&tdb, *id).await;
            assert_eq!(
                (back.status, back.attempts),
                (JobStatus::Started, 0),
                "{label}"
            );
            assert!(back.lease_owner.is_none() && back.holds_locks());
        }
        assert!(
            tdb.live_workers(Utc::now() - chrono::Duration::hours(1))
                .await
                .unwrap()
                .is_empty(),
            "{label}: deregistered"
        );
        // Another worker picks them up.
        let report = drain(&tdb, &registry()).await.unwrap();
        assert_eq!(report.completed, 2, "{label}");
        assert!(report.is_clean());
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_wakes_on_enqueue_registers_itself_and_purges_old_results() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let old = tdb.enqueue(probe(json!({}))).await.unwrap().id;
        drain(&tdb, &registry()).await.unwrap();
        // Poll rarely: only wake-ups can make this fast. keep_result 0 purges finished jobs.
        let settings = WorkerSettings {
            poll_interval: Duration::from_secs(60),
            keep_result: Duration::ZERO,
            purge_interval: Duration::from_secs(3600),
            ..fast_settings()
        };
        let pool = WorkerPool::start(tdb.db().clone(), registry(), settings)
            .await
            .unwrap();
        wait_until("the retention purge removes the finished job", || async {
            tdb.get(old).await.unwrap().is_none()
        })
        .await;
        let workers = tdb
            .live_workers(Utc::now() - chrono::Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(workers.len(), 1, "{label}");
        assert_eq!(workers[0].id, pool.worker_id());
        assert_eq!(workers[0].kinds, vec![PROBE_KIND.to_owned()]);
        let started = std::time::Instant::now();
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(tdb.enqueue(probe(json!({}))).await.unwrap().id);
        }
        wait_until("all jobs complete", || async {
            let page = tdb
                .list(&store::JobFilter {
                    status: Some(JobStatus::Completed),
                    ..Default::default()
                })
                .await
                .unwrap();
            page.total == 20
        })
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{label}: woken, not polled"
        );
        pool.shutdown(Duration::from_secs(5)).await;
        tdb.cleanup().await;
    }
}
