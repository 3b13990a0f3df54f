//! `/health` of the real binary reports the Jira it is wired to: the in-process sandbox when no
//! Jira is configured, or the configured site, truthfully.

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn without_a_configured_jira_the_sandbox_answers() {
    let db = TestDatabase::sqlite().await.unwrap();
    let server = Server::start(db.url(), &[], &[]);
    let (code, body) = server.get_json("/health").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["services"]["jira"], "sandbox", "{body}");
    assert_eq!(body["services"]["confluence"], "sandbox", "{body}");
    assert_eq!(body["services"]["llm"], "offline", "{body}");
    assert_eq!(body["status"], "healthy", "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_jira_degrades_health_without_leaking_the_token() {
    let db = TestDatabase::sqlite().await.unwrap();
    let server = Server::start(
        db.url(),
        &[],
        &[
            ("JIRA_SERVER_URL", "http://127.0.0.1:9"),
            ("JIRA_USERNAME", "bot@example.com"),
            ("JIRA_API_TOKEN", "token-that-must-not-leak"),
        ],
    );
    let (code, body) = server.get_json("/health").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "degraded", "{body}");
    let jira = body["services"]["jira"].as_str().unwrap();
    assert!(jira.starts_with("error: "), "{body}");
    assert_eq!(body["services"]["confluence"], "not configured", "{body}");
    assert!(!body.to_string().contains("token-that-must-not-leak"));
    assert!(!server.process.stderr().contains("token-that-must-not-leak"));
}

#[tokio::test(flavor = "multi_thread")]
async fn models_lists_the_providers_that_have_keys() {
    let db = TestDatabase::sqlite().await.unwrap();
    let server = Server::start(
        db.url(),
        &["--no-worker"],
        &[
            ("ANTHROPIC_API_KEY", "sk-ant-test"),
            ("LLM_PROVIDER", "claude"),
        ],
    );
    let (code, body) = server.get_json("/models").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["default_provider"], "claude", "{body}");
    let (_, health) = server.get_json("/health").await;
    let llm = health["services"]["llm"].as_str().unwrap_or_default();
    assert!(llm.starts_with("claude: "), "{health}");
    let providers: Vec<&str> = body["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        providers.contains(&"claude") && providers.contains(&"offline"),
        "{body}"
    );
    assert!(
        !providers.contains(&"openai"),
        "no key, not offered: {body}"
    );
    assert!(!body.to_string().contains("sk-ant-test"));
}
