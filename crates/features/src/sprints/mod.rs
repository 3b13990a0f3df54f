//! Sprints (docs/reference-behaviour.md §1.10, §5.1): the `sprint_list`, `sprint_read`,
//! `sprint_issues` reads and the `sprint_create`, `sprint_update`, `sprint_assign`, `sprint_remove` writes, each a job the
//! route runs inline; [`planning`] plans an epic's work into sprints and draws its timeline.
//!
//! Writes are [`SprintWrite`]s: previewed as the exact agile requests, sent once through the
//! [`Executor`] (docs/exactly-once.md). Jira's own rules are checked first so the answer names
//! the problem: an unknown board or sprint is a 404, a closed sprint as a target a 422.

pub mod planning;

use atlassian::models::{Issue, NewSprint, Sprint, SprintState, SprintUpdate};
use job_types::WriteOutcome;
use job_types::sprints::{
    AssignToSprint, CreateSprint, ListBoardSprints, ReadSprint, ReadSprintIssues, RemoveFromSprint,
    SprintAssignResponse, SprintChangeResponse, SprintInfo, SprintIssue, SprintIssuesResponse,
    SprintRemoveResponse, UpdateSprint,
};
use jobs::JobContext;

use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::writes::{Executor, SprintRef, SprintWrite, Write, WriteScope, WriteStep, preview};

/// Most issues one agile move request carries (Jira's limit).
pub const MOVE_CHUNK: usize = 50;

/// Most issues `GET /sprint/{id}/issues` returns.
pub const MAX_SPRINT_ISSUES: usize = 5_000;

/// A sprint as the API shows it.
pub fn sprint_info(sprint: &Sprint) -> SprintInfo {
    SprintInfo {
        id: sprint.id,
        name: sprint.name.clone(),
        state: sprint.state.as_str().to_owned(),
        start_date: sprint.start_date,
        end_date: sprint.end_date,
        board_id: sprint.origin_board_id,
        goal: sprint.goal.clone(),
        complete_date: sprint.complete_date,
    }
}

/// `future` / `active` / `closed`.
pub fn parse_state(text: &str) -> Option<SprintState> {
    match text.trim().to_ascii_lowercase().as_str() {
        "future" => Some(SprintState::Future),
        "active" => Some(SprintState::Active),
        "closed" => Some(SprintState::Closed),
        _ => None,
    }
}

/// The sprints of a board in `states` (all pages); an unknown board is a 404 naming it.
pub async fn board_sprints(
    env: &JobEnv,
    board_id: u64,
    states: &[SprintState],
) -> Result<Vec<Sprint>, Failure> {
    env.jira
        .board_sprints(board_id, states)
        .await
        .map_err(|error| match error {
            atlassian::Error::NotFound { .. } => Failure::not_found(format!(
                "Board {board_id} not found: check the board id (GET /rest/agile/1.0/board lists them)"
            )),
            other => Failure::jira(&format!("board {board_id}"), other),
        })
}

/// A sprint by id; an unknown sprint is a 404 naming it.
pub async fn read_sprint(env: &JobEnv, sprint_id: u64) -> Result<Sprint, Failure> {
    env.jira
        .sprint(sprint_id)
        .await
        .map_err(|error| match error {
            atlassian::Error::NotFound { .. } => {
                Failure::not_found(format!("Sprint {sprint_id} not found"))
            }
            other => Failure::jira(&format!("sprint {sprint_id}"), other),
        })
}

/// Refuses a closed sprint as the target of a move or an update.
fn open_sprint(sprint: &Sprint) -> Result<(), Failure> {
    if sprint.state == SprintState::Closed {
        return Err(Failure::invalid(format!(
            "Sprint {} ({}) is closed: issues can only be moved into an active or future sprint, \
             and a closed sprint cannot change",
            sprint.id, sprint.name
        )));
    }
    Ok(())
}

/// Checks that every key names an issue (404 naming the first that does not).
async fn require_issues(env: &JobEnv, keys: &[String]) -> Result<(), Failure> {
    for key in keys {
        match env.jira.get_issue(key, &["summary"], &[]).await {
            Ok(_) => {}
            Err(atlassian::Error::NotFound { .. }) => {
                return Err(Failure::not_found(format!("Issue {key} not found")));
            }
            Err(error) => return Err(Failure::jira(key, error)),
        }
    }
    Ok(())
}

/// Moves of `keys` into `sprint`, one step per 50 issues, named after `prefix`.
pub fn move_steps(prefix: &str, sprint: &SprintRef, keys: &[String]) -> Vec<WriteStep> {
    keys.chunks(MOVE_CHUNK)
        .enumerate()
        .map(|(index, chunk)| {
            WriteStep::new(
                format!("{prefix}:{index}"),
                Write::Sprint(SprintWrite::MoveToSprint {
                    sprint: sprint.clone(),
                    issues: chunk.to_vec(),
                }),
            )
        })
        .collect()
}

/// Runs `steps` once each; the first failure fails the request (with its code).
async fn run_steps(
    env: &JobEnv,
    scope: &WriteScope,
    steps: &[WriteStep],
) -> Result<Vec<WriteOutcome>, Failure> {
    let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
    let mut outcomes = Vec::with_capacity(steps.len());
    for step in steps {
        outcomes.push(executor.try_run(step).await?);
    }
    Ok(outcomes)
}

impl BackgroundJob for ListBoardSprints {
    async fn run(self, env: &JobEnv, _ctx: &JobContext) -> Result<Self::Output, Failure> {
        let states: Vec<SprintState> = self
            .states
            .iter()
            .map(|state| {
                parse_state(state).ok_or_else(|| {
                    Failure::invalid(format!(
                        "state `{state}` is not a sprint state: use future, active or closed"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let sprints = board_sprints(env, self.board_id, &states).await?;
        Ok(sprints.iter().map(sprint_info).collect())
    }
}

impl BackgroundJob for ReadSprint {
    async fn run(self, env: &JobEnv, _ctx: &JobContext) -> Result<Self::Output, Failure> {
        Ok(sprint_info(&read_sprint(env, self.sprint_id).await?))
    }
}

fn sprint_issue(issue: &Issue) -> SprintIssue {
    SprintIssue {
        key: issue.key.clone(),
        id: issue.id.clone(),
        summary: issue.summary().to_owned(),
        issue_type: issue.issue_type_name().map(str::to_owned),
        status: issue.status_name().map(str::to_owned),
        status_category: issue
            .fields
            .status
            .as_ref()
            .and_then(|status| status.status_category.as_ref())
            .map(|category| category.key.clone()),
        assignee: issue
            .fields
            .assignee
            .as_ref()
            .map(|user| user.display_name.clone()),
        parent_key: issue.parent_key().map(str::to_owned),
    }
}

impl BackgroundJob for ReadSprintIssues {
    async fn run(self, env: &JobEnv, _ctx: &JobContext) -> Result<Self::Output, Failure> {
        read_sprint(env, self.sprint_id).await?;
        let issues = env
            .jira
            .sprint_issues(
                self.sprint_id,
                &["summary", "status", "issuetype", "assignee", "parent"],
                MAX_SPRINT_ISSUES,
            )
            .await
            .map_err(|error| Failure::jira(&format!("sprint {}", self.sprint_id), error))?;
        Ok(SprintIssuesResponse {
            sprint_id: self.sprint_id,
            total_issues: issues.len(),
            issues: issues.iter().map(sprint_issue).collect(),
        })
    }
}

impl BackgroundJob for CreateSprint {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        create_sprint(env, &WriteScope::of(ctx), &self).await
    }
}

/// `sprint_create`: checks the board and the dates, then previews or creates.
pub async fn create_sprint(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &CreateSprint,
) -> Result<SprintChangeResponse, Failure> {
    let existing = board_sprints(env, payload.board_id, &[]).await?;
    check_dates(payload.start_date, payload.end_date)?;
    let step = WriteStep::new(
        "create-sprint",
        Write::Sprint(SprintWrite::Create(NewSprint {
            name: payload.name.clone(),
            origin_board_id: payload.board_id,
            start_date: payload.start_date,
            end_date: payload.end_date,
            goal: payload.goal.clone(),
        })),
    );
    let write_plan = preview(&env.jira, scope.id(), std::slice::from_ref(&step)).await?;
    if payload.dry_run {
        let same_name = existing
            .iter()
            .any(|sprint| sprint.name == payload.name && sprint.state != SprintState::Closed);
        return Ok(SprintChangeResponse::new(
            None,
            true,
            if same_name {
                format!(
                    "Preview: board {} already has an open sprint named {:?}; creating would add a second",
                    payload.board_id, payload.name
                )
            } else {
                format!(
                    "Preview: sprint {:?} would be created on board {}",
                    payload.name, payload.board_id
                )
            },
            write_plan,
            Vec::new(),
        ));
    }
    let writes = run_steps(env, scope, std::slice::from_ref(&step)).await?;
    let id = writes
        .first()
        .and_then(|outcome| outcome.result.as_ref())
        .and_then(|result| result.get("id"))
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| Failure::internal("the sprint create returned no id"))?;
    let sprint = read_sprint(env, id).await?;
    Ok(SprintChangeResponse::new(
        Some(sprint_info(&sprint)),
        false,
        format!(
            "Sprint {} ({}) created on board {}",
            sprint.id, sprint.name, payload.board_id
        ),
        write_plan,
        writes,
    ))
}

fn check_dates(
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), Failure> {
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        return Err(Failure::invalid(format!(
            "end_date ({end}) is before start_date ({start}): a sprint must end after it starts"
        )));
    }
    Ok(())
}

impl BackgroundJob for UpdateSprint {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        update_sprint(env, &WriteScope::of(ctx), &self).await
    }
}

/// `sprint_update`: a partial update of the fields given.
pub async fn update_sprint(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &UpdateSprint,
) -> Result<SprintChangeResponse, Failure> {
    let current = read_sprint(env, payload.sprint_id).await?;
    open_sprint(&current)?;
    let state = payload
        .state
        .as_deref()
        .map(|text| {
            parse_state(text).ok_or_else(|| {
                Failure::invalid(format!(
                    "state `{text}` is not a sprint state: use future, active or closed"
                ))
            })
        })
        .transpose()?;
    check_dates(
        payload.start_date.or(current.start_date),
        payload.end_date.or(current.end_date),
    )?;
    let update = SprintUpdate {
        name: payload.name.clone(),
        state,
        start_date: payload.start_date,
        end_date: payload.end_date,
        goal: payload.goal.clone(),
    };
    let step = WriteStep::new(
        "update-sprint",
        Write::Sprint(SprintWrite::Update {
            sprint_id: payload.sprint_id,
            update,
        }),
    );
    let write_plan = preview(&env.jira, scope.id(), std::slice::from_ref(&step)).await?;
    if payload.dry_run {
        return Ok(SprintChangeResponse::new(
            Some(sprint_info(&current)),
            true,
            format!("Preview: sprint {} would be updated", payload.sprint_id),
            write_plan,
            Vec::new(),
        ));
    }
    let writes = run_steps(env, scope, std::slice::from_ref(&step)).await?;
    let sprint = read_sprint(env, payload.sprint_id).await?;
    Ok(SprintChangeResponse::new(
        Some(sprint_info(&sprint)),
        false,
        format!("Sprint {} ({}) updated", sprint.id, sprint.name),
        write_plan,
        writes,
    ))
}

impl BackgroundJob for AssignToSprint {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        assign_to_sprint(env, &WriteScope::of(ctx), &self).await
    }
}

/// `sprint_assign`: moves issues into an open sprint.
pub async fn assign_to_sprint(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &AssignToSprint,
) -> Result<SprintAssignResponse, Failure> {
    let sprint = read_sprint(env, payload.sprint_id).await?;
    open_sprint(&sprint)?;
    require_issues(env, &payload.issue_keys).await?;
    let steps = move_steps(
        &format!("assign:{}", payload.sprint_id),
        &SprintRef::Existing(payload.sprint_id),
        &payload.issue_keys,
    );
    let write_plan = preview(&env.jira, scope.id(), &steps).await?;
    let count = payload.issue_keys.len();
    if payload.dry_run {
        return Ok(SprintAssignResponse {
            success: true,
            sprint_id: payload.sprint_id,
            issue_keys: payload.issue_keys.clone(),
            assigned_in_jira: false,
            message: format!(
                "Preview: {count} issue(s) would be moved to sprint {} ({}); send dry_run=false to move them",
                sprint.id, sprint.name
            ),
            write_plan,
            writes: Vec::new(),
        });
    }
    let writes = run_steps(env, scope, &steps).await?;
    Ok(SprintAssignResponse {
        success: true,
        sprint_id: payload.sprint_id,
        issue_keys: payload.issue_keys.clone(),
        assigned_in_jira: true,
        message: format!(
            "{count} issue(s) moved to sprint {} ({})",
            sprint.id, sprint.name
        ),
        write_plan,
        writes,
    })
}

impl BackgroundJob for RemoveFromSprint {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        remove_from_sprint(env, &WriteScope::of(ctx), &self).await
    }
}

/// `sprint_remove`: moves issues of a sprint back to the backlog.
pub async fn remove_from_sprint(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &RemoveFromSprint,
) -> Result<SprintRemoveResponse, Failure> {
    let sprint = read_sprint(env, payload.sprint_id).await?;
    open_sprint(&sprint)?;
    require_issues(env, &payload.issue_keys).await?;
    let steps: Vec<WriteStep> = payload
        .issue_keys
        .chunks(MOVE_CHUNK)
        .enumerate()
        .map(|(index, chunk)| {
            WriteStep::new(
                format!("backlog:{}:{index}", payload.sprint_id),
                Write::Sprint(SprintWrite::MoveToBacklog {
                    issues: chunk.to_vec(),
                }),
            )
        })
        .collect();
    let write_plan = preview(&env.jira, scope.id(), &steps).await?;
    let count = payload.issue_keys.len();
    if payload.dry_run {
        return Ok(SprintRemoveResponse {
            success: true,
            sprint_id: payload.sprint_id,
            issue_keys: payload.issue_keys.clone(),
            removed_in_jira: false,
            message: format!("Preview: {count} issue(s) would be moved to the backlog"),
            write_plan,
            writes: Vec::new(),
        });
    }
    let writes = run_steps(env, scope, &steps).await?;
    Ok(SprintRemoveResponse {
        success: true,
        sprint_id: payload.sprint_id,
        issue_keys: payload.issue_keys.clone(),
        removed_in_jira: true,
        message: format!(
            "{count} issue(s) moved from sprint {} ({}) to the backlog",
            sprint.id, sprint.name
        ),
        write_plan,
        writes,
    })
}
