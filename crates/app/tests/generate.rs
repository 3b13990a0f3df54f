//! `POST /generate/single` and `/generate/batch` end to end: route → job → offline model →
//! sandbox Jira, on every test database.
#![cfg(feature = "testing")]

use app::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

fn description_text(app: &TestApp, key: &str) -> String {
    let store = app.sandbox().state().read();
    let issue = store.issue(key).expect("the issue exists");
    issue
        .description
        .clone()
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_preview_returns_the_description_and_the_exact_edit_and_writes_nothing() {
    for app in TestApp::all().await {
        let (status, body) = json_of(
            app.post("/generate/single", &json!({"ticket_key": "DEMO-6"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label());
        let description = body["generated_description"]
            .as_str()
            .expect("a description");
        assert!(description.starts_with("## Purpose"), "{description}");
        assert!(description.contains("## Scopes") && description.contains("## Expected Outcome"));
        assert_eq!(body["success"], true);
        assert_eq!(body["updated_in_jira"], false);
        assert_eq!(body["llm_provider"], "offline");
        assert!(
            body["system_prompt"]
                .as_str()
                .is_some_and(|p| !p.is_empty())
        );
        assert!(
            body["user_prompt"]
                .as_str()
                .is_some_and(|p| p.contains("Inline payment errors"))
        );
        assert_eq!(body["parent_name"], "Checkout revamp");
        // The epic's PRD page was read as context.
        assert!(
            body["context_sources"][0]
                .as_str()
                .is_some_and(|s| s.starts_with("PRD: ")),
            "{}",
            body["context_sources"]
        );
        let write = &body["write_plan"]["writes"][0];
        assert_eq!(write["method"], "PUT");
        assert_eq!(write["path"], "/rest/api/3/issue/DEMO-6");
        assert_eq!(write["body"]["fields"]["description"]["type"], "doc");
        assert!(write["current"].is_object());
        assert!(
            app.sandbox().write_log().is_empty(),
            "{:?}",
            app.sandbox().write_log().entries()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn update_jira_writes_an_empty_description_once_and_leaves_a_real_one_alone() {
    for app in TestApp::all().await {
        let request = json!({"ticket_key": "DEMO-7", "update_jira": true});
        let (status, body) = json_of(app.post("/generate/single", &request).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated_in_jira"], true, "{body}");
        assert_eq!(body["writes"][0]["status"], "written");
        assert!(description_text(&app, "DEMO-7").contains("Purpose"));
        assert_eq!(app.sandbox().write_log().successful().len(), 1);

        // DEMO-4 has a real description: generated and shown, not written.
        let request =
            json!({"ticket_key": "https://demo.atlassian.net/browse/DEMO-4", "update_jira": true});
        let (status, body) = json_of(app.post("/generate/single", &request).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["skipped_reason"], "Ticket already has description");
        assert_eq!(body["updated_in_jira"], false);
        assert_eq!(app.sandbox().write_log().successful().len(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let app = TestApp::full().await;
    let cases = [
        (
            "/generate/single",
            json!({"ticket_key": "not a key"}),
            422,
            "ticket_key",
        ),
        (
            "/generate/single",
            json!({"ticket_key": "DEMO-1", "llm_provider": "skynet"}),
            422,
            "llm_provider",
        ),
        (
            "/generate/single",
            json!({"ticket_key": "DEMO-1", "surprise": 1}),
            422,
            "surprise",
        ),
        (
            "/generate/single",
            json!({"ticket_key": 42}),
            422,
            "ticket_key",
        ),
        ("/generate/single", json!({}), 422, "ticket_key"),
        (
            "/generate/batch",
            json!({"jql": "project = = DEMO"}),
            422,
            "jql",
        ),
        (
            "/generate/batch",
            json!({"jql": "project = DEMO", "max_results": 0}),
            422,
            "max_results",
        ),
        (
            "/generate/batch",
            json!({"jql": "project = DEMO", "max_results": 1001}),
            422,
            "max_results",
        ),
    ];
    for (path, body, expected, field) in cases {
        let (status, answer) = json_of(app.post(path, &body).await).await;
        assert_eq!(status.as_u16(), expected, "{path} {body}: {answer}");
        assert!(
            answer.to_string().contains(field),
            "{path} {body}: {answer}"
        );
    }
    let (status, answer) = json_of(
        app.post("/generate/single", &json!({"ticket_key": "DEMO-999"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("DEMO-999")),
        "{answer}"
    );
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn async_mode_queues_a_job_and_a_duplicate_is_a_409() {
    let app = TestApp::full().await;
    let request = json!({"ticket_key": "DEMO-9", "async_mode": true});
    let (status, accepted) = json_of(app.post("/generate/single", &request).await).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "started");
    let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();
    let duplicate = app.post("/generate/single", &request).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_eq!(
        duplicate.headers()["x-active-job-id"]
            .to_str()
            .expect("ascii"),
        job_id
    );
    app.drain().await;
    let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["job_type"], "single");
    assert_eq!(job["ticket_key"], "DEMO-9");
    assert!(job["results"]["generated_description"].is_string());
    assert_eq!(job["results"]["usage"]["provider"], "offline");
    app.stop().await;
}

#[tokio::test]
async fn a_batch_reports_every_ticket_and_writes_only_placeholders() {
    for app in TestApp::all().await {
        let request = json!({"jql": "project = DEMO AND issuetype in (Story, Task) ORDER BY key", "update_jira": true});
        let (status, accepted) = json_of(app.post("/generate/batch", &request).await).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["max_results"], 100);
        assert!(
            accepted["message"]
                .as_str()
                .is_some_and(|m| m.contains("UPDATE mode"))
        );
        app.drain().await;
        let job_id = accepted["job_id"].as_str().expect("a job id");
        let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["status"], "completed", "{job}");
        let results = job["results"].as_array().expect("a list of tickets");
        assert!(results.len() >= 6, "{}", results.len());
        assert_eq!(job["processed_tickets"], results.len());
        assert_eq!(job["failed_tickets"], 0);
        let written: Vec<&str> = results
            .iter()
            .filter(|r| r["updated_in_jira"] == true)
            .filter_map(|r| r["ticket_key"].as_str())
            .collect();
        let skipped = results
            .iter()
            .filter(|r| r["skipped_reason"] == "Ticket already has description")
            .count();
        assert!(
            written.contains(&"DEMO-6") && !written.contains(&"DEMO-4"),
            "{written:?}"
        );
        assert!(skipped >= 2, "{skipped}");
        assert_eq!(app.sandbox().write_log().successful().len(), written.len());
        app.stop().await;
    }
}
