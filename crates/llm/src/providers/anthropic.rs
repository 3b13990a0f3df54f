//! Anthropic messages (`POST {base}/messages`, `anthropic-version: 2023-06-01`).
//!
//! Structured output: models with native support get `output_config.format` (JSON Schema,
//! constrained decoding — the only way on the newest models, which reject forced tool use); older
//! models get one tool whose `input_schema` is the schema and a forced `tool_choice`, and the tool
//! call's `input` is the answer. Content blocks are picked by `type`, so thinking blocks are skipped.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    ChatRequest, ChatResponse, FinishReason, ProviderError, Role, WireRequest, classify_status,
    str_at,
};
use crate::catalog::StructuredMode;
use crate::usage::Usage;

pub(crate) const API_VERSION: &str = "2023-06-01";

pub(crate) fn build_request(request: &ChatRequest) -> WireRequest {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            json!({
                "role": match m.role { Role::User => "user", Role::Assistant => "assistant" },
                "content": m.content,
            })
        })
        .collect();
    let mut body = Map::from_iter([
        ("model".to_owned(), json!(request.model)),
        ("max_tokens".to_owned(), json!(request.max_output_tokens)),
        ("system".to_owned(), json!(request.system)),
        ("messages".to_owned(), Value::Array(messages)),
    ]);
    if let Some(t) = request.temperature {
        body.insert("temperature".into(), json!(t));
    }
    if let Some(schema) = &request.schema {
        match request.structured {
            StructuredMode::JsonSchema => {
                body.insert(
                    "output_config".into(),
                    json!({"format": {"type": "json_schema", "schema": schema.schema}}),
                );
            }
            StructuredMode::Compat => {
                body.insert(
                    "tools".into(),
                    json!([{
                        "name": schema.name,
                        "description": "Submit the answer. The tool input is the complete answer.",
                        "input_schema": schema.schema,
                    }]),
                );
                body.insert(
                    "tool_choice".into(),
                    json!({"type": "tool", "name": schema.name}),
                );
            }
            // The schema is in the prompt; the answer comes back as text.
            StructuredMode::JsonMode => {}
        }
    }
    WireRequest {
        path: "/messages".into(),
        body: Value::Object(body),
        headers: vec![("anthropic-version", API_VERSION.to_owned())],
    }
}

pub(crate) fn parse_response(json: &Value) -> Result<ChatResponse, ProviderError> {
    let blocks = json
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed {
            protocol: "Anthropic messages",
            message: "no content array".into(),
        })?;
    let tool_input = blocks
        .iter()
        .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
        .and_then(|b| b.get("input"));
    let text = match tool_input {
        Some(input) => input.to_string(),
        None => blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
    };
    let finish = match json.get("stop_reason").and_then(Value::as_str) {
        Some("max_tokens") => FinishReason::Length,
        Some("refusal") => FinishReason::Refusal(text.clone()),
        Some("end_turn" | "tool_use" | "stop_sequence") | None => FinishReason::Stop,
        Some(other) => FinishReason::Other(other.to_owned()),
    };
    let count = |field: &str| {
        json.pointer(&format!("/usage/{field}"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(ChatResponse {
        text,
        finish,
        usage: Usage {
            input_tokens: count("input_tokens")
                + count("cache_creation_input_tokens")
                + count("cache_read_input_tokens"),
            output_tokens: count("output_tokens"),
        },
        request_id: None,
    })
}

pub(crate) fn classify_error(
    status: u16,
    json: &Value,
    retry_after: Option<Duration>,
    fallback: String,
) -> ProviderError {
    let message = str_at(json, "/error/message")
        .map(str::to_owned)
        .unwrap_or(fallback);
    let spend_limit =
        str_at(json, "/error/details/error_code") == Some("enforced_spend_limit_reached");
    let no_credit = status == 400 && message.to_ascii_lowercase().contains("credit balance");
    if spend_limit || no_credit {
        return ProviderError::QuotaExhausted { status, message };
    }
    classify_status(status, message, retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{ChatMessage, OutputSchema};

    fn request(structured: StructuredMode) -> ChatRequest {
        ChatRequest {
            model: "claude-sonnet-4-5".into(),
            system: "sys".into(),
            messages: vec![ChatMessage {
                role: Role::User,
                content: "hello".into(),
            }],
            schema: Some(OutputSchema {
                name: "story_tasks".into(),
                schema: json!({"type": "object"}),
            }),
            structured,
            max_output_tokens: 8000,
            temperature: Some(0.5),
        }
    }

    #[test]
    fn builds_output_config_and_forced_tool_requests() {
        let native = build_request(&request(StructuredMode::JsonSchema));
        assert_eq!(native.path, "/messages");
        assert_eq!(
            native.body,
            json!({
                "model": "claude-sonnet-4-5", "max_tokens": 8000, "system": "sys",
                "messages": [{"role": "user", "content": "hello"}],
                "temperature": 0.5,
                "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}},
            })
        );
        assert_eq!(
            native.headers,
            vec![("anthropic-version", "2023-06-01".to_owned())]
        );
        let tool = build_request(&request(StructuredMode::Compat));
        assert_eq!(
            tool.body["tool_choice"],
            json!({"type": "tool", "name": "story_tasks"})
        );
        assert_eq!(
            tool.body["tools"][0]["input_schema"],
            json!({"type": "object"})
        );
        assert!(tool.body.get("output_config").is_none());
    }

    #[test]
    fn parses_text_tool_use_and_stop_reasons() {
        let text = parse_response(&json!({
            "content": [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "{\"a\":1}"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 2},
        }))
        .unwrap();
        assert_eq!(text.text, "{\"a\":1}");
        assert_eq!(
            text.usage,
            Usage {
                input_tokens: 12,
                output_tokens: 4
            }
        );
        let tool = parse_response(&json!({
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "x", "input": {"items": [1, 2]}}],
            "stop_reason": "tool_use",
        }))
        .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&tool.text).unwrap(),
            json!({"items": [1, 2]})
        );
        let cut = parse_response(
            &json!({"content": [{"type": "text", "text": "{"}], "stop_reason": "max_tokens"}),
        )
        .unwrap();
        assert_eq!(cut.finish, FinishReason::Length);
    }

    #[test]
    fn spend_limit_is_not_retried_but_overload_is() {
        let spend = classify_error(
            429,
            &json!({"type": "error", "error": {"type": "rate_limit_error", "message": "spend limit", "details": {"error_code": "enforced_spend_limit_reached"}}}),
            None,
            String::new(),
        );
        assert!(matches!(spend, ProviderError::QuotaExhausted { .. }));
        let overloaded = classify_error(
            529,
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            None,
            String::new(),
        );
        assert!(overloaded.is_retryable());
        assert!(overloaded.to_string().contains("Overloaded"));
    }
}
