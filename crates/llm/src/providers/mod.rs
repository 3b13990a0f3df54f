//! Provider-neutral chat calls and the HTTP client that sends them.
//!
//! Each wire protocol has a module with two pure halves — build the request JSON, parse the
//! response or error JSON — so the exact bytes can be unit-tested; [`ProviderClient`] does the I/O
//! (one concurrency limit per provider, a request timeout) and nothing else. Retrying is the caller's
//! decision ([`crate::retry`]), based on the [`ProviderError`] classification made here.

pub mod anthropic;
pub mod gemini;
pub mod openai;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::api_key::ApiKeySource;
use crate::catalog::StructuredMode;
use crate::provider_id::{ProviderId, WireProtocol};
use crate::usage::Usage;

/// Who speaks a message after the system prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// The JSON Schema an answer must satisfy, with a name some protocols require.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSchema {
    /// `^[a-zA-Z0-9_-]{1,64}$` (OpenAI's rule for schema and tool names).
    pub name: String,
    pub schema: Value,
}

/// One model call, independent of the wire protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub system: String,
    pub messages: Vec<ChatMessage>,
    pub schema: Option<OutputSchema>,
    pub structured: StructuredMode,
    pub max_output_tokens: u32,
    pub temperature: Option<f32>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    /// The output budget ran out: the answer is truncated.
    Length,
    /// The model declined to answer.
    Refusal(String),
    /// A safety or content filter stopped the answer.
    Filtered(String),
    Other(String),
}

/// One model answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub text: String,
    pub finish: FinishReason,
    pub usage: Usage,
    pub request_id: Option<String>,
}

/// A failed call, classified so the retry loop and the user know what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("could not reach the provider: {message}")]
    Transport { message: String },
    #[error("the provider did not answer within {0:?}")]
    Timeout(Duration),
    #[error("rate limited (HTTP 429): {message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the provider is overloaded or failing (HTTP {status}): {message}")]
    Unavailable {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error(
        "quota or spend limit reached (HTTP {status}): {message}; raise the limit or add credit with the provider, then retry the job"
    )]
    QuotaExhausted { status: u16, message: String },
    #[error("the provider rejected the credentials (HTTP {status}): {message}; check the API key")]
    Authentication { status: u16, message: String },
    #[error("not found (HTTP 404): {message}; check the model name and the provider's base URL")]
    NotFound { message: String },
    #[error("the provider rejected the request (HTTP {status}): {message}")]
    BadRequest { status: u16, message: String },
    #[error(
        "the provider's answer is larger than the limit of {limit} bytes; raise LLM_MAX_RESPONSE_BYTES or ask for a shorter answer"
    )]
    ResponseTooLarge { limit: usize },
    #[error("the provider's answer is not valid {protocol} JSON: {message}")]
    Malformed {
        protocol: &'static str,
        message: String,
    },
}

impl ProviderError {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::Transport { .. }
                | ProviderError::Timeout(_)
                | ProviderError::RateLimited { .. }
                | ProviderError::Unavailable { .. }
                | ProviderError::Malformed { .. }
        )
    }

    /// The wait the provider asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. }
            | ProviderError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Maps a status that no protocol-specific rule claimed.
pub(crate) fn classify_status(
    status: u16,
    message: String,
    retry_after: Option<Duration>,
) -> ProviderError {
    match status {
        401 | 403 => ProviderError::Authentication { status, message },
        404 => ProviderError::NotFound { message },
        408 | 409 => ProviderError::Unavailable {
            status,
            message,
            retry_after,
        },
        429 => ProviderError::RateLimited {
            message,
            retry_after,
        },
        500..=599 => ProviderError::Unavailable {
            status,
            message,
            retry_after,
        },
        _ => ProviderError::BadRequest { status, message },
    }
}

/// `Retry-After` (seconds or an HTTP date) or `retry-after-ms` (what the OpenAI and Anthropic SDKs
/// honour first).
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    if let Some(wait) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|ms| peer_seconds(ms / 1000.0))
    {
        return Some(wait);
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return peer_seconds(seconds);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A number of seconds a peer sent, as a `Duration` that never panics: NaN and negatives mean
/// "no wait given" (`None`), and anything too large for a `Duration` (`1e20`, `inf`) saturates to
/// [`Duration::MAX`]; the retry policy caps every wait at its `max_wait`.
pub(crate) fn peer_seconds(seconds: f64) -> Option<Duration> {
    if seconds.is_nan() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

/// Default of [`ProviderClient::with_max_response_bytes`]: far above any chat answer (a
/// 128k-token answer is well under 1 MiB of JSON).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How much of an error (non-2xx) body is kept for the error message; the rest is dropped.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A request as a protocol module builds it: URL path relative to the base URL, body, extra headers.
pub(crate) struct WireRequest {
    pub path: String,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

/// Sends chat requests to one provider over HTTP.
#[derive(Clone)]
pub struct ProviderClient {
    id: ProviderId,
    base_url: String,
    /// Shared by clones, so every clone sees a rotated key file's cache.
    api_key: Option<Arc<ApiKeySource>>,
    http: reqwest::Client,
    timeout: Duration,
    limiter: Arc<Semaphore>,
    max_response_bytes: usize,
}

impl std::fmt::Debug for ProviderClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderClient")
            .field("id", &self.id)
            .field("base_url", &self.base_url)
            .field("has_key", &self.api_key.is_some())
            .field(
                "key_file",
                &self.api_key.as_deref().and_then(ApiKeySource::path),
            )
            .finish()
    }
}

impl ProviderClient {
    pub fn new(
        id: ProviderId,
        base_url: &str,
        api_key: Option<SecretString>,
        http: reqwest::Client,
        timeout: Duration,
        max_concurrency: usize,
    ) -> ProviderClient {
        ProviderClient {
            id,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.map(|key| Arc::new(ApiKeySource::Static(key))),
            http,
            timeout,
            limiter: Arc::new(Semaphore::new(max_concurrency.max(1))),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Caps the size of an answer body: a larger one fails with
    /// [`ProviderError::ResponseTooLarge`] after at most `limit` bytes were read.
    pub fn with_max_response_bytes(mut self, limit: usize) -> ProviderClient {
        self.max_response_bytes = limit;
        self
    }

    /// Takes the key from `source` (a key file that may be rotated, say) instead of the key given
    /// to [`ProviderClient::new`]; `None` sends no key.
    pub fn with_key_source(mut self, source: Option<ApiKeySource>) -> ProviderClient {
        self.api_key = source.map(Arc::new);
        self
    }

    pub fn id(&self) -> ProviderId {
        self.id
    }

    /// The key to send now (a key file is re-read first if it changed).
    pub fn current_key(&self) -> Option<SecretString> {
        self.api_key.as_deref().map(ApiKeySource::current)
    }

    /// After the provider rejected `rejected`: re-reads a key file and tells whether it now holds
    /// another key, worth one more try. `false` for a static key or no key.
    pub fn reload_key_after_rejection(&self, rejected: Option<&SecretString>) -> bool {
        match (self.api_key.as_deref(), rejected) {
            (Some(source), Some(rejected)) => source.reload_after_rejection(rejected),
            _ => false,
        }
    }

    /// Calls the model once with the current key. Waits for a slot under the provider's
    /// concurrency limit first; the slot is released when the answer has been read.
    pub async fn send(&self, request: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        self.send_with_key(request, self.current_key().as_ref())
            .await
    }

    /// [`ProviderClient::send`] with this key (from [`ProviderClient::current_key`]), so a caller
    /// knows which key a rejection was about.
    pub async fn send_with_key(
        &self,
        request: &ChatRequest,
        key: Option<&SecretString>,
    ) -> Result<ChatResponse, ProviderError> {
        let key = key.map(|k| k.expose_secret());
        let wire = match self.id.protocol() {
            WireProtocol::OpenAiChat => openai::build_request(self.id, request),
            WireProtocol::AnthropicMessages => anthropic::build_request(request),
            WireProtocol::GeminiGenerateContent => gemini::build_request(request),
            WireProtocol::Offline => {
                return Err(ProviderError::BadRequest {
                    status: 0,
                    message: "the offline provider has no HTTP endpoint".into(),
                });
            }
        };
        let mut builder = self
            .http
            .post(format!("{}{}", self.base_url, wire.path))
            .timeout(self.timeout)
            .json(&wire.body);
        for (name, value) in wire.headers {
            builder = builder.header(name, value);
        }
        if let Some(key) = key {
            builder = match self.id.protocol() {
                WireProtocol::AnthropicMessages => builder.header("x-api-key", key),
                WireProtocol::GeminiGenerateContent => builder.header("x-goog-api-key", key),
                _ => builder.bearer_auth(key),
            };
        }
        let _permit = self
            .limiter
            .acquire()
            .await
            // Only a closed semaphore refuses a permit, and nothing closes this one.
            .map_err(|closed| ProviderError::Transport {
                message: format!("the concurrency limiter is closed: {closed}"),
            })?;
        let response = builder.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let success = (200..300).contains(&status);
        // An error body only feeds a message, so it is cut short instead of failing the call.
        let limit = if success {
            self.max_response_bytes
        } else {
            self.max_response_bytes.min(MAX_ERROR_BODY_BYTES)
        };
        let body = match self.read_body(response, limit).await {
            Ok(body) => body,
            Err(BodyError::TooLarge { partial }) if !success => partial,
            Err(BodyError::TooLarge { .. }) => {
                return Err(ProviderError::ResponseTooLarge { limit });
            }
            Err(BodyError::Network(e)) => return Err(self.transport_error(&e)),
        };
        drop(_permit);
        let request_id = ["x-request-id", "request-id", "x-goog-request-id"]
            .iter()
            .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
            .map(str::to_owned);
        let retry_after = retry_after_header(&headers);
        let json: Result<Value, _> = serde_json::from_slice(&body);
        if !(200..300).contains(&status) {
            let json = json.unwrap_or(Value::Null);
            let fallback = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(match self.id.protocol() {
                WireProtocol::OpenAiChat => {
                    openai::classify_error(status, &json, retry_after, fallback)
                }
                WireProtocol::AnthropicMessages => {
                    anthropic::classify_error(status, &json, retry_after, fallback)
                }
                _ => gemini::classify_error(status, &json, retry_after, fallback),
            });
        }
        let json = json.map_err(|e| ProviderError::Malformed {
            protocol: protocol_name(self.id.protocol()),
            message: e.to_string(),
        })?;
        let mut parsed = match self.id.protocol() {
            WireProtocol::OpenAiChat => openai::parse_response(&json),
            WireProtocol::AnthropicMessages => anthropic::parse_response(&json),
            _ => gemini::parse_response(&json),
        }?;
        parsed.request_id = request_id;
        Ok(parsed)
    }

    /// Reads the body chunk by chunk, stopping as soon as it would pass `limit` bytes, so a
    /// peer cannot make this process buffer more than the limit.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        limit: usize,
    ) -> Result<Vec<u8>, BodyError> {
        let mut body = Vec::new();
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(BodyError::TooLarge { partial: body });
        }
        while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
            let room = limit.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend(chunk.iter().take(room));
                return Err(BodyError::TooLarge { partial: body });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, error: &reqwest::Error) -> ProviderError {
        if error.is_timeout() {
            ProviderError::Timeout(self.timeout)
        } else {
            // Never the URL: a Gemini `?key=` would leak; reqwest's Display includes it.
            ProviderError::Transport {
                message: describe_transport(error),
            }
        }
    }
}

/// Why an answer body could not be read in full.
enum BodyError {
    /// Longer than the limit; `partial` holds what was read (empty if `Content-Length` told).
    TooLarge {
        partial: Vec<u8>,
    },
    Network(reqwest::Error),
}

fn describe_transport(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(error);
    let mut detail = String::new();
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

pub(crate) fn protocol_name(protocol: WireProtocol) -> &'static str {
    match protocol {
        WireProtocol::OpenAiChat => "OpenAI chat completions",
        WireProtocol::AnthropicMessages => "Anthropic messages",
        WireProtocol::GeminiGenerateContent => "Gemini generateContent",
        WireProtocol::Offline => "offline",
    }
}

/// Reads a string at a JSON pointer.
pub(crate) fn str_at<'a>(json: &'a Value, pointer: &str) -> Option<&'a str> {
    json.pointer(pointer).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_milliseconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after_header(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(
            retry_after_header(&headers),
            Some(Duration::from_millis(250))
        );
        let mut headers = HeaderMap::new();
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert("retry-after", HeaderValue::from_str(&soon).unwrap());
        let wait = retry_after_header(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after_header(&headers), None);
    }

    #[test]
    fn statuses_are_classified_for_retrying() {
        for (status, retryable) in [
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (413, false),
            (422, false),
            (408, true),
            (429, true),
            (500, true),
            (502, true),
            (503, true),
            (529, true),
        ] {
            assert_eq!(
                classify_status(status, String::new(), None).is_retryable(),
                retryable,
                "{status}"
            );
        }
    }
}
