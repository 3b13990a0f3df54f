//! Teams, team members and boards (docs/reference-behaviour.md §1.11, §5.1): `/team-members`
//! CRUD with the role and level lists, role capacity, and the team and board CRUD the reference
//! lacks. Stored in the service's database (`store`, migration
//! 0004); these handlers only validate and call the store, never Jira.
//!
//! Differences from the reference, on purpose: `/team-members/roles` and `/team-members/levels`
//! are reachable (static segments win over `{member_id}`); a duplicate e-mail is a 409 (only a
//! duplicate, not any database error); an unknown id is a 404 naming it; `PUT` answers the member
//! as stored after the change (the reference answers the team list from before it); deletes are
//! soft. A role is one of a fixed catalogue (`GET /team-members/roles`) that the sprint planner
//! uses as per-team capacity pools; `role/{role_id}` takes its id or its name.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use store::{
    BoardInput, BoardRecord, Entity, LEVELS, MemberFilter, MemberInput, MemberRecord,
    MembershipInput, ROLES, TeamError, TeamInput, TeamRecord,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, LocSegment, ValidationErrorBody, ValidationIssue};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::job_responses::{format_timestamp, store_error};
use crate::state::AppState;

/// The most days a member can have in one sprint (a sprint of a month, every day worked).
pub const MAX_CAPACITY_DAYS: f64 = 31.0;
/// The capacity a new member gets when the request does not say.
pub const DEFAULT_CAPACITY_DAYS: f64 = 5.0;
/// The longest name, description or e-mail address accepted.
const MAX_TEXT: usize = 254;
/// Allocations may add up to a hair over 1 (thirds sent as 0.333, 0.333, 0.334 and the like).
const ALLOCATION_SLACK: f64 = 1e-6;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, create_member))
        .routes(routes!(get_member, update_member, delete_member))
        .routes(routes!(list_roles))
        .routes(routes!(list_levels))
        .routes(routes!(role_capacity))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(team_capacity))
        .routes(routes!(list_boards, create_board))
        .routes(routes!(get_board, update_board, delete_board))
}

// ----- shapes -----

/// A member to create (`POST`) or the fields to change (`PUT`: omitted fields keep their value;
/// omitting `team_ids`, `teams` and `roles` keeps the memberships).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Ada Lovelace", "email": "ada@example.com", "level": "senior",
    "capacity_days_per_sprint": 8.0, "team_ids": [1], "roles": {"1": "backend"}
}))]
pub struct TeamMemberRequest {
    /// Display name (required on create).
    pub name: Option<String>,
    /// E-mail address, unique among active members (required on create).
    pub email: Option<String>,
    /// One of `GET /team-members/levels` (required on create).
    pub level: Option<String>,
    /// Working days in one sprint, more than 0 and at most 31; default 5 on create.
    pub capacity_days_per_sprint: Option<f64>,
    /// Teams the member belongs to. Their capacity is shared evenly among them unless `teams`
    /// gives a `capacity_allocation`.
    pub team_ids: Option<Vec<i64>>,
    /// Team id → role in that team (a role of `GET /team-members/roles`). A team without a role
    /// gets the one its name names ("Backend", "QA team"), else `unassigned`.
    pub roles: Option<BTreeMap<String, String>>,
    /// Teams with a role and a capacity share each, beside or instead of `team_ids`.
    pub teams: Option<Vec<MembershipRequest>>,
}

/// One team of a member, with the member's role there and the share of their capacity it gets.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    /// The team.
    pub team_id: i64,
    /// A role of `GET /team-members/roles` (name or id).
    pub role: Option<String>,
    /// Share of the member's sprint capacity, more than 0 and at most 1. Omitted: what the
    /// member's other teams leave, shared evenly.
    pub capacity_allocation: Option<f64>,
}

/// A team member.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberResponse {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub level: String,
    pub capacity_days_per_sprint: f64,
    /// False once deleted.
    pub is_active: bool,
    /// The member's teams, with the role and capacity share in each.
    pub teams: Vec<MemberTeamBody>,
    pub created_at: String,
    pub updated_at: String,
    /// When the member was deleted.
    pub deleted_at: Option<String>,
}

/// One team of a member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberTeamBody {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub role: String,
    pub capacity_allocation: f64,
    /// `capacity_days_per_sprint × capacity_allocation`.
    pub capacity_days: f64,
    /// False when the team was deleted (the membership no longer counts).
    pub is_active: bool,
}

impl From<MemberRecord> for TeamMemberResponse {
    fn from(member: MemberRecord) -> Self {
        let days = member.capacity_days_per_sprint;
        Self {
            id: member.id,
            name: member.name,
            email: member.email,
            level: member.level,
            capacity_days_per_sprint: days,
            is_active: member.is_active,
            teams: member
                .teams
                .into_iter()
                .map(|team| MemberTeamBody {
                    id: team.id,
                    name: team.name,
                    description: team.description,
                    role: team.role,
                    capacity_allocation: team.capacity_allocation,
                    capacity_days: round(days * team.capacity_allocation),
                    is_active: team.team_active,
                })
                .collect(),
            created_at: format_timestamp(member.created_at),
            updated_at: format_timestamp(member.updated_at),
            deleted_at: member.deleted_at.map(format_timestamp),
        }
    }
}

/// `GET /team-members` filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberListQuery {
    /// Only members of this team.
    pub team_id: Option<i64>,
    /// Only members of this level.
    pub level: Option<String>,
    /// Leave deleted members out (default true).
    pub active_only: Option<bool>,
}

/// A role of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleBody {
    pub id: u32,
    pub name: String,
    pub description: String,
}

/// `GET /team-members/levels`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelsBody {
    /// Most junior first.
    pub levels: Vec<String>,
}

/// `board_id` of the capacity routes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// A Jira board id (as the `/sprint` routes take): only teams linked to our record of it.
    pub board_id: Option<u64>,
}

/// The capacity of one role.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleCapacityResponse {
    pub role_id: u32,
    pub role_name: String,
    /// Days per sprint over active members in active teams.
    pub total_capacity_days: f64,
    /// Distinct members playing the role.
    pub active_members: u32,
    /// The Jira board asked about, if any.
    pub board_id: Option<u64>,
    /// By team.
    pub teams: Vec<RoleTeamBody>,
}

/// One team's share of a role's capacity.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleTeamBody {
    pub team_id: i64,
    pub team_name: String,
    pub capacity_days: f64,
    pub members: u32,
}

/// A team to create, or the fields to change (`PUT`: omitted fields keep their value).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Backend", "description": "APIs and data", "board_ids": [1]}))]
pub struct TeamRequest {
    /// Unique among active teams (required on create).
    pub name: Option<String>,
    /// Free text; an empty text clears it.
    pub description: Option<String>,
    /// The boards (ids of `/boards`) the team plans on; replaces the links when given.
    pub board_ids: Option<Vec<i64>>,
}

/// A team with its members, boards and capacity.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamResponse {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// False once deleted.
    pub is_active: bool,
    /// Active members.
    pub members: Vec<TeamMemberBody>,
    /// Active boards.
    pub boards: Vec<BoardSummaryBody>,
    /// Capacity per sprint of the active members.
    pub capacity: CapacityBody,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// One member of a team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberBody {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub level: String,
    pub role: String,
    pub capacity_allocation: f64,
    pub capacity_days_per_sprint: f64,
    /// What the member gives this team per sprint.
    pub capacity_days: f64,
}

/// Capacity per sprint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityBody {
    pub total_days: f64,
    pub active_members: u32,
    /// Role → days.
    pub per_role: BTreeMap<String, f64>,
}

/// A board under a team.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardSummaryBody {
    pub id: i64,
    pub name: String,
    pub jira_board_id: u64,
    pub project_key: Option<String>,
}

impl From<TeamRecord> for TeamResponse {
    fn from(team: TeamRecord) -> Self {
        let mut per_role: BTreeMap<String, f64> = BTreeMap::new();
        let mut total = 0.0;
        let members: Vec<TeamMemberBody> = team
            .members
            .into_iter()
            .map(|member| {
                let days = member.effective_days();
                total += days;
                *per_role.entry(member.role.clone()).or_insert(0.0) += days;
                TeamMemberBody {
                    member_id: member.member_id,
                    name: member.name,
                    email: member.email,
                    level: member.level,
                    role: member.role,
                    capacity_allocation: member.capacity_allocation,
                    capacity_days_per_sprint: member.capacity_days_per_sprint,
                    capacity_days: round(days),
                }
            })
            .collect();
        Self {
            id: team.id,
            name: team.name,
            description: team.description,
            is_active: team.is_active,
            capacity: CapacityBody {
                total_days: round(total),
                active_members: u32::try_from(members.len()).unwrap_or(u32::MAX),
                per_role: per_role.into_iter().map(|(k, v)| (k, round(v))).collect(),
            },
            members,
            boards: team
                .boards
                .into_iter()
                .map(|board| BoardSummaryBody {
                    id: board.id,
                    name: board.name,
                    jira_board_id: board.jira_board_id,
                    project_key: board.project_key,
                })
                .collect(),
            created_at: format_timestamp(team.created_at),
            updated_at: format_timestamp(team.updated_at),
            deleted_at: team.deleted_at.map(format_timestamp),
        }
    }
}

/// `GET /teams/{team_id}/capacity`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamCapacityResponse {
    pub team_id: i64,
    pub team_name: String,
    pub total_days: f64,
    pub active_members: u32,
    pub per_role: BTreeMap<String, f64>,
    /// The Jira board asked about, if any.
    pub board_id: Option<u64>,
    /// With `board_id`: whether the team is linked to our record of that board. The capacity is
    /// the team's either way.
    pub board_linked: Option<bool>,
}

/// `GET /teams` and `GET /boards`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActiveQuery {
    /// Leave deleted records out (default true).
    pub active_only: Option<bool>,
}

/// A board record to create, or the fields to change (`PUT`: omitted fields keep their value).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Demo board", "jira_board_id": 1, "project_key": "DEMO", "board_type": "scrum", "team_ids": [1]}))]
pub struct BoardRequest {
    /// Required on create.
    pub name: Option<String>,
    /// The Jira board id; unique among active records (required on create).
    pub jira_board_id: Option<u64>,
    /// The Jira project the board shows, e.g. `DEMO`; an empty text clears it.
    pub project_key: Option<String>,
    /// `scrum`, `kanban` or `simple`; an empty text clears it.
    pub board_type: Option<String>,
    /// The teams planning on the board; replaces the links when given.
    pub team_ids: Option<Vec<i64>>,
}

/// A board record with its teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardResponse {
    pub id: i64,
    pub name: String,
    pub jira_board_id: u64,
    pub project_key: Option<String>,
    pub board_type: Option<String>,
    /// False once deleted.
    pub is_active: bool,
    /// Active teams linked to it.
    pub teams: Vec<TeamSummaryBody>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// A team under a board.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamSummaryBody {
    pub id: i64,
    pub name: String,
}

impl From<BoardRecord> for BoardResponse {
    fn from(board: BoardRecord) -> Self {
        Self {
            id: board.id,
            name: board.name,
            jira_board_id: board.jira_board_id,
            project_key: board.project_key,
            board_type: board.board_type,
            is_active: board.is_active,
            teams: board
                .teams
                .into_iter()
                .map(|team| TeamSummaryBody {
                    id: team.id,
                    name: team.name,
                })
                .collect(),
            created_at: format_timestamp(board.created_at),
            updated_at: format_timestamp(board.updated_at),
            deleted_at: board.deleted_at.map(format_timestamp),
        }
    }
}

/// A delete's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedBody {
    pub success: bool,
    pub message: String,
}

// ----- members -----

/// List team members.
#[utoipa::path(
    get,
    path = "/team-members",
    tag = "teams",
    params(MemberListQuery),
    responses(
        (status = 200, description = "Members by id", body = Vec<TeamMemberResponse>),
        (status = 404, description = "`Team <id> not found` (the `team_id` filter)", body = ErrorBody),
        (status = 422, description = "A filter is invalid (e.g. an unknown level)", body = ValidationErrorBody),
    )
)]
async fn list_members(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MemberListQuery>,
) -> Result<Json<Vec<TeamMemberResponse>>, ApiError> {
    let level = query.level.as_deref().map(level_of).transpose()?;
    if let Some(team_id) = query.team_id
        && state
            .db()
            .get_team(team_id)
            .await
            .map_err(store_error)?
            .is_none()
    {
        return Err(not_found(Entity::Team, team_id));
    }
    let filter = MemberFilter {
        team_id: query.team_id,
        level: level.map(str::to_owned),
        active_only: query.active_only.unwrap_or(true),
    };
    let members = state
        .db()
        .list_members(&filter)
        .await
        .map_err(store_error)?;
    Ok(Json(members.into_iter().map(Into::into).collect()))
}

/// Add a team member.
#[utoipa::path(
    post,
    path = "/team-members",
    tag = "teams",
    request_body = TeamMemberRequest,
    responses(
        (status = 200, description = "The member as stored", body = TeamMemberResponse),
        (status = 409, description = "`Member with email <email> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `team_ids` names unknown teams", body = ValidationErrorBody),
    )
)]
async fn create_member(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TeamMemberRequest>,
) -> Result<Json<TeamMemberResponse>, ApiError> {
    let field = membership_field(&request);
    let input = member_input(request, None)?;
    let member = state
        .db()
        .create_member(&input)
        .await
        .map_err(|error| team_error(error, field))?;
    Ok(Json(member.into()))
}

/// A team member, deleted ones included (`is_active: false`).
#[utoipa::path(
    get,
    path = "/team-members/{member_id}",
    tag = "teams",
    params(("member_id" = i64, Path, description = "The member id")),
    responses(
        (status = 200, description = "The member", body = TeamMemberResponse),
        (status = 404, description = "`Team member <id> not found`", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn get_member(
    State(state): State<AppState>,
    ApiPath(member_id): ApiPath<i64>,
) -> Result<Json<TeamMemberResponse>, ApiError> {
    match state
        .db()
        .get_member(member_id)
        .await
        .map_err(store_error)?
    {
        Some(member) => Ok(Json(member.into())),
        None => Err(not_found(Entity::Member, member_id)),
    }
}

/// Change a team member; answers the member as stored after the change.
#[utoipa::path(
    put,
    path = "/team-members/{member_id}",
    tag = "teams",
    params(("member_id" = i64, Path, description = "The member id")),
    request_body = TeamMemberRequest,
    responses(
        (status = 200, description = "The member after the change", body = TeamMemberResponse),
        (status = 404, description = "`Team member <id> not found` (unknown or deleted)", body = ErrorBody),
        (status = 409, description = "`Member with email <email> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `team_ids` names unknown teams", body = ValidationErrorBody),
    )
)]
async fn update_member(
    State(state): State<AppState>,
    ApiPath(member_id): ApiPath<i64>,
    ApiJson(request): ApiJson<TeamMemberRequest>,
) -> Result<Json<TeamMemberResponse>, ApiError> {
    let current = state
        .db()
        .get_member(member_id)
        .await
        .map_err(store_error)?
        .filter(|member| member.is_active)
        .ok_or_else(|| not_found(Entity::Member, member_id))?;
    let field = membership_field(&request);
    let input = member_input(request, Some(&current))?;
    let member = state
        .db()
        .update_member(member_id, &input)
        .await
        .map_err(|error| team_error(error, field))?;
    Ok(Json(member.into()))
}

/// Delete a team member (soft: the record stays, inactive; its e-mail address becomes free).
#[utoipa::path(
    delete,
    path = "/team-members/{member_id}",
    tag = "teams",
    params(("member_id" = i64, Path, description = "The member id")),
    responses(
        (status = 200, description = "Deleted", body = DeletedBody),
        (status = 404, description = "`Team member <id> not found` (unknown or already deleted)", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn delete_member(
    State(state): State<AppState>,
    ApiPath(member_id): ApiPath<i64>,
) -> Result<Json<DeletedBody>, ApiError> {
    state
        .db()
        .delete_member(member_id)
        .await
        .map_err(|error| team_error(error, "team_ids"))?;
    Ok(Json(DeletedBody {
        success: true,
        message: format!("Team member {member_id} deleted"),
    }))
}

/// The roles a member can play in a team.
#[utoipa::path(
    get,
    path = "/team-members/roles",
    tag = "teams",
    responses((status = 200, description = "Roles by id", body = Vec<RoleBody>))
)]
async fn list_roles() -> Json<Vec<RoleBody>> {
    Json(
        ROLES
            .iter()
            .map(|role| RoleBody {
                id: role.id,
                name: role.name.to_owned(),
                description: role.description.to_owned(),
            })
            .collect(),
    )
}

/// The member levels.
#[utoipa::path(
    get,
    path = "/team-members/levels",
    tag = "teams",
    responses((status = 200, description = "Levels, most junior first", body = LevelsBody))
)]
async fn list_levels() -> Json<LevelsBody> {
    Json(LevelsBody {
        levels: LEVELS.iter().map(|level| (*level).to_owned()).collect(),
    })
}

/// The capacity per sprint of one role across active teams (on one Jira board's teams, with
/// `board_id`).
#[utoipa::path(
    get,
    path = "/team-members/role/{role_id}/capacity",
    tag = "teams",
    params(
        ("role_id" = String, Path, description = "A role's id or name (`GET /team-members/roles`)"),
        BoardQuery,
    ),
    responses(
        (status = 200, description = "The role's capacity", body = RoleCapacityResponse),
        (status = 404, description = "Unknown role, or no board record for `board_id`", body = ErrorBody),
        (status = 422, description = "`board_id` is not a number", body = ValidationErrorBody),
    )
)]
async fn role_capacity(
    State(state): State<AppState>,
    ApiPath(role_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<BoardQuery>,
) -> Result<Json<RoleCapacityResponse>, ApiError> {
    let role = store::role_named(&role_id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "Role {role_id} not found; roles are {}",
            ROLES
                .iter()
                .map(|role| format!("{} ({})", role.name, role.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if let Some(board_id) = query.board_id {
        known_board(&state, board_id).await?;
    }
    let capacity = state
        .db()
        .role_capacity(role, query.board_id)
        .await
        .map_err(store_error)?;
    Ok(Json(RoleCapacityResponse {
        role_id: role.id,
        role_name: role.name.to_owned(),
        total_capacity_days: round(capacity.total_days),
        active_members: capacity.active_members,
        board_id: query.board_id,
        teams: capacity
            .per_team
            .into_iter()
            .map(|team| RoleTeamBody {
                team_id: team.team_id,
                team_name: team.team_name,
                capacity_days: round(team.days),
                members: team.members,
            })
            .collect(),
    }))
}

// ----- teams -----

/// List teams with their members, boards and capacity.
#[utoipa::path(
    get,
    path = "/teams",
    tag = "teams",
    params(ActiveQuery),
    responses(
        (status = 200, description = "Teams by id", body = Vec<TeamResponse>),
        (status = 422, description = "`active_only` is not a boolean", body = ValidationErrorBody),
    )
)]
async fn list_teams(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ActiveQuery>,
) -> Result<Json<Vec<TeamResponse>>, ApiError> {
    let teams = state
        .db()
        .list_teams(query.active_only.unwrap_or(true))
        .await
        .map_err(store_error)?;
    Ok(Json(teams.into_iter().map(Into::into).collect()))
}

/// Create a team.
#[utoipa::path(
    post,
    path = "/teams",
    tag = "teams",
    request_body = TeamRequest,
    responses(
        (status = 200, description = "The team as stored", body = TeamResponse),
        (status = 409, description = "`Team with name <name> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `board_ids` names unknown boards", body = ValidationErrorBody),
    )
)]
async fn create_team(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TeamRequest>,
) -> Result<Json<TeamResponse>, ApiError> {
    let input = team_input(request, None)?;
    let team = state
        .db()
        .create_team(&input)
        .await
        .map_err(|error| team_error(error, "board_ids"))?;
    Ok(Json(team.into()))
}

/// A team, deleted ones included (`is_active: false`).
#[utoipa::path(
    get,
    path = "/teams/{team_id}",
    tag = "teams",
    params(("team_id" = i64, Path, description = "The team id")),
    responses(
        (status = 200, description = "The team", body = TeamResponse),
        (status = 404, description = "`Team <id> not found`", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn get_team(
    State(state): State<AppState>,
    ApiPath(team_id): ApiPath<i64>,
) -> Result<Json<TeamResponse>, ApiError> {
    match state.db().get_team(team_id).await.map_err(store_error)? {
        Some(team) => Ok(Json(team.into())),
        None => Err(not_found(Entity::Team, team_id)),
    }
}

/// Change a team.
#[utoipa::path(
    put,
    path = "/teams/{team_id}",
    tag = "teams",
    params(("team_id" = i64, Path, description = "The team id")),
    request_body = TeamRequest,
    responses(
        (status = 200, description = "The team after the change", body = TeamResponse),
        (status = 404, description = "`Team <id> not found` (unknown or deleted)", body = ErrorBody),
        (status = 409, description = "`Team with name <name> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `board_ids` names unknown boards", body = ValidationErrorBody),
    )
)]
async fn update_team(
    State(state): State<AppState>,
    ApiPath(team_id): ApiPath<i64>,
    ApiJson(request): ApiJson<TeamRequest>,
) -> Result<Json<TeamResponse>, ApiError> {
    let current = state
        .db()
        .get_team(team_id)
        .await
        .map_err(store_error)?
        .filter(|team| team.is_active)
        .ok_or_else(|| not_found(Entity::Team, team_id))?;
    let input = team_input(request, Some(&current))?;
    let team = state
        .db()
        .update_team(team_id, &input)
        .await
        .map_err(|error| team_error(error, "board_ids"))?;
    Ok(Json(team.into()))
}

/// Delete a team (soft: its memberships and board links stop counting; its name becomes free).
#[utoipa::path(
    delete,
    path = "/teams/{team_id}",
    tag = "teams",
    params(("team_id" = i64, Path, description = "The team id")),
    responses(
        (status = 200, description = "Deleted", body = DeletedBody),
        (status = 404, description = "`Team <id> not found` (unknown or already deleted)", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn delete_team(
    State(state): State<AppState>,
    ApiPath(team_id): ApiPath<i64>,
) -> Result<Json<DeletedBody>, ApiError> {
    state
        .db()
        .delete_team(team_id)
        .await
        .map_err(|error| team_error(error, "board_ids"))?;
    Ok(Json(DeletedBody {
        success: true,
        message: format!("Team {team_id} deleted"),
    }))
}

/// A team's capacity per sprint, in total and per role: what `/sprint/plan/epic` uses for
/// `team_id`.
#[utoipa::path(
    get,
    path = "/teams/{team_id}/capacity",
    tag = "teams",
    params(("team_id" = i64, Path, description = "The team id"), BoardQuery),
    responses(
        (status = 200, description = "The team's capacity", body = TeamCapacityResponse),
        (status = 404, description = "`Team <id> not found` (unknown or deleted)", body = ErrorBody),
        (status = 422, description = "The id or `board_id` is not a number", body = ValidationErrorBody),
    )
)]
async fn team_capacity(
    State(state): State<AppState>,
    ApiPath(team_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<BoardQuery>,
) -> Result<Json<TeamCapacityResponse>, ApiError> {
    let capacity = state
        .db()
        .team_capacity(team_id, query.board_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| not_found(Entity::Team, team_id))?;
    Ok(Json(TeamCapacityResponse {
        team_id: capacity.team_id,
        team_name: capacity.team_name,
        total_days: round(capacity.total_days),
        active_members: capacity.active_members,
        per_role: capacity
            .per_role
            .into_iter()
            .map(|(role, days)| (role, round(days)))
            .collect(),
        board_id: query.board_id,
        board_linked: capacity.board_linked,
    }))
}

// ----- boards -----

/// List board records with their teams.
#[utoipa::path(
    get,
    path = "/boards",
    tag = "teams",
    params(ActiveQuery),
    responses(
        (status = 200, description = "Boards by id", body = Vec<BoardResponse>),
        (status = 422, description = "`active_only` is not a boolean", body = ValidationErrorBody),
    )
)]
async fn list_boards(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ActiveQuery>,
) -> Result<Json<Vec<BoardResponse>>, ApiError> {
    let boards = state
        .db()
        .list_boards(query.active_only.unwrap_or(true))
        .await
        .map_err(store_error)?;
    Ok(Json(boards.into_iter().map(Into::into).collect()))
}

/// Record a Jira board and the teams planning on it.
#[utoipa::path(
    post,
    path = "/boards",
    tag = "teams",
    request_body = BoardRequest,
    responses(
        (status = 200, description = "The board as stored", body = BoardResponse),
        (status = 409, description = "`Board with jira_board_id <id> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `team_ids` names unknown teams", body = ValidationErrorBody),
    )
)]
async fn create_board(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BoardRequest>,
) -> Result<Json<BoardResponse>, ApiError> {
    let input = board_input(request, None)?;
    let board = state
        .db()
        .create_board(&input)
        .await
        .map_err(|error| team_error(error, "team_ids"))?;
    Ok(Json(board.into()))
}

/// A board record, deleted ones included (`is_active: false`).
#[utoipa::path(
    get,
    path = "/boards/{board_id}",
    tag = "teams",
    params(("board_id" = i64, Path, description = "The board record's id (not the Jira board id)")),
    responses(
        (status = 200, description = "The board", body = BoardResponse),
        (status = 404, description = "`Board <id> not found`", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn get_board(
    State(state): State<AppState>,
    ApiPath(board_id): ApiPath<i64>,
) -> Result<Json<BoardResponse>, ApiError> {
    match state.db().get_board(board_id).await.map_err(store_error)? {
        Some(board) => Ok(Json(board.into())),
        None => Err(not_found(Entity::Board, board_id)),
    }
}

/// Change a board record.
#[utoipa::path(
    put,
    path = "/boards/{board_id}",
    tag = "teams",
    params(("board_id" = i64, Path, description = "The board record's id")),
    request_body = BoardRequest,
    responses(
        (status = 200, description = "The board after the change", body = BoardResponse),
        (status = 404, description = "`Board <id> not found` (unknown or deleted)", body = ErrorBody),
        (status = 409, description = "`Board with jira_board_id <id> already exists`", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `team_ids` names unknown teams", body = ValidationErrorBody),
    )
)]
async fn update_board(
    State(state): State<AppState>,
    ApiPath(board_id): ApiPath<i64>,
    ApiJson(request): ApiJson<BoardRequest>,
) -> Result<Json<BoardResponse>, ApiError> {
    let current = state
        .db()
        .get_board(board_id)
        .await
        .map_err(store_error)?
        .filter(|board| board.is_active)
        .ok_or_else(|| not_found(Entity::Board, board_id))?;
    let input = board_input(request, Some(&current))?;
    let board = state
        .db()
        .update_board(board_id, &input)
        .await
        .map_err(|error| team_error(error, "team_ids"))?;
    Ok(Json(board.into()))
}

/// Delete a board record (soft: its team links stop counting; its Jira board id becomes free).
#[utoipa::path(
    delete,
    path = "/boards/{board_id}",
    tag = "teams",
    params(("board_id" = i64, Path, description = "The board record's id")),
    responses(
        (status = 200, description = "Deleted", body = DeletedBody),
        (status = 404, description = "`Board <id> not found` (unknown or already deleted)", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ValidationErrorBody),
    )
)]
async fn delete_board(
    State(state): State<AppState>,
    ApiPath(board_id): ApiPath<i64>,
) -> Result<Json<DeletedBody>, ApiError> {
    state
        .db()
        .delete_board(board_id)
        .await
        .map_err(|error| team_error(error, "team_ids"))?;
    Ok(Json(DeletedBody {
        success: true,
        message: format!("Board {board_id} deleted"),
    }))
}

// ----- validation -----

/// Collects every problem of a request before answering, like pydantic.
#[derive(Default)]
struct Issues(Vec<ValidationIssue>);

impl Issues {
    fn body(&mut self, field: &str, msg: impl Into<String>, kind: &str) {
        self.0.push(ValidationIssue::body(field, msg, kind));
    }

    fn at(&mut self, loc: Vec<LocSegment>, msg: impl Into<String>, kind: &str) {
        self.0.push(ValidationIssue::new(loc, msg, kind));
    }

    fn missing(&mut self, field: &str) {
        self.body(field, "Field required", "missing");
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// A non-empty name of at most [`MAX_TEXT`] characters, trimmed.
fn name_field(issues: &mut Issues, field: &str, value: &str) -> String {
    let name = value.trim();
    if name.is_empty() {
        issues.body(
            field,
            "String should have at least 1 character; send a name",
            "string_too_short",
        );
    } else if name.chars().count() > MAX_TEXT {
        issues.body(
            field,
            format!("String should have at most {MAX_TEXT} characters"),
            "string_too_long",
        );
    }
    name.to_owned()
}

/// An address of the form `local@domain.tld`: one `@`, no spaces, a dot inside the domain.
fn email_field(issues: &mut Issues, value: &str) -> String {
    let email = value.trim();
    let valid = email.len() <= MAX_TEXT
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if !valid {
        issues.body(
            "email",
            format!("'{email}' is not a valid e-mail address; send one like name@example.com"),
            "value_error",
        );
    }
    email.to_owned()
}

/// The `level` query filter.
fn level_of(value: &str) -> Result<&'static str, ApiError> {
    store::level_named(value).ok_or_else(|| {
        ApiError::validation(ValidationIssue::query(
            "level",
            format!(
                "'{value}' is not a level; send one of: {} (GET /team-members/levels)",
                LEVELS.join(", ")
            ),
            "enum",
        ))
    })
}

fn roles_list() -> String {
    ROLES
        .iter()
        .map(|role| role.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the store's input from a member request: `current` is the member a `PUT` changes
/// (its values fill omitted fields), `None` on create.
fn member_input(
    request: TeamMemberRequest,
    current: Option<&MemberRecord>,
) -> Result<MemberInput, ApiError> {
    let mut issues = Issues::default();
    let name = match (&request.name, current) {
        (Some(name), _) => name_field(&mut issues, "name", name),
        (None, Some(current)) => current.name.clone(),
        (None, None) => {
            issues.missing("name");
            String::new()
        }
    };
    let email = match (&request.email, current) {
        (Some(email), _) => email_field(&mut issues, email),
        (None, Some(current)) => current.email.clone(),
        (None, None) => {
            issues.missing("email");
            String::new()
        }
    };
    let level = match (&request.level, current) {
        (Some(level), _) => match store::level_named(level) {
            Some(level) => level.to_owned(),
            None => {
                issues.body(
                    "level",
                    format!(
                        "'{level}' is not a level; send one of: {} (GET /team-members/levels)",
                        LEVELS.join(", ")
                    ),
                    "enum",
                );
                String::new()
            }
        },
        (None, Some(current)) => current.level.clone(),
        (None, None) => {
            issues.missing("level");
            String::new()
        }
    };
    let days = request.capacity_days_per_sprint.unwrap_or_else(|| {
        current.map_or(DEFAULT_CAPACITY_DAYS, |member| {
            member.capacity_days_per_sprint
        })
    });
    if !(days > 0.0 && days <= MAX_CAPACITY_DAYS) {
        issues.body(
            "capacity_days_per_sprint",
            format!(
                "Input should be greater than 0 and at most {MAX_CAPACITY_DAYS} days per sprint"
            ),
            "value_error",
        );
    }
    let memberships = memberships(&mut issues, &request, current.is_none());
    issues.finish()?;
    Ok(MemberInput {
        name,
        email,
        level,
        capacity_days_per_sprint: days,
        memberships,
    })
}

/// One membership being validated: team, role, share, and where the request named it.
struct Wanted {
    team_id: i64,
    role: Option<String>,
    share: Option<f64>,
    loc: Vec<LocSegment>,
}

/// The memberships a request asks for: `team_ids` (with `roles`) and `teams` together, each team
/// once; shares not given split what the given ones leave. `None` when a `PUT` names no teams.
fn memberships(
    issues: &mut Issues,
    request: &TeamMemberRequest,
    creating: bool,
) -> Option<Vec<MembershipInput>> {
    if request.team_ids.is_none() && request.teams.is_none() {
        if request.roles.is_some() {
            issues.body(
                "roles",
                "`roles` sets the role in the teams of `team_ids`; send `team_ids` too",
                "value_error",
            );
        }
        return if creating { Some(Vec::new()) } else { None };
    }
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, team_id) in request.team_ids.iter().flatten().enumerate() {
        let loc = vec!["body".into(), "team_ids".into(), index.into()];
        if !seen.insert(*team_id) {
            issues.at(
                loc,
                format!("Team {team_id} is listed twice"),
                "value_error",
            );
            continue;
        }
        wanted.push(Wanted {
            team_id: *team_id,
            role: None,
            share: None,
            loc,
        });
    }
    for (key, role) in request.roles.iter().flatten() {
        let loc = vec!["body".into(), "roles".into(), key.as_str().into()];
        let Some(entry) = key
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| wanted.iter_mut().find(|entry| entry.team_id == id))
        else {
            issues.at(
                loc,
                format!("'{key}' is not a team id of `team_ids`; key `roles` by team id"),
                "value_error",
            );
            continue;
        };
        entry.role = Some(role.clone());
        entry.loc = loc;
    }
    for (index, team) in request.teams.iter().flatten().enumerate() {
        let loc = vec!["body".into(), "teams".into(), index.into()];
        if !seen.insert(team.team_id) {
            issues.at(
                loc,
                format!("Team {} is listed twice", team.team_id),
                "value_error",
            );
            continue;
        }
        if let Some(share) = team.capacity_allocation
            && !(share > 0.0 && share <= 1.0)
        {
            let mut at = loc.clone();
            at.push("capacity_allocation".into());
            issues.at(
                at,
                "Input should be greater than 0 and at most 1 (the share of the member's capacity)",
                "value_error",
            );
        }
        wanted.push(Wanted {
            team_id: team.team_id,
            role: team.role.clone(),
            share: team.capacity_allocation,
            loc,
        });
    }
    // Roles from the catalogue, by name or id.
    for entry in &mut wanted {
        if let Some(text) = &entry.role {
            match store::role_named(text) {
                Some(role) => entry.role = Some(role.name.to_owned()),
                None => issues.at(
                    entry.loc.clone(),
                    format!(
                        "'{text}' is not a role; send one of: {} (GET /team-members/roles)",
                        roles_list()
                    ),
                    "enum",
                ),
            }
        }
    }
    let given: f64 = wanted.iter().filter_map(|entry| entry.share).sum();
    let open = wanted.iter().filter(|entry| entry.share.is_none()).count();
    if given > 1.0 + ALLOCATION_SLACK {
        issues.body(
            "teams",
            format!("The capacity_allocation shares add up to {given}; at most 1 in all"),
            "value_error",
        );
    }
    let rest = if open == 0 {
        0.0
    } else {
        (1.0 - given) / open as f64
    };
    if open > 0 && rest <= ALLOCATION_SLACK {
        issues.body(
            "team_ids",
            "The teams of `teams` take the member's whole capacity; give every team a \
             capacity_allocation that leaves some for the others",
            "value_error",
        );
    }
    Some(
        wanted
            .into_iter()
            .map(|entry| MembershipInput {
                team_id: entry.team_id,
                role: entry.role,
                capacity_allocation: entry.share.unwrap_or(rest),
            })
            .collect(),
    )
}

/// Where unknown team ids of a member request are reported: `teams` when only it names them.
fn membership_field(request: &TeamMemberRequest) -> &'static str {
    if request.team_ids.is_none() && request.teams.is_some() {
        "teams"
    } else {
        "team_ids"
    }
}

fn team_input(request: TeamRequest, current: Option<&TeamRecord>) -> Result<TeamInput, ApiError> {
    let mut issues = Issues::default();
    let name = match (&request.name, current) {
        (Some(name), _) => name_field(&mut issues, "name", name),
        (None, Some(current)) => current.name.clone(),
        (None, None) => {
            issues.missing("name");
            String::new()
        }
    };
    let description = match (request.description, current) {
        (Some(text), _) => {
            if text.chars().count() > 4000 {
                issues.body(
                    "description",
                    "String should have at most 4000 characters",
                    "string_too_long",
                );
            }
            Some(text.trim().to_owned()).filter(|text| !text.is_empty())
        }
        (None, Some(current)) => current.description.clone(),
        (None, None) => None,
    };
    issues.finish()?;
    Ok(TeamInput {
        name,
        description,
        board_ids: request.board_ids,
    })
}

fn board_input(
    request: BoardRequest,
    current: Option<&BoardRecord>,
) -> Result<BoardInput, ApiError> {
    let mut issues = Issues::default();
    let name = match (&request.name, current) {
        (Some(name), _) => name_field(&mut issues, "name", name),
        (None, Some(current)) => current.name.clone(),
        (None, None) => {
            issues.missing("name");
            String::new()
        }
    };
    let jira_board_id = match (request.jira_board_id, current) {
        (Some(id), _) => {
            if id == 0 || i64::try_from(id).is_err() {
                issues.body(
                    "jira_board_id",
                    "Input should be a Jira board id: a whole number from 1",
                    "value_error",
                );
            }
            id
        }
        (None, Some(current)) => current.jira_board_id,
        (None, None) => {
            issues.missing("jira_board_id");
            0
        }
    };
    let project_key = match (request.project_key, current) {
        (Some(key), _) => {
            let key = key.trim().to_uppercase();
            let valid = key.is_empty()
                || (key.len() <= 255
                    && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !valid {
                issues.body(
                    "project_key",
                    format!(
                        "'{key}' is not a Jira project key; send one like DEMO (a letter, then letters, digits or _)"
                    ),
                    "value_error",
                );
            }
            Some(key).filter(|key| !key.is_empty())
        }
        (None, Some(current)) => current.project_key.clone(),
        (None, None) => None,
    };
    let board_type = match (request.board_type, current) {
        (Some(kind), _) => {
            let kind = kind.trim().to_lowercase();
            if !kind.is_empty() && !["scrum", "kanban", "simple"].contains(&kind.as_str()) {
                issues.body(
                    "board_type",
                    format!("'{kind}' is not a board type; send scrum, kanban or simple"),
                    "enum",
                );
            }
            Some(kind).filter(|kind| !kind.is_empty())
        }
        (None, Some(current)) => current.board_type.clone(),
        (None, None) => None,
    };
    issues.finish()?;
    Ok(BoardInput {
        name,
        jira_board_id,
        project_key,
        board_type,
        team_ids: request.team_ids,
    })
}

/// 404 unless an active record of the Jira board exists.
async fn known_board(state: &AppState, jira_board_id: u64) -> Result<(), ApiError> {
    match state
        .db()
        .board_by_jira_id(jira_board_id)
        .await
        .map_err(store_error)?
    {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!(
            "Board with jira_board_id {jira_board_id} not found; record it with POST /boards"
        ))),
    }
}

fn not_found(entity: Entity, id: i64) -> ApiError {
    ApiError::NotFound(format!("{} {id} not found", entity.label()))
}

/// Maps a store refusal: unknown or deleted record → 404, unknown ids in the request (reported at
/// `ids_field`) → 422, duplicates → 409.
fn team_error(error: TeamError, ids_field: &str) -> ApiError {
    match error {
        TeamError::NotFound { entity, id } => not_found(entity, id),
        TeamError::UnknownIds { entity, ids } => {
            let (field, hint) = match entity {
                Entity::Team => (ids_field, "create them with POST /teams or remove them"),
                Entity::Board => ("board_ids", "record them with POST /boards or remove them"),
                Entity::Member => (ids_field, "remove them"),
            };
            let list = ids
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::validation(ValidationIssue::body(
                field,
                format!(
                    "Unknown {} ids: {list}; {hint}",
                    entity.label().to_lowercase()
                ),
                "value_error",
            ))
        }
        TeamError::DuplicateEmail(_)
        | TeamError::DuplicateTeamName(_)
        | TeamError::DuplicateBoard(_) => ApiError::Conflict {
            detail: error.to_string(),
            headers: Vec::new(),
        },
        TeamError::OutOfRange { field, value } => ApiError::validation(ValidationIssue::body(
            field,
            format!("{value} is out of range"),
            "value_error",
        )),
        TeamError::Store(error) => store_error(error),
    }
}

/// Days rounded to 1/1000 for display, so 0.1 × 3 reads 0.3.
fn round(days: f64) -> f64 {
    (days * 1000.0).round() / 1000.0
}
