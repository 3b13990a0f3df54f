//! [`Failure`]: how a job fails, mapped onto the failure-code table of `job-types`
//! (code, transient or permanent, hint). Every Jira, Confluence, model and database error a job
//! meets converts with `?`.

use job_types::{FailureCode, JobFailure};

/// A job's failure. Converts from the errors of every dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub JobFailure);

impl Failure {
    /// A failure of `code` with its default hint.
    pub fn new(code: FailureCode, message: impl Into<String>) -> Self {
        Self(JobFailure::new(code, message))
    }

    /// A missing ticket, epic, story or page.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(FailureCode::NotFound, message)
    }

    /// Bad input (a ticket of the wrong type, a field out of range).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(FailureCode::InvalidInput, message)
    }

    /// A bug.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(FailureCode::Internal, message)
    }

    /// Replaces the hint.
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        Self(self.0.with_hint(hint))
    }

    /// The code.
    pub fn code(&self) -> FailureCode {
        self.0.code
    }

    /// A Jira error met while working on `subject` (an issue key, "the epic's PRD").
    pub fn jira(subject: &str, error: atlassian::Error) -> Self {
        let mut failure = Self::from(error);
        failure.0.message = format!("{subject}: {}", failure.0.message);
        failure
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Failure {}

impl From<atlassian::Error> for Failure {
    fn from(error: atlassian::Error) -> Self {
        use atlassian::Error as E;
        let code = match &error {
            E::NotFound { .. } | E::FieldNotFound { .. } | E::LinkTypeNotFound { .. } => {
                FailureCode::NotFound
            }
            E::Unauthorized { .. } | E::Token(_) => FailureCode::JiraAuth,
            E::Forbidden { .. } => FailureCode::JiraPermission,
            E::RateLimited { .. } => FailureCode::JiraRateLimited,
            E::Validation { .. }
            | E::Conflict { .. }
            | E::TransitionUnavailable { .. }
            | E::AmbiguousField { .. } => FailureCode::JiraRejected,
            E::PageUrl { .. } | E::ForeignHost { .. } => FailureCode::InvalidInput,
            E::EditConflict { .. } | E::EditRejected(_) => FailureCode::ConfluenceFailed,
            E::Config(_) => FailureCode::Internal,
            _ if error.may_have_reached_jira() && !error.is_transient() => {
                FailureCode::JiraOutcomeUnknown
            }
            _ => FailureCode::JiraUnavailable,
        };
        Self(JobFailure::new(code, error.to_string()).with_hint(error.hint()))
    }
}

impl From<llm::LlmError> for Failure {
    fn from(error: llm::LlmError) -> Self {
        use llm::LlmError as E;
        let code = match &error {
            E::Selection(_) => FailureCode::ModelSelection,
            E::InvalidInput(_) | E::ContextOverflow(_) => FailureCode::InvalidInput,
            E::Offline(inner) if inner.is_caller_error() => FailureCode::InvalidInput,
            E::InvalidOutput { .. } | E::Truncated { .. } | E::Refused { .. } => {
                FailureCode::ModelInvalidOutput
            }
            E::Provider { .. } => FailureCode::ModelUnavailable,
            E::Prompt(_) | E::Configuration(_) | E::Offline(_) => FailureCode::Internal,
            E::Cancelled => FailureCode::Internal,
        };
        Self::new(code, error.to_string())
    }
}

impl From<store::StoreError> for Failure {
    fn from(error: store::StoreError) -> Self {
        Self::new(FailureCode::Database, error.to_string())
    }
}

impl From<generation::GenerationError> for Failure {
    fn from(error: generation::GenerationError) -> Self {
        let code = if error.is_caller_error() {
            FailureCode::InvalidInput
        } else {
            FailureCode::Internal
        };
        Self::new(code, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_errors_map_to_codes_with_hints() {
        let missing = Failure::from(atlassian::Error::NotFound {
            endpoint: "GET /rest/api/3/issue/{issueIdOrKey}".into(),
            messages: vec!["Issue does not exist".into()],
        });
        assert_eq!(missing.code(), FailureCode::NotFound);
        assert!(missing.0.hint.contains("permission"), "{}", missing.0.hint);
        let timeout = Failure::from(atlassian::Error::Timeout {
            endpoint: "POST /rest/api/3/issue".into(),
        });
        assert_eq!(timeout.code(), FailureCode::JiraUnavailable);
        assert!(timeout.code().is_transient());
    }
}
