//! Job routes against seeded jobs: listing with filters, sorting and paging; status by id and by
//! ticket; cancellation; and the shared 409 and job-accepted helpers.

use std::time::Duration;

use api::ApiSettings;
use domain::job::{JobCounters, JobProgress};
use serde_json::{Value, json};
use store::{Database, JobRecord, NewJob};

use crate::support::{TestApp, databases, enqueue_single, json};

const LEASE: Duration = Duration::from_secs(60);

/// Claims `job` (by kind) as worker `worker-1` and completes it with `results`.
async fn complete(db: &Database, job: &JobRecord, results: Value, successful: u64) {
    let claimed = db
        .claim("worker-1", &[job.kind.as_str()], LEASE, 1)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, job.id, "claim order follows enqueue order");
    let counters = JobCounters {
        total_tickets: Some(1),
        processed_tickets: 1,
        successful_tickets: successful,
        failed_tickets: 1 - successful,
    };
    let lease = claimed[0].lease_owner.as_deref().expect("lease token");
    db.complete(
        job.id,
        lease,
        &results,
        &JobProgress::message("Completed successfully"),
        &counters,
    )
    .await
    .expect("complete");
}

#[tokio::test]
async fn list_filters_sorts_and_pages() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let db = app.db();
        let first = enqueue_single(db, "PROJ-1").await;
        complete(
            db,
            &first,
            json!({ "ticket_key": "PROJ-1", "success": true }),
            1,
        )
        .await;
        let second = enqueue_single(db, "PROJ-2").await;
        let stories = db
            .enqueue(
                NewJob::new("task_generation", json!({}))
                    .with_story_keys(["STORY-1", "STORY-2"])
                    .with_lock_keys(["STORY-1", "STORY-2"])
                    .with_attribute("additional_context", json!("extra"))
                    .with_message("queued"),
            )
            .await
            .unwrap();

        let all = json(app.get("/jobs").await, 200).await;
        assert_eq!(all["total"], 3);
        assert_eq!(all["offset"], 0);
        assert_eq!(all["limit"], 50);
        assert_eq!(all["sorted_by"], "started_at");
        assert_eq!(all["sort_order"], "desc");
        assert_eq!(all["filtered_by_status"], Value::Null);
        let ids: Vec<&str> = all["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["job_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                stories.id.to_string(),
                second.id.to_string(),
                first.id.to_string()
            ]
        );

        let completed = json(app.get("/jobs?status=completed").await, 200).await;
        assert_eq!(completed["total"], 1);
        assert_eq!(completed["filtered_by_status"], "completed");
        assert_eq!(completed["jobs"][0]["job_id"], first.id.to_string());

        let by_type = json(
            app.get("/jobs?job_type=task_generation&status=started")
                .await,
            200,
        )
        .await;
        assert_eq!(by_type["total"], 1);
        assert_eq!(by_type["filtered_by_job_type"], "task_generation");
        assert_eq!(
            by_type["jobs"][0]["story_keys"],
            json!(["STORY-1", "STORY-2"])
        );
        assert_eq!(by_type["jobs"][0]["additional_context"], "extra");

        let by_story = json(app.get("/jobs?story_key=story-2").await, 200).await;
        assert_eq!(by_story["total"], 1);
        assert_eq!(by_story["filtered_by_story_key"], "STORY-2");

        let by_ticket = json(app.get("/jobs?ticket_key=PROJ-2").await, 200).await;
        assert_eq!(by_ticket["jobs"][0]["job_id"], second.id.to_string());
        assert_eq!(by_ticket["filtered_by_ticket_key"], "PROJ-2");

        let by_id = json(app.get(&format!("/jobs?job_id={}", first.id)).await, 200).await;
        assert_eq!(by_id["total"], 1);
        assert_eq!(by_id["filtered_by_job_id"], first.id.to_string());

        let page = json(
            app.get("/jobs?sort_by=started_at&sort_order=asc&offset=1&limit=1")
                .await,
            200,
        )
        .await;
        assert_eq!(page["total"], 3);
        assert_eq!(page["limit"], 1);
        assert_eq!(page["offset"], 1);
        assert_eq!(page["sort_order"], "asc");
        assert_eq!(page["jobs"].as_array().unwrap().len(), 1);
        assert_eq!(page["jobs"][0]["job_id"], second.id.to_string());

        let by_success = json(
            app.get("/jobs?sort_by=successful_tickets&sort_order=desc&limit=1")
                .await,
            200,
        )
        .await;
        assert_eq!(by_success["jobs"][0]["job_id"], first.id.to_string());
        app.finish().await;
    }
}

#[tokio::test]
async fn job_status_has_the_reference_shape() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let job = enqueue_single(app.db(), "PROJ-7").await;
        let queued = json(app.get(&format!("/jobs/{}", job.id)).await, 200).await;
        assert_eq!(queued["status"], "started");
        assert_eq!(queued["job_type"], "single");
        assert_eq!(queued["ticket_key"], "PROJ-7");
        assert_eq!(
            queued["progress"]["message"],
            "Ticket PROJ-7 queued for processing"
        );
        assert_eq!(queued["completed_at"], Value::Null);
        assert_eq!(queued["processed_tickets"], 0);
        for field in [
            "results",
            "error",
            "ticket_keys",
            "story_key",
            "story_keys",
            "total_tickets",
            "prd_url",
            "repos",
            "stage",
        ] {
            assert!(
                queued.get(field).is_some_and(Value::is_null),
                "{field} should be null: {queued}"
            );
        }
        let started_at = queued["started_at"].as_str().unwrap();
        assert!(
            started_at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(started_at).is_ok(),
            "{started_at}"
        );

        complete(
            app.db(),
            &job,
            json!({ "ticket_key": "PROJ-7", "success": true }),
            1,
        )
        .await;
        let done = json(app.get(&format!("/jobs/{}", job.id)).await, 200).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["results"]["success"], true);
        assert_eq!(done["successful_tickets"], 1);
        assert_eq!(done["total_tickets"], 1);
        assert!(done["completed_at"].as_str().unwrap().ends_with('Z'));

        let missing = app.get("/jobs/0190d6a2-1111-7000-8000-000000000000").await;
        assert_eq!(
            json(missing, 404).await,
            json!({ "detail": "Job not found" })
        );
        let malformed = app.get("/jobs/not-a-uuid").await;
        assert_eq!(
            json(malformed, 404).await,
            json!({ "detail": "Job not found" })
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn job_by_ticket_prefers_the_active_job_then_the_latest() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let db = app.db();
        let old = enqueue_single(db, "PROJ-9").await;
        complete(db, &old, json!({ "success": true }), 1).await;

        let latest = json(app.get("/jobs/ticket/PROJ-9").await, 200).await;
        assert_eq!(latest["job_id"], old.id.to_string());
        assert_eq!(latest["status"], "completed");

        let active = enqueue_single(db, "PROJ-9").await;
        let current = json(app.get("/jobs/ticket/proj-9").await, 200).await;
        assert_eq!(current["job_id"], active.id.to_string());
        assert_eq!(current["status"], "started");

        let by_url = app
            .get("/jobs/ticket/https%3A%2F%2Facme.atlassian.net%2Fbrowse%2FPROJ-9")
            .await;
        assert_eq!(json(by_url, 200).await["job_id"], active.id.to_string());

        let none = app.get("/jobs/ticket/OTHER-1").await;
        assert_eq!(
            json(none, 404).await,
            json!({ "detail": "No job found for ticket key: OTHER-1" })
        );
        let invalid = json(app.get("/jobs/ticket/not-a-key!").await, 400).await;
        assert!(
            invalid["detail"].as_str().unwrap().contains("PROJ-123"),
            "{invalid}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn cancel_queued_running_finished_and_unknown_jobs() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let db = app.db();
        let delete = |path: String| app.client.delete(app.url(&path)).send();

        let queued = enqueue_single(db, "PROJ-20").await;
        let cancelled = json(delete(format!("/jobs/{}", queued.id)).await.unwrap(), 200).await;
        assert_eq!(
            cancelled,
            json!({ "message": format!("Job {} cancelled successfully", queued.id), "status": "cancelled" })
        );
        let status = json(app.get(&format!("/jobs/{}", queued.id)).await, 200).await;
        assert_eq!(status["status"], "cancelled");
        // The ticket's lock is free again.
        enqueue_single(db, "PROJ-20").await;

        let running = enqueue_single(db, "PROJ-21").await;
        let claimed = db.claim("worker-1", &["single"], LEASE, 10).await.unwrap();
        assert!(claimed.iter().any(|job| job.id == running.id));
        let answer = json(delete(format!("/jobs/{}", running.id)).await.unwrap(), 200).await;
        assert_eq!(answer["status"], "cancelled");

        let again = json(delete(format!("/jobs/{}", running.id)).await.unwrap(), 400).await;
        assert_eq!(
            again,
            json!({ "detail": "Cannot cancel job with status: cancelled" })
        );

        let finished = enqueue_single(db, "PROJ-22").await;
        complete(db, &finished, json!({}), 1).await;
        let refused = json(delete(format!("/jobs/{}", finished.id)).await.unwrap(), 400).await;
        assert_eq!(
            refused,
            json!({ "detail": "Cannot cancel job with status: completed" })
        );

        let unknown = delete("/jobs/0190d6a2-1111-7000-8000-000000000000".into())
            .await
            .unwrap();
        assert_eq!(
            json(unknown, 404).await,
            json!({ "detail": "Job not found" })
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn duplicates_answer_409_with_the_active_job_headers() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let post = |body: Value| app.client.post(app.url("/test/enqueue")).json(&body).send();

        let accepted = json(post(json!({ "ticket_key": "PROJ-30" })).await.unwrap(), 200).await;
        let job_id = accepted["job_id"].as_str().unwrap().to_owned();
        assert_eq!(accepted["status"], "started");
        assert_eq!(accepted["status_url"], format!("/jobs/{job_id}"));
        assert_eq!(accepted["jql"], "");
        assert_eq!(accepted["max_results"], 1);
        assert_eq!(accepted["update_jira"], false);
        assert!(
            accepted["safety_note"]
                .as_str()
                .unwrap()
                .contains("update_jira")
        );

        let duplicate = post(json!({ "ticket_key": "PROJ-30" })).await.unwrap();
        assert_eq!(duplicate.headers()["x-active-job-id"], job_id.as_str());
        assert_eq!(
            duplicate.headers()["x-active-job-status-url"],
            format!("/jobs/{job_id}").as_str()
        );
        assert!(!duplicate.headers().contains_key("x-duplicate-stories"));
        assert_eq!(
            json(duplicate, 409).await,
            json!({ "detail": format!("Ticket PROJ-30 is already being processed in job {job_id}") })
        );

        let stories = json(
            post(json!({ "story_keys": ["S-1", "S-2"] })).await.unwrap(),
            200,
        )
        .await;
        let stories_job = stories["job_id"].as_str().unwrap().to_owned();
        let overlapping = post(json!({ "story_keys": ["S-3", "S-2", "S-1"] }))
            .await
            .unwrap();
        assert_eq!(overlapping.headers()["x-duplicate-stories"], "S-2,S-1");
        assert_eq!(
            overlapping.headers()["x-active-job-id"],
            stories_job.as_str()
        );
        let body = json(overlapping, 409).await;
        assert!(body["detail"].as_str().unwrap().contains("S-2"), "{body}");
        app.finish().await;
    }
}
