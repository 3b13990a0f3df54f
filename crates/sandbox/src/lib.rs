//! An emulator of Jira Cloud (platform REST v3, its v2 twin, and Jira Software agile 1.0) and
//! Confluence Cloud (v2, plus the v1 content read and update) serving real HTTP, for tests,
//! demos and the no-accounts quick start.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sandbox::SandboxError> {
//! use sandbox::{Sandbox, Seed};
//! let sandbox = Sandbox::builder().seed(Seed::Demo).start().await?;
//! let url = sandbox.base_url(); // http://127.0.0.1:PORT
//! // … point a Jira client at `url` with demo@example.com / sandbox-token …
//! assert!(sandbox.write_log().is_empty());
//! sandbox.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! What a test can reach:
//! - [`SandboxHandle::state`] reads and seeds data directly ([`SandboxState::create_issue`],
//!   [`SandboxState::write`] for the whole [`Store`]);
//! - [`SandboxHandle::faults`] injects 429s, 5xx, latency, per-issue limits and a quota;
//! - [`SandboxHandle::write_log`] lists every mutating request (and can wait for one);
//! - with the `contract` feature, [`SandboxHandle::contract_violations`] lists every request
//!   or response that broke the official OpenAPI documents (see [`contract`]).
//!
//! Module map: `state` (model, store rules, JQL adapter), `jira` (platform endpoints),
//! `agile`, `confluence`, `auth`, `faults`, `write_log`, `demo` (seed data), `server`
//! (builder and handle), `contract` (feature `contract`).

mod agile;
mod auth;
mod confluence;
#[cfg(feature = "contract")]
pub mod contract;
mod demo;
mod error;
mod faults;
mod jira;
mod server;
mod state;
mod webhooks;
mod write_log;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tower::ServiceExt;

pub use auth::{
    ApiAccount, Credentials, DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN, DEFAULT_EMAIL, Principal,
};
pub use demo::DEMO_KEY;
pub use error::ApiError;
pub use faults::{FaultConfig, Faults, RateLimitFault, RateLimitReason, ServerErrorFault, Trigger};
pub use server::{Sandbox, SandboxBuilder, SandboxError, SandboxHandle, Seed};
pub use state::*;
pub use webhooks::WebhookEvent;
pub use write_log::{WriteLog, WriteRecord};

/// The sandbox's routes (Jira, Jira Software, Confluence) with authentication, fault injection,
/// the write log and (with the `contract` feature, when configured) contract checks applied.
///
/// Every route is also served in the API-gateway form OAuth apps and scoped tokens use,
/// `/ex/jira/{cloudId}/rest/…` and `/ex/confluence/{cloudId}/wiki/…`, with the sandbox's cloud
/// id (`/_edge/tenant_info`).
///
/// It has no fallback, so it can be merged with other routers; [`not_found`] is the fallback
/// the standalone server uses.
pub fn router(state: SandboxState) -> Router {
    let routes = Router::new()
        .merge(jira::routes())
        .merge(agile::routes())
        .merge(confluence::routes());
    #[cfg(feature = "contract")]
    let routes = routes.layer(from_fn_with_state(state.clone(), contract::check));
    let site = routes
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), auth::require_auth))
        .layer(from_fn_with_state(state.clone(), write_log::record))
        .with_state(state.clone());
    let through_gateway = {
        let site = site.clone();
        move |request: Request| gateway(state.clone(), site.clone(), request)
    };
    Router::new()
        .route("/ex/{product}/{cloud}/{*rest}", any(through_gateway))
        .merge(site)
}

/// Serves a gateway-form request (`/ex/{product}/{cloudId}/…`) from the site routes.
async fn gateway(state: SandboxState, site: Router, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let mut parts = path.splitn(5, '/').skip(2);
    let (product, cloud, rest) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let cloud_matches = cloud == Some(state.read().cloud_id());
    let product_matches = match product {
        Some("jira") => !rest.starts_with("wiki/"),
        Some("confluence") => rest.starts_with("wiki/"),
        _ => false,
    };
    if !cloud_matches || !product_matches {
        return ApiError::jira_message(
            StatusCode::NOT_FOUND,
            format!("No site is served at {path}."),
        )
        .into_response();
    }
    let rest_path = match request.uri().query() {
        Some(query) => format!("/{rest}?{query}"),
        None => format!("/{rest}"),
    };
    let (mut head, body) = request.into_parts();
    // Drop the outer route's path parameters, which axum would otherwise merge into the
    // inner route's (`Path` extractors there expect only their own).
    head.extensions = Default::default();
    match rest_path.parse::<Uri>() {
        Ok(uri) => head.uri = uri,
        Err(_) => return ApiError::bad_request("Malformed gateway path.").into_response(),
    }
    match site.oneshot(Request::from_parts(head, body)).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Fallback for unknown paths: Jira's 404 shape (Confluence's under `/wiki`).
pub async fn not_found(uri: Uri) -> ApiError {
    if uri.path().starts_with("/wiki/") {
        ApiError::confluence(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("No resource at {}", uri.path()),
        )
    } else {
        ApiError::jira_message(
            StatusCode::NOT_FOUND,
            format!("null for uri: {}", uri.path()),
        )
    }
}
