//! Issue endpoints: get, create, bulk create, edit, assign, comments and transitions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::field_input::ParsedInput;
use super::field_input::rich_text_input;
use super::render::{Expand, FieldSelection, Renderer};
use super::wiki::ApiVersion;
use super::{Caller, JsonBody, Params, now};
use crate::error::{ApiError, ApiResult, error_collection};
use crate::state::{ISSUE_NOT_FOUND, JiraErrors, SandboxState, Store, StoreError};

fn not_found() -> ApiError {
    ApiError::jira_message(StatusCode::NOT_FOUND, ISSUE_NOT_FOUND)
}

/// `GET /rest/api/3/issue/{issueIdOrKey}`
pub(crate) async fn get_issue(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(not_found)?;
    let selection = FieldSelection::parse(&store, &params.all("fields"), "*all");
    let expand = Expand::parse(params.all("expand").iter().map(String::as_str));
    let renderer = Renderer::new(&store, &base).with_version(version);
    Ok(Json(renderer.issue(issue, &selection, &expand)))
}

fn created_issue(base: &str, store: &Store, id: &str) -> Value {
    let issue = store.issue(id).expect("just created");
    json!({
        "id": issue.id,
        "key": issue.key,
        "self": format!("{base}/rest/api/3/issue/{}", issue.id),
    })
}

/// Creates one issue from an `IssueUpdateDetails` body; shared by single and bulk create.
fn create_one(
    version: ApiVersion,
    store: &mut Store,
    body: &Value,
    actor: &str,
) -> Result<(String, Option<Value>), JiraErrors> {
    let Some(object) = body.as_object() else {
        return Err(JiraErrors::message(
            "The request body must be a JSON object.",
        ));
    };
    let mut parsed =
        ParsedInput::parse(store, version, object.get("fields"), object.get("update"))?;
    let comments = std::mem::take(&mut parsed.comments);
    let new = parsed.into_new_issue()?;
    let now = now();
    let id = store.create_issue(new, actor, now).map_err(|e| match e {
        StoreError::Invalid(errors) => errors,
        other => JiraErrors::message(other.to_string()),
    })?;
    for body in comments {
        store
            .add_comment(&id, actor, body, None, now)
            .map_err(|e| match e {
                StoreError::Invalid(errors) => errors,
                other => JiraErrors::message(other.to_string()),
            })?;
    }
    let requested = object
        .get("transition")
        .and_then(|t| t.get("id"))
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        });
    let transition =
        requested.map(
            |transition| match store.transition_issue(&id, &transition, now) {
                Ok(()) => {
                    json!({"status": 200, "errorCollection": {"errorMessages": [], "errors": {}}})
                }
                Err(StoreError::Invalid(errors)) => {
                    json!({"status": 400, "errorCollection": error_collection(&errors)})
                }
                Err(other) => json!({
                    "status": 400,
                    "errorCollection": error_collection(&JiraErrors::message(other.to_string())),
                }),
            },
        );
    Ok((id, transition))
}

/// `POST /rest/api/3/issue`
pub(crate) async fn create(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let base = state.base_url();
    let mut store = state.write();
    let (id, transition) =
        create_one(version, &mut store, &body, &actor).map_err(|errors| ApiError::Jira {
            status: StatusCode::BAD_REQUEST,
            errors,
        })?;
    crate::webhooks::issue_created(&state, &store, &id, &actor);
    let mut created = created_issue(&base, &store, &id);
    if let Some(transition) = transition {
        created["transition"] = transition;
    }
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// `POST /rest/api/3/issue/bulk`: up to 50 issues; 201 when any succeeded, 400 when all failed.
pub(crate) async fn bulk_create(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let Some(updates) = body.get("issueUpdates").and_then(Value::as_array) else {
        return Err(ApiError::jira_field(
            "issueUpdates",
            "issueUpdates is required.",
        ));
    };
    if updates.len() > 50 {
        return Err(ApiError::bad_request(
            "The number of issues to create exceeds the maximum of 50.",
        ));
    }
    let base = state.base_url();
    let mut store = state.write();
    let mut issues = Vec::new();
    let mut errors = Vec::new();
    for (index, update) in updates.iter().enumerate() {
        match create_one(version, &mut store, update, &actor) {
            Ok((id, _)) => {
                crate::webhooks::issue_created(&state, &store, &id, &actor);
                issues.push(created_issue(&base, &store, &id));
            }
            Err(e) => errors.push(json!({
                "status": 400,
                "elementErrors": error_collection(&e),
                "failedElementNumber": index,
            })),
        }
    }
    let status = if issues.is_empty() && !errors.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(json!({ "issues": issues, "errors": errors }))).into_response())
}

/// `PUT /rest/api/3/issue/{issueIdOrKey}`: 204, or 200 with the issue when `returnIssue=true`.
pub(crate) async fn edit(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    Caller(actor): Caller,
    params: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let base = state.base_url();
    let mut store = state.write();
    let issue = store.issue(&key).cloned().ok_or_else(not_found)?;
    let Some(object) = body.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    let mut errors = JiraErrors::default();
    if let Some(fields) = object.get("fields").and_then(Value::as_object) {
        for forbidden in ["project", "issuetype"] {
            if fields.contains_key(forbidden) {
                errors.add_field(
                    forbidden,
                    format!("Field '{forbidden}' cannot be changed by an edit; use move."),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Jira {
            status: StatusCode::BAD_REQUEST,
            errors,
        });
    }
    let mut parsed =
        ParsedInput::parse(&store, version, object.get("fields"), object.get("update")).map_err(
            |errors| ApiError::Jira {
                status: StatusCode::BAD_REQUEST,
                errors,
            },
        )?;
    parsed.finish_labels(&issue.labels);
    let now = now();
    let comments = std::mem::take(&mut parsed.comments);
    store.apply_changes(&issue.id, parsed.changes, now)?;
    let mut last_comment = None;
    for body in comments {
        let comment = store.add_comment(&issue.id, &actor, body, None, now)?;
        crate::webhooks::comment_created(&state, &store, &issue.id, &comment, &actor);
        last_comment = Some(comment);
    }
    crate::webhooks::issue_updated(&state, &mut store, &issue, &actor, last_comment.as_ref());
    if params.flag("returnIssue") {
        let issue = store.issue(&issue.id).expect("exists");
        let renderer = Renderer::new(&store, &base).with_version(version);
        let selection = FieldSelection::parse(&store, &[], "*all");
        let expand = Expand::parse(params.all("expand").iter().map(String::as_str));
        return Ok((
            StatusCode::OK,
            Json(renderer.issue(issue, &selection, &expand)),
        )
            .into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /rest/api/3/issue/{issueIdOrKey}/assignee` with `{"accountId": …}` (null unassigns).
pub(crate) async fn assign(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let account = match body.get("accountId") {
        Some(Value::String(id)) if id == "-1" => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Null) | None => None,
        Some(_) => {
            return Err(ApiError::jira_field(
                "accountId",
                "accountId must be a string.",
            ));
        }
    };
    let mut store = state.write();
    let before = store.issue(&key).cloned().ok_or_else(not_found)?;
    store.apply_changes(
        &key,
        vec![crate::state::FieldChange::Assignee(account)],
        now(),
    )?;
    crate::webhooks::issue_updated(&state, &mut store, &before, &actor, None);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/comment`
pub(crate) async fn list_comments(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(not_found)?;
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(5000).min(5000) as usize;
    let renderer = Renderer::new(&store, &base).with_version(version);
    let mut comments: Vec<&crate::state::Comment> = issue.comments.iter().collect();
    if params.get("orderBy").is_some_and(|o| o.starts_with('-')) {
        comments.reverse();
    }
    let page: Vec<Value> = comments
        .into_iter()
        .skip(start)
        .take(max)
        .map(|c| renderer.comment(issue, c))
        .collect();
    Ok(Json(json!({
        "startAt": start,
        "maxResults": max,
        "total": issue.comments.len(),
        "comments": page,
    })))
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/comment`
pub(crate) async fn add_comment(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let base = state.base_url();
    let Some(adf) = body.get("body").map(|b| rich_text_input(version, b)) else {
        return Err(ApiError::jira_field(
            "comment",
            "Comment body can not be empty!",
        ));
    };
    let visibility = body.get("visibility").cloned();
    let mut store = state.write();
    let before = store.issue(&key).cloned().ok_or_else(not_found)?;
    let comment = store.add_comment(&key, &actor, adf, visibility, now())?;
    crate::webhooks::comment_created(&state, &store, &before.id, &comment, &actor);
    crate::webhooks::issue_updated(&state, &mut store, &before, &actor, Some(&comment));
    let issue = store.issue(&key).expect("exists");
    let renderer = Renderer::new(&store, &base).with_version(version);
    Ok((StatusCode::CREATED, Json(renderer.comment(issue, &comment))).into_response())
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/transitions`
pub(crate) async fn list_transitions(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let transitions = store.transitions_for(&key).map_err(|_| not_found())?;
    let include_unavailable = params.flag("includeUnavailableTransitions");
    let only = params.get("transitionId");
    let renderer = Renderer::new(&store, &base).with_version(version);
    let list: Vec<Value> = transitions
        .into_iter()
        .filter(|(_, available)| *available || include_unavailable)
        .filter(|(t, _)| only.is_none_or(|id| id == t.id))
        .filter_map(|(t, available)| renderer.transition(t, available))
        .collect();
    Ok(Json(
        json!({ "expand": "transitions", "transitions": list }),
    ))
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/transitions`
pub(crate) async fn do_transition(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path(key): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let transition = body
        .get("transition")
        .and_then(|t| t.get("id").or_else(|| t.get("name")))
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        })
        .ok_or_else(|| ApiError::bad_request("Missing 'transition' identifier"))?;
    let mut store = state.write();
    let issue = store.issue(&key).cloned().ok_or_else(not_found)?;
    // The resolution is set by the workflow itself; accept it on the screen and let the
    // transition decide, as Jira does with its default resolution post-function.
    let mut fields = body.get("fields").cloned();
    if let Some(Value::Object(map)) = fields.as_mut() {
        map.remove("resolution");
    }
    let mut parsed = ParsedInput::parse(&store, version, fields.as_ref(), body.get("update"))
        .map_err(|errors| ApiError::Jira {
            status: StatusCode::BAD_REQUEST,
            errors,
        })?;
    parsed.finish_labels(&issue.labels);
    let now = now();
    // Check the transition first so a refused transition changes nothing.
    let usable = store
        .transitions_for(&issue.id)?
        .into_iter()
        .any(|(t, ok)| ok && (t.id == transition || t.name.eq_ignore_ascii_case(&transition)));
    if !usable {
        return Err(ApiError::bad_request(format!(
            "Transition id '{transition}' is not valid for this issue."
        )));
    }
    let comments = std::mem::take(&mut parsed.comments);
    store.apply_changes(&issue.id, parsed.changes, now)?;
    store.transition_issue(&issue.id, &transition, now)?;
    let mut last_comment = None;
    for body in comments {
        let comment = store.add_comment(&issue.id, &actor, body, None, now)?;
        crate::webhooks::comment_created(&state, &store, &issue.id, &comment, &actor);
        last_comment = Some(comment);
    }
    crate::webhooks::issue_updated(&state, &mut store, &issue, &actor, last_comment.as_ref());
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /rest/api/3/issue/{issueIdOrKey}?deleteSubtasks=`
pub(crate) async fn delete_issue(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    Caller(actor): Caller,
    params: Params,
) -> ApiResult<StatusCode> {
    let mut store = state.write();
    let before = store.issue(&key).cloned().ok_or_else(not_found)?;
    store.delete_issue(&key, params.flag("deleteSubtasks"))?;
    crate::webhooks::issue_deleted(&state, &store, &before, &actor);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /rest/api/3/issue/bulkfetch`: up to 100 issues; missing ones are left out.
pub(crate) async fn bulk_fetch(
    State(state): State<SandboxState>,
    version: ApiVersion,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let keys: Vec<String> = body
        .get("issueIdsOrKeys")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::jira_field("issueIdsOrKeys", "issueIdsOrKeys is required."))?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if keys.is_empty() || keys.len() > 100 {
        return Err(ApiError::jira_field(
            "issueIdsOrKeys",
            "Provide between 1 and 100 issue ids or keys.",
        ));
    }
    let strings = |key: &str| -> Vec<String> {
        body.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let base = state.base_url();
    let store = state.read();
    let selection = FieldSelection::parse(&store, &strings("fields"), "*navigable");
    let expand_values = strings("expand");
    let expand = Expand::parse(expand_values.iter().map(String::as_str));
    let renderer = Renderer::new(&store, &base).with_version(version);
    let issues: Vec<Value> = keys
        .iter()
        .filter_map(|k| store.issue(k))
        .map(|issue| renderer.issue(issue, &selection, &expand))
        .collect();
    Ok(Json(json!({ "issues": issues, "issueErrors": [] })))
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}`
pub(crate) async fn get_comment(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path((key, comment_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(not_found)?;
    let comment = issue
        .comments
        .iter()
        .find(|c| c.id == comment_id)
        .ok_or_else(|| {
            ApiError::jira_message(
                StatusCode::NOT_FOUND,
                format!("Can not find a comment for key: {comment_id}."),
            )
        })?;
    let renderer = Renderer::new(&store, &base).with_version(version);
    Ok(Json(renderer.comment(issue, comment)))
}

/// `PUT /rest/api/3/issue/{issueIdOrKey}/comment/{id}`
pub(crate) async fn update_comment(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Path((key, comment_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let Some(adf) = body.get("body").map(|b| rich_text_input(version, b)) else {
        return Err(ApiError::jira_field(
            "comment",
            "Comment body can not be empty!",
        ));
    };
    let mut store = state.write();
    let comment = store.update_comment(
        &key,
        &comment_id,
        adf,
        body.get("visibility").cloned(),
        now(),
    )?;
    let issue = store.issue(&key).expect("exists");
    let renderer = Renderer::new(&store, &base).with_version(version);
    Ok(Json(renderer.comment(issue, &comment)))
}

/// `DELETE /rest/api/3/issue/{issueIdOrKey}/comment/{id}`
pub(crate) async fn delete_comment(
    State(state): State<SandboxState>,
    Path((key, comment_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.write().delete_comment(&key, &comment_id, now())?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/changelog`: the change history, oldest first.
pub(crate) async fn changelog(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(not_found)?;
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(100).clamp(1, 100) as usize;
    let renderer = Renderer::new(&store, &base);
    let values: Vec<Value> = issue
        .changelog
        .iter()
        .skip(start)
        .take(max)
        .map(|h| renderer.history(h))
        .collect();
    let total = issue.changelog.len();
    Ok(Json(json!({
        "self": format!("{base}/rest/api/3/issue/{}/changelog?startAt={start}&maxResults={max}", issue.key),
        "startAt": start,
        "maxResults": max,
        "total": total,
        "isLast": start + values.len() >= total,
        "values": values,
    })))
}
