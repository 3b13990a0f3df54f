//! The store: every record of one sandbox and the rules Jira and Confluence apply when they
//! change (issue hierarchy, workflow transitions, sprint states, page versions).
//!
//! Lookups accept what the real APIs accept: an id or a key/name, case-insensitively. All
//! mutations take `now` so callers (and tests) control time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::config;
use super::model::{
    Board, FieldDef, Issue, IssueLink, IssueType, LinkType, Page, Priority, Project, Space, Sprint,
    SprintState, Status, Transition, User,
};

mod agile;
mod confluence;
mod issues;

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
    next_history_id: u64,
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
            next_history_id: 10000,
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
