//! Per-site request admission: proactive pacing (a GCRA token bucket) plus the pauses that rate
//! limits impose, each scoped to what Jira said was exceeded — the whole site, one endpoint, or
//! writes to one issue.
//!
//! One `Throttle` is shared by every request of a client, so a tenant-quota 429 seen by one task
//! holds back all the others instead of letting them burn more of the quota.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::signals::LimitScope;

/// Proactive pacing settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Sustained requests per second to one site; `None` disables pacing.
    pub requests_per_second: Option<f64>,
    /// How many requests may go at once after an idle period.
    pub burst: u32,
}

impl Default for Pacing {
    /// 10 req/s with a burst of 10: what third-party experience finds safe for token traffic.
    fn default() -> Self {
        Pacing {
            requests_per_second: Some(10.0),
            burst: 10,
        }
    }
}

/// What a request is, as far as admission is concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admission<'a> {
    /// `METHOD /path/{template}`: the unit a burst limit applies to.
    pub endpoint: &'a str,
    /// The issue a write touches, for per-issue write limits.
    pub issue: Option<&'a str>,
    pub is_write: bool,
}

/// The longest pacing interval: one request an hour.
const MAX_INTERVAL: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
pub(crate) struct Throttle {
    interval: Option<Duration>,
    tolerance: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// GCRA "theoretical arrival time" of the next request.
    next_slot: Instant,
    site_paused_until: Option<Instant>,
    endpoint_paused_until: HashMap<String, Instant>,
    issue_writes_paused_until: HashMap<String, Instant>,
}

impl Throttle {
    pub(crate) fn new(pacing: Pacing) -> Self {
        // A rate so small that its interval overflows `Duration` (or is absurdly long) is held
        // to one request an hour, and the burst tolerance saturates, so no setting can panic.
        let interval = pacing
            .requests_per_second
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .map(|rate| {
                Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(MAX_INTERVAL)
                    .min(MAX_INTERVAL)
            });
        let tolerance = interval
            .map(|i| i.saturating_mul(pacing.burst.saturating_sub(1)))
            .unwrap_or_default();
        Throttle {
            interval,
            tolerance,
            state: Mutex::new(State {
                next_slot: Instant::now(),
                site_paused_until: None,
                endpoint_paused_until: HashMap::new(),
                issue_writes_paused_until: HashMap::new(),
            }),
        }
    }

    /// Reserve a slot for this request and return when it may be sent (possibly now).
    pub(crate) fn reserve(&self, admission: Admission<'_>) -> Instant {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut start = now;
        if let Some(until) = state.site_paused_until {
            start = start.max(until);
        }
        if let Some(until) = state.endpoint_paused_until.get(admission.endpoint) {
            start = start.max(*until);
        }
        if admission.is_write
            && let Some(issue) = admission.issue
            && let Some(until) = state.issue_writes_paused_until.get(issue)
        {
            start = start.max(*until);
        }
        let Some(interval) = self.interval else {
            return start;
        };
        let slot = state.next_slot.max(start);
        let allowed = slot
            .checked_sub(self.tolerance)
            .map_or(start, |earliest| earliest.max(start));
        state.next_slot = slot.checked_add(interval).unwrap_or(slot);
        allowed
    }

    /// Hold back requests in `scope` until `until`.
    pub(crate) fn pause(&self, scope: LimitScope, admission: Admission<'_>, until: Instant) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match (scope, admission.issue) {
            (LimitScope::Issue, Some(issue)) => {
                state.issue_writes_paused_until.retain(|_, t| *t > now);
                let entry = state
                    .issue_writes_paused_until
                    .entry(issue.to_string())
                    .or_insert(until);
                *entry = (*entry).max(until);
            }
            (LimitScope::Endpoint, _) | (LimitScope::Issue, None) => {
                state.endpoint_paused_until.retain(|_, t| *t > now);
                let entry = state
                    .endpoint_paused_until
                    .entry(admission.endpoint.to_string())
                    .or_insert(until);
                *entry = (*entry).max(until);
            }
            (LimitScope::Site, _) => {
                state.site_paused_until =
                    Some(state.site_paused_until.map_or(until, |t| t.max(until)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET_ISSUE: Admission<'static> = Admission {
        endpoint: "GET /rest/api/3/issue/{issueIdOrKey}",
        issue: Some("PW-1"),
        is_write: false,
    };
    const EDIT_ISSUE: Admission<'static> = Admission {
        endpoint: "PUT /rest/api/3/issue/{issueIdOrKey}",
        issue: Some("PW-1"),
        is_write: true,
    };
    const EDIT_OTHER: Admission<'static> = Admission {
        endpoint: "PUT /rest/api/3/issue/{issueIdOrKey}",
        issue: Some("PW-2"),
        is_write: true,
    };

    fn unpaced() -> Throttle {
        Throttle::new(Pacing {
            requests_per_second: None,
            burst: 1,
        })
    }

    #[tokio::test]
    async fn pacing_allows_a_burst_then_spaces_requests() {
        let throttle = Throttle::new(Pacing {
            requests_per_second: Some(10.0),
            burst: 3,
        });
        let t0 = Instant::now();
        let slots: Vec<Instant> = (0..5).map(|_| throttle.reserve(GET_ISSUE)).collect();
        // The first three go at once; each later one is 100 ms after the previous allowance.
        for slot in &slots[..3] {
            assert!(slot.duration_since(t0) < Duration::from_millis(20));
        }
        assert!(slots[3].duration_since(t0) >= Duration::from_millis(95));
        assert!(slots[4].duration_since(slots[3]) >= Duration::from_millis(95));
    }

    #[tokio::test]
    async fn absurd_pacing_settings_do_not_panic() {
        for rate in [1e-300, f64::MIN_POSITIVE, 5e-324] {
            let throttle = Throttle::new(Pacing {
                requests_per_second: Some(rate),
                burst: u32::MAX,
            });
            for _ in 0..3 {
                throttle.reserve(GET_ISSUE);
            }
        }
    }

    #[tokio::test]
    async fn site_pause_holds_everything() {
        let throttle = unpaced();
        let until = Instant::now() + Duration::from_secs(5);
        throttle.pause(LimitScope::Site, GET_ISSUE, until);
        assert!(throttle.reserve(EDIT_OTHER) >= until);
        assert!(throttle.reserve(GET_ISSUE) >= until);
    }

    #[tokio::test]
    async fn endpoint_pause_holds_only_that_endpoint() {
        let throttle = unpaced();
        let until = Instant::now() + Duration::from_secs(5);
        throttle.pause(LimitScope::Endpoint, GET_ISSUE, until);
        assert!(throttle.reserve(GET_ISSUE) >= until);
        assert!(throttle.reserve(EDIT_ISSUE) < until);
    }

    #[tokio::test]
    async fn issue_pause_holds_only_writes_to_that_issue() {
        let throttle = unpaced();
        let until = Instant::now() + Duration::from_secs(5);
        throttle.pause(LimitScope::Issue, EDIT_ISSUE, until);
        assert!(throttle.reserve(EDIT_ISSUE) >= until);
        assert!(throttle.reserve(EDIT_OTHER) < until);
        assert!(
            throttle.reserve(GET_ISSUE) < until,
            "reads of the issue go on"
        );
    }
}
