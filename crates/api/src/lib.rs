//! The public HTTP API: router, auth, CORS, errors, OpenAPI docs and metrics.
//!
//! This is the only crate that knows the public API's JSON. The binary builds an [`AppState`]
//! from its configuration (mapped into [`ApiSettings`]) and serves [`router`]; tests do the same
//! on a random port.
//!
//! Request pipeline, outermost first: request id (`x-request-id`, generated when absent, echoed on
//! every response) → tracing span → CORS → HTTP metrics → 500 logging → panic catching →
//! timeout (504) → body limit (413) → routing (404/405) → authentication (401, protected routes
//! only) → handler.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod auth;
mod cors;
mod docs;
pub mod error;
pub mod extract;
pub mod job_dispatch;
pub mod job_responses;
pub mod observability;
pub mod request_fields;
mod routes;
pub mod settings;
pub mod state;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use auth::{Caller, api_key_hash, hash_password};
pub use error::{ApiError, ValidationIssue};
pub use observability::Metrics;
pub use settings::{ApiSettings, AuthSettings, CorsSettings, SettingsError};
pub use state::{AppState, HealthProbe, ProbeFuture, ProbeStatus};

/// Builds the complete application: every route, the docs, and the middleware stack.
pub fn router(state: AppState) -> Router {
    router_with(state, OpenApiRouter::new())
}

/// [`router`] plus `extra` routes, which get authentication and the whole middleware stack like
/// the built-in protected routes. For routes that are not part of the product (tests, embedding).
pub fn router_with(state: AppState, extra: OpenApiRouter<AppState>) -> Router {
    let (app, openapi) = api_routes(&state, extra).split_for_parts();
    let settings = state.settings();

    let middleware = ServiceBuilder::new()
        .layer(middleware::map_request(drop_unusable_request_id))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        // 500s are logged once, with their cause, by `log_server_errors`; the trace layer's own
        // failure log would only repeat them without the cause.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_failure(()),
        )
        .layer(cors::layer(&settings.cors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observability::record_http_metrics,
        ))
        .layer(middleware::from_fn(error::log_server_errors))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            enforce_timeout,
        ))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes));

    app.merge(docs::routes(openapi))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(middleware)
        .with_state(state)
}

/// The OpenAPI document the router serves, for tooling (e.g. `planwright openapi > api.json`).
pub fn openapi_document(state: &AppState) -> utoipa::openapi::OpenApi {
    api_routes(state, OpenApiRouter::new()).into_openapi()
}

/// Every documented route, with authentication applied to the protected ones.
fn api_routes(state: &AppState, extra: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let require_caller = middleware::from_fn_with_state(state.clone(), auth::require_caller);
    let mut metrics = routes::metrics::routes();
    if !state.settings().metrics_public {
        docs::document_authentication(metrics.get_openapi_mut());
        metrics = metrics.route_layer(require_caller.clone());
    }
    let mut protected = routes::protected().merge(extra);
    docs::document_authentication(protected.get_openapi_mut());
    let mut router = OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .merge(routes::public())
        .merge(protected.route_layer(require_caller))
        .merge(metrics);
    docs::document_json_bodies(router.get_openapi_mut());
    router.get_openapi_mut().info.version = state.settings().version.clone();
    router
}

/// The tracing span of a request: method, path (never the query string, which may hold
/// secrets) and request id.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

/// The longest client-supplied request id that is kept; longer ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Removes a client-supplied `x-request-id` that is too long or not printable ASCII, so a fresh
/// one is generated instead of copying arbitrary bytes into every log line.
async fn drop_unusable_request_id(mut request: Request) -> Request {
    let unusable = request.headers().get("x-request-id").is_some_and(|value| {
        value.len() > MAX_REQUEST_ID_LEN || !value.as_bytes().iter().all(u8::is_ascii_graphic)
    });
    if unusable {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// Answers 504 when a request takes longer than the configured timeout.
async fn enforce_timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.settings().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(limit).into_response(),
    }
}
