//! The store: every record of one sandbox and the rules Jira and Confluence apply when they
//! change (issue hierarchy, workflow transitions, sprint states, page versions).
//!
//! Lookups accept what the real APIs accept: an id or a key/name, case-insensitively. All
//! mutations take `now` so callers (and tests) control time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::config::{self, STATUS_DONE, STATUS_TODO};
use super::model::{
    Board, Comment, FieldDef, FieldKind, Issue, IssueLink, IssueType, LinkType, Page, PageVersion,
    Priority, Project, RemoteLink, Space, Sprint, SprintState, Status, StatusCategory, Transition,
    User,
};
use super::{ISSUE_NOT_FOUND, JiraErrors, StoreError};

/// A request to create an issue. References (project, type, parent, priority, status) may be
/// ids or keys/names, as in the REST API.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewIssue {
    pub project: String,
    pub issue_type: String,
    pub summary: String,
    pub description: Option<Value>,
    pub parent: Option<String>,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<String>,
    pub custom_fields: BTreeMap<String, Value>,
    pub sprint_id: Option<u64>,
    /// Initial status (seeding only; REST creates always start in the initial status).
    pub status: Option<String>,
}

impl NewIssue {
    /// An issue with the three required fields.
    pub fn new(
        project: impl Into<String>,
        issue_type: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            project: project.into(),
            issue_type: issue_type.into(),
            summary: summary.into(),
            ..Self::default()
        }
    }

    /// Sets the parent (epic or standard issue) by id or key.
    pub fn parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }

    /// Sets the ADF description.
    pub fn description(mut self, adf: Value) -> Self {
        self.description = Some(adf);
        self
    }

    /// Sets the labels.
    pub fn labels<I: IntoIterator<Item = S>, S: Into<String>>(mut self, labels: I) -> Self {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the assignee account id.
    pub fn assignee(mut self, account_id: impl Into<String>) -> Self {
        self.assignee = Some(account_id.into());
        self
    }

    /// Sets the initial status by id or name.
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Sets a custom field value.
    pub fn custom(mut self, field_id: impl Into<String>, value: Value) -> Self {
        self.custom_fields.insert(field_id.into(), value);
        self
    }

    /// Puts the issue in a sprint.
    pub fn sprint(mut self, sprint_id: u64) -> Self {
        self.sprint_id = Some(sprint_id);
        self
    }

    /// Sets the priority by id or name.
    pub fn priority(mut self, priority: impl Into<String>) -> Self {
        self.priority = Some(priority.into());
        self
    }
}

/// One change to an existing issue, already resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldChange {
    Summary(String),
    Description(Option<Value>),
    Labels(Vec<String>),
    Assignee(Option<String>),
    Reporter(Option<String>),
    Priority(String),
    /// Parent issue id, or `None` to remove the parent.
    Parent(Option<String>),
    DueDate(Option<String>),
    Custom(String, Option<Value>),
    Sprint(Option<u64>),
}

/// Fields of a sprint update; `None` leaves a field as it is (the REST layer turns a full
/// update's missing fields into explicit clears).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SprintChanges {
    pub name: Option<String>,
    pub state: Option<SprintState>,
    pub start_date: Option<Option<DateTime<Utc>>>,
    pub end_date: Option<Option<DateTime<Utc>>>,
    pub goal: Option<Option<String>>,
    pub complete_date_set: bool,
}

/// A request to create a Confluence page.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPage {
    pub space_id: String,
    pub parent_id: Option<String>,
    pub title: String,
    pub storage: String,
}

/// All records of one sandbox.
#[derive(Debug, Clone)]
pub struct Store {
    cloud_id: String,
    users: Vec<User>,
    statuses: Vec<Status>,
    transitions: Vec<Transition>,
    issue_types: Vec<IssueType>,
    priorities: Vec<Priority>,
    fields: Vec<FieldDef>,
    link_types: Vec<LinkType>,
    projects: Vec<Project>,
    issues: BTreeMap<u64, Issue>,
    key_index: HashMap<String, u64>,
    links: Vec<IssueLink>,
    boards: Vec<Board>,
    sprints: BTreeMap<u64, Sprint>,
    spaces: Vec<Space>,
    pages: BTreeMap<u64, Page>,
    next_issue_id: u64,
    next_comment_id: u64,
    next_link_id: u64,
    next_sprint_id: u64,
    next_page_id: u64,
    next_rank: u64,
    next_remote_link_id: u64,
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Store {
    /// A site with the standard configuration, the given users, and nothing else.
    pub fn new(users: Vec<User>) -> Self {
        Self {
            cloud_id: "2f1b7c3e-5a4d-4c11-9d7e-0a6b1c2d3e4f".into(),
            users,
            statuses: config::statuses(),
            transitions: config::transitions(),
            issue_types: config::issue_types(),
            priorities: config::priorities(),
            fields: config::fields(),
            link_types: config::link_types(),
            projects: Vec::new(),
            issues: BTreeMap::new(),
            key_index: HashMap::new(),
            links: Vec::new(),
            boards: Vec::new(),
            sprints: BTreeMap::new(),
            spaces: Vec::new(),
            pages: BTreeMap::new(),
            next_issue_id: 10000,
            next_comment_id: 10000,
            next_link_id: 10000,
            next_sprint_id: 1,
            next_page_id: 65537,
            next_rank: 1,
            next_remote_link_id: 10000,
        }
    }

    /// The site's cloud id (as `/_edge/tenant_info` reports it).
    pub fn cloud_id(&self) -> &str {
        &self.cloud_id
    }

    // ----- users -------------------------------------------------------------------------

    /// All users.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Adds a user (or replaces the one with the same account id).
    pub fn add_user(&mut self, user: User) {
        self.users.retain(|u| u.account_id != user.account_id);
        self.users.push(user);
    }

    /// A user by account id.
    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    /// A user by account id, e-mail or display name (case-insensitive), as JQL resolves users.
    pub fn find_user(&self, text: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.account_id == text
                || eq_ignore_case(&u.email, text)
                || eq_ignore_case(&u.display_name, text)
        })
    }

    // ----- configuration -----------------------------------------------------------------

    /// All statuses.
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// A status by id or name.
    pub fn status(&self, id_or_name: &str) -> Option<&Status> {
        self.statuses
            .iter()
            .find(|s| s.id == id_or_name || eq_ignore_case(&s.name, id_or_name))
    }

    /// All issue types.
    pub fn issue_types(&self) -> &[IssueType] {
        &self.issue_types
    }

    /// An issue type by id or name.
    pub fn issue_type(&self, id_or_name: &str) -> Option<&IssueType> {
        self.issue_types
            .iter()
            .find(|t| t.id == id_or_name || eq_ignore_case(&t.name, id_or_name))
    }

    /// All priorities.
    pub fn priorities(&self) -> &[Priority] {
        &self.priorities
    }

    /// A priority by id or name.
    pub fn priority(&self, id_or_name: &str) -> Option<&Priority> {
        self.priorities
            .iter()
            .find(|p| p.id == id_or_name || eq_ignore_case(&p.name, id_or_name))
    }

    /// All field definitions.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// A field by id, `cf[N]` clause name, or name (case-insensitive).
    pub fn field(&self, id_or_name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.id == id_or_name)
            .or_else(|| {
                self.fields.iter().find(|f| {
                    f.clause_names()
                        .iter()
                        .any(|c| eq_ignore_case(c, id_or_name))
                })
            })
            .or_else(|| {
                self.fields
                    .iter()
                    .find(|f| eq_ignore_case(&f.name, id_or_name))
            })
    }

    /// All link types.
    pub fn link_types(&self) -> &[LinkType] {
        &self.link_types
    }

    /// A link type by id or name (names match case-sensitively, as in Jira).
    pub fn link_type(&self, id_or_name: &str) -> Option<&LinkType> {
        self.link_types
            .iter()
            .find(|l| l.id == id_or_name || l.name == id_or_name)
    }

    /// The workflow's transitions.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    // ----- projects ----------------------------------------------------------------------

    /// All projects.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// A project by id or key (case-insensitive).
    pub fn project(&self, id_or_key: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.id == id_or_key || eq_ignore_case(&p.key, id_or_key))
    }

    /// Adds a project with every issue type; returns its id.
    pub fn add_project(&mut self, key: &str, name: &str, lead_account_id: &str) -> String {
        let id = (10000 + self.projects.len() as u64).to_string();
        self.projects.push(Project {
            id: id.clone(),
            key: key.to_ascii_uppercase(),
            name: name.into(),
            description: String::new(),
            lead_account_id: lead_account_id.into(),
            issue_type_ids: self.issue_types.iter().map(|t| t.id.clone()).collect(),
            next_number: 1,
        });
        id
    }

    /// Sets a project's description.
    pub fn set_project_description(&mut self, project_id: &str, description: &str) {
        if let Some(project) = self.projects.iter_mut().find(|p| p.id == project_id) {
            project.description = description.into();
        }
    }

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

    fn resolve_issue_id(&self, id_or_key: &str) -> Option<u64> {
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
        for id in ids {
            let issue = self.issues.get_mut(&id).expect("resolved");
            if issue.sprint_id != Some(sprint_id) {
                issue.sprint_id = Some(sprint_id);
                issue.updated = now;
                issue.refresh_search_text();
            }
        }
        Ok(())
    }

    /// Moves issues out of their sprints to the backlog (at most 50 per call).
    pub fn move_to_backlog(
        &mut self,
        issues: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ids = self.resolve_batch(issues)?;
        for id in ids {
            let issue = self.issues.get_mut(&id).expect("resolved");
            if issue.sprint_id.is_some() {
                issue.sprint_id = None;
                issue.updated = now;
                issue.refresh_search_text();
            }
        }
        Ok(())
    }

    fn resolve_batch(&self, issues: &[String]) -> Result<Vec<u64>, StoreError> {
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

    // ----- Confluence --------------------------------------------------------------------

    /// All spaces.
    pub fn spaces(&self) -> &[Space] {
        &self.spaces
    }

    /// A space by id or key.
    pub fn space(&self, id_or_key: &str) -> Option<&Space> {
        self.spaces
            .iter()
            .find(|s| s.id == id_or_key || s.key == id_or_key)
    }

    /// Adds a space; returns its id.
    pub fn add_space(
        &mut self,
        key: &str,
        name: &str,
        description: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> String {
        let id = (98000 + self.spaces.len() as u64 * 1000 + 304).to_string();
        self.spaces.push(Space {
            id: id.clone(),
            key: key.into(),
            name: name.into(),
            description: description.into(),
            homepage_id: None,
            author_id: author.into(),
            created_at: now,
        });
        id
    }

    /// All pages in id order.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.pages.values()
    }

    /// A page by id.
    pub fn page(&self, id: &str) -> Option<&Page> {
        id.parse::<u64>().ok().and_then(|n| self.pages.get(&n))
    }

    /// Creates a page at version 1; returns its id.
    pub fn create_page(
        &mut self,
        new: NewPage,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        if self.space(&new.space_id).is_none() {
            return Err(StoreError::NotFound(format!(
                "Space {} not found",
                new.space_id
            )));
        }
        let space_id = self
            .space(&new.space_id)
            .map(|s| s.id.clone())
            .expect("checked");
        let id = self.next_page_id;
        self.next_page_id += 1;
        self.pages.insert(
            id,
            Page {
                id: id.to_string(),
                space_id: space_id.clone(),
                parent_id: new.parent_id,
                status: "current".into(),
                author_id: author.into(),
                created_at: now,
                versions: vec![PageVersion {
                    number: 1,
                    message: String::new(),
                    minor_edit: false,
                    author_id: author.into(),
                    created_at: now,
                    title: new.title,
                    storage: new.storage,
                }],
            },
        );
        if let Some(space) = self.spaces.iter_mut().find(|s| s.id == space_id)
            && space.homepage_id.is_none()
        {
            space.homepage_id = Some(id.to_string());
        }
        Ok(id.to_string())
    }

    /// Stores a new page version. The version number must be exactly current + 1, as
    /// Confluence requires; anything else is a 409 conflict.
    #[allow(clippy::too_many_arguments)]
    pub fn update_page(
        &mut self,
        id: &str,
        title: &str,
        storage: String,
        version: u32,
        message: String,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(page) = id.parse::<u64>().ok().and_then(|n| self.pages.get_mut(&n)) else {
            return Err(StoreError::NotFound(format!("Page {id} not found")));
        };
        let current = page.current().number;
        if version != current + 1 {
            return Err(StoreError::Conflict(format!(
                "Version must be incremented on update. Current version is: {current}"
            )));
        }
        if title.trim().is_empty() {
            return Err(StoreError::invalid_field("title", "Title cannot be empty."));
        }
        page.versions.push(PageVersion {
            number: version,
            message,
            minor_edit: false,
            author_id: author.into(),
            created_at: now,
            title: title.into(),
            storage,
        });
        Ok(())
    }
}

fn dedupe(labels: Vec<String>) -> Vec<String> {
    let mut seen = Vec::with_capacity(labels.len());
    for label in labels {
        if !seen.contains(&label) {
            seen.push(label);
        }
    }
    seen
}

/// Whether a value is an ADF document (`{"type":"doc","version":1,"content":[…]}`).
pub(crate) fn is_adf_document(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("doc")
        && value.get("version").and_then(Value::as_u64) == Some(1)
        && value.get("content").is_some_and(Value::is_array)
}
