//! Issue links and link types.
//!
//! `POST /issueLink` names the issue the *outward* description applies to as `inwardIssue`:
//! `{"type":{"name":"Blocks"},"inwardIssue":{"key":"A"},"outwardIssue":{"key":"B"}}` records
//! "A blocks B". Reading back, A lists `{"outwardIssue": B}` ("A blocks B") and B lists
//! `{"inwardIssue": A}` ("B is blocked by A"), which is how Jira renders links.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::render::Renderer;
use super::{Caller, JsonBody, now};
use crate::error::{ApiError, ApiResult};
use crate::state::SandboxState;

fn issue_ref(body: &Value, side: &str) -> Result<String, ApiError> {
    let value = body
        .get(side)
        .ok_or_else(|| ApiError::jira_field(side, format!("{side} is required.")))?;
    ["key", "id"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| ApiError::jira_field(side, "Specify the issue by key or id."))
}

/// `POST /rest/api/3/issueLink`: 201 with an empty body, as Jira answers.
pub(crate) async fn create(
    State(state): State<SandboxState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let link_type = body
        .get("type")
        .and_then(|t| t.get("name").or_else(|| t.get("id")))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::jira_field("type", "Specify the link type by name or id."))?;
    let source = issue_ref(&body, "inwardIssue")?;
    let target = issue_ref(&body, "outwardIssue")?;
    let mut store = state.write();
    store.link_issues(&link_type, &source, &target)?;
    if let Some(comment) = body.get("comment")
        && let Some(adf) = comment.get("body")
    {
        store.add_comment(
            &target,
            &actor,
            adf.clone(),
            comment.get("visibility").cloned(),
            now(),
        )?;
    }
    Ok(StatusCode::CREATED.into_response())
}

/// `GET /rest/api/3/issueLink/{linkId}`
pub(crate) async fn get_link(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let not_found = || {
        ApiError::jira_message(
            StatusCode::NOT_FOUND,
            format!("No issue link with id '{id}' exists."),
        )
    };
    let link = store.link(&id).ok_or_else(not_found)?;
    let renderer = Renderer {
        store: &store,
        base: &base,
    };
    let link_type = store.link_type(&link.type_id).ok_or_else(not_found)?;
    let source = store.issue(&link.source_issue_id).ok_or_else(not_found)?;
    let target = store.issue(&link.target_issue_id).ok_or_else(not_found)?;
    Ok(Json(json!({
        "id": link.id,
        "self": format!("{base}/rest/api/3/issueLink/{}", link.id),
        "type": renderer.link_type(link_type),
        "inwardIssue": renderer.linked_issue(source),
        "outwardIssue": renderer.linked_issue(target),
    })))
}

/// `DELETE /rest/api/3/issueLink/{linkId}`
pub(crate) async fn delete(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.write().delete_link(&id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /rest/api/3/issueLinkType`
pub(crate) async fn list_types(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer {
        store: &store,
        base: &base,
    };
    Json(json!({
        "issueLinkTypes": store.link_types().iter().map(|t| renderer.link_type(t)).collect::<Vec<_>>(),
    }))
}
