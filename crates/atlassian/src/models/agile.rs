//! Jira Software (agile 1.0) records: boards and sprints, and what callers send to create or
//! change a sprint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::time::lenient_timestamp;

/// A board.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Board {
    pub id: u64,
    pub name: String,
    /// `scrum`, `kanban` or `simple`.
    #[serde(rename = "type", default)]
    pub board_type: String,
    #[serde(default)]
    pub location: Option<BoardLocation>,
}

/// The project a board belongs to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardLocation {
    #[serde(default)]
    pub project_id: Option<u64>,
    #[serde(default)]
    pub project_key: Option<String>,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The state of a sprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SprintState {
    Future,
    Active,
    Closed,
}

impl SprintState {
    pub fn as_str(self) -> &'static str {
        match self {
            SprintState::Future => "future",
            SprintState::Active => "active",
            SprintState::Closed => "closed",
        }
    }
}

/// A sprint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sprint {
    pub id: u64,
    pub name: String,
    pub state: SprintState,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub end_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub complete_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub origin_board_id: Option<u64>,
    #[serde(default)]
    pub goal: Option<String>,
}

/// A sprint to create (it starts in state `future`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSprint {
    pub name: String,
    pub origin_board_id: u64,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub goal: Option<String>,
}

/// A partial sprint update: only the `Some` fields change. Jira allows `future -> active` (with
/// both dates set) and `active -> closed`; closed sprints cannot change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SprintUpdate {
    pub name: Option<String>,
    pub state: Option<SprintState>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub goal: Option<String>,
}
