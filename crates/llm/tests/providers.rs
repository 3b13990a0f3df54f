//! Each provider's request JSON as the emulator received it, and the parsing of its answer, over
//! real HTTP.

mod support;

use generation::TaskKind;
use llm::ProviderId;
use llm_emulator::{Protocol, Scripted};
use serde_json::json;
use support::{KEY, assert_valid, request, setup};

#[tokio::test]
async fn openai_sends_strict_json_schema_and_returns_the_exact_prompts() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "openai", Some("gpt-5-mini")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    let log = emulator.state.requests();
    assert_eq!(log.len(), 1);
    let sent = &log[0];
    assert_eq!(
        (sent.protocol, sent.path.as_str()),
        (Protocol::OpenAi, "/chat/completions")
    );
    assert_eq!(sent.headers["authorization"], format!("Bearer {KEY}"));
    let body = &sent.body;
    assert_eq!(body["model"], "gpt-5-mini");
    assert_eq!(body["max_completion_tokens"], 16000);
    assert!(
        body.get("temperature").is_none(),
        "gpt-5 models take no temperature"
    );
    assert_eq!(
        body["response_format"],
        json!({"type": "json_schema", "json_schema": {
            "name": "ticket_description", "strict": true,
            "schema": generation::output_schema(TaskKind::TicketDescription)}})
    );
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": generation.system_prompt})
    );
    assert_eq!(
        body["messages"][1],
        json!({"role": "user", "content": generation.user_prompt})
    );
    assert!(
        generation
            .user_prompt
            .contains("**Summary:** Add password reset via emailed link")
    );
    assert!(
        !generation.user_prompt.contains("Answer format"),
        "strict mode needs no schema in the prompt"
    );
    assert_eq!(
        (generation.provider, generation.model.as_str()),
        (ProviderId::OpenAi, "gpt-5-mini")
    );
    assert_eq!(generation.attempts, 1);
    assert!(generation.usage.input_tokens > 0 && generation.usage.output_tokens > 0);
    let expected_cost = (generation.usage.input_tokens as f64 * 0.25
        + generation.usage.output_tokens as f64 * 2.0)
        / 1e6;
    assert!((generation.cost_usd.unwrap() - expected_cost).abs() < 1e-12);
    assert_eq!(
        generation.history[0].request_id.as_deref(),
        Some("chatcmpl-emu-1")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&generation.raw_text).unwrap(),
        generation.output
    );
}

#[tokio::test]
async fn kimi_gets_json_mode_with_the_schema_in_the_prompt() {
    let (emulator, service) = setup(|s| s.temperature = Some(0.3)).await;
    let generation = service
        .generate(request(&service, "kimi", Some("moonshot-v1-32k")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    let body = &emulator.state.requests()[0].body;
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert_eq!(body["max_tokens"], 8000);
    assert!((body["temperature"].as_f64().unwrap() - 0.3).abs() < 1e-6);
    assert!(generation.user_prompt.contains("## Answer format"));
    assert!(generation.user_prompt.contains("\"expected_outcome\""));
}

#[tokio::test]
async fn anthropic_native_structured_output() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "claude", Some("claude-sonnet-4-5")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    let sent = &emulator.state.requests()[0];
    assert_eq!(
        (sent.protocol, sent.path.as_str()),
        (Protocol::Anthropic, "/messages")
    );
    assert_eq!(sent.headers["x-api-key"], KEY);
    assert_eq!(sent.headers["anthropic-version"], "2023-06-01");
    assert!(!sent.headers.contains_key("authorization"));
    let body = &sent.body;
    assert_eq!(body["system"], generation.system_prompt);
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": generation.user_prompt}])
    );
    assert_eq!(body["max_tokens"], 8000);
    assert_eq!(
        body["output_config"],
        json!({"format": {"type": "json_schema", "schema": generation::output_schema(TaskKind::TicketDescription)}})
    );
    assert!(generation.cost_usd.is_some());
}

#[tokio::test]
async fn anthropic_older_models_use_a_forced_tool() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "claude", Some("claude-opus-4-1")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    let body = &emulator.state.requests()[0].body;
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "ticket_description"})
    );
    assert_eq!(
        body["tools"][0]["input_schema"],
        generation::output_schema(TaskKind::TicketDescription)
    );
    assert!(body.get("output_config").is_none());
}

#[tokio::test]
async fn gemini_sends_response_json_schema_with_the_key_in_a_header() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "gemini", None))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    assert_eq!(generation.model, "gemini-2.5-flash");
    let sent = &emulator.state.requests()[0];
    assert_eq!(sent.protocol, Protocol::Gemini);
    assert_eq!(sent.path, "/models/gemini-2.5-flash:generateContent");
    assert_eq!(sent.query, None, "the key never goes into the URL");
    assert_eq!(sent.headers["x-goog-api-key"], KEY);
    let body = &sent.body;
    assert_eq!(
        body["systemInstruction"],
        json!({"parts": [{"text": generation.system_prompt}]})
    );
    assert_eq!(
        body["contents"],
        json!([{"role": "user", "parts": [{"text": generation.user_prompt}]}])
    );
    assert_eq!(
        body["generationConfig"]["responseMimeType"],
        "application/json"
    );
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 8192);
    assert_eq!(
        body["generationConfig"]["responseJsonSchema"],
        generation::output_schema(TaskKind::TicketDescription)
    );
}

#[tokio::test]
async fn gemini_2_0_gets_the_openapi_subset() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "gemini", Some("gemini-2.0-flash")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    let config = &emulator.state.requests()[0].body["generationConfig"];
    assert!(config.get("responseJsonSchema").is_none());
    assert!(
        !config["responseSchema"]
            .to_string()
            .contains("additionalProperties")
    );
}

#[tokio::test]
async fn openai_compatible_servers_take_any_model_and_max_tokens() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "openai-compatible", Some("qwen3:8b")))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    assert_eq!(generation.cost_usd, None, "an unlisted model has no price");
    let body = &emulator.state.requests()[0].body;
    assert_eq!(body["model"], "qwen3:8b");
    assert_eq!(body["max_tokens"], 4096);
    assert_eq!(body["response_format"]["type"], "json_schema");
}

#[tokio::test]
async fn offline_answers_without_any_request() {
    let (emulator, service) = setup(|_| {}).await;
    let generation = service
        .generate(request(&service, "offline", None))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    assert_eq!(generation.provider, ProviderId::Offline);
    assert_eq!(generation.cost_usd, Some(0.0));
    assert!(
        generation
            .system_prompt
            .contains("Jira ticket descriptions")
    );
    assert!(generation.user_prompt.contains("PROJ-123"));
    assert!(emulator.state.requests().is_empty());
}

#[tokio::test]
async fn tool_call_answers_are_accepted_from_openai() {
    let (_emulator, service) = setup(|_| {}).await;
    let answer = json!({"purpose": "p", "scopes": ["s"], "expected_outcome": ["o"], "additional_sections": []});
    _emulator.state.push(Scripted::ToolCall {
        name: "ticket_description".into(),
        arguments: answer.clone(),
    });
    let generation = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap();
    assert_eq!(generation.output, answer);
}

#[tokio::test]
async fn invalid_input_is_a_caller_error_naming_the_field() {
    let (_emulator, service) = setup(|_| {}).await;
    let mut req = request(&service, "openai", None);
    req.input = json!({"summary": "  "});
    let err = service.generate(req).await.unwrap_err();
    assert!(err.is_caller_error(), "{err}");
    assert!(err.to_string().contains("summary"), "{err}");
}

#[tokio::test]
async fn models_response_lists_the_configured_providers() {
    let (_emulator, service) = setup(|_| {}).await;
    let models = serde_json::to_value(service.models_response()).unwrap();
    assert_eq!(
        models["providers"],
        json!([
            "openai",
            "claude",
            "gemini",
            "kimi",
            "openai-compatible",
            "offline"
        ])
    );
    assert_eq!(models["default_provider"], "openai");
    assert_eq!(models["current_config"]["openai-compatible"], "llama3.2");
}

#[tokio::test]
async fn keys_never_show_in_debug_output() {
    let (_emulator, service) = setup(|_| {}).await;
    let debug = format!("{service:?}");
    assert!(!debug.contains(KEY), "a key leaked into Debug output");
    assert!(debug.contains("has_key: true"));
}

#[tokio::test]
async fn the_service_is_shared_across_spawned_tasks() {
    let (_emulator, service) = setup(|_| {}).await;
    let service = std::sync::Arc::new(service);
    let handles: Vec<_> = ["openai", "claude", "gemini"]
        .into_iter()
        .map(|provider| {
            let service = service.clone();
            let req = request(&service, provider, None);
            tokio::spawn(async move { service.generate(req).await })
        })
        .collect();
    for handle in handles {
        let generation = handle
            .await
            .expect("the task runs")
            .expect("generation succeeds");
        assert_valid(TaskKind::TicketDescription, &generation.output);
    }
}
