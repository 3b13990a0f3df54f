//! Reading the `fields` and `update` parts of Jira's `IssueUpdateDetails` into store changes,
//! with Jira's per-field error messages.
//!
//! A field may be set through `fields` (a plain value) or through `update` (a list of
//! `set`/`add`/`remove` operations), never both. References accept the forms Jira accepts:
//! `{"key"}` or `{"id"}` for issues and projects, `{"id"}` or `{"name"}` for types and
//! priorities, `{"accountId"}` or `{"id"}` for users.

use serde_json::{Map, Value};

use super::wiki::{ApiVersion, wiki_to_adf};
use crate::state::{FieldChange, FieldKind, JiraErrors, NewIssue, SPRINT_FIELD, Store};

/// Rich text as sent: ADF as is, or (in REST v2) wiki markup converted to ADF.
pub(crate) fn rich_text_input(version: ApiVersion, value: &Value) -> Value {
    match (version, value) {
        (ApiVersion::V2, Value::String(text)) => wiki_to_adf(text),
        _ => value.clone(),
    }
}

/// The result of reading a request's fields and operations.
#[derive(Debug)]
pub(crate) struct ParsedInput {
    version: ApiVersion,
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub changes: Vec<FieldChange>,
    label_ops: Vec<LabelOp>,
    /// ADF bodies from `update.comment[].add.body`.
    pub comments: Vec<Value>,
}

#[derive(Debug)]
enum LabelOp {
    Set(Vec<String>),
    Add(String),
    Remove(String),
}

fn reference(value: &Value, keys: &[&str]) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => keys.iter().find_map(|k| match map.get(*k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

fn user_reference(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) if map.get("accountId").is_some_and(Value::is_null) => Ok(None),
        other => match reference(other, &["accountId", "id"]) {
            Some(id) if id == "-1" => Ok(None),
            Some(id) => Ok(Some(id)),
            None => Err("Specify a valid value for the user (an object with an accountId).".into()),
        },
    }
}

fn unknown_field(field: &str) -> String {
    format!("Field '{field}' cannot be set. It is not on the appropriate screen, or unknown.")
}

impl ParsedInput {
    fn set(&mut self, store: &Store, field: &str, value: &Value) -> Result<(), String> {
        match field {
            "project" => {
                self.project = Some(reference(value, &["key", "id"]).ok_or("project is required")?);
            }
            "issuetype" => {
                self.issue_type =
                    Some(reference(value, &["id", "name"]).ok_or("Specify an issue type")?);
            }
            "summary" => match value {
                Value::String(s) => self.changes.push(FieldChange::Summary(s.clone())),
                _ => return Err("Operation value must be a string".into()),
            },
            "description" => match &rich_text_input(self.version, value) {
                Value::Null => self.changes.push(FieldChange::Description(None)),
                adf @ Value::Object(_) => self
                    .changes
                    .push(FieldChange::Description(Some(adf.clone()))),
                _ => {
                    return Err(
                        "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                            .into(),
                    );
                }
            },
            "labels" => match value {
                Value::Array(items) => {
                    let labels = items
                        .iter()
                        .map(|l| l.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or("Labels must be strings")?;
                    self.label_ops.push(LabelOp::Set(labels));
                }
                Value::Null => self.label_ops.push(LabelOp::Set(Vec::new())),
                _ => return Err("data was not an array".into()),
            },
            "assignee" => self
                .changes
                .push(FieldChange::Assignee(user_reference(value)?)),
            "reporter" => self
                .changes
                .push(FieldChange::Reporter(user_reference(value)?)),
            "priority" => self.changes.push(FieldChange::Priority(
                reference(value, &["id", "name"]).ok_or("Specify a valid priority")?,
            )),
            "parent" => {
                let none = value.get("none").and_then(Value::as_bool) == Some(true);
                if none || value.is_null() {
                    self.changes.push(FieldChange::Parent(None));
                } else {
                    self.changes.push(FieldChange::Parent(Some(
                        reference(value, &["key", "id"])
                            .ok_or("Specify a valid parent (key or id)")?,
                    )));
                }
            }
            "duedate" => match value {
                Value::Null => self.changes.push(FieldChange::DueDate(None)),
                Value::String(s) => self.changes.push(FieldChange::DueDate(Some(s.clone()))),
                _ => return Err("Operation value must be a date string".into()),
            },
            SPRINT_FIELD => match value {
                Value::Null => self.changes.push(FieldChange::Sprint(None)),
                Value::Number(n) => self.changes.push(FieldChange::Sprint(Some(
                    n.as_u64()
                        .ok_or("Number value expected as the Sprint id.")?,
                ))),
                Value::String(s) => self
                    .changes
                    .push(FieldChange::Sprint(Some(s.parse().map_err(|_| {
                        "Number value expected as the Sprint id.".to_string()
                    })?))),
                _ => return Err("Number value expected as the Sprint id.".into()),
            },
            other => match store.fields().iter().find(|f| f.id == other) {
                Some(def)
                    if def.custom && !matches!(def.kind, FieldKind::Sprint | FieldKind::Rank) =>
                {
                    let value = if def.kind == FieldKind::Adf {
                        rich_text_input(self.version, value)
                    } else {
                        value.clone()
                    };
                    self.changes
                        .push(FieldChange::Custom(def.id.clone(), Some(value)));
                }
                _ => return Err(unknown_field(other)),
            },
        }
        Ok(())
    }

    fn operate(
        &mut self,
        store: &Store,
        field: &str,
        op: &str,
        value: &Value,
    ) -> Result<(), String> {
        match (field, op) {
            (_, "set") => self.set(store, field, value),
            ("labels", "add") => {
                let label = value.as_str().ok_or("Labels must be strings")?;
                self.label_ops.push(LabelOp::Add(label.to_string()));
                Ok(())
            }
            ("labels", "remove") => {
                let label = value.as_str().ok_or("Labels must be strings")?;
                self.label_ops.push(LabelOp::Remove(label.to_string()));
                Ok(())
            }
            ("comment", "add") => {
                let body = value.get("body").ok_or("Comment body can not be empty!")?;
                self.comments.push(rich_text_input(self.version, body));
                Ok(())
            }
            (field, op) => Err(format!("Field '{field}' does not support operation '{op}'")),
        }
    }

    /// Reads `fields` and `update`, collecting every error like Jira does.
    pub fn parse(
        store: &Store,
        version: ApiVersion,
        fields: Option<&Value>,
        update: Option<&Value>,
    ) -> Result<Self, JiraErrors> {
        let mut parsed = Self {
            version,
            project: None,
            issue_type: None,
            changes: Vec::new(),
            label_ops: Vec::new(),
            comments: Vec::new(),
        };
        let mut errors = JiraErrors::default();
        let empty = Map::new();
        let fields = match fields {
            Some(Value::Object(map)) => map,
            Some(Value::Null) | None => &empty,
            Some(_) => return Err(JiraErrors::message("fields must be an object")),
        };
        let update = match update {
            Some(Value::Object(map)) => map,
            Some(Value::Null) | None => &empty,
            Some(_) => return Err(JiraErrors::message("update must be an object")),
        };
        for (field, value) in fields {
            if update.contains_key(field) {
                errors.add_field(
                    field.clone(),
                    format!("Field '{field}' cannot be set in both 'fields' and 'update'."),
                );
                continue;
            }
            if let Err(message) = parsed.set(store, field, value) {
                errors.add_field(field.clone(), message);
            }
        }
        for (field, ops) in update {
            let Some(ops) = ops.as_array() else {
                errors.add_field(field.clone(), "Operations must be a list.");
                continue;
            };
            for op in ops {
                let Some(map) = op.as_object() else {
                    errors.add_field(field.clone(), "Each operation must be an object.");
                    continue;
                };
                for (name, value) in map {
                    if let Err(message) = parsed.operate(store, field, name, value) {
                        errors.add_field(field.clone(), message);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(errors)
        }
    }

    /// Resolves label operations against the current labels into one change.
    pub fn finish_labels(&mut self, current: &[String]) {
        if self.label_ops.is_empty() {
            return;
        }
        let mut labels = current.to_vec();
        for op in self.label_ops.drain(..) {
            match op {
                LabelOp::Set(set) => labels = set,
                LabelOp::Add(label) => {
                    if !labels.contains(&label) {
                        labels.push(label);
                    }
                }
                LabelOp::Remove(label) => labels.retain(|l| l != &label),
            }
        }
        self.changes.push(FieldChange::Labels(labels));
    }

    /// Turns the input of a create request into a `NewIssue`.
    pub fn into_new_issue(mut self) -> Result<NewIssue, JiraErrors> {
        self.finish_labels(&[]);
        let mut errors = JiraErrors::default();
        let mut new = NewIssue {
            project: self.project.unwrap_or_default(),
            issue_type: self.issue_type.unwrap_or_default(),
            ..NewIssue::default()
        };
        if new.project.is_empty() {
            errors.add_field("project", "Specify a valid project ID or key");
        }
        if new.issue_type.is_empty() {
            errors.add_field("issuetype", "Specify an issue type");
        }
        for change in self.changes {
            match change {
                FieldChange::Summary(s) => new.summary = s,
                FieldChange::Description(d) => new.description = d,
                FieldChange::Labels(l) => new.labels = l,
                FieldChange::Assignee(a) => new.assignee = a,
                FieldChange::Reporter(r) => new.reporter = r,
                FieldChange::Priority(p) => new.priority = Some(p),
                FieldChange::Parent(p) => new.parent = p,
                FieldChange::DueDate(d) => new.due_date = d,
                FieldChange::Custom(id, v) => {
                    new.custom_fields.insert(id, v.unwrap_or(Value::Null));
                }
                FieldChange::Sprint(s) => new.sprint_id = s,
            }
        }
        if new.summary.trim().is_empty() {
            errors.add_field("summary", "You must specify a summary of the issue.");
        }
        if errors.is_empty() {
            Ok(new)
        } else {
            Err(errors)
        }
    }
}
