//! Google Gemini generateContent (`POST {base}/models/{model}:generateContent`, key in
//! `x-goog-api-key`, never in the URL).
//!
//! Structured output: `responseMimeType: application/json` plus `responseJsonSchema` (plain JSON
//! Schema) for current models, or `responseSchema` (Google's OpenAPI subset, converted here) for
//! older ones. Thought parts are skipped; thinking tokens count as output.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    ChatRequest, ChatResponse, FinishReason, ProviderError, Role, WireRequest, classify_status,
    str_at,
};
use crate::catalog::StructuredMode;
use crate::usage::Usage;

pub(crate) fn build_request(request: &ChatRequest) -> WireRequest {
    let contents: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            json!({
                "role": match m.role { Role::User => "user", Role::Assistant => "model" },
                "parts": [{"text": m.content}],
            })
        })
        .collect();
    let mut config = Map::new();
    config.insert("maxOutputTokens".into(), json!(request.max_output_tokens));
    if let Some(t) = request.temperature {
        config.insert("temperature".into(), json!(t));
    }
    if let Some(schema) = &request.schema {
        config.insert("responseMimeType".into(), json!("application/json"));
        match request.structured {
            StructuredMode::JsonSchema => {
                config.insert("responseJsonSchema".into(), schema.schema.clone());
            }
            StructuredMode::Compat => {
                config.insert("responseSchema".into(), openapi_subset(&schema.schema));
            }
            StructuredMode::JsonMode => {}
        }
    }
    WireRequest {
        path: format!("/models/{}:generateContent", request.model),
        body: json!({
            "systemInstruction": {"parts": [{"text": request.system}]},
            "contents": contents,
            "generationConfig": config,
        }),
        headers: Vec::new(),
    }
}

/// Converts JSON Schema to the OpenAPI subset `responseSchema` accepts: no `additionalProperties`
/// or `$schema`, and `"type": [T, "null"]` becomes `"type": T, "nullable": true`.
pub(crate) fn openapi_subset(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "additionalProperties" | "$schema" | "$id" => {}
                    "type" => match value {
                        Value::Array(types) => {
                            let concrete: Vec<&Value> = types
                                .iter()
                                .filter(|t| t.as_str() != Some("null"))
                                .collect();
                            if concrete.len() < types.len() {
                                out.insert("nullable".into(), Value::Bool(true));
                            }
                            if let Some(first) = concrete.first() {
                                out.insert("type".into(), (*first).clone());
                            }
                        }
                        other => {
                            out.insert("type".into(), other.clone());
                        }
                    },
                    // `anyOf [T, {"type": "null"}]` is a nullable T.
                    "anyOf" => match nullable_branch(value) {
                        Some(branch) => {
                            if let Value::Object(converted) = openapi_subset(branch) {
                                out.extend(converted);
                            }
                            out.insert("nullable".into(), Value::Bool(true));
                        }
                        None => {
                            out.insert(key.clone(), openapi_subset(value));
                        }
                    },
                    // `properties` maps names to schemas: convert the schemas, keep the names.
                    "properties" => {
                        let props = value
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(name, s)| (name.clone(), openapi_subset(s)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(key.clone(), openapi_subset(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(openapi_subset).collect()),
        other => other.clone(),
    }
}

/// The one non-null branch of an `anyOf` that also allows null.
fn nullable_branch(any_of: &Value) -> Option<&Value> {
    let branches = any_of.as_array()?;
    let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
    let rest: Vec<&Value> = branches.iter().filter(|b| !is_null(b)).collect();
    match (branches.len(), rest.as_slice()) {
        (2, [branch]) => Some(branch),
        _ => None,
    }
}

pub(crate) fn parse_response(json: &Value) -> Result<ChatResponse, ProviderError> {
    let usage = Usage {
        input_tokens: json
            .pointer("/usageMetadata/promptTokenCount")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        output_tokens: ["candidatesTokenCount", "thoughtsTokenCount"]
            .iter()
            .filter_map(|f| {
                json.pointer(&format!("/usageMetadata/{f}"))
                    .and_then(Value::as_u64)
            })
            .sum(),
    };
    let Some(candidate) = json.pointer("/candidates/0") else {
        if let Some(reason) = str_at(json, "/promptFeedback/blockReason") {
            return Ok(ChatResponse {
                text: String::new(),
                finish: FinishReason::Filtered(reason.to_owned()),
                usage,
                request_id: None,
            });
        }
        return Err(ProviderError::Malformed {
            protocol: "Gemini generateContent",
            message: "no candidates[0]".into(),
        });
    };
    let text = candidate
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter(|p| p.get("thought").and_then(Value::as_bool) != Some(true))
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("")
        })
        .unwrap_or_default();
    let finish = match candidate.get("finishReason").and_then(Value::as_str) {
        Some("STOP") | None => FinishReason::Stop,
        Some("MAX_TOKENS") => FinishReason::Length,
        Some(
            reason @ ("SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII"
            | "IMAGE_SAFETY"),
        ) => FinishReason::Filtered(reason.to_owned()),
        Some(other) => FinishReason::Other(other.to_owned()),
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
    let details = json
        .pointer("/error/details")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let typed = |suffix: &'static str| {
        details.iter().filter(move |d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with(suffix))
        })
    };
    let retry_delay = typed("RetryInfo")
        .find_map(|d| d.get("retryDelay").and_then(Value::as_str))
        .and_then(parse_google_duration);
    // A per-day quota will not recover by waiting seconds.
    let daily = typed("QuotaFailure").any(|d| {
        d.get("violations")
            .and_then(Value::as_array)
            .is_some_and(|vs| {
                vs.iter().any(|v| {
                    v.get("quotaId")
                        .and_then(Value::as_str)
                        .is_some_and(|id| id.contains("PerDay"))
                })
            })
    });
    if status == 429 && daily {
        return ProviderError::QuotaExhausted { status, message };
    }
    // Gemini answers a wrong or revoked key with 400 INVALID_ARGUMENT; only the reason says it is
    // the key, which the user must fix (and a rotated key file is re-read for).
    let bad_key = typed("ErrorInfo")
        .any(|d| d.get("reason").and_then(Value::as_str) == Some("API_KEY_INVALID"));
    if bad_key {
        return ProviderError::Authentication { status, message };
    }
    classify_status(status, message, retry_after.max(retry_delay))
}

/// Google's protobuf Duration JSON form: `"59s"`, `"1.5s"`.
fn parse_google_duration(text: &str) -> Option<Duration> {
    let seconds: f64 = text.strip_suffix('s')?.parse().ok()?;
    super::peer_seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{ChatMessage, OutputSchema};

    fn request(structured: StructuredMode) -> ChatRequest {
        ChatRequest {
            model: "gemini-2.5-flash".into(),
            system: "sys".into(),
            messages: vec![
                ChatMessage {
                    role: Role::User,
                    content: "hello".into(),
                },
                ChatMessage {
                    role: Role::Assistant,
                    content: "{}".into(),
                },
                ChatMessage {
                    role: Role::User,
                    content: "fix it".into(),
                },
            ],
            schema: Some(OutputSchema {
                name: "test_cases".into(),
                schema: json!({"type": "object", "additionalProperties": false,
                    "properties": {"note": {"type": ["string", "null"]}, "type": {"type": "string"},
                        "size": {"description": "d", "anyOf": [{"type": "integer"}, {"type": "null"}]}}}),
            }),
            structured,
            max_output_tokens: 8192,
            temperature: None,
        }
    }

    #[test]
    fn builds_generate_content_with_json_schema() {
        let wire = build_request(&request(StructuredMode::JsonSchema));
        assert_eq!(wire.path, "/models/gemini-2.5-flash:generateContent");
        assert_eq!(
            wire.body["systemInstruction"],
            json!({"parts": [{"text": "sys"}]})
        );
        assert_eq!(
            wire.body["contents"][1],
            json!({"role": "model", "parts": [{"text": "{}"}]})
        );
        let config = &wire.body["generationConfig"];
        assert_eq!(config["responseMimeType"], "application/json");
        assert_eq!(config["maxOutputTokens"], 8192);
        assert_eq!(config["responseJsonSchema"]["additionalProperties"], false);
    }

    #[test]
    fn older_models_get_the_openapi_subset() {
        let wire = build_request(&request(StructuredMode::Compat));
        assert_eq!(
            wire.body["generationConfig"]["responseSchema"],
            json!({"type": "object", "properties": {
                "note": {"type": "string", "nullable": true},
                "type": {"type": "string"},
                "size": {"description": "d", "type": "integer", "nullable": true}}})
        );
    }

    #[test]
    fn parses_parts_skipping_thoughts() {
        let answer = parse_response(&json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "thinking", "thought": true}, {"text": "{\"a\":"}, {"text": "1}"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 3, "thoughtsTokenCount": 4},
        }))
        .unwrap();
        assert_eq!(answer.text, "{\"a\":1}");
        assert_eq!(
            answer.usage,
            Usage {
                input_tokens: 9,
                output_tokens: 7
            }
        );
        let cut = parse_response(&json!({"candidates": [{"content": {"parts": [{"text": "{"}]}, "finishReason": "MAX_TOKENS"}]})).unwrap();
        assert_eq!(cut.finish, FinishReason::Length);
        let blocked =
            parse_response(&json!({"promptFeedback": {"blockReason": "SAFETY"}})).unwrap();
        assert_eq!(blocked.finish, FinishReason::Filtered("SAFETY".into()));
    }

    #[test]
    fn honours_retry_delay_and_stops_on_daily_quota() {
        let limited = classify_error(
            429,
            &json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "slow down", "details": [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}),
            None,
            String::new(),
        );
        assert_eq!(limited.retry_after(), Some(Duration::from_millis(1500)));
        let daily = classify_error(
            429,
            &json!({"error": {"code": 429, "message": "quota", "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "59s"}]}}),
            None,
            String::new(),
        );
        assert!(matches!(daily, ProviderError::QuotaExhausted { .. }));
    }

    #[test]
    fn a_wrong_key_is_an_authentication_error_despite_the_400() {
        let bad_key = classify_error(
            400,
            &json!({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                "message": "API key not valid. Please pass a valid API key.", "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com"}]}}),
            None,
            String::new(),
        );
        assert!(
            matches!(bad_key, ProviderError::Authentication { status: 400, .. }),
            "{bad_key:?}"
        );
        let bad_request = classify_error(
            400,
            &json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "bad field"}}),
            None,
            String::new(),
        );
        assert!(matches!(bad_request, ProviderError::BadRequest { .. }));
    }
}
