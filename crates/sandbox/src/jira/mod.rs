//! Jira Cloud platform REST v3: routes and the request plumbing its handlers share (query
//! parameters that may repeat, JSON bodies with Jira-shaped parse errors, the calling user).

mod field_input;
mod issues;
mod links;
mod meta;
pub(crate) mod render;
pub(crate) mod search;
pub(crate) mod wiki;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::routing::{get, post, put};
use serde_json::Value;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::SandboxState;
use crate::write_log::MAX_BODY_BYTES;

/// The platform routes under one version prefix (`/rest/api/3` or `/rest/api/2`).
fn platform_routes(api: &str) -> Router<SandboxState> {
    Router::new()
        .route(format!("{api}/issue").as_str(), post(issues::create))
        .route(
            format!("{api}/issue/bulk").as_str(),
            post(issues::bulk_create),
        )
        .route(
            format!("{api}/issue/bulkfetch").as_str(),
            post(issues::bulk_fetch),
        )
        .route(
            format!("{api}/issue/{{key}}").as_str(),
            get(issues::get_issue)
                .put(issues::edit)
                .delete(issues::delete_issue),
        )
        .route(
            format!("{api}/issue/{{key}}/assignee").as_str(),
            put(issues::assign),
        )
        .route(
            format!("{api}/issue/{{key}}/changelog").as_str(),
            get(issues::changelog),
        )
        .route(
            format!("{api}/issue/{{key}}/editmeta").as_str(),
            get(meta::editmeta),
        )
        .route(
            format!("{api}/issue/{{key}}/comment/{{comment_id}}").as_str(),
            get(issues::get_comment)
                .put(issues::update_comment)
                .delete(issues::delete_comment),
        )
        .route(
            format!("{api}/issue/{{key}}/remotelink").as_str(),
            get(links::list_remote_links).post(links::put_remote_link),
        )
        .route(
            format!("{api}/issue/{{key}}/remotelink/{{link_id}}").as_str(),
            get(links::get_remote_link).delete(links::delete_remote_link),
        )
        .route(
            format!("{api}/issue/{{key}}/comment").as_str(),
            get(issues::list_comments).post(issues::add_comment),
        )
        .route(
            format!("{api}/issue/{{key}}/transitions").as_str(),
            get(issues::list_transitions).post(issues::do_transition),
        )
        .route(
            format!("{api}/issue/createmeta/{{project}}/issuetypes").as_str(),
            get(meta::createmeta_issue_types),
        )
        .route(
            format!("{api}/issue/createmeta/{{project}}/issuetypes/{{type_id}}").as_str(),
            get(meta::createmeta_fields),
        )
        .route(format!("{api}/issueLink").as_str(), post(links::create))
        .route(
            format!("{api}/issueLink/{{id}}").as_str(),
            get(links::get_link).delete(links::delete),
        )
        .route(
            format!("{api}/issueLinkType").as_str(),
            get(links::list_types),
        )
        .route(
            format!("{api}/search/jql").as_str(),
            get(search::search_get).post(search::search_post),
        )
        .route(
            format!("{api}/search/approximate-count").as_str(),
            post(search::approximate_count),
        )
        .route(
            format!("{api}/search").as_str(),
            get(search::removed).post(search::removed),
        )
        .route(format!("{api}/field").as_str(), get(meta::fields))
        .route(format!("{api}/myself").as_str(), get(meta::myself))
        .route(format!("{api}/user").as_str(), get(meta::get_user))
        .route(
            format!("{api}/user/search").as_str(),
            get(meta::user_search),
        )
        .route(format!("{api}/serverInfo").as_str(), get(meta::server_info))
        .route(format!("{api}/project").as_str(), get(meta::list_projects))
        .route(
            format!("{api}/project/search").as_str(),
            get(meta::search_projects),
        )
        .route(
            format!("{api}/project/{{key}}").as_str(),
            get(meta::get_project),
        )
        .route(format!("{api}/issuetype").as_str(), get(meta::issue_types))
        .route(
            format!("{api}/issuetype/project").as_str(),
            get(meta::issue_types_for_project),
        )
        .route(format!("{api}/status").as_str(), get(meta::statuses))
        .route(format!("{api}/priority").as_str(), get(meta::priorities))
}

/// Every Jira platform route: REST v3, the same operations under REST v2 (which differs in
/// carrying rich text as wiki markup), and the tenant info.
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .merge(platform_routes("/rest/api/3"))
        .merge(platform_routes("/rest/api/2"))
        .route("/_edge/tenant_info", get(meta::tenant_info))
}

/// Query parameters as a list, because Jira lets some repeat (`fields=a&fields=b`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a parameter.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A boolean parameter.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A non-negative integer parameter; a malformed value is a 400 naming it.
    pub fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                ApiError::bad_request(format!(
                    "The value '{v}' of parameter '{name}' is not a valid number."
                ))
            }),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Ok(Self(pairs))
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The calling user's account id (anonymous endpoints see the default user).
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub String);

impl FromRequestParts<SandboxState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SandboxState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<Principal>()
                .map(|p| p.account_id.clone())
                .unwrap_or_else(|| state.credentials().default_account().account_id.clone()),
        ))
    }
}

/// A JSON request body; malformed JSON is a Jira-shaped 400.
#[derive(Debug, Clone)]
pub(crate) struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.to_ascii_lowercase().contains("json"));
        if !is_json {
            return Err(ApiError::jira_message(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type: send the body as application/json.",
            ));
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|e| ApiError::bad_request(format!("Could not read the request body: {e}")))?;
        let _ = state;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request(
                "No content to map due to end-of-input",
            ));
        }
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            ApiError::bad_request(format!("Unexpected character in the JSON body: {e}"))
        })
    }
}

/// The current time; one place so every handler stamps records the same way.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
