//! Reading what a response says about rate limits and failures: `Retry-After` (seconds or an
//! HTTP-date), `X-RateLimit-Reset`, `RateLimit-Reason`, and Jira's `ErrorCollection` body.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// How far a rate limit reaches, from `RateLimit-Reason` (atlassian.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitScope {
    /// Hourly/tenant quota (or an unknown reason): pause every request to the site.
    Site,
    /// Burst limit: scope is tenant + endpoint + method, so slow only that endpoint.
    Endpoint,
    /// Too many writes to one issue: space out writes to that issue.
    Issue,
}

/// The rate-limit facts of one 429 (or 503) response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LimitSignal {
    /// How long to wait, from `Retry-After` or else `X-RateLimit-Reset`.
    pub wait: Option<Duration>,
    pub reason: Option<String>,
    pub scope: LimitScope,
}

impl LimitSignal {
    /// Reads the signal of a response; any wait it asks for is capped at `max_wait`, so a peer
    /// cannot make time arithmetic overflow with `Retry-After: 1e20` or a reset in the year 9999.
    pub(crate) fn from_headers(
        headers: &HeaderMap,
        now: DateTime<Utc>,
        max_wait: Duration,
    ) -> Self {
        let reason = header_text(headers, "ratelimit-reason")
            .or_else(|| header_text(headers, "x-ratelimit-reason"))
            .or_else(|| header_text(headers, "x-beta-ratelimit-reason"));
        let wait = header_text(headers, "retry-after")
            .and_then(|v| parse_retry_after(&v, now))
            .or_else(|| {
                header_text(headers, "x-ratelimit-reset")
                    .or_else(|| header_text(headers, "x-beta-ratelimit-reset"))
                    .and_then(|v| parse_reset(&v, now))
            })
            .map(|wait| wait.min(max_wait));
        let scope = scope_of(reason.as_deref());
        LimitSignal {
            wait,
            reason,
            scope,
        }
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Map a `RateLimit-Reason` to a scope; unknown or missing reasons pause the whole site, the
/// conservative choice when Jira does not say what was exceeded.
pub(crate) fn scope_of(reason: Option<&str>) -> LimitScope {
    match reason.map(str::to_ascii_lowercase) {
        Some(r) if r.contains("per-issue") => LimitScope::Issue,
        Some(r) if r.contains("burst") => LimitScope::Endpoint,
        _ => LimitScope::Site,
    }
}

/// `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
///
/// Out-of-range numbers never panic: a wait too long for a `Duration` (`1e20`, `inf`) becomes
/// [`Duration::MAX`] for the caller to cap, and a negative or NaN one is ignored.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return seconds_to_duration(seconds);
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(until(at, now))
}

/// `X-RateLimit-Reset` is ISO-8601, documented as `yyyy-MM-ddTHH:mmZ`; full RFC 3339 is accepted too.
pub(crate) fn parse_reset(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let at = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            let trimmed = value.strip_suffix('Z')?;
            NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|t| t.and_utc())
        })?;
    Some(until(at, now))
}

/// A peer-supplied number of seconds as a `Duration`: NaN and negatives are no wait at all (`None`),
/// anything too large for a `Duration` saturates to [`Duration::MAX`].
fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    if seconds.is_nan() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

fn until(at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (at - now).to_std().unwrap_or(Duration::ZERO)
}

/// Jira's `ErrorCollection` (`{"errorMessages":[…],"errors":{field:msg}}`); Confluence v2 answers
/// `{"errors":[{"status","code","title","detail"}]}`, which is folded into `messages`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorBody {
    pub messages: Vec<String>,
    pub field_errors: BTreeMap<String, String>,
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default)]
            error_messages: Vec<String>,
            #[serde(default)]
            errors: Option<serde_json::Value>,
            #[serde(default)]
            message: Option<String>,
        }
        let Ok(wire) = serde_json::from_slice::<Wire>(body) else {
            return ErrorBody::default();
        };
        let mut parsed = ErrorBody {
            messages: wire.error_messages,
            field_errors: BTreeMap::new(),
        };
        match wire.errors {
            Some(serde_json::Value::Object(map)) => {
                for (field, message) in map {
                    let text = match message {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    parsed.field_errors.insert(field, text);
                }
            }
            Some(serde_json::Value::Array(items)) => {
                for item in items {
                    let text = ["detail", "title", "message"]
                        .iter()
                        .find_map(|k| item.get(*k).and_then(|v| v.as_str()))
                        .map(str::to_string)
                        .unwrap_or_else(|| item.to_string());
                    parsed.messages.push(text);
                }
            }
            _ => {}
        }
        if let Some(message) = wire.message {
            parsed.messages.push(message);
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-26T15:59:30Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("0", now()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("7", now()), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Thu, 26 Mar 2026 16:00:00 GMT", now()),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Mar 2026 15:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn absurd_retry_after_values_never_panic() {
        for huge in [
            "1e20",
            "18446744073709551615",
            "18446744073709551616",
            "inf",
            "1e308",
        ] {
            let wait = parse_retry_after(huge, now()).expect(huge);
            assert!(wait >= Duration::from_secs(u64::MAX), "{huge}: {wait:?}");
        }
        for ignored in ["-1", "-inf", "NaN", "-0.5"] {
            assert_eq!(parse_retry_after(ignored, now()), None, "{ignored}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("1e20"));
        let cap = Duration::from_secs(3600);
        assert_eq!(
            LimitSignal::from_headers(&headers, now(), cap).wait,
            Some(cap)
        );
        headers.remove("retry-after");
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("9999-12-31T23:59Z"),
        );
        assert_eq!(
            LimitSignal::from_headers(&headers, now(), cap).wait,
            Some(cap)
        );
    }

    #[test]
    fn reset_minute_form_and_rfc3339() {
        assert_eq!(
            parse_reset("2026-03-26T16:00Z", now()),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_reset("2026-03-26T16:00:10Z", now()),
            Some(Duration::from_secs(40))
        );
        assert_eq!(parse_reset("tomorrow", now()), None);
    }

    #[test]
    fn reasons_map_to_scopes() {
        assert_eq!(scope_of(Some("jira-burst-based")), LimitScope::Endpoint);
        assert_eq!(scope_of(Some("jira-per-issue-on-write")), LimitScope::Issue);
        assert_eq!(scope_of(Some("jira-quota-tenant-based")), LimitScope::Site);
        assert_eq!(scope_of(Some("jira-cost-based")), LimitScope::Site);
        assert_eq!(scope_of(None), LimitScope::Site);
    }

    #[test]
    fn signal_prefers_retry_after_over_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("5"));
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2026-03-26T16:00Z"),
        );
        headers.insert(
            "ratelimit-reason",
            HeaderValue::from_static("jira-burst-based"),
        );
        let signal = LimitSignal::from_headers(&headers, now(), Duration::MAX);
        assert_eq!(signal.wait, Some(Duration::from_secs(5)));
        assert_eq!(signal.scope, LimitScope::Endpoint);
        headers.remove("retry-after");
        let signal = LimitSignal::from_headers(&headers, now(), Duration::MAX);
        assert_eq!(signal.wait, Some(Duration::from_secs(30)));
    }

    #[test]
    fn error_bodies_of_jira_and_confluence() {
        let jira = ErrorBody::parse(
            br#"{"errorMessages":["Field 'priority' is required"],"errors":{"summary":"You must specify a summary of the issue."}}"#,
        );
        assert_eq!(jira.messages, vec!["Field 'priority' is required"]);
        assert_eq!(
            jira.field_errors.get("summary").map(String::as_str),
            Some("You must specify a summary of the issue.")
        );
        let confluence = ErrorBody::parse(
            br#"{"errors":[{"status":409,"code":"CONFLICT","title":"Version must be incremented"}]}"#,
        );
        assert_eq!(confluence.messages, vec!["Version must be incremented"]);
        assert_eq!(ErrorBody::parse(b"<html>"), ErrorBody::default());
    }
}
