//! JQL search: `GET`/`POST /rest/api/3/search/jql` with `nextPageToken` paging and field
//! selection, `POST /rest/api/3/search/approximate-count`, and the removed `/rest/api/3/search`,
//! which answers 410 Gone as Jira Cloud does since its removal.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Map, Value, json};

use super::render::{Expand, FieldSelection, Renderer};
use super::wiki::ApiVersion;
use super::{Caller, JsonBody, Params, now};
use crate::error::{ApiError, ApiResult};
use crate::state::SandboxState;

/// The message Jira gives for a query without a condition.
pub(crate) const UNBOUNDED: &str =
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";

/// A parsed search request, from query parameters or a JSON body.
#[derive(Debug, Default)]
pub(crate) struct SearchRequest {
    pub jql: String,
    pub next_page_token: Option<String>,
    pub max_results: Option<u64>,
    pub fields: Vec<String>,
    pub expand: Vec<String>,
}

fn fingerprint(jql: &str) -> u64 {
    jql.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn encode_token(jql: &str, offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}:{offset}", fingerprint(jql)))
}

fn decode_token(jql: &str, token: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (print, offset) = text.split_once(':')?;
    (print.parse::<u64>().ok()? == fingerprint(jql)).then(|| offset.parse().ok())?
}

fn jql_error(error: jql::JqlError) -> ApiError {
    ApiError::bad_request(error.to_string())
}

/// Runs a search request and renders the `SearchAndReconcileResults` page.
pub(crate) fn run_search(
    state: &SandboxState,
    version: ApiVersion,
    caller: &str,
    request: SearchRequest,
) -> ApiResult<Value> {
    let base = state.base_url();
    let store = state.read();
    let query = jql::parse(&request.jql).map_err(jql_error)?;
    if query.is_unbounded() {
        return Err(ApiError::bad_request(UNBOUNDED));
    }
    let ctx = crate::state::StoreContext {
        store: &store,
        now: now(),
        user: Some(caller),
    };
    let compiled = query.compile(&ctx).map_err(jql_error)?;
    let selection = FieldSelection::parse(&store, &request.fields, "id");
    let cap = if selection.ids_only() { 5000 } else { 100 };
    let max = request.max_results.unwrap_or(50).clamp(1, cap) as usize;
    let offset = match &request.next_page_token {
        Some(token) => decode_token(&request.jql, token).ok_or_else(|| {
            ApiError::bad_request("The provided next page token is invalid or expired.")
        })?,
        None => 0,
    };
    let found = store.run_compiled(&compiled);
    let expand = Expand::parse(request.expand.iter().map(String::as_str));
    let renderer = Renderer::new(&store, &base).with_version(version);
    let mut names = Map::new();
    let mut schema = Map::new();
    let issues: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(max)
        .map(|issue| {
            let mut bean = renderer.issue(issue, &selection, &expand);
            // Search reports names and schema once for the page, not per issue.
            if let Some(Value::Object(n)) = bean.as_object_mut().and_then(|b| b.remove("names")) {
                names.extend(n);
            }
            if let Some(Value::Object(s)) = bean.as_object_mut().and_then(|b| b.remove("schema")) {
                schema.extend(s);
            }
            bean
        })
        .collect();
    let end = offset + issues.len();
    let is_last = end >= found.len();
    let mut page = json!({ "issues": issues, "isLast": is_last });
    if !is_last {
        page["nextPageToken"] = json!(encode_token(&request.jql, end));
    }
    if expand.names {
        page["names"] = Value::Object(names);
    }
    if expand.schema {
        page["schema"] = Value::Object(schema);
    }
    Ok(page)
}

/// `GET /rest/api/3/search/jql`
pub(crate) async fn search_get(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Caller(caller): Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let request = SearchRequest {
        jql: params.get("jql").unwrap_or("").to_string(),
        next_page_token: params.get("nextPageToken").map(str::to_string),
        max_results: params.number("maxResults")?,
        fields: params.all("fields"),
        expand: params.all("expand"),
    };
    run_search(&state, version, &caller, request).map(Json)
}

/// `POST /rest/api/3/search/jql`
pub(crate) async fn search_post(
    State(state): State<SandboxState>,
    version: ApiVersion,
    Caller(caller): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let strings = |key: &str| -> Vec<String> {
        match body.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let max_results = match body.get("maxResults") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ApiError::jira_field("maxResults", "maxResults must be a non-negative integer.")
        })?),
    };
    let request = SearchRequest {
        jql: body
            .get("jql")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        next_page_token: body
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_string),
        max_results,
        fields: strings("fields"),
        expand: strings("expand"),
    };
    run_search(&state, version, &caller, request).map(Json)
}

/// `POST /rest/api/3/search/approximate-count`
pub(crate) async fn approximate_count(
    State(state): State<SandboxState>,
    Caller(caller): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let jql = body.get("jql").and_then(Value::as_str).unwrap_or("");
    let query = jql::parse(jql).map_err(jql_error)?;
    if query.is_unbounded() {
        return Err(ApiError::bad_request(UNBOUNDED));
    }
    let store = state.read();
    let ctx = crate::state::StoreContext {
        store: &store,
        now: now(),
        user: Some(&caller),
    };
    let compiled = query.compile(&ctx).map_err(jql_error)?;
    let count = store
        .issues()
        .filter(|issue| {
            compiled.matches(&crate::state::IssueView {
                store: &store,
                issue,
            })
        })
        .count();
    Ok(Json(json!({ "count": count })))
}

/// The removed `GET`/`POST /rest/api/3/search`: 410 Gone.
pub(crate) async fn removed() -> ApiError {
    ApiError::jira_message(
        StatusCode::GONE,
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
    )
}
