//! One table of the ways a job fails: a stable code, whether a retry may help, the HTTP status a
//! synchronous request answers with, and a hint telling the user what to do. Modelled on
//! meilisearch's error-code table; the `features` crate maps Jira and model errors onto it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a job failed, as recorded in the job's `error_code` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// The request or payload is invalid (a field out of range, a ticket of the wrong type).
    InvalidInput,
    /// A ticket, epic, story, page or field does not exist (or is not visible to the account).
    NotFound,
    /// Jira rejected the credentials.
    JiraAuth,
    /// The account may not do this in Jira.
    JiraPermission,
    /// Jira rejected the request's content (a required field, a bad value).
    JiraRejected,
    /// Jira asked us to slow down and the retry budget ran out.
    JiraRateLimited,
    /// Jira (or Confluence) is unreachable or answered 5xx.
    JiraUnavailable,
    /// A write may have reached Jira but its outcome is unknown.
    JiraOutcomeUnknown,
    /// Confluence failed in one of the ways above.
    ConfluenceFailed,
    /// The requested provider or model cannot be used.
    ModelSelection,
    /// The provider failed, refused or timed out after its retries.
    ModelUnavailable,
    /// The model's answers never matched the schema.
    ModelInvalidOutput,
    /// The database failed.
    Database,
    /// Anything else: a bug.
    Internal,
}

impl FailureCode {
    /// Every code, for documentation and tests.
    pub const ALL: [FailureCode; 14] = [
        FailureCode::InvalidInput,
        FailureCode::NotFound,
        FailureCode::JiraAuth,
        FailureCode::JiraPermission,
        FailureCode::JiraRejected,
        FailureCode::JiraRateLimited,
        FailureCode::JiraUnavailable,
        FailureCode::JiraOutcomeUnknown,
        FailureCode::ConfluenceFailed,
        FailureCode::ModelSelection,
        FailureCode::ModelUnavailable,
        FailureCode::ModelInvalidOutput,
        FailureCode::Database,
        FailureCode::Internal,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::InvalidInput => "invalid_input",
            FailureCode::NotFound => "not_found",
            FailureCode::JiraAuth => "jira_auth",
            FailureCode::JiraPermission => "jira_permission",
            FailureCode::JiraRejected => "jira_rejected",
            FailureCode::JiraRateLimited => "jira_rate_limited",
            FailureCode::JiraUnavailable => "jira_unavailable",
            FailureCode::JiraOutcomeUnknown => "jira_outcome_unknown",
            FailureCode::ConfluenceFailed => "confluence_failed",
            FailureCode::ModelSelection => "model_selection",
            FailureCode::ModelUnavailable => "model_unavailable",
            FailureCode::ModelInvalidOutput => "model_invalid_output",
            FailureCode::Database => "database",
            FailureCode::Internal => "internal",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == text)
    }

    /// Whether the same job may succeed later unchanged.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FailureCode::JiraRateLimited
                | FailureCode::JiraUnavailable
                | FailureCode::ModelUnavailable
                | FailureCode::Database
        )
    }

    /// The status a synchronous request answers with when its job failed this way.
    pub fn http_status(self) -> u16 {
        match self {
            FailureCode::InvalidInput | FailureCode::ModelSelection => 422,
            FailureCode::NotFound => 404,
            FailureCode::JiraRejected => 400,
            FailureCode::JiraAuth
            | FailureCode::JiraPermission
            | FailureCode::JiraUnavailable
            | FailureCode::JiraRateLimited
            | FailureCode::ConfluenceFailed
            | FailureCode::ModelUnavailable
            | FailureCode::Database => 503,
            FailureCode::JiraOutcomeUnknown | FailureCode::ModelInvalidOutput => 502,
            FailureCode::Internal => 500,
        }
    }

    /// What the user can do about it.
    pub fn default_hint(self) -> &'static str {
        match self {
            FailureCode::InvalidInput => "Fix the named field and send the request again.",
            FailureCode::NotFound => {
                "Check the key, and that the Jira account Planwright uses can browse it."
            }
            FailureCode::JiraAuth => {
                "Check JIRA_USERNAME and JIRA_API_TOKEN (create a new token at id.atlassian.com)."
            }
            FailureCode::JiraPermission => {
                "Grant the Jira account Planwright uses the project permission it needs."
            }
            FailureCode::JiraRejected => {
                "Jira refused the content; the message names the field. Adjust it and retry."
            }
            FailureCode::JiraRateLimited => {
                "Jira is throttling this site; the job is retried later, or lower JIRA_REQUESTS_PER_SECOND."
            }
            FailureCode::JiraUnavailable => "Jira is unreachable right now; the job is retried.",
            FailureCode::JiraOutcomeUnknown => {
                "Check Jira for the item before retrying; a retried job searches for it first."
            }
            FailureCode::ConfluenceFailed => {
                "Check the Confluence page address and the CONFLUENCE_* credentials."
            }
            FailureCode::ModelSelection => "Choose a provider and model listed by GET /models.",
            FailureCode::ModelUnavailable => {
                "The model provider failed; retry later or choose another provider (GET /models)."
            }
            FailureCode::ModelInvalidOutput => {
                "The model's answer did not fit the expected shape; retry or choose a stronger model."
            }
            FailureCode::Database => "The database is unavailable; the job is retried.",
            FailureCode::Internal => "This is a bug; the server log has details under the job id.",
        }
    }
}

impl std::fmt::Display for FailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job's failure: a code from the table, what happened, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    pub code: FailureCode,
    pub message: String,
    pub hint: String,
}

impl JobFailure {
    /// A failure with the code's default hint.
    pub fn new(code: FailureCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: code.default_hint().to_owned(),
        }
    }

    /// Replaces the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// A missing ticket, epic, story or page.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(FailureCode::NotFound, message)
    }

    /// Bad input.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(FailureCode::InvalidInput, message)
    }

    /// The job's `error` text: the message, then the hint.
    pub fn error_text(&self) -> String {
        format!("{} ({}). {}", self.message, self.code, self.hint)
    }
}

impl std::fmt::Display for JobFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JobFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_code_has_a_hint_and_a_4xx_or_5xx() {
        for code in FailureCode::ALL {
            assert_eq!(FailureCode::parse(code.as_str()), Some(code));
            assert!(!code.default_hint().is_empty());
            assert!((400..600).contains(&code.http_status()), "{code}");
            let json = serde_json::to_value(code).expect("serializable");
            assert_eq!(json, code.as_str());
        }
        assert!(FailureCode::JiraUnavailable.is_transient());
        assert!(!FailureCode::NotFound.is_transient());
        assert_eq!(FailureCode::NotFound.http_status(), 404);
    }
}
