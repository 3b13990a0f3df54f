//! Jira Software (agile 1.0): boards, sprints, moving issues between sprints and the backlog.
//! Agile endpoints page by offset (`startAt`, `isLast`, `total`).

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{JiraClient, MAX_ISSUES_PER_CALL};
use crate::error::Result;
use crate::models::time::format_timestamp;
use crate::models::{Board, Issue, NewSprint, Sprint, SprintState, SprintUpdate};
use crate::transport::ApiRequest;

use super::preview::RequestPreview;

/// Page size asked of agile list endpoints (Jira's maximum is 50).
const AGILE_PAGE: usize = 50;

impl JiraClient {
    /// The boards of a project (all types).
    pub async fn boards_for_project(&self, project_key_or_id: &str) -> Result<Vec<Board>> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/agile/1.0/board",
            self.flavour().agile(&["board"]),
        )
        .query("projectKeyOrId", project_key_or_id);
        self.offset_paged(request, usize::MAX).await
    }

    /// The sprints of a board, optionally only those in `states`.
    pub async fn board_sprints(
        &self,
        board_id: u64,
        states: &[SprintState],
    ) -> Result<Vec<Sprint>> {
        let mut request = ApiRequest::new(
            Method::GET,
            "GET /rest/agile/1.0/board/{boardId}/sprint",
            self.flavour()
                .agile(&["board", &board_id.to_string(), "sprint"]),
        );
        if !states.is_empty() {
            let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            request = request.query("state", states.join(","));
        }
        self.offset_paged(request, usize::MAX).await
    }

    /// A sprint by id.
    pub async fn sprint(&self, sprint_id: u64) -> Result<Sprint> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/agile/1.0/sprint/{sprintId}",
            self.flavour().agile(&["sprint", &sprint_id.to_string()]),
        );
        self.transport().json(&request).await
    }

    /// Create a sprint (state `future`). Never retried once it may have reached Jira.
    pub async fn create_sprint(&self, sprint: &NewSprint) -> Result<Sprint> {
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/agile/1.0/sprint",
            self.flavour().agile(&["sprint"]),
        )
        .json_body(&new_sprint_body(sprint));
        self.transport().json(&request).await
    }

    /// Change only the given fields of a sprint (`POST /sprint/{id}`, a partial update; `PUT`
    /// would null every field not sent).
    pub async fn update_sprint(&self, sprint_id: u64, update: &SprintUpdate) -> Result<Sprint> {
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/agile/1.0/sprint/{sprintId}",
            self.flavour().agile(&["sprint", &sprint_id.to_string()]),
        )
        .json_body(&sprint_update_body(update))
        .idempotent();
        self.transport().json(&request).await
    }

    /// Move issues into a future or active sprint, 50 per call.
    pub async fn move_issues_to_sprint(&self, sprint_id: u64, issue_keys: &[&str]) -> Result<()> {
        for chunk in issue_keys.chunks(MAX_ISSUES_PER_CALL) {
            let request = ApiRequest::new(
                Method::POST,
                "POST /rest/agile/1.0/sprint/{sprintId}/issue",
                self.flavour()
                    .agile(&["sprint", &sprint_id.to_string(), "issue"]),
            )
            .json_body(&issues_body(chunk))
            .idempotent();
            self.transport().send(&request).await?;
        }
        Ok(())
    }

    /// Move issues out of any sprint into the backlog, 50 per call.
    pub async fn move_issues_to_backlog(&self, issue_keys: &[&str]) -> Result<()> {
        for chunk in issue_keys.chunks(MAX_ISSUES_PER_CALL) {
            let request = ApiRequest::new(
                Method::POST,
                "POST /rest/agile/1.0/backlog/issue",
                self.flavour().agile(&["backlog", "issue"]),
            )
            .json_body(&issues_body(chunk))
            .idempotent();
            self.transport().send(&request).await?;
        }
        Ok(())
    }

    /// What [`JiraClient::create_sprint`] would send.
    pub fn preview_create_sprint(&self, sprint: &NewSprint) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: agile_path(self.flavour().agile(&["sprint"])),
            body: new_sprint_body(sprint),
        }
    }

    /// What [`JiraClient::update_sprint`] would send. `sprint` is the id, or a placeholder for
    /// a sprint an earlier write creates.
    pub fn preview_update_sprint(&self, sprint: &str, update: &SprintUpdate) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: agile_path(self.flavour().agile(&["sprint", sprint])),
            body: sprint_update_body(update),
        }
    }

    /// What one call of [`JiraClient::move_issues_to_sprint`] would send (at most 50 keys: a
    /// longer list is several calls). `sprint` is the id, or a placeholder for a sprint an
    /// earlier write creates.
    pub fn preview_move_issues_to_sprint(
        &self,
        sprint: &str,
        issue_keys: &[&str],
    ) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: agile_path(self.flavour().agile(&["sprint", sprint, "issue"])),
            body: issues_body(issue_keys),
        }
    }

    /// What one call of [`JiraClient::move_issues_to_backlog`] would send (at most 50 keys).
    pub fn preview_move_issues_to_backlog(&self, issue_keys: &[&str]) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: agile_path(self.flavour().agile(&["backlog", "issue"])),
            body: issues_body(issue_keys),
        }
    }

    /// The issues of a sprint in rank order, up to `max_issues`.
    pub async fn sprint_issues(
        &self,
        sprint_id: u64,
        fields: &[&str],
        max_issues: usize,
    ) -> Result<Vec<Issue>> {
        let mut request = ApiRequest::new(
            Method::GET,
            "GET /rest/agile/1.0/sprint/{sprintId}/issue",
            self.flavour()
                .agile(&["sprint", &sprint_id.to_string(), "issue"]),
        );
        if !fields.is_empty() {
            request = request.query("fields", fields.join(","));
        }
        self.offset_paged(request, max_issues).await
    }

    /// Walk an offset-paged agile list (`values` or `issues`) until `isLast`, `total`, an empty
    /// page or `max` items.
    async fn offset_paged<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        max: usize,
    ) -> Result<Vec<T>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", bound = "T: DeserializeOwned")]
        struct Wire<T> {
            #[serde(default)]
            values: Option<Vec<T>>,
            #[serde(default)]
            issues: Option<Vec<T>>,
            #[serde(default)]
            is_last: Option<bool>,
            #[serde(default)]
            total: Option<usize>,
        }
        let mut all: Vec<T> = Vec::new();
        while all.len() < max {
            let page_request = request
                .clone()
                .query("startAt", all.len().to_string())
                .query("maxResults", AGILE_PAGE.to_string());
            let page: Wire<T> = self.transport().json(&page_request).await?;
            let items = page.values.or(page.issues).unwrap_or_default();
            let got = items.len();
            all.extend(items);
            let last = match (page.is_last, page.total) {
                (Some(is_last), _) => is_last,
                (None, Some(total)) => all.len() >= total,
                (None, None) => got < AGILE_PAGE,
            };
            if got == 0 || last {
                break;
            }
        }
        all.truncate(max);
        Ok(all)
    }
}

/// A path as previews show it: relative to the site, with a leading slash.
fn agile_path(segments: Vec<String>) -> String {
    format!("/{}", segments.join("/"))
}

/// The body of `POST /rest/agile/1.0/sprint`.
fn new_sprint_body(sprint: &NewSprint) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), Value::String(sprint.name.clone()));
    body.insert("originBoardId".into(), json!(sprint.origin_board_id));
    if let Some(start) = &sprint.start_date {
        body.insert("startDate".into(), Value::String(format_timestamp(start)));
    }
    if let Some(end) = &sprint.end_date {
        body.insert("endDate".into(), Value::String(format_timestamp(end)));
    }
    if let Some(goal) = &sprint.goal {
        body.insert("goal".into(), Value::String(goal.clone()));
    }
    Value::Object(body)
}

/// The body of a partial sprint update: only the fields that change.
fn sprint_update_body(update: &SprintUpdate) -> Value {
    let mut body = Map::new();
    if let Some(name) = &update.name {
        body.insert("name".into(), Value::String(name.clone()));
    }
    if let Some(state) = update.state {
        body.insert("state".into(), Value::String(state.as_str().into()));
    }
    if let Some(start) = &update.start_date {
        body.insert("startDate".into(), Value::String(format_timestamp(start)));
    }
    if let Some(end) = &update.end_date {
        body.insert("endDate".into(), Value::String(format_timestamp(end)));
    }
    if let Some(goal) = &update.goal {
        body.insert("goal".into(), Value::String(goal.clone()));
    }
    Value::Object(body)
}

/// `{"issues": [...]}`, the body of both moves.
fn issues_body(issue_keys: &[&str]) -> Value {
    json!({ "issues": issue_keys })
}
