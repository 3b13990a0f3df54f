//! Rendering store records as Jira REST v3 JSON: issues with field selection and expansions,
//! users, statuses, issue types, priorities, projects, comments and sprint values.
//!
//! Shapes follow the official schemas (`IssueBean`, `UserDetails`, `StatusDetails`,
//! `IssueTypeDetails`, `LinkedIssue`, `Comment`), whose `additionalProperties: false` means no
//! extra keys may appear.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::wiki::{ApiVersion, adf_to_wiki};
use crate::state::{
    ChangeHistory, Comment, FieldDef, FieldKind, Issue, IssueType, LinkType, Priority, Project,
    SPRINT_FIELD, Sprint, Status, Store, User,
};

/// Jira's timestamp format: `2021-01-17T12:34:00.000+0000`.
pub(crate) fn jira_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

/// Agile and Confluence timestamp format: `2021-01-17T12:34:00.000Z`.
pub(crate) fn iso_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// What an issue rendering needs besides the issue: the store, the base URL, and the REST
/// version (v2 shows rich text as wiki markup, v3 as ADF).
pub(crate) struct Renderer<'a> {
    pub store: &'a Store,
    pub base: &'a str,
    pub version: ApiVersion,
}

fn avatar_urls(base: &str, kind: &str, id: &str) -> Value {
    json!({
        "48x48": format!("{base}/secure/{kind}avatar?size=large&id={id}"),
        "24x24": format!("{base}/secure/{kind}avatar?size=small&id={id}"),
        "16x16": format!("{base}/secure/{kind}avatar?size=xsmall&id={id}"),
        "32x32": format!("{base}/secure/{kind}avatar?size=medium&id={id}"),
    })
}

/// Which fields to include, from `fields=` tokens (`*all`, `*navigable`, `-name`, ids, names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSelection {
    fields: BTreeSet<String>,
}

impl FieldSelection {
    /// Parses the tokens; `default` applies when no token is given.
    pub fn parse(store: &Store, tokens: &[String], default: &str) -> Self {
        let tokens: Vec<String> = tokens
            .iter()
            .flat_map(|t| t.split(','))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        // Exclusions alone (`-comment`) trim the default set rather than empty it.
        let tokens = if tokens.iter().all(|t| t.starts_with('-')) {
            std::iter::once(default.to_string()).chain(tokens).collect()
        } else {
            tokens
        };
        let mut fields = BTreeSet::new();
        let mut excluded = BTreeSet::new();
        for token in &tokens {
            match token.as_str() {
                "*all" => fields.extend(store.fields().iter().map(|f| f.id.clone())),
                "*navigable" => fields.extend(
                    store
                        .fields()
                        .iter()
                        .filter(|f| f.navigable)
                        .map(|f| f.id.clone()),
                ),
                // `id` and `key` are always part of the envelope, never of `fields`.
                "id" | "key" | "*none" => {}
                other => {
                    if let Some(name) = other.strip_prefix('-') {
                        if let Some(f) = store.field(name) {
                            excluded.insert(f.id.clone());
                        }
                    } else if let Some(f) = store.field(other) {
                        fields.insert(f.id.clone());
                    }
                }
            }
        }
        for id in excluded {
            fields.remove(&id);
        }
        Self { fields }
    }

    /// Whether nothing but the envelope is wanted.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The selected field ids.
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.fields.iter()
    }

    /// Whether only cheap envelope data was asked for (search allows bigger pages then).
    pub fn ids_only(&self) -> bool {
        self.fields.is_empty()
    }
}

/// `expand=` options that change an issue's rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expand {
    pub names: bool,
    pub schema: bool,
    pub transitions: bool,
    pub rendered_fields: bool,
    pub changelog: bool,
}

impl Expand {
    /// Parses a comma list (possibly repeated).
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut expand = Self::default();
        for token in values.into_iter().flat_map(|v| v.split(',')) {
            match token.trim() {
                "names" => expand.names = true,
                "schema" => expand.schema = true,
                "transitions" => expand.transitions = true,
                "renderedFields" => expand.rendered_fields = true,
                "changelog" => expand.changelog = true,
                _ => {}
            }
        }
        expand
    }
}

/// The `schema` object of a field (`JsonTypeBean`).
pub(crate) fn field_schema(field: &FieldDef) -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), json!(field.schema_type));
    if let Some(items) = &field.schema_items {
        schema.insert("items".into(), json!(items));
    }
    if field.custom {
        schema.insert("custom".into(), json!(field.schema_source));
        if let Some(id) = field.custom_id() {
            schema.insert("customId".into(), json!(id));
        }
    } else {
        schema.insert("system".into(), json!(field.schema_source));
    }
    Value::Object(schema)
}

impl<'a> Renderer<'a> {
    /// A v3 renderer.
    pub fn new(store: &'a Store, base: &'a str) -> Self {
        Self {
            store,
            base,
            version: ApiVersion::V3,
        }
    }

    /// The same renderer for another REST version.
    pub fn with_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// Rich text as this version carries it: ADF in v3, wiki markup in v2.
    fn rich_text(&self, doc: &Value) -> Value {
        match self.version {
            ApiVersion::V3 => doc.clone(),
            ApiVersion::V2 => json!(adf_to_wiki(doc)),
        }
    }

    pub fn user(&self, user: &User) -> Value {
        json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, user.account_id),
            "accountId": user.account_id,
            "emailAddress": user.email,
            "avatarUrls": avatar_urls(self.base, "user", &user.account_id),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
            "accountType": "atlassian",
        })
    }

    fn user_ref(&self, account_id: Option<&str>) -> Value {
        account_id
            .and_then(|id| self.store.user(id))
            .map(|u| self.user(u))
            .unwrap_or(Value::Null)
    }

    pub fn status_category(&self, status: &Status) -> Value {
        let c = status.category;
        json!({
            "self": format!("{}/rest/api/3/statuscategory/{}", self.base, c.id()),
            "id": c.id(),
            "key": c.key(),
            "colorName": c.color_name(),
            "name": c.name(),
        })
    }

    pub fn status(&self, status: &Status) -> Value {
        json!({
            "self": format!("{}/rest/api/3/status/{}", self.base, status.id),
            "description": status.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": status.name,
            "id": status.id,
            "statusCategory": self.status_category(status),
        })
    }

    pub fn issue_type(&self, issue_type: &IssueType) -> Value {
        json!({
            "self": format!("{}/rest/api/3/issuetype/{}", self.base, issue_type.id),
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": format!("{}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{}?size=medium", self.base, issue_type.id),
            "name": issue_type.name,
            "subtask": issue_type.is_subtask(),
            "avatarId": issue_type.id.parse::<u64>().unwrap_or(10300),
            "hierarchyLevel": issue_type.hierarchy_level,
        })
    }

    pub fn priority(&self, priority: &Priority) -> Value {
        json!({
            "self": format!("{}/rest/api/3/priority/{}", self.base, priority.id),
            "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, priority.name.to_ascii_lowercase()),
            "name": priority.name,
            "id": priority.id,
        })
    }

    /// A project as it appears inside an issue.
    pub fn project_ref(&self, project: &Project) -> Value {
        json!({
            "self": format!("{}/rest/api/3/project/{}", self.base, project.id),
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": false,
            "avatarUrls": avatar_urls(self.base, "project", &project.id),
        })
    }

    /// A full project (`GET /project/{key}`).
    pub fn project(&self, project: &Project) -> Value {
        let mut value = self.project_ref(project);
        let object = value.as_object_mut().expect("object");
        object.insert("description".into(), json!(project.description));
        object.insert("lead".into(), self.user_ref(Some(&project.lead_account_id)));
        object.insert(
            "issueTypes".into(),
            Value::Array(
                project
                    .issue_type_ids
                    .iter()
                    .filter_map(|id| self.store.issue_type(id))
                    .map(|t| self.issue_type(t))
                    .collect(),
            ),
        );
        object.insert("assigneeType".into(), json!("UNASSIGNED"));
        object.insert("style".into(), json!("classic"));
        object.insert("isPrivate".into(), json!(false));
        object.insert(
            "expand".into(),
            json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
        );
        value
    }

    pub fn link_type(&self, link_type: &LinkType) -> Value {
        json!({
            "id": link_type.id,
            "name": link_type.name,
            "inward": link_type.inward,
            "outward": link_type.outward,
            "self": format!("{}/rest/api/3/issueLinkType/{}", self.base, link_type.id),
        })
    }

    /// The small issue form used in links, parents and sub-task lists (`LinkedIssue`).
    pub fn linked_issue(&self, issue: &Issue) -> Value {
        let mut fields = Map::new();
        fields.insert("summary".into(), json!(issue.summary));
        if let Some(s) = self.store.status(&issue.status_id) {
            fields.insert("status".into(), self.status(s));
        }
        if let Some(p) = issue
            .priority_id
            .as_deref()
            .and_then(|p| self.store.priority(p))
        {
            fields.insert("priority".into(), self.priority(p));
        }
        if let Some(t) = self.store.issue_type(&issue.issue_type_id) {
            fields.insert("issuetype".into(), self.issue_type(t));
        }
        json!({
            "id": issue.id,
            "key": issue.key,
            "self": format!("{}/rest/api/3/issue/{}", self.base, issue.id),
            "fields": fields,
        })
    }

    /// A sprint as the Sprint custom field shows it.
    pub fn sprint_value(&self, sprint: &Sprint) -> Value {
        let mut value = json!({
            "id": sprint.id,
            "name": sprint.name,
            "state": sprint.state.as_str(),
            "boardId": sprint.origin_board_id,
            "goal": sprint.goal.clone().unwrap_or_default(),
        });
        let object = value.as_object_mut().expect("object");
        for (key, date) in [
            ("startDate", sprint.start_date),
            ("endDate", sprint.end_date),
            ("completeDate", sprint.complete_date),
        ] {
            if let Some(date) = date {
                object.insert(key.into(), json!(iso_time(date)));
            }
        }
        value
    }

    /// A sprint as the agile API shows it.
    pub fn agile_sprint(&self, sprint: &Sprint) -> Value {
        let mut value = json!({
            "id": sprint.id,
            "self": format!("{}/rest/agile/1.0/sprint/{}", self.base, sprint.id),
            "state": sprint.state.as_str(),
            "name": sprint.name,
            "createdDate": iso_time(sprint.created_date),
            "originBoardId": sprint.origin_board_id,
        });
        let object = value.as_object_mut().expect("object");
        for (key, date) in [
            ("startDate", sprint.start_date),
            ("endDate", sprint.end_date),
            ("completeDate", sprint.complete_date),
        ] {
            if let Some(date) = date {
                object.insert(key.into(), json!(iso_time(date)));
            }
        }
        if let Some(goal) = &sprint.goal {
            object.insert("goal".into(), json!(goal));
        }
        value
    }

    pub fn comment(&self, issue: &Issue, comment: &Comment) -> Value {
        let author = self.user_ref(Some(&comment.author_account_id));
        let mut value = json!({
            "self": format!("{}/rest/api/3/issue/{}/comment/{}", self.base, issue.id, comment.id),
            "id": comment.id,
            "author": author,
            "body": self.rich_text(&comment.body),
            "updateAuthor": author,
            "created": jira_time(comment.created),
            "updated": jira_time(comment.updated),
            "jsdPublic": true,
        });
        if let Some(visibility) = &comment.visibility {
            value["visibility"] = visibility.clone();
        }
        value
    }

    fn issue_links(&self, issue: &Issue) -> Value {
        let links = self
            .store
            .links_of(&issue.id)
            .filter_map(|link| {
                let link_type = self.store.link_type(&link.type_id)?;
                let mut entry = json!({
                    "id": link.id,
                    "self": format!("{}/rest/api/3/issueLink/{}", self.base, link.id),
                    "type": self.link_type(link_type),
                });
                // On the source the link reads "source <outward> target", so the other end is
                // the outward issue; on the target it reads "target <inward> source".
                if link.source_issue_id == issue.id {
                    let other = self.store.issue(&link.target_issue_id)?;
                    entry["outwardIssue"] = self.linked_issue(other);
                } else {
                    let other = self.store.issue(&link.source_issue_id)?;
                    entry["inwardIssue"] = self.linked_issue(other);
                }
                Some(entry)
            })
            .collect();
        Value::Array(links)
    }

    /// The value of one field of an issue.
    pub fn field_value(&self, issue: &Issue, field: &FieldDef) -> Option<Value> {
        let store = self.store;
        let value = match field.id.as_str() {
            "summary" => json!(issue.summary),
            "description" => issue
                .description
                .as_ref()
                .map(|d| self.rich_text(d))
                .unwrap_or(Value::Null),
            "issuetype" => store
                .issue_type(&issue.issue_type_id)
                .map(|t| self.issue_type(t))
                .unwrap_or(Value::Null),
            "project" => store
                .project(&issue.project_id)
                .map(|p| self.project_ref(p))
                .unwrap_or(Value::Null),
            "status" => store
                .status(&issue.status_id)
                .map(|s| self.status(s))
                .unwrap_or(Value::Null),
            "priority" => issue
                .priority_id
                .as_deref()
                .and_then(|p| store.priority(p))
                .map(|p| self.priority(p))
                .unwrap_or(Value::Null),
            "assignee" => self.user_ref(issue.assignee.as_deref()),
            "reporter" => self.user_ref(issue.reporter.as_deref()),
            "creator" => self.user_ref(Some(&issue.creator)),
            "labels" => json!(issue.labels),
            // Jira leaves `parent` out entirely when an issue has none.
            "parent" => {
                return issue
                    .parent_id
                    .as_deref()
                    .and_then(|p| store.issue(p))
                    .map(|p| self.linked_issue(p));
            }
            "subtasks" => Value::Array(
                store
                    .children_of(&issue.id)
                    .filter(|c| {
                        store
                            .issue_type(&c.issue_type_id)
                            .is_some_and(IssueType::is_subtask)
                    })
                    .map(|c| self.linked_issue(c))
                    .collect(),
            ),
            "issuelinks" => self.issue_links(issue),
            "created" => json!(jira_time(issue.created)),
            "updated" => json!(jira_time(issue.updated)),
            "statuscategorychangedate" => json!(jira_time(issue.status_category_changed)),
            "resolution" => match &issue.resolution {
                Some(name) => json!({
                    "self": format!("{}/rest/api/3/resolution/10000", self.base),
                    "id": "10000",
                    "description": "Work has been completed on this work item.",
                    "name": name,
                }),
                None => Value::Null,
            },
            "resolutiondate" => issue
                .resolution_date
                .map(|d| json!(jira_time(d)))
                .unwrap_or(Value::Null),
            "duedate" => json!(issue.due_date),
            "comment" => json!({
                "comments": issue.comments.iter().map(|c| self.comment(issue, c)).collect::<Vec<_>>(),
                "self": format!("{}/rest/api/3/issue/{}/comment", self.base, issue.id),
                "maxResults": issue.comments.len(),
                "total": issue.comments.len(),
                "startAt": 0,
            }),
            _ if field.kind == FieldKind::Sprint && field.id == SPRINT_FIELD => {
                let sprints: Vec<Value> = issue
                    .closed_sprint_ids
                    .iter()
                    .copied()
                    .chain(issue.sprint_id)
                    .filter_map(|id| store.sprint(id))
                    .map(|s| self.sprint_value(s))
                    .collect();
                if sprints.is_empty() {
                    Value::Null
                } else {
                    Value::Array(sprints)
                }
            }
            _ if field.kind == FieldKind::Rank => json!(issue.lexo_rank()),
            _ if field.kind == FieldKind::Adf && field.custom => issue
                .custom_fields
                .get(&field.id)
                .map(|d| self.rich_text(d))
                .unwrap_or(Value::Null),
            _ if field.custom => issue
                .custom_fields
                .get(&field.id)
                .cloned()
                .unwrap_or(Value::Null),
            _ => return None,
        };
        Some(value)
    }

    /// A full `IssueBean`.
    pub fn issue(&self, issue: &Issue, selection: &FieldSelection, expand: &Expand) -> Value {
        let mut bean = Map::new();
        bean.insert(
            "expand".into(),
            json!(
                "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
            ),
        );
        bean.insert("id".into(), json!(issue.id));
        bean.insert(
            "self".into(),
            json!(format!("{}/rest/api/3/issue/{}", self.base, issue.id)),
        );
        bean.insert("key".into(), json!(issue.key));
        let mut names = Map::new();
        let mut schema = Map::new();
        if !selection.is_empty() {
            let mut fields = Map::new();
            for id in selection.ids() {
                let Some(def) = self.store.fields().iter().find(|f| &f.id == id) else {
                    continue;
                };
                if let Some(value) = self.field_value(issue, def) {
                    fields.insert(def.id.clone(), value);
                    names.insert(def.id.clone(), json!(def.name));
                    schema.insert(def.id.clone(), field_schema(def));
                }
            }
            if expand.rendered_fields {
                let mut rendered = Map::new();
                for key in fields.keys() {
                    rendered.insert(key.clone(), Value::Null);
                }
                if let Some(doc) = &issue.description
                    && rendered.contains_key("description")
                {
                    rendered.insert("description".into(), json!(adf_to_html(doc)));
                }
                bean.insert("renderedFields".into(), Value::Object(rendered));
            }
            bean.insert("fields".into(), Value::Object(fields));
        }
        if expand.names {
            bean.insert("names".into(), Value::Object(names));
        }
        if expand.schema {
            bean.insert("schema".into(), Value::Object(schema));
        }
        if expand.changelog {
            let histories: Vec<Value> = issue.changelog.iter().map(|h| self.history(h)).collect();
            bean.insert(
                "changelog".into(),
                json!({
                    "startAt": 0,
                    "maxResults": histories.len(),
                    "total": histories.len(),
                    "histories": histories,
                }),
            );
        }
        if expand.transitions
            && let Ok(transitions) = self.store.transitions_for(&issue.id)
        {
            bean.insert(
                "transitions".into(),
                Value::Array(
                    transitions
                        .into_iter()
                        .filter(|(_, available)| *available)
                        .filter_map(|(t, _)| self.transition(t, true))
                        .collect(),
                ),
            );
        }
        Value::Object(bean)
    }

    /// One change-history entry (`Changelog`).
    pub fn history(&self, history: &ChangeHistory) -> Value {
        json!({
            "id": history.id,
            "author": self.user_ref(Some(&history.author_account_id)),
            "created": jira_time(history.created),
            "items": history.items,
        })
    }

    /// One entry of a transitions list (`IssueTransition`).
    pub fn transition(
        &self,
        transition: &crate::state::Transition,
        available: bool,
    ) -> Option<Value> {
        let to = self.store.status(&transition.to)?;
        Some(json!({
            "id": transition.id,
            "name": transition.name,
            "to": self.status(to),
            "hasScreen": false,
            "isGlobal": transition.from.is_empty(),
            "isInitial": false,
            "isAvailable": available,
            "isConditional": transition.to == crate::state::STATUS_DONE,
            "looped": false,
        }))
    }
}

/// A minimal HTML rendering of ADF text, for `expand=renderedFields`.
fn adf_to_html(doc: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
        let (open, close) = match kind {
            "paragraph" => ("<p>", "</p>"),
            "bulletList" => ("<ul>", "</ul>"),
            "orderedList" => ("<ol>", "</ol>"),
            "listItem" => ("<li>", "</li>"),
            "heading" => ("<h3>", "</h3>"),
            "codeBlock" => ("<pre>", "</pre>"),
            _ => ("", ""),
        };
        out.push_str(open);
        if let Some(text) = node.get("text").and_then(Value::as_str) {
            out.push_str(
                &text
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
            );
        }
        if kind == "hardBreak" {
            out.push_str("<br/>");
        }
        for child in node
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, out);
        }
        out.push_str(close);
    }
    let mut out = String::new();
    walk(doc, &mut out);
    out
}
