//! The job table against SQLite and (when `PLANWRIGHT_TEST_POSTGRES_URL` is set) PostgreSQL:
//! enqueue, dedupe under concurrency, listing, cancellation, leases, recovery and retention.

use std::time::Duration;

use chrono::Utc;
use domain::job::{JobCounters, JobProgress, JobSortBy, JobStatus, SortOrder};
use serde_json::json;
use store::{
    CancelError, ClaimedJob, Database, EnqueueError, FinishOutcome, HeartbeatOutcome, JobFilter,
    NewJob, PoolSettings, Recovery, TestDatabase, WorkerRegistration,
};

const LEASE: Duration = Duration::from_secs(30);

async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all().await.expect("test databases")
}

/// The lease token of the one job a claim returned: every write about that run presents it.
fn token(claimed: &[ClaimedJob]) -> String {
    assert_eq!(claimed.len(), 1, "expected one claimed job");
    claimed[0]
        .lease_owner
        .clone()
        .expect("a claimed job carries its lease token")
}

fn single(key: &str) -> NewJob {
    NewJob::new("single", json!({ "ticket_key": key }))
        .with_lock_keys([key])
        .with_ticket_key(key)
        .with_message(format!("Ticket {key} queued for processing"))
}

#[tokio::test]
async fn enqueued_jobs_read_back_with_every_field() {
    for tdb in databases().await {
        let label = tdb.label();
        let new = NewJob::new("task_generation", json!({ "story_keys": ["S-1", "S-2"] }))
            .with_lock_keys(["S-1", "S-2"])
            .with_story_keys(["S-1", "S-2"])
            .with_ticket_key("E-1")
            .with_attribute("repos", json!(["https://example.test/repo.git"]))
            .with_total_tickets(2)
            .with_priority(5)
            .with_max_attempts(4)
            .with_timeout(Duration::from_secs(90))
            .with_message("queued");
        let stored = tdb.enqueue(new.clone()).await.unwrap();
        let read = tdb.get(new.id).await.unwrap().expect("job exists");
        assert_eq!(stored, read, "{label}");
        assert_eq!(read.status, JobStatus::Started, "{label}");
        assert_eq!(read.kind, "task_generation");
        assert_eq!(read.payload, json!({ "story_keys": ["S-1", "S-2"] }));
        assert_eq!(read.progress, JobProgress::message("queued"));
        assert_eq!(
            read.story_keys,
            Some(vec!["S-1".to_owned(), "S-2".to_owned()])
        );
        assert_eq!(read.ticket_key.as_deref(), Some("E-1"));
        assert_eq!(
            read.attributes["repos"],
            json!(["https://example.test/repo.git"])
        );
        assert_eq!(read.counters.total_tickets, Some(2));
        assert_eq!(
            (read.priority, read.max_attempts, read.attempts),
            (5, Some(4), 0)
        );
        assert_eq!(read.timeout, Some(Duration::from_secs(90)));
        assert_eq!(read.lock_keys, vec!["S-1", "S-2"]);
        assert!(read.holds_locks() && read.lease_owner.is_none() && read.completed_at.is_none());
        assert!(
            tdb.get(domain::job::JobId::new()).await.unwrap().is_none(),
            "{label}"
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn health_reports_migrations_and_migrate_is_idempotent() {
    for tdb in databases().await {
        tdb.migrate().await.unwrap();
        let health = tdb.health().await;
        assert!(health.reachable && health.migrations_applied, "{health:?}");
        assert_eq!(health.backend.as_str(), tdb.label());
        tdb.cleanup().await;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let fresh = Database::connect(&url).await.unwrap();
    let health = fresh.health().await;
    assert!(health.reachable && !health.migrations_applied, "{health:?}");
}

#[tokio::test]
async fn sqlite_memory_urls_share_one_database_across_the_pool() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    let jobs = futures::future::join_all(
        (0..8).map(|i| db.enqueue(NewJob::new("single", json!({ "n": i })))),
    )
    .await;
    assert!(jobs.iter().all(Result::is_ok));
    assert_eq!(db.queue_depth().await.unwrap(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_enqueues_for_one_key_accept_exactly_one() {
    for tdb in databases().await {
        let label = tdb.label();
        // Three independent pools stand in for three API processes.
        let mut pools = vec![tdb.db().clone()];
        for _ in 0..2 {
            let other = tdb.connect_another().await.unwrap();
            pools.push(other);
        }
        let attempts = (0..30).map(|i| {
            let db = pools[i % pools.len()].clone();
            tokio::spawn(async move { db.enqueue(single("PROJ-1")).await })
        });
        let results = futures::future::join_all(attempts).await;
        let mut accepted = Vec::new();
        let mut rejected = 0;
        for result in results {
            match result.unwrap() {
                Ok(job) => accepted.push(job),
                Err(EnqueueError::Duplicate { conflicts }) => {
                    assert_eq!(conflicts.len(), 1, "{label}");
                    assert_eq!(conflicts[0].lock_key, "PROJ-1");
                    rejected += 1;
                }
                Err(other) => panic!("{label}: {other}"),
            }
        }
        assert_eq!(accepted.len(), 1, "{label}: exactly one accepted");
        assert_eq!(rejected, 29, "{label}");
        let holder = tdb.lock_holders(&["PROJ-1".to_owned()]).await.unwrap();
        assert_eq!(holder[0].job_id, accepted[0].id);
        let page = tdb.list(&JobFilter::default()).await.unwrap();
        assert_eq!(page.total, 1, "{label}: no half-written rejected job");
        for pool in &pools[1..] {
            pool.close().await;
        }
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn multi_key_conflicts_are_reported_per_key_and_nothing_is_written() {
    for tdb in databases().await {
        let label = tdb.label();
        let first = tdb
            .enqueue(NewJob::new("task_generation", json!({})).with_lock_keys(["S-1", "S-2"]))
            .await
            .unwrap();
        let second = tdb.enqueue(single("S-3")).await.unwrap();
        let error = tdb
            .enqueue(
                NewJob::new("task_generation", json!({}))
                    .with_lock_keys(["S-0", "S-3", "S-2", "S-1", "S-1"]),
            )
            .await
            .unwrap_err();
        let EnqueueError::Duplicate { conflicts } = error else {
            panic!("{label}: {error}")
        };
        let summary: Vec<_> = conflicts
            .iter()
            .map(|c| (c.lock_key.as_str(), c.job_id, c.status))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("S-3", second.id, JobStatus::Started),
                ("S-2", first.id, JobStatus::Started),
                ("S-1", first.id, JobStatus::Started),
            ],
            "{label}"
        );
        // The free key of the rejected request was not taken.
        tdb.enqueue(single("S-0")).await.expect("S-0 is free");
        assert_eq!(
            tdb.list(&JobFilter::default()).await.unwrap().total,
            3,
            "{label}"
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn locks_are_freed_exactly_when_a_job_stops_being_active() {
    for tdb in databases().await {
        let label = tdb.label();
        let kinds = ["single"];
        let none = JobCounters::default();
        let progress = JobProgress::message("done");
        // Completed.
        let job = tdb.enqueue(single("K-1")).await.unwrap();
        let lease = token(&tdb.claim("w", &kinds, LEASE, 1).await.unwrap());
        assert!(
            tdb.enqueue(single("K-1")).await.is_err(),
            "{label}: held while processing"
        );
        let done = tdb
            .complete(job.id, &lease, &json!({ "ok": true }), &progress, &none)
            .await;
        assert_eq!(done.unwrap(), FinishOutcome::Recorded);
        let again = tdb
            .enqueue(single("K-1"))
            .await
            .expect("free after completion");
        // A retry keeps the lock; a final failure frees it.
        let lease = token(&tdb.claim("w", &kinds, LEASE, 1).await.unwrap());
        let retry_at = Utc::now() + chrono::Duration::seconds(60);
        tdb.fail(again.id, &lease, "flaky", Some(retry_at), &progress, &none)
            .await
            .unwrap();
        let retried = tdb.get(again.id).await.unwrap().unwrap();
        assert_eq!(retried.status, JobStatus::Started, "{label}");
        assert_eq!(retried.error.as_deref(), Some("flaky"));
        assert_eq!(
            retried.run_at.timestamp_millis(),
            retry_at.timestamp_millis()
        );
        assert!(
            tdb.claim("w", &kinds, LEASE, 1).await.unwrap().is_empty(),
            "{label}: delayed"
        );
        assert!(
            tdb.enqueue(single("K-1")).await.is_err(),
            "{label}: held while retrying"
        );
        let claimed = tdb
            .claim_due_by("w", &kinds, LEASE, 1, retry_at)
            .await
            .unwrap();
        assert_eq!(claimed[0].attempts, 2, "{label}");
        tdb.fail(again.id, &token(&claimed), "broken", None, &progress, &none)
            .await
            .unwrap();
        let failed = tdb.get(again.id).await.unwrap().unwrap();
        assert_eq!(
            (failed.status, failed.error.as_deref()),
            (JobStatus::Failed, Some("broken"))
        );
        assert!(failed.completed_at.is_some() && failed.lease_owner.is_none());
        // Cancelled while queued.
        let queued = tdb
            .enqueue(single("K-1"))
            .await
            .expect("free after failure");
        tdb.cancel(queued.id).await.unwrap();
        tdb.enqueue(single("K-1"))
            .await
            .expect("free after cancelling a queued job");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn cancelling_covers_queued_running_finished_and_unknown_jobs() {
    for tdb in databases().await {
        let label = tdb.label();
        let none = JobCounters::default();
        let queued = tdb.enqueue(single("C-1")).await.unwrap();
        let cancelled = tdb.cancel(queued.id).await.unwrap();
        assert_eq!(cancelled.status, JobStatus::Cancelled, "{label}");
        assert!(cancelled.completed_at.is_some());
        assert_eq!(
            cancelled,
            tdb.get(queued.id).await.unwrap().unwrap(),
            "{label}"
        );
        assert!(matches!(
            tdb.cancel(queued.id).await,
            Err(CancelError::NotActive(JobStatus::Cancelled))
        ));
        assert!(matches!(
            tdb.cancel(domain::job::JobId::new()).await,
            Err(CancelError::NotFound)
        ));

        // Running: cancelled at once; the worker hears it and cannot overwrite the status.
        let running = tdb.enqueue(single("C-2")).await.unwrap();
        let lease = token(&tdb.claim("w", &["single"], LEASE, 1).await.unwrap());
        let cancelled = tdb.cancel(running.id).await.unwrap();
        assert_eq!(cancelled.status, JobStatus::Cancelled);
        assert!(
            cancelled.cancel_requested && cancelled.holds_locks(),
            "{label}"
        );
        assert!(
            tdb.enqueue(single("C-2")).await.is_err(),
            "{label}: locked until the worker stops"
        );
        assert_eq!(
            tdb.heartbeat(running.id, &lease, LEASE).await.unwrap(),
            HeartbeatOutcome::CancelRequested
        );
        let outcome = tdb
            .complete(
                running.id,
                &lease,
                &json!({ "partial": true }),
                &JobProgress::message("x"),
                &none,
            )
            .await
            .unwrap();
        assert_eq!(outcome, FinishOutcome::Cancelled, "{label}");
        let after = tdb.get(running.id).await.unwrap().unwrap();
        assert_eq!(after.status, JobStatus::Cancelled, "{label}");
        assert_eq!(after.results, Some(json!({ "partial": true })));
        assert!(!after.holds_locks());
        let requeued = tdb
            .enqueue(single("C-2"))
            .await
            .expect("free once the worker stopped");
        tdb.cancel(requeued.id).await.unwrap();

        // Finished.
        let finished = tdb.enqueue(single("C-3")).await.unwrap();
        let claimed = tdb.claim("w", &["single"], LEASE, 1).await.unwrap();
        assert_eq!(claimed[0].id, finished.id);
        tdb.complete(
            finished.id,
            &token(&claimed),
            &json!({}),
            &JobProgress::default(),
            &none,
        )
        .await
        .unwrap();
        assert!(matches!(
            tdb.cancel(finished.id).await,
            Err(CancelError::NotActive(JobStatus::Completed))
        ));
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn expired_leases_are_recovered_and_the_old_worker_cannot_write() {
    for tdb in databases().await {
        let label = tdb.label();
        let none = JobCounters::default();
        let job = tdb.enqueue(single("L-1")).await.unwrap();
        // The dead worker claims with a lease it will never renew.
        let claimed = tdb
            .claim("dead", &["single"], Duration::from_millis(1), 1)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let later = Utc::now() + chrono::Duration::seconds(5);
        let report = tdb
            .recover_expired_leases(later, |lease| {
                assert_eq!(lease.attempts, 1);
                assert_eq!(lease.lease_owner, token(&claimed));
                Recovery::Retry { run_at: Utc::now() }
            })
            .await
            .unwrap();
        assert_eq!(report.requeued, 1, "{label}");
        let requeued = tdb.get(job.id).await.unwrap().unwrap();
        assert_eq!(requeued.status, JobStatus::Started);
        assert!(
            requeued.lease_owner.is_none() && requeued.holds_locks(),
            "{label}"
        );
        let dead = token(&claimed);
        let reclaimed = tdb.claim("alive", &["single"], LEASE, 1).await.unwrap();
        assert_eq!(reclaimed[0].attempts, 2, "{label}");
        let alive = token(&reclaimed);
        // The dead worker wakes up: everything it tries is refused.
        assert_eq!(
            tdb.heartbeat(job.id, &dead, LEASE).await.unwrap(),
            HeartbeatOutcome::LeaseLost
        );
        let progress = JobProgress::message("stale");
        assert_eq!(
            tdb.report_progress(job.id, &dead, LEASE, &progress, &none)
                .await
                .unwrap(),
            HeartbeatOutcome::LeaseLost
        );
        let stale = tdb
            .complete(job.id, &dead, &json!("stale"), &progress, &none)
            .await
            .unwrap();
        assert_eq!(stale, FinishOutcome::LeaseLost, "{label}");
        assert_eq!(
            tdb.release(job.id, &dead).await.unwrap(),
            FinishOutcome::LeaseLost
        );
        assert_eq!(
            tdb.fail(job.id, &dead, "x", None, &progress, &none)
                .await
                .unwrap(),
            FinishOutcome::LeaseLost
        );
        // A second reaper finds nothing: the lease is live again.
        let again = tdb
            .recover_expired_leases(Utc::now(), |_| unreachable!())
            .await
            .unwrap();
        assert_eq!(again.total(), 0);
        let fresh = tdb
            .complete(job.id, &alive, &json!("fresh"), &progress, &none)
            .await
            .unwrap();
        assert_eq!(fresh, FinishOutcome::Recorded);
        let done = tdb.get(job.id).await.unwrap().unwrap();
        assert_eq!(
            (done.status, done.results),
            (JobStatus::Completed, Some(json!("fresh")))
        );

        // Exhausted attempts fail with the reaper's error and free the lock.
        let doomed = tdb.enqueue(single("L-2")).await.unwrap();
        tdb.claim("dead", &["single"], Duration::from_millis(1), 1)
            .await
            .unwrap();
        let report = tdb
            .recover_expired_leases(later, |_| Recovery::Fail {
                error: "worker died".into(),
            })
            .await
            .unwrap();
        assert_eq!(report.failed, 1, "{label}");
        let failed = tdb.get(doomed.id).await.unwrap().unwrap();
        assert_eq!(
            (failed.status, failed.error.as_deref()),
            (JobStatus::Failed, Some("worker died"))
        );
        let again = tdb.enqueue(single("L-2")).await.expect("lock freed");
        tdb.cancel(again.id).await.unwrap();

        // A cancelled job whose worker died frees its locks.
        let orphan = tdb.enqueue(single("L-3")).await.unwrap();
        let claimed = tdb
            .claim("dead", &["single"], Duration::from_millis(1), 1)
            .await
            .unwrap();
        assert_eq!(claimed[0].id, orphan.id, "{label}");
        tdb.cancel(orphan.id).await.unwrap();
        let report = tdb
            .recover_expired_leases(later, |_| unreachable!())
            .await
            .unwrap();
        assert_eq!(report.cancelled_released, 1, "{label}");
        assert_eq!(
            tdb.get(orphan.id).await.unwrap().unwrap().status,
            JobStatus::Cancelled
        );
        tdb.enqueue(single("L-3")).await.expect("lock freed");
        tdb.cleanup().await;
    }
}

/// Waits (with a deadline) until the clock has passed `until`, so a zero-length lease has lapsed.
async fn wait_past(until: chrono::DateTime<Utc>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while Utc::now() <= until {
        assert!(
            std::time::Instant::now() < deadline,
            "the clock did not advance"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn a_second_claim_by_the_same_worker_fences_out_its_first_run() {
    for tdb in databases().await {
        let label = tdb.label();
        let none = JobCounters::default();
        let progress = JobProgress::message("first run");
        let job = tdb.enqueue(single("F-1")).await.unwrap();
        let claimed = tdb
            .claim("w", &["single"], Duration::ZERO, 1)
            .await
            .unwrap();
        let first = token(&claimed);
        wait_past(claimed[0].lease_until.expect("leased")).await;
        // The lease lapsed (say the database was unreachable): the first run cannot revive it,
        // even before a reaper has looked.
        assert_eq!(
            tdb.heartbeat(job.id, &first, LEASE).await.unwrap(),
            HeartbeatOutcome::LeaseLost,
            "{label}: a lapsed lease is not renewed"
        );
        assert_eq!(
            tdb.report_progress(job.id, &first, LEASE, &progress, &none)
                .await
                .unwrap(),
            HeartbeatOutcome::LeaseLost,
            "{label}"
        );
        let report = tdb
            .recover_expired_leases(Utc::now(), |_| Recovery::Retry { run_at: Utc::now() })
            .await
            .unwrap();
        assert_eq!(report.requeued, 1, "{label}");
        // The same process claims the job again while its first run is still going.
        let second = token(&tdb.claim("w", &["single"], LEASE, 1).await.unwrap());
        assert_ne!(first, second, "{label}: each claim has its own token");
        let patch = serde_json::Map::from_iter([("stage".to_owned(), json!("stale"))]);
        assert!(
            !tdb.merge_attributes(job.id, Some(&first), &patch)
                .await
                .unwrap(),
            "{label}: the first run cannot write attributes"
        );
        assert_eq!(
            tdb.complete(job.id, &first, &json!("stale"), &progress, &none)
                .await
                .unwrap(),
            FinishOutcome::LeaseLost,
            "{label}: the first run cannot record an outcome"
        );
        assert_eq!(
            tdb.fail(job.id, &first, "stale", None, &progress, &none)
                .await
                .unwrap(),
            FinishOutcome::LeaseLost
        );
        assert_eq!(
            tdb.release(job.id, &first).await.unwrap(),
            FinishOutcome::LeaseLost
        );
        assert_eq!(
            tdb.heartbeat(job.id, &second, LEASE).await.unwrap(),
            HeartbeatOutcome::Continue
        );
        assert_eq!(
            tdb.complete(job.id, &second, &json!("fresh"), &progress, &none)
                .await
                .unwrap(),
            FinishOutcome::Recorded
        );
        let done = tdb.get(job.id).await.unwrap().unwrap();
        assert_eq!(
            (done.status, done.results, done.attributes.get("stage")),
            (JobStatus::Completed, Some(json!("fresh")), None),
            "{label}"
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn release_hands_a_job_back_without_burning_an_attempt() {
    for tdb in databases().await {
        let job = tdb.enqueue(single("R-1")).await.unwrap();
        let lease = token(&tdb.claim("w", &["single"], LEASE, 1).await.unwrap());
        assert_eq!(
            tdb.release(job.id, &lease).await.unwrap(),
            FinishOutcome::Recorded
        );
        let back = tdb.get(job.id).await.unwrap().unwrap();
        assert_eq!(
            (back.status, back.attempts),
            (JobStatus::Started, 0),
            "{}",
            tdb.label()
        );
        assert!(back.lease_owner.is_none() && back.holds_locks());
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn claims_take_ready_jobs_by_priority_in_batches_of_the_requested_kinds() {
    for tdb in databases().await {
        let label = tdb.label();
        let low = tdb.enqueue(NewJob::new("a", json!(1))).await.unwrap();
        let high = tdb
            .enqueue(NewJob::new("a", json!(2)).with_priority(10))
            .await
            .unwrap();
        let other = tdb.enqueue(NewJob::new("b", json!(3))).await.unwrap();
        let later = Utc::now() + chrono::Duration::hours(1);
        tdb.enqueue(NewJob::new("a", json!(4)).with_run_at(later))
            .await
            .unwrap();
        let claimed = tdb.claim("w", &["a"], LEASE, 10).await.unwrap();
        let ids: Vec<_> = claimed.iter().map(|job| job.id).collect();
        assert_eq!(ids, vec![high.id, low.id], "{label}");
        assert!(claimed.iter().all(|job| {
            job.status == JobStatus::Processing
                && job
                    .lease_owner
                    .as_deref()
                    .is_some_and(|owner| owner.starts_with("w#"))
                && job.attempts == 1
                && job.claimed_at.is_some()
        }));
        let claimed = tdb.claim("w", &["a", "b"], LEASE, 10).await.unwrap();
        assert_eq!(
            claimed.iter().map(|job| job.id).collect::<Vec<_>>(),
            vec![other.id]
        );
        assert!(tdb.claim("w", &[], LEASE, 10).await.unwrap().is_empty());
        assert_eq!(
            tdb.next_run_at(&["a"])
                .await
                .unwrap()
                .map(|t| t.timestamp_millis()),
            Some(later.timestamp_millis())
        );
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_job() {
    for tdb in databases().await {
        let label = tdb.label();
        for i in 0..200 {
            tdb.enqueue(NewJob::new("n", json!(i))).await.unwrap();
        }
        let mut pools = vec![tdb.db().clone()];
        pools.push(tdb.connect_another().await.unwrap());
        let claimers = (0..6).map(|i| {
            let db = pools[i % 2].clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = db.claim(&format!("w{i}"), &["n"], LEASE, 7).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    mine.extend(batch.into_iter().map(|job| job.id));
                }
            })
        });
        let mut all: Vec<_> = futures::future::join_all(claimers)
            .await
            .into_iter()
            .flat_map(Result::unwrap)
            .collect();
        let claimed = all.len();
        all.sort();
        all.dedup();
        assert_eq!((claimed, all.len()), (200, 200), "{label}");
        pools[1].close().await;
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn listing_filters_sorts_and_pages() {
    for tdb in databases().await {
        let label = tdb.label();
        let none = JobCounters::default();
        let a = tdb.enqueue(single("P-1")).await.unwrap();
        let b = tdb
            .enqueue(NewJob::new("batch", json!({})).with_ticket_keys(["P-2", "P-3"]))
            .await
            .unwrap();
        let c = tdb
            .enqueue(NewJob::new("task_generation", json!({})).with_story_keys(["S-9", "P-3"]))
            .await
            .unwrap();
        let d = tdb
            .enqueue(NewJob::new("story_coverage", json!({})).with_story_key("S-9"))
            .await
            .unwrap();
        // b completes with counters, c fails.
        for (job, ok) in [(b.id, true), (c.id, false)] {
            let claimed = tdb
                .claim_due_by("w", &["batch", "task_generation"], LEASE, 1, Utc::now())
                .await
                .unwrap();
            assert_eq!(claimed[0].id, job, "{label}");
            let lease = token(&claimed);
            let counters = JobCounters {
                total_tickets: Some(2),
                processed_tickets: 2,
                successful_tickets: if ok { 2 } else { 0 },
                failed_tickets: if ok { 0 } else { 2 },
            };
            if ok {
                tdb.complete(job, &lease, &json!([]), &JobProgress::default(), &counters)
                    .await
                    .unwrap();
            } else {
                tdb.fail(
                    job,
                    &lease,
                    "boom",
                    None,
                    &JobProgress::default(),
                    &counters,
                )
                .await
                .unwrap();
            }
        }
        let ids = |filter: JobFilter| {
            let db = tdb.db().clone();
            async move {
                db.list(&filter)
                    .await
                    .unwrap()
                    .jobs
                    .into_iter()
                    .map(|j| j.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            ids(JobFilter::default()).await,
            vec![d.id, c.id, b.id, a.id],
            "{label}: newest first"
        );
        let asc = JobFilter {
            sort_order: SortOrder::Asc,
            ..JobFilter::default()
        };
        assert_eq!(ids(asc).await, vec![a.id, b.id, c.id, d.id]);
        let status = JobFilter {
            status: Some(JobStatus::Started),
            ..JobFilter::default()
        };
        assert_eq!(ids(status).await, vec![d.id, a.id]);
        let kind = JobFilter {
            job_type: Some("batch".into()),
            ..JobFilter::default()
        };
        assert_eq!(ids(kind).await, vec![b.id]);
        let by_id = JobFilter {
            job_id: Some(c.id.to_string()),
            ..JobFilter::default()
        };
        assert_eq!(ids(by_id).await, vec![c.id]);
        let ticket = JobFilter {
            ticket_key: Some("P-3".into()),
            ..JobFilter::default()
        };
        assert_eq!(
            ids(ticket).await,
            vec![b.id],
            "{label}: ticket_keys membership only"
        );
        let story = JobFilter {
            story_key: Some("S-9".into()),
            ..JobFilter::default()
        };
        assert_eq!(
            ids(story).await,
            vec![d.id, c.id],
            "{label}: story_key or story_keys"
        );
        let completed_first = JobFilter {
            sort_by: JobSortBy::CompletedAt,
            sort_order: SortOrder::Asc,
            ..JobFilter::default()
        };
        let order = ids(completed_first).await;
        assert_eq!(
            &order[..2],
            &[b.id, c.id],
            "{label}: jobs without completed_at last"
        );
        let completed_desc = JobFilter {
            sort_by: JobSortBy::CompletedAt,
            ..JobFilter::default()
        };
        let order = ids(completed_desc).await;
        assert_eq!(
            &order[..2],
            &[c.id, b.id],
            "{label}: nulls last in both directions"
        );
        assert_eq!(&order[2..], &[d.id, a.id], "{label}: ties broken by id");
        let successful = JobFilter {
            sort_by: JobSortBy::SuccessfulTickets,
            ..JobFilter::default()
        };
        assert_eq!(ids(successful).await[0], b.id);
        let failed = JobFilter {
            sort_by: JobSortBy::FailedTickets,
            ..JobFilter::default()
        };
        assert_eq!(ids(failed).await[0], c.id);
        for sort_by in JobSortBy::ALL {
            for sort_order in [SortOrder::Asc, SortOrder::Desc] {
                let full = ids(JobFilter {
                    sort_by,
                    sort_order,
                    ..JobFilter::default()
                })
                .await;
                let mut paged = Vec::new();
                for offset in (0..4).step_by(3) {
                    let page = tdb
                        .list(&JobFilter {
                            sort_by,
                            sort_order,
                            offset,
                            limit: 3,
                            ..JobFilter::default()
                        })
                        .await
                        .unwrap();
                    assert_eq!(page.total, 4, "{label}");
                    paged.extend(page.jobs.into_iter().map(|j| j.id));
                }
                assert_eq!(
                    paged, full,
                    "{label}: {sort_by:?} {sort_order:?} pages are stable"
                );
            }
        }
        let _ = none;
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn find_for_key_prefers_the_active_job_then_the_latest() {
    for tdb in databases().await {
        let label = tdb.label();
        assert!(tdb.find_for_key("F-1").await.unwrap().is_none());
        let old = tdb.enqueue(single("F-1")).await.unwrap();
        tdb.cancel(old.id).await.unwrap();
        let active = tdb.enqueue(single("F-1")).await.unwrap();
        let newer_named = tdb
            .enqueue(NewJob::new("batch", json!({})).with_ticket_keys(["F-1"]))
            .await
            .unwrap();
        tdb.cancel(newer_named.id).await.unwrap();
        assert_eq!(
            tdb.find_for_key("F-1").await.unwrap().unwrap().id,
            active.id,
            "{label}"
        );
        tdb.cancel(active.id).await.unwrap();
        assert_eq!(
            tdb.find_for_key("F-1").await.unwrap().unwrap().id,
            newer_named.id,
            "{label}"
        );
        // A lock key alone (not a ticket/story field) also finds the job.
        let locked = tdb
            .enqueue(NewJob::new("sprint_planning", json!({})).with_lock_keys(["E-7"]))
            .await
            .unwrap();
        assert_eq!(
            tdb.find_for_key("E-7").await.unwrap().unwrap().id,
            locked.id
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn retention_purges_only_old_finished_jobs() {
    for tdb in databases().await {
        let label = tdb.label();
        let finished = tdb.enqueue(single("T-1")).await.unwrap();
        tdb.cancel(finished.id).await.unwrap();
        let active = tdb.enqueue(single("T-2")).await.unwrap();
        let before = Utc::now() - chrono::Duration::hours(1);
        assert_eq!(
            tdb.purge_finished_before(before).await.unwrap(),
            0,
            "{label}"
        );
        let after = Utc::now() + chrono::Duration::seconds(1);
        assert_eq!(
            tdb.purge_finished_before(after).await.unwrap(),
            1,
            "{label}"
        );
        assert!(tdb.get(finished.id).await.unwrap().is_none());
        assert!(
            tdb.find_for_key("T-1").await.unwrap().is_none(),
            "{label}: keys purged too"
        );
        assert!(tdb.get(active.id).await.unwrap().is_some());
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn metrics_counts_and_worker_registry() {
    for tdb in databases().await {
        let label = tdb.label();
        tdb.enqueue(NewJob::new("a", json!(null))).await.unwrap();
        tdb.enqueue(NewJob::new("a", json!(null))).await.unwrap();
        let b = tdb.enqueue(NewJob::new("b", json!(null))).await.unwrap();
        tdb.cancel(b.id).await.unwrap();
        assert_eq!(tdb.queue_depth().await.unwrap(), 2, "{label}");
        let counts: Vec<_> = tdb
            .counts_by_kind_and_status()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.kind, c.status, c.count))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("a".into(), JobStatus::Started, 2),
                ("b".into(), JobStatus::Cancelled, 1)
            ]
        );
        let worker = WorkerRegistration {
            id: "host-1-abc".into(),
            hostname: "host".into(),
            pid: 1,
            kinds: vec!["a".into()],
            concurrency: 10,
        };
        let since = Utc::now() - chrono::Duration::seconds(1);
        tdb.register_worker(&worker).await.unwrap();
        tdb.worker_heartbeat(&worker).await.unwrap();
        let live = tdb.live_workers(since).await.unwrap();
        assert_eq!(live.len(), 1, "{label}");
        assert_eq!(
            (
                live[0].id.as_str(),
                live[0].kinds.clone(),
                live[0].concurrency
            ),
            ("host-1-abc", vec!["a".to_owned()], 10)
        );
        assert!(
            tdb.live_workers(Utc::now() + chrono::Duration::seconds(5))
                .await
                .unwrap()
                .is_empty()
        );
        tdb.deregister_worker(&worker.id).await.unwrap();
        assert!(tdb.live_workers(since).await.unwrap().is_empty());
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn attributes_merge_and_respect_the_lease() {
    for tdb in databases().await {
        let job = tdb
            .enqueue(
                NewJob::new("draft_pr", json!({}))
                    .with_attribute("stage", json!("CREATED"))
                    .with_attribute("mode", json!("yolo")),
            )
            .await
            .unwrap();
        let patch = serde_json::Map::from_iter([
            ("stage".to_owned(), json!("PLANNING")),
            ("mode".to_owned(), json!(null)),
        ]);
        assert!(
            !tdb.merge_attributes(job.id, Some("w"), &patch)
                .await
                .unwrap(),
            "not the lease holder"
        );
        let lease = token(&tdb.claim("w", &["draft_pr"], LEASE, 1).await.unwrap());
        assert!(
            !tdb.merge_attributes(job.id, Some("w"), &patch)
                .await
                .unwrap(),
            "the worker id alone is not the lease: only this claim's token is"
        );
        assert!(
            tdb.merge_attributes(job.id, Some(&lease), &patch)
                .await
                .unwrap()
        );
        let attributes = tdb.get(job.id).await.unwrap().unwrap().attributes;
        assert_eq!(
            serde_json::Value::Object(attributes),
            json!({ "stage": "PLANNING" }),
            "{}",
            tdb.label()
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn jobs_without_keys_read_back_exactly_as_enqueue_returned_them() {
    for tdb in databases().await {
        let new = NewJob::new("batch", json!({ "jql": "project = X" }))
            .with_attribute("prd_url", json!("https://example.test/prd"))
            .with_total_tickets(7)
            .with_max_attempts(2)
            .with_timeout(Duration::from_millis(1500))
            .with_run_at(Utc::now() + chrono::Duration::seconds(3));
        let returned = tdb.enqueue(new).await.unwrap();
        assert_eq!(
            Some(returned.clone()),
            tdb.get(returned.id).await.unwrap(),
            "{}",
            tdb.label()
        );
        tdb.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_multi_key_enqueues_never_deadlock() {
    for tdb in databases().await {
        let label = tdb.label();
        let other = tdb.connect_another().await.unwrap();
        let attempts = (0..20).map(|i| {
            let db = if i % 2 == 0 {
                tdb.db().clone()
            } else {
                other.clone()
            };
            let keys = if i % 2 == 0 {
                ["M-1", "M-2"]
            } else {
                ["M-2", "M-1"]
            };
            tokio::spawn(async move {
                db.enqueue(NewJob::new("task_generation", json!({})).with_lock_keys(keys))
                    .await
            })
        });
        let mut accepted = 0;
        for result in futures::future::join_all(attempts).await {
            match result.unwrap() {
                Ok(_) => accepted += 1,
                Err(EnqueueError::Duplicate { conflicts }) => assert!(!conflicts.is_empty()),
                Err(other) => panic!("{label}: {other}"),
            }
        }
        assert_eq!(accepted, 1, "{label}");
        other.close().await;
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn a_duplicate_keyed_enqueue_names_the_holder_and_leaves_no_job_behind() {
    for tdb in databases().await {
        let label = tdb.label();
        let holder = tdb.enqueue(single("D-1")).await.unwrap();
        // Issue keys and a free lock key before the taken one: everything must be rolled back.
        let rejected = NewJob::new("task_generation", json!({}))
            .with_lock_keys(["D-0", "D-1"])
            .with_ticket_key("D-9")
            .with_story_keys(["D-8", "D-7"]);
        let error = tdb.enqueue(rejected.clone()).await.unwrap_err();
        let EnqueueError::Duplicate { conflicts } = error else {
            panic!("{label}: {error}")
        };
        let summary: Vec<_> = conflicts
            .iter()
            .map(|c| (c.lock_key.as_str(), c.job_id, c.status))
            .collect();
        assert_eq!(
            summary,
            vec![("D-1", holder.id, JobStatus::Started)],
            "{label}"
        );
        assert!(tdb.get(rejected.id).await.unwrap().is_none(), "{label}");
        for key in ["D-0", "D-9", "D-8"] {
            assert!(
                tdb.find_for_key(key).await.unwrap().is_none(),
                "{label}: {key} names no job"
            );
        }
        assert_eq!(tdb.list(&JobFilter::default()).await.unwrap().total, 1);
        // A job with issue keys but no lock keys takes the same path and reads back as returned.
        let indexed = tdb
            .enqueue(NewJob::new("epic_stories", json!({})).with_story_keys(["D-8"]))
            .await
            .unwrap();
        assert_eq!(
            Some(&indexed),
            tdb.find_for_key("D-8").await.unwrap().as_ref(),
            "{label}"
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn a_failed_keyed_enqueue_returns_its_connection_outside_any_transaction() {
    for tdb in databases().await {
        let label = tdb.label();
        // One connection: whatever the failed enqueue left on it, the next calls get.
        let one = Database::connect_with(
            tdb.url(),
            &PoolSettings {
                max_connections: 1,
                acquire_timeout: Duration::from_secs(5),
                sqlite_busy_timeout: Duration::from_millis(300),
            },
        )
        .await
        .unwrap();
        let holder = one.enqueue(single("C-1")).await.unwrap();
        for _ in 0..3 {
            let error = one.enqueue(single("C-1")).await.unwrap_err();
            assert!(
                matches!(error, EnqueueError::Duplicate { .. }),
                "{label}: {error}"
            );
        }
        // Not inside a transaction: the database refuses a nested BEGIN (sqlx itself does not
        // know about a BEGIN it did not issue).
        let tx = one.pool().begin().await.expect("a fresh transaction");
        tx.rollback().await.unwrap();
        // Not holding the write lock: another pool (process) can write at once.
        let other = tdb.enqueue(single("C-2")).await.expect("other writers");
        // And the same connection enqueues, claims and completes.
        let next = one.enqueue(single("C-3")).await.unwrap();
        let claimed = one.claim("w", &["single"], LEASE, 3).await.unwrap();
        assert_eq!(claimed.len(), 3, "{label}");
        for job in &claimed {
            let lease = job.lease_owner.clone().unwrap();
            let done = one
                .complete(
                    job.id,
                    &lease,
                    &json!({}),
                    &JobProgress::message("done"),
                    &JobCounters::default(),
                )
                .await
                .unwrap();
            assert_eq!(done, FinishOutcome::Recorded, "{label}");
        }
        for id in [holder.id, other.id, next.id] {
            let job = tdb.get(id).await.unwrap().unwrap();
            assert_eq!(job.status, JobStatus::Completed, "{label}");
        }
        one.enqueue(single("C-1")).await.expect("C-1 freed");
        one.close().await;
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn keyed_completion_frees_the_locks_only_for_the_lease_holder() {
    for tdb in databases().await {
        let label = tdb.label();
        let kinds = ["single"];
        let none = JobCounters::default();
        let progress = JobProgress::message("done");
        let job = tdb.enqueue(single("L-1")).await.unwrap();
        let lease = token(&tdb.claim("w", &kinds, LEASE, 1).await.unwrap());
        let before = tdb.get(job.id).await.unwrap().unwrap();
        let wrong = tdb
            .complete(
                job.id,
                "w#not-this-run",
                &json!({ "x": 1 }),
                &progress,
                &none,
            )
            .await
            .unwrap();
        assert_eq!(wrong, FinishOutcome::LeaseLost, "{label}");
        assert_eq!(
            tdb.get(job.id).await.unwrap().unwrap(),
            before,
            "{label}: a wrong lease token changes nothing"
        );
        assert!(
            matches!(
                tdb.enqueue(single("L-1")).await,
                Err(EnqueueError::Duplicate { .. })
            ),
            "{label}: the lock is still held"
        );
        let done = tdb
            .complete(job.id, &lease, &json!({ "ok": true }), &progress, &none)
            .await
            .unwrap();
        assert_eq!(done, FinishOutcome::Recorded, "{label}");
        let completed = tdb.get(job.id).await.unwrap().unwrap();
        assert_eq!(completed.status, JobStatus::Completed, "{label}");
        assert_eq!(completed.results, Some(json!({ "ok": true })));
        assert!(completed.lease_owner.is_none() && completed.completed_at.is_some());
        tdb.enqueue(single("L-1"))
            .await
            .expect("the lock was freed with the completion");
        // Completing again (same token) finds nothing to do and frees nothing.
        let twice = tdb
            .complete(job.id, &lease, &json!({}), &progress, &none)
            .await
            .unwrap();
        assert_eq!(twice, FinishOutcome::LeaseLost, "{label}");
        tdb.cleanup().await;
    }
}

// PostgreSQL groups one process's concurrent enqueues into one statement
// (`crates/store/src/enqueue_batch.rs`); these tests run when `PLANWRIGHT_TEST_POSTGRES_URL` is set.

/// The transaction that last wrote a job's row: jobs inserted by one statement share it.
async fn inserted_by(tdb: &TestDatabase, id: domain::job::JobId) -> String {
    sqlx::query_scalar("SELECT xmin::text FROM jobs WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(tdb.pool())
        .await
        .unwrap()
}

/// Enqueues `members` while this process's enqueue group-commit task is held busy (its statement
/// waits for a lock key that another transaction inserted and has not committed), so they all
/// queue up behind it and go together in its next statement. Each member's result, in order.
async fn enqueue_as_one_group(
    tdb: &TestDatabase,
    members: Vec<NewJob>,
) -> Vec<Result<store::JobRecord, EnqueueError>> {
    let anchor = tdb.enqueue(NewJob::new("single", json!({}))).await.unwrap();
    let gate_key = format!("GATE-{}", anchor.id);
    let mut gate = tdb.pool().begin().await.unwrap();
    sqlx::query("INSERT INTO job_locks (lock_key, job_id) VALUES ($1, $2)")
        .bind(gate_key.as_str())
        .bind(anchor.id.to_string())
        .execute(&mut *gate)
        .await
        .unwrap();
    let mut blocked =
        Box::pin(tdb.enqueue(NewJob::new("single", json!({})).with_lock_keys([gate_key])));
    assert!(futures::poll!(blocked.as_mut()).is_pending());
    // The test runtime has one thread: the group-commit task runs while this waits.
    let mut waited = 0;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(tdb.pool())
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        waited += 1;
        assert!(
            waited < 1000,
            "the gated enqueue never waited for the gate's key"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Polled once each, without yielding: every member is queued before the task runs again.
    let mut members: Vec<_> = members
        .into_iter()
        .map(|job| Box::pin(tdb.enqueue(job)))
        .collect();
    for member in &mut members {
        assert!(futures::poll!(member.as_mut()).is_pending());
    }
    gate.rollback().await.unwrap();
    blocked
        .await
        .expect("the gate's key is free once rolled back");
    futures::future::join_all(members).await
}

#[tokio::test]
async fn postgres_enqueues_waiting_together_are_written_by_one_statement() {
    let Some(tdb) = TestDatabase::postgres().await.unwrap() else {
        return;
    };
    let members = vec![
        single("G-1"),
        single("G-2"),
        NewJob::new("task_generation", json!({ "story_keys": ["G-4", "G-3"] }))
            .with_lock_keys(["G-4", "G-3"])
            .with_story_keys(["G-4", "G-3"])
            .with_ticket_key("G-0"),
        NewJob::new("batch", json!({})).with_priority(3),
        NewJob::new("epic_stories", json!({})).with_story_keys(["G-9"]),
    ];
    let ids: Vec<_> = members.iter().map(|job| job.id).collect();
    let results = enqueue_as_one_group(&tdb, members).await;
    let mut statements = std::collections::BTreeSet::new();
    for (id, result) in ids.iter().zip(results) {
        let returned = result.expect("no conflicts");
        assert_eq!(returned.id, *id);
        assert_eq!(Some(&returned), tdb.get(*id).await.unwrap().as_ref());
        statements.insert(inserted_by(&tdb, *id).await);
    }
    assert_eq!(statements.len(), 1, "one statement wrote the whole group");
    let holders = tdb
        .lock_holders(&["G-1".into(), "G-2".into(), "G-3".into(), "G-4".into()])
        .await
        .unwrap();
    let holders: Vec<_> = holders
        .iter()
        .map(|c| (c.lock_key.as_str(), c.job_id))
        .collect();
    assert_eq!(
        holders,
        [
            ("G-1", ids[0]),
            ("G-2", ids[1]),
            ("G-3", ids[2]),
            ("G-4", ids[2])
        ]
    );
    for (key, id) in [("G-0", ids[2]), ("G-3", ids[2]), ("G-9", ids[4])] {
        assert_eq!(
            tdb.find_for_key(key).await.unwrap().map(|job| job.id),
            Some(id)
        );
    }
    tdb.cleanup().await;
}

#[tokio::test]
async fn postgres_a_group_with_taken_or_repeated_keys_falls_back_to_one_job_at_a_time() {
    let Some(tdb) = TestDatabase::postgres().await.unwrap() else {
        return;
    };
    let holder = tdb.enqueue(single("HELD")).await.unwrap();
    let members = vec![
        single("F-1"),
        single("DUP"),
        single("HELD"),
        single("DUP"),
        NewJob::new("task_generation", json!({})).with_lock_keys(["F-2", "HELD"]),
        single("F-3"),
    ];
    let ids: Vec<_> = members.iter().map(|job| job.id).collect();
    let results = enqueue_as_one_group(&tdb, members).await;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (id, result) in ids.iter().zip(results) {
        match result {
            Ok(job) => {
                assert_eq!(Some(&job), tdb.get(*id).await.unwrap().as_ref());
                accepted.push(job.id);
            }
            Err(EnqueueError::Duplicate { conflicts }) => {
                assert!(tdb.get(*id).await.unwrap().is_none(), "nothing written");
                rejected.push((*id, conflicts));
            }
            Err(other) => panic!("{other}"),
        }
    }
    // F-1, F-3 and one of the two DUP jobs; the other DUP names the winner, HELD its holder.
    assert_eq!(accepted.len(), 3, "{accepted:?}");
    assert!(accepted.contains(&ids[0]) && accepted.contains(&ids[5]));
    let dup_winner = if accepted.contains(&ids[1]) {
        ids[1]
    } else {
        ids[3]
    };
    assert!(accepted.contains(&dup_winner));
    let summary: Vec<_> = rejected
        .iter()
        .map(|(id, conflicts)| {
            let named: Vec<_> = conflicts
                .iter()
                .map(|c| (c.lock_key.as_str(), c.job_id))
                .collect();
            (*id, named)
        })
        .collect();
    let dup_loser = if dup_winner == ids[1] { ids[3] } else { ids[1] };
    let mut expected = vec![
        (ids[2], vec![("HELD", holder.id)]),
        (ids[4], vec![("HELD", holder.id)]),
        (dup_loser, vec![("DUP", dup_winner)]),
    ];
    expected.sort_by_key(|(id, _)| ids.iter().position(|member| member == id));
    assert_eq!(summary, expected);
    // The rejected multi-key job's free key was not taken.
    assert!(tdb.lock_holders(&["F-2".into()]).await.unwrap().is_empty());
    // The group's statement failed as a whole; each accepted job was written by its own.
    let mut statements = std::collections::BTreeSet::new();
    for id in &accepted {
        statements.insert(inserted_by(&tdb, *id).await);
    }
    assert_eq!(statements.len(), 3, "written one by one");
    tdb.cleanup().await;
}

/// Enqueues one `single` job per key, all at once, from `pools` in turn (standing in for
/// processes); each job's id with its result.
async fn enqueue_concurrently(
    pools: &[Database],
    keys: &[String],
) -> Vec<(domain::job::JobId, Result<store::JobRecord, EnqueueError>)> {
    let attempts = keys.iter().enumerate().map(|(i, key)| {
        let db = pools[i % pools.len()].clone();
        let job = single(key);
        tokio::spawn(async move { (job.id, db.enqueue(job).await) })
    });
    futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_enqueues_are_grouped_and_each_written_whole() {
    let Some(tdb) = TestDatabase::postgres().await.unwrap() else {
        return;
    };
    let pools = [tdb.db().clone(), tdb.connect_another().await.unwrap()];
    // No conflicts: 40 distinct keys from two processes, every job accepted.
    let keys: Vec<String> = (0..40).map(|i| format!("C-{i}")).collect();
    let mut statements = std::collections::BTreeSet::new();
    for (id, result) in enqueue_concurrently(&pools, &keys).await {
        let job = result.expect("no conflicts");
        assert_eq!(Some(&job), tdb.get(id).await.unwrap().as_ref());
        let holder = tdb.lock_holders(&job.lock_keys).await.unwrap();
        assert_eq!(holder[0].job_id, id);
        let named = tdb.find_for_key(&job.lock_keys[0]).await.unwrap();
        assert_eq!(named.map(|j| j.id), Some(id));
        statements.insert(inserted_by(&tdb, id).await);
    }
    assert!(
        statements.len() < keys.len(),
        "concurrent enqueues share statements ({} statements for {} jobs)",
        statements.len(),
        keys.len()
    );
    // Conflicts: 10 fresh keys twice each (within a group or across the two processes), 10
    // keys held by the jobs above, 10 fresh keys once.
    let keys: Vec<String> = (0..10)
        .flat_map(|i| [format!("T-{i}"), format!("T-{i}")])
        .chain((0..10).map(|i| format!("C-{i}")))
        .chain((0..10).map(|i| format!("N-{i}")))
        .collect();
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (id, result) in enqueue_concurrently(&pools, &keys).await {
        match result {
            Ok(job) => {
                assert_eq!(Some(&job), tdb.get(id).await.unwrap().as_ref());
                accepted.push(job.lock_keys[0].clone());
            }
            Err(EnqueueError::Duplicate { conflicts }) => {
                assert_eq!(conflicts.len(), 1);
                let holder = tdb.find_for_key(&conflicts[0].lock_key).await.unwrap();
                assert_eq!(holder.map(|j| j.id), Some(conflicts[0].job_id));
                assert!(tdb.get(id).await.unwrap().is_none(), "nothing written");
                rejected.push(conflicts[0].lock_key.clone());
            }
            Err(other) => panic!("{other}"),
        }
    }
    accepted.sort();
    rejected.sort();
    let expected_accepted: Vec<String> = (0..10)
        .map(|i| format!("N-{i}"))
        .chain((0..10).map(|i| format!("T-{i}")))
        .collect();
    let mut expected_rejected: Vec<String> = (0..10)
        .map(|i| format!("C-{i}"))
        .chain((0..10).map(|i| format!("T-{i}")))
        .collect();
    expected_rejected.sort();
    assert_eq!(accepted, expected_accepted);
    assert_eq!(rejected, expected_rejected);
    let page = tdb.list(&JobFilter::default()).await.unwrap();
    assert_eq!(page.total, 60, "no half-written rejected job");
    pools[1].close().await;
    tdb.cleanup().await;
}
