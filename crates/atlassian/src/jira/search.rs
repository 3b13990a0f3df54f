//! JQL search over `/rest/api/3/search/jql` (token paging) and `/search/approximate-count`.
//! The removed `/rest/api/3/search` is never called.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::JiraClient;
use crate::error::Result;
use crate::models::Issue;
use crate::transport::ApiRequest;

/// A JQL search. The JQL must be bounded (Jira rejects a bare `ORDER BY`).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub jql: String,
    /// Fields to return; empty means Jira's default for this API, which is only `id`.
    pub fields: Vec<String>,
    /// e.g. `names`, `changelog`.
    pub expand: Vec<String>,
    /// Issues per page (Jira default 50; it may return fewer).
    pub page_size: Option<u32>,
    /// Issue ids to reconcile for read-after-write consistency (at most 50).
    pub reconcile_issues: Vec<u64>,
}

impl SearchQuery {
    pub fn new(jql: impl Into<String>) -> Self {
        SearchQuery {
            jql: jql.into(),
            fields: Vec::new(),
            expand: Vec::new(),
            page_size: None,
            reconcile_issues: Vec::new(),
        }
    }

    pub fn with_fields(mut self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_expand(mut self, expand: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.expand = expand.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    pub fn reconciling(mut self, issue_ids: impl IntoIterator<Item = u64>) -> Self {
        self.reconcile_issues = issue_ids.into_iter().collect();
        self
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub issues: Vec<Issue>,
    /// The token of the next page; `None` on the last page.
    pub next_page_token: Option<String>,
    /// Field id -> name, with `expand=names`.
    pub names: BTreeMap<String, String>,
}

/// Walks every page of a search, stopping after `max_issues`.
#[derive(Debug)]
pub struct SearchPager<'a> {
    client: &'a JiraClient,
    query: SearchQuery,
    next_token: Option<String>,
    done: bool,
    remaining: usize,
}

impl SearchPager<'_> {
    /// The next page of issues (never more than the remaining maximum), or `None` at the end.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Issue>>> {
        if self.done || self.remaining == 0 {
            return Ok(None);
        }
        let page = self
            .client
            .search_page(&self.query, self.next_token.as_deref())
            .await?;
        let mut issues = page.issues;
        issues.truncate(self.remaining);
        self.remaining -= issues.len();
        // Stop on the last page, on an empty page, or if Jira hands back the same token (which
        // would otherwise loop forever).
        self.done = issues.is_empty()
            || page.next_page_token.is_none()
            || page.next_page_token == self.next_token;
        self.next_token = page.next_page_token;
        Ok(Some(issues))
    }
}

impl JiraClient {
    /// One page of a search; pass the previous page's token for the next one.
    pub async fn search_page(
        &self,
        query: &SearchQuery,
        page_token: Option<&str>,
    ) -> Result<SearchPage> {
        let request = self.flavour().search_request(query, page_token);
        let response = self.transport().send(&request).await?;
        self.flavour().parse_search(&response)
    }

    /// A pager over all pages of `query`, yielding at most `max_issues` issues in total.
    pub fn search_pages(&self, query: SearchQuery, max_issues: usize) -> SearchPager<'_> {
        SearchPager {
            client: self,
            query,
            next_token: None,
            done: false,
            remaining: max_issues,
        }
    }

    /// Every issue matching `query`, up to `max_issues`.
    pub async fn search_all(&self, query: SearchQuery, max_issues: usize) -> Result<Vec<Issue>> {
        let mut pager = self.search_pages(query, max_issues);
        let mut issues = Vec::new();
        while let Some(page) = pager.next_page().await? {
            issues.extend(page);
        }
        Ok(issues)
    }

    /// Jira's approximate count of issues matching a bounded JQL.
    pub async fn approximate_count(&self, jql: &str) -> Result<u64> {
        #[derive(Deserialize)]
        struct Wire {
            count: u64,
        }
        let request = ApiRequest::new(
            Method::POST,
            "POST /rest/api/3/search/approximate-count",
            self.flavour().platform(&["search", "approximate-count"]),
        )
        .json_body(&json!({ "jql": jql }))
        .idempotent();
        let wire: Wire = self.transport().json(&request).await?;
        Ok(wire.count)
    }

    /// The children of an epic (`parent = KEY`), up to `max_issues`.
    pub async fn epic_children(
        &self,
        epic_key: &str,
        fields: &[&str],
        max_issues: usize,
    ) -> Result<Vec<Issue>> {
        let query = SearchQuery::new(format!(
            "parent = {} ORDER BY rank ASC",
            quote_jql(epic_key)
        ))
        .with_fields(fields.iter().copied());
        self.search_all(query, max_issues).await
    }
}

/// Quote a value for JQL (`"…"` with `\` and `"` escaped).
pub fn quote_jql(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jql_values_are_quoted_and_escaped() {
        assert_eq!(quote_jql("PW-1"), "\"PW-1\"");
        assert_eq!(quote_jql(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
