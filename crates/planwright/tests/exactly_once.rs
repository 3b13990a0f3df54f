//! Writes happen once across crashes: a worker process SIGKILLed in the middle of a job that
//! creates Jira issues, and another worker taking the job over, leave every issue created exactly
//! once (docs/exactly-once.md). The sandbox runs in this process, so the test watches every write
//! it receives; `serve` and the workers are real processes sharing one database.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

const TASKS: usize = 24;

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_batch_leaves_every_issue_created_exactly_once() {
    for db in databases().await {
        let sandbox = sandbox::Sandbox::builder()
            .seed(sandbox::Seed::Demo)
            .start()
            .await
            .expect("the sandbox starts");
        // Slow Jira down so the kill lands in the middle of the batch.
        sandbox.faults().set_latency(Duration::from_millis(60));
        let account = sandbox.credentials().default_account();
        let base = sandbox.base_url();
        let env = [
            ("JIRA_SERVER_URL", base.as_str()),
            ("JIRA_USERNAME", account.email.as_str()),
            ("JIRA_API_TOKEN", sandbox::DEFAULT_API_TOKEN),
            ("JIRA_REQUESTS_PER_SECOND", "1000"),
            ("WORKER_LEASE_SECS", "2"),
        ];
        let server = Server::start(db.url(), &["--no-worker"], &env);
        let mut first = Worker::start(db.url(), &env);

        let tasks: Vec<Value> = (1..=TASKS)
            .map(|n| {
                json!({
                    "task_id": format!("task_{n}"),
                    "summary": format!("[BE] Crash-safe task {n}"),
                    "description": format!("Part {n} of the crash test."),
                    "story_key": "DEMO-5",
                    "blocks": if n > 1 { vec![format!("task_{}", n - 1)] } else { Vec::new() },
                })
            })
            .collect();
        let response = server
            .http
            .post(server.at("/jira/bulk-create-tasks"))
            .json(&json!({"tasks": tasks, "create_tickets": true, "async_mode": true}))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(response.status(), 200, "{}", db.label());
        let accepted: Value = response.json().await.expect("JSON");
        let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();

        // Kill the worker once some, but not all, issues exist.
        let deadline = Instant::now() + DEADLINE;
        while created_summaries(&sandbox).len() < TASKS / 3 {
            assert!(
                Instant::now() < deadline,
                "the first worker never created issues"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        first.process.kill();
        let before_takeover = created_summaries(&sandbox).len();
        assert!(
            before_takeover < TASKS,
            "the kill came too late to test anything"
        );

        let _second = Worker::start(db.url(), &env);
        let job = server
            .wait_for_job(&job_id, "completed after the takeover", |j| {
                matches!(status(j), "completed" | "failed")
            })
            .await;
        assert_eq!(status(&job), "completed", "{}: {job}", db.label());

        let created = created_summaries(&sandbox);
        assert_eq!(created.len(), TASKS, "{}: {created:?}", db.label());
        let doubled: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            doubled.is_empty(),
            "{}: created twice: {doubled:?}",
            db.label()
        );
        // The Jira side agrees: one issue per summary.
        let issues_per_summary = |summary: &str| {
            let store = sandbox.state().read();
            store
                .issues()
                .filter(|issue| issue.summary == summary)
                .count()
        };
        for n in 1..=TASKS {
            let summary = format!("[BE] Crash-safe task {n}");
            assert_eq!(issues_per_summary(&summary), 1, "{}: {summary}", db.label());
        }
        sandbox.shutdown().await.ok();
        db.cleanup().await;
    }
}
