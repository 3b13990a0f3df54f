//! Sprint routes (docs/reference-behaviour.md §1.10, §5.1): a board's sprints,
//! a sprint and its issues, creating and updating a sprint, moving issues into a sprint or back
//! to the backlog, planning an epic into sprints, and the epic's timeline.
//!
//! Every route validates and runs a job (`sprint_list`, `sprint_read`, `sprint_issues`,
//! `sprint_create`, `sprint_update`, `sprint_assign`, `sprint_remove`, `sprint_planning`,
//! `timeline_planning`) in this process, or queues it with `async_mode` (planning and
//! timeline): a handler never calls Jira. Create and update take the reference's query
//! parameters or a JSON body; the path's sprint id is authoritative (a different id in the body
//! is a 422). Like every writing route, assign, create, update and remove preview (the exact request)
//! unless `dry_run=false` (ARCHITECTURE.md, "Nothing writes anywhere without an explicit flag");
//! the reference wrote on create, update and remove without asking.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use job_types::JobPayload;
use job_types::sprints::{
    AssignToSprint, CapacitySource, CreateSprint, EpicPlanSpec, ListBoardSprints, PlanEpicSprints,
    PlanTimeline, ReadSprint, ReadSprintIssues, RemoveFromSprint, SprintAssignResponse,
    SprintChangeResponse, SprintInfo, SprintIssuesResponse, SprintPlanningResponse,
    SprintRemoveResponse, TimelineResponse, UpdateSprint,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, LocSegment, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiJson, ApiPath, ApiQuery, parse_json_body};
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued, store_error};
use crate::request_fields::{IssueKeyText, issue_key, issue_keys};
use crate::state::AppState;

/// Most issues one assign or remove request moves.
pub const MAX_MOVE_ISSUES: usize = 500;
/// Longest sprint, in days.
pub const MAX_SPRINT_DAYS: u32 = 90;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board_sprints))
        .routes(routes!(get_sprint, update_sprint))
        .routes(routes!(create_sprint))
        .routes(routes!(assign_issues))
        .routes(routes!(remove_issues))
        .routes(routes!(sprint_issues))
        .routes(routes!(plan_epic))
        .routes(routes!(plan_timeline))
        .routes(routes!(get_timeline))
}

fn yes() -> bool {
    true
}

fn fourteen() -> u32 {
    14
}

/// Parses a date or a timestamp: `2026-01-05` (midnight UTC) or RFC 3339.
fn timestamp(place: &str, field: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::validation(ValidationIssue::new(
                [LocSegment::from(place), LocSegment::from(field)],
                format!(
                    "'{text}' is not a date: use an ISO 8601 date (2026-01-05) or timestamp \
                     (2026-01-05T09:00:00Z)"
                ),
                "date_parsing",
            ))
        })
}

/// Parses an ISO date (`2026-01-05`).
fn iso_date(place: &str, field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::validation(ValidationIssue::new(
            [LocSegment::from(place), LocSegment::from(field)],
            format!("'{text}' is not an ISO date: use YYYY-MM-DD, e.g. 2026-01-05"),
            "date_parsing",
        ))
    })
}

fn sprint_state(place: &str, text: &str) -> Result<String, ApiError> {
    let state = text.trim().to_ascii_lowercase();
    if matches!(state.as_str(), "future" | "active" | "closed") {
        Ok(state)
    } else {
        Err(ApiError::validation(ValidationIssue::new(
            [LocSegment::from(place), LocSegment::from("state")],
            format!("'{text}' is not a sprint state: use future, active or closed"),
            "enum",
        )))
    }
}

/// A field given both as a query parameter and in the body must agree.
fn one_of<T: PartialEq + Clone>(
    field: &str,
    query: Option<T>,
    body: Option<T>,
) -> Result<Option<(T, &'static str)>, ApiError> {
    match (query, body) {
        (Some(q), Some(b)) if q != b => Err(ApiError::validation(ValidationIssue::body(
            field,
            format!(
                "{field} is given both as a query parameter and in the body, with different values; send it once"
            ),
            "conflict",
        ))),
        (Some(q), _) => Ok(Some((q, "query"))),
        (None, Some(b)) => Ok(Some((b, "body"))),
        (None, None) => Ok(None),
    }
}

/// An optional JSON body (empty or `null`: none).
fn optional_body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<Option<T>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse_json_body(bytes)
}

/// `state` of `GET /sprint/board/{board_id}/sprints`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SprintListQuery {
    /// `future`, `active`, `closed`, or several separated by commas; default: all.
    pub state: Option<String>,
}

/// The sprints of a board, every page, optionally only those in `state`.
#[utoipa::path(
    get,
    path = "/sprint/board/{board_id}/sprints",
    tag = "sprints",
    params(("board_id" = u64, Path, description = "The board's id"), SprintListQuery),
    responses(
        (status = 200, description = "The sprints: closed, then active, then future", body = Vec<SprintInfo>),
        (status = 404, description = "`Board N not found`", body = ErrorBody),
        (status = 422, description = "A bad board id or state", body = ValidationErrorBody),
    )
)]
async fn board_sprints(
    State(state): State<AppState>,
    ApiPath(board_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<SprintListQuery>,
) -> Result<Json<Vec<SprintInfo>>, ApiError> {
    let states = query
        .state
        .as_deref()
        .map(|text| {
            text.split(',')
                .filter(|part| !part.trim().is_empty())
                .map(|part| sprint_state("query", part))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let payload = ListBoardSprints { board_id, states };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// A sprint.
#[utoipa::path(
    get,
    path = "/sprint/{sprint_id}",
    tag = "sprints",
    params(("sprint_id" = u64, Path, description = "The sprint's id")),
    responses(
        (status = 200, description = "The sprint", body = SprintInfo),
        (status = 404, description = "`Sprint N not found`", body = ErrorBody),
        (status = 422, description = "Not a sprint id", body = ValidationErrorBody),
    )
)]
async fn get_sprint(
    State(state): State<AppState>,
    ApiPath(sprint_id): ApiPath<u64>,
) -> Result<Json<SprintInfo>, ApiError> {
    Ok(Json(
        run_sync(&state, &ReadSprint { sprint_id }, DuplicateKind::Ticket).await?,
    ))
}

/// The issues of a sprint, every page.
#[utoipa::path(
    get,
    path = "/sprint/{sprint_id}/issues",
    tag = "sprints",
    params(("sprint_id" = u64, Path, description = "The sprint's id")),
    responses(
        (status = 200, description = "`{sprint_id, total_issues, issues}`", body = SprintIssuesResponse),
        (status = 404, description = "`Sprint N not found`", body = ErrorBody),
        (status = 422, description = "Not a sprint id", body = ValidationErrorBody),
    )
)]
async fn sprint_issues(
    State(state): State<AppState>,
    ApiPath(sprint_id): ApiPath<u64>,
) -> Result<Json<SprintIssuesResponse>, ApiError> {
    Ok(Json(
        run_sync(
            &state,
            &ReadSprintIssues { sprint_id },
            DuplicateKind::Ticket,
        )
        .await?,
    ))
}

/// `POST /sprint/create` as query parameters (the reference) or a JSON body.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sprint 7", "board_id": 1, "start_date": "2026-01-05", "end_date": "2026-01-18"}))]
pub struct SprintCreateRequest {
    /// At most 30 characters (Jira's limit).
    pub name: Option<String>,
    pub board_id: Option<u64>,
    /// ISO date or timestamp.
    pub start_date: Option<String>,
    /// ISO date or timestamp; not before `start_date`.
    pub end_date: Option<String>,
    pub goal: Option<String>,
    /// Default `true`: answer with the exact request only. `false`: create.
    pub dry_run: Option<bool>,
}

/// Create a (future) sprint on a board: the exact request, or with `dry_run=false` the sprint.
#[utoipa::path(
    post,
    path = "/sprint/create",
    tag = "sprints",
    params(SprintCreateRequest),
    request_body(content = Option<SprintCreateRequest>, description = "The same fields as a JSON body"),
    responses(
        (status = 200, description = "The sprint (the reference's `SprintInfo`), the request and the write", body = SprintChangeResponse),
        (status = 404, description = "`Board N not found`", body = ErrorBody),
        (status = 422, description = "A missing name or board_id, a bad date", body = ValidationErrorBody),
    )
)]
async fn create_sprint(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SprintCreateRequest>,
    body: Bytes,
) -> Result<Json<SprintChangeResponse>, ApiError> {
    let body: SprintCreateRequest = optional_body(&body)?.unwrap_or_default();
    let name = one_of("name", query.name, body.name)?
        .map(|(name, _)| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            ApiError::validation(ValidationIssue::query(
                "name",
                "name is required (query parameter or body field)",
                "missing",
            ))
        })?;
    if name.chars().count() > 30 {
        return Err(ApiError::validation(ValidationIssue::body(
            "name",
            "A sprint name has at most 30 characters (Jira's limit)",
            "string_too_long",
        )));
    }
    let board_id = one_of("board_id", query.board_id, body.board_id)?
        .map(|(id, _)| id)
        .ok_or_else(|| {
            ApiError::validation(ValidationIssue::query(
                "board_id",
                "board_id is required (query parameter or body field)",
                "missing",
            ))
        })?;
    let date = |field: &str, value: Option<(String, &'static str)>| {
        value
            .map(|(text, place)| timestamp(place, field, &text))
            .transpose()
    };
    let start_date = date(
        "start_date",
        one_of("start_date", query.start_date, body.start_date)?,
    )?;
    let end_date = date(
        "end_date",
        one_of("end_date", query.end_date, body.end_date)?,
    )?;
    let payload = CreateSprint {
        board_id,
        name,
        start_date,
        end_date,
        goal: one_of("goal", query.goal, body.goal)?.map(|(goal, _)| goal),
        dry_run: one_of("dry_run", query.dry_run, body.dry_run)?.is_none_or(|(dry, _)| dry),
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// `PUT /sprint/{sprint_id}` as query parameters (the reference) or a JSON body.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sprint 7 (checkout)", "end_date": "2026-01-20"}))]
pub struct SprintUpdateRequest {
    /// In a body only: must equal the path's id when given.
    #[param(ignore)]
    #[serde(alias = "id")]
    pub sprint_id: Option<u64>,
    pub name: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// `active` starts a future sprint (it needs both dates); `closed` ends an active one.
    pub state: Option<String>,
    pub goal: Option<String>,
    /// Default `true`: answer with the exact request only. `false`: update.
    pub dry_run: Option<bool>,
}

/// Change the given fields of a sprint (a partial update; a closed sprint cannot change).
#[utoipa::path(
    put,
    path = "/sprint/{sprint_id}",
    tag = "sprints",
    params(("sprint_id" = u64, Path, description = "The sprint's id"), SprintUpdateRequest),
    request_body(content = Option<SprintUpdateRequest>, description = "The same fields as a JSON body"),
    responses(
        (status = 200, description = "The updated sprint, the request and the write", body = SprintChangeResponse),
        (status = 404, description = "`Sprint N not found`", body = ErrorBody),
        (status = 422, description = "A closed sprint, a bad date or state, a body id that is not the path's", body = ValidationErrorBody),
    )
)]
async fn update_sprint(
    State(state): State<AppState>,
    ApiPath(sprint_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<SprintUpdateRequest>,
    body: Bytes,
) -> Result<Json<SprintChangeResponse>, ApiError> {
    let body: SprintUpdateRequest = optional_body(&body)?.unwrap_or_default();
    body_id_matches(sprint_id, body.sprint_id.or(query.sprint_id))?;
    let date = |field: &str, value: Option<(String, &'static str)>| {
        value
            .map(|(text, place)| timestamp(place, field, &text))
            .transpose()
    };
    let start_date = date(
        "start_date",
        one_of("start_date", query.start_date, body.start_date)?,
    )?;
    let end_date = date(
        "end_date",
        one_of("end_date", query.end_date, body.end_date)?,
    )?;
    let state_value = one_of("state", query.state, body.state)?
        .map(|(text, place)| sprint_state(place, &text))
        .transpose()?;
    let name = one_of("name", query.name, body.name)?.map(|(name, _)| name.trim().to_owned());
    if name.as_deref().is_some_and(str::is_empty) {
        return Err(ApiError::validation(ValidationIssue::body(
            "name",
            "name must not be empty",
            "string_too_short",
        )));
    }
    let payload = UpdateSprint {
        sprint_id,
        name,
        state: state_value,
        start_date,
        end_date,
        goal: one_of("goal", query.goal, body.goal)?.map(|(goal, _)| goal),
        dry_run: one_of("dry_run", query.dry_run, body.dry_run)?.is_none_or(|(dry, _)| dry),
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// The path's sprint id wins; a different one in the body is refused.
fn body_id_matches(path_id: u64, body_id: Option<u64>) -> Result<(), ApiError> {
    match body_id {
        Some(body_id) if body_id != path_id => Err(ApiError::validation(ValidationIssue::body(
            "sprint_id",
            format!(
                "sprint_id {body_id} in the body is not the sprint of the path ({path_id}); drop it or send the same id"
            ),
            "value_error",
        ))),
        _ => Ok(()),
    }
}

/// `POST /sprint/{sprint_id}/assign` (the reference's `SprintAssignmentRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"issue_keys": ["DEMO-6", "DEMO-7"], "dry_run": true}))]
pub struct SprintAssignmentRequest {
    /// Optional; must equal the path's id when given.
    pub sprint_id: Option<u64>,
    /// Issue keys or browse URLs, 1 to 500.
    #[schema(value_type = Vec<IssueKeyText>, min_items = 1)]
    pub issue_keys: Vec<String>,
    /// True (default) previews; false moves the issues.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

fn move_keys(keys: &[String]) -> Result<Vec<String>, ApiError> {
    let keys = issue_keys("issue_keys", keys)?;
    if keys.len() > MAX_MOVE_ISSUES {
        return Err(ApiError::validation(ValidationIssue::body(
            "issue_keys",
            format!(
                "At most {MAX_MOVE_ISSUES} issues per request; {} were sent",
                keys.len()
            ),
            "too_long",
        )));
    }
    Ok(keys)
}

/// Move issues into an active or future sprint. A preview by default (`write_plan` holds the
/// exact requests, 50 issues each); `dry_run=false` moves them.
#[utoipa::path(
    post,
    path = "/sprint/{sprint_id}/assign",
    tag = "sprints",
    params(("sprint_id" = u64, Path, description = "The sprint to move the issues into")),
    request_body = SprintAssignmentRequest,
    responses(
        (status = 200, description = "`{success, sprint_id, issue_keys, assigned_in_jira, message}` and the write plan", body = SprintAssignResponse),
        (status = 404, description = "`Sprint N not found`, `Issue X not found`", body = ErrorBody),
        (status = 422, description = "A closed sprint, bad keys, a body id that is not the path's", body = ValidationErrorBody),
    )
)]
async fn assign_issues(
    State(state): State<AppState>,
    ApiPath(sprint_id): ApiPath<u64>,
    ApiJson(request): ApiJson<SprintAssignmentRequest>,
) -> Result<Json<SprintAssignResponse>, ApiError> {
    body_id_matches(sprint_id, request.sprint_id)?;
    let payload = AssignToSprint {
        sprint_id,
        issue_keys: move_keys(&request.issue_keys)?,
        dry_run: request.dry_run,
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// `dry_run` of `POST /sprint/{sprint_id}/remove`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveQuery {
    /// Default `true`: answer with the exact requests only. `false`: move.
    pub dry_run: Option<bool>,
}

/// Move issues out of the sprint to the backlog. The body is a bare JSON array of keys.
#[utoipa::path(
    post,
    path = "/sprint/{sprint_id}/remove",
    tag = "sprints",
    params(("sprint_id" = u64, Path, description = "The sprint the issues leave"), RemoveQuery),
    request_body(content = Vec<IssueKeyText>, description = "Issue keys, e.g. [\"DEMO-6\"]"),
    responses(
        (status = 200, description = "`{success, issue_keys, message}` and the write plan", body = SprintRemoveResponse),
        (status = 404, description = "`Sprint N not found`, `Issue X not found`", body = ErrorBody),
        (status = 422, description = "Not an array of keys; a closed sprint", body = ValidationErrorBody),
    )
)]
async fn remove_issues(
    State(state): State<AppState>,
    ApiPath(sprint_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<RemoveQuery>,
    ApiJson(keys): ApiJson<Vec<String>>,
) -> Result<Json<SprintRemoveResponse>, ApiError> {
    let payload = RemoveFromSprint {
        sprint_id,
        issue_keys: move_keys(&keys)?,
        dry_run: query.dry_run.unwrap_or(true),
    };
    Ok(Json(
        run_sync(&state, &payload, DuplicateKind::Ticket).await?,
    ))
}

/// `POST /sprint/plan/epic` (the reference's `SprintPlanningRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "board_id": 1, "sprint_capacity_days": 10, "auto_create_sprints": true, "dry_run": true}))]
pub struct SprintPlanningRequest {
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    pub board_id: u64,
    /// Person-days per sprint (> 0). Default: the team's capacity (`team_id`), else 10.
    pub sprint_capacity_days: Option<f64>,
    /// The first day new sprints may start (ISO date); default today.
    pub start_date: Option<String>,
    /// Days per new sprint, 1 to 90 (default 14).
    #[serde(default = "fourteen")]
    pub sprint_duration_days: u32,
    /// True (default) previews; false creates the sprints and moves the issues.
    #[serde(default = "yes")]
    pub dry_run: bool,
    #[serde(default)]
    pub async_mode: bool,
    /// Add sprints after the board's future ones when the work needs them.
    #[serde(default)]
    pub auto_create_sprints: bool,
    /// The team whose members' capacity is the sprint capacity.
    pub team_id: Option<i64>,
}

fn capacity_source(
    field: &str,
    days: Option<f64>,
    team_id: Option<i64>,
) -> Result<CapacitySource, ApiError> {
    match (days, team_id) {
        (Some(days), _) if !(days.is_finite() && days > 0.0) => {
            Err(ApiError::validation(ValidationIssue::body(
                field,
                format!("{field} is {days}; a sprint's capacity must be more than 0 person-days"),
                "greater_than",
            )))
        }
        (Some(days), _) => Ok(CapacitySource::Days(days)),
        (None, Some(team)) => Ok(CapacitySource::Team(team)),
        (None, None) => Ok(CapacitySource::Default),
    }
}

fn duration(days: u32) -> Result<u32, ApiError> {
    if (1..=MAX_SPRINT_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(ApiError::validation(ValidationIssue::body(
            "sprint_duration_days",
            format!("sprint_duration_days must be 1 to {MAX_SPRINT_DAYS}; {days} was sent"),
            "range",
        )))
    }
}

async fn run_or_queue<P: JobPayload>(
    state: &AppState,
    payload: P,
    async_mode: bool,
    message: String,
    writes: bool,
) -> Result<Response, ApiError> {
    if !async_mode {
        return Ok(Json(run_sync(state, &payload, DuplicateKind::Epic).await?).into_response());
    }
    let job = new_job(&payload, message.clone())?;
    let record = enqueue(state, job, DuplicateKind::Epic).await?;
    Ok(BatchResponse::accepted(&record.id, message, writes).into_response())
}

/// Plan an epic's open work into the board's future sprints by capacity and "Blocks" links:
/// never a task in a sprint before one that blocks it; sprints created when
/// `auto_create_sprints` allows. A preview by default, with the exact Jira requests
/// (`write_plan`); `dry_run=false` creates the sprints and moves the issues, exactly once.
#[utoipa::path(
    post,
    path = "/sprint/plan/epic",
    tag = "sprints",
    request_body = SprintPlanningRequest,
    responses(
        (status = 200, description = "The plan (or, with `async_mode`, a `BatchResponse`)", body = ResultOrQueued<SprintPlanningResponse>),
        (status = 404, description = "`Epic X not found`, `Board N not found`, unknown team", body = ErrorBody),
        (status = 409, description = "The epic is already being planned (`X-Active-Job-Id`)", body = ErrorBody),
        (status = 422, description = "Capacity ≤ 0, a bad date, a cycle of Blocks links (naming its tasks)", body = ValidationErrorBody),
    )
)]
async fn plan_epic(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SprintPlanningRequest>,
) -> Result<Response, ApiError> {
    let start_date = match request.start_date.as_deref() {
        Some(text) => iso_date("body", "start_date", text)?,
        None => Utc::now().date_naive(),
    };
    let payload = PlanEpicSprints {
        spec: EpicPlanSpec {
            epic_key: issue_key("epic_key", &request.epic_key)?,
            board_id: request.board_id,
            capacity: capacity_source(
                "sprint_capacity_days",
                request.sprint_capacity_days,
                request.team_id,
            )?,
            start_date,
            sprint_duration_days: duration(request.sprint_duration_days)?,
        },
        auto_create_sprints: request.auto_create_sprints,
        dry_run: request.dry_run,
    };
    let message = format!(
        "Sprint planning started for {} on board {} in {}",
        payload.spec.epic_key,
        payload.spec.board_id,
        if payload.dry_run {
            "PREVIEW mode - no JIRA changes"
        } else {
            "UPDATE mode - JIRA will be modified"
        }
    );
    let writes = !payload.dry_run;
    run_or_queue(&state, payload, request.async_mode, message, writes).await
}

/// `POST /sprint/timeline` (the reference's `TimelineRequest`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"epic_key": "DEMO-1", "board_id": 1, "start_date": "2026-01-05", "team_capacity_days": 10}))]
pub struct TimelineRequest {
    #[schema(value_type = IssueKeyText)]
    pub epic_key: String,
    pub board_id: u64,
    /// The first day of the timeline (ISO date, required).
    pub start_date: String,
    #[serde(default = "fourteen")]
    pub sprint_duration_days: u32,
    /// Person-days per sprint (> 0). Default: the team's capacity (`team_id`), else 10.
    pub team_capacity_days: Option<f64>,
    pub team_id: Option<i64>,
    /// Accepted for compatibility: a timeline never writes to Jira.
    #[serde(default = "yes")]
    pub dry_run: bool,
    #[serde(default)]
    pub async_mode: bool,
}

/// The epic's timeline: sprint dates, tasks per sprint, utilisation and the estimated
/// completion date, planned from `start_date` (sprints added as the work needs them; nothing is
/// written to Jira). The result is stored for `GET /sprint/timeline/{epic_key}`.
#[utoipa::path(
    post,
    path = "/sprint/timeline",
    tag = "sprints",
    request_body = TimelineRequest,
    responses(
        (status = 200, description = "The timeline (or, with `async_mode`, a `BatchResponse`)", body = ResultOrQueued<TimelineResponse>),
        (status = 404, description = "`Epic X not found`, `Board N not found`", body = ErrorBody),
        (status = 409, description = "The epic is already being planned", body = ErrorBody),
        (status = 422, description = "A missing or bad start_date, capacity ≤ 0, a cycle", body = ValidationErrorBody),
    )
)]
async fn plan_timeline(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TimelineRequest>,
) -> Result<Response, ApiError> {
    let _ = request.dry_run;
    let payload = PlanTimeline {
        spec: EpicPlanSpec {
            epic_key: issue_key("epic_key", &request.epic_key)?,
            board_id: request.board_id,
            capacity: capacity_source(
                "team_capacity_days",
                request.team_capacity_days,
                request.team_id,
            )?,
            start_date: iso_date("body", "start_date", &request.start_date)?,
            sprint_duration_days: duration(request.sprint_duration_days)?,
        },
    };
    let message = format!(
        "Timeline planning started for {} on board {}",
        payload.spec.epic_key, payload.spec.board_id
    );
    run_or_queue(&state, payload, request.async_mode, message, false).await
}

/// `board_id` and `format` of `GET /sprint/timeline/{epic_key}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// The board the timeline was computed for (required).
    pub board_id: u64,
    /// `json` (default), `svg` (a Gantt chart) or `markdown` (a table).
    pub format: Option<String>,
}

/// The latest timeline computed for the epic on the board (`POST /sprint/timeline`), as JSON,
/// as an SVG Gantt chart (sprints as columns, tasks as bars coloured by team, dependency
/// arrows, today's line) or as a Markdown table.
#[utoipa::path(
    get,
    path = "/sprint/timeline/{epic_key}",
    tag = "sprints",
    params(("epic_key" = IssueKeyText, Path, description = "The epic, e.g. DEMO-1"), TimelineQuery),
    responses(
        (status = 200, description = "The timeline: JSON, `image/svg+xml` or `text/markdown` (`format`)", content(
            (TimelineResponse = "application/json"),
            (String = "image/svg+xml"),
            (String = "text/markdown")
        )),
        (status = 404, description = "No timeline was computed for this epic and board", body = ErrorBody),
        (status = 422, description = "A bad epic key, a missing board_id, an unknown format", body = ValidationErrorBody),
    )
)]
async fn get_timeline(
    State(state): State<AppState>,
    ApiPath(epic_key): ApiPath<String>,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> Result<Response, ApiError> {
    let epic_key = domain::IssueKey::parse(&epic_key)
        .map(|key| key.to_string())
        .map_err(|error| {
            ApiError::validation(ValidationIssue::new(
                [LocSegment::from("path"), LocSegment::from("epic_key")],
                error.to_string(),
                "value_error",
            ))
        })?;
    let format = query
        .format
        .as_deref()
        .map(|text| text.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "json".to_owned());
    if !matches!(format.as_str(), "json" | "svg" | "markdown" | "md") {
        return Err(ApiError::validation(ValidationIssue::query(
            "format",
            format!("'{format}' is not a timeline format: use json, svg or markdown"),
            "enum",
        )));
    }
    let stored = state
        .db()
        .latest_timeline(&epic_key, query.board_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No timeline of {epic_key} on board {} yet: compute one with POST /sprint/timeline",
                query.board_id
            ))
        })?;
    if format == "json" {
        return Ok(Json(stored.timeline).into_response());
    }
    let chart: sprint_planning::Timeline = stored
        .timeline
        .get("chart")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|error| ApiError::internal(format!("stored timeline of {epic_key}: {error}")))?
        .ok_or_else(|| ApiError::internal(format!("stored timeline of {epic_key} has no chart")))?;
    let (content_type, text) = if format == "svg" {
        (
            "image/svg+xml",
            sprint_planning::render_svg(&chart, Utc::now().date_naive()),
        )
    } else {
        (
            "text/markdown; charset=utf-8",
            format!(
                "# Timeline of {epic_key} (board {})\n\n{}",
                query.board_id,
                sprint_planning::render_markdown(&chart)
            ),
        )
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_as_dates_or_timestamps_and_bad_ones_name_their_field() {
        let day = timestamp("body", "start_date", "2026-01-05").expect("a date");
        assert_eq!(day.to_rfc3339(), "2026-01-05T00:00:00+00:00");
        let at = timestamp("query", "end_date", "2026-01-05T09:30:00+02:00").expect("a time");
        assert_eq!(at.to_rfc3339(), "2026-01-05T07:30:00+00:00");
        let Err(ApiError::Validation(issues)) = timestamp("query", "end_date", "05/01/2026") else {
            panic!("a bad date is a validation error");
        };
        assert_eq!(
            issues[0].loc,
            vec![LocSegment::from("query"), LocSegment::from("end_date")]
        );
        assert!(iso_date("body", "start_date", "2026-13-01").is_err());
        assert!(body_id_matches(5, Some(6)).is_err());
        assert!(body_id_matches(5, Some(5)).is_ok());
        assert!(body_id_matches(5, None).is_ok());
        assert!(capacity_source("sprint_capacity_days", Some(0.0), None).is_err());
        assert!(capacity_source("sprint_capacity_days", Some(-2.0), Some(1)).is_err());
    }
}
