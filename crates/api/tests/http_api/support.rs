//! Test harness: a real server on 127.0.0.1:0 per test, over a fresh database, plus a few extra
//! routes that exercise what the product routes do not (JSON bodies, enqueueing, timeouts,
//! panics).

use std::sync::Arc;
use std::time::Duration;

use api::extract::ApiJson;
use api::job_responses::{BatchResponse, DuplicateKind, enqueue_error};
use api::{ApiError, ApiSettings, AppState, HealthProbe, Metrics};
use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use store::{Database, JobRecord, NewJob, TestDatabase};
use tokio::task::JoinHandle;
use utoipa_axum::router::OpenApiRouter;

/// One running server.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    fixture: TestDatabase,
    server: JoinHandle<()>,
}

/// Every configured test database (SQLite always, PostgreSQL when configured).
pub async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all().await.expect("create test databases")
}

impl TestApp {
    pub async fn spawn(fixture: TestDatabase, settings: ApiSettings) -> Self {
        Self::spawn_with_probes(fixture, settings, Vec::new()).await
    }

    pub async fn spawn_with_probes(
        fixture: TestDatabase,
        settings: ApiSettings,
        probes: Vec<Arc<dyn HealthProbe>>,
    ) -> Self {
        let mut state =
            AppState::new(fixture.db().clone(), settings, Metrics::new()).expect("valid settings");
        for probe in probes {
            state = state.with_probe(probe);
        }
        let app = api::router_with(state, test_routes());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self {
            base: format!("http://{address}"),
            client,
            fixture,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> &Database {
        self.fixture.db()
    }

    pub fn label(&self) -> &'static str {
        self.fixture.label()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn finish(self) {
        self.server.abort();
        self.fixture.cleanup().await;
    }
}

/// The JSON body of a response, asserting its status.
pub async fn json(response: reqwest::Response, status: u16) -> serde_json::Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Enqueues a `single` job for `ticket` holding it as lock key.
pub async fn enqueue_single(db: &Database, ticket: &str) -> JobRecord {
    db.enqueue(
        NewJob::new("single", serde_json::json!({ "ticket_key": ticket }))
            .with_lock_keys([ticket])
            .with_ticket_key(ticket)
            .with_message(format!("Ticket {ticket} queued for processing")),
    )
    .await
    .expect("enqueue")
}

#[derive(Debug, Deserialize, Serialize)]
struct EchoBody {
    ticket_key: String,
    count: u32,
    #[serde(default)]
    tags: Vec<String>,
}

async fn echo(ApiJson(body): ApiJson<EchoBody>) -> Json<EchoBody> {
    Json(body)
}

#[derive(Debug, Deserialize)]
struct EnqueueBody {
    ticket_key: Option<String>,
    story_keys: Option<Vec<String>>,
}

/// What a feature route does: enqueue with dedupe, answer with the shared helpers.
async fn enqueue(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<EnqueueBody>,
) -> Result<BatchResponse, ApiError> {
    let (kind, keys, job) = match (body.ticket_key, body.story_keys) {
        (Some(ticket), None) => (
            DuplicateKind::Ticket,
            vec![ticket.clone()],
            NewJob::new("single", serde_json::json!({})).with_ticket_key(ticket),
        ),
        (None, Some(stories)) => (
            DuplicateKind::Stories,
            stories.clone(),
            NewJob::new("task_generation", serde_json::json!({})).with_story_keys(stories),
        ),
        _ => return Err(ApiError::BadRequest("send ticket_key or story_keys".into())),
    };
    let record = state
        .db()
        .enqueue(job.with_lock_keys(keys.clone()))
        .await
        .map_err(|error| enqueue_error(kind, error))?;
    Ok(BatchResponse::accepted(
        &record.id,
        format!("{} queued for processing", keys.join(",")),
        false,
    ))
}

async fn never_finishes() -> &'static str {
    std::future::pending::<()>().await;
    "unreachable"
}

async fn panics() -> &'static str {
    panic!("handler bug with secret-panic-detail")
}

async fn internal() -> Result<&'static str, ApiError> {
    Err(ApiError::internal("secret-internal-cause"))
}

fn test_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/test/echo", post(echo))
        .route("/test/enqueue", post(enqueue))
        .route("/test/slow", get(never_finishes))
        .route("/test/panic", get(panics))
        .route("/test/internal", get(internal))
}
