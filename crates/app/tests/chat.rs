//! The chat agent end to end (docs/chat.md) on every test database, against the sandbox's demo
//! site with the offline generator: the seed's workflow (a ticket proposed, confirmed, created
//! once), rejection, edits shown again, a restart while waiting, double and late answers, each
//! intent in JSON and Markdown, conversations, the live view, and bad input.

#![cfg(feature = "testing")]

use app::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

const CREATE_BUG: &str = "Create a high-priority bug ticket in DEMO: The login page shows a 500 error when users enter special characters in the password field. This is blocking production deployment.";

async fn send(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app.post("/chat/send", &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sends `message` as `user` and runs the agent; returns the task id and its result.
async fn ask(app: &TestApp, user: &str, message: &str, format: &str) -> (String, Value) {
    let (status, sent) = send(
        app,
        json!({"message": message, "user_id": user, "output_format": format}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{}: {sent}", app.label());
    assert_eq!(sent["status"], "processing");
    let task_id = sent["task_id"].as_str().expect("a task id").to_owned();
    app.drain().await;
    let result = poll(app, &task_id).await;
    (task_id, result)
}

async fn poll(app: &TestApp, task_id: &str) -> Value {
    let response = app.get(&format!("/chat/result/{task_id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

async fn resume(app: &TestApp, task_id: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post(&format!("/chat/resume/{task_id}"), &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn issues_with_summary(app: &TestApp, summary: &str) -> Vec<String> {
    let store = app.sandbox().state().read();
    store
        .issues()
        .filter(|issue| issue.summary == summary)
        .map(|issue| issue.key.clone())
        .collect()
}

#[tokio::test]
async fn the_seed_workflow_creates_the_ticket_once_after_confirmation() {
    for app in TestApp::all().await {
        let (task_id, waiting) = ask(&app, "john@example.com", CREATE_BUG, "json").await;
        assert_eq!(waiting["status"], "waiting_confirmation", "{waiting:#}");
        let data = &waiting["data"];
        let summary = data["ticket_summary"]
            .as_str()
            .expect("a summary")
            .to_owned();
        assert!(!summary.is_empty());
        assert_eq!(data["issue_type"], "Bug", "{data:#}");
        assert_eq!(data["priority"], "High", "{data:#}");
        let write = &data["write_plan"]["writes"][0];
        assert_eq!(write["method"], "POST");
        assert!(
            write["path"]
                .as_str()
                .unwrap()
                .ends_with("/rest/api/3/issue")
        );
        assert_eq!(write["body"]["fields"]["summary"], summary.as_str());
        assert_eq!(data["proposal_hash"].as_str().map(str::len), Some(64));
        // Nothing is written while waiting.
        assert!(app.sandbox().write_log().is_empty(), "{}", app.label());

        let (status, resumed) = resume(&app, &task_id, json!({"confirmation": true})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{resumed}");
        assert_eq!(resumed["status"], "resumed");
        app.drain().await;
        let done = poll(&app, &task_id).await;
        assert_eq!(done["status"], "completed", "{done:#}");
        let result = &done["result"];
        assert_eq!(result["type"], "ticket_created");
        let key = result["ticket_key"].as_str().expect("the created key");
        assert_eq!(issues_with_summary(&app, &summary), [key.to_owned()]);
        assert!(
            result["ticket_url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/browse/{key}"))
        );
        assert_eq!(app.sandbox().write_log().successful().len(), 1);

        // A second answer is refused with the current status and writes nothing more.
        let (status, again) = resume(&app, &task_id, json!({"confirmation": true})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");
        assert!(
            again["detail"].as_str().unwrap().contains("completed"),
            "{again}"
        );
        app.drain().await;
        assert_eq!(issues_with_summary(&app, &summary).len(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_rejected_proposal_writes_nothing() {
    for app in TestApp::all().await {
        let (task_id, waiting) = ask(&app, "ana", CREATE_BUG, "markdown").await;
        assert_eq!(waiting["status"], "waiting_confirmation");
        let (status, _) = resume(&app, &task_id, json!({"confirmation": false})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        app.drain().await;
        let done = poll(&app, &task_id).await;
        assert_eq!(done["status"], "completed", "{done:#}");
        assert_eq!(done["result"]["type"], "cancelled");
        assert!(app.sandbox().write_log().is_empty(), "{}", app.label());
        app.stop().await;
    }
}

#[tokio::test]
async fn edits_are_validated_and_shown_again_before_any_write() {
    let app = TestApp::full().await;
    let (task_id, waiting) = ask(&app, "ana", CREATE_BUG, "json").await;
    let first_hash = waiting["data"]["proposal_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = resume(
        &app,
        &task_id,
        json!({"confirmation": true, "proposal_hash": first_hash, "user_input": {
            "summary": "Passwords with special characters break login",
            "components": ["No such component"],
            "assignee": "Priya Raman",
            "colour": "blue"
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.drain().await;
    let again = poll(&app, &task_id).await;
    assert_eq!(again["status"], "waiting_confirmation", "{again:#}");
    let data = &again["data"];
    assert_eq!(
        data["ticket_summary"],
        "Passwords with special characters break login"
    );
    assert_eq!(data["components"], json!([]));
    assert_eq!(data["assignee"]["display_name"], "Priya Raman", "{data:#}");
    let notes = data["notes"].to_string();
    assert!(notes.contains("No such component"), "{notes}");
    assert!(notes.contains("colour"), "{notes}");
    let second_hash = data["proposal_hash"].as_str().unwrap().to_owned();
    assert_ne!(first_hash, second_hash);
    assert!(app.sandbox().write_log().is_empty());

    // Confirming the proposal shown before the edit is refused.
    let (status, stale) = resume(
        &app,
        &task_id,
        json!({"confirmation": true, "proposal_hash": first_hash}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let (status, _) = resume(
        &app,
        &task_id,
        json!({"confirmation": true, "proposal_hash": second_hash}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.drain().await;
    let done = poll(&app, &task_id).await;
    let key = done["result"]["ticket_key"]
        .as_str()
        .expect("created")
        .to_owned();
    let summary = app
        .sandbox()
        .state()
        .read()
        .issue(&key)
        .expect("exists")
        .summary
        .clone();
    assert_eq!(summary, "Passwords with special characters break login");
    app.stop().await;
}

#[tokio::test]
async fn a_task_waiting_for_confirmation_survives_a_restart() {
    let app = TestApp::full().await;
    let (task_id, waiting) = ask(&app, "ana", CREATE_BUG, "json").await;
    let summary = waiting["data"]["ticket_summary"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = app.restart().await;
    let after = poll(&app, &task_id).await;
    assert_eq!(after["status"], "waiting_confirmation");
    assert_eq!(after["data"]["ticket_summary"], summary.as_str());
    let (status, _) = resume(&app, &task_id, json!({"confirmation": true})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.drain().await;
    let done = poll(&app, &task_id).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(issues_with_summary(&app, &summary).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_proposal_fails_with_the_reason_and_cannot_be_confirmed() {
    let app = TestApp::full().await;
    let (task_id, _) = ask(&app, "ana", CREATE_BUG, "json").await;
    // As if the expiry had passed: the test does not wait for it.
    sqlx::query("UPDATE chat_tasks SET expires_at = 1 WHERE id = $1")
        .bind(task_id.clone())
        .execute(app.app.db.pool())
        .await
        .unwrap();
    let (status, refused) = resume(&app, &task_id, json!({"confirmation": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains("failed"),
        "{refused}"
    );
    let failed = poll(&app, &task_id).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"].as_str().unwrap().contains("expired"),
        "{failed}"
    );
    app.drain().await;
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_create_whose_response_was_lost_is_not_repeated() {
    let app = TestApp::full().await;
    let (task_id, waiting) = ask(&app, "ana", CREATE_BUG, "json").await;
    let summary = waiting["data"]["ticket_summary"]
        .as_str()
        .unwrap()
        .to_owned();
    // The next write fails with a gateway error: its outcome is unknown to the agent, which
    // must look before it writes again.
    app.sandbox().faults().server_error_next(1, 502);
    resume(&app, &task_id, json!({"confirmation": true})).await;
    let report = app.drain().await;
    assert!(report.retried >= 1, "{report:?}");
    let done = poll(&app, &task_id).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(issues_with_summary(&app, &summary).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn every_intent_answers_offline_in_json_and_markdown() {
    for app in TestApp::all().await {
        let (_, analysis) = ask(
            &app,
            "pm",
            "Analyze the following requirement: \"Users should be able to export their data in multiple formats (PDF, CSV, JSON) with customizable filters and scheduling options. The export should happen asynchronously and users should receive email notifications when complete.\"",
            "json",
        )
        .await;
        assert_eq!(analysis["status"], "completed", "{analysis:#}");
        assert_eq!(analysis["result"]["type"], "requirement_analysis");
        assert!(
            !analysis["result"]["data"]["functional_requirements"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let (_, assessment) = ask(&app, "pm", "Assess the quality of DEMO-5", "markdown").await;
        assert_eq!(assessment["status"], "completed", "{assessment:#}");
        let result = &assessment["result"];
        assert_eq!(result["type"], "ticket_assessment", "{result:#}");
        assert_eq!(result["ticket_key"], "DEMO-5");
        assert!(result["content"].as_str().unwrap().contains("/10"));
        assert!(result.get("data").is_none(), "markdown carries no data");

        let (_, search) = ask(&app, "pm", "Find open bugs in DEMO", "json").await;
        assert_eq!(search["status"], "completed", "{search:#}");
        let result = &search["result"];
        assert_eq!(result["type"], "search_results", "{result:#}");
        let jql = result["data"]["jql"].as_str().unwrap();
        assert!(jql.to_lowercase().contains("bug"), "{jql}");
        let keys: Vec<&str> = result["data"]["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|issue| issue["key"].as_str().unwrap())
            .collect();
        {
            let store = app.sandbox().state().read();
            for key in &keys {
                let issue = store.issue(key).unwrap();
                let issue_type = store.issue_type(&issue.issue_type_id).unwrap();
                assert_eq!(issue_type.name, "Bug", "{key}");
            }
        }
        assert!(!keys.is_empty());

        let (_, general) = ask(&app, "pm", "What can you do?", "markdown").await;
        assert_eq!(general["status"], "completed", "{general:#}");
        assert_eq!(general["result"]["type"], "answer");

        let (task, update) = ask(
            &app,
            "pm",
            "Set the priority of DEMO-5 to Low and add the label checkout-v2",
            "json",
        )
        .await;
        assert_eq!(update["status"], "waiting_confirmation", "{update:#}");
        let data = &update["data"];
        assert_eq!(data["action"], "update_ticket");
        assert_eq!(data["ticket_key"], "DEMO-5");
        let fields: Vec<&str> = data["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|change| change["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"priority") && fields.contains(&"labels"),
            "{data:#}"
        );
        assert_eq!(data["write_plan"]["writes"][0]["method"], "PUT");
        resume(&app, &task, json!({"confirmation": true})).await;
        app.drain().await;
        let labels = app
            .sandbox()
            .state()
            .read()
            .issue("DEMO-5")
            .unwrap()
            .labels
            .clone();
        assert!(labels.contains(&"checkout-v2".to_owned()));
        // No write beyond the one confirmed edit happened in this whole conversation.
        assert_eq!(app.sandbox().write_log().successful().len(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn conversations_carry_memory_belong_to_their_user_and_can_be_deleted() {
    let app = TestApp::full().await;
    let (status, first) = send(&app, json!({"message": "Assess DEMO-5", "user_id": "ana"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let conversation = first["conversation_id"].as_str().unwrap().to_owned();
    app.drain().await;
    // A follow-up in the same conversation refers back with "it".
    let (status, second) = send(
        &app,
        json!({"message": "Set its priority to Low", "user_id": "ana", "conversation_id": conversation}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{second}");
    app.drain().await;
    let follow_up = poll(&app, second["task_id"].as_str().unwrap()).await;
    assert_eq!(follow_up["status"], "waiting_confirmation", "{follow_up:#}");
    assert_eq!(follow_up["data"]["ticket_key"], "DEMO-5");

    let listed: Value = app
        .get("/chat/conversations?user_id=ana")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["conversations"][0]["turns"], 2);
    let detail = app
        .get(&format!("/chat/conversations/{conversation}?user_id=ana"))
        .await;
    assert_eq!(detail.status(), StatusCode::OK);
    let detail: Value = detail.json().await.unwrap();
    assert_eq!(detail["turns"].as_array().unwrap().len(), 2);
    assert_eq!(detail["turns"][0]["status"], "completed");

    // Another user sees nothing of it and cannot continue it.
    let other = app
        .get(&format!("/chat/conversations/{conversation}?user_id=bob"))
        .await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let (status, _) = send(
        &app,
        json!({"message": "hello", "user_id": "bob", "conversation_id": conversation}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let deleted = app
        .http
        .delete(format!(
            "{}/chat/conversations/{conversation}?user_id=ana",
            app.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app
        .get(&format!("/chat/conversations/{conversation}?user_id=ana"))
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn the_live_view_streams_every_step_and_ends() {
    let app = TestApp::full().await;
    let (task_id, _) = ask(&app, "ana", "Find open bugs in DEMO", "markdown").await;
    let body = app
        .get(&format!("/chat/stream/{task_id}"))
        .await
        .text()
        .await
        .unwrap();
    for step in [
        "event: classified",
        "event: planned",
        "event: tool",
        "event: completed",
        "event: end",
    ] {
        assert!(body.contains(step), "{step} missing:\n{body}");
    }
    // Reconnecting after the last step replays nothing but the end.
    let resumed = app
        .http
        .get(format!("{}/chat/stream/{task_id}", app.base_url))
        .header("Last-Event-ID", "1000")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!resumed.contains("event: classified"), "{resumed}");
    assert!(resumed.contains("event: end"), "{resumed}");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let app = TestApp::with(store::TestDatabase::sqlite().await.unwrap(), |settings| {
        settings.chat.max_active_tasks_per_user = 1
    })
    .await;
    let cases = [
        (json!({"message": "", "user_id": "a"}), "message"),
        (
            json!({"message": "x".repeat(10_001), "user_id": "a"}),
            "message",
        ),
        (json!({"message": "hi"}), "user_id"),
        (
            json!({"message": "hi", "user_id": "a", "output_format": "xml"}),
            "output_format",
        ),
    ];
    for (body, field) in cases {
        let (status, error) = send(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(error.to_string().contains(field), "{field}: {error}");
    }
    let unknown = app.get("/chat/result/no-such-task").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let (status, _) = resume(&app, "no-such-task", json!({"confirmation": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = resume(&app, "no-such-task", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.to_string().contains("confirmation"), "{error}");
    let listed = app.get("/chat/conversations").await;
    assert_eq!(listed.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // One message processing is this user's limit; another user is not affected.
    let (status, _) = send(&app, json!({"message": "Find bugs", "user_id": "a"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let response = app
        .post(
            "/chat/send",
            &json!({"message": "Find more bugs", "user_id": "a"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let (status, _) = send(&app, json!({"message": "Find bugs", "user_id": "b"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.drain().await;
    let (status, _) = send(&app, json!({"message": "Find more bugs", "user_id": "a"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.drain().await;
    app.stop().await;
}

/// The application with OpenAI served by a model-provider emulator.
async fn with_emulator() -> (TestApp, llm_emulator::RunningEmulator) {
    let emulator = llm_emulator::spawn(llm_emulator::EmulatorState::new())
        .await
        .expect("the emulator starts");
    let url = emulator.openai_url();
    let app = TestApp::with(store::TestDatabase::sqlite().await.unwrap(), |settings| {
        settings.llm.provider = Some("openai".into());
        settings.llm.openai_api_key = Some(config::Secret::new("sk-chat-test".to_owned()));
        settings.llm.openai_base_url = Some(url);
    })
    .await;
    (app, emulator)
}

#[tokio::test]
async fn a_model_drives_the_agent_and_its_jql_is_validated_before_use() {
    let (app, emulator) = with_emulator().await;
    // The model classifies the message and writes the JQL; the agent follows it.
    emulator.state.push(llm_emulator::Scripted::Json(json!({
        "intent": "search", "confidence": 0.93, "ticket_keys": [], "reasoning": "asks for issues"
    })));
    emulator.state.push(llm_emulator::Scripted::Json(json!({
        "jql": "project = DEMO AND issuetype = Bug ORDER BY created DESC",
        "explanation": "Bugs in DEMO, newest first"
    })));
    let (_, found) = ask(&app, "ana", "anything broken lately?", "json").await;
    assert_eq!(found["status"], "completed", "{found:#}");
    let result = &found["result"];
    assert_eq!(result["type"], "search_results");
    assert_eq!(
        result["data"]["jql"],
        "project = DEMO AND issuetype = Bug ORDER BY created DESC"
    );
    assert_eq!(result["usage"]["provider"], "openai", "{result:#}");
    assert_eq!(result["usage"]["calls"], 2);
    assert_eq!(emulator.state.requests().len(), 2);

    // JQL that does not parse is never sent to Jira: the user is asked to rephrase.
    emulator.state.push(llm_emulator::Scripted::Json(json!({
        "intent": "search", "confidence": 0.9, "ticket_keys": [], "reasoning": "search"
    })));
    emulator.state.push(llm_emulator::Scripted::Json(json!({
        "jql": "project = = DEMO ORDER", "explanation": "broken"
    })));
    let searches_before = app.sandbox().state().read().issue_count();
    let (_, refused) = ask(&app, "ana", "anything broken lately?", "json").await;
    assert_eq!(refused["status"], "completed", "{refused:#}");
    assert_eq!(refused["result"]["type"], "clarification", "{refused:#}");
    assert!(
        refused["result"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JQL"),
        "{refused:#}"
    );
    assert_eq!(app.sandbox().state().read().issue_count(), searches_before);

    // Unscripted, the emulator answers every task by its rules: a ticket is still proposed.
    let (_, waiting) = ask(&app, "ana", CREATE_BUG, "json").await;
    assert_eq!(waiting["status"], "waiting_confirmation", "{waiting:#}");
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn two_answers_racing_write_once() {
    let app = TestApp::full().await;
    let (task_id, waiting) = ask(&app, "ana", CREATE_BUG, "json").await;
    let summary = waiting["data"]["ticket_summary"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"confirmation": true});
    let (first, second) = tokio::join!(
        resume(&app, &task_id, body.clone()),
        resume(&app, &task_id, body.clone())
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::ACCEPTED, StatusCode::CONFLICT]);
    app.drain().await;
    assert_eq!(issues_with_summary(&app, &summary).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn ticket_intelligence_features_answer_as_tools_and_write_nothing() {
    let app = TestApp::full().await;
    for (message, expected) in [
        ("Write test cases for DEMO-5", "Test cases for DEMO-5"),
        ("Break DEMO-5 down into team tasks", "Tasks for DEMO-5"),
        (
            "Generate a description for DEMO-6",
            "Generated description for DEMO-6",
        ),
    ] {
        let (_, answered) = ask(&app, "ana", message, "json").await;
        assert_eq!(answered["status"], "completed", "{message}: {answered:#}");
        let content = answered["result"]["content"].as_str().unwrap();
        assert!(content.starts_with(expected), "{message}: {content}");
        assert!(!answered["result"]["data"].is_null(), "{message}");
    }
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_worker_that_dies_mid_task_is_continued_from_its_last_checkpoint() {
    for app in TestApp::all().await {
        let (status, sent) = send(
            &app,
            json!({"message": "What can you do?", "user_id": "ana"}),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let task_id = sent["task_id"].as_str().unwrap().to_owned();
        let db = &app.app.db;
        // A worker claims the job, checkpoints its first step (this message taken for a
        // search) and dies: its lease lapses at once.
        let claimed = db
            .claim("dead-worker", &["chat_turn"], std::time::Duration::ZERO, 1)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let task = db.chat_task(&task_id).await.unwrap().unwrap();
        let intent = json!({"intent": {"intent": "search", "confidence": 0.9, "ticket_keys": [], "reasoning": "checkpointed before the crash"}});
        db.chat_checkpoint(
            &task_id,
            &store::ChatCheckpoint {
                version: task.version,
                step: "plan".into(),
                state: intent,
                event: Some(("classified".into(), json!({"intent": "search"}))),
            },
            &store::ChatOutcome::Continue,
        )
        .await
        .unwrap();
        // Another worker recovers the job and goes on from the plan step, not from the start.
        app.drain().await;
        let done = poll(&app, &task_id).await;
        assert_eq!(done["status"], "completed", "{}: {done:#}", app.label());
        assert_eq!(done["result"]["type"], "search_results", "{done:#}");
        let events = db.chat_events(&task_id, 0).await.unwrap();
        let classified = events.iter().filter(|e| e.kind == "classified").count();
        assert_eq!(classified, 1, "the classify step did not run again");
        app.stop().await;
    }
}
