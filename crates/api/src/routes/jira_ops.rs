//! Jira operation routes (docs/reference-behaviour.md §1.8, docs/reference-behaviour.md §1.8): update a ticket or a
//! story, create a task or a story, and the bulk versions. Every route previews by default
//! (`update_jira`, `create_ticket`, `create_tickets` false; `dry_run` true) and answers with the
//! exact requests it would send; the flag makes the same job write, exactly once.
//!
//! Handlers only validate: the work is a job (`ticket_update`, `story_ticket_update`,
//! `ticket_creation`, `story_ticket_creation`, `bulk_story_update`, `bulk_task_creation`,
//! `bulk_story_creation`) run in-process, or queued with `async_mode` for the bulk routes.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use job_types::JobPayload;
use job_types::jira_ops::{
    BulkCreateStories, BulkCreateStoriesResponse, BulkCreateTasks, BulkCreateTasksResponse,
    BulkUpdateStories, BulkUpdateStoriesResponse, CreateStoryTicket, CreateTicket,
    CreateTicketResponse, LinkDirection, LinkSpec, Rejection, StorySpec, StoryUpdate, TaskSpec,
    TicketChanges, UpdateStoryTicket, UpdateTicket, UpdateTicketResponse,
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, LocSegment, ValidationErrorBody, ValidationIssue};
use crate::extract::ApiJson;
use crate::job_dispatch::{enqueue, new_job, run_sync};
use crate::job_responses::{BatchResponse, DuplicateKind, ResultOrQueued};
use crate::request_fields::IssueKeyText;
use crate::state::AppState;

/// Most stories one bulk update takes.
pub const MAX_BULK_UPDATE_STORIES: usize = 100;
/// Most tasks one bulk creation takes.
pub const MAX_BULK_CREATE_TASKS: usize = 50;
/// Most stories one bulk creation takes.
pub const MAX_BULK_CREATE_STORIES: usize = 50;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_ticket))
        .routes(routes!(create_ticket))
        .routes(routes!(create_story_ticket))
        .routes(routes!(update_story_ticket))
        .routes(routes!(bulk_update_stories))
        .routes(routes!(bulk_create_tasks))
        .routes(routes!(bulk_create_stories))
}

/// A link to create from the ticket being updated.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// A link type of the site: `Blocks`, `Relates`, `Work item split`, `Duplicate`, `Cloners`.
    #[schema(min_length = 1, example = "Blocks")]
    pub link_type: String,
    /// The other ticket (key or browse URL).
    #[schema(value_type = IssueKeyText, example = "PROJ-456")]
    pub target_key: String,
    /// `outward` (default): this ticket <outward description> the target, e.g. blocks it;
    /// `inward`: this ticket <inward description> the target, e.g. is blocked by it.
    #[serde(default)]
    pub direction: LinkDirection,
}

/// `POST /jira/update-ticket`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ticket_key": "PROJ-123", "summary": "Updated summary", "mandays": 3.5,
    "links": [{"link_type": "Blocks", "target_key": "PROJ-456", "direction": "outward"}], "update_jira": false}))]
pub struct UpdateTicketRequest {
    #[schema(value_type = IssueKeyText)]
    pub ticket_key: String,
    pub summary: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Markdown; written to the test-case field (or appended under "## Test Cases").
    pub test_cases: Option<String>,
    /// Written to the mandays field.
    #[schema(minimum = 0.0, maximum = 1000.0)]
    pub mandays: Option<f64>,
    pub links: Option<Vec<LinkRequest>>,
    /// Set to true to write to Jira; false (default) previews.
    #[serde(default)]
    pub update_jira: bool,
}

/// `POST /jira/update-story-ticket`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"story_key": "STORY-123", "summary": "Updated story title", "update_jira": false}))]
pub struct UpdateStoryTicketRequest {
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    pub summary: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Markdown.
    pub test_cases: Option<String>,
    /// A new parent epic.
    #[schema(value_type = Option<IssueKeyText>)]
    pub parent_key: Option<String>,
    pub links: Option<Vec<LinkRequest>>,
    #[serde(default)]
    pub update_jira: bool,
    /// The PRD row this story is (from `/plan/stories/sync-from-prd`'s `prd_row_uuid`): after
    /// the update, the row in the epic's PRD story table gets a link to the story.
    #[serde(default)]
    pub prd_row_uuid: Option<String>,
}

/// `POST /jira/create-ticket`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_key": "EPIC-100", "summary": "Implement user authentication",
    "description": "Add login functionality", "story_key": "STORY-123", "blocks": ["PROJ-456"], "create_ticket": false}))]
pub struct CreateTicketRequest {
    /// The epic; when absent, the story's parent epic.
    #[schema(value_type = Option<IssueKeyText>)]
    pub parent_key: Option<String>,
    #[schema(min_length = 1)]
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// The story the task is split from.
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    /// Markdown.
    pub test_cases: Option<String>,
    #[schema(minimum = 0.0, maximum = 1000.0)]
    pub mandays: Option<f64>,
    /// Tickets the new task blocks.
    #[schema(value_type = Option<Vec<IssueKeyText>>)]
    pub blocks: Option<Vec<String>>,
    #[serde(default)]
    pub create_ticket: bool,
}

/// `POST /jira/create-story-ticket`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_key": "EPIC-100", "summary": "Guest checkout",
    "description": "As a shopper I want to pay without an account so that I finish quickly", "create_ticket": false}))]
pub struct CreateStoryTicketRequest {
    #[schema(value_type = IssueKeyText)]
    pub parent_key: String,
    #[schema(min_length = 1)]
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Markdown.
    pub test_cases: Option<String>,
    /// The PRD table row the story comes from; returned as is.
    pub prd_row_uuid: Option<String>,
    #[serde(default)]
    pub create_ticket: bool,
}

/// One story of `POST /jira/bulk-update-stories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryUpdateItem {
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub test_cases: Option<String>,
    #[schema(value_type = Option<IssueKeyText>)]
    pub parent_key: Option<String>,
    pub links: Option<Vec<LinkRequest>>,
}

/// `POST /jira/bulk-update-stories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdateStoriesRequest {
    /// 1 to 100 stories.
    #[schema(min_items = 1, max_items = 100)]
    pub stories: Vec<StoryUpdateItem>,
    /// True (default) previews; false writes.
    #[serde(default = "yes")]
    pub dry_run: bool,
    #[serde(default)]
    pub async_mode: bool,
}

fn yes() -> bool {
    true
}

/// One task of `POST /jira/bulk-create-tasks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCreateTaskItem {
    /// Your id of the task (a UUID or `task_N`), which other tasks' `blocks` may name.
    pub task_id: Option<String>,
    #[schema(value_type = Option<IssueKeyText>)]
    pub parent_key: Option<String>,
    #[schema(min_length = 1)]
    pub summary: String,
    pub description: String,
    #[schema(value_type = IssueKeyText)]
    pub story_key: String,
    pub test_cases: Option<String>,
    #[schema(minimum = 0.0, maximum = 1000.0)]
    pub mandays: Option<f64>,
    /// Jira keys, or tasks of this request by `task_id`, `task_N` (1-based position) or summary.
    pub blocks: Option<Vec<String>>,
}

/// `POST /jira/bulk-create-tasks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCreateTasksRequest {
    /// 1 to 50 tasks.
    #[schema(min_items = 1, max_items = 50)]
    pub tasks: Vec<BulkCreateTaskItem>,
    #[serde(default)]
    pub create_tickets: bool,
    #[serde(default)]
    pub async_mode: bool,
}

/// One story of `POST /jira/bulk-create-stories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCreateStoryItem {
    #[schema(value_type = IssueKeyText)]
    pub parent_key: String,
    #[schema(min_length = 1)]
    pub summary: String,
    pub description: String,
    pub test_cases: Option<String>,
    pub prd_row_uuid: Option<String>,
}

/// `POST /jira/bulk-create-stories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCreateStoriesRequest {
    /// 1 to 50 stories.
    #[schema(min_items = 1, max_items = 50)]
    pub stories: Vec<BulkCreateStoryItem>,
    #[serde(default)]
    pub create_tickets: bool,
    #[serde(default)]
    pub async_mode: bool,
}

/// Collects every problem of a request before answering.
#[derive(Default)]
struct Checks {
    issues: Vec<ValidationIssue>,
}

impl Checks {
    fn at(path: &[LocSegment]) -> Vec<LocSegment> {
        let mut loc = vec![LocSegment::from("body")];
        loc.extend(path.iter().cloned());
        loc
    }

    fn fail(&mut self, path: &[LocSegment], msg: impl Into<String>, kind: &str) {
        self.issues
            .push(ValidationIssue::new(Self::at(path), msg, kind));
    }

    fn key(&mut self, path: &[LocSegment], value: &str) -> String {
        match domain::IssueKey::parse(value) {
            Ok(key) => key.to_string(),
            Err(error) => {
                self.fail(path, error.to_string(), "value_error");
                value.to_owned()
            }
        }
    }

    fn optional_key(&mut self, path: &[LocSegment], value: Option<&str>) -> Option<String> {
        value
            .filter(|v| !v.trim().is_empty())
            .map(|v| self.key(path, v))
    }

    fn text(&mut self, path: &[LocSegment], value: &str) -> String {
        if value.trim().is_empty() {
            self.fail(path, "String should not be empty", "string_too_short");
        }
        value.trim().to_owned()
    }

    fn mandays(&mut self, path: &[LocSegment], value: Option<f64>) -> Option<f64> {
        if let Some(days) = value
            && !(days.is_finite() && (0.0..=1000.0).contains(&days))
        {
            self.fail(
                path,
                "mandays must be a number of days between 0 and 1000",
                "value_error",
            );
        }
        value
    }

    fn count(&mut self, field: &str, len: usize, max: usize, noun: &str) {
        if len == 0 {
            self.fail(
                &[field.into()],
                format!("List should have at least 1 item; send 1 to {max} {noun}"),
                "too_short",
            );
        } else if len > max {
            self.fail(
                &[field.into()],
                format!("Maximum {max} {noun} per request ({len} sent); split the list into several requests"),
                "too_long",
            );
        }
    }

    fn links(&mut self, base: &[LocSegment], links: Option<Vec<LinkRequest>>) -> Vec<LinkSpec> {
        links
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, link)| {
                let at = |field: &str| {
                    let mut path = base.to_vec();
                    path.extend([LocSegment::from("links"), index.into(), field.into()]);
                    path
                };
                LinkSpec {
                    link_type: self.text(&at("link_type"), &link.link_type),
                    target_key: self.key(&at("target_key"), &link.target_key),
                    direction: link.direction,
                }
            })
            .collect()
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.issues))
        }
    }
}

fn nothing_to_change(changes: &TicketChanges) -> bool {
    let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
    blank(&changes.summary)
        && blank(&changes.description)
        && blank(&changes.test_cases)
        && blank(&changes.parent_key)
        && changes.mandays.is_none()
        && changes.links.is_empty()
}

/// The answer of a job that refused its ticket.
fn rejection_error(rejection: &Rejection, message: String) -> ApiError {
    match rejection.status {
        404 => ApiError::NotFound(message),
        422 => {
            let loc = rejection
                .loc
                .iter()
                .map(|segment| match segment {
                    Value::Number(n) => LocSegment::Index(n.as_u64().unwrap_or_default() as usize),
                    Value::String(s) => LocSegment::from(s.as_str()),
                    other => LocSegment::from(other.to_string()),
                })
                .collect::<Vec<_>>();
            ApiError::validation(ValidationIssue::new(loc, message, "value_error"))
        }
        503 => ApiError::ServiceUnavailable(message),
        502 => ApiError::BadGateway(message),
        _ => ApiError::BadRequest(message),
    }
}

/// Update a ticket: summary, description, test cases, mandays and links. Previews unless
/// `update_jira` is true.
#[utoipa::path(
    post,
    path = "/jira/update-ticket",
    tag = "jira",
    request_body = UpdateTicketRequest,
    responses(
        (status = 200, description = "The preview (with `preview.write_plan`) or what was written", body = UpdateTicketResponse),
        (status = 404, description = "The ticket or a link target does not exist", body = ErrorBody),
        (status = 409, description = "A job is already working on the ticket", body = ErrorBody),
        (status = 422, description = "Invalid field, e.g. an unknown link type (the valid ones are named)", body = ValidationErrorBody),
        (status = 503, description = "Jira is unavailable", body = ErrorBody),
    )
)]
async fn update_ticket(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<UpdateTicketRequest>,
) -> Result<Json<UpdateTicketResponse>, ApiError> {
    let mut checks = Checks::default();
    let ticket_key = checks.key(&["ticket_key".into()], &request.ticket_key);
    let changes = TicketChanges {
        summary: request.summary,
        description: request.description,
        test_cases: request.test_cases,
        mandays: checks.mandays(&["mandays".into()], request.mandays),
        parent_key: None,
        links: checks.links(&[], request.links),
    };
    if nothing_to_change(&changes) {
        checks.fail(
            &[],
            "Nothing to update: send summary, description, test_cases, mandays or links",
            "value_error",
        );
    }
    checks.finish()?;
    let payload = UpdateTicket {
        ticket_key,
        changes,
        update_jira: request.update_jira,
    };
    let result = run_sync(&state, &payload, DuplicateKind::Ticket).await?;
    if let Some(rejection) = &result.rejection {
        return Err(rejection_error(rejection, result.message.clone()));
    }
    Ok(Json(result))
}

/// Update a story: summary, description, test cases, parent epic and links. Only stories;
/// previews unless `update_jira` is true.
#[utoipa::path(
    post,
    path = "/jira/update-story-ticket",
    tag = "jira",
    request_body = UpdateStoryTicketRequest,
    responses(
        (status = 200, description = "The preview (current beside new, `current_parent_key`, `new_parent_key`, the write plan) or what was written", body = UpdateTicketResponse),
        (status = 400, description = "`Ticket X is not a Story ticket (type: t)…`, or a parent that is not an epic", body = ErrorBody),
        (status = 404, description = "The story, the epic or a link target does not exist", body = ErrorBody),
        (status = 409, description = "A job is already working on the story", body = ErrorBody),
        (status = 422, description = "Invalid field, e.g. an unknown link type", body = ValidationErrorBody),
    )
)]
async fn update_story_ticket(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<UpdateStoryTicketRequest>,
) -> Result<Json<UpdateTicketResponse>, ApiError> {
    let mut checks = Checks::default();
    let story_key = checks.key(&["story_key".into()], &request.story_key);
    let parent_key = checks.optional_key(&["parent_key".into()], request.parent_key.as_deref());
    let changes = TicketChanges {
        summary: request.summary,
        description: request.description,
        test_cases: request.test_cases,
        mandays: None,
        parent_key,
        links: checks.links(&[], request.links),
    };
    if nothing_to_change(&changes) {
        checks.fail(
            &[],
            "Nothing to update: send summary, description, test_cases, parent_key or links",
            "value_error",
        );
    }
    checks.finish()?;
    let payload = UpdateStoryTicket {
        story_key,
        changes,
        update_jira: request.update_jira,
        prd_row_uuid: request.prd_row_uuid.filter(|id| !id.trim().is_empty()),
    };
    let result = run_sync(&state, &payload, DuplicateKind::Story).await?;
    if let Some(rejection) = &result.rejection {
        return Err(rejection_error(rejection, result.message.clone()));
    }
    Ok(Json(result))
}

fn task_spec(
    checks: &mut Checks,
    base: &[LocSegment],
    item: BulkCreateTaskItem,
    single: bool,
) -> TaskSpec {
    let at = |field: &str| {
        let mut path = base.to_vec();
        path.push(field.into());
        path
    };
    let blocks = item
        .blocks
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            if single {
                let mut path = at("blocks");
                path.push(index.into());
                checks.key(&path, &entry)
            } else {
                if entry.trim().is_empty() {
                    let mut path = at("blocks");
                    path.push(index.into());
                    checks.fail(&path, "String should not be empty", "string_too_short");
                }
                entry.trim().to_owned()
            }
        })
        .collect();
    TaskSpec {
        task_id: item.task_id.filter(|id| !id.trim().is_empty()),
        parent_key: checks.optional_key(&at("parent_key"), item.parent_key.as_deref()),
        summary: checks.text(&at("summary"), &item.summary),
        description: item.description,
        story_key: checks.key(&at("story_key"), &item.story_key),
        test_cases: item.test_cases,
        mandays: checks.mandays(&at("mandays"), item.mandays),
        blocks,
    }
}

/// Create a task under the epic, split from its story, blocking `blocks`. Previews unless
/// `create_ticket` is true; a failed creation is an error, never a success without a key.
#[utoipa::path(
    post,
    path = "/jira/create-ticket",
    tag = "jira",
    request_body = CreateTicketRequest,
    responses(
        (status = 200, description = "The preview (with the write plan) or the created task and its links", body = CreateTicketResponse),
        (status = 400, description = "`Could not derive epic…`, a parent that is not an epic, or Jira refused the task", body = ErrorBody),
        (status = 404, description = "The story, the epic or a blocked ticket does not exist", body = ErrorBody),
        (status = 409, description = "A job is already working on the story", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
        (status = 503, description = "Jira is unavailable", body = ErrorBody),
    )
)]
async fn create_ticket(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateTicketRequest>,
) -> Result<Json<CreateTicketResponse>, ApiError> {
    let mut checks = Checks::default();
    let create = request.create_ticket;
    let task = task_spec(
        &mut checks,
        &[],
        BulkCreateTaskItem {
            task_id: None,
            parent_key: request.parent_key,
            summary: request.summary,
            description: request.description,
            story_key: request.story_key,
            test_cases: request.test_cases,
            mandays: request.mandays,
            blocks: request.blocks,
        },
        true,
    );
    checks.finish()?;
    let payload = CreateTicket {
        task,
        create_ticket: create,
    };
    let result = run_sync(&state, &payload, DuplicateKind::Story).await?;
    if let Some(rejection) = &result.rejection {
        return Err(rejection_error(rejection, result.message.clone()));
    }
    Ok(Json(result))
}

fn story_spec(checks: &mut Checks, base: &[LocSegment], item: BulkCreateStoryItem) -> StorySpec {
    let at = |field: &str| {
        let mut path = base.to_vec();
        path.push(field.into());
        path
    };
    StorySpec {
        parent_key: checks.key(&at("parent_key"), &item.parent_key),
        summary: checks.text(&at("summary"), &item.summary),
        description: item.description,
        test_cases: item.test_cases,
        prd_row_uuid: item.prd_row_uuid,
    }
}

/// Create a story under an epic. A user-story sentence in the summary moves to the
/// description; the summary is capped at 255 characters. Previews unless `create_ticket`.
#[utoipa::path(
    post,
    path = "/jira/create-story-ticket",
    tag = "jira",
    request_body = CreateStoryTicketRequest,
    responses(
        (status = 200, description = "The preview (with `summary_length`, `summary_was_truncated` and the write plan) or the created story", body = CreateTicketResponse),
        (status = 400, description = "The parent is not an epic, or Jira refused the story", body = ErrorBody),
        (status = 404, description = "The epic does not exist", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ValidationErrorBody),
        (status = 503, description = "Jira is unavailable", body = ErrorBody),
    )
)]
async fn create_story_ticket(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateStoryTicketRequest>,
) -> Result<Json<CreateTicketResponse>, ApiError> {
    let mut checks = Checks::default();
    let create = request.create_ticket;
    let story = story_spec(
        &mut checks,
        &[],
        BulkCreateStoryItem {
            parent_key: request.parent_key,
            summary: request.summary,
            description: request.description,
            test_cases: request.test_cases,
            prd_row_uuid: request.prd_row_uuid,
        },
    );
    checks.finish()?;
    let payload = CreateStoryTicket {
        story,
        create_ticket: create,
    };
    let result = run_sync(&state, &payload, DuplicateKind::Ticket).await?;
    if let Some(rejection) = &result.rejection {
        return Err(rejection_error(rejection, result.message.clone()));
    }
    Ok(Json(result))
}

/// Queues `payload` and answers the reference's `BatchResponse`.
async fn accepted<P: JobPayload>(
    state: &AppState,
    payload: &P,
    message: String,
    count: usize,
    writes: bool,
    safety_note: &str,
    duplicate: DuplicateKind,
) -> Result<Response, ApiError> {
    let job = new_job(payload, message.clone())?;
    let record = enqueue(state, job, duplicate).await?;
    let mut body = BatchResponse::accepted(&record.id, message, writes);
    body.max_results = u32::try_from(count).unwrap_or(u32::MAX);
    body.safety_note = safety_note.to_owned();
    Ok(body.into_response())
}

/// Update up to 100 stories, each with its own changes. Previews unless `dry_run` is false;
/// `async_mode` queues a `bulk_story_update` job. A failing story never fails the others.
#[utoipa::path(
    post,
    path = "/jira/bulk-update-stories",
    tag = "jira",
    request_body = BulkUpdateStoriesRequest,
    responses(
        (status = 200, description = "Per-story results (synchronous) or the queued job (`BatchResponse`, async_mode)", body = ResultOrQueued<BulkUpdateStoriesResponse>),
        (status = 409, description = "A job is already working on one of the stories (`X-Duplicate-Stories`)", body = ErrorBody),
        (status = 422, description = "No stories, more than 100, or an invalid field", body = ValidationErrorBody),
    )
)]
async fn bulk_update_stories(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BulkUpdateStoriesRequest>,
) -> Result<Response, ApiError> {
    let mut checks = Checks::default();
    checks.count(
        "stories",
        request.stories.len(),
        MAX_BULK_UPDATE_STORIES,
        "stories",
    );
    checks.finish()?;
    let mut checks = Checks::default();
    let stories = request
        .stories
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let base = [LocSegment::from("stories"), index.into()];
            let at = |field: &str| [base[0].clone(), base[1].clone(), field.into()];
            let story_key = checks.key(&at("story_key"), &item.story_key);
            let parent_key = checks.optional_key(&at("parent_key"), item.parent_key.as_deref());
            let changes = TicketChanges {
                summary: item.summary,
                description: item.description,
                test_cases: item.test_cases,
                mandays: None,
                parent_key,
                links: checks.links(&base, item.links),
            };
            if nothing_to_change(&changes) {
                checks.fail(
                    &base,
                    "Nothing to update: send summary, description, test_cases, parent_key or links",
                    "value_error",
                );
            }
            StoryUpdate { story_key, changes }
        })
        .collect::<Vec<_>>();
    checks.finish()?;
    let count = stories.len();
    let payload = BulkUpdateStories {
        stories,
        dry_run: request.dry_run,
    };
    if request.async_mode {
        return accepted(
            &state,
            &payload,
            format!("Bulk story update queued for {count} stories"),
            count,
            !request.dry_run,
            "JIRA will only be updated if dry_run is false",
            DuplicateKind::Stories,
        )
        .await;
    }
    let result = run_sync(&state, &payload, DuplicateKind::Stories).await?;
    Ok(Json(result).into_response())
}

/// Create up to 50 tasks in two phases: every task, then every link ("Work item split" from
/// its story, "Blocks" to each of `blocks`, which may name tasks of the same request).
/// Previews unless `create_tickets`; `async_mode` queues a `bulk_task_creation` job.
#[utoipa::path(
    post,
    path = "/jira/bulk-create-tasks",
    tag = "jira",
    request_body = BulkCreateTasksRequest,
    responses(
        (status = 200, description = "Per-task results and the write plan (synchronous) or the queued job (`BatchResponse`, async_mode)", body = ResultOrQueued<BulkCreateTasksResponse>),
        (status = 409, description = "A job is already working on one of the stories (`X-Duplicate-Stories`)", body = ErrorBody),
        (status = 422, description = "No tasks, more than 50, or an invalid field", body = ValidationErrorBody),
    )
)]
async fn bulk_create_tasks(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BulkCreateTasksRequest>,
) -> Result<Response, ApiError> {
    let mut checks = Checks::default();
    checks.count("tasks", request.tasks.len(), MAX_BULK_CREATE_TASKS, "tasks");
    checks.finish()?;
    let mut checks = Checks::default();
    let tasks: Vec<TaskSpec> = request
        .tasks
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            task_spec(
                &mut checks,
                &[LocSegment::from("tasks"), index.into()],
                item,
                false,
            )
        })
        .collect();
    for (index, task) in tasks.iter().enumerate() {
        if let Some(id) = &task.task_id
            && tasks
                .iter()
                .take(index)
                .any(|t| t.task_id.as_ref() == Some(id))
        {
            checks.fail(
                &["tasks".into(), index.into(), "task_id".into()],
                format!("task_id {id} is used by an earlier task; task ids must be unique"),
                "value_error",
            );
        }
    }
    checks.finish()?;
    let count = tasks.len();
    let payload = BulkCreateTasks {
        tasks,
        create_tickets: request.create_tickets,
    };
    if request.async_mode {
        return accepted(
            &state,
            &payload,
            format!("Bulk task creation queued for {count} tasks"),
            count,
            request.create_tickets,
            "JIRA will only be updated if create_tickets is true",
            DuplicateKind::Stories,
        )
        .await;
    }
    let result = run_sync(&state, &payload, DuplicateKind::Stories).await?;
    Ok(Json(result).into_response())
}

/// Create up to 50 stories under their epics. Previews unless `create_tickets`;
/// `async_mode` queues a `bulk_story_creation` job.
#[utoipa::path(
    post,
    path = "/jira/bulk-create-stories",
    tag = "jira",
    request_body = BulkCreateStoriesRequest,
    responses(
        (status = 200, description = "Per-story results and the write plan (synchronous) or the queued job (`BatchResponse`, async_mode)", body = ResultOrQueued<BulkCreateStoriesResponse>),
        (status = 422, description = "No stories, more than 50, or an invalid field", body = ValidationErrorBody),
    )
)]
async fn bulk_create_stories(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BulkCreateStoriesRequest>,
) -> Result<Response, ApiError> {
    let mut checks = Checks::default();
    checks.count(
        "stories",
        request.stories.len(),
        MAX_BULK_CREATE_STORIES,
        "stories",
    );
    checks.finish()?;
    let mut checks = Checks::default();
    let stories: Vec<StorySpec> = request
        .stories
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            story_spec(
                &mut checks,
                &[LocSegment::from("stories"), index.into()],
                item,
            )
        })
        .collect();
    checks.finish()?;
    let count = stories.len();
    let payload = BulkCreateStories {
        stories,
        create_tickets: request.create_tickets,
    };
    if request.async_mode {
        return accepted(
            &state,
            &payload,
            format!("Bulk story creation queued for {count} stories"),
            count,
            request.create_tickets,
            "JIRA will only be updated if create_tickets is true",
            DuplicateKind::Ticket,
        )
        .await;
    }
    let result = run_sync(&state, &payload, DuplicateKind::Ticket).await?;
    Ok(Json(result).into_response())
}
