//! OpenAI chat completions: `POST /chat/completions` (JSON or SSE streaming, text or tool calls)
//! and `GET /models`.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

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
use crate::script::{Fault, Reply};
use crate::{Denied, EmulatorState, HANG, Protocol, tokens};

pub(crate) fn routes() -> Router<EmulatorState> {
    Router::new()
        .route("/chat/completions", post(chat))
        .route("/models", get(models))
}

async fn models() -> Json<Value> {
    Json(json!({"object": "list", "data": [
        {"id": "gpt-5-mini", "object": "model", "created": 0, "owned_by": "emulator"},
        {"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "emulator"}
    ]}))
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
    let all_text = messages
        .iter()
        .map(|m| content_text(m.get("content").unwrap_or(&Value::Null)))
        .collect::<Vec<_>>()
        .join("\n");
    let json_schema = body
        .pointer("/response_format/json_schema")
        .filter(|_| body.pointer("/response_format/type") == Some(&json!("json_schema")));
    let forced_tool = forced_tool(body);
    Exchange {
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        first_user_text,
        all_text,
        schema: json_schema.and_then(|s| s.get("schema")).cloned(),
        schema_name: json_schema
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        forced_tool,
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        include_usage: body.pointer("/stream_options/include_usage") == Some(&json!(true)),
    }
}

/// `tool_choice: "required"` (first tool) or `{"type": "function", "function": {"name": …}}`.
fn forced_tool(body: &Value) -> Option<(String, Value)> {
    let tools = body.get("tools")?.as_array()?;
    let wanted = match body.get("tool_choice")? {
        Value::String(choice) if choice == "required" => None,
        Value::Object(choice) => Some(choice.get("function")?.get("name")?.as_str()?.to_owned()),
        _ => return None,
    };
    let tool = tools.iter().find(|t| {
        wanted
            .as_deref()
            .is_none_or(|name| t.pointer("/function/name").and_then(Value::as_str) == Some(name))
    })?;
    Some((
        tool.pointer("/function/name")?.as_str()?.to_owned(),
        tool.pointer("/function/parameters")
            .cloned()
            .unwrap_or(json!({})),
    ))
}

async fn chat(
    State(state): State<EmulatorState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            "the body is not JSON",
        );
    };
    let exchange = exchange_of(&body);
    let _guard = match state
        .admit(
            Protocol::OpenAi,
            "/chat/completions".into(),
            uri.query().map(str::to_owned),
            &headers,
            body,
        )
        .await
    {
        Ok(guard) => guard,
        Err(Denied::Wrong) => return fault(&Fault::Unauthorized),
        // OpenAI's answer to a request without any key.
        Err(Denied::Missing) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_request_error",
                None,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the basic auth username and password. (emulated)",
            );
        }
    };
    let id = format!("chatcmpl-emu-{}", state.next_id());
    let mut response = match state.reply(&exchange) {
        Reply::Fault(Fault::Hang) => {
            tokio::time::sleep(HANG).await;
            fault(&Fault::ServerError)
        }
        Reply::Fault(f) => fault(&f),
        reply if exchange.stream => stream(&id, &exchange, reply),
        reply => Json(completion(&id, &exchange, reply)).into_response(),
    };
    if let Ok(value) = id.parse() {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn created() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn usage(exchange: &Exchange, output_chars: usize) -> Value {
    let (input, output) = (exchange.input_tokens(), tokens(output_chars));
    json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output})
}

fn completion(id: &str, exchange: &Exchange, reply: Reply) -> Value {
    let (message, finish, chars) = match reply {
        Reply::Text { text, truncated } => {
            let chars = text.chars().count();
            (
                json!({"role": "assistant", "content": text, "refusal": null}),
                if truncated { "length" } else { "stop" },
                chars,
            )
        }
        Reply::ToolCall { name, arguments } => {
            let arguments = arguments.to_string();
            let chars = arguments.chars().count();
            (
                json!({"role": "assistant", "content": null, "refusal": null, "tool_calls": [{
                    "id": format!("call_{id}"), "type": "function",
                    "function": {"name": name, "arguments": arguments}}]}),
                "tool_calls",
                chars,
            )
        }
        Reply::Refusal(text) => (
            json!({"role": "assistant", "content": null, "refusal": text}),
            "stop",
            0,
        ),
        Reply::Fault(_) => unreachable!("faults are answered before"),
    };
    json!({
        "id": id,
        "object": "chat.completion",
        "created": created(),
        "model": exchange.model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": usage(exchange, chars),
        "system_fingerprint": "fp_emulator",
    })
}

/// Server-sent chunks: the role, the content (or tool-call arguments) in pieces, the finish
/// reason, the usage when asked for, then `[DONE]`.
fn stream(id: &str, exchange: &Exchange, reply: Reply) -> Response {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": id, "object": "chat.completion.chunk", "created": created(),
            "model": exchange.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        })
    };
    let mut chunks = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    let (finish, chars) = match reply {
        Reply::Text { text, truncated } => {
            for piece in pieces(&text) {
                chunks.push(chunk(json!({"content": piece}), Value::Null));
            }
            (
                if truncated { "length" } else { "stop" },
                text.chars().count(),
            )
        }
        Reply::ToolCall { name, arguments } => {
            let arguments = arguments.to_string();
            chunks.push(chunk(
                json!({"tool_calls": [{"index": 0, "id": format!("call_{id}"), "type": "function",
                    "function": {"name": name, "arguments": ""}}]}),
                Value::Null,
            ));
            for piece in pieces(&arguments) {
                chunks.push(chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
                    Value::Null,
                ));
            }
            ("tool_calls", arguments.chars().count())
        }
        Reply::Refusal(text) => {
            chunks.push(chunk(json!({"refusal": text}), Value::Null));
            ("stop", 0)
        }
        Reply::Fault(_) => unreachable!("faults are answered before"),
    };
    chunks.push(chunk(json!({}), json!(finish)));
    if exchange.include_usage {
        chunks.push(json!({
            "id": id, "object": "chat.completion.chunk", "created": created(),
            "model": exchange.model, "choices": [], "usage": usage(exchange, chars),
        }));
    }
    let mut events: Vec<Event> = chunks
        .iter()
        .map(|c| Event::default().data(c.to_string()))
        .collect();
    events.push(Event::default().data("[DONE]"));
    Sse::new(futures::stream::iter(
        events.into_iter().map(Ok::<_, Infallible>),
    ))
    .into_response()
}

/// Splits text into chunks of about 16 characters.
pub(crate) fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(16).map(|c| c.iter().collect()).collect()
}

fn error(status: StatusCode, kind: &str, code: Option<&str>, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"message": message, "type": kind, "param": null, "code": code}})),
    )
        .into_response()
}

fn fault(fault: &Fault) -> Response {
    match fault {
        Fault::RateLimited { retry_after } => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "requests",
                Some("rate_limit_exceeded"),
                "Rate limit reached for requests (emulated).",
            );
            let headers = response.headers_mut();
            headers.insert("retry-after", retry_after.as_secs().max(1).into());
            headers.insert("retry-after-ms", (retry_after.as_millis() as u64).into());
            response
        }
        Fault::Overloaded => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            None,
            "The engine is currently overloaded (emulated).",
        ),
        Fault::ServerError | Fault::Hang => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            None,
            "The server had an error (emulated).",
        ),
        Fault::MalformedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"id\": \"chatcmpl-broken\", \"choices\": [{\"message\": ",
        )
            .into_response(),
        Fault::QuotaExhausted => error(
            StatusCode::TOO_MANY_REQUESTS,
            "insufficient_quota",
            Some("insufficient_quota"),
            "You exceeded your current quota, please check your plan and billing details (emulated).",
        ),
        Fault::Unauthorized => error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            Some("invalid_api_key"),
            "Incorrect API key provided (emulated).",
        ),
        Fault::BadRequest => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            "Invalid request (emulated).",
        ),
        Fault::NotFound => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("model_not_found"),
            "The model does not exist (emulated).",
        ),
        // Truncation is answered as text by `EmulatorState::reply`; this arm is never reached.
        Fault::Truncated => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            None,
            "Truncation fault misrouted (emulator bug).",
        ),
    }
}
