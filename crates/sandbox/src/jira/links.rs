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
    let link_id = store.link_issues(&link_type, &source, &target)?;
    crate::webhooks::link_created(&state, &store, &link_id, &actor);
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
    let renderer = Renderer::new(&store, &base);
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
    let renderer = Renderer::new(&store, &base);
    Json(json!({
        "issueLinkTypes": store.link_types().iter().map(|t| renderer.link_type(t)).collect::<Vec<_>>(),
    }))
}

fn remote_link_json(
    base: &str,
    issue: &crate::state::Issue,
    link: &crate::state::RemoteLink,
) -> Value {
    let mut value = json!({
        "id": link.id,
        "self": format!("{base}/rest/api/3/issue/{}/remotelink/{}", issue.key, link.id),
        "object": link.object,
    });
    if let Some(global) = &link.global_id {
        value["globalId"] = json!(global);
    }
    if let Some(relationship) = &link.relationship {
        value["relationship"] = json!(relationship);
    }
    if let Some(application) = &link.application {
        value["application"] = application.clone();
    }
    value
}

fn issue_not_found() -> ApiError {
    ApiError::jira_message(StatusCode::NOT_FOUND, crate::state::ISSUE_NOT_FOUND)
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/remotelink`
pub(crate) async fn list_remote_links(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    params: super::Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(issue_not_found)?;
    let global = params.get("globalId");
    Ok(Json(Value::Array(
        issue
            .remote_links
            .iter()
            .filter(|l| global.is_none_or(|g| l.global_id.as_deref() == Some(g)))
            .map(|l| remote_link_json(&base, issue, l))
            .collect(),
    )))
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}`
pub(crate) async fn get_remote_link(
    State(state): State<SandboxState>,
    Path((key, link_id)): Path<(String, u64)>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(issue_not_found)?;
    let link = issue
        .remote_links
        .iter()
        .find(|l| l.id == link_id)
        .ok_or_else(|| {
            ApiError::jira_message(
                StatusCode::NOT_FOUND,
                format!("No remote link with id {link_id} exists on this issue."),
            )
        })?;
    Ok(Json(remote_link_json(&base, issue, link)))
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/remotelink`: 201 when created, 200 when a link
/// with the same `globalId` was updated.
pub(crate) async fn put_remote_link(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let base = state.base_url();
    let object = body
        .get("object")
        .cloned()
        .ok_or_else(|| ApiError::jira_field("object", "'object' is required."))?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let mut store = state.write();
    let (id, created) = store.put_remote_link(
        &key,
        text("globalId"),
        text("relationship"),
        body.get("application").cloned(),
        object,
        now(),
    )?;
    let issue_key = store.issue(&key).map(|i| i.key.clone()).unwrap_or(key);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({ "id": id, "self": format!("{base}/rest/api/3/issue/{issue_key}/remotelink/{id}") })),
    )
        .into_response())
}

/// `DELETE /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}`
pub(crate) async fn delete_remote_link(
    State(state): State<SandboxState>,
    Path((key, link_id)): Path<(String, u64)>,
) -> ApiResult<StatusCode> {
    state.write().delete_remote_link(&key, link_id)?;
    Ok(StatusCode::NO_CONTENT)
}
