//! User lookup: who the credentials belong to, a user by account id, and search by name/email.

use reqwest::Method;

use super::JiraClient;
use crate::error::Result;
use crate::models::User;
use crate::transport::ApiRequest;

impl JiraClient {
    /// The account the credentials belong to (a cheap connection test).
    pub async fn myself(&self) -> Result<User> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/myself",
            self.flavour().platform(&["myself"]),
        );
        self.transport().json(&request).await
    }

    /// A user by account id.
    pub async fn user(&self, account_id: &str) -> Result<User> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/user",
            self.flavour().platform(&["user"]),
        )
        .query("accountId", account_id);
        self.transport().json(&request).await
    }

    /// Users whose display name or email matches `query` (at most `max_results`).
    pub async fn search_users(&self, query: &str, max_results: u32) -> Result<Vec<User>> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/user/search",
            self.flavour().platform(&["user", "search"]),
        )
        .query("query", query)
        .query("maxResults", max_results.to_string());
        self.transport().json(&request).await
    }
}
