//! The one error type of the Atlassian clients, classified so callers can tell a user what to do.
//!
//! Every variant carries only what Jira or Confluence said (`errorMessages` / `errors`) plus the
//! operation that failed; credentials never reach an error because requests are described by their
//! endpoint template, never by their headers.

use std::collections::BTreeMap;
use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong talking to Jira or Confluence.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 404: the thing does not exist, or the credentials may not see it (Jira does not tell which).
    #[error("{endpoint}: not found{}", join_messages(.messages))]
    NotFound {
        endpoint: String,
        messages: Vec<String>,
    },
    /// 401: the credentials were rejected.
    #[error("{endpoint}: unauthorized{}", join_messages(.messages))]
    Unauthorized {
        endpoint: String,
        messages: Vec<String>,
    },
    /// 403: the credentials are valid but lack a permission or scope.
    #[error("{endpoint}: forbidden{}", join_messages(.messages))]
    Forbidden {
        endpoint: String,
        messages: Vec<String>,
    },
    /// 429 (or a 503 with `Retry-After`) after the retry budget was spent, or with a wait longer
    /// than the budget allows.
    #[error("{endpoint}: rate limited{}", retry_after_text(*.retry_after))]
    RateLimited {
        endpoint: String,
        /// How long Jira asked us to wait, when it said so.
        retry_after: Option<Duration>,
        /// The `RateLimit-Reason` header, e.g. `jira-quota-tenant-based`.
        reason: Option<String>,
    },
    /// 409: a conflicting update (Jira edit) or a stale version (Confluence page).
    #[error("{endpoint}: conflict{}", join_messages(.messages))]
    Conflict {
        endpoint: String,
        messages: Vec<String>,
    },
    /// 400/422 (and 413 limits): Jira refused the request body; `errors` maps field ids to messages.
    #[error("{endpoint}: rejected ({status}){}{}", join_messages(.error_messages), join_field_errors(.errors))]
    Validation {
        endpoint: String,
        status: u16,
        error_messages: Vec<String>,
        errors: BTreeMap<String, String>,
    },
    /// 5xx after retries (or at once for a create, which is never retried blindly).
    #[error("{endpoint}: server error {status}{}", join_messages(.messages))]
    Server {
        endpoint: String,
        status: u16,
        messages: Vec<String>,
    },
    /// Any other unexpected HTTP status (e.g. 410 Gone for a removed API).
    #[error("{endpoint}: unexpected HTTP status {status}{}", join_messages(.messages))]
    UnexpectedStatus {
        endpoint: String,
        status: u16,
        messages: Vec<String>,
    },
    /// The connection failed or broke; `reached_server` is false when the request provably never
    /// left this process (connect error), which is the only case a create may be retried.
    #[error("{endpoint}: network error: {message}")]
    Network {
        endpoint: String,
        message: String,
        reached_server: bool,
    },
    /// No response within the configured timeout.
    #[error("{endpoint}: timed out")]
    Timeout { endpoint: String },
    /// The response body was larger than the configured limit
    /// ([`crate::TransportConfig::max_response_bytes`]); reading stopped at the limit.
    #[error("{endpoint}: the response is larger than the limit of {limit} bytes")]
    ResponseTooLarge { endpoint: String, limit: usize },
    /// The response was not the JSON we expected.
    #[error("{endpoint}: unexpected response body: {message}")]
    Decode { endpoint: String, message: String },
    /// A transition to the requested status is not available from the issue's current status.
    #[error("issue {issue} has no transition to {target:?}; available: {}", available.join(", "))]
    TransitionUnavailable {
        issue: String,
        target: String,
        /// Each as `transition name -> target status`.
        available: Vec<String>,
    },
    /// No issue link type matched the name or its known inward/outward descriptions.
    #[error("no issue link type {name:?}; available: {}", available.join(", "))]
    LinkTypeNotFound {
        name: String,
        available: Vec<String>,
    },
    /// No field has this name.
    #[error("no Jira field named {name:?}")]
    FieldNotFound { name: String },
    /// Several custom fields share this name; the caller must pick an id.
    #[error("several Jira fields are named {name:?}: {}", ids.join(", "))]
    AmbiguousField { name: String, ids: Vec<String> },
    /// A Confluence page URL (or id) could not be understood.
    #[error("cannot find a Confluence page id in {url:?}: {reason}")]
    PageUrl { url: String, reason: String },
    /// A URL points at another host than the configured site; credentials are never sent there.
    #[error("{url:?} is not on the configured site {site}")]
    ForeignHost { url: String, site: String },
    /// A Confluence page kept changing under us; we gave up instead of overwriting someone's edit.
    #[error("page {page_id} was changed by someone else {attempts} times while we edited it")]
    EditConflict { page_id: String, attempts: u32 },
    /// The caller's edit function refused the current page body.
    #[error("the page edit was refused: {0}")]
    EditRejected(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The client configuration is unusable (bad site URL, cloud id not discoverable, …).
    #[error("configuration: {0}")]
    Config(String),
    /// The token source could not produce a bearer token.
    #[error("could not obtain an access token: {0}")]
    Token(String),
}

impl Error {
    /// A sentence telling a user what to do about this error.
    pub fn hint(&self) -> String {
        match self {
            Error::NotFound { .. } => {
                "Check the key or id. Jira answers 404 both when it does not exist and when \
                 the configured account may not see it: check the project permissions too."
                    .into()
            }
            Error::Unauthorized { .. } => {
                "The credentials were rejected. Check the email and API token (tokens expire \
                 after at most a year); scoped tokens and OAuth tokens only work through \
                 api.atlassian.com, not the site URL."
                    .into()
            }
            Error::Forbidden { .. } => {
                "The account lacks a permission or OAuth scope for this operation. Ask a Jira \
                 administrator to grant it, or reconnect with the missing scope."
                    .into()
            }
            Error::RateLimited { retry_after, .. } => match retry_after {
                Some(wait) => format!(
                    "Jira is rate limiting this site. Try again in {} seconds, or lower the \
                     request rate in the configuration.",
                    wait.as_secs().max(1)
                ),
                None => "Jira is rate limiting this site. Try again later, or lower the request \
                         rate in the configuration."
                    .into(),
            },
            Error::Conflict { .. } => {
                "Someone else changed this at the same time. Reload it and apply the change again."
                    .into()
            }
            Error::Validation { errors, .. } if !errors.is_empty() => format!(
                "Jira rejected these fields: {}. Fix their values (see the create metadata for \
                 required fields and allowed values) and retry.",
                errors.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            Error::Validation { .. } => {
                "Jira rejected the request; read its message, fix the input and retry.".into()
            }
            Error::Server { .. } => {
                "Jira or Confluence had an internal error. Retry later; if a create failed, \
                 search for the item first because it may have been created anyway."
                    .into()
            }
            Error::UnexpectedStatus { status: 410, .. } => {
                "This API was removed by Atlassian; the client must be updated.".into()
            }
            Error::UnexpectedStatus { .. } => {
                "Jira answered in an unexpected way; check the site URL and retry.".into()
            }
            Error::Network {
                reached_server: false,
                ..
            } => "Could not reach the site. Check the site URL, DNS, proxy and firewall settings."
                .into(),
            Error::Network { .. } => {
                "The connection broke during the request. Retry later; if a create failed, \
                 search for the item first because it may have been created anyway."
                    .into()
            }
            Error::Timeout { .. } => {
                "The site did not answer in time. Retry later or raise the request timeout; \
                 if a create timed out, search for the item first because it may exist."
                    .into()
            }
            Error::ResponseTooLarge { .. } => {
                "The answer was larger than the response size limit. Ask for less at once \
                 (fewer fields, smaller pages) or raise JIRA_MAX_RESPONSE_BYTES."
                    .into()
            }
            Error::Decode { .. } => {
                "The answer did not look like Jira/Confluence JSON. Check that the site URL \
                 points at the Atlassian site itself, not a proxy login page."
                    .into()
            }
            Error::TransitionUnavailable { .. } => {
                "The workflow does not allow this status change from the current status. \
                 Pick one of the available transitions, or ask an admin to change the workflow."
                    .into()
            }
            Error::LinkTypeNotFound { .. } => {
                "Ask a Jira administrator to enable this issue link type, or configure the \
                 name your site uses."
                    .into()
            }
            Error::FieldNotFound { .. } => {
                "Check the field name in Jira (Settings > Issues > Custom fields) or configure \
                 its id (customfield_NNNNN) instead."
                    .into()
            }
            Error::AmbiguousField { .. } => {
                "Configure the field by its id (customfield_NNNNN) instead of its name.".into()
            }
            Error::PageUrl { .. } => {
                "Paste the page URL from the browser address bar (…/wiki/spaces/KEY/pages/ID/…) \
                 or give the numeric page id."
                    .into()
            }
            Error::ForeignHost { .. } => {
                "Use a URL on the configured Atlassian site; other hosts are not contacted.".into()
            }
            Error::EditConflict { .. } => {
                "The page is being edited by someone else right now. Retry in a few minutes.".into()
            }
            Error::EditRejected(_) => {
                "The page content no longer matches what the edit expects; review the page.".into()
            }
            Error::Config(_) => {
                "Fix the Atlassian connection settings (site URL, credentials).".into()
            }
            Error::Token(_) => {
                "Reconnect the Atlassian account: the stored access could not be refreshed.".into()
            }
        }
    }

    /// The HTTP status Jira answered with, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotFound { .. } => Some(404),
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::RateLimited { .. } => Some(429),
            Error::Conflict { .. } => Some(409),
            Error::Validation { status, .. }
            | Error::Server { status, .. }
            | Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether a failed write may nonetheless have been applied (a 5xx, a timeout, a connection
    /// lost after the request was sent): the caller must look before writing again.
    pub fn may_have_reached_jira(&self) -> bool {
        match self {
            Error::Server { .. }
            | Error::Timeout { .. }
            | Error::Decode { .. }
            | Error::UnexpectedStatus { .. } => true,
            Error::Network { reached_server, .. } => *reached_server,
            _ => false,
        }
    }

    /// Whether the same request might succeed later without any change by the user.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Server { .. }
                | Error::Network { .. }
                | Error::Timeout { .. }
                | Error::EditConflict { .. }
        )
    }
}

fn join_messages(messages: &[String]) -> String {
    if messages.is_empty() {
        String::new()
    } else {
        format!(": {}", messages.join("; "))
    }
}

fn join_field_errors(errors: &BTreeMap<String, String>) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" [{}]", parts.join("; "))
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (retry after {} s)", wait.as_secs_f64().ceil()),
        None => String::new(),
    }
}
