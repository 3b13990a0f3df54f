//! Sprints (docs/reference-behaviour.md §1.10, §5.1): reading a board's sprints, a sprint and
//! its issues; creating and updating a sprint; moving issues into a sprint or back to the backlog; planning an epic's work
//! into sprints by capacity and "Blocks" links; and the timeline of such a plan.
//!
//! Every read is a job too (`sprint_list`, `sprint_read`, `sprint_issues`), run inline by the
//! route, so a handler never calls Jira. Writes are previewed as their exact agile requests and
//! sent once through the write plan ([`crate::WritePlan`]).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject};
use crate::write_plan::{WriteOutcome, WritePlan};

/// The capacity of a sprint when neither `sprint_capacity_days` nor `team_id` gives one
/// (person-days; the reference's default).
pub const DEFAULT_SPRINT_CAPACITY_DAYS: f64 = 10.0;

/// A sprint as the API shows it (the reference's `SprintInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintInfo {
    pub id: u64,
    pub name: String,
    /// `future`, `active` or `closed`.
    pub state: String,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// The board the sprint was created on.
    pub board_id: Option<u64>,
    pub goal: Option<String>,
    pub complete_date: Option<DateTime<Utc>>,
}

/// `GET /sprint/board/{board_id}/sprints`: every sprint of the board (all pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListBoardSprints {
    pub board_id: u64,
    /// `future`, `active`, `closed`; empty: all.
    pub states: Vec<String>,
}

impl JobPayload for ListBoardSprints {
    const KIND: &'static str = "sprint_list";
    type Output = Vec<SprintInfo>;
}

/// `GET /sprint/{sprint_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadSprint {
    pub sprint_id: u64,
}

impl JobPayload for ReadSprint {
    const KIND: &'static str = "sprint_read";
    type Output = SprintInfo;
}

/// `GET /sprint/{sprint_id}/issues`: every issue of the sprint (all pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadSprintIssues {
    pub sprint_id: u64,
}

impl JobPayload for ReadSprintIssues {
    const KIND: &'static str = "sprint_issues";
    type Output = SprintIssuesResponse;
}

/// One issue of a sprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintIssue {
    pub key: String,
    pub id: String,
    pub summary: String,
    pub issue_type: Option<String>,
    pub status: Option<String>,
    /// `new`, `indeterminate` or `done`.
    pub status_category: Option<String>,
    pub assignee: Option<String>,
    pub parent_key: Option<String>,
}

/// The answer of `GET /sprint/{sprint_id}/issues`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintIssuesResponse {
    pub sprint_id: u64,
    pub total_issues: usize,
    pub issues: Vec<SprintIssue>,
}

/// `POST /sprint/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateSprint {
    pub board_id: u64,
    pub name: String,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub goal: Option<String>,
    /// Preview only: answer with the request, send nothing.
    pub dry_run: bool,
}

impl JobPayload for CreateSprint {
    const KIND: &'static str = "sprint_create";
    type Output = SprintChangeResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![format!("board:{}:sprint:{}", self.board_id, self.name)]
    }
}

/// `PUT /sprint/{sprint_id}`: only the fields given change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateSprint {
    pub sprint_id: u64,
    pub name: Option<String>,
    /// `future`, `active` or `closed`.
    pub state: Option<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub goal: Option<String>,
    pub dry_run: bool,
}

impl JobPayload for UpdateSprint {
    const KIND: &'static str = "sprint_update";
    type Output = SprintChangeResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![format!("sprint:{}", self.sprint_id)]
    }
}

/// The answer of a sprint create or update: the sprint (the reference's `SprintInfo` fields; in a
/// preview of a create, `null`), the exact request and what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintChangeResponse {
    pub id: Option<u64>,
    pub name: Option<String>,
    /// `future`, `active` or `closed`.
    pub state: Option<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub board_id: Option<u64>,
    pub goal: Option<String>,
    pub complete_date: Option<DateTime<Utc>>,
    pub success: bool,
    pub dry_run: bool,
    pub message: String,
    pub write_plan: WritePlan,
    pub writes: Vec<WriteOutcome>,
}

impl SprintChangeResponse {
    /// The answer about `sprint` (none: a preview of a create).
    pub fn new(
        sprint: Option<SprintInfo>,
        dry_run: bool,
        message: String,
        write_plan: WritePlan,
        writes: Vec<WriteOutcome>,
    ) -> Self {
        Self {
            id: sprint.as_ref().map(|s| s.id),
            name: sprint.as_ref().map(|s| s.name.clone()),
            state: sprint.as_ref().map(|s| s.state.clone()),
            start_date: sprint.as_ref().and_then(|s| s.start_date),
            end_date: sprint.as_ref().and_then(|s| s.end_date),
            board_id: sprint.as_ref().and_then(|s| s.board_id),
            goal: sprint.as_ref().and_then(|s| s.goal.clone()),
            complete_date: sprint.as_ref().and_then(|s| s.complete_date),
            success: true,
            dry_run,
            message,
            write_plan,
            writes,
        }
    }
}

/// `POST /sprint/{sprint_id}/assign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignToSprint {
    pub sprint_id: u64,
    pub issue_keys: Vec<String>,
    pub dry_run: bool,
}

impl JobPayload for AssignToSprint {
    const KIND: &'static str = "sprint_assign";
    type Output = SprintAssignResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::tickets(self.issue_keys.clone())
    }
}

/// The reference's assignment answer plus the write plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintAssignResponse {
    pub success: bool,
    pub sprint_id: u64,
    pub issue_keys: Vec<String>,
    pub assigned_in_jira: bool,
    pub message: String,
    pub write_plan: WritePlan,
    pub writes: Vec<WriteOutcome>,
}

/// `POST /sprint/{sprint_id}/remove`: the issues go back to the backlog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveFromSprint {
    pub sprint_id: u64,
    pub issue_keys: Vec<String>,
    pub dry_run: bool,
}

impl JobPayload for RemoveFromSprint {
    const KIND: &'static str = "sprint_remove";
    type Output = SprintRemoveResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::tickets(self.issue_keys.clone())
    }
}

/// The reference's removal answer plus the write plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintRemoveResponse {
    pub success: bool,
    pub sprint_id: u64,
    pub issue_keys: Vec<String>,
    pub removed_in_jira: bool,
    pub message: String,
    pub write_plan: WritePlan,
    pub writes: Vec<WriteOutcome>,
}

/// Where a plan's capacity comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CapacitySource {
    /// `sprint_capacity_days` (or `team_capacity_days`) of the request.
    Days(f64),
    /// The team's members (`team_id`), read when the job runs.
    Team(i64),
    /// Neither: [`DEFAULT_SPRINT_CAPACITY_DAYS`].
    Default,
}

/// What planning an epic needs; shared by `sprint_planning` and `timeline_planning`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpicPlanSpec {
    pub epic_key: String,
    pub board_id: u64,
    pub capacity: CapacitySource,
    /// The first day new sprints may start (default: the day of the request).
    pub start_date: NaiveDate,
    /// Calendar days per sprint, for new sprints and future sprints without dates.
    pub sprint_duration_days: u32,
}

/// `POST /sprint/plan/epic` (job type `sprint_planning`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEpicSprints {
    pub spec: EpicPlanSpec,
    /// Create the sprints the plan needs after the board's future ones.
    pub auto_create_sprints: bool,
    /// `false`: create the sprints and move the issues in Jira.
    pub dry_run: bool,
}

impl JobPayload for PlanEpicSprints {
    const KIND: &'static str = "sprint_planning";
    type Output = SprintPlanningResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.spec.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.spec.epic_key)
    }
}

/// Where one task goes (the reference's `SprintAssignment`, with what the plan rests on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintAssignment {
    pub task_key: String,
    pub task_summary: String,
    /// `None`: unassigned (a warning says why), or a sprint still to create in a preview.
    pub sprint_id: Option<u64>,
    pub sprint_name: Option<String>,
    pub estimated_days: f64,
    /// `mandays` (the field), `cycle_time` (estimated from the ticket) or `default`.
    pub estimate_source: String,
    pub team: Option<String>,
    /// More work than a whole sprint: placed alone, with a warning.
    pub oversized: bool,
    /// The sprint the issue is in now, if any.
    pub current_sprint_id: Option<u64>,
}

/// One sprint of a plan, existing or to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlannedSprintInfo {
    /// `None` for a sprint to create (until it is created).
    pub sprint_id: Option<u64>,
    pub name: String,
    pub start_date: NaiveDate,
    /// Last day (inclusive).
    pub end_date: NaiveDate,
    /// A sprint the plan creates.
    pub new: bool,
    pub capacity_days: f64,
    pub used_days: f64,
    /// `used_days / capacity_days`.
    pub utilisation: f64,
    pub task_keys: Vec<String>,
}

/// A child of the epic the plan leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SkippedIssue {
    pub key: String,
    pub reason: String,
}

/// The capacity a plan used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CapacityUsed {
    /// `request`, `team` or `default`.
    pub source: String,
    /// Person-days per sprint (all teams).
    pub days_per_sprint: f64,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    /// Per role, when the team's capacity is split by role (tasks draw on their role's pool).
    pub per_role: BTreeMap<String, f64>,
}

/// The answer of `POST /sprint/plan/epic` (the reference's `SprintPlanningResponse`, filled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SprintPlanningResponse {
    pub epic_key: String,
    pub board_id: u64,
    pub success: bool,
    pub dry_run: bool,
    pub assignments: Vec<SprintAssignment>,
    /// Every sprint of the plan in time order (existing future sprints, then new ones).
    pub sprints: Vec<PlannedSprintInfo>,
    /// Sprints created (or, in a preview, to create).
    pub sprints_created: Vec<PlannedSprintInfo>,
    pub total_tasks: usize,
    /// Sprints the plan spans.
    pub total_sprints: usize,
    /// Utilisation per sprint name.
    pub capacity_utilization: BTreeMap<String, f64>,
    pub capacity: CapacityUsed,
    pub estimated_completion_date: Option<NaiveDate>,
    pub skipped: Vec<SkippedIssue>,
    pub errors: Vec<String>,
    /// Oversized tasks, missing estimates, unassigned tasks.
    pub warnings: Vec<String>,
    /// The exact Jira requests: sprints to create, then issues to move.
    pub write_plan: WritePlan,
    pub writes: Vec<WriteOutcome>,
}

/// `POST /sprint/timeline` (job type `timeline_planning`): the plan as a timeline, stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTimeline {
    pub spec: EpicPlanSpec,
}

impl JobPayload for PlanTimeline {
    const KIND: &'static str = "timeline_planning";
    type Output = TimelineResponse;

    fn lock_keys(&self) -> Vec<String> {
        vec![self.spec.epic_key.clone()]
    }

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.spec.epic_key)
    }
}

/// One task on a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TimelineTaskInfo {
    pub key: String,
    pub summary: String,
    pub team: Option<String>,
    pub estimated_days: f64,
    pub oversized: bool,
}

/// One sprint on a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TimelineSprintInfo {
    pub sprint_id: Option<u64>,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// A sprint that does not exist yet.
    pub new: bool,
    pub capacity_days: f64,
    pub used_days: f64,
    pub utilisation: f64,
    pub tasks: Vec<TimelineTaskInfo>,
}

/// The answer of `POST /sprint/timeline` and `GET /sprint/timeline/{epic_key}` (the reference's
/// `TimelineResponse`, filled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TimelineResponse {
    pub epic_key: String,
    pub board_id: u64,
    pub start_date: NaiveDate,
    pub sprint_duration_days: u32,
    pub sprints: Vec<TimelineSprintInfo>,
    pub total_sprints: usize,
    pub total_tasks: usize,
    pub estimated_completion_date: Option<NaiveDate>,
    pub capacity: CapacityUsed,
    pub computed_at: DateTime<Utc>,
    /// Tasks without a sprint (no room and no sprint may be created, or a blocker unassigned).
    pub unassigned: Vec<String>,
    pub skipped: Vec<SkippedIssue>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// The timeline as the chart and table renderers read it (`sprint_planning::Timeline`).
    #[schema(value_type = Object)]
    pub chart: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_response_carries_the_sprint_fields_or_nulls() {
        let preview = SprintChangeResponse::new(
            None,
            true,
            "preview".into(),
            WritePlan::default(),
            Vec::new(),
        );
        let value = serde_json::to_value(&preview).expect("serializes");
        assert!(value["id"].is_null(), "{value}");
        assert_eq!(value["dry_run"], true);
        let created = SprintChangeResponse::new(
            Some(SprintInfo {
                id: 7,
                name: "Sprint 7".into(),
                state: "future".into(),
                start_date: None,
                end_date: None,
                board_id: Some(1),
                goal: None,
                complete_date: None,
            }),
            false,
            "created".into(),
            WritePlan::default(),
            Vec::new(),
        );
        let value = serde_json::to_value(&created).expect("serializes");
        assert_eq!(
            (value["id"].as_u64(), value["name"].as_str()),
            (Some(7), Some("Sprint 7"))
        );
        assert_eq!(value["board_id"], 1);
        let back: SprintChangeResponse = serde_json::from_value(value).expect("parses");
        assert_eq!(back, created);
    }
}
