//! When and how long to wait before trying a failed provider call again.
//!
//! Retryable: transport errors, timeouts, 408/409, 429 rate limits, 5xx and Anthropic's 529, and
//! answers that are not valid JSON at the HTTP level. Not retryable: 400/401/403/404/413/422 and every
//! quota or spend-limit error. The wait is the larger of what the provider asked for (`Retry-After`,
//! `retry-after-ms`, Gemini `retryDelay`) and exponential backoff with full jitter, capped.

use std::time::Duration;

use crate::providers::ProviderError;

/// Attempt bounds and backoff shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// The backoff before the second attempt, doubled for each further one.
    pub base_delay: Duration,
    /// No single wait is longer than this.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` after `error` on attempt `attempt` (1-based), or `None`
    /// when the error is final or the attempts are used up.
    pub fn wait_after(&self, attempt: u32, error: &ProviderError) -> Option<Duration> {
        if !error.is_retryable() || attempt >= self.max_attempts {
            return None;
        }
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_wait);
        // `try_from`: a configured `max_wait` near `Duration::MAX` must not panic here.
        let jitter = Duration::try_from_secs_f64(ceiling.as_secs_f64() * rand::random::<f64>())
            .unwrap_or(ceiling);
        let asked = error.retry_after().unwrap_or(Duration::ZERO);
        Some(asked.max(jitter).min(self.max_wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_errors_and_exhausted_attempts_are_not_retried() {
        let policy = RetryPolicy::default();
        let auth = ProviderError::Authentication {
            status: 401,
            message: String::new(),
        };
        assert_eq!(policy.wait_after(1, &auth), None);
        let quota = ProviderError::QuotaExhausted {
            status: 429,
            message: String::new(),
        };
        assert_eq!(policy.wait_after(1, &quota), None);
        let busy = ProviderError::Unavailable {
            status: 529,
            message: String::new(),
            retry_after: None,
        };
        assert!(policy.wait_after(3, &busy).is_some());
        assert_eq!(policy.wait_after(4, &busy), None);
    }

    #[test]
    fn waits_honour_retry_after_within_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_wait: Duration::from_secs(10),
        };
        let limited = |secs| ProviderError::RateLimited {
            message: String::new(),
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert!(policy.wait_after(1, &limited(3)).unwrap() >= Duration::from_secs(3));
        assert_eq!(
            policy.wait_after(1, &limited(120)).unwrap(),
            Duration::from_secs(10)
        );
        let busy = ProviderError::Unavailable {
            status: 503,
            message: String::new(),
            retry_after: None,
        };
        for attempt in 1..5 {
            let wait = policy.wait_after(attempt, &busy).unwrap();
            assert!(
                wait <= Duration::from_millis(100 * 2u64.pow(attempt - 1)),
                "{attempt}: {wait:?}"
            );
        }
    }
}
