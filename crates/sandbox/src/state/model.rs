//! The records the emulator keeps: users, projects, issue types, workflow statuses, issues,
//! comments, links, boards, sprints, Confluence spaces and pages.
//!
//! These are plain data. Rendering them as Jira or Confluence JSON happens in the HTTP modules,
//! so one record can be shown in every shape the real products use (an issue inside a search
//! result, inside a link, inside a sprint listing).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A Jira/Confluence user account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Atlassian account id, e.g. `712020:2f4c…`.
    pub account_id: String,
    /// E-mail address; also the Basic-auth user name.
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub active: bool,
}

/// The category every status belongs to; it drives board columns and `statusCategory` JQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusCategory {
    ToDo,
    InProgress,
    Done,
}

impl StatusCategory {
    /// Numeric id Jira uses for the category.
    pub fn id(self) -> u64 {
        match self {
            Self::ToDo => 2,
            Self::InProgress => 4,
            Self::Done => 3,
        }
    }

    /// The stable key (`new`, `indeterminate`, `done`).
    pub fn key(self) -> &'static str {
        match self {
            Self::ToDo => "new",
            Self::InProgress => "indeterminate",
            Self::Done => "done",
        }
    }

    /// The display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::ToDo => "To Do",
            Self::InProgress => "In Progress",
            Self::Done => "Done",
        }
    }

    /// The lozenge colour name.
    pub fn color_name(self) -> &'static str {
        match self {
            Self::ToDo => "blue-gray",
            Self::InProgress => "yellow",
            Self::Done => "green",
        }
    }
}

/// A workflow status such as "In Review".
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: StatusCategory,
}

/// A workflow transition: from any of `from` (empty = global) to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub id: String,
    pub name: String,
    /// Status ids the transition starts from; empty means it is available from every status.
    pub from: Vec<String>,
    pub to: String,
}

/// An issue type with its place in the hierarchy (epic 1, standard 0, sub-task -1).
#[derive(Debug, Clone, PartialEq)]
pub struct IssueType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub hierarchy_level: i32,
}

impl IssueType {
    /// Whether issues of this type are sub-tasks (and so need a standard parent).
    pub fn is_subtask(&self) -> bool {
        self.hierarchy_level < 0
    }
}

/// An issue priority.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub id: String,
    pub name: String,
    pub status_color: String,
    pub is_default: bool,
}

/// What values a field holds; drives validation, rendering and `schema` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Plain single-line string.
    Text,
    /// Rich text held as an ADF document.
    Adf,
    /// Floating point number.
    Number,
    /// A URL string.
    Url,
    /// The agile Sprint field.
    Sprint,
    /// The agile Rank field (a LexoRank string; changed by ranking, not by edits).
    Rank,
    /// A system field with its own rendering (status, project, …).
    System,
}

/// A field definition as listed by `GET /rest/api/3/field`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: String,
    pub name: String,
    pub custom: bool,
    pub kind: FieldKind,
    /// `schema.type` as Jira reports it.
    pub schema_type: String,
    /// `schema.items` for arrays.
    pub schema_items: Option<String>,
    /// `schema.system` or `schema.custom` value.
    pub schema_source: String,
    pub navigable: bool,
    pub orderable: bool,
    pub searchable: bool,
}

impl FieldDef {
    /// Numeric part of a `customfield_NNNNN` id.
    pub fn custom_id(&self) -> Option<u64> {
        self.id.strip_prefix("customfield_")?.parse().ok()
    }

    /// Names this field answers to in JQL.
    pub fn clause_names(&self) -> Vec<String> {
        match self.custom_id() {
            Some(n) => vec![format!("cf[{n}]"), self.name.clone()],
            None => vec![self.id.clone()],
        }
    }
}

/// A Jira project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub lead_account_id: String,
    /// Issue type ids available in the project.
    pub issue_type_ids: Vec<String>,
    /// The next issue number to hand out (`KEY-n`).
    pub next_number: u64,
}

/// A comment on an issue; `body` is ADF.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: String,
    pub author_account_id: String,
    pub body: Value,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub visibility: Option<Value>,
}

/// A Jira issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub id: String,
    pub key: String,
    pub project_id: String,
    pub issue_type_id: String,
    pub summary: String,
    /// ADF document, or `None` when the issue has no description.
    pub description: Option<Value>,
    pub status_id: String,
    pub priority_id: Option<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub creator: String,
    pub labels: Vec<String>,
    /// Id of the parent issue (epic of a story, story of a sub-task).
    pub parent_id: Option<String>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub status_category_changed: DateTime<Utc>,
    pub resolution: Option<String>,
    pub resolution_date: Option<DateTime<Utc>>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// Custom field values other than the Sprint field, keyed by `customfield_NNNNN`.
    pub custom_fields: BTreeMap<String, Value>,
    /// The open (active or future) sprint the issue is in.
    pub sprint_id: Option<u64>,
    /// Closed sprints the issue was carried through.
    pub closed_sprint_ids: Vec<u64>,
    pub comments: Vec<Comment>,
    /// Links to items outside Jira (pull requests, documents).
    pub remote_links: Vec<RemoteLink>,
    /// Change history of writes made through the API, oldest first.
    pub changelog: Vec<ChangeHistory>,
    /// Backlog order; smaller ranks first.
    pub rank: u64,
    /// Plain-text forms kept for JQL, refreshed by the store on every write.
    pub(crate) search: SearchText,
}

/// Plain text and flattened values of an issue that JQL reads on every match, computed when
/// the issue is written rather than on every query.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SearchText {
    pub description: String,
    pub comments: Vec<String>,
    pub sprint_ids: Vec<u64>,
    /// Plain text of rich-text custom fields, by numeric field id.
    pub custom_text: Vec<(u64, String)>,
    /// The LexoRank form of `rank`.
    pub rank: String,
}

impl Issue {
    /// The rank as Jira Software's LexoRank string (`0|i000042:`), which sorts like the rank.
    pub fn lexo_rank(&self) -> String {
        format!("0|i{:06}:", self.rank)
    }

    /// Recomputes [`SearchText`] after a change.
    pub(crate) fn refresh_search_text(&mut self) {
        self.search = SearchText {
            description: self
                .description
                .as_ref()
                .map(adf_plain_text)
                .unwrap_or_default(),
            comments: self
                .comments
                .iter()
                .map(|c| adf_plain_text(&c.body))
                .collect(),
            sprint_ids: self
                .closed_sprint_ids
                .iter()
                .copied()
                .chain(self.sprint_id)
                .collect(),
            custom_text: self
                .custom_fields
                .iter()
                .filter(|(_, v)| v.is_object())
                .filter_map(|(k, v)| {
                    Some((
                        k.strip_prefix("customfield_")?.parse().ok()?,
                        adf_plain_text(v),
                    ))
                })
                .collect(),
            rank: self.lexo_rank(),
        };
    }
}

/// The text of an ADF document's text nodes, separated by spaces.
pub(crate) fn adf_plain_text(doc: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        if let Some(text) = node.get("text").and_then(Value::as_str) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(text);
        }
        if let Some(children) = node.get("content").and_then(Value::as_array) {
            for child in children {
                walk(child, out);
            }
        }
    }
    let mut out = String::new();
    walk(doc, &mut out);
    out
}

/// One entry of an issue's change history: who changed what, when.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeHistory {
    pub id: String,
    pub author_account_id: String,
    pub created: DateTime<Utc>,
    /// Items in Jira's `ChangeDetails` shape (`field`, `fieldId`, `fieldtype`, `from`,
    /// `fromString`, `to`, `toString`).
    pub items: Vec<Value>,
}

/// A link from an issue to an item outside Jira, such as a pull request.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteLink {
    pub id: u64,
    /// The remote system's identifier; a second link with the same one replaces the first.
    pub global_id: Option<String>,
    pub relationship: Option<String>,
    /// `{"name","type"}` of the remote application, as sent.
    pub application: Option<Value>,
    /// `{"url","title",…}` of the linked item, as sent.
    pub object: Value,
}

/// An issue link type (`Blocks`, `Relates`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkType {
    pub id: String,
    pub name: String,
    pub inward: String,
    pub outward: String,
}

/// A link between two issues, stored once and rendered from both ends.
///
/// `source` is the issue the outward description applies to: for `Blocks`, "source blocks
/// target". The REST body that creates it names `source` as `inwardIssue` and `target` as
/// `outwardIssue` (the well-known reversed naming of `POST /issueLink`).
#[derive(Debug, Clone, PartialEq)]
pub struct IssueLink {
    pub id: String,
    pub type_id: String,
    pub source_issue_id: String,
    pub target_issue_id: String,
}

/// Agile board.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub id: u64,
    pub name: String,
    /// `scrum` or `kanban`.
    pub board_type: String,
    pub project_id: String,
    /// Whether more than one sprint may be active at once (Jira's "parallel sprints").
    pub parallel_sprints: bool,
}

/// Sprint lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SprintState {
    Future,
    Active,
    Closed,
}

impl SprintState {
    /// Lower-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Future => "future",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    /// Parses a wire name (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "future" => Some(Self::Future),
            "active" => Some(Self::Active),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Agile sprint.
#[derive(Debug, Clone, PartialEq)]
pub struct Sprint {
    pub id: u64,
    pub name: String,
    pub state: SprintState,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub complete_date: Option<DateTime<Utc>>,
    pub created_date: DateTime<Utc>,
    pub origin_board_id: u64,
    pub goal: Option<String>,
}

/// Confluence space.
#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub homepage_id: Option<String>,
    pub author_id: String,
    pub created_at: DateTime<Utc>,
}

/// One stored version of a Confluence page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageVersion {
    pub number: u32,
    pub message: String,
    pub minor_edit: bool,
    pub author_id: String,
    pub created_at: DateTime<Utc>,
    pub title: String,
    /// Storage-format (XHTML) body of this version.
    pub storage: String,
}

/// Confluence page with its full version history (last entry = current).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub id: String,
    pub space_id: String,
    pub parent_id: Option<String>,
    pub status: String,
    pub author_id: String,
    pub created_at: DateTime<Utc>,
    pub versions: Vec<PageVersion>,
}

impl Page {
    /// The current version (pages always have at least one).
    pub fn current(&self) -> &PageVersion {
        self.versions
            .last()
            .expect("a page is always created with a first version")
    }
}
