//! Queue throughput and latency with no-op jobs that each hold one dedupe lock key, as every
//! product job does (a ticket or story key): enqueue inserts the lock, completion frees it in the
//! same transaction.
//!
//! * PostgreSQL: 4 worker PROCESSES (this executable re-executed with `PLANWRIGHT_BENCH_WORKER`
//!   set) share one fresh database; the parent enqueues from 16 concurrent tasks and waits until
//!   every job completed. Needs `PLANWRIGHT_TEST_POSTGRES_URL` (an admin URL, e.g.
//!   `postgres://postgres@127.0.0.1:5432/postgres`); skipped without it.
//! * SQLite: one process, a worker pool in the same process as the enqueuers.
//! * Latency: with idle workers, jobs are enqueued one at a time; enqueue-to-start is the job's
//!   `claimed_at - created_at` as recorded by the database (millisecond resolution).
//!
//! Run: `PLANWRIGHT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//! cargo bench -p jobs --bench queue`. Each worker runs with WORKER_MAX_JOBS=50 (its claim batch):
//! no-op jobs are pure database round trips, and a deployment tuned for throughput raises
//! WORKER_MAX_JOBS the same way. `PLANWRIGHT_BENCH_MAX_JOBS=10` measures the default setting.
//!
//! On a 2-core machine a no-op job's cost is dominated by round trips and WAL flushes, so
//! throughput follows the number of jobs per claim and per group-committed completion batch.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::job::JobStatus;
use jobs::{BoxFuture, JobContext, JobError, JobHandler, Registry, WorkerPool, WorkerSettings};
use serde_json::{Value, json};
use store::{Database, JobFilter, NewJob, TestDatabase};

const WORKER_ENV: &str = "PLANWRIGHT_BENCH_WORKER";
const KIND: &str = "bench_noop";
const THROUGHPUT_JOBS: usize = 20_000;
const SQLITE_JOBS: usize = 10_000;
const BACKLOG_JOBS: usize = 10_000;
const LATENCY_SAMPLES: usize = 300;
const ENQUEUERS: usize = 16;
const WORKER_PROCESSES: usize = 4;

/// Does nothing: measures the queue, not the work.
struct Noop;

impl JobHandler for Noop {
    fn kind(&self) -> &'static str {
        KIND
    }
    fn run<'a>(
        &'a self,
        _ctx: &'a JobContext,
        _payload: Value,
    ) -> BoxFuture<'a, Result<Value, JobError>> {
        Box::pin(async { Ok(Value::Null) })
    }
}

fn registry() -> Registry {
    Registry::new().with(Noop).expect("one handler")
}

/// WORKER_MAX_JOBS for the benchmark (50), overridable to study batching: `PLANWRIGHT_BENCH_MAX_JOBS`.
fn settings() -> WorkerSettings {
    let concurrency = std::env::var("PLANWRIGHT_BENCH_MAX_JOBS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(50);
    WorkerSettings {
        concurrency,
        claim_batch: concurrency,
        ..WorkerSettings::default()
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(url) = std::env::var(WORKER_ENV) {
        runtime.block_on(run_worker_process(&url));
        return;
    }
    let rows = runtime.block_on(run_benchmarks());
    println!("\n| metric | target | measured |\n|---|---|---|");
    for (metric, target, measured) in rows {
        println!("| {metric} | {target} | {measured} |");
    }
}

/// A child: runs a worker pool until the parent closes our stdin.
async fn run_worker_process(url: &str) {
    let db = Database::connect(url).await.expect("worker connects");
    let pool = WorkerPool::start(db.clone(), registry(), settings())
        .await
        .expect("pool starts");
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .expect("stdin reader");
    pool.shutdown(Duration::from_secs(5)).await;
    db.close().await;
}

async fn run_benchmarks() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    match TestDatabase::postgres().await.expect("postgres fixture") {
        Some(tdb) => {
            // Phase 1, no workers yet: the enqueue path alone, leaving a backlog.
            let started = Instant::now();
            enqueue_all(&tdb, BACKLOG_JOBS).await;
            let enqueue_rate = BACKLOG_JOBS as f64 / started.elapsed().as_secs_f64();
            rows.push((
                "PostgreSQL enqueue only (16 tasks, no workers running)".into(),
                "-".into(),
                format!("{enqueue_rate:.0} jobs/s ({BACKLOG_JOBS} jobs)"),
            ));
            // Phase 2: the worker processes drain that backlog (claim + run + complete).
            let children: Vec<Child> = (0..WORKER_PROCESSES)
                .map(|_| {
                    Command::new(std::env::current_exe().expect("bench executable"))
                        .env(WORKER_ENV, tdb.url())
                        .stdin(Stdio::piped())
                        .spawn()
                        .expect("spawn worker process")
                })
                .collect();
            wait_for_workers(&tdb, WORKER_PROCESSES).await;
            let deadline = Instant::now() + Duration::from_secs(300);
            while completed(&tdb).await < BACKLOG_JOBS as u64 {
                assert!(Instant::now() < deadline, "backlog did not drain");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let (first_claim, last_completion): (i64, i64) = sqlx::query_as(
                "SELECT MIN(claimed_at), MAX(completed_at) FROM jobs WHERE status = 'completed'",
            )
            .fetch_one(tdb.pool())
            .await
            .expect("drain span");
            let drain_secs = (last_completion - first_claim).max(1) as f64 / 1000.0;
            rows.push((
                format!(
                    "PostgreSQL workers draining a backlog, {WORKER_PROCESSES} processes x {}",
                    settings().concurrency
                ),
                "-".into(),
                format!(
                    "{:.0} jobs/s ({BACKLOG_JOBS} jobs)",
                    BACKLOG_JOBS as f64 / drain_secs
                ),
            ));
            // Phase 3: both at once, end to end.
            let rate = throughput(&tdb, THROUGHPUT_JOBS).await;
            rows.push((
                format!(
                    "PostgreSQL throughput, {WORKER_PROCESSES} worker processes x {}",
                    settings().concurrency
                ),
                ">= 3,000 jobs/s".into(),
                format!("{rate:.0} jobs/s ({THROUGHPUT_JOBS} jobs)"),
            ));
            let (p50, p99) = latency(&tdb).await;
            rows.push((
                "PostgreSQL enqueue-to-start latency, idle workers".into(),
                "p99 < 50 ms".into(),
                format!("p50 {p50} ms, p99 {p99} ms ({LATENCY_SAMPLES} samples)"),
            ));
            for mut child in children {
                drop(child.stdin.take());
                let _ = child.wait();
            }
            tdb.cleanup().await;
        }
        None => rows.push((
            "PostgreSQL".into(),
            "-".into(),
            "skipped: set PLANWRIGHT_TEST_POSTGRES_URL".into(),
        )),
    }

    let tdb = TestDatabase::sqlite().await.expect("sqlite fixture");
    let pool = WorkerPool::start(tdb.db().clone(), registry(), settings())
        .await
        .expect("pool");
    let rate = throughput(&tdb, SQLITE_JOBS).await;
    rows.push((
        format!(
            "SQLite throughput, one process, pool x {}",
            settings().concurrency
        ),
        ">= 1,500 jobs/s".into(),
        format!("{rate:.0} jobs/s ({SQLITE_JOBS} jobs)"),
    ));
    let (p50, p99) = latency(&tdb).await;
    rows.push((
        "SQLite enqueue-to-start latency, idle worker".into(),
        "p99 < 50 ms".into(),
        format!("p50 {p50} ms, p99 {p99} ms ({LATENCY_SAMPLES} samples)"),
    ));
    pool.shutdown(Duration::from_secs(5)).await;
    tdb.cleanup().await;
    rows
}

async fn wait_for_workers(db: &Database, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let since = chrono::Utc::now() - chrono::Duration::minutes(1);
        if db.live_workers(since).await.expect("workers").len() >= count {
            return;
        }
        assert!(Instant::now() < deadline, "worker processes did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn completed(db: &Database) -> u64 {
    let filter = JobFilter {
        status: Some(JobStatus::Completed),
        limit: 1,
        ..JobFilter::default()
    };
    db.list(&filter).await.expect("count").total
}

/// Enqueues `jobs` no-op jobs from concurrent tasks; returns completed jobs per second, measured
/// from the first enqueue to the last completion.
async fn throughput(db: &Database, jobs: usize) -> f64 {
    let already = completed(db).await;
    let started = Instant::now();
    enqueue_all(db, jobs).await;
    let enqueued = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(300);
    while completed(db).await < already + jobs as u64 {
        assert!(Instant::now() < deadline, "jobs did not complete");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{}: enqueued {jobs} in {:.2} s, all completed after {:.2} s",
        db.backend().as_str(),
        enqueued.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    jobs as f64 / elapsed.as_secs_f64()
}

/// A no-op job holding one lock key, like a product job on one ticket.
fn bench_job(payload: Value, key: String) -> NewJob {
    NewJob::new(KIND, payload)
        .with_ticket_key(key.clone())
        .with_lock_keys([key])
}

/// Enqueues `jobs` no-op jobs from [`ENQUEUERS`] concurrent tasks.
async fn enqueue_all(db: &Database, jobs: usize) {
    let enqueuers: Vec<_> = (0..ENQUEUERS)
        .map(|task| {
            let db = db.clone();
            tokio::spawn(async move {
                for i in (task..jobs).step_by(ENQUEUERS) {
                    db.enqueue(bench_job(json!({ "i": i }), format!("BENCH-{i}")))
                        .await
                        .expect("enqueue");
                }
            })
        })
        .collect();
    for enqueuer in enqueuers {
        enqueuer.await.expect("enqueuer");
    }
}

/// p50 and p99 of `claimed_at - created_at` (ms) for jobs enqueued one at a time.
async fn latency(db: &Database) -> (i64, i64) {
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        let id = db
            .enqueue(bench_job(json!({ "latency": i }), format!("LATENCY-{i}")))
            .await
            .expect("enqueue")
            .id;
        loop {
            let job = db.get(id).await.expect("get").expect("job");
            if job.status == JobStatus::Completed {
                let claimed = job.claimed_at.expect("claimed");
                samples.push((claimed - job.created_at).num_milliseconds());
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    (at(0.50), at(0.99))
}
