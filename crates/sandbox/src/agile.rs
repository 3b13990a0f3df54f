//! Jira Software agile REST 1.0: boards, sprints (with Jira's state rules), sprint and board
//! issues, the backlog, moving issues between sprints and the backlog, and epics.
//!
//! Paging here is offset-based (`startAt`, `maxResults`, `total`, `isLast`), unlike the
//! platform search.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::jira::render::{Expand, FieldSelection, Renderer};
use crate::jira::{Caller, JsonBody, Params, now};
use crate::state::{
    Board, Issue, SandboxState, SprintChanges, SprintState, StatusCategory, Store, StoreContext,
};

/// Every agile route.
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/rest/agile/1.0/board", get(list_boards))
        .route("/rest/agile/1.0/board/{id}", get(get_board))
        .route("/rest/agile/1.0/board/{id}/sprint", get(board_sprints))
        .route("/rest/agile/1.0/board/{id}/issue", get(board_issues))
        .route("/rest/agile/1.0/board/{id}/backlog", get(board_backlog))
        .route("/rest/agile/1.0/board/{id}/epic", get(board_epics))
        .route("/rest/agile/1.0/sprint", post(create_sprint))
        .route(
            "/rest/agile/1.0/sprint/{id}",
            get(get_sprint).put(full_update).post(partial_update),
        )
        .route(
            "/rest/agile/1.0/sprint/{id}/issue",
            get(sprint_issues).post(move_to_sprint),
        )
        .route("/rest/agile/1.0/backlog/issue", post(move_to_backlog))
        .route("/rest/agile/1.0/issue/rank", put(rank_issues))
        .route("/rest/agile/1.0/epic/{key}/issue", get(epic_issues))
}

fn board_not_found(id: &str) -> ApiError {
    ApiError::jira_message(
        StatusCode::NOT_FOUND,
        format!("Board {id} does not exist or you do not have permission to see it."),
    )
}

fn sprint_not_found(id: &str) -> ApiError {
    ApiError::jira_message(
        StatusCode::NOT_FOUND,
        format!("Sprint with id {id} does not exist or you do not have permission to see it."),
    )
}

fn parse_id(text: &str, not_found: fn(&str) -> ApiError) -> Result<u64, ApiError> {
    text.parse().map_err(|_| not_found(text))
}

struct Paging {
    start: usize,
    max: usize,
}

impl Paging {
    fn from(params: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            start: params.number("startAt")?.unwrap_or(0) as usize,
            max: params.number("maxResults")?.unwrap_or(50).clamp(1, 1000) as usize,
        })
    }
}

fn board_json(base: &str, store: &Store, board: &Board) -> Value {
    let project = store.project(&board.project_id);
    json!({
        "id": board.id,
        "self": format!("{base}/rest/agile/1.0/board/{}", board.id),
        "name": board.name,
        "type": board.board_type,
        "location": {
            "projectId": project.map(|p| p.id.parse::<u64>().unwrap_or(0)),
            "displayName": project.map(|p| format!("{} ({})", p.name, p.key)),
            "projectName": project.map(|p| p.name.clone()),
            "projectKey": project.map(|p| p.key.clone()),
            "projectTypeKey": "software",
            "avatarURI": project.map(|p| format!("{base}/secure/projectavatar?size=small&pid={}", p.id)),
            "name": project.map(|p| format!("{} ({})", p.name, p.key)),
        },
    })
}

/// `GET /rest/agile/1.0/board`
async fn list_boards(State(state): State<SandboxState>, params: Params) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let paging = Paging::from(&params)?;
    let kinds: Vec<String> = params
        .get("type")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let name = params.get("name").map(str::to_lowercase);
    let project = params
        .get("projectKeyOrId")
        .map(|p| store.project(p).map(|p| p.id.clone()));
    let boards: Vec<&Board> = store
        .boards()
        .iter()
        .filter(|b| kinds.is_empty() || kinds.contains(&b.board_type))
        .filter(|b| {
            name.as_deref()
                .is_none_or(|n| b.name.to_lowercase().contains(n))
        })
        .filter(|b| match &project {
            None => true,
            Some(Some(id)) => &b.project_id == id,
            Some(None) => false,
        })
        .collect();
    Ok(Json(page_values(
        &paging,
        boards
            .into_iter()
            .map(|b| board_json(&base, &store, b))
            .collect(),
    )))
}

fn page_values(paging: &Paging, values: Vec<Value>) -> Value {
    let total = values.len();
    let page: Vec<Value> = values
        .into_iter()
        .skip(paging.start)
        .take(paging.max)
        .collect();
    json!({
        "maxResults": paging.max,
        "startAt": paging.start,
        "total": total,
        "isLast": paging.start + page.len() >= total,
        "values": page,
    })
}

/// `GET /rest/agile/1.0/board/{boardId}`
async fn get_board(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let board = store
        .board(parse_id(&id, board_not_found)?)
        .ok_or_else(|| board_not_found(&id))?;
    Ok(Json(board_json(&base, &store, board)))
}

/// `GET /rest/agile/1.0/board/{boardId}/sprint`: closed, then active, then future sprints.
async fn board_sprints(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let board_id = parse_id(&id, board_not_found)?;
    store.board(board_id).ok_or_else(|| board_not_found(&id))?;
    let paging = Paging::from(&params)?;
    let mut states = Vec::new();
    for text in params
        .all("state")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
    {
        match SprintState::parse(&text) {
            Some(s) => states.push(s),
            None => {
                return Err(ApiError::bad_request(format!(
                    "The sprint state '{text}' is not valid. Valid states are: future, active, closed."
                )));
            }
        }
    }
    let order = |s: SprintState| match s {
        SprintState::Closed => 0,
        SprintState::Active => 1,
        SprintState::Future => 2,
    };
    let mut sprints: Vec<_> = store
        .sprints()
        .filter(|s| s.origin_board_id == board_id)
        .filter(|s| states.is_empty() || states.contains(&s.state))
        .collect();
    sprints.sort_by_key(|s| (order(s.state), s.id));
    let renderer = Renderer::new(&store, &base);
    Ok(Json(page_values(
        &paging,
        sprints
            .into_iter()
            .map(|s| renderer.agile_sprint(s))
            .collect(),
    )))
}

/// Parses a sprint date: RFC 3339, or Jira's `2015-04-11T15:22:00.000+1000`.
fn parse_date(field: &str, value: &Value) -> Result<Option<DateTime<Utc>>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| ApiError::jira_field(field, format!("The date '{s}' is not valid. Use the ISO 8601 format, e.g. 2015-04-11T15:22:00.000+10:00."))),
        _ => Err(ApiError::jira_field(field, "Dates must be strings.")),
    }
}

/// `POST /rest/agile/1.0/sprint`: 201 with the new future sprint.
async fn create_sprint(
    State(state): State<SandboxState>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let base = state.base_url();
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::jira_field("name", "Sprint name is required."))?;
    let board = body
        .get("originBoardId")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::jira_field("originBoardId", "originBoardId is required."))?;
    let start = parse_date("startDate", body.get("startDate").unwrap_or(&Value::Null))?;
    let end = parse_date("endDate", body.get("endDate").unwrap_or(&Value::Null))?;
    let goal = body.get("goal").and_then(Value::as_str).map(str::to_string);
    let mut store = state.write();
    let id = store.create_sprint(name, board, start, end, goal, now())?;
    let sprint = store.sprint(id).expect("created");
    let renderer = Renderer::new(&store, &base);
    Ok((StatusCode::CREATED, Json(renderer.agile_sprint(sprint))).into_response())
}

/// `GET /rest/agile/1.0/sprint/{sprintId}`
async fn get_sprint(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let sprint = store
        .sprint(parse_id(&id, sprint_not_found)?)
        .ok_or_else(|| sprint_not_found(&id))?;
    Ok(Json(Renderer::new(&store, &base).agile_sprint(sprint)))
}

fn sprint_changes(body: &Value, full: bool) -> Result<SprintChanges, ApiError> {
    let Some(object) = body.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    let mut changes = SprintChanges::default();
    if let Some(name) = object.get("name") {
        changes.name = Some(
            name.as_str()
                .ok_or_else(|| ApiError::jira_field("name", "name must be a string."))?
                .to_string(),
        );
    } else if full {
        return Err(ApiError::jira_field("name", "Sprint name is required."));
    }
    if let Some(state) = object.get("state").and_then(Value::as_str) {
        changes.state = Some(SprintState::parse(state).ok_or_else(|| {
            ApiError::jira_field("state", format!("The sprint state '{state}' is not valid."))
        })?);
    }
    // A full update sets every field; what is not sent becomes null.
    let null = Value::Null;
    if full || object.contains_key("startDate") {
        changes.start_date = Some(parse_date(
            "startDate",
            object.get("startDate").unwrap_or(&null),
        )?);
    }
    if full || object.contains_key("endDate") {
        changes.end_date = Some(parse_date(
            "endDate",
            object.get("endDate").unwrap_or(&null),
        )?);
    }
    if full || object.contains_key("goal") {
        changes.goal = Some(
            object
                .get("goal")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
    }
    changes.complete_date_set = object.get("completeDate").is_some_and(|v| !v.is_null());
    Ok(changes)
}

async fn update_sprint(
    state: SandboxState,
    actor: String,
    id: String,
    body: Value,
    full: bool,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let sprint_id = parse_id(&id, sprint_not_found)?;
    let mut store = state.write();
    let current = store
        .sprint(sprint_id)
        .cloned()
        .ok_or_else(|| sprint_not_found(&id))?;
    let mut changes = sprint_changes(&body, full)?;
    // Sending back the dates of an active sprint unchanged is fine; only a new value matters.
    if full && current.state == SprintState::Active && changes.state.is_none() {
        changes.state = Some(SprintState::Active);
    }
    store.update_sprint(sprint_id, changes, now())?;
    if store
        .sprint(sprint_id)
        .is_some_and(|s| s.state != current.state)
    {
        crate::webhooks::sprint_changed(&state, &store, sprint_id, current.state, &actor);
    }
    let sprint = store.sprint(sprint_id).expect("exists");
    Ok(Json(Renderer::new(&store, &base).agile_sprint(sprint)))
}

/// `PUT /rest/agile/1.0/sprint/{sprintId}`: full update.
async fn full_update(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    update_sprint(state, actor, id, body, true).await
}

/// `POST /rest/agile/1.0/sprint/{sprintId}`: partial update.
async fn partial_update(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    update_sprint(state, actor, id, body, false).await
}

/// Renders a page of agile issues (`{expand,startAt,maxResults,total,issues}`), applying the
/// optional `jql` on top of the endpoint's own filter.
fn issue_page(
    state: &SandboxState,
    caller: &str,
    params: &Params,
    filter: impl Fn(&Store, &Issue) -> bool,
) -> ApiResult<Value> {
    let base = state.base_url();
    let store = state.read();
    let paging = Paging::from(params)?;
    let compiled = match params.get("jql").filter(|j| !j.trim().is_empty()) {
        Some(jql) => {
            let ctx = StoreContext {
                store: &store,
                now: now(),
                user: Some(caller),
            };
            Some(jql::compile(jql, &ctx).map_err(|e| ApiError::bad_request(e.to_string()))?)
        }
        None => None,
    };
    let mut issues: Vec<&Issue> = match &compiled {
        Some(compiled) => store.run_compiled(compiled),
        None => store.issues().collect(),
    };
    issues.retain(|i| filter(&store, i));
    if compiled.as_ref().is_none_or(|c| c.order_by().is_empty()) {
        issues.sort_by_key(|i| i.rank);
    }
    let selection = FieldSelection::parse(&store, &params.all("fields"), "*navigable");
    let expand = Expand::parse(params.all("expand").iter().map(String::as_str));
    let renderer = Renderer::new(&store, &base);
    let total = issues.len();
    let rendered: Vec<Value> = issues
        .into_iter()
        .skip(paging.start)
        .take(paging.max)
        .map(|issue| {
            let mut bean = renderer.issue(issue, &selection, &expand);
            if let Some(fields) = bean.get_mut("fields").and_then(Value::as_object_mut) {
                let sprint = issue.sprint_id.and_then(|id| store.sprint(id));
                fields.insert(
                    "sprint".into(),
                    sprint
                        .map(|s| renderer.agile_sprint(s))
                        .unwrap_or(Value::Null),
                );
                fields.insert(
                    "closedSprints".into(),
                    Value::Array(
                        issue
                            .closed_sprint_ids
                            .iter()
                            .filter_map(|id| store.sprint(*id))
                            .map(|s| renderer.agile_sprint(s))
                            .collect(),
                    ),
                );
            }
            bean
        })
        .collect();
    Ok(json!({
        "expand": "schema,names",
        "startAt": paging.start,
        "maxResults": paging.max,
        "total": total,
        "issues": rendered,
    }))
}

/// `GET /rest/agile/1.0/sprint/{sprintId}/issue`: issues in (or completed in) the sprint.
async fn sprint_issues(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let sprint_id = parse_id(&id, sprint_not_found)?;
    if state.read().sprint(sprint_id).is_none() {
        return Err(sprint_not_found(&id));
    }
    issue_page(&state, &caller, &params, |_, i| {
        i.sprint_id == Some(sprint_id) || i.closed_sprint_ids.contains(&sprint_id)
    })
    .map(Json)
}

fn issue_list(body: &Value) -> Result<Vec<String>, ApiError> {
    body.get("issues")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::jira_field("issues", "At least one issue must be specified."))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
                .ok_or_else(|| ApiError::jira_field("issues", "Issues are given by key or id."))
        })
        .collect()
}

/// `POST /rest/agile/1.0/sprint/{sprintId}/issue`: 204; at most 50 issues.
async fn move_to_sprint(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let sprint_id = parse_id(&id, sprint_not_found)?;
    let issues = issue_list(&body)?;
    let mut store = state.write();
    let before: Vec<Issue> = issues
        .iter()
        .filter_map(|i| store.issue(i).cloned())
        .collect();
    store.move_to_sprint(sprint_id, &issues, now())?;
    for issue in &before {
        crate::webhooks::issue_updated(&state, &mut store, issue, &actor, None);
    }
    let before = body.get("rankBeforeIssue").and_then(Value::as_str);
    let after = body.get("rankAfterIssue").and_then(Value::as_str);
    if before.is_some() || after.is_some() {
        store.rank_issues(&issues, before, after)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /rest/agile/1.0/backlog/issue`: 204; at most 50 issues.
async fn move_to_backlog(
    State(state): State<SandboxState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let issues = issue_list(&body)?;
    let mut store = state.write();
    let before: Vec<Issue> = issues
        .iter()
        .filter_map(|i| store.issue(i).cloned())
        .collect();
    store.move_to_backlog(&issues, now())?;
    for issue in &before {
        crate::webhooks::issue_updated(&state, &mut store, issue, &actor, None);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /rest/agile/1.0/issue/rank`: 204; at most 50 issues, before or after another issue.
async fn rank_issues(
    State(state): State<SandboxState>,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let issues = issue_list(&body)?;
    let before = body.get("rankBeforeIssue").and_then(Value::as_str);
    let after = body.get("rankAfterIssue").and_then(Value::as_str);
    state.write().rank_issues(&issues, before, after)?;
    Ok(StatusCode::NO_CONTENT)
}

fn board_project(state: &SandboxState, id: &str) -> Result<String, ApiError> {
    let store = state.read();
    let board = store
        .board(parse_id(id, board_not_found)?)
        .ok_or_else(|| board_not_found(id))?;
    Ok(board.project_id.clone())
}

/// `GET /rest/agile/1.0/board/{boardId}/issue`: every issue of the board's project.
async fn board_issues(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let project = board_project(&state, &id)?;
    issue_page(&state, &caller, &params, |_, i| i.project_id == project).map(Json)
}

fn is_epic(store: &Store, issue: &Issue) -> bool {
    store
        .issue_type(&issue.issue_type_id)
        .is_some_and(|t| t.hierarchy_level > 0)
}

fn is_done(store: &Store, issue: &Issue) -> bool {
    store.status(&issue.status_id).map(|s| s.category) == Some(StatusCategory::Done)
}

/// `GET /rest/agile/1.0/board/{boardId}/backlog`: unfinished, unsprinted, non-epic issues.
async fn board_backlog(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(caller): Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let project = board_project(&state, &id)?;
    issue_page(&state, &caller, &params, |store, i| {
        i.project_id == project && i.sprint_id.is_none() && !is_epic(store, i) && !is_done(store, i)
    })
    .map(Json)
}

/// `GET /rest/agile/1.0/board/{boardId}/epic`
async fn board_epics(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let project = board_project(&state, &id)?;
    let base = state.base_url();
    let store = state.read();
    let paging = Paging::from(&params)?;
    let done_filter = params.get("done").map(|d| d.eq_ignore_ascii_case("true"));
    let epics: Vec<Value> = store
        .issues()
        .filter(|i| i.project_id == project && is_epic(&store, i))
        .filter(|i| done_filter.is_none_or(|d| d == is_done(&store, i)))
        .map(|i| {
            json!({
                "id": i.id.parse::<u64>().unwrap_or(0),
                "key": i.key,
                "self": format!("{base}/rest/agile/1.0/epic/{}", i.id),
                "name": i.summary,
                "summary": i.summary,
                "color": { "key": "color_4" },
                "done": is_done(&store, i),
            })
        })
        .collect();
    Ok(Json(page_values(&paging, epics)))
}

/// `GET /rest/agile/1.0/epic/{epicIdOrKey}/issue`: the epic's children.
async fn epic_issues(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
    Caller(caller): Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let epic_id = {
        let store = state.read();
        let epic = store
            .issue(&key)
            .filter(|i| is_epic(&store, i))
            .ok_or_else(|| {
                ApiError::jira_message(
                    StatusCode::NOT_FOUND,
                    format!("Epic {key} does not exist or you do not have permission to see it."),
                )
            })?;
        epic.id.clone()
    };
    issue_page(&state, &caller, &params, |_, i| {
        i.parent_id.as_deref() == Some(epic_id.as_str())
    })
    .map(Json)
}
