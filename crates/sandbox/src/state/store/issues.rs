//! Issue rules: create and edit with hierarchy checks, workflow transitions, comments,
//! remote links, issue links, ranking and deletion.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{FieldChange, NewIssue, Store, dedupe, eq_ignore_case, is_adf_document};
use crate::state::config::{self, STATUS_DONE, STATUS_TODO};
use crate::state::model::{
    ChangeHistory, Comment, FieldKind, Issue, IssueLink, IssueType, RemoteLink, SprintState,
    StatusCategory, Transition,
};
use crate::state::{ISSUE_NOT_FOUND, JiraErrors, StoreError};

impl Store {
    // ----- issues ------------------------------------------------------------------------

    /// An issue by id or key (keys are case-insensitive).
    pub fn issue(&self, id_or_key: &str) -> Option<&Issue> {
        let id = self.resolve_issue_id(id_or_key)?;
        self.issues.get(&id)
    }

    /// Every issue, in id order.
    pub fn issues(&self) -> impl DoubleEndedIterator<Item = &Issue> {
        self.issues.values()
    }

    /// Number of issues.
    pub fn issue_count(&self) -> usize {
        self.issues.len()
    }

    pub(super) fn resolve_issue_id(&self, id_or_key: &str) -> Option<u64> {
        let text = id_or_key.trim();
        if let Ok(id) = text.parse::<u64>() {
            return self.issues.contains_key(&id).then_some(id);
        }
        self.key_index.get(&text.to_ascii_uppercase()).copied()
    }

    fn issue_id_or_404(&self, id_or_key: &str) -> Result<u64, StoreError> {
        self.resolve_issue_id(id_or_key)
            .ok_or_else(|| StoreError::NotFound(ISSUE_NOT_FOUND.into()))
    }

    /// Deletes an issue with its links. An issue with sub-tasks is only deleted together with
    /// them (`delete_subtasks`), as Jira requires; an epic's children lose their parent.
    pub fn delete_issue(
        &mut self,
        id_or_key: &str,
        delete_subtasks: bool,
    ) -> Result<(), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let issue_id = id.to_string();
        let subtasks: Vec<u64> = self
            .issues
            .values()
            .filter(|i| i.parent_id.as_deref() == Some(issue_id.as_str()))
            .filter(|i| {
                self.issue_type(&i.issue_type_id)
                    .is_some_and(IssueType::is_subtask)
            })
            .filter_map(|i| i.id.parse().ok())
            .collect();
        if !subtasks.is_empty() && !delete_subtasks {
            return Err(StoreError::invalid(
                "The issue has subtasks. Set deleteSubtasks=true to delete the issue with its subtasks.",
            ));
        }
        for victim in subtasks.into_iter().chain(std::iter::once(id)) {
            if let Some(issue) = self.issues.remove(&victim) {
                self.key_index.remove(&issue.key.to_ascii_uppercase());
                self.links
                    .retain(|l| l.source_issue_id != issue.id && l.target_issue_id != issue.id);
            }
        }
        for child in self.issues.values_mut() {
            if child.parent_id.as_deref() == Some(issue_id.as_str()) {
                child.parent_id = None;
            }
        }
        Ok(())
    }

    /// Issues whose parent is the given issue (sub-tasks of a story, children of an epic).
    pub fn children_of<'a>(&'a self, issue_id: &'a str) -> impl Iterator<Item = &'a Issue> + 'a {
        self.issues
            .values()
            .filter(move |i| i.parent_id.as_deref() == Some(issue_id))
    }

    fn check_parent(
        &self,
        project_id: &str,
        issue_type: &IssueType,
        parent: Option<&Issue>,
    ) -> Result<(), StoreError> {
        match parent {
            None if issue_type.is_subtask() => Err(StoreError::invalid_field(
                "parent",
                "Parent work item is required for sub-tasks.",
            )),
            None => Ok(()),
            Some(parent) => {
                if parent.project_id != project_id {
                    return Err(StoreError::invalid_field(
                        "parent",
                        "Sub-tasks must be created in the same project as the parent.",
                    ));
                }
                let parent_level = self
                    .issue_type(&parent.issue_type_id)
                    .map(|t| t.hierarchy_level)
                    .unwrap_or(0);
                if parent_level != issue_type.hierarchy_level + 1 {
                    return Err(StoreError::invalid_field(
                        "parent",
                        "Given parent work item does not belong to appropriate hierarchy.",
                    ));
                }
                Ok(())
            }
        }
    }

    fn check_custom_value(&self, field_id: &str, value: &Value) -> Result<(), StoreError> {
        let Some(field) = self.fields.iter().find(|f| f.id == field_id && f.custom) else {
            return Err(StoreError::invalid_field(
                field_id,
                format!(
                    "Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."
                ),
            ));
        };
        let ok = match field.kind {
            FieldKind::Number => value.is_number() || value.is_null(),
            FieldKind::Text | FieldKind::Url => value.is_string() || value.is_null(),
            FieldKind::Adf => is_adf_document(value) || value.is_null(),
            FieldKind::Rank => false,
            FieldKind::Sprint | FieldKind::System => true,
        };
        if ok {
            Ok(())
        } else {
            let expected = match field.kind {
                FieldKind::Rank => "set through the agile rank API",
                FieldKind::Number => "a number",
                FieldKind::Adf => "an Atlassian Document",
                _ => "a string",
            };
            Err(StoreError::invalid_field(
                field_id,
                format!("Operation value must be {expected}"),
            ))
        }
    }

    fn check_user(&self, field: &str, account_id: &str) -> Result<(), StoreError> {
        if self.user(account_id).is_some() {
            Ok(())
        } else {
            Err(StoreError::invalid_field(
                field,
                format!("User '{account_id}' does not exist."),
            ))
        }
    }

    fn check_open_sprint(&self, sprint_id: u64) -> Result<(), StoreError> {
        match self.sprints.get(&sprint_id) {
            None => Err(StoreError::invalid_field(
                config::SPRINT_FIELD,
                format!("Sprint with id {sprint_id} does not exist."),
            )),
            Some(s) if s.state == SprintState::Closed => Err(StoreError::invalid_field(
                config::SPRINT_FIELD,
                "Work items can only be added to active or future sprints.",
            )),
            Some(_) => Ok(()),
        }
    }

    /// Creates an issue after checking every rule a Jira create applies. Returns its id.
    pub fn create_issue(
        &mut self,
        new: NewIssue,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let mut errors = JiraErrors::default();
        let project = self.project(&new.project).cloned();
        if project.is_none() {
            errors.add_field("project", "Specify a valid project ID or key");
        }
        let issue_type = self.issue_type(&new.issue_type).cloned();
        match (&issue_type, &project) {
            (None, _) => errors.add_field("issuetype", "Specify an issue type"),
            (Some(t), Some(p)) if !p.issue_type_ids.contains(&t.id) => {
                errors.add_field("issuetype", "The issue type selected is invalid.")
            }
            _ => {}
        }
        if new.summary.trim().is_empty() {
            errors.add_field("summary", "You must specify a summary of the issue.");
        } else if new.summary.chars().count() > 255 {
            errors.add_field("summary", "Summary must be less than 255 characters.");
        }
        if let Some(description) = &new.description
            && !is_adf_document(description)
        {
            errors.add_field(
                "description",
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            );
        }
        let priority_id = match &new.priority {
            Some(p) => match self.priority(p) {
                Some(p) => Some(p.id.clone()),
                None => {
                    errors.add_field(
                        "priority",
                        format!("Specify a valid priority. '{p}' is not valid."),
                    );
                    None
                }
            },
            None => self
                .priorities
                .iter()
                .find(|p| p.is_default)
                .map(|p| p.id.clone()),
        };
        let status_id = match &new.status {
            Some(s) => match self.status(s) {
                Some(s) => s.id.clone(),
                None => {
                    errors.add_field("status", format!("Status '{s}' does not exist."));
                    STATUS_TODO.into()
                }
            },
            None => STATUS_TODO.into(),
        };
        for (field, value) in &new.custom_fields {
            if let Err(StoreError::Invalid(e)) = self.check_custom_value(field, value) {
                for (k, v) in e.fields {
                    errors.add_field(k, v);
                }
            }
        }
        for (field, user) in [("assignee", &new.assignee), ("reporter", &new.reporter)] {
            if let Some(user) = user
                && let Err(StoreError::Invalid(e)) = self.check_user(field, user)
            {
                for (k, v) in e.fields {
                    errors.add_field(k, v);
                }
            }
        }
        if let Some(sprint) = new.sprint_id
            && let Err(StoreError::Invalid(e)) = self.check_open_sprint(sprint)
        {
            for (k, v) in e.fields {
                errors.add_field(k, v);
            }
        }
        let parent = match &new.parent {
            Some(p) => match self.issue(p) {
                Some(parent) => Some(parent.clone()),
                None => {
                    errors.add_field(
                        "parent",
                        format!("Could not find issue by id or key '{p}'."),
                    );
                    None
                }
            },
            None => None,
        };
        if let Some(due) = &new.due_date
            && chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").is_err()
        {
            errors.add_field("duedate", "Error parsing date string: ".to_string() + due);
        }
        // A missing project or type has been reported in `errors` above.
        let (Some(project), Some(issue_type)) = (project, issue_type) else {
            return Err(StoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        if new.parent.is_some() || issue_type.is_subtask() {
            self.check_parent(&project.id, &issue_type, parent.as_ref())?;
        }
        let id_number = self.next_issue_id;
        self.next_issue_id += 1;
        let project_entry = self
            .projects
            .iter_mut()
            .find(|p| p.id == project.id)
            .expect("project exists");
        let key = format!("{}-{}", project_entry.key, project_entry.next_number);
        project_entry.next_number += 1;
        let rank = self.next_rank;
        self.next_rank += 1;
        let done = self.status(&status_id).map(|s| s.category) == Some(StatusCategory::Done);
        let issue = Issue {
            id: id_number.to_string(),
            key: key.clone(),
            project_id: project.id.clone(),
            issue_type_id: issue_type.id.clone(),
            summary: new.summary.trim().to_string(),
            description: new.description,
            status_id,
            priority_id,
            assignee: new.assignee,
            reporter: Some(new.reporter.unwrap_or_else(|| actor.to_string())),
            creator: actor.to_string(),
            labels: dedupe(new.labels),
            parent_id: parent.map(|p| p.id),
            created: now,
            updated: now,
            status_category_changed: now,
            resolution: done.then(|| "Done".to_string()),
            resolution_date: done.then_some(now),
            due_date: new.due_date,
            custom_fields: new
                .custom_fields
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect(),
            sprint_id: new.sprint_id,
            closed_sprint_ids: Vec::new(),
            comments: Vec::new(),
            remote_links: Vec::new(),
            changelog: Vec::new(),
            rank,
            search: Default::default(),
        };
        let mut issue = issue;
        issue.refresh_search_text();
        self.key_index.insert(key.to_ascii_uppercase(), id_number);
        self.issues.insert(id_number, issue);
        Ok(id_number.to_string())
    }

    /// Applies edits to an issue, checking each like Jira's edit does. Nothing changes when
    /// any change is refused.
    pub fn apply_changes(
        &mut self,
        id_or_key: &str,
        changes: Vec<FieldChange>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let current = self.issues[&id].clone();
        let issue_type = self
            .issue_type(&current.issue_type_id)
            .cloned()
            .expect("issue types are never removed");
        let mut updated = current.clone();
        let mut errors = JiraErrors::default();
        for change in changes {
            let result = match change {
                FieldChange::Summary(s) => {
                    if s.trim().is_empty() {
                        Err(StoreError::invalid_field(
                            "summary",
                            "You must specify a summary of the issue.",
                        ))
                    } else {
                        updated.summary = s.trim().to_string();
                        Ok(())
                    }
                }
                FieldChange::Description(d) => match d {
                    Some(doc) if !is_adf_document(&doc) => Err(StoreError::invalid_field(
                        "description",
                        "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
                    )),
                    other => {
                        updated.description = other;
                        Ok(())
                    }
                },
                FieldChange::Labels(labels) => {
                    if let Some(bad) = labels.iter().find(|l| l.contains(' ') || l.is_empty()) {
                        Err(StoreError::invalid_field(
                            "labels",
                            format!("The label '{bad}' contains spaces which is invalid."),
                        ))
                    } else {
                        updated.labels = dedupe(labels);
                        Ok(())
                    }
                }
                FieldChange::Assignee(a) => match a {
                    Some(user) => self.check_user("assignee", &user).map(|()| {
                        updated.assignee = Some(user);
                    }),
                    None => {
                        updated.assignee = None;
                        Ok(())
                    }
                },
                FieldChange::Reporter(r) => match r {
                    Some(user) => self.check_user("reporter", &user).map(|()| {
                        updated.reporter = Some(user);
                    }),
                    None => {
                        updated.reporter = None;
                        Ok(())
                    }
                },
                FieldChange::Priority(p) => match self.priority(&p) {
                    Some(p) => {
                        updated.priority_id = Some(p.id.clone());
                        Ok(())
                    }
                    None => Err(StoreError::invalid_field(
                        "priority",
                        format!("Specify a valid priority. '{p}' is not valid."),
                    )),
                },
                FieldChange::Parent(p) => match p {
                    None if issue_type.is_subtask() => Err(StoreError::invalid_field(
                        "parent",
                        "Parent work item is required for sub-tasks.",
                    )),
                    None => {
                        updated.parent_id = None;
                        Ok(())
                    }
                    Some(parent_ref) => match self.issue(&parent_ref).cloned() {
                        None => Err(StoreError::invalid_field(
                            "parent",
                            format!("Could not find issue by id or key '{parent_ref}'."),
                        )),
                        Some(parent) if parent.id == current.id => Err(StoreError::invalid_field(
                            "parent",
                            "A work item cannot be its own parent.",
                        )),
                        Some(parent) => self
                            .check_parent(&current.project_id, &issue_type, Some(&parent))
                            .map(|()| updated.parent_id = Some(parent.id)),
                    },
                },
                FieldChange::DueDate(d) => match d {
                    Some(date) if chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() => {
                        Err(StoreError::invalid_field(
                            "duedate",
                            format!("Error parsing date string: {date}"),
                        ))
                    }
                    other => {
                        updated.due_date = other;
                        Ok(())
                    }
                },
                FieldChange::Custom(field, value) => match value {
                    None => {
                        updated.custom_fields.remove(&field);
                        Ok(())
                    }
                    Some(v) => self.check_custom_value(&field, &v).map(|()| {
                        if v.is_null() {
                            updated.custom_fields.remove(&field);
                        } else {
                            updated.custom_fields.insert(field, v);
                        }
                    }),
                },
                FieldChange::Sprint(s) => match s {
                    None => {
                        updated.sprint_id = None;
                        Ok(())
                    }
                    Some(sprint) => self
                        .check_open_sprint(sprint)
                        .map(|()| updated.sprint_id = Some(sprint)),
                },
            };
            if let Err(StoreError::Invalid(e)) = result {
                errors.messages.extend(e.messages);
                for (k, v) in e.fields {
                    errors.add_field(k, v);
                }
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        if updated != current {
            updated.updated = now;
            updated.refresh_search_text();
            self.issues.insert(id, updated);
        }
        Ok(())
    }

    /// Transitions available from the issue's current status, with whether each is usable
    /// right now (a parent cannot be done while it has open sub-tasks).
    pub fn transitions_for(&self, id_or_key: &str) -> Result<Vec<(&Transition, bool)>, StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let issue = &self.issues[&id];
        Ok(self
            .transitions
            .iter()
            .filter(|t| t.to != issue.status_id)
            .filter(|t| t.from.is_empty() || t.from.contains(&issue.status_id))
            .map(|t| (t, self.transition_condition_met(issue, t)))
            .collect())
    }

    fn transition_condition_met(&self, issue: &Issue, transition: &Transition) -> bool {
        if transition.to != STATUS_DONE {
            return true;
        }
        let is_subtask_parent = self
            .issue_type(&issue.issue_type_id)
            .is_some_and(|t| t.hierarchy_level == 0);
        !is_subtask_parent
            || self.children_of(&issue.id).all(|child| {
                self.status(&child.status_id).map(|s| s.category) == Some(StatusCategory::Done)
            })
    }

    /// Performs a workflow transition by id (or, leniently, by name).
    pub fn transition_issue(
        &mut self,
        id_or_key: &str,
        transition: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let usable = self
            .transitions_for(id_or_key)?
            .into_iter()
            .find(|(t, _)| t.id == transition || eq_ignore_case(&t.name, transition))
            .map(|(t, ok)| (t.clone(), ok));
        let Some((transition_def, true)) = usable else {
            return Err(StoreError::invalid(format!(
                "Transition id '{transition}' is not valid for this issue."
            )));
        };
        let to_category = self
            .status(&transition_def.to)
            .map(|s| s.category)
            .unwrap_or(StatusCategory::ToDo);
        let issue = self.issues.get_mut(&id).expect("resolved above");
        let from_category = self
            .statuses
            .iter()
            .find(|s| s.id == issue.status_id)
            .map(|s| s.category);
        issue.status_id = transition_def.to.clone();
        issue.updated = now;
        if from_category != Some(to_category) {
            issue.status_category_changed = now;
        }
        if to_category == StatusCategory::Done {
            issue.resolution = Some("Done".into());
            issue.resolution_date = Some(now);
        } else {
            issue.resolution = None;
            issue.resolution_date = None;
        }
        Ok(())
    }

    /// Adds a comment; returns it.
    pub fn add_comment(
        &mut self,
        id_or_key: &str,
        author: &str,
        body: Value,
        visibility: Option<Value>,
        now: DateTime<Utc>,
    ) -> Result<Comment, StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        if !is_adf_document(&body) {
            return Err(StoreError::invalid_field(
                "comment",
                "Comment body is not valid! Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            ));
        }
        let comment = Comment {
            id: self.next_comment_id.to_string(),
            author_account_id: author.into(),
            body,
            created: now,
            updated: now,
            visibility,
        };
        self.next_comment_id += 1;
        let issue = self.issues.get_mut(&id).expect("resolved above");
        issue.comments.push(comment.clone());
        issue.updated = now;
        issue.refresh_search_text();
        Ok(comment)
    }

    /// Replaces a comment's body (and visibility, when given); returns the updated comment.
    pub fn update_comment(
        &mut self,
        id_or_key: &str,
        comment_id: &str,
        body: Value,
        visibility: Option<Value>,
        now: DateTime<Utc>,
    ) -> Result<Comment, StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        if !is_adf_document(&body) {
            return Err(StoreError::invalid_field(
                "comment",
                "Comment body is not valid! Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            ));
        }
        let issue = self.issues.get_mut(&id).expect("resolved above");
        let comment = issue
            .comments
            .iter_mut()
            .find(|c| c.id == comment_id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("Can not find a comment for key: {comment_id}."))
            })?;
        comment.body = body;
        if visibility.is_some() {
            comment.visibility = visibility;
        }
        comment.updated = now;
        let updated = comment.clone();
        issue.updated = now;
        issue.refresh_search_text();
        Ok(updated)
    }

    /// Appends a change-history entry (the API layer records one per write).
    pub fn record_history(
        &mut self,
        id_or_key: &str,
        author: &str,
        items: Vec<Value>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let history_id = self.next_history_id.to_string();
        self.next_history_id += 1;
        let issue = self.issues.get_mut(&id).expect("resolved above");
        issue.changelog.push(ChangeHistory {
            id: history_id.clone(),
            author_account_id: author.into(),
            created: now,
            items,
        });
        Ok(history_id)
    }

    /// Deletes a comment.
    pub fn delete_comment(
        &mut self,
        id_or_key: &str,
        comment_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let issue = self.issues.get_mut(&id).expect("resolved above");
        let before = issue.comments.len();
        issue.comments.retain(|c| c.id != comment_id);
        if issue.comments.len() == before {
            return Err(StoreError::NotFound(format!(
                "Can not find a comment for key: {comment_id}."
            )));
        }
        issue.updated = now;
        issue.refresh_search_text();
        Ok(())
    }

    /// Adds a remote link, or replaces the one with the same global id. Returns the link id
    /// and whether it was created (rather than updated).
    pub fn put_remote_link(
        &mut self,
        id_or_key: &str,
        global_id: Option<String>,
        relationship: Option<String>,
        application: Option<Value>,
        object: Value,
        now: DateTime<Utc>,
    ) -> Result<(u64, bool), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let has_url = object
            .get("url")
            .and_then(Value::as_str)
            .is_some_and(|u| !u.is_empty());
        let has_title = object
            .get("title")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty());
        if !has_url || !has_title {
            let mut errors = JiraErrors::default();
            if !has_url {
                errors.add_field("url", "'url' is required.");
            }
            if !has_title {
                errors.add_field("title", "'title' is required.");
            }
            return Err(StoreError::Invalid(errors));
        }
        let next_id = self.next_remote_link_id;
        let issue = self.issues.get_mut(&id).expect("resolved above");
        issue.updated = now;
        if let Some(existing) = global_id.as_ref().and_then(|g| {
            issue
                .remote_links
                .iter_mut()
                .find(|l| l.global_id.as_ref() == Some(g))
        }) {
            existing.relationship = relationship;
            existing.application = application;
            existing.object = object;
            return Ok((existing.id, false));
        }
        self.next_remote_link_id += 1;
        issue.remote_links.push(RemoteLink {
            id: next_id,
            global_id,
            relationship,
            application,
            object,
        });
        Ok((next_id, true))
    }

    /// Deletes a remote link by id.
    pub fn delete_remote_link(&mut self, id_or_key: &str, link_id: u64) -> Result<(), StoreError> {
        let id = self.issue_id_or_404(id_or_key)?;
        let issue = self.issues.get_mut(&id).expect("resolved above");
        let before = issue.remote_links.len();
        issue.remote_links.retain(|l| l.id != link_id);
        if issue.remote_links.len() == before {
            return Err(StoreError::NotFound(format!(
                "No remote link with id {link_id} exists on this issue."
            )));
        }
        Ok(())
    }

    /// Ranks issues before or after another issue (Jira Software's rank operation).
    pub fn rank_issues(
        &mut self,
        issues: &[String],
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<(), StoreError> {
        let moved = self.resolve_batch(issues)?;
        let anchor = match (before, after) {
            (Some(b), None) => (self.issue_id_or_404(b)?, true),
            (None, Some(a)) => (self.issue_id_or_404(a)?, false),
            _ => {
                return Err(StoreError::invalid(
                    "Specify exactly one of rankBeforeIssue and rankAfterIssue.",
                ));
            }
        };
        if moved.contains(&anchor.0) {
            return Err(StoreError::invalid(
                "An issue cannot be ranked relative to itself.",
            ));
        }
        let mut order: Vec<u64> = self.issues.keys().copied().collect();
        order.sort_by_key(|id| self.issues[id].rank);
        order.retain(|id| !moved.contains(id));
        let position = order
            .iter()
            .position(|id| *id == anchor.0)
            .expect("anchor exists");
        let insert_at = if anchor.1 { position } else { position + 1 };
        for (offset, id) in moved.iter().enumerate() {
            order.insert(insert_at + offset, *id);
        }
        for (index, id) in order.iter().enumerate() {
            let issue = self.issues.get_mut(id).expect("listed");
            issue.rank = index as u64 + 1;
            issue.refresh_search_text();
        }
        self.next_rank = order.len() as u64 + 1;
        Ok(())
    }

    // ----- links -------------------------------------------------------------------------

    /// Links `source` to `target` with a link type ("source blocks target"). Like Jira, a
    /// duplicate request succeeds without creating a second link. Returns the link id.
    pub fn link_issues(
        &mut self,
        link_type: &str,
        source: &str,
        target: &str,
    ) -> Result<String, StoreError> {
        let Some(link_type) = self.link_type(link_type).cloned() else {
            return Err(StoreError::NotFound(format!(
                "No issue link type with name '{link_type}' found."
            )));
        };
        let source = self.issue_id_or_404(source)?.to_string();
        let target = self.issue_id_or_404(target)?.to_string();
        if source == target {
            return Err(StoreError::invalid("You cannot link an issue to itself."));
        }
        if let Some(existing) = self.links.iter().find(|l| {
            l.type_id == link_type.id && l.source_issue_id == source && l.target_issue_id == target
        }) {
            return Ok(existing.id.clone());
        }
        let id = self.next_link_id.to_string();
        self.next_link_id += 1;
        self.links.push(IssueLink {
            id: id.clone(),
            type_id: link_type.id,
            source_issue_id: source,
            target_issue_id: target,
        });
        Ok(id)
    }

    /// A link by id.
    pub fn link(&self, id: &str) -> Option<&IssueLink> {
        self.links.iter().find(|l| l.id == id)
    }

    /// All links touching an issue (by issue id), in creation order.
    pub fn links_of<'a>(&'a self, issue_id: &'a str) -> impl Iterator<Item = &'a IssueLink> + 'a {
        self.links
            .iter()
            .filter(move |l| l.source_issue_id == issue_id || l.target_issue_id == issue_id)
    }

    /// Every link.
    pub fn links(&self) -> &[IssueLink] {
        &self.links
    }

    /// Deletes a link.
    pub fn delete_link(&mut self, id: &str) -> Result<(), StoreError> {
        let before = self.links.len();
        self.links.retain(|l| l.id != id);
        if self.links.len() == before {
            Err(StoreError::NotFound(format!(
                "No issue link with id '{id}' exists."
            )))
        } else {
            Ok(())
        }
    }
}
