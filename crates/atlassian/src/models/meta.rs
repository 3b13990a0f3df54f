//! Site metadata: fields (for custom-field discovery), create metadata (required fields per
//! project and issue type) and the issue types a project can create.

use serde::Deserialize;
use serde_json::Value;

/// A field of the site, system or custom.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// `summary`, `customfield_10020`, …
    pub id: String,
    #[serde(default)]
    pub key: Option<String>,
    pub name: String,
    #[serde(default)]
    pub custom: bool,
    /// JQL names, e.g. `["cf[10020]", "Sprint"]`.
    #[serde(default)]
    pub clause_names: Vec<String>,
    #[serde(default)]
    pub schema: Option<FieldSchema>,
}

/// The data type of a field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSchema {
    /// `string`, `number`, `array`, `option`, `user`, `any`, …
    #[serde(rename = "type", default)]
    pub field_type: String,
    #[serde(default)]
    pub items: Option<String>,
    /// The custom field type key, e.g. `com.pyxis.greenhopper.jira:gh-sprint`.
    #[serde(default)]
    pub custom: Option<String>,
    #[serde(default)]
    pub custom_id: Option<u64>,
    #[serde(default)]
    pub system: Option<String>,
}

/// An issue type a project can create.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreateMetaIssueType {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub subtask: bool,
    #[serde(default)]
    pub description: Option<String>,
}

/// A field on the create screen of a project + issue type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMetaField {
    pub field_id: String,
    #[serde(default)]
    pub key: Option<String>,
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub has_default_value: bool,
    #[serde(default)]
    pub operations: Vec<String>,
    #[serde(default)]
    pub schema: Option<FieldSchema>,
    #[serde(default)]
    pub allowed_values: Vec<Value>,
}
