//! The write ledger's three cases against a real Jira peer (the sandbox) and every database: a
//! `done` write is never sent again, a `pending` write (a crash after sending) is found in Jira by
//! its marker label instead of being sent again, and a rejected write is forgotten so a later
//! attempt sends it afresh (docs/exactly-once.md); and a run whose lease passed to another run
//! cannot start a write at all.
#![cfg(feature = "testing")]

use app::testing::TestApp;
use atlassian::models::NewIssue;
use features::writes::{Executor, Write, WriteScope, WriteStep, marker_label};
use job_types::intent_id;

fn step(summary: &str) -> WriteStep {
    WriteStep::new(
        "create:one",
        Write::CreateIssue(NewIssue::new("DEMO", "Task", summary)),
    )
}

fn creates(app: &TestApp) -> usize {
    app.sandbox()
        .write_log()
        .successful()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/rest/api/3/issue"))
        .count()
}

#[tokio::test]
async fn done_writes_are_reused_pending_ones_are_found_and_rejected_ones_are_retried() {
    for app in TestApp::all().await {
        let env = &app.app.env;
        // Done: the second run reuses the first run's key.
        let mut first = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-done"));
        let written = first.run(&step("Ledger: done")).await;
        assert_eq!(written.status, "written", "{written:?}");
        let mut again = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-done"));
        let reused = again.run(&step("Ledger: done")).await;
        assert_eq!(reused.status, "already_written");
        assert_eq!(reused.result, written.result);
        assert_eq!(creates(&app), 1, "{}", app.label());

        // Pending: the issue reached Jira (with its marker) but the result was never recorded.
        let intent = intent_id("job-pending", "create:one");
        env.db
            .begin_intent(
                &intent,
                "job-pending",
                None,
                "create_issue",
                "Ledger: pending",
            )
            .await
            .expect("recorded");
        let key = app
            .sandbox()
            .state()
            .create_issue(
                sandbox::NewIssue::new("DEMO", "Task", "Ledger: pending")
                    .labels([marker_label(&intent)]),
            )
            .expect("created behind the ledger's back");
        let mut recovered = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-pending"));
        let found = recovered.run(&step("Ledger: pending")).await;
        assert_eq!(found.status, "already_written", "{found:?}");
        assert_eq!(
            found.result.as_ref().and_then(|r| r["key"].as_str()),
            Some(key.as_str())
        );
        assert_eq!(
            creates(&app),
            1,
            "{}: the pending write was sent again",
            app.label()
        );

        // Rejected: an unknown issue type is refused by Jira, so nothing happened; the next
        // attempt (with the type fixed) sends it.
        let bad = WriteStep::new(
            "create:one",
            Write::CreateIssue(NewIssue::new("DEMO", "No such type", "Ledger: rejected")),
        );
        let mut attempt = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-rejected"));
        let refused = attempt.run(&bad).await;
        assert_eq!(refused.status, "failed", "{refused:?}");
        let mut retry = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-rejected"));
        let sent = retry.run(&step("Ledger: rejected")).await;
        assert_eq!(sent.status, "written", "{sent:?}");
        assert_eq!(creates(&app), 2, "{}", app.label());
        app.stop().await;
    }
}

#[tokio::test]
async fn a_run_whose_lease_lapsed_cannot_start_a_write() {
    for app in TestApp::all().await {
        let env = &app.app.env;
        let label = app.label();
        let job = env
            .db
            .enqueue(store::NewJob::new("fence-probe", serde_json::json!({})))
            .await
            .expect("enqueued");
        let claimed = env
            .db
            .claim(
                "worker",
                &["fence-probe"],
                std::time::Duration::from_secs(60),
                1,
            )
            .await
            .expect("claimed");
        let token = claimed[0].lease_owner.clone().expect("a lease token");
        let scope = job.id.to_string();
        // A stale run of the same job (an earlier claim by the same worker) is refused before
        // anything reaches Jira.
        let stale = store::LeaseFence {
            job_id: job.id,
            token: "worker#an-earlier-claim".to_owned(),
        };
        let mut refused = Executor::new(&env.jira, &env.db, WriteScope::fenced(&scope, stale));
        let outcome = refused.run(&step("Fence: stale")).await;
        assert_eq!(outcome.status, "failed", "{label}: {outcome:?}");
        assert!(
            outcome
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("no longer leased"),
            "{label}: {outcome:?}"
        );
        assert_eq!(creates(&app), 0, "{label}: the stale run wrote to Jira");
        // The run holding the lease writes.
        let live = store::LeaseFence {
            job_id: job.id,
            token,
        };
        let mut holder = Executor::new(&env.jira, &env.db, WriteScope::fenced(&scope, live));
        let written = holder.run(&step("Fence: live")).await;
        assert_eq!(written.status, "written", "{label}: {written:?}");
        assert_eq!(creates(&app), 1, "{label}");
        app.stop().await;
    }
}
