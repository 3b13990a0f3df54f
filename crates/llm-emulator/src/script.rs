//! What the emulator answers: canned answers queued by a test, injected faults, and the reply a
//! protocol module turns into its wire format.

use std::time::Duration;

use serde_json::Value;

/// One queued answer, consumed by the next request of any protocol (first in, first out).
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    /// This exact text as the model's answer (use it for invalid JSON, prose, fences…).
    Text(String),
    /// This JSON value, serialized, as the model's answer.
    Json(Value),
    /// A tool call with these arguments (OpenAI `tool_calls`, Anthropic `tool_use`).
    ToolCall { name: String, arguments: Value },
    /// The model declines: OpenAI `message.refusal`, Anthropic `stop_reason: refusal`, Gemini
    /// `finishReason: SAFETY`.
    Refusal(String),
    /// A failure instead of an answer.
    Fault(Fault),
}

/// Failures the emulator can inject.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 429 with `retry-after` / `retry-after-ms` (and Gemini `RetryInfo.retryDelay`).
    RateLimited { retry_after: Duration },
    /// Anthropic 529 `overloaded_error`; 503 for the other protocols.
    Overloaded,
    /// HTTP 500.
    ServerError,
    /// HTTP 200 whose body is not valid JSON.
    MalformedJson,
    /// The rule-based answer cut in half, with the protocol's "length" finish reason.
    Truncated,
    /// The quota or spend limit is exhausted (OpenAI `insufficient_quota`, Anthropic
    /// `enforced_spend_limit_reached`, Gemini per-day `QuotaFailure`): HTTP 429 that must not be
    /// retried.
    QuotaExhausted,
    /// The key is rejected: HTTP 401 (OpenAI `invalid_api_key`, Anthropic `authentication_error`),
    /// Gemini HTTP 400 `INVALID_ARGUMENT` with reason `API_KEY_INVALID`, as each provider answers
    /// a wrong key.
    Unauthorized,
    /// HTTP 400.
    BadRequest,
    /// HTTP 404 (unknown model).
    NotFound,
    /// Never answers (until the client gives up): for timeout and cancellation tests.
    Hang,
}

/// The answer chosen for one request, before it is put on the wire.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    Text { text: String, truncated: bool },
    ToolCall { name: String, arguments: Value },
    Refusal(String),
    Fault(Fault),
}
