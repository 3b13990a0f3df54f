//! Site metadata: fields, create metadata, users, server and tenant info, projects, issue
//! types, statuses and priorities.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::render::{Renderer, field_schema};
use super::{Caller, Params};
use crate::error::{ApiError, ApiResult};
use crate::state::{FieldDef, SandboxState, Store};

/// `GET /rest/api/3/field`
pub(crate) async fn fields(State(state): State<SandboxState>) -> Json<Value> {
    let store = state.read();
    Json(Value::Array(
        store
            .fields()
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "key": f.id,
                    "name": f.name,
                    "custom": f.custom,
                    "orderable": f.orderable,
                    "navigable": f.navigable,
                    "searchable": f.searchable,
                    "clauseNames": f.clause_names(),
                    "schema": field_schema(f),
                })
            })
            .collect(),
    ))
}

fn project_or_404(store: &Store, key: &str) -> Result<crate::state::Project, ApiError> {
    store.project(key).cloned().ok_or_else(|| {
        ApiError::jira_message(
            StatusCode::NOT_FOUND,
            format!("No project could be found with key '{key}'."),
        )
    })
}

/// `GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes`
pub(crate) async fn createmeta_issue_types(
    State(state): State<SandboxState>,
    Path(project): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let project = project_or_404(&store, &project)?;
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(50).min(200) as usize;
    let renderer = Renderer::new(&store, &base);
    let types: Vec<Value> = project
        .issue_type_ids
        .iter()
        .filter_map(|id| store.issue_type(id))
        .map(|t| renderer.issue_type(t))
        .collect();
    let total = types.len();
    Ok(Json(json!({
        "issueTypes": types.into_iter().skip(start).take(max).collect::<Vec<_>>(),
        "startAt": start,
        "maxResults": max,
        "total": total,
    })))
}

fn create_field(
    def: &FieldDef,
    required: bool,
    has_default: bool,
    allowed: Option<Vec<Value>>,
) -> Value {
    let mut value = json!({
        "fieldId": def.id,
        "key": def.id,
        "name": def.name,
        "required": required,
        "hasDefaultValue": has_default,
        "operations": if def.id == "labels" { json!(["add", "set", "remove"]) } else { json!(["set"]) },
        "schema": field_schema(def),
    });
    if let Some(allowed) = allowed {
        value["allowedValues"] = Value::Array(allowed);
    }
    value
}

/// `GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}`: the create
/// screen's fields; `parent` is required for sub-tasks.
pub(crate) async fn createmeta_fields(
    State(state): State<SandboxState>,
    Path((project, type_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let project = project_or_404(&store, &project)?;
    let issue_type = store
        .issue_type(&type_id)
        .filter(|t| project.issue_type_ids.contains(&t.id))
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The issue type with id '{type_id}' does not exist in project '{}'.",
                project.key
            ))
        })?;
    let renderer = Renderer::new(&store, &base);
    let def = |id: &str| {
        store
            .fields()
            .iter()
            .find(|f| f.id == id)
            .expect("configured field")
    };
    let mut fields = vec![
        create_field(
            def("issuetype"),
            true,
            false,
            Some(vec![renderer.issue_type(&issue_type)]),
        ),
        create_field(
            def("project"),
            true,
            false,
            Some(vec![renderer.project_ref(&project)]),
        ),
        create_field(def("summary"), true, false, None),
        create_field(def("description"), false, false, None),
        create_field(def("reporter"), true, true, None),
        create_field(def("assignee"), false, false, None),
        create_field(
            def("priority"),
            false,
            true,
            Some(
                store
                    .priorities()
                    .iter()
                    .map(|p| renderer.priority(p))
                    .collect(),
            ),
        ),
        create_field(def("labels"), false, false, None),
        create_field(def("duedate"), false, false, None),
    ];
    if issue_type.hierarchy_level <= 0 {
        fields.push(create_field(
            def("parent"),
            issue_type.is_subtask(),
            false,
            None,
        ));
    }
    for custom in store.fields().iter().filter(|f| f.custom) {
        fields.push(create_field(custom, false, false, None));
    }
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(50).min(200) as usize;
    let total = fields.len();
    Ok(Json(json!({
        "fields": fields.into_iter().skip(start).take(max).collect::<Vec<_>>(),
        "startAt": start,
        "maxResults": max,
        "total": total,
    })))
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/editmeta`: the fields an edit may change.
pub(crate) async fn editmeta(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let issue = store.issue(&key).ok_or_else(|| {
        ApiError::jira_message(StatusCode::NOT_FOUND, crate::state::ISSUE_NOT_FOUND)
    })?;
    let subtask = store
        .issue_type(&issue.issue_type_id)
        .is_some_and(crate::state::IssueType::is_subtask);
    let renderer = Renderer::new(&store, &base);
    let mut fields = serde_json::Map::new();
    for def in store.fields() {
        let editable = def.custom && def.kind != crate::state::FieldKind::Rank
            || matches!(
                def.id.as_str(),
                "summary"
                    | "description"
                    | "assignee"
                    | "reporter"
                    | "priority"
                    | "labels"
                    | "duedate"
                    | "parent"
            );
        if !editable {
            continue;
        }
        let required = def.id == "summary" || (def.id == "parent" && subtask);
        let allowed = (def.id == "priority").then(|| {
            store
                .priorities()
                .iter()
                .map(|p| renderer.priority(p))
                .collect()
        });
        let mut meta = create_field(def, required, false, allowed);
        if let Some(map) = meta.as_object_mut() {
            // Edit metadata has no `fieldId`; the map key names the field.
            map.remove("fieldId");
        }
        fields.insert(def.id.clone(), meta);
    }
    Ok(Json(json!({ "fields": fields })))
}

/// `GET /rest/api/3/myself`
pub(crate) async fn myself(
    State(state): State<SandboxState>,
    Caller(account): Caller,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let user = store.user(&account).ok_or_else(|| {
        ApiError::jira_message(
            StatusCode::UNAUTHORIZED,
            "The calling user no longer exists.",
        )
    })?;
    let mut value = Renderer::new(&store, &base).user(user);
    value["locale"] = json!("en_US");
    Ok(Json(value))
}

/// `GET /rest/api/3/user?accountId=`
pub(crate) async fn get_user(
    State(state): State<SandboxState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let account = params.get("accountId").ok_or_else(|| {
        ApiError::jira_field(
            "accountId",
            "The accountId query parameter needs to be provided.",
        )
    })?;
    let user = store.user(account).ok_or_else(|| {
        ApiError::jira_message(
            StatusCode::NOT_FOUND,
            "Specified user does not exist or you do not have required permissions",
        )
    })?;
    Ok(Json(Renderer::new(&store, &base).user(user)))
}

/// `GET /rest/api/3/user/search?query=&accountId=`: prefix match on name and e-mail.
pub(crate) async fn user_search(
    State(state): State<SandboxState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let query = params.get("query").unwrap_or("").to_lowercase();
    let account = params.get("accountId");
    if query.is_empty() && account.is_none() {
        return Err(ApiError::bad_request(
            "One of 'query' or 'accountId' query parameters needs to be provided.",
        ));
    }
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(50) as usize;
    let renderer = Renderer::new(&store, &base);
    let users: Vec<Value> = store
        .users()
        .iter()
        .filter(|u| account.is_none_or(|a| a == u.account_id))
        .filter(|u| {
            query.is_empty()
                || u.email.to_lowercase().starts_with(&query)
                || u.display_name
                    .to_lowercase()
                    .split(' ')
                    .chain(std::iter::once(u.display_name.to_lowercase().as_str()))
                    .any(|part| part.starts_with(&query))
        })
        .skip(start)
        .take(max)
        .map(|u| renderer.user(u))
        .collect();
    Ok(Json(Value::Array(users)))
}

/// `GET /rest/api/3/serverInfo`
pub(crate) async fn server_info(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    Json(json!({
        "baseUrl": base,
        "displayUrl": base,
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100292,
        "buildDate": "2026-01-01T00:00:00.000+0000",
        "serverTime": super::render::jira_time(chrono::Utc::now()),
        "scmInfo": "sandbox",
        "serverTitle": "Planwright sandbox",
    }))
}

/// `GET /_edge/tenant_info`: the cloud id, unauthenticated as on a real site.
pub(crate) async fn tenant_info(State(state): State<SandboxState>) -> Json<Value> {
    Json(json!({ "cloudId": state.read().cloud_id() }))
}

/// `GET /rest/api/3/project`
pub(crate) async fn list_projects(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer::new(&store, &base);
    Json(Value::Array(
        store
            .projects()
            .iter()
            .map(|p| renderer.project(p))
            .collect(),
    ))
}

/// `GET /rest/api/3/project/search`
pub(crate) async fn search_projects(
    State(state): State<SandboxState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer::new(&store, &base);
    let query = params.get("query").unwrap_or("").to_lowercase();
    let keys: Vec<String> = params
        .all("keys")
        .iter()
        .flat_map(|k| k.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let start = params.number("startAt")?.unwrap_or(0) as usize;
    let max = params.number("maxResults")?.unwrap_or(50).min(100) as usize;
    let matching: Vec<Value> = store
        .projects()
        .iter()
        .filter(|p| {
            query.is_empty()
                || p.key.to_lowercase().contains(&query)
                || p.name.to_lowercase().contains(&query)
        })
        .filter(|p| keys.is_empty() || keys.iter().any(|k| k.eq_ignore_ascii_case(&p.key)))
        .map(|p| renderer.project(p))
        .collect();
    let total = matching.len();
    let values: Vec<Value> = matching.into_iter().skip(start).take(max).collect();
    Ok(Json(json!({
        "self": format!("{base}/rest/api/3/project/search?startAt={start}&maxResults={max}"),
        "startAt": start,
        "maxResults": max,
        "total": total,
        "isLast": start + values.len() >= total,
        "values": values,
    })))
}

/// `GET /rest/api/3/project/{projectIdOrKey}`
pub(crate) async fn get_project(
    State(state): State<SandboxState>,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let project = project_or_404(&store, &key)?;
    Ok(Json(Renderer::new(&store, &base).project(&project)))
}

/// `GET /rest/api/3/issuetype`
pub(crate) async fn issue_types(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer::new(&store, &base);
    Json(Value::Array(
        store
            .issue_types()
            .iter()
            .map(|t| renderer.issue_type(t))
            .collect(),
    ))
}

/// `GET /rest/api/3/issuetype/project?projectId=`
pub(crate) async fn issue_types_for_project(
    State(state): State<SandboxState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = state.base_url();
    let store = state.read();
    let id = params.get("projectId").ok_or_else(|| {
        ApiError::jira_field("projectId", "The projectId query parameter is required.")
    })?;
    let project = store
        .projects()
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| {
            ApiError::jira_message(
                StatusCode::NOT_FOUND,
                format!("No project could be found with id '{id}'."),
            )
        })?;
    let renderer = Renderer::new(&store, &base);
    Ok(Json(Value::Array(
        project
            .issue_type_ids
            .iter()
            .filter_map(|t| store.issue_type(t))
            .map(|t| renderer.issue_type(t))
            .collect(),
    )))
}

/// `GET /rest/api/3/status`
pub(crate) async fn statuses(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer::new(&store, &base);
    Json(Value::Array(
        store
            .statuses()
            .iter()
            .map(|s| renderer.status(s))
            .collect(),
    ))
}

/// `GET /rest/api/3/priority`
pub(crate) async fn priorities(State(state): State<SandboxState>) -> Json<Value> {
    let base = state.base_url();
    let store = state.read();
    let renderer = Renderer::new(&store, &base);
    Json(Value::Array(
        store
            .priorities()
            .iter()
            .map(|p| {
                let mut value = renderer.priority(p);
                value["statusColor"] = json!(p.status_color);
                value["description"] = json!(format!("{} priority.", p.name));
                value["isDefault"] = json!(p.is_default);
                value
            })
            .collect(),
    ))
}
