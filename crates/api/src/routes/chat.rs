//! The chat agent's HTTP contract (docs/chat.md): send a message, poll its result, answer a
//! proposal, list and delete conversations, and follow a task's steps live (Server-Sent
//! Events). Handlers record the message and enqueue its `chat_turn` job in one transaction;
//! the agent runs in the workers.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use job_types::chat::{ChatDecision, ChatProposal, ChatResult, ChatTurn, DECIDE_STEP, FIRST_STEP};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use store::{ChatError, ChatStatus, ChatTaskRecord, ConversationRecord, NewChatTask};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::job_dispatch::new_job;
use crate::job_responses::{format_timestamp, store_error};
use crate::state::AppState;

/// The longest message, in characters.
const MAX_MESSAGE_CHARS: usize = 10_000;
/// The longest user id or conversation id.
const MAX_ID_CHARS: usize = 200;
/// How often the live view looks for new steps.
const STREAM_POLL: Duration = Duration::from_millis(200);
/// How long one live view stays open at most (a client reconnects with `Last-Event-ID`).
const STREAM_MAX: Duration = Duration::from_secs(600);
/// Seconds a client over its chat limit is asked to wait.
const BUSY_RETRY_AFTER_SECS: u64 = 5;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(result))
        .routes(routes!(resume))
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, delete_conversation))
        .routes(routes!(stream))
}

fn default_format() -> String {
    "markdown".to_owned()
}

/// `POST /chat/send`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "Create a high-priority ticket for implementing OAuth2 authentication with JWT tokens", "user_id": "john@example.com", "output_format": "json"}))]
pub struct ChatSendRequest {
    /// What the user wrote: 1 to 10,000 characters.
    pub message: String,
    /// Continue this conversation (one of the user's); omitted: a new conversation.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Who is asking; conversations belong to their user.
    pub user_id: String,
    /// `markdown` (default) or `json`.
    #[serde(default = "default_format")]
    pub output_format: String,
}

/// The answer to `POST /chat/send`: poll `GET /chat/result/{task_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatSendResponse {
    pub task_id: String,
    pub conversation_id: String,
    /// Always `processing`.
    pub status: String,
    pub created_at: String,
}

/// `GET /chat/result/{task_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatResultResponse {
    /// `processing`, `waiting_confirmation`, `completed` or `failed`.
    pub status: String,
    /// Once completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ChatResult>,
    /// Once failed: why, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// While waiting: what to review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// While waiting: exactly what a confirmation writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<ChatProposalData>,
    pub task_id: String,
    pub conversation_id: String,
}

/// A proposal with what binds a confirmation to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatProposalData {
    #[serde(flatten)]
    pub proposal: ChatProposal,
    /// SHA-256 of the proposal; send it back with `POST /chat/resume` to confirm exactly this.
    pub proposal_hash: String,
    /// When the proposal stops waiting (the task then fails, writing nothing).
    pub expires_at: Option<String>,
}

/// `POST /chat/resume/{task_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirmation": true}))]
pub struct ChatResumeRequest {
    /// True to write the proposal (or, with `user_input`, to apply edits and see it again);
    /// false to reject it (nothing is written).
    pub confirmation: Option<bool>,
    /// Edited fields of the proposal; they are validated and shown again before any write.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub user_input: Option<Map<String, Value>>,
    /// The `proposal_hash` shown; when sent, a changed proposal is a 409.
    #[serde(default)]
    pub proposal_hash: Option<String>,
    /// When sent, must be the task's user.
    #[serde(default)]
    pub user_id: Option<String>,
}

/// The answer to `POST /chat/resume/{task_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatResumeResponse {
    /// `resumed`.
    pub status: String,
    pub task_id: String,
}

/// Whose conversations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// The user the conversations belong to (required).
    pub user_id: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// Conversations to skip (default 0).
    pub offset: Option<u32>,
}

/// Who asks for a result or a live view (optional; checked when sent).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    pub user_id: Option<String>,
}

/// One conversation in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub conversation_id: String,
    pub title: String,
    /// Messages in it.
    pub turns: u64,
    /// The status of its latest message.
    pub last_status: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One Server-Sent Event of `GET /chat/stream/{task_id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatStreamEvent {
    /// The step (`classified`, `planned`, `tool`, …, `end`).
    pub event: String,
    /// The step's JSON.
    pub data: String,
    /// The step's sequence number (absent on `end`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// `GET /chat/conversations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<ConversationSummary>,
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

/// One message of a conversation with what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationTurn {
    pub task_id: String,
    pub seq: i64,
    pub message: String,
    pub output_format: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The proposal shown, if the agent proposed a write.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub proposal: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /chat/conversations/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    pub conversation_id: String,
    pub user_id: String,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
    pub turns: Vec<ConversationTurn>,
}

fn text_field(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("{field} must not be empty"),
            "string_too_short",
        )));
    }
    if value.chars().count() > max {
        return Err(ApiError::validation(ValidationIssue::body(
            field,
            format!("{field} must be at most {max} characters"),
            "string_too_long",
        )));
    }
    Ok(trimmed.to_owned())
}

/// Ids clients choose (user and conversation ids): printable, no control characters.
fn id_field(field: &str, value: &str, query: bool) -> Result<String, ApiError> {
    let issue = |msg: String, kind: &str| {
        ApiError::validation(if query {
            ValidationIssue::query(field, msg, kind)
        } else {
            ValidationIssue::body(field, msg, kind)
        })
    };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(issue(
            format!("{field} must not be empty"),
            "string_too_short",
        ));
    }
    if trimmed.chars().count() > MAX_ID_CHARS {
        return Err(issue(
            format!("{field} must be at most {MAX_ID_CHARS} characters"),
            "string_too_long",
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(issue(
            format!("{field} must not contain control characters"),
            "string_pattern_mismatch",
        ));
    }
    Ok(trimmed.to_owned())
}

fn chat_error(error: ChatError) -> ApiError {
    match error {
        ChatError::Store(error) => store_error(error),
        ChatError::ConversationNotFound(id) => {
            ApiError::NotFound(format!("Conversation {id} not found"))
        }
        ChatError::TaskNotFound(id) => ApiError::NotFound(format!("Chat task {id} not found")),
        ChatError::UserBusy { active, limit } => ApiError::TooManyRequests {
            detail: format!(
                "{active} of your chat messages are still being processed (limit {limit}); wait for one to finish"
            ),
            retry_after_secs: BUSY_RETRY_AFTER_SECS,
        },
        ChatError::ConversationBusy { task_id } => ApiError::Conflict {
            detail: format!(
                "The conversation's previous message (task {task_id}) is still being processed; poll GET /chat/result/{task_id} and send again when it is done"
            ),
            headers: Vec::new(),
        },
        ChatError::NotWaiting { status } => ApiError::Conflict {
            detail: format!(
                "Task is {}, not waiting for confirmation; nothing was changed",
                status.as_str()
            ),
            headers: Vec::new(),
        },
        ChatError::ProposalMismatch { expected, actual } => ApiError::Conflict {
            detail: format!(
                "The proposal changed: you confirmed {expected}, the waiting proposal is {actual}; review it again"
            ),
            headers: Vec::new(),
        },
        ChatError::Stale(_) => ApiError::Conflict {
            detail: "The task changed while you answered; fetch it again".into(),
            headers: Vec::new(),
        },
    }
}

/// `POST /chat/send`: queue a message for the agent.
///
/// Answers at once with the task id; the agent classifies the message (requirement
/// analysis, create or update a ticket, assess a ticket, search, general question), reads what
/// it needs from Jira and Confluence, and either answers or proposes a write and waits for
/// `POST /chat/resume/{task_id}`. Nothing is written without that confirmation.
#[utoipa::path(
    post,
    path = "/chat/send",
    tag = "chat",
    request_body = ChatSendRequest,
    responses(
        (status = 202, description = "Queued: poll `GET /chat/result/{task_id}`", body = ChatSendResponse),
        (status = 404, description = "`conversation_id` is not one of this user's conversations", body = ErrorBody),
        (status = 409, description = "The conversation's previous message is still processing", body = ErrorBody),
        (status = 422, description = "Empty or over-long message, missing user_id, unknown output_format", body = ValidationErrorBody),
        (status = 429, description = "Too many of this user's messages are processing; see Retry-After", body = ErrorBody),
    )
)]
async fn send(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ChatSendRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let message = text_field("message", &request.message, MAX_MESSAGE_CHARS)?;
    let user_id = id_field("user_id", &request.user_id, false)?;
    let output_format = request.output_format.trim().to_ascii_lowercase();
    if !matches!(output_format.as_str(), "json" | "markdown") {
        return Err(ApiError::validation(ValidationIssue::body(
            "output_format",
            "output_format must be `json` or `markdown`",
            "enum",
        )));
    }
    let conversation_id = match &request.conversation_id {
        Some(id) => id_field("conversation_id", id, false)?,
        None => uuid_v7(),
    };
    let task_id = uuid_v7();
    let job = new_job(
        &ChatTurn {
            task_id: task_id.clone(),
        },
        "Chat message queued",
    )?;
    let task = state
        .db()
        .start_chat_task(
            &NewChatTask {
                task_id,
                conversation_id,
                user_id,
                message,
                output_format,
                step: FIRST_STEP.to_owned(),
                state: json!({}),
                max_active_per_user: state.settings().chat_max_active_per_user,
            },
            &job,
        )
        .await
        .map_err(chat_error)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ChatSendResponse {
            task_id: task.task_id,
            conversation_id: task.conversation_id,
            status: ChatStatus::Processing.as_str().to_owned(),
            created_at: format_timestamp(task.created_at),
        }),
    ))
}

fn uuid_v7() -> String {
    domain::job::JobId::new().to_string()
}

async fn owned_task(
    state: &AppState,
    task_id: &str,
    user_id: Option<&str>,
) -> Result<ChatTaskRecord, ApiError> {
    state
        .db()
        .chat_task(task_id)
        .await
        .map_err(store_error)?
        .filter(|task| user_id.is_none_or(|user| task.user_id == user.trim()))
        .ok_or_else(|| ApiError::NotFound(format!("Chat task {task_id} not found")))
}

fn result_response(task: ChatTaskRecord) -> ChatResultResponse {
    let mut response = ChatResultResponse {
        status: task.status.as_str().to_owned(),
        result: None,
        error: None,
        message: None,
        data: None,
        task_id: task.id,
        conversation_id: task.conversation_id,
    };
    match task.status {
        ChatStatus::Processing => {}
        ChatStatus::WaitingConfirmation => {
            let proposal: Option<ChatProposal> = task
                .proposal
                .and_then(|proposal| serde_json::from_value(proposal).ok());
            response.message = Some(match &proposal {
                Some(p) if p.action == "update_ticket" => format!(
                    "Please review the change to {} before it is written:",
                    p.ticket_key.as_deref().unwrap_or("the ticket")
                ),
                _ => "Please review the ticket details before creation:".to_owned(),
            });
            response.data = proposal.map(|proposal| ChatProposalData {
                proposal,
                proposal_hash: task.proposal_hash.unwrap_or_default(),
                expires_at: task.expires_at.map(format_timestamp),
            });
        }
        ChatStatus::Completed => {
            response.result = task
                .result
                .and_then(|result| serde_json::from_value(result).ok());
        }
        ChatStatus::Failed => response.error = task.error,
    }
    response
}

/// `GET /chat/result/{task_id}`: the message's status and, once there, its result.
///
/// `waiting_confirmation` carries `data`: exactly what a confirmation writes (the fields, the
/// exact Jira requests, the `proposal_hash`). A failed task answers 200 with `error`.
#[utoipa::path(
    get,
    path = "/chat/result/{task_id}",
    tag = "chat",
    params(("task_id" = String, Path, description = "The task id from `POST /chat/send`"), TaskQuery),
    responses(
        (status = 200, description = "The task's status and result", body = ChatResultResponse),
        (status = 404, description = "No such task (for this user)", body = ErrorBody),
    )
)]
async fn result(
    State(state): State<AppState>,
    ApiPath(task_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<TaskQuery>,
) -> Result<Json<ChatResultResponse>, ApiError> {
    let task = owned_task(&state, &task_id, query.user_id.as_deref()).await?;
    Ok(Json(result_response(task)))
}

/// `POST /chat/resume/{task_id}`: answer the waiting proposal.
///
/// `confirmation: false` rejects it (nothing is written); `true` writes it exactly once;
/// `true` with `user_input` applies the edits, validates them again and shows the new
/// proposal (status `waiting_confirmation` again) before anything is written. A task not
/// waiting (answered already, expired) is a 409 naming its status.
#[utoipa::path(
    post,
    path = "/chat/resume/{task_id}",
    tag = "chat",
    params(("task_id" = String, Path, description = "The waiting task")),
    request_body = ChatResumeRequest,
    responses(
        (status = 202, description = "Resumed: poll `GET /chat/result/{task_id}`", body = ChatResumeResponse),
        (status = 404, description = "No such task (for this user)", body = ErrorBody),
        (status = 409, description = "The task is not waiting, or the proposal changed", body = ErrorBody),
        (status = 422, description = "`confirmation` missing", body = ValidationErrorBody),
    )
)]
async fn resume(
    State(state): State<AppState>,
    ApiPath(task_id): ApiPath<String>,
    ApiJson(request): ApiJson<ChatResumeRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let Some(confirmation) = request.confirmation else {
        return Err(ApiError::validation(ValidationIssue::body(
            "confirmation",
            "confirmation is required: true to write the proposal, false to reject it",
            "missing",
        )));
    };
    let user_id = match &request.user_id {
        Some(user) => Some(id_field("user_id", user, false)?),
        None => None,
    };
    let decision = ChatDecision {
        confirmation,
        user_input: request.user_input,
    };
    let job = new_job(
        &ChatTurn {
            task_id: task_id.clone(),
        },
        "Chat answer queued",
    )?;
    let decision = serde_json::to_value(&decision).map_err(ApiError::internal)?;
    state
        .db()
        .resume_chat_task(
            &task_id,
            user_id.as_deref(),
            request.proposal_hash.as_deref().map(str::trim),
            &decision,
            DECIDE_STEP,
            &job,
        )
        .await
        .map_err(chat_error)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ChatResumeResponse {
            status: "resumed".into(),
            task_id,
        }),
    ))
}

fn required_user(query: Option<&str>) -> Result<String, ApiError> {
    match query {
        Some(user) => id_field("user_id", user, true),
        None => Err(ApiError::validation(ValidationIssue::query(
            "user_id",
            "user_id is required: conversations belong to their user",
            "missing",
        ))),
    }
}

fn summary(conversation: ConversationRecord) -> ConversationSummary {
    ConversationSummary {
        conversation_id: conversation.id,
        title: conversation.title,
        turns: conversation.turns,
        last_status: conversation.last_status.map(|s| s.as_str().to_owned()),
        created_at: format_timestamp(conversation.created_at),
        updated_at: format_timestamp(conversation.updated_at),
    }
}

/// `GET /chat/conversations?user_id=…`: the user's conversations, most recent first.
#[utoipa::path(
    get,
    path = "/chat/conversations",
    tag = "chat",
    params(ConversationQuery),
    responses(
        (status = 200, description = "The user's conversations", body = ConversationList),
        (status = 422, description = "`user_id` missing, or limit out of range", body = ValidationErrorBody),
    )
)]
async fn list_conversations(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ConversationQuery>,
) -> Result<Json<ConversationList>, ApiError> {
    let user_id = required_user(query.user_id.as_deref())?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation(ValidationIssue::query(
            "limit",
            "limit must be between 1 and 200",
            "less_than_equal",
        )));
    }
    let offset = query.offset.unwrap_or(0);
    let (conversations, total) = state
        .db()
        .chat_conversations(&user_id, limit, offset)
        .await
        .map_err(store_error)?;
    Ok(Json(ConversationList {
        conversations: conversations.into_iter().map(summary).collect(),
        total,
        limit,
        offset,
    }))
}

/// `GET /chat/conversations/{conversation_id}?user_id=…`: a conversation with every message
/// and what became of it. Another user's conversation is a 404.
#[utoipa::path(
    get,
    path = "/chat/conversations/{conversation_id}",
    tag = "chat",
    params(("conversation_id" = String, Path, description = "The conversation"), ConversationQuery),
    responses(
        (status = 200, description = "The conversation and its turns", body = ConversationDetail),
        (status = 404, description = "No such conversation for this user", body = ErrorBody),
        (status = 422, description = "`user_id` missing", body = ValidationErrorBody),
    )
)]
async fn get_conversation(
    State(state): State<AppState>,
    ApiPath(conversation_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ConversationQuery>,
) -> Result<Json<ConversationDetail>, ApiError> {
    let user_id = required_user(query.user_id.as_deref())?;
    let (conversation, tasks) = state
        .db()
        .chat_conversation(&conversation_id, &user_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("Conversation {conversation_id} not found")))?;
    Ok(Json(ConversationDetail {
        conversation_id: conversation.id,
        user_id: conversation.user_id,
        title: conversation.title,
        created_at: format_timestamp(conversation.created_at),
        updated_at: format_timestamp(conversation.updated_at),
        turns: tasks
            .into_iter()
            .map(|task| ConversationTurn {
                task_id: task.id,
                seq: task.seq,
                message: task.message,
                output_format: task.output_format,
                status: task.status.as_str().to_owned(),
                result: task.result,
                error: task.error,
                proposal: task.proposal,
                created_at: format_timestamp(task.created_at),
                updated_at: format_timestamp(task.updated_at),
            })
            .collect(),
    }))
}

/// `DELETE /chat/conversations/{conversation_id}?user_id=…`: forget a conversation (it no
/// longer lists or continues; its records stay for audit).
#[utoipa::path(
    delete,
    path = "/chat/conversations/{conversation_id}",
    tag = "chat",
    params(("conversation_id" = String, Path, description = "The conversation"), ConversationQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such conversation for this user", body = ErrorBody),
        (status = 422, description = "`user_id` missing", body = ValidationErrorBody),
    )
)]
async fn delete_conversation(
    State(state): State<AppState>,
    ApiPath(conversation_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ConversationQuery>,
) -> Result<StatusCode, ApiError> {
    let user_id = required_user(query.user_id.as_deref())?;
    let deleted = state
        .db()
        .delete_chat_conversation(&conversation_id, &user_id)
        .await
        .map_err(store_error)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "Conversation {conversation_id} not found"
        )))
    }
}

/// `GET /chat/stream/{task_id}`: the agent's steps as Server-Sent Events.
///
/// Each step is an event named after it (`classified`, `planned`, `tool`,
/// `waiting_confirmation`, `resumed`, `confirmed`, `edited`, `rejected`, `written`,
/// `completed`, `failed`) with its JSON as data and its sequence number as id; send
/// `Last-Event-ID` to continue after a reconnect. The stream ends after the task completes or
/// fails (a last `end` event carries the status).
#[utoipa::path(
    get,
    path = "/chat/stream/{task_id}",
    tag = "chat",
    params(("task_id" = String, Path, description = "The task"), TaskQuery),
    responses(
        (status = 200, description = "`text/event-stream` of the task's steps", content_type = "text/event-stream", body = ChatStreamEvent),
        (status = 404, description = "No such task (for this user)", body = ErrorBody),
    )
)]
async fn stream(
    State(state): State<AppState>,
    ApiPath(task_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<TaskQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    owned_task(&state, &task_id, query.user_id.as_deref()).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let started = tokio::time::Instant::now();
    let events = futures::stream::unfold(
        (state, task_id, after, false),
        move |(state, task_id, mut after, ended)| async move {
            if ended {
                return None;
            }
            loop {
                // The status is read before the events: an event written with a final status
                // is then always seen before the stream ends.
                let status = state
                    .db()
                    .chat_task(&task_id)
                    .await
                    .ok()
                    .flatten()
                    .map(|task| task.status);
                if let Ok(events) = state.db().chat_events(&task_id, after).await
                    && !events.is_empty()
                {
                    let batch: Vec<Result<Event, Infallible>> = events
                        .iter()
                        .map(|event| {
                            Ok(Event::default()
                                .id(event.seq.to_string())
                                .event(event.kind.clone())
                                .data(event.data.to_string()))
                        })
                        .collect();
                    after = events.last().map_or(after, |event| event.seq);
                    return Some((futures::stream::iter(batch), (state, task_id, after, false)));
                }
                let finished = status.is_none_or(ChatStatus::is_final);
                if finished || started.elapsed() > STREAM_MAX {
                    let end = Event::default()
                        .event("end")
                        .data(json!({ "status": status.map(ChatStatus::as_str) }).to_string());
                    return Some((
                        futures::stream::iter(vec![Ok(end)]),
                        (state, task_id, after, true),
                    ));
                }
                tokio::time::sleep(STREAM_POLL).await;
            }
        },
    );
    use futures::StreamExt;
    Ok(Sse::new(events.flatten()).keep_alive(KeepAlive::default()))
}
