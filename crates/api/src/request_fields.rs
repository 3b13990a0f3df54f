//! Checks of request fields that serde cannot do, each failing with a 422 that names the field
//! and what to send instead: issue keys (or browse URLs), model choices, JQL, number ranges.
//! Routes run them before anything is enqueued.

use domain::IssueKey;

use crate::error::{ApiError, LocSegment, ValidationIssue};
use crate::state::AppState;

/// A key or a Jira browse URL in body field `field`, normalized.
pub fn issue_key(field: &str, value: &str) -> Result<String, ApiError> {
    IssueKey::parse(value)
        .map(|key| key.to_string())
        .map_err(|error| {
            ApiError::validation(ValidationIssue::body(
                field,
                error.to_string(),
                "value_error",
            ))
        })
}

/// Every key of a list field, normalized and deduplicated in order; at least one.
pub fn issue_keys(field: &str, values: &[String]) -> Result<Vec<String>, ApiError> {
    let mut keys: Vec<String> = Vec::with_capacity(values.len());
    let mut issues = Vec::new();
    for (index, value) in values.iter().enumerate() {
        match IssueKey::parse(value) {
            Ok(key) => {
                let key = key.to_string();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            Err(error) => issues.push(ValidationIssue::new(
                [
                    LocSegment::from("body"),
                    LocSegment::from(field),
                    LocSegment::Index(index),
                ],
                error.to_string(),
                "value_error",
            )),
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if keys.is_empty() {
        return Err(ApiError::validation(ValidationIssue::body(
            field,
            "List should have at least 1 item; send one or more issue keys like PROJ-123",
            "too_short",
        )));
    }
    Ok(keys)
}

/// Checks `llm_provider` / `llm_model` against what this deployment offers (the selection rules
/// of docs/reference-behaviour.md), naming the valid choices when they do not fit.
pub fn model_choice(
    state: &AppState,
    provider: Option<&str>,
    model: Option<&str>,
) -> Result<(), ApiError> {
    state
        .llm()
        .resolve(provider, model)
        .map(drop)
        .map_err(|error| {
            ApiError::validation(ValidationIssue::body(
                error.field(),
                error.to_string(),
                "value_error",
            ))
        })
}

/// Validates JQL with Jira's wording, before anything is enqueued.
pub fn jql(field: &str, query: &str) -> Result<(), ApiError> {
    if query.trim().is_empty() {
        return Err(ApiError::validation(ValidationIssue::body(
            field,
            "JQL must not be empty; send a query like `project = PROJ AND status = \"To Do\"`",
            "value_error",
        )));
    }
    jql::parse(query).map(drop).map_err(|error| {
        ApiError::validation(ValidationIssue::body(
            field,
            error.to_string(),
            "jql_invalid",
        ))
    })
}

/// A number within `min..=max`, named like pydantic's `ge`/`le` errors.
pub fn in_range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &str,
    value: T,
    min: T,
    max: T,
) -> Result<T, ApiError> {
    if value < min {
        Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("Input should be greater than or equal to {min}"),
            "greater_than_equal",
        )))
    } else if value > max {
        Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("Input should be less than or equal to {max}"),
            "less_than_equal",
        )))
    } else {
        Ok(value)
    }
}
