//! JQL over the store: how the `jql` crate reads an issue ([`jql::JqlIssue`]), what it knows
//! about the site ([`jql::EvalContext`]), and the search entry point used by the platform
//! search, the approximate count and the agile endpoints.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use jql::{
    EvalContext, FieldRef, FieldValue, IssueValue, JqlError, JqlIssue, NamedValue, ProjectValue,
    UserValue,
};
use serde_json::Value;

use super::model::{Issue, SprintState, StatusCategory};
use super::store::Store;

/// One issue seen through the store, so JQL can follow references (status names, users…).
pub(crate) struct IssueView<'a> {
    pub store: &'a Store,
    pub issue: &'a Issue,
}

fn numeric(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

impl IssueView<'_> {
    fn user(&self, account_id: Option<&str>) -> FieldValue<'_> {
        match account_id.and_then(|id| self.store.users().iter().find(|u| u.account_id == id)) {
            Some(user) => FieldValue::User(UserValue {
                account_id: &user.account_id,
                display_name: &user.display_name,
                email: Some(&user.email),
            }),
            None => FieldValue::Empty,
        }
    }
}

impl JqlIssue for IssueView<'_> {
    fn field(&self, field: FieldRef) -> FieldValue<'_> {
        let issue = self.issue;
        let store = self.store;
        match field {
            FieldRef::Project => match store.projects().iter().find(|p| p.id == issue.project_id) {
                Some(p) => FieldValue::Project(ProjectValue {
                    id: numeric(&p.id),
                    key: &p.key,
                    name: &p.name,
                }),
                None => FieldValue::Empty,
            },
            FieldRef::IssueKey => FieldValue::Issue(IssueValue {
                id: numeric(&issue.id),
                key: &issue.key,
            }),
            FieldRef::IssueType => match store
                .issue_types()
                .iter()
                .find(|t| t.id == issue.issue_type_id)
            {
                Some(t) => FieldValue::Named(NamedValue {
                    id: &t.id,
                    name: &t.name,
                    rank: Some(i64::from(t.hierarchy_level)),
                }),
                None => FieldValue::Empty,
            },
            // Exact id lookups: these run for every issue of every search.
            FieldRef::Status => match store
                .statuses()
                .iter()
                .enumerate()
                .find(|(_, s)| s.id == issue.status_id)
            {
                Some((position, s)) => FieldValue::Named(NamedValue {
                    id: &s.id,
                    name: &s.name,
                    rank: Some(position as i64),
                }),
                None => FieldValue::Empty,
            },
            FieldRef::StatusCategory => {
                match store.statuses().iter().find(|s| s.id == issue.status_id) {
                    Some(s) => {
                        let (id, rank) = match s.category {
                            StatusCategory::ToDo => ("2", 1),
                            StatusCategory::InProgress => ("4", 2),
                            StatusCategory::Done => ("3", 3),
                        };
                        FieldValue::Named(NamedValue {
                            id,
                            name: s.category.name(),
                            rank: Some(rank),
                        })
                    }
                    None => FieldValue::Empty,
                }
            }
            FieldRef::Priority => {
                match issue
                    .priority_id
                    .as_deref()
                    .and_then(|p| store.priorities().iter().find(|x| x.id == p))
                {
                    Some(p) => FieldValue::Named(NamedValue {
                        id: &p.id,
                        name: &p.name,
                        rank: Some(priority_rank(&p.id)),
                    }),
                    None => FieldValue::Empty,
                }
            }
            FieldRef::Resolution => match &issue.resolution {
                Some(name) => FieldValue::Named(NamedValue {
                    id: "10000",
                    name,
                    rank: None,
                }),
                None => FieldValue::Empty,
            },
            FieldRef::Summary => FieldValue::Text(Cow::Borrowed(&issue.summary)),
            FieldRef::Description => {
                if issue.search.description.is_empty() {
                    FieldValue::Empty
                } else {
                    FieldValue::Text(Cow::Borrowed(&issue.search.description))
                }
            }
            FieldRef::Comment => FieldValue::Texts(Cow::Borrowed(&issue.search.comments)),
            FieldRef::Labels => FieldValue::Texts(Cow::Borrowed(&issue.labels)),
            FieldRef::Assignee => self.user(issue.assignee.as_deref()),
            FieldRef::Reporter => self.user(issue.reporter.as_deref()),
            FieldRef::Creator => self.user(Some(&issue.creator)),
            FieldRef::Parent => match issue.parent_id.as_deref().and_then(|p| store.issue(p)) {
                Some(parent) => FieldValue::Issue(IssueValue {
                    id: numeric(&parent.id),
                    key: &parent.key,
                }),
                None => FieldValue::Empty,
            },
            FieldRef::Created => FieldValue::DateTime(issue.created),
            FieldRef::Updated => FieldValue::DateTime(issue.updated),
            FieldRef::Resolved => match issue.resolution_date {
                Some(d) => FieldValue::DateTime(d),
                None => FieldValue::Empty,
            },
            FieldRef::DueDate => match issue
                .due_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                Some(d) => FieldValue::Date(d),
                None => FieldValue::Empty,
            },
            FieldRef::Sprint => FieldValue::Ids(Cow::Borrowed(&issue.search.sprint_ids)),
            FieldRef::Custom(n) => custom_value(issue, n),
            FieldRef::Environment
            | FieldRef::Component
            | FieldRef::FixVersion
            | FieldRef::AffectedVersion => FieldValue::Empty,
        }
    }
}

/// Priority ranks for JQL: Lowest = 1 … Highest = 5 (ids run the other way).
fn priority_rank(id: &str) -> i64 {
    6 - id.parse::<i64>().unwrap_or(3)
}

fn custom_value(issue: &Issue, n: u64) -> FieldValue<'_> {
    if n == 10020 {
        return FieldValue::Ids(Cow::Borrowed(&issue.search.sprint_ids));
    }
    if n == 10019 {
        return FieldValue::Text(Cow::Borrowed(&issue.search.rank));
    }
    if let Some((_, text)) = issue.search.custom_text.iter().find(|(id, _)| *id == n) {
        return FieldValue::Text(Cow::Borrowed(text));
    }
    let value = issue.custom_fields.iter().find(|(k, _)| {
        k.strip_prefix("customfield_")
            .and_then(|d| d.parse::<u64>().ok())
            == Some(n)
    });
    match value.map(|(_, v)| v) {
        Some(Value::Number(x)) => x
            .as_f64()
            .map(FieldValue::Number)
            .unwrap_or(FieldValue::Empty),
        Some(Value::String(s)) => FieldValue::Text(Cow::Borrowed(s)),
        _ => FieldValue::Empty,
    }
}

/// The site and user a query runs for.
pub(crate) struct StoreContext<'a> {
    pub store: &'a Store,
    pub now: DateTime<Utc>,
    pub user: Option<&'a str>,
}

impl EvalContext for StoreContext<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn current_user(&self) -> Option<&str> {
        self.user
    }

    fn sprint_ids(&self, state: jql::SprintState) -> Vec<u64> {
        let wanted = match state {
            jql::SprintState::Active => SprintState::Active,
            jql::SprintState::Closed => SprintState::Closed,
            jql::SprintState::Future => SprintState::Future,
        };
        self.store
            .sprints()
            .filter(|s| s.state == wanted)
            .map(|s| s.id)
            .collect()
    }

    fn sprint_ids_named(&self, name: &str) -> Vec<u64> {
        self.store
            .sprints()
            .filter(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.id)
            .collect()
    }

    fn custom_field_id(&self, name: &str) -> Option<u64> {
        self.store
            .fields()
            .iter()
            .filter(|f| f.custom)
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .and_then(|f| f.custom_id())
    }

    fn custom_field_exists(&self, id: u64) -> bool {
        self.store
            .fields()
            .iter()
            .any(|f| f.custom_id() == Some(id))
    }

    fn value_exists(&self, field: FieldRef, value: &str) -> bool {
        let store = self.store;
        match field {
            FieldRef::Project => {
                store.project(value).is_some()
                    || store
                        .projects()
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case(value))
            }
            FieldRef::IssueType => store.issue_type(value).is_some(),
            FieldRef::Status => store.status(value).is_some(),
            FieldRef::Priority => store.priority(value).is_some(),
            FieldRef::Resolution => {
                ["done", "unresolved", "10000"].contains(&value.to_ascii_lowercase().as_str())
            }
            FieldRef::Assignee | FieldRef::Reporter | FieldRef::Creator => {
                store.find_user(value).is_some()
            }
            FieldRef::IssueKey | FieldRef::Parent => store.issue(value).is_some(),
            FieldRef::Sprint => {
                value
                    .parse::<u64>()
                    .is_ok_and(|id| store.sprint(id).is_some())
                    || store.sprints().any(|s| s.name.eq_ignore_ascii_case(value))
            }
            _ => true,
        }
    }

    fn rank_of(&self, field: FieldRef, name: &str) -> Option<i64> {
        match field {
            FieldRef::Priority => self.store.priority(name).map(|p| priority_rank(&p.id)),
            FieldRef::Status => {
                let status = self.store.status(name)?;
                self.store
                    .statuses()
                    .iter()
                    .position(|s| s.id == status.id)
                    .map(|p| p as i64)
            }
            _ => None,
        }
    }
}

impl Store {
    /// Runs JQL for a user at `now`: matching issues in the query's order (issue key
    /// descending, then, when the query has no `ORDER BY`, as Jira's default).
    pub fn search(
        &self,
        jql: &str,
        user: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<&Issue>, JqlError> {
        let ctx = StoreContext {
            store: self,
            now,
            user,
        };
        let compiled = jql::compile(jql, &ctx)?;
        Ok(self.run_compiled(&compiled))
    }

    pub(crate) fn run_compiled(&self, compiled: &jql::CompiledQuery) -> Vec<&Issue> {
        // Default order (and tie-break) is newest first, like Jira's `ORDER BY key DESC`.
        let views: Vec<IssueView<'_>> = self
            .issues()
            .rev()
            .map(|issue| IssueView { store: self, issue })
            .collect();
        compiled
            .search(views.iter())
            .into_iter()
            .map(|v| v.issue)
            .collect()
    }
}
