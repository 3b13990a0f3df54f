//! The sandbox also speaks the language-model providers' APIs, beside Jira and Confluence, so a
//! demo or a test needs one emulator for every external service.

mod support;

use sandbox::Seed;
use serde_json::json;

#[tokio::test]
async fn the_three_provider_apis_answer_on_the_sandbox_port() {
    let sandbox = support::start(Seed::Empty).await;
    let client = &sandbox.client;

    let openai: serde_json::Value = client
        .post(format!("{}/chat/completions", sandbox.handle.openai_url()))
        .bearer_auth("sk-test")
        .json(&json!({"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(openai["object"], "chat.completion", "{openai}");

    let anthropic = client
        .post(format!("{}/messages", sandbox.handle.anthropic_url()))
        .header("x-api-key", "sk-ant-test")
        .header("anthropic-version", "2023-06-01")
        .json(&json!({
            "model": "claude-sonnet-4-5", "max_tokens": 64,
            "messages": [{"role": "user", "content": "hi"}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(anthropic.status(), 200);
    let anthropic: serde_json::Value = anthropic.json().await.unwrap();
    assert_eq!(anthropic["type"], "message", "{anthropic}");

    let gemini = client
        .post(format!(
            "{}/models/gemini-2.5-flash:generateContent",
            sandbox.handle.gemini_url()
        ))
        .header("x-goog-api-key", "g-test")
        .json(&json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(gemini.status(), 200);
    let gemini: serde_json::Value = gemini.json().await.unwrap();
    assert!(gemini["candidates"].is_array(), "{gemini}");

    assert_eq!(sandbox.handle.llm().requests().len(), 3);
    // Provider traffic is not a Jira or Confluence write.
    assert!(sandbox.handle.write_log().is_empty());
}
