//! `GET /` and `GET /health`: healthy with a live worker, degraded without one or with a failing
//! dependency, unhealthy (503) when the database is down.

use std::sync::Arc;

use api::{ApiSettings, HealthProbe, ProbeFuture, ProbeStatus};
use serde_json::json;
use store::WorkerRegistration;

use crate::support::{TestApp, databases, json};

fn worker() -> WorkerRegistration {
    WorkerRegistration {
        id: "test-worker".into(),
        hostname: "localhost".into(),
        pid: 1,
        kinds: vec!["single".into()],
        concurrency: 1,
    }
}

struct FailingJira;

impl HealthProbe for FailingJira {
    fn name(&self) -> &'static str {
        "jira"
    }
    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(async { ProbeStatus::Unavailable("401 from Jira; check JIRA_API_TOKEN".into()) })
    }
}

struct WorkingLlm;

impl HealthProbe for WorkingLlm {
    fn name(&self) -> &'static str {
        "llm"
    }
    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(async { ProbeStatus::Connected })
    }
}

#[tokio::test]
async fn root_reports_name_version_and_docs() {
    for fixture in databases().await {
        let settings = ApiSettings {
            version: "9.9.9".into(),
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;
        assert_eq!(
            json(app.get("/").await, 200).await,
            json!({
                "message": "Planwright API",
                "status": "healthy",
                "version": "9.9.9",
                "docs_url": "/docs",
                "redoc_url": "/redoc",
                "authentication": "disabled"
            })
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn health_is_degraded_without_a_worker_and_healthy_with_one() {
    for fixture in databases().await {
        let app =
            TestApp::spawn_with_probes(fixture, ApiSettings::default(), vec![Arc::new(WorkingLlm)])
                .await;
        let label = app.label();
        let degraded = json(app.get("/health").await, 200).await;
        assert_eq!(degraded["status"], "degraded", "{label}: {degraded}");
        assert_eq!(degraded["services"]["database"], "ready");
        assert_eq!(degraded["services"]["team_member_db"], "ready");
        assert!(
            degraded["services"]["workers"]
                .as_str()
                .unwrap()
                .starts_with("error: no live worker")
        );
        assert_eq!(degraded["services"]["jira"], "not configured");
        assert_eq!(degraded["services"]["confluence"], "not configured");
        assert_eq!(degraded["services"]["llm"], "connected");
        assert!(degraded["timestamp"].as_str().unwrap().ends_with('Z'));

        app.db().register_worker(&worker()).await.unwrap();
        let healthy = json(app.get("/health").await, 200).await;
        assert_eq!(healthy["status"], "healthy", "{label}: {healthy}");
        assert_eq!(healthy["services"]["workers"], "1 live");
        assert!(healthy.get("error").is_none());
        app.finish().await;
    }
}

#[tokio::test]
async fn a_failing_dependency_degrades_health() {
    for fixture in databases().await {
        let app = TestApp::spawn_with_probes(
            fixture,
            ApiSettings::default(),
            vec![Arc::new(FailingJira)],
        )
        .await;
        app.db().register_worker(&worker()).await.unwrap();
        let body = json(app.get("/health").await, 200).await;
        assert_eq!(body["status"], "degraded");
        assert_eq!(
            body["services"]["jira"],
            "error: 401 from Jira; check JIRA_API_TOKEN"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn health_is_unhealthy_when_the_database_is_down() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        app.db().close().await;
        let body = json(app.get("/health").await, 503).await;
        assert_eq!(body["status"], "unhealthy");
        assert!(
            body["services"]["database"]
                .as_str()
                .unwrap()
                .starts_with("error:")
        );
        assert!(body["error"].is_string());
        // Routes that need the database say so with a 503, not a 500.
        let jobs = json(app.get("/jobs").await, 503).await;
        assert!(jobs["detail"].as_str().unwrap().contains("database"));
        // Liveness does not depend on the database.
        assert_eq!(app.get("/").await.status(), 200);
        app.finish().await;
    }
}

#[tokio::test]
async fn health_is_unhealthy_when_migrations_were_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("unmigrated.db").display());
    let db = store::Database::connect(&url).await.unwrap();
    let state =
        api::AppState::new(db.clone(), ApiSettings::default(), api::Metrics::new()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("http://{address}/health"))
        .send()
        .await
        .unwrap();
    let body = json(response, 503).await;
    assert_eq!(body["status"], "unhealthy");
    assert!(
        body["services"]["database"]
            .as_str()
            .unwrap()
            .contains("planwright migrate"),
        "{body}"
    );
    server.abort();
    db.close().await;
}
