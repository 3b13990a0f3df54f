//! The write ledger's three cases against a real Jira peer (the sandbox) and every database: a
//! `done` write is never sent again, a `pending` write (a crash after sending) is found in Jira by
//! its marker label instead of being sent again, and a rejected write is forgotten so a later
//! attempt sends it afresh (docs/exactly-once.md).
#![cfg(feature = "testing")]

use app::testing::TestApp;
use atlassian::models::NewIssue;
use features::writes::{Executor, Write, WriteStep, marker_label};
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
        let mut first = Executor::new(&env.jira, &env.db, "job-done");
        let written = first.run(&step("Ledger: done")).await;
        assert_eq!(written.status, "written", "{written:?}");
        let mut again = Executor::new(&env.jira, &env.db, "job-done");
        let reused = again.run(&step("Ledger: done")).await;
        assert_eq!(reused.status, "already_written");
        assert_eq!(reused.result, written.result);
        assert_eq!(creates(&app), 1, "{}", app.label());

        // Pending: the issue reached Jira (with its marker) but the result was never recorded.
        let intent = intent_id("job-pending", "create:one");
        env.db
            .begin_intent(&intent, "job-pending", "create_issue", "Ledger: pending")
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
        let mut recovered = Executor::new(&env.jira, &env.db, "job-pending");
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
        let mut attempt = Executor::new(&env.jira, &env.db, "job-rejected");
        let refused = attempt.run(&bad).await;
        assert_eq!(refused.status, "failed", "{refused:?}");
        let mut retry = Executor::new(&env.jira, &env.db, "job-rejected");
        let sent = retry.run(&step("Ledger: rejected")).await;
        assert_eq!(sent.status, "written", "{sent:?}");
        assert_eq!(creates(&app), 2, "{}", app.label());
        app.stop().await;
    }
}
