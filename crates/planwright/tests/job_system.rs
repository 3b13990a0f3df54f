//! The durable job system seen from outside: real `serve` and `worker` processes sharing one
//! database (SQLite file or PostgreSQL), racing, crashing, timing out and shutting down.

mod support;

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::json;
use support::*;

/// Short leases so a killed worker's job is taken over in seconds, not the default 30.
const FAST_LEASE: (&str, &str) = ("WORKER_LEASE_SECS", "2");

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_submissions_to_two_servers_are_accepted_exactly_once() {
    for db in databases().await {
        let a = Server::start(db.url(), &["--no-worker"], &[]);
        let b = Server::start(db.url(), &["--no-worker"], &[]);
        let submissions = (0..40).map(|i| {
            let server = if i % 2 == 0 { &a } else { &b };
            async move {
                let response = server
                    .submit_probe(json!({"lock_keys": ["DEMO-7"], "steps": 1}))
                    .await;
                let status = response.status().as_u16();
                let active = response
                    .headers()
                    .get("x-active-job-id")
                    .map(|v| v.to_str().unwrap().to_owned());
                let status_url = response
                    .headers()
                    .get("x-active-job-status-url")
                    .map(|v| v.to_str().unwrap().to_owned());
                let body: serde_json::Value = response.json().await.unwrap();
                (status, active, status_url, body)
            }
        });
        let results = join_all(submissions).await;
        let accepted: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
        assert_eq!(accepted.len(), 1, "{}: {results:?}", db.label());
        let job_id = accepted[0].3["job_id"].as_str().unwrap().to_owned();
        for (status, active, status_url, body) in &results {
            if *status == 200 {
                continue;
            }
            assert_eq!(*status, 409, "{}: {body}", db.label());
            assert_eq!(active.as_deref(), Some(job_id.as_str()));
            assert_eq!(
                status_url.as_deref(),
                Some(format!("/jobs/{job_id}").as_str())
            );
            assert!(body["detail"].as_str().unwrap().contains(&job_id), "{body}");
        }
        // Both servers see the one job, queued.
        assert_eq!(status(&b.job(&job_id).await), "started");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_is_cancelled_from_a_server_while_another_process_runs_it() {
    for db in databases().await {
        let server = Server::start(db.url(), &["--no-worker"], &[]);
        let _worker = Worker::start(db.url(), &[]);
        let job_id = server
            .start_probe(json!({"lock_keys": ["DEMO-11"], "steps": 600, "step_ms": 50}))
            .await;
        server
            .wait_for_job(&job_id, "started processing", |j| {
                status(j) == "processing" && processed(j) >= 1
            })
            .await;

        let asked = Instant::now();
        let response = server
            .http
            .delete(server.at(&format!("/jobs/{job_id}")))
            .send()
            .await
            .unwrap();
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "DELETE must answer at once"
        );
        assert_eq!(response.status(), 200, "{}", db.label());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "cancelled");

        // The worker stops at its next checkpoint and frees the ticket for a new job.
        let deadline = Instant::now() + DEADLINE;
        let second = loop {
            let response = server
                .submit_probe(json!({"lock_keys": ["DEMO-11"], "steps": 1}))
                .await;
            if response.status() == 200 {
                break response.json::<serde_json::Value>().await.unwrap();
            }
            assert_eq!(response.status(), 409);
            assert!(
                Instant::now() < deadline,
                "the cancelled job never released DEMO-11"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        let cancelled = server.job(&job_id).await;
        assert_eq!(status(&cancelled), "cancelled", "{cancelled}");
        assert!(
            processed(&cancelled) < 600,
            "the job ran to the end: {cancelled}"
        );
        let second_id = second["job_id"].as_str().unwrap();
        server
            .wait_for_job(second_id, "completed", |j| status(j) == "completed")
            .await;

        // Cancelling a finished job is a 400; an unknown one a 404.
        let response = server
            .http
            .delete(server.at(&format!("/jobs/{job_id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let response = server
            .http
            .delete(server.at("/jobs/0190f3a0-0000-7000-8000-000000000000"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_whose_worker_is_killed_completes_exactly_once_on_another_worker() {
    for db in databases().await {
        let server = Server::start(db.url(), &["--no-worker"], &[FAST_LEASE]);
        let mut first = Worker::start(db.url(), &[FAST_LEASE]);
        let probe = server.start_marked_probe("DEMO-21", 30, 100).await;
        let job_id = probe.job_id.clone();
        server
            .wait_for_job(&job_id, "made progress", |j| processed(j) >= 2)
            .await;

        first.process.kill();
        assert!(probe.completions().is_empty(), "killed before completing");
        let _second = Worker::start(db.url(), &[FAST_LEASE]);

        let done = server
            .wait_for_job(&job_id, "completed after the crash", |j| {
                status(j) == "completed"
            })
            .await;
        assert_eq!(probe.completions(), vec![job_id.clone()], "{}", db.label());
        assert_eq!(
            done["processed_tickets"].as_u64(),
            done["total_tickets"].as_u64()
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_running_past_the_timeout_fails_with_a_clear_error() {
    for db in databases().await {
        let server = Server::start(db.url(), &[], &[("WORKER_JOB_TIMEOUT", "1")]);
        let job_id = server
            .start_probe(json!({"lock_keys": ["DEMO-31"], "steps": 100, "step_ms": 100}))
            .await;
        let failed = server
            .wait_for_job(&job_id, "failed", |j| status(j) == "failed")
            .await;
        let error = failed["error"].as_str().unwrap_or_default().to_lowercase();
        assert!(
            error.contains("timed out") || error.contains("timeout"),
            "{failed}"
        );
        assert!(failed["completed_at"].is_string(), "{failed}");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn finished_jobs_are_purged_after_the_retention_period() {
    for db in databases().await {
        let server = Server::start(db.url(), &[], &[("WORKER_KEEP_RESULT", "1")]);
        let job_id = server
            .start_probe(json!({"lock_keys": ["DEMO-41"], "steps": 1}))
            .await;
        server
            .wait_for_job(&job_id, "completed", |j| status(j) == "completed")
            .await;
        let deadline = Instant::now() + DEADLINE;
        loop {
            let (code, _) = server.get_json(&format!("/jobs/{job_id}")).await;
            if code == 404 {
                break;
            }
            assert!(Instant::now() < deadline, "job {job_id} was never purged");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_running_job_finish_within_the_grace_period() {
    for db in databases().await {
        let server = Server::start(db.url(), &["--no-worker"], &[]);
        let mut worker = Worker::start(db.url(), &[("WORKER_SHUTDOWN_GRACE", "30")]);
        let probe = server.start_marked_probe("DEMO-51", 10, 100).await;
        let job_id = probe.job_id.clone();
        server
            .wait_for_job(&job_id, "started processing", |j| status(j) == "processing")
            .await;
        let exit = worker.process.terminate();
        assert!(exit.success(), "{}", worker.process.stderr());
        let job = server.job(&job_id).await;
        assert_eq!(status(&job), "completed", "{}: {job}", db.label());
        assert_eq!(probe.completions(), vec![job_id]);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_hands_a_job_outlasting_the_grace_period_to_another_worker() {
    for db in databases().await {
        let server = Server::start(db.url(), &["--no-worker"], &[]);
        let mut first = Worker::start(db.url(), &[("WORKER_SHUTDOWN_GRACE", "1")]);
        let probe = server.start_marked_probe("DEMO-61", 40, 100).await;
        let job_id = probe.job_id.clone();
        server
            .wait_for_job(&job_id, "started processing", |j| status(j) == "processing")
            .await;
        let stopping = Instant::now();
        assert!(first.process.terminate().success());
        assert!(stopping.elapsed() < Duration::from_secs(20));
        let released = server.job(&job_id).await;
        assert_eq!(
            status(&released),
            "started",
            "handed back to the queue: {released}"
        );

        let _second = Worker::start(db.url(), &[]);
        server
            .wait_for_job(&job_id, "completed on the second worker", |j| {
                status(j) == "completed"
            })
            .await;
        assert_eq!(probe.completions(), vec![job_id]);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_a_missing_worker_as_degraded() {
    for db in databases().await {
        let server = Server::start(db.url(), &["--no-worker"], &[]);
        let (code, body) = server.get_json("/health").await;
        assert_eq!(code, 200);
        assert_eq!(body["status"], "degraded", "{body}");

        let _worker = Worker::start(db.url(), &[]);
        let (code, body) = server.get_json("/health").await;
        assert_eq!(code, 200);
        assert_eq!(body["status"], "healthy", "{body}");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serving_beyond_loopback_without_auth_warns_loudly() {
    let db = TestDatabase::sqlite().await.unwrap();
    let server = Server::start(db.url(), &["--host", "0.0.0.0", "--no-worker"], &[]);
    let stderr = server.process.stderr();
    assert!(
        stderr.contains("WARNING") && stderr.contains("authentication DISABLED"),
        "{stderr}"
    );
    let loopback = Server::start(db.url(), &["--no-worker"], &[]);
    assert!(
        !loopback
            .process
            .stderr()
            .contains("authentication DISABLED")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_protects_the_api_but_not_the_public_routes() {
    let db = TestDatabase::sqlite().await.unwrap();
    let hash = {
        use argon2::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(b"s3cret")
            .unwrap()
            .to_string()
    };
    let server = Server::start(
        db.url(),
        &["--no-worker"],
        &[("AUTH_ENABLED", "true"), ("AUTH_PASSWORD_HASH", &hash)],
    );
    let response = server.http.get(server.at("/jobs")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    for public in ["/", "/health", "/openapi.json"] {
        let response = server.http.get(server.at(public)).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{public}: {}",
            response.status()
        );
    }
    let response = server
        .http
        .get(server.at("/jobs"))
        .basic_auth("admin", Some("s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = server
        .http
        .get(server.at("/jobs"))
        .basic_auth("admin", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
