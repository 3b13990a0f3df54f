#![cfg(feature = "testing")]
//! End to end: `/prompt/resubmit` with the offline generator on every test database, and with
//! an OpenAI-compatible model (the LLM emulator) to prove the edited prompts are the ones sent.
//! Also the model path of `/analyze/story-coverage`.

use app::testing::TestApp;
use llm_emulator::{EmulatorState, RunningEmulator, Scripted};
use serde_json::{Value, json};
use store::TestDatabase;

async fn body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, json)
}

/// The app with OpenAI served by a fresh emulator.
async fn with_model() -> (TestApp, RunningEmulator) {
    let emulator = llm_emulator::spawn(EmulatorState::new())
        .await
        .expect("the emulator starts");
    let url = emulator.openai_url();
    let app = TestApp::with(
        TestDatabase::sqlite()
            .await
            .expect("a SQLite test database"),
        |settings| {
            settings.llm.openai_api_key = Some(config::Secret::new("sk-test"));
            settings.llm.openai_base_url = Some(url);
            settings.llm.provider = Some("offline".into());
        },
    )
    .await;
    (app, emulator)
}

#[tokio::test]
async fn offline_runs_every_operation_and_says_prompts_do_not_apply() {
    for app in TestApp::all().await {
        let label = app.label();
        for (operation, original, key_field, key) in [
            (
                "generate_single",
                json!({"ticket_key": "DEMO-6"}),
                "ticket_key",
                "DEMO-6",
            ),
            (
                "plan_tasks",
                json!({"story_keys": ["DEMO-4"]}),
                "story_key",
                "DEMO-4",
            ),
            (
                "analyze_coverage",
                json!({"story_key": "DEMO-5"}),
                "story_key",
                "DEMO-5",
            ),
        ] {
            let (status, result) = body(
                app.post(
                    "/prompt/resubmit",
                    &json!({
                        "operation_type": operation,
                        "original_request": original,
                        "modified_user_prompt": "Be brief.",
                    }),
                )
                .await,
            )
            .await;
            assert_eq!(status, 200, "{label} {operation}: {result:#}");
            assert_eq!(result["success"], true);
            assert_eq!(result["operation_type"], operation);
            assert_eq!(result["original_result"][key_field], key);
            assert_eq!(
                result["prompts_used"]["modified_system_prompt"],
                "Using default system prompt"
            );
            assert_eq!(result["prompts_used"]["llm_provider"], "default");
            assert!(
                result["comparison_notes"]
                    .as_str()
                    .is_some_and(|n| n.contains("offline generator does not read prompts"))
            );
            match operation {
                "generate_single" => assert!(
                    result["new_result"]["generated_description"]
                        .as_str()
                        .is_some_and(|d| d.contains("Purpose"))
                ),
                // The reference's plan_tasks was an echo stub: here it plans real tasks.
                "plan_tasks" => assert!(
                    result["new_result"]["tasks"]
                        .as_array()
                        .is_some_and(|t| !t.is_empty()),
                    "{result:#}"
                ),
                _ => assert_eq!(
                    result["new_result"]["analysis_result"]["coverage_percentage"],
                    83.3
                ),
            }
            assert_eq!(
                result["original_result"]["output"], result["new_result"]["output"],
                "offline runs are identical"
            );
        }
        assert!(app.sandbox().write_log().is_empty(), "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_operations_and_original_requests_are_422_and_unknown_tickets_404() {
    let app = TestApp::full().await;
    for (request, loc) in [
        (
            json!({"operation_type": "plan_epic", "original_request": {}, "modified_user_prompt": "x"}),
            json!(["body", "operation_type"]),
        ),
        (
            json!({"operation_type": "generate_single", "original_request": {}, "modified_user_prompt": "x"}),
            json!(["body", "original_request", "ticket_key"]),
        ),
        (
            json!({"operation_type": "analyze_coverage", "original_request": [], "modified_user_prompt": "x"}),
            json!(["body", "original_request"]),
        ),
        (
            json!({"operation_type": "analyze_coverage", "original_request": {"story_key": "DEMO-5"}, "modified_user_prompt": " "}),
            json!(["body", "modified_user_prompt"]),
        ),
        (
            json!({"operation_type": "analyze_coverage", "original_request": {"story_key": "DEMO-5"}}),
            json!(["body", "modified_user_prompt"]),
        ),
    ] {
        let (status, error) = body(app.post("/prompt/resubmit", &request).await).await;
        assert_eq!(status, 422, "{request}: {error:#}");
        assert_eq!(error["detail"][0]["loc"], loc, "{error:#}");
    }
    let (status, error) = body(
        app.post(
            "/prompt/resubmit",
            &json!({"operation_type": "generate_single", "original_request": {"ticket_key": "DEMO-999"}, "modified_user_prompt": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404, "{error:#}");
    app.stop().await;
}

#[tokio::test]
async fn a_model_receives_exactly_the_edited_prompts() {
    let (app, emulator) = with_model().await;
    let description = |purpose: &str| {
        json!({
            "purpose": purpose,
            "scopes": ["Show the decline reason next to the card field"],
            "expected_outcome": ["Shoppers see why a card failed without a reload"],
            "additional_sections": [],
        })
    };
    emulator
        .state
        .push(Scripted::Json(description("Original purpose.")));
    emulator
        .state
        .push(Scripted::Json(description("Edited purpose.")));
    let (status, result) = body(
        app.post(
            "/prompt/resubmit",
            &json!({
                "operation_type": "generate_single",
                "original_request": {"ticket_key": "DEMO-6"},
                "modified_system_prompt": "You write terse Jira tickets.",
                "modified_user_prompt": "Describe DEMO-6 (inline payment errors) in one scope.",
                "llm_provider": "openai",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    assert_eq!(
        result["original_result"]["output"]["purpose"],
        "Original purpose."
    );
    assert_eq!(result["new_result"]["output"]["purpose"], "Edited purpose.");
    assert!(
        result["new_result"]["generated_description"]
            .as_str()
            .is_some_and(|d| d.contains("Edited purpose."))
    );
    assert_eq!(
        result["new_result"]["system_prompt"],
        "You write terse Jira tickets."
    );
    assert_eq!(
        result["new_result"]["user_prompt"],
        "Describe DEMO-6 (inline payment errors) in one scope."
    );
    assert_eq!(result["new_result"]["llm_provider"], "openai");
    assert_eq!(result["prompts_used"]["llm_provider"], "openai");
    assert!(
        result["comparison_notes"]
            .as_str()
            .is_some_and(|n| n.contains("% of the words are shared")),
        "{result:#}"
    );
    let requests = emulator.state.requests();
    assert_eq!(requests.len(), 2);
    let sent = requests[1].body.to_string();
    assert!(sent.contains("You write terse Jira tickets."), "{sent}");
    assert!(
        sent.contains("Describe DEMO-6 (inline payment errors) in one scope."),
        "{sent}"
    );
    // The default run sent the prompts it reports.
    let original_user = result["original_result"]["user_prompt"]
        .as_str()
        .expect("a prompt");
    let messages = requests[0].body["messages"]
        .as_array()
        .expect("chat messages");
    assert!(
        messages.iter().any(|m| m["content"] == original_user),
        "{messages:#?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_model_coverage_answer_becomes_submittable_suggestions() {
    let (app, emulator) = with_model().await;
    emulator.state.push(Scripted::Json(json!({
        "coverage_percentage": 70,
        "overall_assessment": "Autocomplete is only partly planned.",
        "covered_requirements": ["Every shipping country is selectable"],
        "gaps": [{"requirement": "Address autocomplete suggests matches after three characters", "severity": "important", "suggestion": "Extend DEMO-14"}],
        "suggestions_for_updates": [
            {"task_key": "DEMO-14", "description": "Integrate the provider; suggest after three characters.", "test_cases": "- Given three typed characters, then suggestions appear"},
            {"task_key": "DEMO-99", "description": "Not a task of the story", "test_cases": null}
        ],
        "suggestions_for_new_tasks": [
            {"summary": "Autocomplete debounce", "description": "**Purpose:** Debounce lookups.", "test_cases": null, "gap_addressed": "Address autocomplete suggests matches after three characters"}
        ],
    })));
    let (status, result) = body(
        app.post(
            "/analyze/story-coverage",
            &json!({"story_key": "DEMO-5", "llm_provider": "openai", "additional_context": "Focus on autocomplete"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{result:#}");
    assert_eq!(result["analysis_method"], "model");
    assert_eq!(result["coverage_percentage"], 70.0);
    assert_eq!(
        result["suggestions_for_updates"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(result["warnings"].as_array().is_some_and(|w| {
        w.iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("DEMO-99")))
    }));
    let user_prompt = result["user_prompt"].as_str().expect("the prompt sent");
    assert!(user_prompt.contains("DEMO-14") && user_prompt.contains("Focus on autocomplete"));
    let sent = emulator.state.requests()[0].body.to_string();
    assert!(sent.contains("Focus on autocomplete"));
    assert_eq!(result["usage"]["provider"], "openai");
    for (path, submit) in [
        (
            "/analyze/story-coverage/update-task",
            result["suggestions_for_updates"][0]["ready_to_submit"].clone(),
        ),
        (
            "/analyze/story-coverage/create-task",
            result["suggestions_for_new_tasks"][0]["ready_to_submit"].clone(),
        ),
    ] {
        let (status, preview) = body(app.post(path, &submit).await).await;
        assert_eq!(status, 200, "{path}: {preview:#}");
        assert_eq!(preview["success"], true);
    }
    assert!(app.sandbox().write_log().is_empty());
    app.stop().await;
}
