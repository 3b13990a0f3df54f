//! An emulator of Jira Cloud (platform REST v3 and Jira Software agile 1.0) and Confluence
//! Cloud (v2, plus the v1 content read) serving real HTTP, for tests, demos and the
//! no-accounts quick start.
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
//! Behaviour follows the official OpenAPI documents; with the `contract` feature every request
//! and response is checked against them (see [`contract`]).

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
mod write_log;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::middleware::from_fn_with_state;

pub use auth::{ApiAccount, Credentials, DEFAULT_API_TOKEN, DEFAULT_EMAIL, Principal};
pub use error::ApiError;
pub use faults::{FaultConfig, Faults, RateLimitFault, RateLimitReason, ServerErrorFault, Trigger};
pub use server::{Sandbox, SandboxBuilder, SandboxError, SandboxHandle, Seed};
pub use state::*;
pub use write_log::{WriteLog, WriteRecord};

/// The sandbox's routes (Jira, Jira Software, Confluence) with authentication, fault injection,
/// the write log and (with the `contract` feature, when configured) contract checks applied.
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
    routes
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), auth::require_auth))
        .layer(from_fn_with_state(state.clone(), write_log::record))
        .with_state(state)
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
