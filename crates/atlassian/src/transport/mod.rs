//! The HTTP layer shared by the Jira and Confluence clients: one request in, one classified result
//! out, with pacing, rate-limit pauses, retries and credential scoping in between.
//!
//! Retry rules (atlassian.md §3): `Retry-After` is honoured exactly (with a small floor so `0` is
//! not a hot loop), else `X-RateLimit-Reset`, else jittered exponential back-off. 5xx, timeouts and
//! broken connections are retried only for idempotent requests; a create is retried only when it
//! provably never reached Jira (connect error) or was rejected before processing (429).
//!
//! Nothing a peer sends can panic or exhaust the process: requested waits are capped at
//! [`RetryPolicy::max_retry_after`] and all wait arithmetic saturates, and bodies are read in
//! chunks up to [`TransportConfig::max_response_bytes`].

mod signals;
mod throttle;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::BackoffBuilder;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use crate::auth::AtlassianAuth;
use crate::error::{Error, Result};
pub use throttle::Pacing;
use throttle::{Admission, Throttle};

pub(crate) use signals::ErrorBody;
use signals::{LimitScope, LimitSignal};

/// How failed requests are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, including the first.
    pub max_attempts: u32,
    /// The most one request may spend waiting (rate-limit pauses and back-off together); a longer
    /// `Retry-After` is surfaced as [`Error::RateLimited`] instead of slept through.
    pub max_total_wait: Duration,
    /// First back-off delay when the response says nothing about when to retry.
    pub base_delay: Duration,
    /// Cap of one back-off delay.
    pub max_delay: Duration,
    /// The least we wait after a 429, so `Retry-After: 0` cannot become a hot loop.
    pub retry_after_floor: Duration,
    /// The longest wait a response may ask for (`Retry-After`, `X-RateLimit-Reset`); longer
    /// requests are taken as this long. It keeps time arithmetic finite whatever a peer sends;
    /// a wait beyond `max_total_wait` is surfaced as [`Error::RateLimited`] either way.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_total_wait: Duration::from_secs(120),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            retry_after_floor: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Transport settings of one client.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportConfig {
    pub pacing: Pacing,
    pub retry: RetryPolicy,
    /// Whole-request timeout of one attempt.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// The largest response body read; a larger one fails with [`Error::ResponseTooLarge`]
    /// after reading at most this many bytes, so a misbehaving peer cannot exhaust memory.
    pub max_response_bytes: usize,
}

/// Default of [`TransportConfig::max_response_bytes`]: far above any real Jira or Confluence
/// page (a 100-issue search with every field is a few MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// How much of an error (non-2xx) body is kept: enough for any `errorMessages` list; the rest
/// is dropped rather than failing, since the status already says what happened.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            pacing: Pacing::default(),
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Counters of what the transport did, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransportStats {
    /// HTTP attempts sent (including retries).
    pub attempts: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// 429 responses seen.
    pub rate_limited: u64,
    /// Total time spent waiting before attempts (pacing, pauses, back-off).
    pub waited: Duration,
}

/// Whether a request may be repeated without changing the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Reads and PUTs: safe to retry on any transient failure.
    Idempotent,
    /// Creates: retried only if the request never reached the server or got a 429.
    AtMostOnce,
}

/// One API call, described without credentials.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub method: Method,
    /// Path segments below the API base; each is percent-encoded on its own.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// `METHOD /path/{template}`: used for burst-limit scoping, logs and errors.
    pub endpoint: &'static str,
    /// The issue a write touches, for per-issue write limits.
    pub issue: Option<String>,
    pub delivery: Delivery,
    /// A non-2xx status whose body the caller interprets itself (bulk create's all-failed 400).
    pub pass_status: Option<StatusCode>,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, endpoint: &'static str, segments: Vec<String>) -> Self {
        let delivery = if method == Method::POST {
            Delivery::AtMostOnce
        } else {
            Delivery::Idempotent
        };
        ApiRequest {
            method,
            segments,
            query: Vec::new(),
            body: None,
            endpoint,
            issue: None,
            delivery,
            pass_status: None,
        }
    }

    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn json_body(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(body.to_string().into_bytes());
        self
    }

    /// Mark a POST that is safe to repeat (search, partial updates, moves).
    pub(crate) fn idempotent(mut self) -> Self {
        self.delivery = Delivery::Idempotent;
        self
    }

    pub(crate) fn pass_status(mut self, status: StatusCode) -> Self {
        self.pass_status = Some(status);
        self
    }

    pub(crate) fn for_issue(mut self, issue: &str) -> Self {
        self.issue = Some(issue.to_string());
        self
    }

    fn admission(&self) -> Admission<'_> {
        Admission {
            endpoint: self.endpoint,
            issue: self.issue.as_deref(),
            is_write: self.method != Method::GET,
        }
    }
}

/// A successful (2xx) response.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub endpoint: &'static str,
}

impl ApiResponse {
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            endpoint: self.endpoint.to_string(),
            message: e.to_string(),
        })
    }
}

/// Sends [`ApiRequest`]s to one API base with one set of credentials.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    auth: AtlassianAuth,
    throttle: Throttle,
    retry: RetryPolicy,
    max_response_bytes: usize,
    attempts: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    waited_micros: AtomicU64,
}

/// What one attempt produced, before the retry decision.
enum Attempt {
    Response(reqwest::Response),
    Failed(reqwest::Error),
}

impl Transport {
    /// The reqwest client all transports of a config share. Redirects are followed at most 5
    /// times, and reqwest drops `Authorization` whenever a redirect leaves the original host.
    pub(crate) fn http_client(config: &TransportConfig) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("planwright/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))
    }

    pub(crate) fn new(
        http: reqwest::Client,
        base: Url,
        auth: AtlassianAuth,
        config: &TransportConfig,
    ) -> Self {
        Transport {
            http,
            base,
            auth,
            throttle: Throttle::new(config.pacing),
            retry: config.retry.clone(),
            max_response_bytes: config.max_response_bytes,
            attempts: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            waited_micros: AtomicU64::new(0),
        }
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) fn stats(&self) -> TransportStats {
        TransportStats {
            attempts: self.attempts.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_micros.load(Ordering::Relaxed)),
        }
    }

    pub(crate) fn url_for(&self, request: &ApiRequest) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Config(format!("{} cannot be an API base", self.base)))?
            .pop_if_empty()
            .extend(&request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// Send `request` and decode its JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T> {
        self.send(request).await?.json()
    }

    /// Send `request`, retrying as the policy allows; any non-2xx final answer becomes an [`Error`].
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<ApiResponse> {
        let url = self.url_for(request)?;
        let admission = request.admission();
        let endpoint = request.endpoint;
        let mut backoff = backon::ExponentialBuilder::default()
            .with_min_delay(self.retry.base_delay)
            .with_max_delay(self.retry.max_delay)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build();
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let go_at = self.throttle.reserve(admission);
            let pause = go_at.saturating_duration_since(Instant::now());
            if !pause.is_zero() {
                // A first attempt may wait out a pause another request recorded (those are
                // bounded by that request's budget); a retry must stay within its own budget.
                if attempt > 1 && waited.saturating_add(pause) > self.retry.max_total_wait {
                    return Err(Error::RateLimited {
                        endpoint: endpoint.to_string(),
                        retry_after: Some(pause),
                        reason: None,
                    });
                }
                tokio::time::sleep_until(go_at).await;
                waited = waited.saturating_add(pause);
                self.record_wait(pause);
            }
            if attempt > 1 {
                self.retries.fetch_add(1, Ordering::Relaxed);
            }
            self.attempts.fetch_add(1, Ordering::Relaxed);
            let outcome = self.attempt(request, url.clone()).await?;
            let attempts_left = attempt < self.retry.max_attempts;
            match outcome {
                Attempt::Response(response)
                    if response.status().is_success()
                        || request.pass_status == Some(response.status()) =>
                {
                    let status = response.status();
                    let body = read_body(response, self.max_response_bytes)
                        .await
                        .map_err(|e| e.into_error(endpoint))?;
                    return Ok(ApiResponse {
                        status,
                        body,
                        endpoint,
                    });
                }
                Attempt::Response(response) => {
                    let status = response.status();
                    let signal = LimitSignal::from_headers(
                        response.headers(),
                        chrono::Utc::now(),
                        self.retry.max_retry_after,
                    );
                    let body = read_error_body(response, self.max_response_bytes).await;
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        self.rate_limited.fetch_add(1, Ordering::Relaxed);
                    }
                    let limited = status == StatusCode::TOO_MANY_REQUESTS
                        || (status == StatusCode::SERVICE_UNAVAILABLE && signal.wait.is_some());
                    // A 503 may have been processed; only a 429 provably was not.
                    let may_retry = match request.delivery {
                        Delivery::Idempotent => limited || status.is_server_error(),
                        Delivery::AtMostOnce => status == StatusCode::TOO_MANY_REQUESTS,
                    };
                    if !may_retry {
                        return Err(classify(endpoint, status, &body, &signal));
                    }
                    let wait = if limited {
                        signal
                            .wait
                            .unwrap_or_else(|| backoff.next().unwrap_or(self.retry.max_delay))
                            .max(self.retry.retry_after_floor)
                    } else {
                        backoff.next().unwrap_or(self.retry.max_delay)
                    };
                    if !attempts_left || waited.saturating_add(wait) > self.retry.max_total_wait {
                        tracing::warn!(endpoint, status = status.as_u16(), attempt, "giving up");
                        return Err(if limited {
                            Error::RateLimited {
                                endpoint: endpoint.to_string(),
                                retry_after: Some(wait),
                                reason: signal.reason,
                            }
                        } else {
                            classify(endpoint, status, &body, &signal)
                        });
                    }
                    tracing::debug!(
                        endpoint,
                        status = status.as_u16(),
                        wait_ms = wait.as_millis() as u64,
                        reason = signal.reason.as_deref(),
                        "retrying"
                    );
                    let until = deadline_after(wait);
                    if limited {
                        // 503s say nothing about scope: treat them as a site-wide overload.
                        let scope = if status == StatusCode::TOO_MANY_REQUESTS {
                            signal.scope
                        } else {
                            LimitScope::Site
                        };
                        self.throttle.pause(scope, admission, until);
                    } else {
                        tokio::time::sleep_until(until).await;
                        waited = waited.saturating_add(wait);
                        self.record_wait(wait);
                    }
                }
                Attempt::Failed(error) => {
                    let never_sent = error.is_connect();
                    let may_retry = never_sent || request.delivery == Delivery::Idempotent;
                    let wait = backoff.next().unwrap_or(self.retry.max_delay);
                    if !may_retry
                        || !attempts_left
                        || waited.saturating_add(wait) > self.retry.max_total_wait
                    {
                        return Err(if error.is_timeout() {
                            Error::Timeout {
                                endpoint: endpoint.to_string(),
                            }
                        } else {
                            network_error(endpoint, error)
                        });
                    }
                    tracing::debug!(endpoint, wait_ms = wait.as_millis() as u64, %error, "retrying after a transport failure");
                    tokio::time::sleep(wait).await;
                    waited = waited.saturating_add(wait);
                    self.record_wait(wait);
                }
            }
        }
    }

    async fn attempt(&self, request: &ApiRequest, url: Url) -> Result<Attempt> {
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        // Credentials only ever go to the API base they were configured for; the URL is always
        // built from that base, so this holds by construction, and redirects off-host drop them.
        builder = builder.header(AUTHORIZATION, self.auth.header_value().await?);
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        Ok(match builder.send().await {
            Ok(response) => Attempt::Response(response),
            Err(error) => Attempt::Failed(error),
        })
    }

    fn record_wait(&self, wait: Duration) {
        let micros = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
        // Saturating, not wrapping: a statistic must not jump back to zero.
        let _ = self
            .waited_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                Some(total.saturating_add(micros))
            });
    }
}

/// `now + wait`, saturating at a far-future instant instead of panicking on overflow.
fn deadline_after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 60 * 60))
}

/// Why a response body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is longer than the limit (the `Content-Length` said so, or reading passed it).
    TooLarge {
        limit: usize,
    },
    Network(reqwest::Error),
}

impl BodyError {
    pub(crate) fn into_error(self, endpoint: &str) -> Error {
        match self {
            BodyError::TooLarge { limit } => Error::ResponseTooLarge {
                endpoint: endpoint.to_string(),
                limit,
            },
            BodyError::Network(error) if error.is_timeout() => Error::Timeout {
                endpoint: endpoint.to_string(),
            },
            BodyError::Network(error) => network_error(endpoint, error),
        }
    }
}

/// Reads a whole body, chunk by chunk, failing as soon as it exceeds `limit` bytes so no more
/// than `limit` bytes (plus one network chunk) are ever held.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> std::result::Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most [`MAX_ERROR_BODY_BYTES`] of an error body; what cannot be read is dropped,
/// because the status alone classifies the error.
async fn read_error_body(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let limit = limit.min(MAX_ERROR_BODY_BYTES);
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend(chunk.iter().take(room));
        if body.len() == limit {
            break;
        }
    }
    body
}

fn network_error(endpoint: &str, error: reqwest::Error) -> Error {
    let reached_server = !error.is_connect();
    // The URL is dropped from the message: its query may hold JQL a user typed. Credentials never
    // appear here because they travel in headers, which reqwest errors do not print.
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Network {
        endpoint: endpoint.to_string(),
        message,
        reached_server,
    }
}

/// Turn a final non-2xx answer into an [`Error`].
fn classify(endpoint: &str, status: StatusCode, body: &[u8], signal: &LimitSignal) -> Error {
    let parsed = ErrorBody::parse(body);
    let endpoint = endpoint.to_string();
    match status.as_u16() {
        401 => Error::Unauthorized {
            endpoint,
            messages: parsed.messages,
        },
        403 => Error::Forbidden {
            endpoint,
            messages: parsed.messages,
        },
        404 => Error::NotFound {
            endpoint,
            messages: parsed.messages,
        },
        409 => Error::Conflict {
            endpoint,
            messages: parsed.messages,
        },
        429 => Error::RateLimited {
            endpoint,
            retry_after: signal.wait,
            reason: signal.reason.clone(),
        },
        400 | 413 | 422 => Error::Validation {
            endpoint,
            status: status.as_u16(),
            error_messages: parsed.messages,
            errors: parsed.field_errors,
        },
        code if status.is_server_error() => Error::Server {
            endpoint,
            status: code,
            messages: parsed.messages,
        },
        code => Error::UnexpectedStatus {
            endpoint,
            status: code,
            messages: parsed.messages,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_signal() -> LimitSignal {
        LimitSignal {
            wait: None,
            reason: None,
            scope: LimitScope::Site,
        }
    }

    #[test]
    fn statuses_are_classified() {
        let body = br#"{"errorMessages":["nope"],"errors":{"summary":"required"}}"#;
        let cases = [
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (409, "Conflict"),
            (400, "Validation"),
            (422, "Validation"),
            (413, "Validation"),
            (500, "Server"),
            (502, "Server"),
            (410, "UnexpectedStatus"),
        ];
        for (code, variant) in cases {
            let error = classify(
                "GET /x",
                StatusCode::from_u16(code).unwrap(),
                body,
                &no_signal(),
            );
            assert!(
                format!("{error:?}").starts_with(variant),
                "{code} -> {error:?}"
            );
            assert_eq!(error.status(), Some(code));
            assert!(!error.hint().is_empty());
        }
        let Error::Validation { errors, .. } =
            classify("POST /x", StatusCode::BAD_REQUEST, body, &no_signal())
        else {
            panic!("400 is a validation error")
        };
        assert_eq!(errors.get("summary").map(String::as_str), Some("required"));
    }

    #[test]
    fn segments_are_percent_encoded() {
        let config = TransportConfig::default();
        let transport = Transport::new(
            Transport::http_client(&config).unwrap(),
            Url::parse("https://acme.atlassian.net/prefix/").unwrap(),
            AtlassianAuth::bearer("t"),
            &config,
        );
        let request = ApiRequest::new(
            Method::GET,
            "GET /x/{id}",
            vec!["rest".into(), "x".into(), "../a b?c".into()],
        )
        .query("jql", "project = PW & x");
        assert_eq!(
            transport.url_for(&request).unwrap().as_str(),
            "https://acme.atlassian.net/prefix/rest/x/..%2Fa%20b%3Fc?jql=project+%3D+PW+%26+x"
        );
    }
}
