//! Request extractors that reject bad input with the API's 422 shape.
//!
//! axum's own `Json`, `Query` and `Path` reject with plain-text bodies. These wrappers report
//! every problem as a [`ValidationIssue`] that names the field (`["query", "limit"]`,
//! `["body", "ticket_key"]`, `["path", "job_id"]`) and says what would be accepted. Handlers must
//! use these instead of axum's.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request, path::ErrorKind};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, LocSegment, ValidationIssue};
use crate::state::AppState;

/// A JSON request body of type `T`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.settings().body_limit_bytes;
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge { limit }
                } else {
                    ApiError::BadRequest(format!("Could not read the request body: {rejection}"))
                }
            })?;
        parse_json_body(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body, reporting the failing field like pydantic does.
pub fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() {
            json_syntax_issue(inner)
        } else {
            let mut loc = vec![LocSegment::from("body")];
            loc.extend(path_segments(error.path()));
            ApiError::validation(describe_data_error(loc, &inner.to_string()))
        }
    })?;
    // Trailing characters after the document are a syntax error too.
    deserializer
        .end()
        .map_err(|error| json_syntax_issue(&error))?;
    Ok(value)
}

fn json_syntax_issue(error: &serde_json::Error) -> ApiError {
    ApiError::validation(ValidationIssue::new(
        [LocSegment::from("body"), LocSegment::Index(error.column())],
        format!("JSON decode error: {error}; send a valid JSON document"),
        "json_invalid",
    ))
}

/// Query string parameters of type `T`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Parses a query string, reporting the failing parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let mut loc = vec![LocSegment::from("query")];
        loc.extend(path_segments(error.path()));
        ApiError::validation(describe_data_error(loc, &error.inner().to_string()))
    })
}

/// Path parameters of type `T`.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                Err(path_issue(error.into_kind()))
            }
            Err(other) => Err(ApiError::internal(format!("path extraction: {other}"))),
        }
    }
}

fn path_issue(kind: ErrorKind) -> ApiError {
    let issue = match kind {
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => ValidationIssue::new(
            ["path".into(), key.into()],
            format!("'{value}' is not a valid {expected_type}"),
            "parsing",
        ),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => ValidationIssue::new(
            ["path".into(), index.into()],
            format!("'{value}' is not a valid {expected_type}"),
            "parsing",
        ),
        ErrorKind::ParseError {
            value,
            expected_type,
        } => ValidationIssue::new(
            ["path".into()],
            format!("'{value}' is not a valid {expected_type}"),
            "parsing",
        ),
        ErrorKind::InvalidUtf8InPathParam { key } => ValidationIssue::new(
            ["path".into(), key.into()],
            "Path parameter is not valid UTF-8 once percent-decoded",
            "string_unicode",
        ),
        ErrorKind::DeserializeError {
            key,
            value,
            message,
        } => ValidationIssue::new(
            ["path".into(), key.into()],
            format!("'{value}' is not accepted: {message}"),
            "value_error",
        ),
        other => return ApiError::internal(format!("path extraction: {other}")),
    };
    ApiError::validation(issue)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn path_segments(path: &serde_path_to_error::Path) -> Vec<LocSegment> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(LocSegment::Index(*index)),
            Segment::Map { key } => Some(LocSegment::Field(key.clone())),
            Segment::Enum { variant } => Some(LocSegment::Field(variant.clone())),
            Segment::Unknown => None,
        })
        .collect()
}

/// Classifies a serde data error message into a pydantic-like kind and a message that says what
/// to send instead. serde only reports errors as text, so the kind comes from its stable prefixes.
fn describe_data_error(mut loc: Vec<LocSegment>, message: &str) -> ValidationIssue {
    if let Some(field) = backticked_after(message, "missing field ") {
        loc.push(LocSegment::Field(field));
        return ValidationIssue::new(loc, "Field required", "missing");
    }
    if let Some(field) = backticked_after(message, "unknown field ") {
        // serde_path_to_error already ends the path with the unknown field.
        if loc.last() != Some(&LocSegment::Field(field.clone())) {
            loc.push(LocSegment::Field(field));
        }
        let expected = message.split_once(", expected ").map(|(_, rest)| rest);
        let msg = match expected {
            Some(expected) => format!("Extra inputs are not permitted; expected {expected}"),
            None => "Extra inputs are not permitted".to_owned(),
        };
        return ValidationIssue::new(loc, msg, "extra_forbidden");
    }
    if message.starts_with("unknown variant ") {
        return ValidationIssue::new(
            loc,
            format!("Input should be one of the allowed values: {message}"),
            "enum",
        );
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid digit")
        || message.starts_with("cannot parse")
        || message.contains("invalid value")
    {
        return ValidationIssue::new(
            loc,
            format!("Input has the wrong type: {message}"),
            "type_error",
        );
    }
    ValidationIssue::new(loc, message.to_owned(), "value_error")
}

fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        key: String,
        items: Vec<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Query {
        limit: Option<u32>,
        flag: Option<bool>,
    }

    fn issues(error: ApiError) -> serde_json::Value {
        match error {
            ApiError::Validation(issues) => serde_json::to_value(issues).expect("serializable"),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        let unknown =
            issues(parse_json_body::<Body>(br#"{"key":"a","items":[],"extra":1}"#).unwrap_err());
        assert_eq!(unknown[0]["loc"], json!(["body", "extra"]));
        assert_eq!(unknown[0]["type"], "extra_forbidden");
        let trailing = issues(parse_json_body::<Body>(br#"{"key":"a","items":[]} x"#).unwrap_err());
        assert_eq!(trailing[0]["type"], "json_invalid");
        let negative =
            issues(parse_json_body::<Body>(br#"{"key":"a","items":[1,-2]}"#).unwrap_err());
        assert_eq!(negative[0]["loc"], json!(["body", "items", 1]));
        assert!(parse_json_body::<Body>(br#"{"key":"a","items":[1]}"#).is_ok());
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let bad = issues(parse_query::<Query>("limit=10&flag=maybe").unwrap_err());
        assert_eq!(bad[0]["loc"], json!(["query", "flag"]));
        let query: Query = parse_query("limit=7&unrelated=1").expect("valid");
        assert_eq!(query.limit, Some(7));
        assert!(parse_query::<Query>("").is_ok());
    }
}
