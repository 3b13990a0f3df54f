//! Jira issues as read (`Issue`) and as written (`NewIssue`, `IssueEdit`), plus the small records
//! they reference. Reads tolerate unknown fields; custom fields stay raw JSON keyed by field id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::AdfDoc;
use super::time::lenient_timestamp;

/// A Jira issue as returned by get/search.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Issue {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub fields: IssueFields,
    /// Field id -> display name, present when requested with `expand=names`.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl Issue {
    /// The summary, or `""` when the field was not requested.
    pub fn summary(&self) -> &str {
        self.fields.summary.as_deref().unwrap_or_default()
    }

    /// The status name, when requested.
    pub fn status_name(&self) -> Option<&str> {
        self.fields.status.as_ref().map(|s| s.name.as_str())
    }

    /// The issue type name, when requested.
    pub fn issue_type_name(&self) -> Option<&str> {
        self.fields.issuetype.as_ref().map(|t| t.name.as_str())
    }

    /// The parent's key (epic of a story, story of a sub-task), when requested.
    pub fn parent_key(&self) -> Option<&str> {
        self.fields.parent.as_ref().map(|p| p.key.as_str())
    }
}

/// The fields of an issue. Known fields are typed; every other field (custom fields included) is
/// kept raw in `other`, keyed by field id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueFields {
    pub summary: Option<String>,
    /// ADF; `None` when empty, not requested, or not valid ADF (then the raw value is in `other`).
    pub description: Option<AdfDoc>,
    pub status: Option<Status>,
    pub issuetype: Option<IssueType>,
    pub parent: Option<IssueRef>,
    pub project: Option<Project>,
    pub labels: Vec<String>,
    pub assignee: Option<User>,
    pub reporter: Option<User>,
    pub priority: Option<Priority>,
    pub issuelinks: Vec<IssueLink>,
    pub subtasks: Vec<IssueRef>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Everything else, custom fields included (`customfield_10020` -> raw JSON).
    pub other: BTreeMap<String, Value>,
}

/// Hand-written so each known field is decoded straight from the stream (serde's `flatten`
/// would buffer the whole object first, doubling the cost of every search page), and so a
/// description that is not ADF is kept raw in `other` instead of failing the issue.
impl<'de> Deserialize<'de> for IssueFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;

        impl<'de> serde::de::Visitor<'de> for FieldsVisitor {
            type Value = IssueFields;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Jira issue `fields` object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<IssueFields, A::Error> {
                let mut fields = IssueFields::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "summary" => fields.summary = map.next_value()?,
                        "description" => {
                            let raw: Option<Value> = map.next_value()?;
                            if let Some(raw) = raw.filter(|v| !v.is_null()) {
                                match serde_json::from_value::<AdfDoc>(raw.clone()) {
                                    Ok(doc) => fields.description = Some(doc),
                                    Err(error) => {
                                        tracing::warn!(%error, "issue description is not ADF");
                                        fields.other.insert(key, raw);
                                    }
                                }
                            }
                        }
                        "status" => fields.status = map.next_value()?,
                        "issuetype" => fields.issuetype = map.next_value()?,
                        "parent" => fields.parent = map.next_value()?,
                        "project" => fields.project = map.next_value()?,
                        "labels" => {
                            fields.labels = map.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        "assignee" => fields.assignee = map.next_value()?,
                        "reporter" => fields.reporter = map.next_value()?,
                        "priority" => fields.priority = map.next_value()?,
                        "issuelinks" => {
                            fields.issuelinks = map.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        "subtasks" => {
                            fields.subtasks = map.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        "created" => fields.created = lenient_time_value(map.next_value()?),
                        "updated" => fields.updated = lenient_time_value(map.next_value()?),
                        _ => {
                            let value: Value = map.next_value()?;
                            fields.other.insert(key, value);
                        }
                    }
                }
                Ok(fields)
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

fn lenient_time_value(text: Option<String>) -> Option<DateTime<Utc>> {
    text.as_deref()
        .and_then(super::time::parse_timestamp)
        .map(|t| t.with_timezone(&Utc))
}

impl IssueFields {
    /// The raw value of a field by id (e.g. `customfield_10016`); `None` when absent or null.
    pub fn raw(&self, field_id: &str) -> Option<&Value> {
        self.other.get(field_id).filter(|v| !v.is_null())
    }
}

fn lenient_adf<'de, D>(deserializer: D) -> Result<Option<AdfDoc>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(
        value.and_then(|v| match serde_json::from_value::<AdfDoc>(v) {
            Ok(doc) => Some(doc),
            Err(error) => {
                tracing::warn!(%error, "issue description is not valid ADF; ignoring it");
                None
            }
        }),
    )
}

/// A workflow status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub status_category: Option<StatusCategory>,
}

/// The category of a status: `new`, `indeterminate` or `done`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCategory {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
}

impl Status {
    /// Whether the status is in the `done` category.
    pub fn is_done(&self) -> bool {
        self.status_category
            .as_ref()
            .is_some_and(|c| c.key == "done")
    }
}

/// An issue type (Epic, Story, Task, Sub-task, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueType {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub subtask: bool,
    /// 1 for epics, 0 for standard types, -1 for sub-tasks.
    #[serde(default)]
    pub hierarchy_level: Option<i32>,
}

/// A project as embedded in an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub name: String,
}

/// A priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A Jira user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub account_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
}

/// Another issue referenced from this one (parent, sub-task, link end) with its few fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IssueRef {
    #[serde(default)]
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub fields: Option<IssueRefFields>,
}

/// The fields Jira embeds in an [`IssueRef`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IssueRefFields {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub issuetype: Option<IssueType>,
    #[serde(default)]
    pub priority: Option<Priority>,
}

/// An issue link as seen from the issue it was read on. An `inward_issue` Y reads as
/// "this issue <type.inward> Y"; an `outward_issue` Y as "this issue <type.outward> Y".
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueLink {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type")]
    pub link_type: LinkType,
    #[serde(default)]
    pub inward_issue: Option<IssueRef>,
    #[serde(default)]
    pub outward_issue: Option<IssueRef>,
}

/// An issue link type, e.g. `Blocks` ("is blocked by" / "blocks").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkType {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub inward: String,
    #[serde(default)]
    pub outward: String,
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Comment {
    pub id: String,
    #[serde(default, deserialize_with = "lenient_adf")]
    pub body: Option<AdfDoc>,
    #[serde(default)]
    pub author: Option<User>,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub updated: Option<DateTime<Utc>>,
}

/// A workflow transition available on an issue.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub id: String,
    pub name: String,
    /// The status the transition leads to.
    #[serde(default)]
    pub to: Option<Status>,
    #[serde(default)]
    pub has_screen: bool,
    #[serde(default = "available_by_default")]
    pub is_available: bool,
}

fn available_by_default() -> bool {
    true
}

/// The id and key of a created issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedIssue {
    pub id: String,
    pub key: String,
}

/// How a new issue names its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    Key(String),
    Id(String),
}

/// How a new issue names its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueTypeRef {
    Name(String),
    Id(String),
}

/// An issue to create. Custom fields go in `custom_fields` by id with the JSON value Jira expects
/// for that field's type (a number, a string, `{"value": …}` for selects, ADF for textareas).
#[derive(Debug, Clone, PartialEq)]
pub struct NewIssue {
    pub project: ProjectRef,
    pub issue_type: IssueTypeRef,
    pub summary: String,
    pub description: Option<AdfDoc>,
    /// Parent key or id: the epic of a story/task, the parent of a sub-task.
    pub parent: Option<String>,
    pub labels: Vec<String>,
    pub assignee_account_id: Option<String>,
    pub priority_name: Option<String>,
    pub component_names: Vec<String>,
    pub custom_fields: BTreeMap<String, Value>,
}

impl NewIssue {
    /// An issue of `issue_type` (by name) in project `project_key` with a summary.
    pub fn new(
        project_key: impl Into<String>,
        issue_type: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        NewIssue {
            project: ProjectRef::Key(project_key.into()),
            issue_type: IssueTypeRef::Name(issue_type.into()),
            summary: summary.into(),
            description: None,
            parent: None,
            labels: Vec::new(),
            assignee_account_id: None,
            priority_name: None,
            component_names: Vec::new(),
            custom_fields: BTreeMap::new(),
        }
    }

    pub fn with_description(mut self, description: AdfDoc) -> Self {
        self.description = Some(description);
        self
    }

    pub fn with_parent(mut self, parent_key: impl Into<String>) -> Self {
        self.parent = Some(parent_key.into());
        self
    }

    pub fn with_labels(mut self, labels: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.labels = labels.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_custom_field(mut self, field_id: impl Into<String>, value: Value) -> Self {
        self.custom_fields.insert(field_id.into(), value);
        self
    }
}

/// One `update` operation on a field (`{"add": …}`, `{"set": …}`, …).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldOperation {
    Set(Value),
    Add(Value),
    Remove(Value),
    Edit(Value),
    Copy(Value),
}

impl FieldOperation {
    pub(crate) fn to_json(&self) -> Value {
        let (verb, value) = match self {
            FieldOperation::Set(v) => ("set", v),
            FieldOperation::Add(v) => ("add", v),
            FieldOperation::Remove(v) => ("remove", v),
            FieldOperation::Edit(v) => ("edit", v),
            FieldOperation::Copy(v) => ("copy", v),
        };
        serde_json::json!({ verb: value })
    }
}

/// A value set through `fields` of an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum EditValue {
    /// Sent as-is.
    Json(Value),
    /// Rich text, encoded by the API flavour (ADF on Cloud).
    RichText(AdfDoc),
}

/// Changes to an issue: plain sets in `fields`, operations in `update`. A field may appear in one
/// of the two only; the builder keeps the last call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueEdit {
    pub fields: BTreeMap<String, EditValue>,
    pub update: BTreeMap<String, Vec<FieldOperation>>,
    /// Send `notifyUsers=false` (needs admin rights).
    pub suppress_notifications: bool,
}

impl IssueEdit {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.update.is_empty()
    }

    pub fn set_summary(self, summary: impl Into<String>) -> Self {
        self.set_field("summary", Value::String(summary.into()))
    }

    pub fn set_description(mut self, description: AdfDoc) -> Self {
        self.update.remove("description");
        self.fields
            .insert("description".into(), EditValue::RichText(description));
        self
    }

    /// Set a rich-text (textarea) custom field.
    pub fn set_rich_text(mut self, field_id: impl Into<String>, doc: AdfDoc) -> Self {
        let field_id = field_id.into();
        self.update.remove(&field_id);
        self.fields.insert(field_id, EditValue::RichText(doc));
        self
    }

    /// Set any field to a raw JSON value.
    pub fn set_field(mut self, field_id: impl Into<String>, value: Value) -> Self {
        let field_id = field_id.into();
        self.update.remove(&field_id);
        self.fields.insert(field_id, EditValue::Json(value));
        self
    }

    pub fn set_parent(self, parent_key: impl Into<String>) -> Self {
        self.set_field("parent", serde_json::json!({ "key": parent_key.into() }))
    }

    /// Detach the issue from its parent (`update.parent.set.none = true`).
    pub fn remove_parent(self) -> Self {
        self.operation(
            "parent",
            FieldOperation::Set(serde_json::json!({"none": true})),
        )
    }

    pub fn add_label(self, label: impl Into<String>) -> Self {
        self.operation("labels", FieldOperation::Add(Value::String(label.into())))
    }

    pub fn remove_label(self, label: impl Into<String>) -> Self {
        self.operation(
            "labels",
            FieldOperation::Remove(Value::String(label.into())),
        )
    }

    /// Append an `update` operation on a field.
    pub fn operation(mut self, field_id: impl Into<String>, op: FieldOperation) -> Self {
        let field_id = field_id.into();
        self.fields.remove(&field_id);
        self.update.entry(field_id).or_default().push(op);
        self
    }
}

/// What one element of a bulk create came to, by the caller's index.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkItemOutcome {
    Created(CreatedIssue),
    /// Jira refused this element; nothing was created for it.
    Rejected(ElementError),
    /// The request carrying this element failed in a way that may or may not have created it
    /// (timeout, 5xx, unaccounted element): search before creating it again.
    Unknown(String),
    /// Not sent because an earlier chunk failed.
    NotSent,
}

/// Jira's error for one element of a bulk create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementError {
    pub status: Option<u16>,
    pub error_messages: Vec<String>,
    pub errors: BTreeMap<String, String>,
}

impl std::fmt::Display for ElementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.error_messages.clone();
        parts.extend(self.errors.iter().map(|(k, v)| format!("{k}: {v}")));
        f.write_str(&parts.join("; "))
    }
}

/// The result of a bulk create: one outcome per input issue, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkCreateOutcome {
    pub items: Vec<BulkItemOutcome>,
}

impl BulkCreateOutcome {
    /// The created issues with their input indices.
    pub fn created(&self) -> impl Iterator<Item = (usize, &CreatedIssue)> {
        self.items.iter().enumerate().filter_map(|(i, o)| match o {
            BulkItemOutcome::Created(c) => Some((i, c)),
            _ => None,
        })
    }

    /// Whether every element was created.
    pub fn all_created(&self) -> bool {
        self.items
            .iter()
            .all(|o| matches!(o, BulkItemOutcome::Created(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_with_extra_and_custom_fields_parses() {
        let issue: Issue = serde_json::from_value(serde_json::json!({
            "expand": "names", "id": "10002", "self": "https://x/rest/api/3/issue/10002", "key": "ED-1",
            "names": {"summary": "Summary", "customfield_10020": "Sprint"},
            "fields": {
                "summary": "Fix it",
                "description": {"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]},
                "status": {"id":"3","name":"In Progress","statusCategory":{"id":4,"key":"indeterminate","colorName":"yellow","name":"In Progress"}},
                "issuetype": {"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
                "parent": {"id":"1","key":"ED-0","fields":{"summary":"Epic","issuetype":{"name":"Epic","hierarchyLevel":1}}},
                "labels": null,
                "issuelinks": [{"id":"62609","type":{"id":"10006","name":"Work item split","inward":"split from","outward":"split to"},
                                 "inwardIssue":{"id":"116849","key":"SAM-45","fields":{"summary":"s"}}}],
                "customfield_10020": null,
                "customfield_10016": 5,
                "created": "2021-01-17T12:34:00.000+0000",
                "brandNewField": {"x": 1}
            }
        }))
        .unwrap();
        assert_eq!(issue.summary(), "Fix it");
        assert_eq!(issue.status_name(), Some("In Progress"));
        assert_eq!(issue.parent_key(), Some("ED-0"));
        assert!(issue.fields.description.is_some());
        assert!(issue.fields.labels.is_empty());
        assert_eq!(issue.fields.issuelinks[0].link_type.name, "Work item split");
        assert_eq!(
            issue.fields.raw("customfield_10016"),
            Some(&serde_json::json!(5))
        );
        assert_eq!(issue.fields.raw("customfield_10020"), None);
        assert!(issue.fields.created.is_some());
        assert!(issue.fields.raw("brandNewField").is_some());
        assert_eq!(
            issue.names.get("customfield_10020").map(String::as_str),
            Some("Sprint")
        );
    }

    #[test]
    fn a_description_that_is_not_adf_is_kept_raw() {
        let fields: IssueFields =
            serde_json::from_value(serde_json::json!({"description": "h1. wiki markup"})).unwrap();
        assert!(fields.description.is_none());
        assert_eq!(
            fields.raw("description"),
            Some(&serde_json::json!("h1. wiki markup"))
        );
    }

    #[test]
    fn edit_keeps_a_field_in_fields_or_update_only() {
        let edit = IssueEdit::new()
            .set_field("labels", serde_json::json!(["a"]))
            .add_label("b")
            .remove_parent();
        assert!(!edit.fields.contains_key("labels"));
        assert_eq!(edit.update["labels"].len(), 1);
        assert_eq!(
            edit.update["parent"][0].to_json(),
            serde_json::json!({"set": {"none": true}})
        );
    }
}
