//! Anthropic messages: `POST /messages` (JSON or SSE streaming, text or tool use) and
//! `GET /models`.

use std::convert::Infallible;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::exchange::{Exchange, content_text};
use crate::openai::pieces;
use crate::script::{Fault, Reply};
use crate::{Denied, EmulatorState, HANG, Protocol, tokens};

pub(crate) fn routes() -> Router<EmulatorState> {
    Router::new()
        .route("/messages", post(messages))
        .route("/models", get(models))
}

async fn models() -> Json<Value> {
    Json(json!({"data": [
        {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}
    ], "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"}))
}

fn exchange_of(body: &Value) -> Exchange {
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let first_user_text = messages
        .iter()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .map(|m| content_text(m.get("content").unwrap_or(&Value::Null)))
        .unwrap_or_default();
    let mut all_text = content_text(body.get("system").unwrap_or(&Value::Null));
    for message in &messages {
        all_text.push('\n');
        all_text.push_str(&content_text(
            message.get("content").unwrap_or(&Value::Null),
        ));
    }
    let forced_tool = match body.get("tool_choice") {
        Some(choice) if choice.get("type") == Some(&json!("tool")) => {
            let name = choice
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            body.get("tools")
                .and_then(Value::as_array)
                .and_then(|tools| tools.iter().find(|t| t.get("name") == Some(&json!(name))))
                .map(|t| {
                    (
                        name.to_owned(),
                        t.get("input_schema").cloned().unwrap_or(json!({})),
                    )
                })
        }
        Some(choice) if choice.get("type") == Some(&json!("any")) => {
            body.pointer("/tools/0").and_then(|t| {
                Some((
                    t.get("name")?.as_str()?.to_owned(),
                    t.get("input_schema")?.clone(),
                ))
            })
        }
        _ => None,
    };
    Exchange {
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        first_user_text,
        all_text,
        schema: body
            .pointer("/output_config/format/schema")
            .or_else(|| body.pointer("/output_format/schema"))
            .cloned(),
        schema_name: None,
        forced_tool,
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        include_usage: true,
    }
}

async fn messages(
    State(state): State<EmulatorState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "the body is not JSON",
            None,
        );
    };
    if body.get("max_tokens").and_then(Value::as_u64).is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "max_tokens: Field required",
            None,
        );
    }
    let exchange = exchange_of(&body);
    let _guard = match state
        .admit(
            Protocol::Anthropic,
            "/messages".into(),
            uri.query().map(str::to_owned),
            &headers,
            body,
        )
        .await
    {
        Ok(guard) => guard,
        Err(Denied::Wrong) => return fault(&Fault::Unauthorized),
        // Anthropic's answer to a request without `x-api-key`.
        Err(Denied::Missing) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "x-api-key header is required (emulated)",
                None,
            );
        }
    };
    let id = format!("msg_emu_{}", state.next_id());
    let mut response = match state.reply(&exchange) {
        Reply::Fault(Fault::Hang) => {
            tokio::time::sleep(HANG).await;
            fault(&Fault::ServerError)
        }
        Reply::Fault(f) => fault(&f),
        reply if exchange.stream => stream(&id, &exchange, reply),
        reply => Json(message(&id, &exchange, reply)).into_response(),
    };
    if let Ok(value) = format!("req_{id}").parse() {
        response.headers_mut().insert("request-id", value);
    }
    response
}

fn message(id: &str, exchange: &Exchange, reply: Reply) -> Value {
    let (content, stop, chars) = match reply {
        Reply::Text { text, truncated } => {
            let chars = text.chars().count();
            (
                json!([{"type": "text", "text": text}]),
                if truncated { "max_tokens" } else { "end_turn" },
                chars,
            )
        }
        Reply::ToolCall { name, arguments } => {
            let chars = arguments.to_string().chars().count();
            (
                json!([{"type": "tool_use", "id": format!("toolu_{id}"), "name": name, "input": arguments}]),
                "tool_use",
                chars,
            )
        }
        Reply::Refusal(text) => {
            let chars = text.chars().count();
            (json!([{"type": "text", "text": text}]), "refusal", chars)
        }
        Reply::Fault(_) => unreachable!("faults are answered before"),
    };
    json!({
        "id": id, "type": "message", "role": "assistant", "model": exchange.model,
        "content": content, "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": exchange.input_tokens(), "output_tokens": tokens(chars),
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    })
}

/// The event sequence of a streamed message: `message_start`, one content block with deltas,
/// `message_delta` with the stop reason and usage, `message_stop`.
fn stream(id: &str, exchange: &Exchange, reply: Reply) -> Response {
    let full = message(id, exchange, reply);
    let mut start = full.clone();
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    start["usage"]["output_tokens"] = json!(1);
    let block = &full["content"][0];
    let mut events = vec![(
        "message_start",
        json!({"type": "message_start", "message": start}),
    )];
    let (empty_block, deltas): (Value, Vec<Value>) = if block["type"] == "tool_use" {
        let arguments = block["input"].to_string();
        (
            json!({"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}),
            pieces(&arguments)
                .into_iter()
                .map(|p| json!({"type": "input_json_delta", "partial_json": p}))
                .collect(),
        )
    } else {
        (
            json!({"type": "text", "text": ""}),
            pieces(block["text"].as_str().unwrap_or_default())
                .into_iter()
                .map(|p| json!({"type": "text_delta", "text": p}))
                .collect(),
        )
    };
    events.push((
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": empty_block}),
    ));
    for delta in deltas {
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        ));
    }
    events.push((
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push((
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": full["stop_reason"], "stop_sequence": null},
               "usage": {"output_tokens": full["usage"]["output_tokens"]}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    let events = events.into_iter().map(|(name, data)| {
        Ok::<_, Infallible>(Event::default().event(name).data(data.to_string()))
    });
    Sse::new(futures::stream::iter(events)).into_response()
}

fn error(status: StatusCode, kind: &str, message: &str, details: Option<Value>) -> Response {
    let mut error = json!({"type": kind, "message": message});
    if let Some(details) = details {
        error["details"] = details;
    }
    (
        status,
        Json(json!({"type": "error", "error": error, "request_id": "req_emulator"})),
    )
        .into_response()
}

fn fault(fault: &Fault) -> Response {
    match fault {
        Fault::RateLimited { retry_after } => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "Number of requests has exceeded your rate limit (emulated).",
                None,
            );
            let headers = response.headers_mut();
            headers.insert("retry-after", retry_after.as_secs().max(1).into());
            headers.insert("retry-after-ms", (retry_after.as_millis() as u64).into());
            response
        }
        Fault::Overloaded => error(
            StatusCode::from_u16(529).expect("529 is a valid status"),
            "overloaded_error",
            "Overloaded (emulated)",
            None,
        ),
        Fault::ServerError | Fault::Hang => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "Internal server error (emulated).",
            None,
        ),
        Fault::MalformedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"id\": \"msg_broken\", \"content\": [",
        )
            .into_response(),
        Fault::QuotaExhausted => error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "You have reached your specified workspace API spend limit (emulated).",
            Some(json!({"error_code": "enforced_spend_limit_reached"})),
        ),
        Fault::Unauthorized => error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "invalid x-api-key (emulated)",
            None,
        ),
        Fault::BadRequest => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Invalid request (emulated).",
            None,
        ),
        Fault::NotFound => error(
            StatusCode::NOT_FOUND,
            "not_found_error",
            "model: not found (emulated)",
            None,
        ),
        // Truncation is answered as text by `EmulatorState::reply`; this arm is never reached.
        Fault::Truncated => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "Truncation fault misrouted (emulator bug).",
            None,
        ),
    }
}
