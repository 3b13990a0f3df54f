//! Confluence Cloud: the v2 pages and spaces API (`/wiki/api/v2`), with Confluence's version
//! rule on update (the new number must be current + 1, otherwise 409), and the deprecated v1
//! content read and update (`/wiki/rest/api/content/{id}`), which many client libraries still use.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::jira::render::iso_time;
use crate::jira::{Caller, Params, now};
use crate::state::{NewPage, Page, PageVersion, SandboxState, Space, Store};

/// Every Confluence route.
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/wiki/api/v2/pages", get(list_pages).post(create_page))
        .route("/wiki/api/v2/pages/{id}", get(get_page).put(update_page))
        .route("/wiki/api/v2/spaces", get(list_spaces))
        .route("/wiki/api/v2/spaces/{id}", get(get_space))
        .route("/wiki/api/v2/spaces/{id}/pages", get(space_pages))
        .route(
            "/wiki/rest/api/content/{id}",
            get(v1_content).put(v1_update),
        )
        .route("/wiki/rest/api/content", get(v1_find))
}

fn bad_request(title: impl Into<String>) -> ApiError {
    ApiError::confluence(StatusCode::BAD_REQUEST, "INVALID_REQUEST_PARAMETER", title)
}

fn page_not_found(id: &str) -> ApiError {
    ApiError::confluence(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("Page {id} was not found."),
    )
}

fn parse_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| bad_request(format!("The request body is not valid JSON: {e}")))
}

fn wiki_base(state: &SandboxState) -> String {
    format!("{}/wiki", state.base_url())
}

fn space_key(store: &Store, space_id: &str) -> String {
    store
        .space(space_id)
        .map(|s| s.key.clone())
        .unwrap_or_default()
}

fn version_json(version: &PageVersion) -> Value {
    json!({
        "createdAt": iso_time(version.created_at),
        "message": version.message,
        "number": version.number,
        "minorEdit": version.minor_edit,
        "authorId": version.author_id,
    })
}

/// Which body representation a read asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyFormat {
    None,
    Storage,
}

fn body_format(params: &Params) -> Result<BodyFormat, ApiError> {
    match params.get("body-format") {
        None => Ok(BodyFormat::None),
        Some("storage") => Ok(BodyFormat::Storage),
        Some(
            other @ ("atlas_doc_format"
            | "view"
            | "export_view"
            | "anonymous_export_view"
            | "styled_view"
            | "editor"),
        ) => Err(bad_request(format!(
            "The sandbox serves page bodies in storage format only; body-format '{other}' is not available."
        ))),
        Some(other) => Err(bad_request(format!("Invalid body-format '{other}'."))),
    }
}

fn page_json(
    store: &Store,
    base: &str,
    page: &Page,
    version: &PageVersion,
    format: BodyFormat,
) -> Value {
    let key = space_key(store, &page.space_id);
    let slug = version.title.replace(' ', "+");
    let mut value = Map::new();
    value.insert("id".into(), json!(page.id));
    value.insert("status".into(), json!(page.status));
    value.insert("title".into(), json!(version.title));
    value.insert("spaceId".into(), json!(page.space_id));
    if let Some(parent) = &page.parent_id {
        value.insert("parentId".into(), json!(parent));
        value.insert("parentType".into(), json!("page"));
    }
    value.insert("position".into(), json!(0));
    value.insert("authorId".into(), json!(page.author_id));
    value.insert("ownerId".into(), json!(page.author_id));
    value.insert("lastOwnerId".into(), Value::Null);
    value.insert("createdAt".into(), json!(iso_time(page.created_at)));
    value.insert("version".into(), version_json(version));
    let body = match format {
        BodyFormat::Storage => {
            json!({ "storage": { "representation": "storage", "value": version.storage } })
        }
        BodyFormat::None => json!({}),
    };
    value.insert("body".into(), body);
    value.insert(
        "_links".into(),
        json!({
            "webui": format!("/spaces/{key}/pages/{}/{slug}", page.id),
            "editui": format!("/pages/resumedraft.action?draftId={}", page.id),
            "tinyui": format!("/x/{}", page.id),
            "base": base,
        }),
    );
    Value::Object(value)
}

/// `GET /wiki/api/v2/pages/{id}?body-format=storage&version=N`
async fn get_page(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let format = body_format(&params)?;
    let store = state.read();
    let page = store.page(&id).ok_or_else(|| page_not_found(&id))?;
    let version = match params.get("version") {
        Some(n) => {
            let n: u32 = n
                .parse()
                .map_err(|_| bad_request(format!("Invalid version '{n}'.")))?;
            page.versions
                .iter()
                .find(|v| v.number == n)
                .ok_or_else(|| page_not_found(&id))?
        }
        None => page.current(),
    };
    Ok(Json(page_json(&store, &base, page, version, format)))
}

/// Reads the storage value from either body form the v2 API accepts.
fn storage_value(body: &Value) -> Result<String, ApiError> {
    let (representation, value) = match (body.get("representation"), body.get("storage")) {
        (Some(r), _) => (r.as_str(), body.get("value")),
        (None, Some(nested)) => (
            nested
                .get("representation")
                .and_then(Value::as_str)
                .or(Some("storage")),
            nested.get("value"),
        ),
        (None, None) => {
            return Err(bad_request(
                "The body must use the storage representation (body.representation = \"storage\").",
            ));
        }
    };
    if representation != Some("storage") {
        return Err(bad_request(format!(
            "The sandbox accepts page bodies in storage format only, not '{}'.",
            representation.unwrap_or("")
        )));
    }
    value
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| bad_request("body.value must be a string."))
}

/// `PUT /wiki/api/v2/pages/{id}`: 409 unless `version.number` is the current number + 1.
async fn update_page(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(actor): Caller,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let body = parse_body(&bytes)?;
    for required in ["id", "status", "title", "body", "version"] {
        if body.get(required).is_none_or(Value::is_null) {
            return Err(bad_request(format!("'{required}' is required.")));
        }
    }
    if body.get("id").and_then(Value::as_str) != Some(id.as_str()) {
        return Err(bad_request(
            "The id in the body must match the page id in the path.",
        ));
    }
    if body.get("status").and_then(Value::as_str) != Some("current") {
        return Err(bad_request(
            "The sandbox supports updating current pages only (status = \"current\").",
        ));
    }
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("title must be a string."))?;
    let number = body
        .get("version")
        .and_then(|v| v.get("number"))
        .and_then(Value::as_u64)
        .ok_or_else(|| bad_request("version.number is required."))?;
    let message = body
        .get("version")
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let storage = storage_value(&body["body"])?;
    let mut store = state.write();
    if let Some(space) = body.get("spaceId").and_then(Value::as_str)
        && store.page(&id).is_some_and(|p| p.space_id != space)
    {
        return Err(bad_request("A page cannot be moved to a different space."));
    }
    let number = u32::try_from(number).map_err(|_| bad_request("version.number is too large."))?;
    state.run_page_hook(&id, &mut store);
    store
        .update_page(&id, title, storage, number, message, &actor, now())
        .map_err(ApiError::confluence_from)?;
    let page = store.page(&id).expect("updated");
    Ok(Json(page_json(
        &store,
        &base,
        page,
        page.current(),
        BodyFormat::Storage,
    )))
}

/// `POST /wiki/api/v2/pages`
async fn create_page(
    State(state): State<SandboxState>,
    Caller(actor): Caller,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let body = parse_body(&bytes)?;
    let space_id = body
        .get("spaceId")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("'spaceId' is required."))?
        .to_string();
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| bad_request("'title' is required for a current page."))?
        .to_string();
    let storage = match body.get("body") {
        Some(b) if !b.is_null() => storage_value(b)?,
        _ => String::new(),
    };
    let mut store = state.write();
    let parent_id = body
        .get("parentId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| store.space(&space_id).and_then(|s| s.homepage_id.clone()));
    if store
        .pages()
        .any(|p| p.space_id == space_id && p.current().title == title)
    {
        return Err(bad_request(format!(
            "A page with this title already exists: '{title}'."
        )));
    }
    let id = store
        .create_page(
            NewPage {
                space_id,
                parent_id,
                title,
                storage,
            },
            &actor,
            now(),
        )
        .map_err(ApiError::confluence_from)?;
    let page = store.page(&id).expect("created");
    Ok(Json(page_json(
        &store,
        &base,
        page,
        page.current(),
        BodyFormat::Storage,
    )))
}

fn list_page_json(
    store: &Store,
    base: &str,
    pages: Vec<&Page>,
    format: BodyFormat,
    limit: usize,
) -> Value {
    let results: Vec<Value> = pages
        .into_iter()
        .take(limit)
        .map(|p| {
            let mut value = page_json(store, base, p, p.current(), format);
            if let Some(links) = value.get_mut("_links").and_then(Value::as_object_mut) {
                links.remove("base");
            }
            value
        })
        .collect();
    json!({ "results": results, "_links": { "base": base } })
}

fn limit(params: &Params) -> Result<usize, ApiError> {
    match params.get("limit") {
        None => Ok(25),
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=250).contains(l))
            .ok_or_else(|| bad_request("limit must be between 1 and 250.")),
    }
}

/// `GET /wiki/api/v2/pages?space-id=&title=`
async fn list_pages(State(state): State<SandboxState>, params: Params) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let format = body_format(&params)?;
    let limit = limit(&params)?;
    let store = state.read();
    let spaces: Vec<String> = params
        .all("space-id")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let ids: Vec<String> = params
        .all("id")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let title = params.get("title");
    let pages: Vec<&Page> = store
        .pages()
        .filter(|p| spaces.is_empty() || spaces.contains(&p.space_id))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .filter(|p| title.is_none_or(|t| p.current().title == t))
        .collect();
    Ok(Json(list_page_json(&store, &base, pages, format, limit)))
}

fn space_json(space: &Space, include_description: bool) -> Value {
    let mut value = json!({
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": "global",
        "status": "current",
        "authorId": space.author_id,
        "createdAt": iso_time(space.created_at),
        "_links": { "webui": format!("/spaces/{}", space.key) },
    });
    if let Some(home) = &space.homepage_id {
        value["homepageId"] = json!(home);
    }
    if include_description {
        value["description"] =
            json!({ "plain": { "representation": "plain", "value": space.description } });
    }
    value
}

/// `GET /wiki/api/v2/spaces?keys=`
async fn list_spaces(State(state): State<SandboxState>, params: Params) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let limit = limit(&params)?;
    let store = state.read();
    let keys: Vec<String> = params
        .all("keys")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let ids: Vec<String> = params
        .all("ids")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let with_description = params.get("description-format").is_some();
    let results: Vec<Value> = store
        .spaces()
        .iter()
        .filter(|s| keys.is_empty() || keys.contains(&s.key))
        .filter(|s| ids.is_empty() || ids.contains(&s.id))
        .take(limit)
        .map(|s| space_json(s, with_description))
        .collect();
    Ok(Json(
        json!({ "results": results, "_links": { "base": base } }),
    ))
}

/// `GET /wiki/api/v2/spaces/{id}`
async fn get_space(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.read();
    let space = store.spaces().iter().find(|s| s.id == id).ok_or_else(|| {
        ApiError::confluence(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Space {id} was not found."),
        )
    })?;
    Ok(Json(space_json(
        space,
        params.get("description-format").is_some(),
    )))
}

/// `GET /wiki/api/v2/spaces/{id}/pages`
async fn space_pages(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let format = body_format(&params)?;
    let limit = limit(&params)?;
    let store = state.read();
    if !store.spaces().iter().any(|s| s.id == id) {
        return Err(ApiError::confluence(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Space {id} was not found."),
        ));
    }
    let title = params.get("title");
    let pages: Vec<&Page> = store
        .pages()
        .filter(|p| p.space_id == id)
        .filter(|p| title.is_none_or(|t| p.current().title == t))
        .collect();
    Ok(Json(list_page_json(&store, &base, pages, format, limit)))
}

/// `GET /wiki/rest/api/content/{id}?expand=body.storage,version` (v1, deprecated but still
/// widely used).
async fn v1_content(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let store = state.read();
    let page = store.page(&id).ok_or_else(|| {
        ApiError::jira_message(
            StatusCode::NOT_FOUND,
            format!("No content found with id: ContentId{{id={id}}}"),
        )
    })?;
    Ok(Json(v1_json(&store, &base, page, &v1_expand(&params))))
}

fn v1_expand(params: &Params) -> Vec<String> {
    let expand: Vec<String> = params
        .all("expand")
        .iter()
        .flat_map(|e| {
            e.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    if expand.is_empty() {
        vec!["space".into(), "history".into(), "version".into()]
    } else {
        expand
    }
}

/// A page as v1 `Content`, with the requested expansions.
fn v1_json(store: &Store, base: &str, page: &Page, expand: &[String]) -> Value {
    let current = page.current();
    let key = space_key(store, &page.space_id);
    let mut value = json!({
        "id": page.id,
        "type": "page",
        "status": page.status,
        "title": current.title,
        "_links": {
            "webui": format!("/spaces/{key}/pages/{}", page.id),
            "self": format!("{base}/rest/api/content/{}", page.id),
            "base": base,
        },
        "_expandable": {},
    });
    if expand.iter().any(|e| e == "version") {
        let author = store.user(&current.author_id);
        value["version"] = json!({
            "by": { "type": "known", "accountId": current.author_id, "displayName": author.map(|a| a.display_name.clone()).unwrap_or_default() },
            "when": iso_time(current.created_at),
            "message": current.message,
            "number": current.number,
            "minorEdit": current.minor_edit,
        });
    }
    if expand.iter().any(|e| e == "body.storage" || e == "body") {
        value["body"] =
            json!({ "storage": { "value": current.storage, "representation": "storage" } });
    }
    if expand.iter().any(|e| e == "space") {
        value["space"] = json!({ "id": page.space_id.parse::<u64>().unwrap_or(0), "key": key, "type": "global", "status": "current" });
    }
    if expand.iter().any(|e| e == "history") {
        value["history"] = json!({ "latest": true, "createdDate": iso_time(page.created_at) });
    }
    value
}

/// `GET /wiki/rest/api/content?spaceKey=&title=&expand=` (v1 find by space and title).
async fn v1_find(State(state): State<SandboxState>, params: Params) -> ApiResult<Json<Value>> {
    let base = wiki_base(&state);
    let store = state.read();
    let space = params
        .get("spaceKey")
        .and_then(|k| store.space(k))
        .map(|s| s.id.clone());
    if params.get("spaceKey").is_some() && space.is_none() {
        return Ok(Json(
            json!({ "results": [], "start": 0, "limit": 25, "size": 0, "_links": { "base": base } }),
        ));
    }
    let title = params.get("title");
    let start = params
        .number("start")
        .map_err(|_| bad_request("start must be a number."))?
        .unwrap_or(0) as usize;
    let limit = params
        .number("limit")
        .map_err(|_| bad_request("limit must be a number."))?
        .unwrap_or(25)
        .clamp(1, 100) as usize;
    let expand = v1_expand(&params);
    let results: Vec<Value> = store
        .pages()
        .filter(|p| space.as_ref().is_none_or(|s| &p.space_id == s))
        .filter(|p| title.is_none_or(|t| p.current().title == t))
        .skip(start)
        .take(limit)
        .map(|p| v1_json(&store, &base, p, &expand))
        .collect();
    Ok(Json(json!({
        "results": results,
        "start": start,
        "limit": limit,
        "size": results.len(),
        "_links": { "base": base },
    })))
}

/// A v1 error body: `{"statusCode","data":{…},"message"}`.
fn v1_error(status: StatusCode, message: impl Into<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        Json(json!({
            "statusCode": status.as_u16(),
            "data": { "authorized": true, "valid": status != StatusCode::BAD_REQUEST, "errors": [], "successful": false },
            "message": message.into(),
        })),
    )
        .into_response()
}

/// `PUT /wiki/rest/api/content/{id}` (v1): `{"type":"page","title","version":{"number"},
/// "body":{"storage":{"value","representation":"storage"}}}`; 409 on a stale version.
async fn v1_update(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Caller(actor): Caller,
    bytes: Bytes,
) -> Result<Json<Value>, axum::response::Response> {
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
        v1_error(
            StatusCode::BAD_REQUEST,
            format!("Could not parse the request body: {e}"),
        )
    })?;
    if body.get("type").and_then(Value::as_str) != Some("page") {
        return Err(v1_error(
            StatusCode::BAD_REQUEST,
            "The content type must be 'page'.",
        ));
    }
    let number = body
        .pointer("/version/number")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| v1_error(StatusCode::BAD_REQUEST, "version.number is required."))?;
    let storage = body
        .pointer("/body/storage/value")
        .and_then(Value::as_str)
        .ok_or_else(|| v1_error(StatusCode::BAD_REQUEST, "body.storage.value is required."))?
        .to_string();
    let message = body
        .pointer("/version/message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    {
        let mut store = state.write();
        let title = match body.get("title").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => store
                .page(&id)
                .map(|p| p.current().title.clone())
                .ok_or_else(|| {
                    v1_error(
                        StatusCode::NOT_FOUND,
                        format!("No content found with id: ContentId{{id={id}}}"),
                    )
                })?,
        };
        state.run_page_hook(&id, &mut store);
        store
            .update_page(&id, &title, storage, number, message, &actor, now())
            .map_err(|e| match e {
                crate::state::StoreError::NotFound(_) => v1_error(
                    StatusCode::NOT_FOUND,
                    format!("No content found with id: ContentId{{id={id}}}"),
                ),
                crate::state::StoreError::Conflict(m) => v1_error(StatusCode::CONFLICT, m),
                crate::state::StoreError::Invalid(errors) => v1_error(
                    StatusCode::BAD_REQUEST,
                    errors
                        .fields
                        .values()
                        .chain(&errors.messages)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            })?;
    }
    let params = Params(vec![("expand".into(), "body.storage,version,space".into())]);
    v1_content(State(state), Path(id), params)
        .await
        .map_err(axum::response::IntoResponse::into_response)
}
