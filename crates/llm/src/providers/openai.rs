//! OpenAI chat completions (`POST {base}/chat/completions`), spoken by OpenAI, Moonshot (Kimi) and
//! every OpenAI-compatible server.
//!
//! Structured output uses `response_format: json_schema` with `strict: true` (constrained decoding)
//! or, for models and servers without it, `json_object` with the schema in the prompt. OpenAI itself
//! takes `max_completion_tokens` (which includes hidden reasoning tokens); Moonshot and local servers
//! take `max_tokens`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    ChatRequest, ChatResponse, FinishReason, ProviderError, Role, WireRequest, classify_status,
    str_at,
};
use crate::catalog::StructuredMode;
use crate::provider_id::ProviderId;
use crate::usage::Usage;

pub(crate) fn build_request(provider: ProviderId, request: &ChatRequest) -> WireRequest {
    let mut messages = vec![json!({"role": "system", "content": request.system})];
    messages.extend(request.messages.iter().map(|m| {
        json!({
            "role": match m.role { Role::User => "user", Role::Assistant => "assistant" },
            "content": m.content,
        })
    }));
    let mut body = Map::from_iter([
        ("model".to_owned(), json!(request.model)),
        ("messages".to_owned(), Value::Array(messages)),
        ("stream".to_owned(), json!(false)),
    ]);
    let budget_field = if provider == ProviderId::OpenAi {
        "max_completion_tokens"
    } else {
        "max_tokens"
    };
    body.insert(budget_field.into(), json!(request.max_output_tokens));
    if let Some(t) = request.temperature {
        body.insert("temperature".into(), json!(t));
    }
    if let Some(schema) = &request.schema {
        let format = match request.structured {
            StructuredMode::JsonSchema => json!({
                "type": "json_schema",
                "json_schema": {"name": schema.name, "strict": true, "schema": schema.schema},
            }),
            StructuredMode::Compat | StructuredMode::JsonMode => json!({"type": "json_object"}),
        };
        body.insert("response_format".into(), format);
    }
    WireRequest {
        path: "/chat/completions".into(),
        body: Value::Object(body),
        headers: Vec::new(),
    }
}

pub(crate) fn parse_response(json: &Value) -> Result<ChatResponse, ProviderError> {
    let malformed = |message: &str| ProviderError::Malformed {
        protocol: "OpenAI chat completions",
        message: message.to_owned(),
    };
    let choice = json
        .pointer("/choices/0")
        .ok_or_else(|| malformed("no choices[0]"))?;
    let message = choice
        .get("message")
        .ok_or_else(|| malformed("no choices[0].message"))?;
    let mut text = message
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if text.is_empty()
        && let Some(arguments) = str_at(message, "/tool_calls/0/function/arguments")
    {
        text = arguments.to_owned();
    }
    let finish = match (
        str_at(message, "/refusal"),
        choice.get("finish_reason").and_then(Value::as_str),
    ) {
        (Some(refusal), _) => FinishReason::Refusal(refusal.to_owned()),
        (None, Some("length")) => FinishReason::Length,
        (None, Some("content_filter")) => FinishReason::Filtered("content_filter".into()),
        (None, Some("stop" | "tool_calls" | "function_call") | None) => FinishReason::Stop,
        (None, Some(other)) => FinishReason::Other(other.to_owned()),
    };
    let usage = Usage {
        input_tokens: json
            .pointer("/usage/prompt_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        output_tokens: json
            .pointer("/usage/completion_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    };
    Ok(ChatResponse {
        text,
        finish,
        usage,
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
    let kind = [str_at(json, "/error/code"), str_at(json, "/error/type")];
    if kind.contains(&Some("insufficient_quota"))
        || kind.contains(&Some("billing_hard_limit_reached"))
    {
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
            model: "gpt-5-mini".into(),
            system: "sys".into(),
            messages: vec![ChatMessage {
                role: Role::User,
                content: "hello".into(),
            }],
            schema: Some(OutputSchema {
                name: "ticket_description".into(),
                schema: json!({"type": "object"}),
            }),
            structured,
            max_output_tokens: 1000,
            temperature: None,
        }
    }

    #[test]
    fn builds_strict_json_schema_requests() {
        let wire = build_request(ProviderId::OpenAi, &request(StructuredMode::JsonSchema));
        assert_eq!(wire.path, "/chat/completions");
        assert_eq!(
            wire.body,
            json!({
                "model": "gpt-5-mini",
                "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}],
                "stream": false,
                "max_completion_tokens": 1000,
                "response_format": {"type": "json_schema", "json_schema": {
                    "name": "ticket_description", "strict": true, "schema": {"type": "object"}}},
            })
        );
    }

    #[test]
    fn moonshot_gets_json_object_and_max_tokens() {
        let mut req = request(StructuredMode::JsonMode);
        req.temperature = Some(0.2);
        let wire = build_request(ProviderId::Kimi, &req);
        assert_eq!(wire.body["response_format"], json!({"type": "json_object"}));
        assert_eq!(wire.body["max_tokens"], 1000);
        assert!(wire.body.get("max_completion_tokens").is_none());
        assert!((wire.body["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    }

    #[test]
    fn parses_content_tool_calls_refusals_and_truncation() {
        let answer = parse_response(&json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "{\"a\":1}", "refusal": null}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
        }))
        .unwrap();
        assert_eq!(answer.text, "{\"a\":1}");
        assert_eq!(answer.finish, FinishReason::Stop);
        assert_eq!(
            answer.usage,
            Usage {
                input_tokens: 12,
                output_tokens: 5
            }
        );

        let tool = parse_response(&json!({"choices": [{"message": {"content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "x", "arguments": "{\"b\":2}"}}]},
            "finish_reason": "tool_calls"}]}))
        .unwrap();
        assert_eq!(tool.text, "{\"b\":2}");

        let cut = parse_response(
            &json!({"choices": [{"message": {"content": "{\"a\":"}, "finish_reason": "length"}]}),
        )
        .unwrap();
        assert_eq!(cut.finish, FinishReason::Length);

        let refused = parse_response(&json!({"choices": [{"message": {"content": null, "refusal": "no"}, "finish_reason": "stop"}]})).unwrap();
        assert_eq!(refused.finish, FinishReason::Refusal("no".into()));

        assert!(matches!(
            parse_response(&json!({"choices": []})),
            Err(ProviderError::Malformed { .. })
        ));
    }

    #[test]
    fn insufficient_quota_is_not_a_rate_limit() {
        let quota = classify_error(
            429,
            &json!({"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}}),
            None,
            String::new(),
        );
        assert!(matches!(quota, ProviderError::QuotaExhausted { .. }));
        assert!(!quota.is_retryable());
        let limited = classify_error(
            429,
            &json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
            Some(Duration::from_secs(2)),
            String::new(),
        );
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        assert!(limited.is_retryable());
    }
}
