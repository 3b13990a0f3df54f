//! Invariant 1, "preview by default", over the whole API: every route's default request (no
//! write flag) answers 200 and the sandbox receives no write at all, not to Jira and not to
//! Confluence; then the same requests with `async_mode` queue jobs that, run to their end, write
//! nothing either.
#![cfg(feature = "testing")]

use app::testing::TestApp;
use serde_json::{Value, json};

/// `(method, path, body)` of each route's default request against the demo project.
fn default_requests() -> Vec<(&'static str, String, Value)> {
    let post = |path: &str, body: Value| ("POST", path.to_owned(), body);
    let get = |path: &str| ("GET", path.to_owned(), Value::Null);
    vec![
        post("/generate/single", json!({"ticket_key": "DEMO-6"})),
        post(
            "/generate/batch",
            json!({"jql": "project = DEMO ORDER BY key"}),
        ),
        get("/plan/epic/DEMO-1/analyze"),
        post("/plan/epic/complete", json!({"epic_key": "DEMO-1"})),
        post("/plan/epic/create", json!({"epic_key": "DEMO-1"})),
        post("/plan/stories/generate", json!({"epic_key": "DEMO-1"})),
        post("/plan/stories/sync-from-prd", json!({"epic_key": "DEMO-1"})),
        post("/plan/stories/create", json!({"epic_key": "DEMO-3"})),
        post("/plan/tasks/generate", json!({"story_keys": ["DEMO-5"]})),
        post("/plan/tasks/team-based", json!({"story_keys": ["DEMO-6"]})),
        post("/plan/tasks/create", json!({"story_keys": ["DEMO-7"]})),
        get("/plan/estimate/DEMO-5"),
        get("/plan/validate/DEMO-1"),
        post("/plan/tests/comprehensive", json!({"epic_key": "DEMO-2"})),
        post("/plan/tests/story", json!({"story_key": "DEMO-5"})),
        post("/plan/tests/task", json!({"task_key": "DEMO-8"})),
        post(
            "/plan/tests/task/context-aware",
            json!({"task_key": "DEMO-9"}),
        ),
        post("/analyze/story-coverage", json!({"story_key": "DEMO-4"})),
        post(
            "/analyze/story-coverage/update-task",
            json!({"task_key": "DEMO-8", "updated_description": "## Purpose\n\nAdd the table."}),
        ),
        post(
            "/analyze/story-coverage/create-task",
            json!({"story_key": "DEMO-5", "task_summary": "[BE] Postcode rules", "task_description": "Rules per country."}),
        ),
        post(
            "/jira/update-ticket",
            json!({"ticket_key": "DEMO-10", "summary": "Send the Idempotency-Key header"}),
        ),
        post(
            "/jira/create-ticket",
            json!({"summary": "[QA] Address form tests", "description": "Cover every country.", "story_key": "DEMO-5"}),
        ),
        post(
            "/jira/create-story-ticket",
            json!({"parent_key": "DEMO-1", "summary": "Express checkout", "description": "One-click pay."}),
        ),
        post(
            "/jira/update-story-ticket",
            json!({"story_key": "DEMO-6", "summary": "Inline card errors"}),
        ),
        post(
            "/jira/bulk-update-stories",
            json!({"stories": [{"story_key": "DEMO-7", "summary": "Saved cards"}]}),
        ),
        post(
            "/jira/bulk-create-tasks",
            json!({"tasks": [{"summary": "[BE] Card vault", "description": "Tokenise cards.", "story_key": "DEMO-7"}]}),
        ),
        post(
            "/jira/bulk-create-stories",
            json!({"stories": [{"parent_key": "DEMO-3", "summary": "Search by e-mail", "description": "Find orders."}]}),
        ),
        get("/sprint/board/1/sprints"),
        get("/sprint/3"),
        get("/sprint/3/issues"),
        post("/sprint/3/assign", json!({"issue_keys": ["DEMO-7"]})),
        post("/sprint/create?name=Preview&board_id=1", Value::Null),
        ("PUT", "/sprint/3?name=Preview".to_owned(), Value::Null),
        post("/sprint/2/remove", json!(["DEMO-5"])),
        post(
            "/sprint/plan/epic",
            json!({"epic_key": "DEMO-1", "board_id": 1, "auto_create_sprints": true}),
        ),
        post(
            "/sprint/timeline",
            json!({"epic_key": "DEMO-2", "board_id": 1, "start_date": "2026-03-02"}),
        ),
        post(
            "/prompt/resubmit",
            json!({"operation_type": "generate_single", "original_request": {"ticket_key": "DEMO-6"}, "modified_user_prompt": "Describe DEMO-6 briefly."}),
        ),
    ]
}

async fn send(app: &TestApp, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = match method {
        "GET" => app.get(path).await,
        "PUT" => app
            .http
            .put(format!("{}{path}", app.base_url))
            .json(body)
            .send()
            .await
            .expect("the app answers"),
        _ => app.post(path, body).await,
    };
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn no_default_request_writes_anything_anywhere() {
    for app in TestApp::all().await {
        for (method, path, body) in default_requests() {
            let (status, answer) = send(&app, method, &path, &body).await;
            assert_eq!(status, 200, "{} {method} {path}: {answer}", app.label());
            app.drain().await;
            assert!(
                app.sandbox().write_log().is_empty(),
                "{} {method} {path} wrote: {:?}",
                app.label(),
                app.sandbox().write_log().entries()
            );
        }
        // The same requests as jobs, where the route has an async mode.
        for (method, path, mut body) in default_requests() {
            if method != "POST"
                || path == "/generate/batch"
                || path.contains("update-task")
                || path.contains("create-task")
                || path == "/prompt/resubmit"
                || !body.is_object()
            {
                continue;
            }
            body["async_mode"] = json!(true);
            let (status, answer) = send(&app, method, &path, &body).await;
            if status == 422 && answer.to_string().contains("async_mode") {
                continue; // the route has no async mode
            }
            assert_eq!(status, 200, "{} async {path}: {answer}", app.label());
            app.drain().await;
        }
        assert!(
            app.sandbox().write_log().is_empty(),
            "{} an async default request wrote: {:?}",
            app.label(),
            app.sandbox().write_log().entries()
        );
        app.stop().await;
    }
}
