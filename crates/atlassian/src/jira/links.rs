//! Issue links and link types. Types are resolved at runtime by name, falling back to their
//! inward/outward descriptions because administrators rename types (and Atlassian renamed
//! "Issue split" to "Work item split").

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::JiraClient;
use super::flavour::issue_ref;
use crate::error::{Error, Result};
use crate::models::{AdfDoc, LinkType};
use crate::transport::ApiRequest;

/// Link types Planwright relies on, with the names and descriptions of a default Cloud site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownLinkType {
    /// "is blocked by" / "blocks".
    Blocks,
    /// Jira Software's "split from" / "split to" (formerly "Issue split").
    WorkItemSplit,
    /// "relates to" / "relates to".
    Relates,
    /// "is duplicated by" / "duplicates".
    Duplicate,
    /// "is cloned by" / "clones".
    Cloners,
}

impl KnownLinkType {
    /// Names this type has had on Cloud sites, current first.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            KnownLinkType::Blocks => &["Blocks"],
            KnownLinkType::WorkItemSplit => &["Work item split", "Issue split"],
            KnownLinkType::Relates => &["Relates"],
            KnownLinkType::Duplicate => &["Duplicate"],
            KnownLinkType::Cloners => &["Cloners"],
        }
    }

    /// The current name: the first of [`Self::names`].
    pub fn name(self) -> &'static str {
        match self.names() {
            [current, ..] => current,
            [] => "",
        }
    }

    /// The default (inward, outward) descriptions.
    pub fn descriptions(self) -> (&'static str, &'static str) {
        match self {
            KnownLinkType::Blocks => ("is blocked by", "blocks"),
            KnownLinkType::WorkItemSplit => ("split from", "split to"),
            KnownLinkType::Relates => ("relates to", "relates to"),
            KnownLinkType::Duplicate => ("is duplicated by", "duplicates"),
            KnownLinkType::Cloners => ("is cloned by", "clones"),
        }
    }

    fn by_name(name: &str) -> Option<Self> {
        [
            KnownLinkType::Blocks,
            KnownLinkType::WorkItemSplit,
            KnownLinkType::Relates,
            KnownLinkType::Duplicate,
            KnownLinkType::Cloners,
        ]
        .into_iter()
        .find(|known| known.names().iter().any(|n| n.eq_ignore_ascii_case(name)))
    }
}

impl JiraClient {
    /// The site's link types (cached per client; see [`JiraClient::refresh_link_types`]).
    pub async fn link_types(&self) -> Result<Arc<Vec<LinkType>>> {
        if let Some(cached) = self
            .inner
            .link_types
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(cached);
        }
        self.refresh_link_types().await
    }

    /// Re-read the link types from Jira.
    pub async fn refresh_link_types(&self) -> Result<Arc<Vec<LinkType>>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            issue_link_types: Vec<LinkType>,
        }
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/issueLinkType",
            self.flavour().platform(&["issueLinkType"]),
        );
        let wire: Wire = self.transport().json(&request).await?;
        let types = Arc::new(wire.issue_link_types);
        *self
            .inner
            .link_types
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(types.clone());
        Ok(types)
    }

    /// Find a well-known link type even if an administrator renamed it.
    pub async fn known_link_type(&self, known: KnownLinkType) -> Result<LinkType> {
        let types = self.link_types().await?;
        resolve_known(&types, known)
            .cloned()
            .ok_or_else(|| not_found(known.name(), &types))
    }

    /// Find a link type by name (exact, then case-insensitive, then — for well-known names — by
    /// its inward/outward descriptions).
    pub async fn link_type_by_name(&self, name: &str) -> Result<LinkType> {
        let types = self.link_types().await?;
        resolve_by_name(&types, name)
            .cloned()
            .ok_or_else(|| not_found(name, &types))
    }

    /// Create a link. On the wire `inwardIssue` is the issue the type's *outward* description
    /// applies to: `{type: Blocks, inwardIssue: A, outwardIssue: B}` reads "A blocks B" (the
    /// convention of Jira's own clients; the naming is famously backwards). Jira answers 201
    /// without an id, and never retries a create blindly.
    pub async fn create_link(
        &self,
        link_type: &LinkType,
        inward_issue: &str,
        outward_issue: &str,
        comment: Option<&AdfDoc>,
    ) -> Result<()> {
        let type_ref = if link_type.id.is_empty() {
            json!({ "name": link_type.name })
        } else {
            json!({ "id": link_type.id })
        };
        let mut body = serde_json::Map::new();
        body.insert("type".into(), type_ref);
        body.insert("inwardIssue".into(), issue_ref(inward_issue));
        body.insert("outwardIssue".into(), issue_ref(outward_issue));
        if let Some(comment) = comment {
            body.insert(
                "comment".into(),
                json!({ "body": self.flavour().rich_text(comment) }),
            );
        }
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/api/3/issueLink",
            self.flavour().platform(&["issueLink"]),
        )
        .json_body(&serde_json::Value::Object(body))
        .for_issue(inward_issue);
        self.transport().send(&request).await.map(drop)
    }

    /// "`blocker` blocks `blocked`".
    pub async fn link_blocks(&self, blocker: &str, blocked: &str) -> Result<()> {
        let link_type = self.known_link_type(KnownLinkType::Blocks).await?;
        self.create_link(&link_type, blocker, blocked, None).await
    }

    /// "`from` split to `to`" (a story split into a task).
    pub async fn link_split(&self, from: &str, to: &str) -> Result<()> {
        let link_type = self.known_link_type(KnownLinkType::WorkItemSplit).await?;
        self.create_link(&link_type, from, to, None).await
    }

    /// Delete a link by id (ids come from an issue's `issuelinks`).
    pub async fn delete_link(&self, link_id: &str) -> Result<()> {
        let request = ApiRequest::new(
            Method::DELETE,
            "DELETE /rest/api/3/issueLink/{linkId}",
            self.flavour().platform(&["issueLink", link_id]),
        );
        self.transport().send(&request).await.map(drop)
    }
}

fn resolve_known(types: &[LinkType], known: KnownLinkType) -> Option<&LinkType> {
    let (inward, outward) = known.descriptions();
    known
        .names()
        .iter()
        .find_map(|name| types.iter().find(|t| t.name == *name))
        .or_else(|| {
            known
                .names()
                .iter()
                .find_map(|name| types.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
        })
        .or_else(|| {
            types.iter().find(|t| {
                t.inward.eq_ignore_ascii_case(inward) && t.outward.eq_ignore_ascii_case(outward)
            })
        })
}

fn resolve_by_name<'a>(types: &'a [LinkType], name: &str) -> Option<&'a LinkType> {
    types
        .iter()
        .find(|t| t.name == name)
        .or_else(|| types.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
        .or_else(|| KnownLinkType::by_name(name).and_then(|known| resolve_known(types, known)))
}

fn not_found(name: &str, types: &[LinkType]) -> Error {
    Error::LinkTypeNotFound {
        name: name.to_string(),
        available: types.iter().map(|t| t.name.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_type(id: &str, name: &str, inward: &str, outward: &str) -> LinkType {
        LinkType {
            id: id.into(),
            name: name.into(),
            inward: inward.into(),
            outward: outward.into(),
        }
    }

    #[test]
    fn renamed_types_are_found_by_descriptions() {
        let types = vec![
            link_type("1", "Dependency", "is blocked by", "blocks"),
            link_type("2", "Issue split", "split from", "split to"),
        ];
        assert_eq!(
            resolve_known(&types, KnownLinkType::Blocks).unwrap().id,
            "1"
        );
        assert_eq!(
            resolve_known(&types, KnownLinkType::WorkItemSplit)
                .unwrap()
                .id,
            "2"
        );
        assert_eq!(resolve_by_name(&types, "Blocks").unwrap().id, "1");
        assert_eq!(resolve_by_name(&types, "work item split").unwrap().id, "2");
        assert!(resolve_by_name(&types, "Relates").is_none());
    }

    #[test]
    fn exact_name_wins_over_descriptions() {
        let types = vec![
            link_type("1", "Dependency", "is blocked by", "blocks"),
            link_type("2", "Blocks", "is blocked by", "blocks"),
        ];
        assert_eq!(
            resolve_known(&types, KnownLinkType::Blocks).unwrap().id,
            "2"
        );
    }
}
