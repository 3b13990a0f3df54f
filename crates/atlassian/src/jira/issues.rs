//! Issue reads and writes: get, create (single and bulk), edit, assign, comment, transitions.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{JiraClient, MAX_ISSUES_PER_CALL};
use crate::error::{Error, Result};
use crate::models::{
    AdfDoc, BulkCreateOutcome, BulkItemOutcome, Comment, CreatedIssue, ElementError, Issue,
    IssueEdit, NewIssue, Transition,
};
use crate::transport::ApiRequest;

impl JiraClient {
    /// Read an issue. `fields` empty means all fields; `expand` e.g. `["names"]`.
    pub async fn get_issue(&self, key: &str, fields: &[&str], expand: &[&str]) -> Result<Issue> {
        let mut request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/issue/{issueIdOrKey}",
            self.flavour().platform(&["issue", key]),
        );
        if !fields.is_empty() {
            request = request.query("fields", fields.join(","));
        }
        if !expand.is_empty() {
            request = request.query("expand", expand.join(","));
        }
        self.transport().json(&request).await
    }

    /// Create one issue. Never retried once it may have reached Jira: on a timeout or 5xx the
    /// error says so, and the caller must search before creating again.
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<CreatedIssue> {
        let body = json!({ "fields": self.flavour().new_issue_fields(issue) });
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/api/3/issue",
            self.flavour().platform(&["issue"]),
        )
        .json_body(&body);
        self.transport().json(&request).await
    }

    /// Create many issues, 50 per call, and report each input's fate by its index. Partial
    /// failures are normal (Jira answers 201 with per-element `errors`). Returns `Err` only when
    /// the first call failed as a whole, so nothing was created by this call.
    pub async fn create_issues(&self, issues: &[NewIssue]) -> Result<BulkCreateOutcome> {
        let mut items: Vec<BulkItemOutcome> = Vec::with_capacity(issues.len());
        let mut stopped = false;
        for (chunk_index, chunk) in issues.chunks(MAX_ISSUES_PER_CALL).enumerate() {
            if stopped {
                items.extend(chunk.iter().map(|_| BulkItemOutcome::NotSent));
                continue;
            }
            let updates: Vec<Value> = chunk
                .iter()
                .map(|issue| json!({ "fields": self.flavour().new_issue_fields(issue) }))
                .collect();
            let request = ApiRequest::new(
                Method::POST,
                "POST /rest/api/3/issue/bulk",
                self.flavour().platform(&["issue", "bulk"]),
            )
            .json_body(&json!({ "issueUpdates": updates }))
            .pass_status(StatusCode::BAD_REQUEST);
            let outcome = self.transport().send(&request).await.and_then(|response| {
                let parsed: BulkResponse = response.json()?;
                if response.status == StatusCode::BAD_REQUEST && parsed.errors.is_empty() {
                    // A 400 without per-element errors is a request-level rejection.
                    let body = crate::transport::ErrorBody::parse(&response.body);
                    return Err(Error::Validation {
                        endpoint: response.endpoint.to_string(),
                        status: 400,
                        error_messages: body.messages,
                        errors: body.field_errors,
                    });
                }
                Ok(parsed)
            });
            match outcome {
                Ok(parsed) => items.extend(map_bulk_response(parsed, chunk.len())),
                Err(error) if chunk_index == 0 && !may_have_created(&error) => return Err(error),
                Err(error) => {
                    stopped = true;
                    let fate = if may_have_created(&error) {
                        BulkItemOutcome::Unknown(error.to_string())
                    } else {
                        BulkItemOutcome::Rejected(ElementError {
                            status: error.status(),
                            error_messages: vec![error.to_string()],
                            errors: BTreeMap::new(),
                        })
                    };
                    items.extend(chunk.iter().map(|_| fate.clone()));
                }
            }
        }
        Ok(BulkCreateOutcome { items })
    }

    /// Edit an issue's fields (`fields` sets and `update` operations).
    pub async fn edit_issue(&self, key: &str, edit: &IssueEdit) -> Result<()> {
        let mut request = ApiRequest::new(
            Method::PUT,
            "PUT /rest/api/3/issue/{issueIdOrKey}",
            self.flavour().platform(&["issue", key]),
        )
        .json_body(&self.flavour().edit_body(edit))
        .for_issue(key);
        if edit.suppress_notifications {
            request = request.query("notifyUsers", "false");
        }
        self.transport().send(&request).await.map(drop)
    }

    /// Assign to an account, or unassign with `None`.
    pub async fn assign(&self, key: &str, account_id: Option<&str>) -> Result<()> {
        let request = ApiRequest::new(
            Method::PUT,
            "PUT /rest/api/3/issue/{issueIdOrKey}/assignee",
            self.flavour().platform(&["issue", key, "assignee"]),
        )
        .json_body(&self.flavour().assignee_body(account_id))
        .for_issue(key);
        self.transport().send(&request).await.map(drop)
    }

    /// Add a comment (never retried once it may have reached Jira).
    pub async fn add_comment(&self, key: &str, body: &AdfDoc) -> Result<Comment> {
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/api/3/issue/{issueIdOrKey}/comment",
            self.flavour().platform(&["issue", key, "comment"]),
        )
        .json_body(&json!({ "body": self.flavour().rich_text(body) }))
        .for_issue(key);
        self.transport().json(&request).await
    }

    /// The issue's comments, oldest first, at most `max` of them (all pages read).
    pub async fn comments(&self, key: &str, max: usize) -> Result<Vec<Comment>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default)]
            comments: Vec<Comment>,
            #[serde(default)]
            total: Option<usize>,
        }
        let mut comments = Vec::new();
        while comments.len() < max {
            let page_size = (max - comments.len()).min(100);
            let request = ApiRequest::new(
                Method::GET,
                "GET /rest/api/3/issue/{issueIdOrKey}/comment",
                self.flavour().platform(&["issue", key, "comment"]),
            )
            .query("startAt", comments.len().to_string())
            .query("maxResults", page_size.to_string())
            .for_issue(key);
            let wire: Wire = self.transport().json(&request).await?;
            let received = wire.comments.len();
            comments.extend(wire.comments);
            let total = wire.total.unwrap_or(comments.len());
            if received == 0 || comments.len() >= total {
                break;
            }
        }
        comments.truncate(max);
        Ok(comments)
    }

    /// The transitions available from the issue's current status (empty without permission).
    pub async fn transitions(&self, key: &str) -> Result<Vec<Transition>> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(default)]
            transitions: Vec<Transition>,
        }
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/issue/{issueIdOrKey}/transitions",
            self.flavour().platform(&["issue", key, "transitions"]),
        );
        let wire: Wire = self.transport().json(&request).await?;
        Ok(wire.transitions)
    }

    /// Perform a transition by id, optionally setting screen fields (e.g. a resolution).
    pub async fn transition(
        &self,
        key: &str,
        transition_id: &str,
        fields: Option<Value>,
    ) -> Result<()> {
        let mut body = serde_json::Map::new();
        body.insert("transition".into(), json!({ "id": transition_id }));
        if let Some(fields) = fields {
            body.insert("fields".into(), fields);
        }
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/api/3/issue/{issueIdOrKey}/transitions",
            self.flavour().platform(&["issue", key, "transitions"]),
        )
        .json_body(&Value::Object(body))
        .for_issue(key);
        self.transport().send(&request).await.map(drop)
    }

    /// Move the issue to the status named `target` (case-insensitive; a transition's own name is
    /// accepted too), resolving the transition id from the workflow. Returns the transition used.
    pub async fn transition_to_status(&self, key: &str, target: &str) -> Result<Transition> {
        let transitions = self.transitions(key).await?;
        let chosen =
            pick_transition(&transitions, target).ok_or_else(|| Error::TransitionUnavailable {
                issue: key.to_string(),
                target: target.to_string(),
                available: transitions
                    .iter()
                    .filter(|t| t.is_available)
                    .map(|t| match &t.to {
                        Some(to) => format!("{} -> {}", t.name, to.name),
                        None => t.name.clone(),
                    })
                    .collect(),
            })?;
        self.transition(key, &chosen.id, None).await?;
        Ok(chosen.clone())
    }
}

fn pick_transition<'a>(transitions: &'a [Transition], target: &str) -> Option<&'a Transition> {
    let available = || transitions.iter().filter(|t| t.is_available);
    available()
        .find(|t| {
            t.to.as_ref()
                .is_some_and(|s| s.name.eq_ignore_ascii_case(target))
        })
        .or_else(|| available().find(|t| t.name.eq_ignore_ascii_case(target)))
}

fn may_have_created(error: &Error) -> bool {
    error.may_have_reached_jira()
}

#[derive(Debug, Deserialize)]
struct BulkResponse {
    #[serde(default)]
    issues: Vec<CreatedIssue>,
    #[serde(default)]
    errors: Vec<BulkElementError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkElementError {
    #[serde(default)]
    status: Option<u16>,
    failed_element_number: Option<usize>,
    #[serde(default)]
    element_errors: Option<ElementErrorsWire>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ElementErrorsWire {
    #[serde(default)]
    error_messages: Vec<String>,
    #[serde(default)]
    errors: BTreeMap<String, String>,
}

/// Jira returns the successes compacted, in input order, and failures by `failedElementNumber`
/// (0-based within the call). Interleave them back into input order.
fn map_bulk_response(response: BulkResponse, sent: usize) -> Vec<BulkItemOutcome> {
    let mut failed: BTreeMap<usize, ElementError> = BTreeMap::new();
    for error in response.errors {
        let Some(index) = error.failed_element_number.filter(|i| *i < sent) else {
            tracing::warn!(?error, "bulk create error without a usable element number");
            continue;
        };
        let wire = error.element_errors.unwrap_or_default();
        failed.insert(
            index,
            ElementError {
                status: error.status,
                error_messages: wire.error_messages,
                errors: wire.errors,
            },
        );
    }
    let mut created = response.issues.into_iter();
    let items: Vec<BulkItemOutcome> = (0..sent)
        .map(|index| match failed.remove(&index) {
            Some(error) => BulkItemOutcome::Rejected(error),
            None => match created.next() {
                Some(issue) => BulkItemOutcome::Created(issue),
                None => BulkItemOutcome::Unknown(
                    "Jira's bulk answer did not account for this element".into(),
                ),
            },
        })
        .collect();
    let extra = created.count();
    if extra > 0 {
        tracing::warn!(extra, "Jira reported more created issues than it was sent");
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(key: &str) -> CreatedIssue {
        CreatedIssue {
            id: key.trim_start_matches("PW-").to_string(),
            key: key.to_string(),
        }
    }

    #[test]
    fn partial_failure_keeps_later_indices_right() {
        let response: BulkResponse = serde_json::from_value(json!({
            "issues": [{"id":"1","key":"PW-1"},{"id":"3","key":"PW-3"}],
            "errors": [{"status":400,"failedElementNumber":1,
                        "elementErrors":{"errorMessages":[],"errors":{"issuetype":"The issue type selected is invalid."}}}]
        }))
        .unwrap();
        let items = map_bulk_response(response, 3);
        assert_eq!(items[0], BulkItemOutcome::Created(created("PW-1")));
        let BulkItemOutcome::Rejected(error) = &items[1] else {
            panic!("{:?}", items[1])
        };
        assert!(error.errors.contains_key("issuetype"));
        assert_eq!(items[2], BulkItemOutcome::Created(created("PW-3")));
    }

    #[test]
    fn unaccounted_elements_are_unknown() {
        let response: BulkResponse =
            serde_json::from_value(json!({"issues": [{"id":"1","key":"PW-1"}], "errors": []}))
                .unwrap();
        let items = map_bulk_response(response, 2);
        assert!(matches!(items[1], BulkItemOutcome::Unknown(_)));
    }

    #[test]
    fn transition_matches_target_status_then_name() {
        let transitions: Vec<Transition> = serde_json::from_value(json!([
            {"id":"11","name":"Start","to":{"id":"3","name":"In Progress"}},
            {"id":"21","name":"Finish","to":{"id":"4","name":"Done"}},
            {"id":"31","name":"Hidden","to":{"id":"5","name":"Review"},"isAvailable":false}
        ]))
        .unwrap();
        assert_eq!(pick_transition(&transitions, "done").unwrap().id, "21");
        assert_eq!(pick_transition(&transitions, "start").unwrap().id, "11");
        assert!(pick_transition(&transitions, "Review").is_none());
    }
}
