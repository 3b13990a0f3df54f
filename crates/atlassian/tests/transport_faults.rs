//! Fault behaviour of the transport against a wiremock Jira: rate limits (every header form and
//! every `RateLimit-Reason` scope), 5xx/timeout retries, the never-retry-a-create rule, error
//! classification, and credential scoping on redirects.

mod common;

use std::time::Duration;

use atlassian::models::NewIssue;
use atlassian::{AtlassianAuth, Error, JiraClient, SiteConfig, TransportConfig};
use common::{fast_config, issue_json, jira, jira_with, wait_for_requests};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_issue_after_429(server: &MockServer, limited: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(limited)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue_json("PW-1")))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn retry_after_zero_waits_the_floor_instead_of_spinning() {
    let server = MockServer::start().await;
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
    )
    .await;
    let client = jira(&server).await;
    let started = Instant::now();
    let issue = client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert_eq!(issue.key, "PW-1");
    assert!(started.elapsed() >= fast_config().retry.retry_after_floor);
    let stats = client.stats();
    assert_eq!(stats.attempts, 2);
    assert_eq!(stats.rate_limited, 1);
    assert!(!stats.waited.is_zero(), "{stats:?}");
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start().await;
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
    )
    .await;
    let client = jira(&server).await;
    let started = Instant::now();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(client.stats().attempts, 2);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(3);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()),
    )
    .await;
    let client = jira(&server).await;
    // The date has one-second resolution: the client must wait until that second, whatever the
    // set-up above cost on a busy machine. 100 ms of slack for the clocks' rounding.
    let due = chrono::DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
        .expect("the date parses")
        .with_timezone(&chrono::Utc);
    let remaining = (due - chrono::Utc::now()).to_std().unwrap_or_default();
    let started = Instant::now();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert!(remaining >= Duration::from_millis(500), "{remaining:?}");
    assert!(
        started.elapsed() + Duration::from_millis(100) >= remaining,
        "waited {:?} of {remaining:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn x_ratelimit_reset_is_used_without_retry_after() {
    let server = MockServer::start().await;
    let reset = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(429).insert_header("X-RateLimit-Reset", reset.as_str()),
    )
    .await;
    let client = jira(&server).await;
    let started = Instant::now();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_wait_beyond_the_budget_is_surfaced_not_slept() {
    let server = MockServer::start().await;
    let reset = (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%MZ")
        .to_string();
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Reset", reset.as_str())
                .insert_header("RateLimit-Reason", "jira-quota-tenant-based"),
        )
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let error = client.get_issue("PW-1", &[], &[]).await.unwrap_err();
    let Error::RateLimited {
        retry_after,
        reason,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert!(retry_after.unwrap() > Duration::from_secs(60 * 58));
    assert_eq!(reason.as_deref(), Some("jira-quota-tenant-based"));
    assert!(error.hint().contains("seconds"));
    assert_eq!(client.stats().attempts, 1);
}

#[tokio::test]
async fn rate_limit_retries_stop_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let error = client.myself().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        fast_config().retry.max_attempts as usize
    );
}

/// Start a GET of PW-1 that is rate limited with `reason` for 2 s, and return once the 429 was
/// answered (the request is then waiting to retry).
async fn start_limited_request(
    server: &MockServer,
    client: &JiraClient,
    method_name: &str,
    reason: &str,
) -> tokio::task::JoinHandle<()> {
    Mock::given(method(method_name))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "2")
                .insert_header("RateLimit-Reason", reason),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue_json("PW-1")))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(3)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accountId": "me"})))
        .mount(server)
        .await;
    let background = client.clone();
    let is_edit = method_name == "PUT";
    let handle = tokio::spawn(async move {
        if is_edit {
            let edit = atlassian::models::IssueEdit::new().set_summary("x");
            background.edit_issue("PW-1", &edit).await.unwrap();
        } else {
            background.get_issue("PW-1", &[], &[]).await.unwrap();
        }
    });
    wait_for_requests(server, 1).await;
    handle
}

async fn requests_to(server: &MockServer, verb: &str, url_path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == url_path)
        .count()
}

#[tokio::test]
async fn tenant_quota_pauses_every_request_to_the_site() {
    let server = MockServer::start().await;
    let client = jira(&server).await;
    let limited = start_limited_request(&server, &client, "GET", "jira-quota-tenant-based").await;
    let started = Instant::now();
    client.myself().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "another endpoint was held back by the site-wide pause"
    );
    limited.await.unwrap();
}

#[tokio::test]
async fn burst_limit_slows_only_that_endpoint() {
    let server = MockServer::start().await;
    let client = jira(&server).await;
    let limited = start_limited_request(&server, &client, "GET", "jira-burst-based").await;
    client.myself().await.unwrap();
    // The other endpoint completed while the limited GET was still waiting to retry.
    assert_eq!(
        requests_to(&server, "GET", "/rest/api/3/issue/PW-1").await,
        1
    );
    let started = Instant::now();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the limited endpoint itself is paused"
    );
    limited.await.unwrap();
}

#[tokio::test]
async fn per_issue_write_limit_spaces_writes_to_that_issue_only() {
    let server = MockServer::start().await;
    let client = jira(&server).await;
    let limited = start_limited_request(&server, &client, "PUT", "jira-per-issue-on-write").await;
    let edit = atlassian::models::IssueEdit::new().set_summary("y");
    client.edit_issue("PW-2", &edit).await.unwrap();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert_eq!(
        requests_to(&server, "PUT", "/rest/api/3/issue/PW-1").await,
        1,
        "writes to another issue and reads of this one went ahead of the paused write"
    );
    let started = Instant::now();
    client.edit_issue("PW-1", &edit).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    limited.await.unwrap();
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let server = MockServer::start().await;
    mount_issue_after_429(&server, ResponseTemplate::new(502)).await;
    let client = jira(&server).await;
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn service_unavailable_with_retry_after_is_honoured() {
    let server = MockServer::start().await;
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(503).insert_header("Retry-After", "1"),
    )
    .await;
    let client = jira(&server).await;
    let started = Instant::now();
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn create_is_not_retried_on_500() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"errorMessages": ["boom"]})))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let error = client
        .create_issue(&NewIssue::new("PW", "Task", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.hint().contains("search"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn create_is_not_retried_on_503_with_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let result = client.create_issue(&NewIssue::new("PW", "Task", "x")).await;
    assert!(matches!(result, Err(Error::Server { status: 503, .. })));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn create_is_retried_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "10001", "key": "PW-7", "self": "x"})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let created = client
        .create_issue(&NewIssue::new("PW", "Task", "x"))
        .await
        .unwrap();
    assert_eq!(created.key, "PW-7");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn create_is_retried_when_the_connection_never_opened() {
    // A port that refuses connections: nothing can have reached Jira, so retrying is safe.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let site = SiteConfig::new(&format!("http://{address}"), AtlassianAuth::bearer("t"))
        .unwrap()
        .with_cloud_id("cloud")
        .with_gateway(&format!("http://{address}"))
        .unwrap();
    let client = JiraClient::connect(site, fast_config()).await.unwrap();
    let error = client
        .create_issue(&NewIssue::new("PW", "Task", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Network {
                reached_server: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        client.stats().attempts,
        u64::from(fast_config().retry.max_attempts)
    );
}

#[tokio::test]
async fn timeouts_retry_reads_but_not_creates() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(issue_json("PW-1"))
                .set_delay(Duration::from_secs(2)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue_json("PW-1")))
        .with_priority(2)
        .mount(&server)
        .await;
    let config = TransportConfig {
        request_timeout: Duration::from_millis(300),
        ..fast_config()
    };
    let client = jira_with(&server, config).await;
    let error = client
        .create_issue(&NewIssue::new("PW", "Task", "x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(requests_to(&server, "POST", "/rest/api/3/issue").await, 1);
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert_eq!(
        requests_to(&server, "GET", "/rest/api/3/issue/PW-1").await,
        2
    );
}

#[tokio::test]
async fn errors_are_classified_with_field_errors_and_hints() {
    let server = MockServer::start().await;
    let cases = [
        (401, "/rest/api/3/issue/A-1"),
        (403, "/rest/api/3/issue/A-2"),
        (404, "/rest/api/3/issue/A-3"),
        (400, "/rest/api/3/issue/A-4"),
        (409, "/rest/api/3/issue/A-5"),
        (410, "/rest/api/3/issue/A-6"),
    ];
    for (status, url_path) in cases {
        Mock::given(method("GET"))
            .and(path(url_path))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({
                "errorMessages": ["Issue does not exist or you do not have permission to see it."],
                "errors": {"summary": "You must specify a summary of the issue."}
            })))
            .mount(&server)
            .await;
    }
    let client = jira(&server).await;
    assert!(!format!("{client:?}").contains(common::TOKEN));
    let mut seen = Vec::new();
    for (status, url_path) in cases {
        let key = url_path.rsplit('/').next().unwrap();
        let error = client.get_issue(key, &[], &[]).await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert!(!error.hint().is_empty());
        let shown = format!("{error} {error:?} {}", error.hint());
        assert!(!shown.contains(common::TOKEN), "{shown}");
        seen.push(error);
    }
    assert!(matches!(seen[0], Error::Unauthorized { .. }));
    assert!(matches!(seen[1], Error::Forbidden { .. }));
    assert!(
        matches!(&seen[2], Error::NotFound { messages, .. } if messages[0].contains("does not exist"))
    );
    let Error::Validation { errors, .. } = &seen[3] else {
        panic!("{:?}", seen[3])
    };
    assert_eq!(
        errors["summary"],
        "You must specify a summary of the issue."
    );
    assert!(seen[3].hint().contains("summary"));
    assert!(matches!(seen[4], Error::Conflict { .. }));
    assert!(matches!(
        seen[5],
        Error::UnexpectedStatus { status: 410, .. }
    ));
    assert!(seen[5].hint().contains("removed"));
}

#[tokio::test]
async fn credentials_are_not_sent_to_another_host_on_redirect() {
    let jira_server = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/landing", foreign.uri()).as_str()),
        )
        .mount(&jira_server)
        .await;
    Mock::given(method("GET"))
        .and(path("/landing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issue_json("PW-1")))
        .mount(&foreign)
        .await;
    let client = jira(&jira_server).await;
    client.get_issue("PW-1", &[], &[]).await.unwrap();
    let to_jira = jira_server.received_requests().await.unwrap();
    use base64::Engine;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        common::EMAIL,
        common::TOKEN
    ));
    assert_eq!(
        to_jira[0].headers["authorization"],
        format!("Basic {expected}").as_str()
    );
    let to_foreign = foreign.received_requests().await.unwrap();
    assert_eq!(to_foreign.len(), 1);
    assert!(
        !to_foreign[0].headers.contains_key("authorization"),
        "the Authorization header followed the redirect to another host"
    );
}

#[tokio::test]
async fn bearer_tokens_go_through_the_gateway_with_a_discovered_cloud_id() {
    let site = MockServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/_edge/tenant_info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"cloudId": "c-123"})))
        .mount(&site)
        .await;
    Mock::given(method("GET"))
        .and(path("/ex/jira/c-123/rest/api/3/myself"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accountId": "me"})))
        .mount(&gateway)
        .await;
    let config = SiteConfig::new(&site.uri(), AtlassianAuth::bearer("scoped-token"))
        .unwrap()
        .with_gateway(&gateway.uri())
        .unwrap();
    let client = JiraClient::connect(config, fast_config()).await.unwrap();
    assert_eq!(client.myself().await.unwrap().account_id, "me");
    assert_eq!(
        client.browse_url("PW-1"),
        format!("{}/browse/PW-1", site.uri())
    );
    let discovery = site.received_requests().await.unwrap();
    assert!(!discovery[0].headers.contains_key("authorization"));
    let call = &gateway.received_requests().await.unwrap()[0];
    assert_eq!(call.headers["authorization"], "Bearer scoped-token");
}

#[tokio::test]
async fn a_token_source_is_asked_for_every_request() {
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Rotating(AtomicU32);
    impl atlassian::TokenSource for Rotating {
        fn bearer_token(&self) -> atlassian::TokenFuture<'_> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok(secrecy::SecretString::from(format!("token-{n}"))) })
        }
    }

    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ex/jira/c-1/rest/api/3/myself"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accountId": "me"})))
        .mount(&gateway)
        .await;
    let auth = AtlassianAuth::TokenSource(std::sync::Arc::new(Rotating(AtomicU32::new(0))));
    let config = SiteConfig::new("https://acme.atlassian.net", auth)
        .unwrap()
        .with_cloud_id("c-1")
        .with_gateway(&gateway.uri())
        .unwrap();
    let client = JiraClient::connect(config, fast_config()).await.unwrap();
    client.myself().await.unwrap();
    client.myself().await.unwrap();
    let tokens: Vec<String> = gateway
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(tokens, vec!["Bearer token-0", "Bearer token-1"]);
}

#[tokio::test]
async fn absurd_rate_limit_waits_are_capped_not_panicked_on() {
    // Each of these once panicked (`Duration::from_secs_f64(1e20)`) or could overflow the wait
    // arithmetic; now a wait longer than `max_retry_after` counts as that long, beyond the budget.
    let cases = [
        ("Retry-After", "1e20"),
        ("Retry-After", "18446744073709551615"),
        ("Retry-After", "99999999999999999999999"),
        ("Retry-After", "inf"),
        ("X-RateLimit-Reset", "9999-12-31T23:59Z"),
    ];
    for (header, value) in cases {
        let server = MockServer::start().await;
        mount_issue_after_429(
            &server,
            ResponseTemplate::new(429).insert_header(header, value),
        )
        .await;
        let client = jira(&server).await;
        let error = client.get_issue("PW-1", &[], &[]).await.unwrap_err();
        let Error::RateLimited { retry_after, .. } = &error else {
            panic!("{header}: {value}: {error:?}")
        };
        assert_eq!(
            *retry_after,
            Some(atlassian::RetryPolicy::default().max_retry_after),
            "{header}: {value}"
        );
        assert!(!error.hint().is_empty());
        assert_eq!(client.stats().attempts, 1, "{header}: {value}");
    }
}

#[tokio::test]
async fn a_huge_wait_under_a_small_cap_is_slept_as_the_cap_then_retried() {
    let server = MockServer::start().await;
    mount_issue_after_429(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "1e20"),
    )
    .await;
    let mut config = fast_config();
    config.retry.max_retry_after = Duration::from_millis(400);
    let client = jira_with(&server, config).await;
    let issue = client.get_issue("PW-1", &[], &[]).await.unwrap();
    assert_eq!(issue.key, "PW-1");
    assert_eq!(client.stats().attempts, 2);
}

#[tokio::test]
async fn negative_and_nan_retry_after_fall_back_to_backoff() {
    for value in ["-5", "NaN", "-inf"] {
        let server = MockServer::start().await;
        mount_issue_after_429(
            &server,
            ResponseTemplate::new(429).insert_header("Retry-After", value),
        )
        .await;
        let client = jira(&server).await;
        let issue = client.get_issue("PW-1", &[], &[]).await.unwrap();
        assert_eq!(issue.key, "PW-1", "{value}");
        assert_eq!(client.stats().attempts, 2, "{value}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_fails_naming_the_limit() {
    let server = MockServer::start().await;
    let mut big = issue_json("PW-1");
    big["fields"]["description"] = json!("x".repeat(300 * 1024));
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(big))
        .mount(&server)
        .await;
    let mut config = fast_config();
    config.max_response_bytes = 256 * 1024;
    let client = jira_with(&server, config).await;
    let error = client.get_issue("PW-1", &[], &[]).await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit, .. } if limit == 256 * 1024),
        "{error:?}"
    );
    assert!(error.to_string().contains("262144 bytes"), "{error}");
    assert!(error.hint().contains("JIRA_MAX_RESPONSE_BYTES"));

    // A body under the limit still reads.
    let client = jira(&server).await;
    assert_eq!(
        client.get_issue("PW-1", &[], &[]).await.unwrap().key,
        "PW-1"
    );
}

/// A peer that answers every request with a chunked body that never ends.
async fn endless_body_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                // Until the client hangs up: only a capped reader ever stops this.
                while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let base = endless_body_server().await;
    let site = SiteConfig::new(&base, AtlassianAuth::basic(common::EMAIL, common::TOKEN)).unwrap();
    let mut config = fast_config();
    config.max_response_bytes = 1024 * 1024;
    let client = JiraClient::connect(site, config).await.unwrap();
    let error = client.get_issue("PW-1", &[], &[]).await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit, .. } if limit == 1024 * 1024),
        "{error:?}"
    );
}
