//! The seam between what callers ask for and how one Jira deployment spells it on the wire: URL
//! prefixes, rich-text encoding, user references and the search protocol.
//!
//! Jira Cloud (platform REST v3 + agile 1.0) is the only flavour today. A Jira Data Center flavour
//! (REST v2, wiki markup, `startAt` search, `{"name": user}`) would implement this trait and leave
//! the `JiraClient` API unchanged.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::jira::search::{SearchPage, SearchQuery};
use crate::models::{AdfDoc, EditValue, Issue, IssueEdit, IssueTypeRef, NewIssue, ProjectRef};
use crate::transport::{ApiRequest, ApiResponse};

/// How one Jira deployment encodes requests.
pub(crate) trait Flavour: Send + Sync + std::fmt::Debug {
    /// Path segments of a platform endpoint, e.g. `["issue", key]` -> `rest/api/3/issue/{key}`.
    fn platform(&self, rest: &[&str]) -> Vec<String>;
    /// Path segments of an agile endpoint.
    fn agile(&self, rest: &[&str]) -> Vec<String>;
    /// A rich-text field value.
    fn rich_text(&self, doc: &AdfDoc) -> Value;
    /// A user reference inside `fields` (assignee, reporter).
    fn user_ref(&self, account_id: &str) -> Value;
    /// The body of `PUT …/assignee`.
    fn assignee_body(&self, account_id: Option<&str>) -> Value;
    /// The `fields` object of a create.
    fn new_issue_fields(&self, issue: &NewIssue) -> Value;
    /// The body of an edit.
    fn edit_body(&self, edit: &IssueEdit) -> Value;
    /// One search page request; `page_token` is what the previous page returned.
    fn search_request(&self, query: &SearchQuery, page_token: Option<&str>) -> ApiRequest;
    /// Decode one search page.
    fn parse_search(&self, response: &ApiResponse) -> Result<SearchPage>;
}

/// Jira Cloud: platform REST v3, agile REST 1.0, ADF, token-paged `/search/jql`.
#[derive(Debug, Default)]
pub(crate) struct CloudV3;

/// Beyond this many characters of JQL + field list, search uses POST so the URL stays short.
const MAX_GET_QUERY_CHARS: usize = 1500;

impl Flavour for CloudV3 {
    fn platform(&self, rest: &[&str]) -> Vec<String> {
        ["rest", "api", "3"]
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    }

    fn agile(&self, rest: &[&str]) -> Vec<String> {
        ["rest", "agile", "1.0"]
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    }

    fn rich_text(&self, doc: &AdfDoc) -> Value {
        doc.to_json()
    }

    fn user_ref(&self, account_id: &str) -> Value {
        json!({ "id": account_id })
    }

    fn assignee_body(&self, account_id: Option<&str>) -> Value {
        json!({ "accountId": account_id })
    }

    fn new_issue_fields(&self, issue: &NewIssue) -> Value {
        let mut fields = Map::new();
        fields.insert(
            "project".into(),
            match &issue.project {
                ProjectRef::Key(key) => json!({ "key": key }),
                ProjectRef::Id(id) => json!({ "id": id }),
            },
        );
        fields.insert(
            "issuetype".into(),
            match &issue.issue_type {
                IssueTypeRef::Name(name) => json!({ "name": name }),
                IssueTypeRef::Id(id) => json!({ "id": id }),
            },
        );
        fields.insert("summary".into(), Value::String(issue.summary.clone()));
        if let Some(description) = &issue.description {
            fields.insert("description".into(), self.rich_text(description));
        }
        if let Some(parent) = &issue.parent {
            fields.insert("parent".into(), issue_ref(parent));
        }
        if !issue.labels.is_empty() {
            fields.insert("labels".into(), json!(issue.labels));
        }
        if let Some(account_id) = &issue.assignee_account_id {
            fields.insert("assignee".into(), self.user_ref(account_id));
        }
        if let Some(priority) = &issue.priority_name {
            fields.insert("priority".into(), json!({ "name": priority }));
        }
        if !issue.component_names.is_empty() {
            let components: Vec<Value> = issue
                .component_names
                .iter()
                .map(|name| json!({ "name": name }))
                .collect();
            fields.insert("components".into(), Value::Array(components));
        }
        for (field_id, value) in &issue.custom_fields {
            fields.insert(field_id.clone(), value.clone());
        }
        Value::Object(fields)
    }

    fn edit_body(&self, edit: &IssueEdit) -> Value {
        let mut body = Map::new();
        if !edit.fields.is_empty() {
            let fields: Map<String, Value> = edit
                .fields
                .iter()
                .map(|(id, value)| {
                    let encoded = match value {
                        EditValue::Json(v) => v.clone(),
                        EditValue::RichText(doc) => self.rich_text(doc),
                    };
                    (id.clone(), encoded)
                })
                .collect();
            body.insert("fields".into(), Value::Object(fields));
        }
        if !edit.update.is_empty() {
            let update: Map<String, Value> = edit
                .update
                .iter()
                .map(|(id, ops)| (id.clone(), ops.iter().map(|op| op.to_json()).collect()))
                .collect();
            body.insert("update".into(), Value::Object(update));
        }
        Value::Object(body)
    }

    fn search_request(&self, query: &SearchQuery, page_token: Option<&str>) -> ApiRequest {
        let fields = query.fields.join(",");
        let expand = query.expand.join(",");
        if query.jql.len() + fields.len() <= MAX_GET_QUERY_CHARS {
            let mut request = ApiRequest::new(
                Method::GET,
                "GET /rest/api/3/search/jql",
                self.platform(&["search", "jql"]),
            )
            .query("jql", query.jql.as_str());
            if let Some(token) = page_token {
                request = request.query("nextPageToken", token);
            }
            if let Some(size) = query.page_size {
                request = request.query("maxResults", size.to_string());
            }
            if !fields.is_empty() {
                request = request.query("fields", fields);
            }
            if !expand.is_empty() {
                request = request.query("expand", expand);
            }
            if !query.reconcile_issues.is_empty() {
                let ids: Vec<String> = query.reconcile_issues.iter().map(u64::to_string).collect();
                request = request.query("reconcileIssues", ids.join(","));
            }
            request
        } else {
            let mut body = Map::new();
            body.insert("jql".into(), Value::String(query.jql.clone()));
            if let Some(token) = page_token {
                body.insert("nextPageToken".into(), Value::String(token.to_string()));
            }
            if let Some(size) = query.page_size {
                body.insert("maxResults".into(), json!(size));
            }
            if !query.fields.is_empty() {
                body.insert("fields".into(), json!(query.fields));
            }
            if !expand.is_empty() {
                body.insert("expand".into(), Value::String(expand));
            }
            if !query.reconcile_issues.is_empty() {
                body.insert("reconcileIssues".into(), json!(query.reconcile_issues));
            }
            ApiRequest::new(
                Method::POST,
                "POST /rest/api/3/search/jql",
                self.platform(&["search", "jql"]),
            )
            .json_body(&Value::Object(body))
            .idempotent()
        }
    }

    fn parse_search(&self, response: &ApiResponse) -> Result<SearchPage> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default)]
            issues: Vec<Issue>,
            #[serde(default)]
            next_page_token: Option<String>,
            #[serde(default)]
            is_last: Option<bool>,
            #[serde(default)]
            names: BTreeMap<String, String>,
        }
        let wire: Wire = response.json()?;
        let is_last = wire.is_last.unwrap_or(false) || wire.next_page_token.is_none();
        Ok(SearchPage {
            issues: wire.issues,
            next_page_token: if is_last { None } else { wire.next_page_token },
            names: wire.names,
        })
    }
}

/// `{"key": …}` for an issue key, `{"id": …}` for a numeric id.
pub(crate) fn issue_ref(key_or_id: &str) -> Value {
    if !key_or_id.is_empty() && key_or_id.bytes().all(|b| b.is_ascii_digit()) {
        json!({ "id": key_or_id })
    } else {
        json!({ "key": key_or_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::FieldOperation;

    #[test]
    fn new_issue_encodes_refs_and_custom_fields() {
        let issue = NewIssue::new("PW", "Story", "Checkout")
            .with_parent("PW-1")
            .with_labels(["a"])
            .with_custom_field("customfield_10016", json!(3))
            .with_description(AdfDoc::default());
        let fields = CloudV3.new_issue_fields(&issue);
        assert_eq!(
            fields,
            json!({
                "project": {"key": "PW"}, "issuetype": {"name": "Story"}, "summary": "Checkout",
                "parent": {"key": "PW-1"}, "labels": ["a"], "customfield_10016": 3,
                "description": {"type":"doc","version":1,"content":[]}
            })
        );
    }

    #[test]
    fn edit_body_splits_fields_and_update() {
        let edit = IssueEdit::new()
            .set_summary("New")
            .operation("labels", FieldOperation::Add(json!("x")));
        assert_eq!(
            CloudV3.edit_body(&edit),
            json!({"fields": {"summary": "New"}, "update": {"labels": [{"add": "x"}]}})
        );
    }

    #[test]
    fn long_jql_searches_by_post() {
        let short = SearchQuery::new("project = PW").with_fields(["summary"]);
        assert_eq!(CloudV3.search_request(&short, None).method, Method::GET);
        let long = SearchQuery::new(format!("key in ({})", vec!["PW-1"; 400].join(",")));
        let request = CloudV3.search_request(&long, Some("tok"));
        assert_eq!(request.method, Method::POST);
        let body: Value = serde_json::from_slice(request.body.as_ref().unwrap()).unwrap();
        assert_eq!(body["nextPageToken"], "tok");
    }

    #[test]
    fn numeric_refs_are_ids() {
        assert_eq!(issue_ref("10001"), json!({"id": "10001"}));
        assert_eq!(issue_ref("PW-1"), json!({"key": "PW-1"}));
    }
}
