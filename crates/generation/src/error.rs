//! The error type of the generation crate, classified so callers can tell a user what to fix.

use crate::task::TaskKind;

/// Why a generation request could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerationError {
    /// The caller's input is missing a field or has a value the task cannot use. Maps to a 4xx.
    #[error("input field `{field}` is invalid: {reason}")]
    InvalidInput {
        /// Dotted path of the offending field, e.g. `parent.summary`.
        field: String,
        /// What is wrong and what to send instead.
        reason: String,
    },
    /// A generator (usually a language model) returned JSON that does not fit the task's output.
    /// The caller did nothing wrong; retrying or falling back to the offline generator helps.
    #[error("generated `{kind}` output is invalid at `{path}`: {reason}")]
    InvalidOutput {
        /// The task whose output was malformed.
        kind: TaskKind,
        /// Dotted path inside the output, `.` for the root.
        path: String,
        /// What did not match.
        reason: String,
    },
    /// The task name is not one of [`TaskKind::ALL`].
    #[error(
        "unknown generation task `{0}`; expected one of: ticket_description, epic_stories, story_tasks, test_cases, draft_pr_plan, chat_intent, requirement_analysis, ticket_draft, ticket_assessment, ticket_update, jql_query, chat_answer"
    )]
    UnknownTask(String),
}

impl GenerationError {
    /// Shorthand for an [`GenerationError::InvalidInput`].
    pub fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The input field this error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { field, .. } => Some(field),
            Self::InvalidOutput { .. } | Self::UnknownTask(_) => None,
        }
    }

    /// True when the caller must change the request (a 4xx), false when the generator failed.
    pub fn is_caller_error(&self) -> bool {
        matches!(self, Self::InvalidInput { .. } | Self::UnknownTask(_))
    }
}
