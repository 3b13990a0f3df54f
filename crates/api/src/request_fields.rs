//! Checks of request fields that serde cannot do, each failing with a 422 that names the field
//! and what to send instead: issue keys (or browse URLs), model choices, JQL, number ranges.
//! Routes run them before anything is enqueued.

use domain::IssueKey;
use utoipa::ToSchema;

use crate::error::{ApiError, LocSegment, ValidationIssue};
use crate::state::AppState;

// How the OpenAPI document describes a field that `issue_key` checks: the fields stay `String`s
// and name this type with `#[schema(value_type = IssueKeyText)]`, so the document states what is
// accepted and API fuzzers (`.ci/api-fuzz`) generate keys rather than arbitrary text. The pattern
// admits the keys `IssueKey::parse` accepts (written without leading zeros, as Jira writes them)
// and any text with a `/` or `=`, as a URL is accepted when it names exactly one key.
/// A Jira issue key (`PROJ-123`, case-insensitive) or a Jira URL naming exactly one issue.
#[derive(ToSchema)]
#[schema(
    value_type = String,
    pattern = r"^\s*(?:[A-Za-z][A-Za-z0-9_]{0,254}-[1-9][0-9]{0,17}|\S*[/=]\S*)\s*$",
    example = "PROJ-123"
)]
pub struct IssueKeyText(pub String);

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

/// Refuses `repos` when a route cannot use them yet (code-aware `what`): a 422 naming the field,
/// rather than silently ignoring repositories the caller expects to be read.
pub fn no_repos(repos: Option<&[serde_json::Value]>, what: &str) -> Result<(), ApiError> {
    if repos.is_some_and(|repos| !repos.is_empty()) {
        return Err(ApiError::validation(ValidationIssue::body(
            "repos",
            format!("Code-aware {what} is not available in this release; remove `repos`"),
            "value_error",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern the document gives issue-key fields accepts what `issue_key` accepts, so a
    /// client (or fuzzer) following the document is not turned away, and rejects plain junk.
    #[test]
    fn documented_issue_key_pattern_matches_accepted_keys() {
        let schema = serde_json::to_value(<IssueKeyText as utoipa::PartialSchema>::schema())
            .expect("serializable");
        let pattern = regex::Regex::new(schema["pattern"].as_str().expect("a pattern"))
            .expect("a valid regex");
        for accepted in [
            "PROJ-123",
            "proj-1",
            " DEMO-6 ",
            "A_1-999999999999999999",
            "https://acme.atlassian.net/browse/PROJ-7",
            "https://acme.atlassian.net/secure/RapidBoard.jspa?selectedIssue=AB-2",
        ] {
            assert!(issue_key("key", accepted).is_ok(), "{accepted}");
            assert!(pattern.is_match(accepted), "{accepted}");
        }
        for rejected in [
            "", " ", "PROJ", "123", "PROJ-", "-1", "1A-1", "PROJ-0", "PROJ 1",
        ] {
            assert!(issue_key("key", rejected).is_err(), "{rejected}");
            assert!(!pattern.is_match(rejected), "{rejected}");
        }
    }
}
