//! Gemini: `POST /models/{model}:generateContent`, `:streamGenerateContent` (SSE with `alt=sse`)
//! and `GET /models`.

use std::convert::Infallible;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
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
        .route("/models", get(models))
        .route("/models/{target}", post(generate))
}

async fn models() -> Json<Value> {
    Json(json!({"models": [{
        "name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash",
        "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
        "supportedGenerationMethods": ["generateContent", "streamGenerateContent"]
    }]}))
}

fn exchange_of(model: &str, body: &Value) -> Exchange {
    let contents = body
        .get("contents")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let text_of = |c: &Value| content_text(c.get("parts").unwrap_or(&Value::Null));
    let first_user_text = contents
        .iter()
        .find(|c| c.get("role").and_then(Value::as_str).unwrap_or("user") == "user")
        .map(text_of)
        .unwrap_or_default();
    let mut all_text = body
        .pointer("/systemInstruction/parts")
        .map(content_text)
        .unwrap_or_default();
    for content in &contents {
        all_text.push('\n');
        all_text.push_str(&text_of(content));
    }
    let config = body.get("generationConfig").cloned().unwrap_or(json!({}));
    Exchange {
        model: model.to_owned(),
        first_user_text,
        all_text,
        schema: config
            .get("responseJsonSchema")
            .or_else(|| config.get("responseSchema"))
            .cloned(),
        schema_name: None,
        forced_tool: None,
        stream: false,
        include_usage: true,
    }
}

async fn generate(
    State(state): State<EmulatorState>,
    Path(target): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((model, method)) = target.split_once(':') else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("unknown method for {target}"),
            vec![],
        );
    };
    let streaming = match method {
        "generateContent" => false,
        "streamGenerateContent" => true,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("unknown method {method}"),
                vec![],
            );
        }
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "the body is not JSON",
            vec![],
        );
    };
    let exchange = exchange_of(model, &body);
    let _guard = match state
        .admit(
            Protocol::Gemini,
            format!("/models/{target}"),
            uri.query().map(str::to_owned),
            &headers,
            body,
        )
        .await
    {
        Ok(guard) => guard,
        Err(Denied::Wrong) => return fault(&Fault::Unauthorized),
        // Google APIs refuse a call without any key as an unidentified caller.
        Err(Denied::Missing) => {
            return error(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API. (emulated)",
                vec![],
            );
        }
    };
    let id = format!("emu-{}", state.next_id());
    match state.reply(&exchange) {
        Reply::Fault(Fault::Hang) => {
            tokio::time::sleep(HANG).await;
            fault(&Fault::ServerError)
        }
        Reply::Fault(f) => fault(&f),
        reply if streaming => {
            let full = response(&id, &exchange, reply);
            let text = full
                .pointer("/candidates/0/content/parts/0/text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let parts = pieces(&text);
            let last = parts.len().saturating_sub(1);
            let events: Vec<_> = parts
                .into_iter()
                .enumerate()
                .map(|(i, piece)| {
                    let mut chunk = full.clone();
                    chunk["candidates"][0]["content"]["parts"] = json!([{"text": piece}]);
                    if i != last {
                        chunk["candidates"][0]
                            .as_object_mut()
                            .map(|c| c.remove("finishReason"));
                    }
                    Ok::<_, Infallible>(Event::default().data(chunk.to_string()))
                })
                .collect();
            Sse::new(futures::stream::iter(events)).into_response()
        }
        reply => Json(response(&id, &exchange, reply)).into_response(),
    }
}

fn response(id: &str, exchange: &Exchange, reply: Reply) -> Value {
    let (text, finish) = match reply {
        Reply::Text { text, truncated } => (text, if truncated { "MAX_TOKENS" } else { "STOP" }),
        Reply::ToolCall { arguments, .. } => (arguments.to_string(), "STOP"),
        Reply::Refusal(_) => (String::new(), "SAFETY"),
        Reply::Fault(_) => unreachable!("faults are answered before"),
    };
    let (input, output) = (exchange.input_tokens(), tokens(text.chars().count()));
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [{"text": text}]},
            "finishReason": finish,
            "index": 0,
        }],
        "usageMetadata": {"promptTokenCount": input, "candidatesTokenCount": output, "totalTokenCount": input + output},
        "modelVersion": exchange.model,
        "responseId": id,
    })
}

fn error(status: StatusCode, code: &str, message: &str, details: Vec<Value>) -> Response {
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": message, "status": code, "details": details}})),
    )
        .into_response()
}

fn fault(fault: &Fault) -> Response {
    match fault {
        Fault::RateLimited { retry_after } => error(
            StatusCode::TOO_MANY_REQUESTS,
            "RESOURCE_EXHAUSTED",
            "Resource has been exhausted (e.g. check quota). (emulated)",
            vec![json!({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": format!("{}s", retry_after.as_secs_f64())})],
        ),
        Fault::Overloaded => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later. (emulated)",
            vec![],
        ),
        Fault::ServerError | Fault::Hang => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "An internal error has occurred. (emulated)",
            vec![],
        ),
        Fault::MalformedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"candidates\": [{\"content\": ",
        )
            .into_response(),
        Fault::QuotaExhausted => error(
            StatusCode::TOO_MANY_REQUESTS,
            "RESOURCE_EXHAUSTED",
            "You exceeded your current quota. (emulated)",
            vec![
                json!({"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                                        "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}),
            ],
        ),
        // Gemini answers a wrong key with 400, not 401; the reason tells it from other 400s.
        Fault::Unauthorized => error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key. (emulated)",
            vec![json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"}})],
        ),
        Fault::BadRequest => error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "Invalid argument (emulated).",
            vec![],
        ),
        Fault::NotFound => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "models/unknown is not found (emulated).",
            vec![],
        ),
        // Truncation is answered as text by `EmulatorState::reply`; this arm is never reached.
        Fault::Truncated => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Truncation fault misrouted (emulator bug).",
            vec![],
        ),
    }
}
