//! Write requests rendered without sending them: the exact method, path and JSON body a write
//! would use, for previews (ARCHITECTURE.md, "Preview by default"). Built by the same code that
//! sends them, so a preview cannot drift from the real request.

use serde::Serialize;
use serde_json::{Value, json};

use super::JiraClient;
use super::flavour::issue_ref;
use crate::models::{AdfDoc, IssueEdit, LinkType, NewIssue};

/// A request as it would be sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestPreview {
    pub method: &'static str,
    /// Path relative to the site, e.g. `/rest/api/3/issue`.
    pub path: String,
    pub body: Value,
}

impl JiraClient {
    fn preview_path(&self, segments: Vec<String>) -> String {
        format!("/{}", segments.join("/"))
    }

    /// What [`JiraClient::create_issue`] would send.
    pub fn preview_create_issue(&self, issue: &NewIssue) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: self.preview_path(self.flavour().platform(&["issue"])),
            body: json!({ "fields": self.flavour().new_issue_fields(issue) }),
        }
    }

    /// What [`JiraClient::edit_issue`] would send.
    pub fn preview_edit_issue(&self, key: &str, edit: &IssueEdit) -> RequestPreview {
        RequestPreview {
            method: "PUT",
            path: self.preview_path(self.flavour().platform(&["issue", key])),
            body: self.flavour().edit_body(edit),
        }
    }

    /// What [`JiraClient::create_link`] would send: "`inward_issue` <outward description>
    /// `outward_issue`" (e.g. Blocks: A blocks B).
    pub fn preview_create_link(
        &self,
        link_type: &LinkType,
        inward_issue: &str,
        outward_issue: &str,
    ) -> RequestPreview {
        let type_ref = if link_type.id.is_empty() {
            json!({ "name": link_type.name })
        } else {
            json!({ "id": link_type.id })
        };
        RequestPreview {
            method: "POST",
            path: self.preview_path(self.flavour().platform(&["issueLink"])),
            body: json!({
                "type": type_ref,
                "inwardIssue": issue_ref(inward_issue),
                "outwardIssue": issue_ref(outward_issue),
            }),
        }
    }

    /// What [`JiraClient::add_comment`] would send.
    pub fn preview_add_comment(&self, key: &str, body: &AdfDoc) -> RequestPreview {
        RequestPreview {
            method: "POST",
            path: self.preview_path(self.flavour().platform(&["issue", key, "comment"])),
            body: json!({ "body": self.flavour().rich_text(body) }),
        }
    }
}
