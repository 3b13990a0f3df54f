//! Typed clients for Jira Cloud (platform REST v3 + agile 1.0) and Confluence Cloud (REST v2),
//! with a rate-limit aware transport. This is the only crate that knows their JSON.
//!
//! - [`JiraClient`]: issues, search, links, fields, users, boards and sprints.
//! - [`ConfluenceClient`]: pages in storage format, conflict-safe edits.
//! - [`transport`]: pacing, `Retry-After`-honouring retries scoped by `RateLimit-Reason`, and the
//!   rule that creates are never retried blindly.
//! - [`Error`]: classified failures, each with a [`Error::hint`] for users.
//!
//! ```no_run
//! # async fn demo() -> atlassian::Result<()> {
//! use atlassian::models::{AdfDoc, NewIssue};
//! use atlassian::{AtlassianAuth, JiraClient, SearchQuery, SiteConfig, TransportConfig};
//!
//! let site = SiteConfig::new("https://acme.atlassian.net", AtlassianAuth::basic("me@acme.com", "token"))?;
//! let jira = JiraClient::connect(site, TransportConfig::default()).await?;
//! let created = jira
//!     .create_issue(&NewIssue::new("PW", "Story", "Checkout").with_description(AdfDoc::paragraph_text("…")))
//!     .await?;
//! jira.transition_to_status(&created.key, "In Progress").await?;
//! let stories = jira
//!     .search_all(SearchQuery::new("project = PW AND issuetype = Story").with_fields(["summary"]), 500)
//!     .await?;
//! # let _ = stories; Ok(()) }
//! ```

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod auth;
pub mod confluence;
pub mod error;
pub mod jira;
pub mod models;
pub mod transport;

pub use auth::{AtlassianAuth, SiteConfig, TokenFuture, TokenSource};
pub use confluence::{ConfluenceClient, Page};
pub use error::{Error, Result};
pub use jira::{JiraClient, KnownLinkType, RequestPreview, SearchPage, SearchPager, SearchQuery};
pub use transport::{Pacing, RetryPolicy, TransportConfig, TransportStats};
