//! The fields a query can ask an issue about ([`FieldRef`]) and the values an issue answers with
//! ([`FieldValue`]).
//!
//! These two types are the contract between the evaluator and whoever stores issues (the Jira
//! emulator). JQL field names and their aliases (`type`, `issuekey`, `createdDate`, `"Epic Link"`,
//! `cf[10016]`, `"Story Points"`) are resolved to a [`FieldRef`] once, when a query is compiled,
//! so an issue store only ever sees this closed set.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

/// A field an issue is asked about, resolved from a JQL field name at compile time.
///
/// | variant | JQL names (case-insensitive) | expected [`FieldValue`] |
/// |---|---|---|
/// | `Project` | `project` | [`FieldValue::Project`] |
/// | `IssueKey` | `key`, `issuekey`, `issue`, `id` | [`FieldValue::Issue`] (the issue itself) |
/// | `IssueType` | `issuetype`, `type` | [`FieldValue::Named`] |
/// | `Status` | `status` | [`FieldValue::Named`] |
/// | `StatusCategory` | `statusCategory` | [`FieldValue::Named`] with name `To Do` / `In Progress` / `Done` (id `2`/`4`/`3`) |
/// | `Priority` | `priority` | [`FieldValue::Named`] with `rank` (higher = more important) |
/// | `Resolution` | `resolution` | [`FieldValue::Named`], or `Empty` when unresolved |
/// | `Summary` | `summary` | [`FieldValue::Text`] |
/// | `Description` | `description` | [`FieldValue::Text`] (plain text, not ADF) or `Empty` |
/// | `Environment` | `environment` | [`FieldValue::Text`] or `Empty` |
/// | `Comment` | `comment` | [`FieldValue::Texts`] (plain-text comment bodies) |
/// | `Labels` | `labels` | [`FieldValue::Texts`] |
/// | `Component` | `component` | [`FieldValue::Texts`] (component names) |
/// | `FixVersion` | `fixVersion` | [`FieldValue::Texts`] (version names) |
/// | `AffectedVersion` | `affectedVersion` | [`FieldValue::Texts`] (version names) |
/// | `Assignee`, `Reporter`, `Creator` | `assignee`, `reporter`, `creator` | [`FieldValue::User`] or `Empty` |
/// | `Parent` | `parent`, `"Epic Link"` | [`FieldValue::Issue`] of the parent, or `Empty` |
/// | `Created`, `Updated`, `Resolved` | `created`/`createdDate`, `updated`/`updatedDate`, `resolved`/`resolutiondate` | [`FieldValue::DateTime`] (`Resolved` may be `Empty`) |
/// | `DueDate` | `duedate`, `due` | [`FieldValue::Date`] or `Empty` |
/// | `Sprint` | `sprint` | [`FieldValue::Ids`] (sprint ids; names are resolved through the context) |
/// | `Custom(n)` | `cf[n]`, or a custom field name the context resolves to `n` | any variant that fits the field (`Number` for story points, `Ids` for sprint-like fields, `Text`, `Texts`, `Named`, `User`, `Date`, `DateTime`) |
///
/// The JQL pseudo-field `text` is not a variant: the compiler expands `text ~ x` into a search over
/// `Summary`, `Description`, `Environment` and `Comment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldRef {
    /// The issue's project.
    Project,
    /// The issue itself (key and numeric id).
    IssueKey,
    /// The issue type (Story, Bug, Epic, Sub-task…).
    IssueType,
    /// The workflow status.
    Status,
    /// The status category: "To Do", "In Progress" or "Done".
    StatusCategory,
    /// The priority.
    Priority,
    /// The resolution, empty while unresolved.
    Resolution,
    /// The one-line summary.
    Summary,
    /// The description as plain text.
    Description,
    /// The environment field as plain text.
    Environment,
    /// The bodies of all comments as plain text.
    Comment,
    /// The labels.
    Labels,
    /// Component names.
    Component,
    /// Fix version names.
    FixVersion,
    /// Affected version names.
    AffectedVersion,
    /// The assignee.
    Assignee,
    /// The reporter.
    Reporter,
    /// The creator.
    Creator,
    /// The parent issue (epic of a story, story of a sub-task); JQL's "Epic Link" maps here too.
    Parent,
    /// When the issue was created.
    Created,
    /// When the issue was last updated.
    Updated,
    /// When the issue was resolved.
    Resolved,
    /// The due date (a calendar day).
    DueDate,
    /// The sprints the issue is or was in.
    Sprint,
    /// A custom field by its numeric id (`customfield_10016` is `Custom(10016)`).
    Custom(u64),
}

impl FieldRef {
    /// Resolves a system field name or alias (case-insensitive), as written in JQL.
    ///
    /// Returns `None` for names that are not system fields (they may still be custom field
    /// names) and for the pseudo-field `text`, which [`crate::CompiledQuery`] expands itself.
    pub fn system(name: &str) -> Option<FieldRef> {
        let lower = name.trim().to_lowercase();
        let field = match lower.as_str() {
            "project" => FieldRef::Project,
            "key" | "issuekey" | "issue" | "id" => FieldRef::IssueKey,
            "issuetype" | "type" => FieldRef::IssueType,
            "status" => FieldRef::Status,
            "statuscategory" => FieldRef::StatusCategory,
            "priority" => FieldRef::Priority,
            "resolution" => FieldRef::Resolution,
            "summary" => FieldRef::Summary,
            "description" => FieldRef::Description,
            "environment" => FieldRef::Environment,
            "comment" => FieldRef::Comment,
            "labels" => FieldRef::Labels,
            "component" => FieldRef::Component,
            "fixversion" => FieldRef::FixVersion,
            "affectedversion" => FieldRef::AffectedVersion,
            "assignee" => FieldRef::Assignee,
            "reporter" => FieldRef::Reporter,
            "creator" => FieldRef::Creator,
            // Jira Cloud retired "Epic Link" in favour of `parent`; old queries still use it.
            "parent" | "epic link" => FieldRef::Parent,
            "created" | "createddate" => FieldRef::Created,
            "updated" | "updateddate" => FieldRef::Updated,
            "resolved" | "resolutiondate" => FieldRef::Resolved,
            "duedate" | "due" => FieldRef::DueDate,
            "sprint" => FieldRef::Sprint,
            _ => return None,
        };
        Some(field)
    }

    /// The field's canonical JQL name, used in error messages (`'project'`, `'cf[10016]'`).
    pub fn jql_name(&self) -> Cow<'static, str> {
        let name = match self {
            FieldRef::Project => "project",
            FieldRef::IssueKey => "key",
            FieldRef::IssueType => "issuetype",
            FieldRef::Status => "status",
            FieldRef::StatusCategory => "statusCategory",
            FieldRef::Priority => "priority",
            FieldRef::Resolution => "resolution",
            FieldRef::Summary => "summary",
            FieldRef::Description => "description",
            FieldRef::Environment => "environment",
            FieldRef::Comment => "comment",
            FieldRef::Labels => "labels",
            FieldRef::Component => "component",
            FieldRef::FixVersion => "fixVersion",
            FieldRef::AffectedVersion => "affectedVersion",
            FieldRef::Assignee => "assignee",
            FieldRef::Reporter => "reporter",
            FieldRef::Creator => "creator",
            FieldRef::Parent => "parent",
            FieldRef::Created => "created",
            FieldRef::Updated => "updated",
            FieldRef::Resolved => "resolved",
            FieldRef::DueDate => "duedate",
            FieldRef::Sprint => "sprint",
            FieldRef::Custom(id) => return Cow::Owned(format!("cf[{id}]")),
        };
        Cow::Borrowed(name)
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.jql_name())
    }
}

/// What an issue holds in one field, borrowed from the issue where possible so evaluation does
/// not allocate.
///
/// Matching is forgiving about which variant a field uses (a status given as `Text("Done")`
/// still matches `status = done`), but the variants in the [`FieldRef`] table give the full
/// semantics (ids, ranks, user e-mails). Return [`FieldValue::Empty`] (or an empty string or
/// list, which count as empty too) for an unset field: `IS EMPTY` matches it and `!=` / `NOT IN`
/// do not.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// The field is not set.
    Empty,
    /// A single text value (summary, description, a text custom field).
    Text(Cow<'a, str>),
    /// Several text values (labels, component or version names, comment bodies).
    Texts(Cow<'a, [String]>),
    /// A number (story points and other numeric custom fields).
    Number(f64),
    /// An instant (created, updated, resolved).
    DateTime(DateTime<Utc>),
    /// A calendar day without a time (due date).
    Date(NaiveDate),
    /// A user (assignee, reporter, creator).
    User(UserValue<'a>),
    /// A project.
    Project(ProjectValue<'a>),
    /// An issue: the issue itself for [`FieldRef::IssueKey`], the parent for [`FieldRef::Parent`].
    Issue(IssueValue<'a>),
    /// A value from a configured list (status, priority, issue type, resolution, select options).
    Named(NamedValue<'a>),
    /// Numeric ids (sprint ids).
    Ids(Cow<'a, [u64]>),
}

impl FieldValue<'_> {
    /// True when the field counts as EMPTY in JQL: unset, an empty or blank string, or an empty
    /// list.
    pub fn is_empty(&self) -> bool {
        match self {
            FieldValue::Empty => true,
            FieldValue::Text(text) => text.trim().is_empty(),
            FieldValue::Texts(texts) => texts.iter().all(|text| text.trim().is_empty()),
            FieldValue::Ids(ids) => ids.is_empty(),
            _ => false,
        }
    }
}

/// A user, matched by JQL against its account id, display name or e-mail (case-insensitive);
/// `currentUser()` matches the account id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserValue<'a> {
    /// The Atlassian account id, e.g. `5b10ac8d82e05b22cc7d4ef5`.
    pub account_id: &'a str,
    /// The display name, e.g. `Mia Krystof`; also the sort key for `ORDER BY assignee`.
    pub display_name: &'a str,
    /// The e-mail address, if visible.
    pub email: Option<&'a str>,
}

/// A project, matched by key, name (case-insensitive) or numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectValue<'a> {
    /// The numeric project id, e.g. `10000`.
    pub id: u64,
    /// The project key, e.g. `DEMO`.
    pub key: &'a str,
    /// The project name, e.g. `Demo project`.
    pub name: &'a str,
}

/// An issue reference, matched by key (case-insensitive) or numeric id. `<`, `>`, `<=` and `>=`
/// compare issue numbers within the same project, as Jira does for `key > DEMO-5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueValue<'a> {
    /// The numeric issue id, e.g. `10042`.
    pub id: u64,
    /// The issue key, e.g. `DEMO-12`.
    pub key: &'a str,
}

/// A value from a configured list: a status, priority, issue type, resolution or select option.
/// Matched by name (case-insensitive) or id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedValue<'a> {
    /// The id as Jira shows it, e.g. `"10001"` for a status or `"3"` for a priority.
    pub id: &'a str,
    /// The display name, e.g. `In Progress`.
    pub name: &'a str,
    /// The position in the field's configured order, ascending. For priority, higher means more
    /// important (Lowest = 1 … Highest = 5), so `ORDER BY priority DESC` lists Highest first and
    /// `priority >= High` compares ranks (the literal's rank comes from
    /// [`crate::EvalContext::rank_of`]). `None` sorts by name.
    pub rank: Option<i64>,
}

/// Which sprints `openSprints()`, `closedSprints()` and `futureSprints()` stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SprintState {
    /// Started and not completed (`openSprints()`).
    Active,
    /// Completed (`closedSprints()`).
    Closed,
    /// Not yet started (`futureSprints()`).
    Future,
}
