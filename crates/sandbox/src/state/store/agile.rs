//! Board and sprint rules: sprint creation, Jira Software's state machine, and moving issues
//! between sprints and the backlog.

use chrono::{DateTime, Utc};

use super::{SprintChanges, Store};
use crate::state::StoreError;
use crate::state::model::{Board, Sprint, SprintState, StatusCategory};

impl Store {
    // ----- boards and sprints ------------------------------------------------------------

    /// All boards.
    pub fn boards(&self) -> &[Board] {
        &self.boards
    }

    /// A board by id.
    pub fn board(&self, id: u64) -> Option<&Board> {
        self.boards.iter().find(|b| b.id == id)
    }

    /// Adds a scrum board for a project; returns its id.
    pub fn add_board(&mut self, name: &str, project_id: &str) -> u64 {
        let id = self.boards.len() as u64 + 1;
        self.boards.push(Board {
            id,
            name: name.into(),
            board_type: "scrum".into(),
            project_id: project_id.into(),
            parallel_sprints: false,
        });
        id
    }

    /// Allows or forbids several active sprints on a board.
    pub fn set_parallel_sprints(&mut self, board_id: u64, allowed: bool) {
        if let Some(board) = self.boards.iter_mut().find(|b| b.id == board_id) {
            board.parallel_sprints = allowed;
        }
    }

    /// All sprints in id order.
    pub fn sprints(&self) -> impl Iterator<Item = &Sprint> {
        self.sprints.values()
    }

    /// A sprint by id.
    pub fn sprint(&self, id: u64) -> Option<&Sprint> {
        self.sprints.get(&id)
    }

    /// Creates a future sprint on a board.
    pub fn create_sprint(
        &mut self,
        name: &str,
        board_id: u64,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
        goal: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid_field(
                "name",
                "Sprint name is required.",
            ));
        }
        if name.chars().count() > 30 {
            return Err(StoreError::invalid_field(
                "name",
                "The sprint name is too long. Sprint names must be 30 characters or less.",
            ));
        }
        if self.board(board_id).is_none() {
            return Err(StoreError::invalid_field(
                "originBoardId",
                format!("Board with id {board_id} does not exist."),
            ));
        }
        let id = self.next_sprint_id;
        self.next_sprint_id += 1;
        self.sprints.insert(
            id,
            Sprint {
                id,
                name: name.into(),
                state: SprintState::Future,
                start_date: start,
                end_date: end,
                complete_date: None,
                created_date: now,
                origin_board_id: board_id,
                goal,
            },
        );
        Ok(id)
    }

    /// Updates a sprint following Jira Software's rules: closed sprints are final; a future
    /// sprint becomes active only with start and end dates and (unless the board allows
    /// parallel sprints) when no other sprint is active; an active sprint can only be closed;
    /// closing sets the complete date and moves unfinished issues out; the complete date
    /// cannot be set by hand.
    pub fn update_sprint(
        &mut self,
        id: u64,
        changes: SprintChanges,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(current) = self.sprints.get(&id).cloned() else {
            return Err(StoreError::NotFound(format!(
                "The sprint with id {id} does not exist."
            )));
        };
        if current.state == SprintState::Closed {
            return Err(StoreError::invalid("A closed sprint cannot be updated."));
        }
        if changes.complete_date_set {
            return Err(StoreError::invalid_field(
                "completeDate",
                "The complete date of a sprint cannot be set.",
            ));
        }
        let mut next = current.clone();
        if let Some(name) = changes.name {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(StoreError::invalid_field(
                    "name",
                    "Sprint name is required.",
                ));
            }
            next.name = name;
        }
        if let Some(start) = changes.start_date {
            next.start_date = start;
        }
        if let Some(end) = changes.end_date {
            next.end_date = end;
        }
        if let Some(goal) = changes.goal {
            next.goal = goal;
        }
        if let Some(state) = changes.state {
            match (current.state, state) {
                (a, b) if a == b => {}
                (SprintState::Future, SprintState::Active) => {
                    if next.start_date.is_none() || next.end_date.is_none() {
                        return Err(StoreError::invalid(
                            "A sprint cannot be started without a start date and an end date.",
                        ));
                    }
                    let board = self.board(current.origin_board_id);
                    let parallel = board.is_some_and(|b| b.parallel_sprints);
                    let other_active = self.sprints.values().any(|s| {
                        s.id != id
                            && s.origin_board_id == current.origin_board_id
                            && s.state == SprintState::Active
                    });
                    if other_active && !parallel {
                        return Err(StoreError::invalid(
                            "Sprint cannot be started because another sprint is already active on this board.",
                        ));
                    }
                }
                (SprintState::Active, SprintState::Closed) => {
                    next.complete_date = Some(now);
                }
                (from, to) => {
                    return Err(StoreError::invalid(format!(
                        "A sprint cannot change state from {} to {}.",
                        from.as_str(),
                        to.as_str()
                    )));
                }
            }
            next.state = state;
        }
        if let (Some(start), Some(end)) = (next.start_date, next.end_date)
            && end < start
        {
            return Err(StoreError::invalid_field(
                "endDate",
                "The end date must be after the start date.",
            ));
        }
        if next.state == SprintState::Closed {
            self.close_sprint_issues(id, now);
        }
        self.sprints.insert(id, next);
        Ok(())
    }

    fn close_sprint_issues(&mut self, sprint_id: u64, now: DateTime<Utc>) {
        let done_statuses: Vec<String> = self
            .statuses
            .iter()
            .filter(|s| s.category == StatusCategory::Done)
            .map(|s| s.id.clone())
            .collect();
        // Done work stays recorded against the closed sprint; unfinished work goes back to
        // the backlog, which is what Jira does when no target sprint is chosen.
        for issue in self.issues.values_mut() {
            if issue.sprint_id == Some(sprint_id) {
                issue.closed_sprint_ids.push(sprint_id);
                issue.sprint_id = None;
                if !done_statuses.contains(&issue.status_id) {
                    issue.updated = now;
                }
                issue.refresh_search_text();
            }
        }
    }

    /// Moves issues into an open sprint (at most 50 per call, as in Jira Software).
    pub fn move_to_sprint(
        &mut self,
        sprint_id: u64,
        issues: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(sprint) = self.sprints.get(&sprint_id) else {
            return Err(StoreError::NotFound(format!(
                "The sprint with id {sprint_id} does not exist."
            )));
        };
        if sprint.state == SprintState::Closed {
            return Err(StoreError::invalid(
                "Work items can only be moved to an active or future sprint.",
            ));
        }
        let ids = self.resolve_batch(issues)?;
        self.refuse_subtasks(&ids)?;
        for id in self.with_subtasks(ids) {
            let issue = self.issues.get_mut(&id).expect("resolved");
            if issue.sprint_id != Some(sprint_id) {
                issue.sprint_id = Some(sprint_id);
                issue.updated = now;
                issue.refresh_search_text();
            }
        }
        Ok(())
    }

    /// Jira Software keeps a sub-task in its parent's sprint: moving one on its own is refused.
    fn refuse_subtasks(&self, ids: &[u64]) -> Result<(), StoreError> {
        for id in ids {
            let Some(issue) = self.issues.get(id) else {
                continue;
            };
            if self
                .issue_type(&issue.issue_type_id)
                .is_some_and(|t| t.is_subtask())
            {
                return Err(StoreError::invalid(format!(
                    "Issue '{}' is a sub-task: sub-tasks cannot be moved independently of their parent.",
                    issue.key
                )));
            }
        }
        Ok(())
    }

    /// The issues and their sub-tasks, which follow their parent into a sprint or the backlog.
    fn with_subtasks(&self, ids: Vec<u64>) -> Vec<u64> {
        let parents: Vec<String> = ids
            .iter()
            .filter_map(|id| self.issues.get(id).map(|i| i.id.clone()))
            .collect();
        let mut all = ids;
        for (id, issue) in &self.issues {
            if issue
                .parent_id
                .as_ref()
                .is_some_and(|parent| parents.contains(parent))
                && self
                    .issue_type(&issue.issue_type_id)
                    .is_some_and(|t| t.is_subtask())
                && !all.contains(id)
            {
                all.push(*id);
            }
        }
        all
    }

    /// Moves issues out of their sprints to the backlog (at most 50 per call).
    pub fn move_to_backlog(
        &mut self,
        issues: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ids = self.resolve_batch(issues)?;
        self.refuse_subtasks(&ids)?;
        for id in self.with_subtasks(ids) {
            let issue = self.issues.get_mut(&id).expect("resolved");
            if issue.sprint_id.is_some() {
                issue.sprint_id = None;
                issue.updated = now;
                issue.refresh_search_text();
            }
        }
        Ok(())
    }

    pub(super) fn resolve_batch(&self, issues: &[String]) -> Result<Vec<u64>, StoreError> {
        if issues.is_empty() {
            return Err(StoreError::invalid_field(
                "issues",
                "At least one issue must be specified.",
            ));
        }
        if issues.len() > 50 {
            return Err(StoreError::invalid(
                "The maximum number of issues that can be moved in one operation is 50.",
            ));
        }
        issues
            .iter()
            .map(|i| {
                self.resolve_issue_id(i).ok_or_else(|| {
                    StoreError::invalid(format!(
                        "Issue '{i}' does not exist or you do not have permission to see it."
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use crate::state::{NewIssue, SprintChanges, SprintState, Store};

    fn store_with_board() -> (Store, u64) {
        let mut store = Store::new(Vec::new());
        let project = store.add_project("DEMO", "Demo", "lead");
        let board = store.add_board("board", &project);
        (store, board)
    }

    fn to(state: SprintState) -> SprintChanges {
        SprintChanges {
            state: Some(state),
            ..SprintChanges::default()
        }
    }

    #[test]
    fn sprint_lifecycle_follows_jira_software() {
        let (mut store, board) = store_with_board();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let id = store
            .create_sprint("S1", board, None, None, None, t0)
            .unwrap();
        assert!(
            store
                .update_sprint(id, to(SprintState::Active), t0)
                .is_err(),
            "needs dates"
        );
        let dated = SprintChanges {
            state: Some(SprintState::Active),
            start_date: Some(Some(t0)),
            end_date: Some(Some(t0 + Duration::days(14))),
            ..SprintChanges::default()
        };
        store.update_sprint(id, dated, t0).unwrap();
        let issue = store
            .create_issue(
                NewIssue::new("DEMO", "Task", "unfinished").sprint(id),
                "lead",
                t0,
            )
            .unwrap();
        let closed_at = t0 + Duration::days(14);
        store
            .update_sprint(id, to(SprintState::Closed), closed_at)
            .unwrap();
        assert_eq!(store.sprint(id).unwrap().complete_date, Some(closed_at));
        let issue = store.issue(&issue).unwrap();
        assert_eq!(
            issue.sprint_id, None,
            "unfinished work returns to the backlog"
        );
        assert_eq!(issue.closed_sprint_ids, vec![id]);
        assert!(
            store
                .update_sprint(id, to(SprintState::Active), closed_at)
                .is_err(),
            "closed is final"
        );
    }

    #[test]
    fn one_active_sprint_per_board_unless_parallel() {
        let (mut store, board) = store_with_board();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let start = |store: &mut Store, name: &str| {
            let id = store
                .create_sprint(
                    name,
                    board,
                    Some(t0),
                    Some(t0 + Duration::days(7)),
                    None,
                    t0,
                )
                .unwrap();
            store.update_sprint(id, to(SprintState::Active), t0)
        };
        assert!(start(&mut store, "A").is_ok());
        assert!(start(&mut store, "B").is_err());
        store.set_parallel_sprints(board, true);
        assert!(start(&mut store, "C").is_ok());
    }

    #[test]
    fn sub_tasks_follow_their_parent_and_never_move_alone() {
        let (mut store, board) = store_with_board();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let sprint = store
            .create_sprint("S1", board, None, None, None, t0)
            .unwrap();
        let story = store
            .create_issue(NewIssue::new("DEMO", "Story", "parent"), "lead", t0)
            .unwrap();
        let story_key = store.issue(&story).unwrap().key.clone();
        let sub = store
            .create_issue(
                NewIssue::new("DEMO", "Subtask", "child").parent(&story_key),
                "lead",
                t0,
            )
            .unwrap();
        let sub_key = store.issue(&sub).unwrap().key.clone();
        assert!(
            store
                .move_to_sprint(sprint, std::slice::from_ref(&sub_key), t0)
                .is_err(),
            "a sub-task alone is refused"
        );
        store
            .move_to_sprint(sprint, std::slice::from_ref(&story_key), t0)
            .unwrap();
        assert_eq!(store.issue(&sub_key).unwrap().sprint_id, Some(sprint));
        assert!(
            store
                .move_to_backlog(std::slice::from_ref(&sub_key), t0)
                .is_err()
        );
        store
            .move_to_backlog(std::slice::from_ref(&story_key), t0)
            .unwrap();
        assert_eq!(store.issue(&sub_key).unwrap().sprint_id, None);
    }
}
