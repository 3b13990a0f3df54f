//! The one error type of the HTTP edge and the JSON shapes every error response takes.
//!
//! Every error answers `{"detail": "..."}`, except validation errors, which answer
//! `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` like the reference (FastAPI) does,
//! so existing clients keep parsing them. A 500 is a bug: its cause is logged once, with the
//! request id, by [`log_server_errors`], and the client only sees a generic message.

use std::time::Duration;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every non-validation error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and, where the client can fix it, how.
    #[schema(example = "Job not found")]
    pub detail: String,
}

/// The body of a 422 response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorBody {
    /// One entry per invalid input.
    pub detail: Vec<ValidationIssue>,
}

/// One invalid input, located like pydantic does: `["query", "limit"]`, `["body", "ticket_key"]`,
/// `["path", "job_id"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ValidationIssue {
    /// Where the invalid value is: the request part, then the field path (names and list
    /// indexes).
    #[schema(example = json!(["body", "tasks", 0, "summary"]))]
    pub loc: Vec<LocSegment>,
    /// What is wrong and what would be accepted.
    pub msg: String,
    /// A machine-readable error kind (`missing`, `json_invalid`, `less_than_equal`, ...).
    #[serde(rename = "type")]
    pub kind: String,
}

/// One step of a `loc`: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LocSegment {
    Field(String),
    Index(usize),
}

impl From<&str> for LocSegment {
    fn from(value: &str) -> Self {
        Self::Field(value.to_owned())
    }
}

impl From<String> for LocSegment {
    fn from(value: String) -> Self {
        Self::Field(value)
    }
}

impl From<usize> for LocSegment {
    fn from(value: usize) -> Self {
        Self::Index(value)
    }
}

impl ValidationIssue {
    /// An issue at `loc` with a message and a kind.
    pub fn new(
        loc: impl IntoIterator<Item = LocSegment>,
        msg: impl Into<String>,
        kind: impl Into<String>,
    ) -> Self {
        Self {
            loc: loc.into_iter().collect(),
            msg: msg.into(),
            kind: kind.into(),
        }
    }

    /// An issue with a query parameter.
    pub fn query(field: &str, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self::new(["query".into(), field.into()], msg, kind)
    }

    /// An issue with a field of the JSON body.
    pub fn body(field: &str, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self::new(["body".into(), field.into()], msg, kind)
    }
}

/// Extra headers a conflict response carries (for example `X-Active-Job-Id`).
pub type ExtraHeaders = Vec<(HeaderName, HeaderValue)>;

/// Every way a request can fail, each mapped to one status code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is well-formed but cannot be acted on (e.g. a malformed issue key).
    #[error("{0}")]
    BadRequest(String),
    /// 401 with `WWW-Authenticate: Basic realm="planwright"`.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 404: the named resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method.
    #[error("Method Not Allowed")]
    MethodNotAllowed,
    /// 409: the request conflicts with current state (e.g. a job already running for a ticket).
    #[error("{detail}")]
    Conflict {
        detail: String,
        headers: ExtraHeaders,
    },
    /// 413: the body is larger than the configured limit.
    #[error("Request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: a JSON body was sent without `Content-Type: application/json`.
    #[error("Expected a JSON body with header `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// 429 with `Retry-After`: the caller has too much work in progress; try again after
    /// `retry_after_secs`.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// 422: one or more inputs are invalid.
    #[error("invalid request: {0:?}")]
    Validation(Vec<ValidationIssue>),
    /// 502: a dependency answered, but not usefully (a model's answer that never fit the schema,
    /// a Jira write whose outcome is unknown).
    #[error("{0}")]
    BadGateway(String),
    /// 503: a dependency the request needs is unavailable right now.
    #[error("{0}")]
    ServiceUnavailable(String),
    /// 504: the request took longer than the configured timeout.
    #[error("Request did not complete within {0:?}")]
    Timeout(Duration),
    /// 500: a bug or an unexpected failure. The message is logged, never sent to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 500 whose cause is logged (with the request id) but not returned to the client.
    /// The cause must not contain secrets.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// A 422 with one issue.
    pub fn validation(issue: ValidationIssue) -> Self {
        Self::Validation(vec![issue])
    }

    /// The status code this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Marks a 500 response with its cause so [`log_server_errors`] can log it with the request id.
#[derive(Debug, Clone)]
struct InternalCause(String);

/// The detail sent for every 500; internals stay in the log.
pub(crate) const INTERNAL_DETAIL: &str =
    "Internal server error; the server log has details under this request's x-request-id";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Validation(issues) => {
                (status, Json(ValidationErrorBody { detail: issues })).into_response()
            }
            Self::Unauthorized(detail) => {
                let mut headers = HeaderMap::new();
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"planwright\""),
                );
                (status, headers, detail_json(detail.to_owned())).into_response()
            }
            Self::Conflict { detail, headers } => {
                let mut response = (status, detail_json(detail)).into_response();
                response.headers_mut().extend(headers);
                response
            }
            Self::TooManyRequests {
                detail,
                retry_after_secs,
            } => {
                let mut response = (status, detail_json(detail)).into_response();
                if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            Self::Internal(cause) => {
                let mut response =
                    (status, detail_json(INTERNAL_DETAIL.to_owned())).into_response();
                response.extensions_mut().insert(InternalCause(cause));
                response
            }
            other => (status, detail_json(other.to_string())).into_response(),
        }
    }
}

fn detail_json(detail: String) -> Json<ErrorBody> {
    Json(ErrorBody { detail })
}

/// Middleware that logs the cause of every 500 once, with the request id, and keeps the cause out
/// of the response.
pub(crate) async fn log_server_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if let Some(InternalCause(cause)) = response.extensions_mut().remove::<InternalCause>() {
        tracing::error!(%request_id, %method, %path, %cause, "request failed with an internal error");
    }
    response
}

/// Fallback for paths no route matches.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("Not Found".to_owned())
}

/// Fallback for a known path called with a method it does not support.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Turns a panic in a handler into a logged 500 in the usual shape instead of a dropped connection.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    ApiError::internal(format!("handler panicked: {message}")).into_response()
}
