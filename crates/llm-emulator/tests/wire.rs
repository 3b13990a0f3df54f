//! The emulator's wire formats as an SDK sees them: streaming SSE, tool calls, errors, the request
//! log, authentication and latency.

use std::time::Duration;

use llm_emulator::{EmulatorState, Fault, Protocol, RunningEmulator, Scripted};
use serde_json::{Value, json};

async fn start() -> (RunningEmulator, reqwest::Client) {
    let emulator = llm_emulator::spawn(EmulatorState::new()).await.unwrap();
    (emulator, reqwest::Client::new())
}

/// The `data:` payloads of an SSE body, with their `event:` names.
fn sse_events(body: &str) -> Vec<(Option<String>, String)> {
    let mut events = Vec::new();
    let mut name = None;
    for line in body.lines() {
        if let Some(event) = line.strip_prefix("event: ") {
            name = Some(event.to_owned());
        } else if let Some(data) = line.strip_prefix("data: ") {
            events.push((name.take(), data.to_owned()));
        }
    }
    events
}

fn schema() -> Value {
    json!({"type": "object", "additionalProperties": false, "required": ["title", "steps"],
           "properties": {"title": {"type": "string"}, "steps": {"type": "array", "minItems": 2, "items": {"type": "string"}}}})
}

#[tokio::test]
async fn openai_json_schema_requests_get_schema_valid_answers() {
    let (emulator, http) = start().await;
    let response: Value = http
        .post(format!("{}/chat/completions", emulator.openai_url()))
        .json(&json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
                      "response_format": {"type": "json_schema", "json_schema": {"name": "plan", "strict": true, "schema": schema()}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(response["object"], "chat.completion");
    assert_eq!(response["choices"][0]["finish_reason"], "stop");
    let content: Value = serde_json::from_str(
        response["choices"][0]["message"]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(content, json!({"title": "x", "steps": ["x", "x"]}));
    assert!(response["usage"]["total_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn openai_streams_content_and_usage_then_done() {
    let (emulator, http) = start().await;
    emulator.state.push(Scripted::Text(
        "The quick brown fox jumps over the lazy dog.".into(),
    ));
    let response = http
        .post(format!("{}/chat/completions", emulator.openai_url()))
        .json(
            &json!({"model": "gpt-4o", "stream": true, "stream_options": {"include_usage": true},
                      "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let events = sse_events(&response.text().await.unwrap());
    assert_eq!(events.last().unwrap().1, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|(_, data)| serde_json::from_str(data).unwrap())
        .collect();
    let text: String = chunks
        .iter()
        .filter_map(|c| {
            c.pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
        })
        .collect();
    assert_eq!(text, "The quick brown fox jumps over the lazy dog.");
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    assert_eq!(
        chunks[chunks.len() - 2]["choices"][0]["finish_reason"],
        "stop"
    );
    assert!(
        chunks.last().unwrap()["usage"]["completion_tokens"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn openai_forced_tool_calls_stream_their_arguments() {
    let (emulator, http) = start().await;
    let body = json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "plan"}],
        "tools": [{"type": "function", "function": {"name": "submit_plan", "parameters": schema(), "strict": true}}],
        "tool_choice": {"type": "function", "function": {"name": "submit_plan"}}});
    let text = http
        .post(format!("{}/chat/completions", emulator.openai_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = sse_events(&text);
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let name = chunks.iter().find_map(|c| {
        c.pointer("/choices/0/delta/tool_calls/0/function/name")
            .and_then(Value::as_str)
    });
    assert_eq!(name, Some("submit_plan"));
    let arguments: String = chunks
        .iter()
        .filter_map(|c| {
            c.pointer("/choices/0/delta/tool_calls/0/function/arguments")
                .and_then(Value::as_str)
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&arguments).unwrap(),
        json!({"title": "x", "steps": ["x", "x"]})
    );
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "tool_calls")
    );
}

#[tokio::test]
async fn anthropic_streams_the_event_sequence() {
    let (emulator, http) = start().await;
    emulator
        .state
        .push(Scripted::Text("Hello there, streaming world".into()));
    let text = http
        .post(format!("{}/messages", emulator.anthropic_url()))
        .header("anthropic-version", "2023-06-01")
        .json(
            &json!({"model": "claude-sonnet-4-5", "max_tokens": 100, "stream": true,
                      "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = sse_events(&text);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_deref().unwrap()).collect();
    assert_eq!(names.first(), Some(&"message_start"));
    assert_eq!(names.last(), Some(&"message_stop"));
    assert!(names.contains(&"content_block_delta") && names.contains(&"message_delta"));
    let streamed: String = events
        .iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
        .filter_map(|e| {
            e.pointer("/delta/text")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(streamed, "Hello there, streaming world");
}

#[tokio::test]
async fn anthropic_requires_max_tokens_like_the_real_api() {
    let (emulator, http) = start().await;
    let response = http
        .post(format!("{}/messages", emulator.anthropic_url()))
        .json(
            &json!({"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn gemini_streams_and_answers_with_the_response_schema() {
    let (emulator, http) = start().await;
    let url = format!(
        "{}/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        emulator.gemini_url()
    );
    let text = http
        .post(url)
        .json(&json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                      "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema()}}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let chunks: Vec<Value> = sse_events(&text)
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let joined: String = chunks
        .iter()
        .filter_map(|c| {
            c.pointer("/candidates/0/content/parts/0/text")
                .and_then(Value::as_str)
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&joined).unwrap(),
        json!({"title": "x", "steps": ["x", "x"]})
    );
    assert_eq!(
        chunks.last().unwrap()["candidates"][0]["finishReason"],
        "STOP"
    );
}

#[tokio::test]
async fn faults_are_served_in_order_then_rules_resume() {
    let (emulator, http) = start().await;
    emulator.state.push_fault(Fault::RateLimited {
        retry_after: Duration::from_millis(1500),
    });
    emulator.state.push_fault(Fault::Overloaded);
    let send = || {
        http.post(format!("{}/messages", emulator.anthropic_url()))
            .json(&json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}))
            .send()
    };
    let limited = send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(limited.headers()["retry-after-ms"], "1500");
    assert_eq!(send().await.unwrap().status(), 529);
    assert_eq!(send().await.unwrap().status(), 200);
    assert_eq!(emulator.state.queued(), 0);
}

#[tokio::test]
async fn requests_are_logged_and_keys_checked_with_latency_set() {
    let (emulator, http) = start().await;
    emulator.state.require_api_key("secret");
    emulator.state.set_latency(Duration::from_millis(100));
    let url = format!(
        "{}/models/gemini-2.5-flash:generateContent",
        emulator.gemini_url()
    );
    let body = json!({"contents": [{"parts": [{"text": "hi"}]}]});
    let denied = http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(denied.status(), 403, "Gemini refuses a call without a key");
    let allowed = http
        .post(format!("{url}?key=secret"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let log = emulator.state.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].protocol, Protocol::Gemini);
    assert_eq!(log[1].path, "/models/gemini-2.5-flash:generateContent");
    assert_eq!(log[1].query.as_deref(), Some("key=secret"));
    assert_eq!(log[1].body, body);
}

#[tokio::test]
async fn model_listings_answer() {
    let (emulator, http) = start().await;
    for url in [
        format!("{}/models", emulator.openai_url()),
        format!("{}/models", emulator.anthropic_url()),
        format!("{}/models", emulator.gemini_url()),
    ] {
        assert_eq!(http.get(&url).send().await.unwrap().status(), 200, "{url}");
    }
}

/// The status and body a protocol answers with the given key (`None`: no key header at all).
async fn call_with_key(
    emulator: &RunningEmulator,
    http: &reqwest::Client,
    protocol: Protocol,
    key: Option<&str>,
) -> (u16, Value) {
    let request = match protocol {
        Protocol::OpenAi => {
            let request = http
                .post(format!("{}/chat/completions", emulator.openai_url()))
                .json(&json!({"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}));
            match key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
        }
        Protocol::Anthropic => {
            let request = http
                .post(format!("{}/messages", emulator.anthropic_url()))
                .header("anthropic-version", "2023-06-01")
                .json(&json!({"model": "claude-sonnet-4-5", "max_tokens": 100,
                              "messages": [{"role": "user", "content": "hi"}]}));
            match key {
                Some(key) => request.header("x-api-key", key),
                None => request,
            }
        }
        Protocol::Gemini => {
            let request = http
                .post(format!(
                    "{}/models/gemini-2.5-flash:generateContent",
                    emulator.gemini_url()
                ))
                .json(&json!({"contents": [{"parts": [{"text": "hi"}]}]}));
            match key {
                Some(key) => request.header("x-goog-api-key", key),
                None => request,
            }
        }
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_required_key_is_enforced_with_each_providers_auth_errors_and_can_be_rotated() {
    let (emulator, http) = start().await;
    for protocol in [Protocol::OpenAi, Protocol::Anthropic, Protocol::Gemini] {
        emulator.state.accept_any_api_key();
        let (status, _) = call_with_key(&emulator, &http, protocol, Some("anything")).await;
        assert_eq!(status, 200, "{protocol:?}: no key required by default");

        emulator.state.require_api_key("key-one");
        assert_eq!(
            call_with_key(&emulator, &http, protocol, Some("key-one"))
                .await
                .0,
            200
        );
        let (wrong_status, wrong) = call_with_key(&emulator, &http, protocol, Some("key-x")).await;
        let (missing_status, missing) = call_with_key(&emulator, &http, protocol, None).await;
        match protocol {
            Protocol::OpenAi => {
                assert_eq!((wrong_status, missing_status), (401, 401));
                assert_eq!(wrong["error"]["code"], "invalid_api_key");
                assert_eq!(wrong["error"]["type"], "invalid_request_error");
                assert_eq!(missing["error"]["code"], Value::Null);
                assert!(
                    missing["error"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("You didn't provide an API key.")
                );
            }
            Protocol::Anthropic => {
                assert_eq!((wrong_status, missing_status), (401, 401));
                for body in [&wrong, &missing] {
                    assert_eq!(body["type"], "error");
                    assert_eq!(body["error"]["type"], "authentication_error");
                }
                assert!(
                    wrong["error"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("invalid x-api-key")
                );
            }
            Protocol::Gemini => {
                assert_eq!((wrong_status, missing_status), (400, 403));
                assert_eq!(wrong["error"]["code"], 400);
                assert_eq!(wrong["error"]["status"], "INVALID_ARGUMENT");
                assert_eq!(wrong["error"]["details"][0]["reason"], "API_KEY_INVALID");
                assert_eq!(missing["error"]["status"], "PERMISSION_DENIED");
            }
        }

        // A rotated key: the old one is refused from now on, the new one accepted.
        emulator.state.require_api_key("key-two");
        let (status, _) = call_with_key(&emulator, &http, protocol, Some("key-one")).await;
        assert_eq!(status, wrong_status, "{protocol:?}: the old key is refused");
        let (status, _) = call_with_key(&emulator, &http, protocol, Some("key-two")).await;
        assert_eq!(status, 200, "{protocol:?}: the new key is accepted");
    }
}
