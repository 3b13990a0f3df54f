//! Typed clients for Jira Cloud (platform REST v3 + agile 1.0) and Confluence Cloud (REST v2),
//! with a rate-limit aware transport. This is the only crate that knows their JSON.
//!
//! - [`JiraClient`]: issues, search, links, fields, users, boards and sprints.
//! - [`ConfluenceClient`]: pages in storage format, conflict-safe edits.
//! - [`transport`]: pacing, `Retry-After`-honouring retries scoped by `RateLimit-Reason`, and the
//!   rule that creates are never retried blindly.
//! - [`Error`]: classified failures, each with a [`Error::hint`] for users.

pub mod auth;
pub mod confluence;
pub mod error;
pub mod jira;
pub mod models;
pub mod transport;

pub use auth::{AtlassianAuth, SiteConfig, TokenFuture, TokenSource};
pub use confluence::{ConfluenceClient, Page};
pub use error::{Error, Result};
pub use jira::{JiraClient, KnownLinkType, SearchPage, SearchPager, SearchQuery};
pub use transport::{Pacing, RetryPolicy, TransportConfig, TransportStats};
