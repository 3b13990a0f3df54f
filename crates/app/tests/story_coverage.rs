#![cfg(feature = "testing")]
//! End to end: `/analyze/story-coverage` and its two follow-up routes on every test database,
//! against the sandbox's demo project. The analysis's `ready_to_submit` bodies are posted as is;
//! previews write nothing; the flags write once.

use app::testing::TestApp;
use serde_json::{Value, json};

async fn body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, json)
}

async fn coverage(app: &TestApp, story: &str) -> Value {
    let (status, result) = body(
        app.post("/analyze/story-coverage", &json!({ "story_key": story }))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{}: {result:#}", app.label());
    result
}

#[tokio::test]
async fn subtasks_cover_the_address_story_with_one_partial_requirement() {
    for app in TestApp::all().await {
        let label = app.label();
        let result = coverage(&app, "DEMO-5").await;
        assert_eq!(result["success"], true);
        assert_eq!(result["story_key"], "DEMO-5");
        assert_eq!(result["analysis_method"], "requirement_matching");
        let tasks: Vec<&str> = result["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter_map(|task| task["task_key"].as_str())
            .collect();
        assert_eq!(tasks, ["DEMO-12", "DEMO-13", "DEMO-14"], "{label}");
        assert_eq!(result["coverage_percentage"], 83.3, "{result:#}");
        assert_eq!(result["gaps"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            result["gaps"][0]["requirement"],
            "Address autocomplete suggests matches after three characters"
        );
        assert_eq!(result["suggestions_for_updates"][0]["task_key"], "DEMO-14");
        assert_eq!(
            result["suggestions_for_updates"][0]["ready_to_submit"]["update_jira"],
            false
        );
        assert!(
            result["story_description"]
                .as_str()
                .is_some_and(|d| d.contains("Acceptance criteria"))
        );
        assert_eq!(result["usage"]["provider"], "offline");
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn ready_to_submit_bodies_are_accepted_as_is_and_preview_by_default() {
    for app in TestApp::all().await {
        let label = app.label();
        // A story without tasks: every criterion is a gap with a new-task suggestion.
        let guest = coverage(&app, "DEMO-4").await;
        assert_eq!(guest["coverage_percentage"], 0.0);
        let new_tasks = guest["suggestions_for_new_tasks"]
            .as_array()
            .expect("suggestions");
        assert_eq!(new_tasks.len(), 3, "{guest:#}");
        assert!(
            guest["gaps"]
                .as_array()
                .expect("gaps")
                .iter()
                .all(|g| g["severity"] == "critical")
        );
        let submit = new_tasks[0]["ready_to_submit"].clone();
        let (status, created) = body(
            app.post("/analyze/story-coverage/create-task", &submit)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {created:#}");
        assert_eq!(created["success"], true);
        assert_eq!(created["created_in_jira"], false);
        assert_eq!(created["task_key"], Value::Null);
        assert_eq!(created["epic_key"], "DEMO-1");
        assert_eq!(created["link_type"], "Work item split");
        assert_eq!(created["preview_summary"], submit["task_summary"]);
        let writes = created["write_plan"]["writes"].as_array().expect("a plan");
        assert_eq!(writes.len(), 2);
        assert_eq!(writes[0]["action"], "create_issue");
        assert_eq!(writes[0]["body"]["fields"]["parent"]["key"], "DEMO-1");
        assert_eq!(writes[1]["action"], "create_link");
        assert!(
            created["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Preview:"))
        );

        // A partly covered story: an update suggestion for the autocomplete sub-task.
        let address = coverage(&app, "DEMO-5").await;
        let submit = address["suggestions_for_updates"][0]["ready_to_submit"].clone();
        let (status, updated) = body(
            app.post("/analyze/story-coverage/update-task", &submit)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {updated:#}");
        assert_eq!(updated["success"], true);
        assert_eq!(updated["updated_in_jira"], false);
        assert_eq!(updated["task_key"], "DEMO-14");
        assert_eq!(
            updated["preview_description"],
            submit["updated_description"]
        );
        assert_eq!(updated["preview_test_cases"], submit["updated_test_cases"]);
        let plan = &updated["write_plan"]["writes"][0];
        assert_eq!(plan["action"], "edit_issue");
        assert!(
            plan["current"]
                .as_object()
                .is_some_and(|c| c.contains_key("description"))
        );
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: {:?}",
            app.sandbox().write_log().entries()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn create_ticket_creates_the_task_once_and_it_then_counts_for_coverage() {
    for app in TestApp::all().await {
        let label = app.label();
        let before = coverage(&app, "DEMO-4").await;
        let mut submit = before["suggestions_for_new_tasks"][0]["ready_to_submit"].clone();
        submit["create_ticket"] = json!(true);
        let (status, created) = body(
            app.post("/analyze/story-coverage/create-task", &submit)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {created:#}");
        assert_eq!(created["created_in_jira"], true, "{created:#}");
        let task_key = created["task_key"].as_str().expect("a key").to_owned();
        let log = app.sandbox().write_log().successful();
        assert_eq!(log.len(), 2, "{label}: {log:?}");
        assert_eq!(log[0].method, "POST");
        assert!(
            log[0].path.ends_with("/rest/api/3/issue"),
            "{}",
            log[0].path
        );
        assert!(
            log[1].path.ends_with("/rest/api/3/issueLink"),
            "{}",
            log[1].path
        );

        // The new task is found through its split link and covers the first criterion.
        let after = coverage(&app, "DEMO-4").await;
        let tasks: Vec<&str> = after["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .filter_map(|t| t["task_key"].as_str())
            .collect();
        assert_eq!(tasks, [task_key.as_str()], "{after:#}");
        assert!(
            after["coverage_percentage"].as_f64() > before["coverage_percentage"].as_f64(),
            "{after:#}"
        );
        assert_eq!(after["requirements"][0]["status"], "covered", "{after:#}");

        // Test generation finds the story through the split link too.
        let (status, tests) = body(
            app.post(
                "/plan/tests/task/context-aware",
                &json!({ "task_key": task_key }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{tests:#}");
        assert_eq!(tests["story_key"], "DEMO-4", "{tests:#}");
        assert_eq!(tests["epic_key"], "DEMO-1");
        let (_, suite) = body(
            app.post("/plan/tests/comprehensive", &json!({"epic_key": "DEMO-1"}))
                .await,
        )
        .await;
        assert_eq!(
            suite["task_tests"][&task_key]["parent_story"], "DEMO-4",
            "{suite:#}"
        );
        assert_eq!(app.sandbox().write_log().successful().len(), 2);
        app.stop().await;
    }
}

#[tokio::test]
async fn update_jira_writes_the_description_and_test_cases_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let address = coverage(&app, "DEMO-5").await;
        let mut submit = address["suggestions_for_updates"][0]["ready_to_submit"].clone();
        submit["update_jira"] = json!(true);
        let (status, updated) = body(
            app.post("/analyze/story-coverage/update-task", &submit)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {updated:#}");
        assert_eq!(updated["updated_in_jira"], true, "{updated:#}");
        let log = app.sandbox().write_log().successful();
        assert_eq!(log.len(), 1, "{label}: {log:?}");
        assert_eq!(log[0].method, "PUT");
        assert!(log[0].path.contains("/issue/DEMO-14"));
        let sent = log[0].body.clone().unwrap_or_default().to_string();
        assert!(
            sent.contains("customfield_10052") && sent.contains("description"),
            "{sent}"
        );
        // Now the requirement is covered.
        let again = coverage(&app, "DEMO-5").await;
        assert_eq!(again["coverage_percentage"], 100.0, "{again:#}");
        assert!(
            again["suggestions_for_updates"]
                .as_array()
                .is_some_and(Vec::is_empty)
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_requests_are_422_unknown_tickets_404_and_duplicates_409() {
    for app in TestApp::all().await {
        let label = app.label();
        for (path, request, field) in [
            ("/analyze/story-coverage", json!({}), "story_key"),
            (
                "/analyze/story-coverage",
                json!({"story_key": "DEMO-5", "repos": ["https://example.com/r.git"]}),
                "repos",
            ),
            (
                "/analyze/story-coverage",
                json!({"story_key": "DEMO-5", "llm_provider": "nope"}),
                "llm_provider",
            ),
            (
                "/analyze/story-coverage/update-task",
                json!({"task_key": "DEMO-14", "updated_description": " "}),
                "updated_description",
            ),
            (
                "/analyze/story-coverage/update-task",
                json!({"task_key": "DEMO-14", "updated_description": "x", "extra": 1}),
                "extra",
            ),
            (
                "/analyze/story-coverage/create-task",
                json!({"story_key": "DEMO-4", "task_summary": "", "task_description": "d"}),
                "task_summary",
            ),
            (
                "/analyze/story-coverage/create-task",
                json!({"story_key": "DEMO-4", "task_summary": "x".repeat(256), "task_description": "d"}),
                "task_summary",
            ),
        ] {
            let (status, error) = body(app.post(path, &request).await).await;
            assert_eq!(status, 422, "{label} {path} {request}: {error:#}");
            assert_eq!(error["detail"][0]["loc"][1], field, "{error:#}");
        }
        for (path, request) in [
            ("/analyze/story-coverage", json!({"story_key": "DEMO-999"})),
            (
                "/analyze/story-coverage/update-task",
                json!({"task_key": "DEMO-999", "updated_description": "x"}),
            ),
            (
                "/analyze/story-coverage/create-task",
                json!({"story_key": "DEMO-999", "task_summary": "s", "task_description": "d"}),
            ),
        ] {
            let (status, error) = body(app.post(path, &request).await).await;
            assert_eq!(status, 404, "{label} {path}: {error:#}");
            assert!(
                error["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("DEMO-999")),
                "{error:#}"
            );
        }
        // async_mode: a BatchResponse, and a second analysis of the same story is a 409.
        let request = json!({"story_key": "DEMO-5", "async_mode": true});
        let (status, accepted) = body(app.post("/analyze/story-coverage", &request).await).await;
        assert_eq!(status, 200, "{accepted:#}");
        assert_eq!(accepted["update_jira"], false);
        let job_id = accepted["job_id"].as_str().expect("a job").to_owned();
        let response = app.post("/analyze/story-coverage", &request).await;
        assert_eq!(response.status().as_u16(), 409);
        assert_eq!(
            response
                .headers()
                .get("x-active-job-id")
                .and_then(|v| v.to_str().ok()),
            Some(job_id.as_str())
        );
        app.drain().await;
        let (_, job) = body(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["job_type"], "story_coverage");
        assert_eq!(job["story_key"], "DEMO-5");
        assert_eq!(job["results"]["coverage_percentage"], 83.3, "{job:#}");
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}
