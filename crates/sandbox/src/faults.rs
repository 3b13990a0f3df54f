//! Fault injection: rate limits (429 with Jira's `RateLimit-Reason`, `Retry-After` and
//! `X-RateLimit-*` headers), server errors, added latency, per-issue write limits and a points
//! quota. Configurable when the sandbox starts and changeable at runtime through [`Faults`].
//!
//! Everything is deterministic: "next N requests" triggers count requests, and rate triggers
//! draw from a seeded generator, so a test sees the same faults on every run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Timelike, Utc};

use crate::error::ApiError;
use crate::state::SandboxState;

/// Why Jira refused a request with 429, sent as `RateLimit-Reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitReason {
    /// `jira-quota-global-based`
    GlobalQuota,
    /// `jira-quota-tenant-based`
    TenantQuota,
    /// `jira-burst-based`
    Burst,
    /// `jira-per-issue-on-write`
    PerIssueWrite,
}

impl RateLimitReason {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GlobalQuota => "jira-quota-global-based",
            Self::TenantQuota => "jira-quota-tenant-based",
            Self::Burst => "jira-burst-based",
            Self::PerIssueWrite => "jira-per-issue-on-write",
        }
    }
}

/// When a fault fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// For each of the next N requests, then never again.
    Next(u32),
    /// For this fraction (0.0..=1.0) of requests, drawn from the seeded generator.
    Rate(f64),
}

/// A 429 fault.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitFault {
    pub reason: RateLimitReason,
    /// `Retry-After` in seconds (0 is allowed and means "retry at once").
    pub retry_after_secs: u64,
    pub trigger: Trigger,
}

/// A 5xx fault.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerErrorFault {
    /// 500, 502, 503 or 504.
    pub status: u16,
    /// Optional `Retry-After` (Jira sends it on some transient 503s).
    pub retry_after_secs: Option<u64>,
    pub trigger: Trigger,
}

/// The complete fault configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultConfig {
    /// Seed of the generator behind [`Trigger::Rate`].
    pub seed: u64,
    pub rate_limit: Option<RateLimitFault>,
    pub server_error: Option<ServerErrorFault>,
    /// Added to every API request.
    pub latency: Duration,
    /// Writes allowed per issue before 429 `jira-per-issue-on-write`.
    pub per_issue_write_limit: Option<u32>,
    /// Total points available; each request costs one. When spent: 429
    /// `jira-quota-tenant-based`. Every response carries `X-RateLimit-*` while set.
    pub points_quota: Option<u64>,
    /// A sustained request rate (token bucket holding one second of requests); a request over
    /// it gets 429 `jira-burst-based` with `Retry-After: 1`, like a busy Cloud site.
    pub requests_per_second: Option<f64>,
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// 429 for the next `n` requests.
    pub fn rate_limit_next(
        mut self,
        n: u32,
        reason: RateLimitReason,
        retry_after_secs: u64,
    ) -> Self {
        self.rate_limit = Some(RateLimitFault {
            reason,
            retry_after_secs,
            trigger: Trigger::Next(n),
        });
        self
    }

    /// 429 for a fraction of requests.
    pub fn rate_limit_rate(
        mut self,
        rate: f64,
        reason: RateLimitReason,
        retry_after_secs: u64,
    ) -> Self {
        self.rate_limit = Some(RateLimitFault {
            reason,
            retry_after_secs,
            trigger: Trigger::Rate(rate),
        });
        self
    }

    /// A 5xx status for the next `n` requests.
    pub fn server_error_next(mut self, n: u32, status: u16) -> Self {
        self.server_error = Some(ServerErrorFault {
            status,
            retry_after_secs: None,
            trigger: Trigger::Next(n),
        });
        self
    }

    /// A 5xx status for a fraction of requests.
    pub fn server_error_rate(mut self, rate: f64, status: u16) -> Self {
        self.server_error = Some(ServerErrorFault {
            status,
            retry_after_secs: None,
            trigger: Trigger::Rate(rate),
        });
        self
    }

    /// Adds latency to every request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Limits writes per issue.
    pub fn per_issue_write_limit(mut self, writes: u32) -> Self {
        self.per_issue_write_limit = Some(writes);
        self
    }

    /// Sets a points quota.
    pub fn points_quota(mut self, points: u64) -> Self {
        self.points_quota = Some(points);
        self
    }

    /// Limits the sustained request rate (see [`FaultConfig::requests_per_second`]).
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.requests_per_second = Some(rate);
        self
    }

    /// Seeds the rate generator.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

#[derive(Debug)]
struct Runtime {
    config: FaultConfig,
    rng: u64,
    rate_limit_remaining: Option<u32>,
    server_error_remaining: Option<u32>,
    writes_per_issue: HashMap<String, u32>,
    points_used: u64,
    injected: u64,
    /// Tokens of the rate limiter and when they were last refilled.
    bucket: (f64, std::time::Instant),
}

impl Runtime {
    fn new(config: FaultConfig) -> Self {
        let remaining = |t: Option<Trigger>| match t {
            Some(Trigger::Next(n)) => Some(n),
            _ => None,
        };
        Self {
            rng: config.seed ^ 0x9e37_79b9_7f4a_7c15,
            rate_limit_remaining: remaining(config.rate_limit.map(|r| r.trigger)),
            server_error_remaining: remaining(config.server_error.map(|s| s.trigger)),
            writes_per_issue: HashMap::new(),
            points_used: 0,
            injected: 0,
            bucket: (
                config.requests_per_second.unwrap_or(0.0),
                std::time::Instant::now(),
            ),
            config,
        }
    }

    /// splitmix64: small, seeded and good enough to spread faults evenly.
    fn next_unit(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn fires(&mut self, trigger: Trigger, remaining: fn(&mut Self) -> &mut Option<u32>) -> bool {
        match trigger {
            Trigger::Next(_) => match remaining(self) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            },
            Trigger::Rate(rate) => self.next_unit() < rate,
        }
    }
}

/// Runtime handle to the fault configuration; cheap to clone, shared by all clones.
#[derive(Debug, Clone)]
pub struct Faults {
    runtime: Arc<Mutex<Runtime>>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(FaultConfig::none())
    }
}

/// What the middleware should do with one request.
enum Verdict {
    Pass { quota_headers: Option<(u64, u64)> },
    Reject(Response),
}

impl Faults {
    /// Faults with a starting configuration.
    pub fn new(config: FaultConfig) -> Self {
        Self {
            runtime: Arc::new(Mutex::new(Runtime::new(config))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runtime> {
        self.runtime.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the configuration and resets every counter.
    pub fn set(&self, config: FaultConfig) {
        *self.lock() = Runtime::new(config);
    }

    /// Removes every fault.
    pub fn clear(&self) {
        self.set(FaultConfig::none());
    }

    /// The current configuration.
    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Changes the configuration with a closure, keeping counters of untouched faults.
    pub fn update(&self, change: impl FnOnce(FaultConfig) -> FaultConfig) {
        let mut runtime = self.lock();
        let next = change(runtime.config.clone());
        let mut fresh = Runtime::new(next);
        if fresh.config.rate_limit == runtime.config.rate_limit {
            fresh.rate_limit_remaining = runtime.rate_limit_remaining;
        }
        if fresh.config.server_error == runtime.config.server_error {
            fresh.server_error_remaining = runtime.server_error_remaining;
        }
        fresh.writes_per_issue = std::mem::take(&mut runtime.writes_per_issue);
        fresh.points_used = runtime.points_used;
        fresh.injected = runtime.injected;
        fresh.rng = runtime.rng;
        if fresh.config.requests_per_second == runtime.config.requests_per_second {
            fresh.bucket = runtime.bucket;
        }
        *runtime = fresh;
    }

    /// Answers 429 to the next `n` requests.
    pub fn rate_limit_next(&self, n: u32, reason: RateLimitReason, retry_after_secs: u64) {
        self.update(|c| c.rate_limit_next(n, reason, retry_after_secs));
    }

    /// Answers a 5xx to the next `n` requests.
    pub fn server_error_next(&self, n: u32, status: u16) {
        self.update(|c| c.server_error_next(n, status));
    }

    /// Sets the added latency.
    pub fn set_latency(&self, latency: Duration) {
        self.update(|c| c.latency(latency));
    }

    /// Points left in the quota, if one is set.
    pub fn points_remaining(&self) -> Option<u64> {
        let runtime = self.lock();
        runtime
            .config
            .points_quota
            .map(|q| q.saturating_sub(runtime.points_used))
    }

    /// How many requests were answered with an injected fault.
    pub fn injected_count(&self) -> u64 {
        self.lock().injected
    }

    fn judge(&self, method: &Method, path: &str) -> (Duration, Verdict) {
        let mut runtime = self.lock();
        let latency = runtime.config.latency;
        if let Some(fault) = runtime.config.server_error
            && runtime.fires(fault.trigger, |r| &mut r.server_error_remaining)
        {
            runtime.injected += 1;
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response =
                ApiError::jira_message(status, "Internal server error").into_response();
            if let Some(secs) = fault.retry_after_secs {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(secs));
            }
            return (latency, Verdict::Reject(response));
        }
        if let Some(fault) = runtime.config.rate_limit
            && runtime.fires(fault.trigger, |r| &mut r.rate_limit_remaining)
        {
            runtime.injected += 1;
            return (
                latency,
                Verdict::Reject(too_many_requests(
                    fault.reason,
                    fault.retry_after_secs,
                    None,
                )),
            );
        }
        if let Some(rate) = runtime.config.requests_per_second.filter(|r| *r > 0.0) {
            let now = std::time::Instant::now();
            let (tokens, since) = runtime.bucket;
            let tokens =
                (tokens + now.duration_since(since).as_secs_f64() * rate).min(rate.max(1.0));
            if tokens < 1.0 {
                runtime.bucket = (tokens, now);
                runtime.injected += 1;
                return (
                    latency,
                    Verdict::Reject(too_many_requests(RateLimitReason::Burst, 1, None)),
                );
            }
            runtime.bucket = (tokens - 1.0, now);
        }
        if let (Some(limit), Some(issue)) = (
            runtime.config.per_issue_write_limit,
            written_issue(method, path),
        ) {
            let count = runtime.writes_per_issue.entry(issue).or_insert(0);
            if *count >= limit {
                runtime.injected += 1;
                return (
                    latency,
                    Verdict::Reject(too_many_requests(RateLimitReason::PerIssueWrite, 1, None)),
                );
            }
            *count += 1;
        }
        if let Some(quota) = runtime.config.points_quota {
            if runtime.points_used >= quota {
                runtime.injected += 1;
                return (
                    latency,
                    Verdict::Reject(too_many_requests(
                        RateLimitReason::TenantQuota,
                        60,
                        Some((quota, 0)),
                    )),
                );
            }
            runtime.points_used += 1;
            return (
                latency,
                Verdict::Pass {
                    quota_headers: Some((quota, quota - runtime.points_used)),
                },
            );
        }
        (
            latency,
            Verdict::Pass {
                quota_headers: None,
            },
        )
    }
}

/// The issue a write request targets (`/rest/api/3/issue/{key}/…`), for per-issue limits.
fn written_issue(method: &Method, path: &str) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let rest = crate::jira::wiki::platform_suffix(path)?.strip_prefix("/issue/")?;
    let key = rest.split('/').next()?;
    (!key.is_empty() && key != "bulk" && key != "bulkfetch").then(|| key.to_ascii_uppercase())
}

fn rate_limit_headers(headers: &mut HeaderMap, limit: u64, remaining: u64) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    if remaining * 5 < limit {
        headers.insert("x-ratelimit-nearlimit", HeaderValue::from_static("true"));
    }
}

fn too_many_requests(
    reason: RateLimitReason,
    retry_after_secs: u64,
    quota: Option<(u64, u64)>,
) -> Response {
    let mut response =
        ApiError::jira_message(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.")
            .into_response();
    let headers = response.headers_mut();
    headers.insert("retry-after", HeaderValue::from(retry_after_secs));
    headers.insert(
        "ratelimit-reason",
        HeaderValue::from_static(reason.as_str()),
    );
    let reset = Utc::now() + chrono::Duration::seconds(retry_after_secs as i64 + 60);
    let reset = reset.with_second(0).unwrap_or(reset);
    if let Ok(value) = HeaderValue::from_str(&reset.format("%Y-%m-%dT%H:%MZ").to_string()) {
        headers.insert("x-ratelimit-reset", value);
    }
    let (limit, remaining) = quota.unwrap_or((100, 0));
    rate_limit_headers(headers, limit, remaining);
    response
}

/// Middleware: applies the configured faults before the request reaches a handler.
pub(crate) async fn inject(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let (latency, verdict) = state.faults().judge(request.method(), request.uri().path());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match verdict {
        Verdict::Reject(response) => response,
        Verdict::Pass { quota_headers } => {
            let mut response = next.run(request).await;
            if let Some((limit, remaining)) = quota_headers {
                rate_limit_headers(response.headers_mut(), limit, remaining);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_trigger_fires_exactly_n_times() {
        let faults = Faults::new(FaultConfig::none().rate_limit_next(2, RateLimitReason::Burst, 0));
        let fired = (0..5)
            .filter(|_| matches!(faults.judge(&Method::GET, "/x").1, Verdict::Reject(_)))
            .count();
        assert_eq!(fired, 2);
    }

    #[test]
    fn rate_trigger_is_reproducible_for_a_seed() {
        let run = |seed| {
            let faults = Faults::new(FaultConfig::none().seed(seed).server_error_rate(0.3, 503));
            (0..200)
                .map(|_| matches!(faults.judge(&Method::GET, "/x").1, Verdict::Reject(_)))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let hits = run(7).iter().filter(|h| **h).count();
        assert!(
            (30..=90).contains(&hits),
            "about 30% should fail, got {hits}"
        );
    }

    #[test]
    fn per_issue_limit_counts_writes_to_one_issue_only() {
        let faults = Faults::new(FaultConfig::none().per_issue_write_limit(1));
        assert!(matches!(
            faults.judge(&Method::PUT, "/rest/api/3/issue/DEMO-1").1,
            Verdict::Pass { .. }
        ));
        assert!(matches!(
            faults
                .judge(&Method::PUT, "/rest/api/3/issue/demo-1/assignee")
                .1,
            Verdict::Reject(_)
        ));
        assert!(matches!(
            faults.judge(&Method::PUT, "/rest/api/3/issue/DEMO-2").1,
            Verdict::Pass { .. }
        ));
        assert!(matches!(
            faults.judge(&Method::GET, "/rest/api/3/issue/DEMO-1").1,
            Verdict::Pass { .. }
        ));
    }
}
