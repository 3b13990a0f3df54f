//! `GET /` and `GET /health` (public): liveness and a truthful readiness report.
//!
//! `/health` checks the database (reachable, migrations applied), the workers (at least one with a
//! fresh heartbeat), and every external dependency probe. It answers `healthy` or `degraded` with
//! 200, and `unhealthy` with 503 when the database is unusable, so load balancers take a replica
//! out of rotation only when it cannot serve anything.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::job_responses::format_timestamp;
use crate::state::{AppState, ProbeStatus, STANDARD_PROBES};

/// How long one dependency probe may take before it is reported as failing.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(root))
        .routes(routes!(health))
}

/// `GET /`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RootResponse {
    /// `Planwright API`.
    pub message: String,
    /// Always `healthy`: the process answers.
    pub status: String,
    /// The server version.
    pub version: String,
    /// Swagger UI.
    pub docs_url: String,
    /// ReDoc.
    pub redoc_url: String,
    /// `enabled` or `disabled`.
    pub authentication: String,
}

/// Basic liveness check.
#[utoipa::path(
    get,
    path = "/",
    tag = "health",
    security(()),
    responses((status = 200, description = "The server is up", body = RootResponse))
)]
async fn root(State(state): State<AppState>) -> Json<RootResponse> {
    Json(RootResponse {
        message: "Planwright API".to_owned(),
        status: "healthy".to_owned(),
        version: state.settings().version.clone(),
        docs_url: crate::docs::SWAGGER_PATH.to_owned(),
        redoc_url: crate::docs::REDOC_PATH.to_owned(),
        authentication: if state.authenticator().enabled() {
            "enabled"
        } else {
            "disabled"
        }
        .to_owned(),
    })
}

/// Overall health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything works.
    Healthy,
    /// The API works but something it relies on does not (no live worker, a dependency failing).
    Degraded,
    /// The database is unusable; the API cannot serve requests.
    Unhealthy,
}

/// `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy`, `degraded` (both HTTP 200) or `unhealthy` (HTTP 503).
    pub status: HealthStatus,
    /// When the checks ran (UTC).
    pub timestamp: String,
    /// Per-service state: `ready`/`connected`/`not configured`, or `error: <reason>`.
    /// `database` and `team_member_db` (the reference's name; team members live in the same
    /// database) report the database, `workers` the live worker processes.
    pub services: BTreeMap<String, String>,
    /// Why the service is unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Detailed health check: database, workers and external services.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "Healthy or degraded", body = HealthResponse),
        (status = 503, description = "Unhealthy: the database is unusable", body = HealthResponse),
    )
)]
async fn health(State(state): State<AppState>) -> Response {
    let report = check(&state).await;
    let code = if report.status == HealthStatus::Unhealthy {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (code, Json(report)).into_response()
}

async fn check(state: &AppState) -> HealthResponse {
    let mut services = BTreeMap::new();
    let mut status = HealthStatus::Healthy;
    let mut error = None;

    let db = state.db().health().await;
    let database = if !db.reachable {
        status = HealthStatus::Unhealthy;
        error = Some("database unreachable".to_owned());
        "error: unreachable".to_owned()
    } else if !db.migrations_applied {
        status = HealthStatus::Unhealthy;
        error = Some("database migrations not applied; run `planwright migrate`".to_owned());
        "error: migrations not applied; run `planwright migrate`".to_owned()
    } else {
        "ready".to_owned()
    };
    services.insert("database".to_owned(), database.clone());
    services.insert("team_member_db".to_owned(), database);

    let workers = if db.reachable {
        let since = Utc::now()
            - chrono::Duration::from_std(state.settings().worker_stale_after)
                .unwrap_or(chrono::Duration::MAX);
        match state.db().live_workers(since).await {
            Ok(live) if live.is_empty() => {
                degrade(&mut status);
                "error: no live worker; jobs stay queued until `planwright worker` (or `serve` \
                 without --no-worker) runs"
                    .to_owned()
            }
            Ok(live) => format!("{} live", live.len()),
            Err(failure) => {
                degrade(&mut status);
                tracing::warn!(error = %failure, "health: listing live workers failed");
                "error: could not read worker heartbeats".to_owned()
            }
        }
    } else {
        "error: unknown (database unreachable)".to_owned()
    };
    services.insert("workers".to_owned(), workers);

    let probes = state.probes();
    let results = futures::future::join_all(probes.iter().map(|probe| async move {
        let outcome = tokio::time::timeout(PROBE_TIMEOUT, probe.check())
            .await
            .unwrap_or_else(|_| {
                ProbeStatus::Unavailable(format!("no answer within {}s", PROBE_TIMEOUT.as_secs()))
            });
        (probe.name(), outcome)
    }))
    .await;
    for name in STANDARD_PROBES {
        services.insert(name.to_owned(), ProbeStatus::NotConfigured.describe());
    }
    for (name, outcome) in results {
        if matches!(outcome, ProbeStatus::Unavailable(_)) {
            degrade(&mut status);
        }
        services.insert(name.to_owned(), outcome.describe());
    }

    HealthResponse {
        status,
        timestamp: format_timestamp(Utc::now()),
        services,
        error,
    }
}

fn degrade(status: &mut HealthStatus) {
    if *status == HealthStatus::Healthy {
        *status = HealthStatus::Degraded;
    }
}
