#![cfg(feature = "testing")]
//! End to end: the four test-generation routes on every test database, against the sandbox's
//! demo project and the offline generator. Previews write nothing; `update_jira` writes the
//! test-case field once; counts hold per coverage level.

use app::testing::TestApp;
use serde_json::{Value, json};

const LEVELS: [(&str, usize, usize); 4] = [
    ("minimal", 1, 2),
    ("basic", 2, 4),
    ("standard", 3, 6),
    ("comprehensive", 5, 10),
];

async fn body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, json)
}

fn types_of(tests: &Value) -> Vec<String> {
    tests
        .as_array()
        .map(|cases| {
            cases
                .iter()
                .filter_map(|case| case["type"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_level(label: &str, tests: &Value, level: &str, min: usize, max: usize) {
    let count = tests.as_array().map_or(0, Vec::len);
    assert!(
        (min..=max).contains(&count),
        "{label}: {level} gave {count} tests: {tests:#}"
    );
    if level == "comprehensive" {
        let types = types_of(tests);
        assert!(
            types.iter().any(|t| t == "performance"),
            "{label}: {types:?}"
        );
        assert!(types.iter().any(|t| t == "security"), "{label}: {types:?}");
    }
}

#[tokio::test]
async fn story_and_task_previews_hold_each_level_and_write_nothing() {
    for app in TestApp::all().await {
        let label = app.label();
        for (level, min, max) in LEVELS {
            for (path, key_field, key) in [
                ("/plan/tests/story", "story_key", "DEMO-4"),
                ("/plan/tests/story", "story_key", "DEMO-6"),
                ("/plan/tests/task", "task_key", "DEMO-8"),
                ("/plan/tests/task/context-aware", "task_key", "DEMO-13"),
            ] {
                let (status, result) = body(
                    app.post(path, &json!({ key_field: key, "coverage_level": level }))
                        .await,
                )
                .await;
                assert_eq!(status, 200, "{label} {path} {key} {level}: {result:#}");
                assert_eq!(result["success"], true, "{label}: {result:#}");
                assert_eq!(result["coverage_level"], level);
                assert_eq!(result[key_field], key);
                assert_level(label, &result["test_cases"], level, min, max);
                assert_eq!(
                    result["test_count"].as_u64(),
                    result["test_cases"].as_array().map(|a| a.len() as u64)
                );
                assert_eq!(result["updated_in_jira"], false);
                assert!(
                    result["user_prompt"]
                        .as_str()
                        .is_some_and(|p| p.contains(key))
                );
                assert!(
                    result["system_prompt"]
                        .as_str()
                        .is_some_and(|p| !p.is_empty())
                );
                assert_eq!(result["usage"]["provider"], "offline");
                let writes = result["write_plan"]["writes"]
                    .as_array()
                    .expect("a write plan");
                assert_eq!(writes.len(), 1, "{result:#}");
                assert_eq!(writes[0]["action"], "edit_issue");
                assert_eq!(writes[0]["target"], key);
            }
        }
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: previews wrote {:?}",
            app.sandbox().write_log().entries()
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_preview_shows_the_current_test_cases_beside_the_new_ones() {
    let app = TestApp::full().await;
    let (status, result) = body(
        app.post("/plan/tests/story", &json!({"story_key": "DEMO-4"}))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    let current = result["current_test_cases"]
        .as_str()
        .expect("DEMO-4 has test cases");
    assert!(
        current.contains("Guest pays with a valid card"),
        "{current}"
    );
    let write = &result["write_plan"]["writes"][0];
    let current_in_plan = write["current"]
        .as_object()
        .and_then(|fields| fields.values().next())
        .and_then(Value::as_str)
        .expect("the plan carries the current value");
    assert!(current_in_plan.contains("Guest pays with a valid card"));
    assert_eq!(write["method"], "PUT");
    assert!(
        result["test_cases_text"]
            .as_str()
            .is_some_and(|t| t.contains("### TC-01"))
    );
    // The story's acceptance criteria come from its description.
    assert!(
        result["context_sources"].as_array().is_some_and(|s| s
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.starts_with("PRD")))),
        "{result:#}"
    );
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn update_jira_writes_the_test_case_field_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, result) = body(
            app.post(
                "/plan/tests/story",
                &json!({"story_key": "DEMO-6", "coverage_level": "basic", "update_jira": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {result:#}");
        assert_eq!(result["updated_in_jira"], true, "{label}: {result:#}");
        assert_eq!(result["writes"][0]["status"], "written");
        let log = app.sandbox().write_log().successful();
        assert_eq!(log.len(), 1, "{label}: {log:?}");
        assert_eq!(log[0].method, "PUT");
        assert!(log[0].path.contains("/issue/DEMO-6"), "{}", log[0].path);
        let written = log[0].body.clone().unwrap_or_default().to_string();
        assert!(written.contains("customfield_10052"), "{written}");
        let first_title = result["test_cases"][0]["title"].as_str().expect("a test");
        assert!(written.contains(first_title), "{written}");
        // Read back: the field now holds the tests.
        let (_, again) = body(
            app.post("/plan/tests/story", &json!({"story_key": "DEMO-6"}))
                .await,
        )
        .await;
        assert!(
            again["current_test_cases"]
                .as_str()
                .is_some_and(|text| text.contains(first_title)),
            "{again:#}"
        );
        assert_eq!(app.sandbox().write_log().successful().len(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn comprehensive_suites_cover_every_story_and_task_of_the_epic() {
    for app in TestApp::all().await {
        let label = app.label();
        for (level, min, max) in LEVELS {
            // The epic is derived from a story when epic_key is absent.
            let (status, suite) = body(
                app.post(
                    "/plan/tests/comprehensive",
                    &json!({"story_key": "DEMO-4", "coverage_level": level}),
                )
                .await,
            )
            .await;
            assert_eq!(status, 200, "{label}: {suite:#}");
            assert_eq!(suite["epic_key"], "DEMO-1");
            assert_eq!(suite["success"], true, "{suite:#}");
            let stories = suite["story_tests"].as_object().expect("story tests");
            let mut story_keys: Vec<&String> = stories.keys().collect();
            story_keys.sort();
            assert_eq!(story_keys, ["DEMO-4", "DEMO-5", "DEMO-6", "DEMO-7"]);
            let tasks = suite["task_tests"].as_object().expect("task tests");
            assert_eq!(tasks.len(), 3, "{label}: the address story's sub-tasks");
            for task in tasks.values() {
                assert_eq!(task["parent_story"], "DEMO-5");
                assert_level(label, &task["test_cases"], level, min, max);
            }
            let mut total = 0;
            for story in stories.values() {
                assert_level(label, &story["test_cases"], level, min, max);
                total += story["test_count"].as_u64().unwrap_or_default();
            }
            for task in tasks.values() {
                total += task["test_count"].as_u64().unwrap_or_default();
            }
            assert_eq!(suite["total_test_cases"].as_u64(), Some(total));
            assert_eq!(suite["test_statistics"]["stories"], 4);
            assert_eq!(
                suite["write_plan"]["writes"].as_array().map(Vec::len),
                Some(7)
            );
        }
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn domain_and_technical_context_tailor_the_tests() {
    let app = TestApp::full().await;
    let (status, result) = body(
        app.post(
            "/plan/tests/task",
            &json!({"task_key": "DEMO-9", "domain_context": "payments", "technical_context": "REST API"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    assert_eq!(result["domain_context"], "financial");
    assert_eq!(result["technical_context"], "api");
    let prompt = result["user_prompt"].as_str().unwrap_or_default();
    assert!(prompt.contains("idempotent payment"), "{prompt}");
    assert!(prompt.contains("status and error codes"), "{prompt}");
    // Detected when not requested: the checkout story is e-commerce or payments work.
    let (_, detected) = body(
        app.post("/plan/tests/story", &json!({"story_key": "DEMO-4"}))
            .await,
    )
    .await;
    assert!(detected["domain_context"].is_string(), "{detected:#}");
    app.stop().await;
}

#[tokio::test]
async fn context_aware_task_tests_carry_the_story_and_documents() {
    let app = TestApp::full().await;
    let (status, result) = body(
        app.post(
            "/plan/tests/task/context-aware",
            &json!({"task_key": "DEMO-13"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    assert_eq!(result["story_key"], "DEMO-5");
    assert!(
        result["story_context"]
            .as_str()
            .is_some_and(|text| text.contains("International address form")),
        "{result:#}"
    );
    let sources: Vec<&str> = result["context_sources"]
        .as_array()
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(sources.contains(&"story: DEMO-5"), "{sources:?}");
    assert!(sources.iter().any(|s| s.starts_with("PRD")), "{sources:?}");
    assert!(result["document_context"].is_string(), "{result:#}");
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_are_422_unknown_tickets_404_and_duplicates_409() {
    for app in TestApp::all().await {
        let label = app.label();
        for (path, field) in [
            ("/plan/tests/story", "story_key"),
            ("/plan/tests/task", "task_key"),
            ("/plan/tests/task/context-aware", "task_key"),
            ("/plan/tests/comprehensive", "epic_key"),
        ] {
            let (status, error) = body(app.post(path, &json!({})).await).await;
            assert_eq!(status, 422, "{label} {path}: {error:#}");
            assert_eq!(
                error["detail"][0]["loc"],
                json!(["body", field]),
                "{error:#}"
            );
        }
        let (status, error) = body(
            app.post(
                "/plan/tests/story",
                &json!({"story_key": "DEMO-4", "coverage_level": "extreme"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{error:#}");
        assert_eq!(error["detail"][0]["loc"], json!(["body", "coverage_level"]));
        let (status, error) = body(
            app.post(
                "/plan/tests/story",
                &json!({"story_key": "DEMO-4", "llm_provider": "nope"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{error:#}");
        let (status, error) = body(
            app.post("/plan/tests/story", &json!({"story_key": "DEMO-999"}))
                .await,
        )
        .await;
        assert_eq!(status, 404, "{label}: {error:#}");
        assert!(
            error["detail"]
                .as_str()
                .is_some_and(|d| d.contains("DEMO-999"))
        );
        let (status, error) = body(
            app.post("/plan/tests/comprehensive", &json!({"epic_key": "DEMO-4"}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: a story is not an epic: {error:#}");

        // async_mode answers a BatchResponse; a second job for the same story is a 409.
        let request = json!({"story_key": "DEMO-5", "async_mode": true});
        let (status, accepted) = body(app.post("/plan/tests/story", &request).await).await;
        assert_eq!(status, 200, "{accepted:#}");
        assert_eq!(accepted["status"], "started");
        assert_eq!(accepted["update_jira"], false);
        let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();
        let response = app.post("/plan/tests/story", &request).await;
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
        assert_eq!(job["status"], "completed", "{job:#}");
        assert_eq!(job["job_type"], "test_generation");
        assert_eq!(job["results"]["story_key"], "DEMO-5");
        assert!(
            job["results"]["test_count"]
                .as_u64()
                .is_some_and(|n| (3..=6).contains(&n))
        );
        assert_eq!(job["results"]["usage"]["provider"], "offline");
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}

/// A model's suite is deduplicated and fitted to the level: near-duplicates dropped, missing
/// performance and security tests added from the offline suite, the count within range.
#[tokio::test]
async fn a_model_suite_is_deduplicated_and_fitted_to_its_level() {
    use llm_emulator::{EmulatorState, Scripted};
    let emulator = llm_emulator::spawn(EmulatorState::new())
        .await
        .expect("the emulator starts");
    let url = emulator.openai_url();
    let app = TestApp::with(
        store::TestDatabase::sqlite()
            .await
            .expect("a SQLite test database"),
        |settings| {
            settings.llm.openai_api_key = Some(config::Secret::new("sk-test"));
            settings.llm.openai_base_url = Some(url);
            settings.llm.provider = Some("offline".into());
        },
    )
    .await;
    let case = |id: &str, title: &str, kind: &str| {
        json!({
            "id": id, "title": title, "type": kind, "category": "positive", "priority": "P0",
            "description": "d", "preconditions": [], "test_steps": ["Given a guest", "Then it works"],
            "expected_result": "ok", "covers": null,
        })
    };
    emulator.state.push(Scripted::Json(json!({
        "coverage_level": "comprehensive",
        "domain": "ecommerce",
        "technical_contexts": ["ui"],
        "test_cases": [
            case("TC-01", "Guest pays with a valid card", "acceptance"),
            case("TC-02", "Verify the guest can pay with a valid card", "acceptance"),
            case("TC-03", "Guest is offered an account after payment", "e2e"),
        ],
    })));
    let (status, result) = body(
        app.post(
            "/plan/tests/story",
            &json!({"story_key": "DEMO-4", "coverage_level": "comprehensive", "llm_provider": "openai"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    assert_eq!(result["duplicates_removed"], 1, "{result:#}");
    assert_level("model", &result["test_cases"], "comprehensive", 5, 10);
    let sources: Vec<&str> = result["test_cases"]
        .as_array()
        .expect("tests")
        .iter()
        .filter_map(|c| c["source"].as_str())
        .collect();
    assert_eq!(&sources[..2], ["llm_ai", "llm_ai"], "{sources:?}");
    assert!(sources.contains(&"pattern"), "{sources:?}");
    assert_eq!(result["usage"]["provider"], "openai");
    assert_eq!(result["domain_context"], "ecommerce");
    let sent = emulator.state.requests()[0].body["messages"].to_string();
    assert!(sent.contains("DEMO-4"), "{sent}");
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}
