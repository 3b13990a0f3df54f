//! Epic planning routes end to end (docs/reference-behaviour.md §1.4, §1.5) on every test database, against the
//! sandbox's demo data: gap analysis, validation, story generation, full epic planning and
//! story creation. Previews write nothing; creating writes each story once, even when the job
//! runs twice.

#![cfg(feature = "testing")]

use std::collections::BTreeMap;

use app::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A goal no demo story covers, added to the checkout PRD by [`add_prd_goal`].
const NEW_GOAL: &str = "Order confirmation e-mail with a PDF receipt";

/// Adds `goal` to the "Goals" list of the checkout epic's PRD page.
fn add_prd_goal(app: &TestApp, goal: &str) {
    let state = app.sandbox().state();
    let mut store = state.write();
    let (id, version, title, storage, author) = {
        let page = store
            .pages()
            .find(|page| page.current().title == "Checkout revamp PRD")
            .expect("the demo PRD page");
        let current = page.current();
        (
            page.id.clone(),
            current.number,
            current.title.clone(),
            current.storage.clone(),
            page.author_id.clone(),
        )
    };
    let marker = "<li><p>Inline, specific payment errors.</p></li>";
    assert!(storage.contains(marker), "the demo PRD changed");
    let storage = storage.replace(marker, &format!("{marker}<li><p>{goal}.</p></li>"));
    store
        .update_page(
            &id,
            &title,
            storage,
            version + 1,
            "test: one more goal".into(),
            &author,
            chrono_now(),
        )
        .expect("the page updates");
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Summaries of the epic's children in the sandbox, with how often each occurs.
fn children_of(app: &TestApp, epic: &str) -> BTreeMap<String, usize> {
    let store = app.sandbox().state().read();
    let epic_id = store.issue(epic).expect("the epic exists").id.clone();
    let mut counts = BTreeMap::new();
    for issue in store
        .issues()
        .filter(|issue| issue.parent_id.as_deref() == Some(epic_id.as_str()))
    {
        *counts.entry(issue.summary.clone()).or_insert(0) += 1;
    }
    counts
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.expect("a JSON body");
    (status, body)
}

#[tokio::test]
async fn analyze_finds_the_prd_requirements_and_a_missing_story() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_goal(&app, NEW_GOAL);
        let (status, body) = json_of(app.get("/plan/epic/DEMO-1/analyze").await).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let requirements: Vec<&str> = body["prd_requirements"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for expected in [
            "Guest checkout without an account",
            "Inline, specific payment errors",
            "Saved cards for returning shoppers",
            NEW_GOAL,
        ] {
            assert!(
                requirements.contains(&expected),
                "{label}: {requirements:?}"
            );
        }
        // "Out of scope" and the problem statement are not requirements.
        assert!(
            !requirements
                .iter()
                .any(|r| r.contains("gift cards") || r.contains("37%")),
            "{label}: {requirements:?}"
        );
        assert_eq!(body["missing_stories"], json!([NEW_GOAL]), "{label}");
        assert_eq!(body["missing_story_details"][0]["document"], "PRD");
        assert_eq!(
            body["existing_stories"],
            json!(["DEMO-4", "DEMO-5", "DEMO-6", "DEMO-7"]),
            "{label}"
        );
        // DEMO-6 and DEMO-7 have no description, so no acceptance criteria either.
        assert_eq!(body["incomplete_stories"], json!(["DEMO-6", "DEMO-7"]));
        assert_eq!(body["needs_stories"], true);
        assert_eq!(body["is_complete"], false);
        assert_eq!(body["summary"]["total_missing_stories"], 1);
        let completion = body["summary"]["completion_percentage"]
            .as_f64()
            .expect("a number");
        assert!(
            completion > 0.0 && completion < 100.0,
            "{label}: {completion}"
        );

        // The payments epic: its tasks are linked to each other but to no story.
        let (status, body) = json_of(app.get("/plan/epic/DEMO-2/analyze").await).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(
            body["orphaned_tasks"],
            json!(["DEMO-8", "DEMO-9", "DEMO-10"]),
            "{label}"
        );
        let rfc = body["rfc_requirements"].as_array().expect("a list");
        assert!(
            rfc.iter()
                .any(|r| r.as_str().is_some_and(|r| r.contains("Idempotency-Key"))),
            "{label}: {rfc:?}"
        );
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn every_default_request_previews_the_plan_and_writes_nothing() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_goal(&app, NEW_GOAL);
        let before = children_of(&app, "DEMO-1");

        let (status, body) = json_of(
            app.post("/plan/stories/generate", &json!({"epic_key": "DEMO-1"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["dry_run"], true);
        assert_eq!(body["success"], true);
        assert_eq!(body["created_tickets"]["stories"], json!([]));
        let stories = body["story_details"].as_array().expect("stories");
        let new: Vec<&Value> = stories
            .iter()
            .filter(|story| story["action_taken"].is_null())
            .collect();
        assert_eq!(new.len(), 1, "{label}: {stories:?}");
        assert!(
            new[0]["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("confirmation")
        );
        assert!(
            !new[0]["acceptance_criteria"]
                .as_array()
                .expect("criteria")
                .is_empty()
        );
        assert!(
            new[0]["description"]
                .as_str()
                .unwrap_or_default()
                .contains("### Acceptance criteria")
        );
        // The covered goals are reported as skipped with the story that covers them.
        assert!(
            stories
                .iter()
                .any(|story| story["action_taken"] == "skipped" && story["jira_key"] == "DEMO-4")
        );
        let writes = body["write_plan"]["writes"].as_array().expect("a plan");
        assert_eq!(writes.len(), 1, "{label}: {writes:?}");
        assert_eq!(writes[0]["action"], "create_issue");
        assert_eq!(writes[0]["body"]["fields"]["parent"]["key"], "DEMO-1");
        assert_eq!(writes[0]["body"]["fields"]["issuetype"]["name"], "Story");
        assert_eq!(writes[0]["body"]["fields"]["description"]["type"], "doc");
        assert!(
            body["system_prompt"]
                .as_str()
                .is_some_and(|p| !p.is_empty())
        );
        assert!(
            body["user_prompt"]
                .as_str()
                .is_some_and(|p| p.contains("Checkout revamp"))
        );
        assert_eq!(body["usage"]["provider"], "offline");

        let (status, body) = json_of(
            app.post("/plan/epic/complete", &json!({"epic_key": "DEMO-1"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["operation_mode"], "hybrid");
        let tasks = body["task_details"].as_array().expect("tasks");
        assert!(!tasks.is_empty(), "{label}: {body}");
        assert!(tasks.iter().all(|task| task["jira_key"].is_null()));
        assert!(
            tasks[0]["description"]
                .as_str()
                .unwrap_or_default()
                .starts_with("**Team:**")
        );
        let new_story = body["story_details"]
            .as_array()
            .expect("stories")
            .iter()
            .find(|story| story["action_taken"].is_null())
            .expect("the new story");
        // generate_test_cases defaults to true here, as in the reference.
        assert!(
            !new_story["test_cases"]
                .as_array()
                .expect("tests")
                .is_empty()
        );
        let plan = body["write_plan"]["writes"].as_array().expect("a plan");
        assert!(plan.iter().any(|w| w["action"] == "create_link"), "{label}");
        assert_eq!(
            plan.iter()
                .filter(|w| w["action"] == "create_issue")
                .count(),
            1 + tasks.len()
        );

        let (status, body) = json_of(
            app.post("/plan/epic/create", &json!({"epic_key": "DEMO-1"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["create_tickets"], false);
        assert_eq!(body["creation_results"]["dry_run"], true);
        assert_eq!(
            body["creation_results"]["created_tickets"]["stories"],
            json!([])
        );
        assert!(
            body["planning_results"]["task_details"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        );

        let (status, body) = json_of(
            app.post(
                "/plan/epic/create",
                &json!({"epic_key": "DEMO-1", "operation_mode": "documentation"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["planning_results"]["task_details"], json!([]));

        let (status, body) = json_of(
            app.post("/plan/stories/create", &json!({"epic_key": "DEMO-1"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["epic_key"], "DEMO-1");
        assert_eq!(body["success"], true);
        assert!(
            body["planning_results"]["story_details"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        );

        let (status, body) = json_of(app.get("/plan/validate/DEMO-1").await).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let results = &body["validation_results"];
        assert_eq!(results["valid"], false);
        assert_eq!(results["story_count"], 4);
        let issues = results["issues"].as_array().expect("issues");
        assert!(
            issues
                .iter()
                .any(|i| i.as_str().is_some_and(|i| i.contains("DEMO-6")))
        );

        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: {:?}",
            app.sandbox().write_log().entries()
        );
        assert_eq!(children_of(&app, "DEMO-1"), before, "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn creating_stories_writes_each_story_once_even_when_the_job_runs_twice() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_goal(&app, NEW_GOAL);
        add_prd_goal(&app, "Printable packing slip for each order");
        let before = children_of(&app, "DEMO-1");

        let (status, accepted) = json_of(
            app.post(
                "/plan/stories/generate",
                &json!({"epic_key": "DEMO-1", "dry_run": false, "async_mode": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {accepted}");
        assert_eq!(accepted["update_jira"], true);
        let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();
        app.drain().await;
        let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["status"], "completed", "{label}: {job}");
        assert_eq!(job["job_type"], "story_generation");
        let first = job["results"].clone();
        let created = first["created_tickets"]["stories"]
            .as_array()
            .expect("created stories")
            .clone();
        assert_eq!(created.len(), 2, "{label}: {first}");
        let created_story = first["story_details"]
            .as_array()
            .expect("stories")
            .iter()
            .find(|story| story["action_taken"] == "created")
            .expect("a created story")
            .clone();
        assert!(created_story["jira_url"]
            .as_str()
            .is_some_and(|url| url.ends_with(created_story["jira_key"].as_str().unwrap_or("?"))));
        let creates = app
            .sandbox()
            .write_log()
            .successful()
            .iter()
            .filter(|w| w.method == "POST" && w.path.starts_with("/rest/api/3/issue"))
            .count();
        assert_eq!(creates, 2, "{label}");

        // Run the same job again, as a worker would after a crash: re-queue it and drain.
        requeue(&app, &job_id).await;
        app.drain().await;
        let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["status"], "completed", "{label}: {job}");
        assert_eq!(
            job["results"]["created_tickets"], first["created_tickets"],
            "{label}: the second run reports the same stories"
        );
        assert!(
            job["results"]["writes"]
                .as_array()
                .expect("outcomes")
                .iter()
                .all(|w| w["status"] == "already_written"),
            "{label}: {}",
            job["results"]["writes"]
        );
        let after = children_of(&app, "DEMO-1");
        assert_eq!(after.len(), before.len() + 2, "{label}: {after:?}");
        assert!(
            after.values().all(|count| *count == 1),
            "{label}: {after:?}"
        );
        let creates_after = app
            .sandbox()
            .write_log()
            .successful()
            .iter()
            .filter(|w| w.method == "POST" && w.path.starts_with("/rest/api/3/issue"))
            .count();
        assert_eq!(creates_after, 2, "{label}: nothing was created again");

        // A new request for the same epic finds the stories and creates nothing more.
        let (status, again) = json_of(
            app.post(
                "/plan/stories/generate",
                &json!({"epic_key": "DEMO-1", "dry_run": false}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {again}");
        assert_eq!(
            again["created_tickets"]["stories"],
            json!([]),
            "{label}: {again}"
        );
        assert_eq!(children_of(&app, "DEMO-1"), after, "{label}");
        app.stop().await;
    }
}

/// Puts a finished job back in the queue, as crash recovery does for a job whose worker died
/// after its writes but before recording the result.
async fn requeue(app: &TestApp, job_id: &str) {
    sqlx::query(
        "UPDATE jobs SET status = 'started', completed_at = NULL, lease_owner = NULL, \
         lease_until = NULL WHERE id = $1",
    )
    .bind(job_id)
    .execute(app.app.db.pool())
    .await
    .expect("the job is re-queued");
}

#[tokio::test]
async fn epic_creation_creates_stories_tasks_and_links() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_goal(&app, NEW_GOAL);
        let (status, body) = json_of(
            app.post(
                "/plan/epic/create",
                &json!({"epic_key": "DEMO-1", "create_tickets": true, "operation_mode": "planning"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["success"], true, "{label}: {body}");
        let created = &body["creation_results"]["created_tickets"];
        assert_eq!(
            created["stories"].as_array().map(Vec::len),
            Some(1),
            "{label}: {body}"
        );
        let tasks = created["tasks"].as_array().expect("tasks");
        assert!(!tasks.is_empty(), "{label}");
        let links = body["creation_results"]["links"].as_array().expect("links");
        assert!(links.len() >= tasks.len(), "{label}: {links:?}");
        let story_key = created["stories"][0].as_str().expect("a key");
        {
            let store = app.sandbox().state().read();
            let story = store.issue(story_key).expect("the story exists");
            let epic_id = store.issue("DEMO-1").expect("epic").id.clone();
            assert_eq!(story.parent_id.as_deref(), Some(epic_id.as_str()));
            for task in tasks {
                let task = store
                    .issue(task.as_str().expect("a key"))
                    .expect("the task exists");
                assert_eq!(task.parent_id.as_deref(), Some(epic_id.as_str()));
            }
        }
        // The epic is now fully covered: the analysis finds nothing missing.
        let (_, analysis) = json_of(app.get("/plan/epic/DEMO-1/analyze").await).await;
        assert_eq!(
            analysis["missing_stories"],
            json!([]),
            "{label}: {analysis}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn unknown_epics_wrong_types_bad_fields_and_duplicates_are_4xx() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(app.get("/plan/epic/DEMO-999/analyze").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("DEMO-999"))
        );
        let (status, _) = json_of(app.get("/plan/validate/DEMO-999").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = json_of(
            app.post("/plan/stories/generate", &json!({"epic_key": "DEMO-999"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");

        // DEMO-4 is a story.
        let (status, body) = json_of(app.get("/plan/epic/DEMO-4/analyze").await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {body}");
        assert!(body.to_string().contains("not an epic"), "{label}: {body}");
        let (status, _) = json_of(
            app.post("/plan/epic/complete", &json!({"epic_key": "DEMO-4"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");

        let (status, body) = json_of(app.get("/plan/epic/not-a-key/analyze").await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["path", "epic_key"]));
        for (path, request, field) in [
            (
                "/plan/epic/create",
                json!({"epic_key": "DEMO-1", "operation_mode": "everything"}),
                "operation_mode",
            ),
            (
                "/plan/stories/create",
                json!({"epic_key": "DEMO-1", "story_count": 0}),
                "story_count",
            ),
            (
                "/plan/epic/complete",
                json!({"epic_key": "DEMO-1", "max_task_cycle_days": 11}),
                "max_task_cycle_days",
            ),
            (
                "/plan/stories/generate",
                json!({"epic_key": "DEMO-1", "llm_provider": "nonsense"}),
                "llm_provider",
            ),
            (
                "/plan/stories/generate",
                json!({"epic_key": "DEMO-1", "surprise": 1}),
                "surprise",
            ),
        ] {
            let (status, body) = json_of(app.post(path, &request).await).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{label} {path}: {body}"
            );
            assert!(body.to_string().contains(field), "{label} {path}: {body}");
        }

        // A second job for an epic with one queued is a 409 naming the job, never a 500.
        let (status, first) = json_of(
            app.post(
                "/plan/stories/create",
                &json!({"epic_key": "DEMO-1", "async_mode": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {first}");
        assert_eq!(first["epic_key"], "DEMO-1");
        let job_id = first["job_id"].as_str().expect("a job id");
        assert_eq!(first["status_url"], format!("/jobs/{job_id}"));
        for (path, request) in [
            (
                "/plan/stories/generate",
                json!({"epic_key": "DEMO-1", "async_mode": true}),
            ),
            ("/plan/stories/generate", json!({"epic_key": "DEMO-1"})),
            (
                "/plan/epic/create",
                json!({"epic_key": "DEMO-1", "async_mode": true}),
            ),
            ("/plan/epic/complete", json!({"epic_key": "DEMO-1"})),
        ] {
            let response = app.post(path, &request).await;
            let header = response
                .headers()
                .get("x-active-job-id")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let (status, body) = json_of(response).await;
            assert_eq!(status, StatusCode::CONFLICT, "{label} {path}: {body}");
            assert_eq!(header.as_deref(), Some(job_id), "{label} {path}");
            assert_eq!(
                body["detail"],
                format!("Epic DEMO-1 is already being processed in job {job_id}")
            );
        }
        // Reads are not locked.
        let (status, _) = json_of(app.get("/plan/epic/DEMO-1/analyze").await).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        app.drain().await;
        let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["job_type"], "story_creation");
        assert_eq!(job["status"], "completed", "{label}: {job}");
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}
