//! Error answers in the exact shapes the real products use: Jira's `ErrorCollection`
//! (`{"errorMessages":[…],"errors":{field: message}}`) and Confluence v2's
//! `{"errors":[{"status","code","title","detail"}]}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::{JiraErrors, StoreError};

/// An error answer from a handler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Jira / Jira Software `ErrorCollection`.
    #[error("jira error {status}: {errors:?}")]
    Jira {
        status: StatusCode,
        errors: JiraErrors,
    },
    /// Confluence v2 error list.
    #[error("confluence error {status}: {title}")]
    Confluence {
        status: StatusCode,
        code: &'static str,
        title: String,
    },
}

impl ApiError {
    /// A Jira error with one general message.
    pub fn jira_message(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Jira {
            status,
            errors: JiraErrors::message(message),
        }
    }

    /// A Jira 400 about one field.
    pub fn jira_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Jira {
            status: StatusCode::BAD_REQUEST,
            errors: JiraErrors::field(field, message),
        }
    }

    /// A Jira 400 with one general message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::jira_message(StatusCode::BAD_REQUEST, message)
    }

    /// A Confluence error.
    pub fn confluence(status: StatusCode, code: &'static str, title: impl Into<String>) -> Self {
        Self::Confluence {
            status,
            code,
            title: title.into(),
        }
    }

    /// Converts a store error into Confluence's shape.
    pub fn confluence_from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(m) => Self::confluence(StatusCode::NOT_FOUND, "NOT_FOUND", m),
            StoreError::Conflict(m) => Self::confluence(StatusCode::CONFLICT, "CONFLICT", m),
            StoreError::Invalid(e) => {
                let title = e
                    .messages
                    .into_iter()
                    .chain(e.fields.into_iter().map(|(k, v)| format!("{k}: {v}")))
                    .collect::<Vec<_>>()
                    .join("; ");
                Self::confluence(StatusCode::BAD_REQUEST, "INVALID_REQUEST_PARAMETER", title)
            }
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Jira { status, .. } | Self::Confluence { status, .. } => *status,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(message) => Self::jira_message(StatusCode::NOT_FOUND, message),
            StoreError::Invalid(errors) => Self::Jira {
                status: StatusCode::BAD_REQUEST,
                errors,
            },
            StoreError::Conflict(message) => Self::jira_message(StatusCode::CONFLICT, message),
        }
    }
}

/// The JSON body of a Jira `ErrorCollection`.
pub(crate) fn error_collection(errors: &JiraErrors) -> Value {
    json!({ "errorMessages": errors.messages, "errors": errors.fields })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Jira { status, errors } => (status, Json(error_collection(&errors))).into_response(),
            Self::Confluence { status, code, title } => (
                status,
                Json(json!({ "errors": [{ "status": status.as_u16(), "code": code, "title": title, "detail": null }] })),
            )
                .into_response(),
        }
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
