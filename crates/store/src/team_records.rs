//! The values that cross the store's API for teams, members, boards and stored sprint timelines:
//! what to create or change, what is stored, team capacity, and the errors a team request can
//! meet (unknown ids, duplicates) so the HTTP edge can answer 404, 409 or 422.
//!
//! Also the role and level catalogues: a membership's role is one of [`ROLES`] (lower-case
//! names, which the sprint planner uses as per-team capacity pools matching task teams), a
//! member's level one of [`LEVELS`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// One role a member can play in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// Stable id (`GET /team-members/role/{role_id}/capacity`).
    pub id: u32,
    /// Lower-case name, as stored and as the planner's per-team pools are named.
    pub name: &'static str,
    /// What the role covers.
    pub description: &'static str,
}

/// Every role, in id order. Ids are stable: add new roles at the end.
pub const ROLES: [Role; 6] = [
    Role {
        id: 1,
        name: "backend",
        description: "APIs, databases, business logic, integrations",
    },
    Role {
        id: 2,
        name: "frontend",
        description: "Web UI components, pages, client-side state",
    },
    Role {
        id: 3,
        name: "qa",
        description: "Test plans, automated and exploratory testing",
    },
    Role {
        id: 4,
        name: "mobile",
        description: "iOS and Android apps",
    },
    Role {
        id: 5,
        name: "devops",
        description: "Infrastructure, deployment pipelines, monitoring",
    },
    Role {
        id: 6,
        name: "fullstack",
        description: "Backend and frontend work alike",
    },
];

/// The role of a membership created without one whose team's name names no role.
pub const UNASSIGNED_ROLE: &str = "unassigned";

/// Member levels, most junior first.
pub const LEVELS: [&str; 7] = [
    "intern",
    "junior",
    "mid",
    "senior",
    "staff",
    "lead",
    "principal",
];

/// The catalogue role named by `text` (case-insensitive; common spellings such as `BE`,
/// `Front-end`, `Quality Assurance`, `Full stack` accepted), or by its numeric id.
pub fn role_named(text: &str) -> Option<Role> {
    let key: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '/'))
        .flat_map(char::to_lowercase)
        .collect();
    if let Ok(id) = key.parse::<u32>() {
        return ROLES.iter().copied().find(|role| role.id == id);
    }
    let name = match key.as_str() {
        "be" | "back" | "backend" | "server" | "api" => "backend",
        "fe" | "front" | "frontend" | "web" | "ui" => "frontend",
        "qa" | "qe" | "test" | "testing" | "tester" | "qualityassurance" => "qa",
        "mobile" | "ios" | "android" => "mobile",
        "devops" | "ops" | "sre" | "infra" | "infrastructure" | "platform" => "devops",
        "fullstack" | "fs" => "fullstack",
        _ => return None,
    };
    ROLES.iter().copied().find(|role| role.name == name)
}

/// The role a membership without an explicit role takes: the one its team's name names
/// ("Backend", "QA team", "Mobile squad"), else [`UNASSIGNED_ROLE`].
pub fn role_for_team_name(team_name: &str) -> &'static str {
    if let Some(role) = role_named(team_name) {
        return role.name;
    }
    team_name
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .find_map(role_named)
        .map_or(UNASSIGNED_ROLE, |role| role.name)
}

/// The level named by `text` (case-insensitive), as stored.
pub fn level_named(text: &str) -> Option<&'static str> {
    let key = text.trim().to_lowercase();
    let key = match key.as_str() {
        "middle" | "intermediate" | "mid-level" | "midlevel" => "mid",
        "sr" | "sr." => "senior",
        "jr" | "jr." => "junior",
        other => other,
    };
    LEVELS.iter().copied().find(|level| *level == key)
}

/// A member's place in one team, as requested.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipInput {
    /// The team.
    pub team_id: i64,
    /// A catalogue role name; `None` takes the role the team's name names ([`role_for_team_name`]).
    pub role: Option<String>,
    /// The share of the member's sprint capacity this team gets, in (0, 1].
    pub capacity_allocation: f64,
}

/// A member to create, or the new state of one (`PUT`).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberInput {
    /// Display name.
    pub name: String,
    /// E-mail address; unique among active members, compared case-insensitively.
    pub email: String,
    /// One of [`LEVELS`].
    pub level: String,
    /// Working days the member has in one sprint.
    pub capacity_days_per_sprint: f64,
    /// The member's teams. On update, `None` keeps the memberships as they are; `Some` replaces
    /// them.
    pub memberships: Option<Vec<MembershipInput>>,
}

/// A stored member with their memberships.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    /// Id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// E-mail address as entered.
    pub email: String,
    /// Level.
    pub level: String,
    /// Working days per sprint.
    pub capacity_days_per_sprint: f64,
    /// False once deleted.
    pub is_active: bool,
    /// Memberships, by team id; memberships of deleted teams included, marked.
    pub teams: Vec<MemberTeam>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One team of a member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberTeam {
    /// Team id.
    pub id: i64,
    /// Team name.
    pub name: String,
    /// Team description.
    pub description: Option<String>,
    /// The member's role there.
    pub role: String,
    /// The share of the member's capacity the team gets.
    pub capacity_allocation: f64,
    /// False when the team was deleted (the membership no longer counts).
    pub team_active: bool,
}

/// Filters of [`crate::Database::list_members`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberFilter {
    /// Only members of this team.
    pub team_id: Option<i64>,
    /// Only members of this level.
    pub level: Option<String>,
    /// Leave deleted members out.
    pub active_only: bool,
}

/// A team to create, or the new state of one.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamInput {
    /// Name; unique among active teams, compared case-insensitively.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The boards (our ids) the team plans on. On update, `None` keeps the links.
    pub board_ids: Option<Vec<i64>>,
}

/// A stored team with its members and boards.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// False once deleted.
    pub is_active: bool,
    /// Its active members, by member id.
    pub members: Vec<TeamMemberEntry>,
    /// Its active boards, by board id.
    pub boards: Vec<BoardSummary>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamMemberEntry {
    /// Member id.
    pub member_id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Level.
    pub level: String,
    /// Role in this team.
    pub role: String,
    /// Share of the member's capacity.
    pub capacity_allocation: f64,
    /// The member's days per sprint.
    pub capacity_days_per_sprint: f64,
}

impl TeamMemberEntry {
    /// The days this member gives this team per sprint.
    pub fn effective_days(&self) -> f64 {
        self.capacity_days_per_sprint * self.capacity_allocation
    }
}

/// A board to create, or the new state of one.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardInput {
    /// Name.
    pub name: String,
    /// The Jira board id; unique among active boards.
    pub jira_board_id: u64,
    /// The Jira project the board shows.
    pub project_key: Option<String>,
    /// `scrum`, `kanban`, ...
    pub board_type: Option<String>,
    /// The teams planning on the board. On update, `None` keeps the links.
    pub team_ids: Option<Vec<i64>>,
}

/// A stored board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Jira board id.
    pub jira_board_id: u64,
    /// Jira project key.
    pub project_key: Option<String>,
    /// Board type.
    pub board_type: Option<String>,
    /// False once deleted.
    pub is_active: bool,
    /// The active teams linked to it.
    pub teams: Vec<TeamSummary>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A board as listed under a team.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Jira board id.
    pub jira_board_id: u64,
    /// Jira project key.
    pub project_key: Option<String>,
}

/// A team as listed under a board.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A team's capacity per sprint: the sum over its active members of `capacity_days_per_sprint ×
/// capacity_allocation`.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamCapacity {
    /// The team.
    pub team_id: i64,
    /// Its name.
    pub team_name: String,
    /// Days per sprint, all roles together.
    pub total_days: f64,
    /// Active members counted.
    pub active_members: u32,
    /// Days per sprint by role (lower-case role names).
    pub per_role: BTreeMap<String, f64>,
    /// When a Jira board was asked about: whether the team is linked to an active record of it.
    /// The capacity is the team's either way; the planner may warn when it is `Some(false)`.
    pub board_linked: Option<bool>,
}

/// The capacity of one role across active teams.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleCapacity {
    /// The role.
    pub role: Role,
    /// Days per sprint.
    pub total_days: f64,
    /// Distinct active members playing the role.
    pub active_members: u32,
    /// By team, in team id order.
    pub per_team: Vec<RoleTeamCapacity>,
}

/// One team's share of a role's capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleTeamCapacity {
    /// Team id.
    pub team_id: i64,
    /// Team name.
    pub team_name: String,
    /// Days per sprint of the role in this team.
    pub days: f64,
    /// Members playing the role there.
    pub members: u32,
}

/// A sprint timeline as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTimeline {
    /// The timeline JSON as saved.
    pub timeline: serde_json::Value,
    /// When it was saved.
    pub computed_at: DateTime<Utc>,
}

/// Which kind of record an id names, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A team member.
    Member,
    /// A team.
    Team,
    /// A board.
    Board,
}

impl Entity {
    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Entity::Member => "Team member",
            Entity::Team => "Team",
            Entity::Board => "Board",
        }
    }
}

/// Why a team, member or board request was refused.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The record does not exist, or was deleted (404).
    #[error("{} {id} not found", .entity.label())]
    NotFound {
        /// What kind of record.
        entity: Entity,
        /// The id asked for.
        id: i64,
    },
    /// A request names records that do not exist or were deleted (422: the ids are input).
    #[error("unknown {} ids: {}", .entity.label().to_lowercase(), join_ids(.ids))]
    UnknownIds {
        /// What kind of records.
        entity: Entity,
        /// Every unknown id, ascending.
        ids: Vec<i64>,
    },
    /// Another active member has this e-mail address (409).
    #[error("Member with email {0} already exists")]
    DuplicateEmail(String),
    /// Another active team has this name (409).
    #[error("Team with name {0} already exists")]
    DuplicateTeamName(String),
    /// Another active board record names this Jira board (409).
    #[error("Board with jira_board_id {0} already exists")]
    DuplicateBoard(u64),
    /// A value the database cannot hold (a Jira board id above 2^63 - 1).
    #[error("{field} {value} is out of range")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TeamError {
    fn from(error: sqlx::Error) -> Self {
        TeamError::Store(error.into())
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_found_by_name_alias_and_id() {
        assert_eq!(role_named("Backend").map(|r| r.name), Some("backend"));
        assert_eq!(role_named(" BE ").map(|r| r.name), Some("backend"));
        assert_eq!(role_named("Front-end").map(|r| r.name), Some("frontend"));
        assert_eq!(role_named("Full stack").map(|r| r.name), Some("fullstack"));
        assert_eq!(role_named("3").map(|r| r.name), Some("qa"));
        assert_eq!(role_named("99"), None);
        assert_eq!(role_named("chef"), None);
        for (index, role) in ROLES.iter().enumerate() {
            assert_eq!(role.id as usize, index + 1, "ids are positions");
            assert_eq!(role_named(role.name), Some(*role));
        }
    }

    #[test]
    fn team_names_suggest_roles() {
        assert_eq!(role_for_team_name("Backend"), "backend");
        assert_eq!(role_for_team_name("QA team"), "qa");
        assert_eq!(role_for_team_name("Mobile squad"), "mobile");
        assert_eq!(role_for_team_name("Payments"), UNASSIGNED_ROLE);
    }

    #[test]
    fn levels_are_found_case_insensitively() {
        assert_eq!(level_named("Senior"), Some("senior"));
        assert_eq!(level_named("sr"), Some("senior"));
        assert_eq!(level_named("Intermediate"), Some("mid"));
        assert_eq!(level_named("wizard"), None);
    }
}
