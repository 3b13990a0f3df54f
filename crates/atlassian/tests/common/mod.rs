//! Shared setup for the wiremock tests: a client pointed at a fresh mock server with fast,
//! deterministic retry settings.

#![allow(dead_code)]

use std::time::Duration;

use atlassian::{
    AtlassianAuth, ConfluenceClient, JiraClient, Pacing, RetryPolicy, SiteConfig, TransportConfig,
};
use wiremock::MockServer;

pub const EMAIL: &str = "bot@example.com";
pub const TOKEN: &str = "TOKEN-SHOULD-NEVER-LEAK";

/// Retries quick enough for tests; no proactive pacing.
pub fn fast_config() -> TransportConfig {
    TransportConfig {
        pacing: Pacing {
            requests_per_second: None,
            burst: 1,
        },
        retry: RetryPolicy {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(10),
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            retry_after_floor: Duration::from_millis(300),
            ..RetryPolicy::default()
        },
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..TransportConfig::default()
    }
}

pub async fn jira(server: &MockServer) -> JiraClient {
    jira_with(server, fast_config()).await
}

pub async fn jira_with(server: &MockServer, config: TransportConfig) -> JiraClient {
    let site = SiteConfig::new(&server.uri(), AtlassianAuth::basic(EMAIL, TOKEN)).unwrap();
    JiraClient::connect(site, config).await.unwrap()
}

pub async fn confluence(server: &MockServer) -> ConfluenceClient {
    let site = SiteConfig::new(&server.uri(), AtlassianAuth::basic(EMAIL, TOKEN)).unwrap();
    ConfluenceClient::connect(site, fast_config())
        .await
        .unwrap()
}

/// Wait until the server has received `count` requests (or fail after a deadline).
pub async fn wait_for_requests(server: &MockServer, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let received = server.received_requests().await.unwrap_or_default().len();
        if received >= count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "server saw {received} of {count} requests before the deadline"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A minimal issue body.
pub fn issue_json(key: &str) -> serde_json::Value {
    serde_json::json!({
        "id": key.trim_start_matches(|c: char| !c.is_ascii_digit()),
        "key": key,
        "fields": {"summary": format!("Summary of {key}")}
    })
}
