//! Credentials for Atlassian Cloud and where they may be sent.
//!
//! Basic auth (email + API token) talks to the site URL; bearer tokens (scoped API tokens and
//! OAuth 2.0 access tokens) must talk to the `api.atlassian.com/ex/{product}/{cloudId}` gateway,
//! so the cloud id is discovered from the site's public `/_edge/tenant_info`. A [`TokenSource`] is
//! the seam through which an OAuth refresher hands out the current access token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, Result};

/// The future a [`TokenSource`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<SecretString>> + Send + 'a>>;

/// Hands out the bearer token to use for the next request (e.g. an OAuth access token that a
/// background task refreshes). Asked once per request attempt, so it may rotate tokens any time.
pub trait TokenSource: Send + Sync {
    /// The token to send now.
    fn bearer_token(&self) -> TokenFuture<'_>;
}

/// How to authenticate against Atlassian Cloud. Debug output never shows a secret.
#[derive(Clone)]
pub enum AtlassianAuth {
    /// `Authorization: Basic base64(email:api_token)` against the site URL.
    Basic {
        email: String,
        api_token: SecretString,
    },
    /// A fixed bearer token (scoped API token or OAuth access token), sent through the gateway.
    Bearer { token: SecretString },
    /// A bearer token obtained per request from a source (OAuth with refresh), via the gateway.
    TokenSource(Arc<dyn TokenSource>),
}

impl fmt::Debug for AtlassianAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtlassianAuth::Basic { email, .. } => f
                .debug_struct("Basic")
                .field("email", email)
                .field("api_token", &"[redacted]")
                .finish(),
            AtlassianAuth::Bearer { .. } => f
                .debug_struct("Bearer")
                .field("token", &"[redacted]")
                .finish(),
            AtlassianAuth::TokenSource(_) => f.write_str("TokenSource(..)"),
        }
    }
}

impl AtlassianAuth {
    /// Basic auth with an email and API token.
    pub fn basic(email: impl Into<String>, api_token: impl Into<String>) -> Self {
        AtlassianAuth::Basic {
            email: email.into(),
            api_token: SecretString::from(api_token.into()),
        }
    }

    /// A fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        AtlassianAuth::Bearer {
            token: SecretString::from(token.into()),
        }
    }

    /// Whether requests must go through the `api.atlassian.com` gateway rather than the site.
    pub fn uses_gateway(&self) -> bool {
        !matches!(self, AtlassianAuth::Basic { .. })
    }

    /// The `Authorization` header value for the next request.
    pub(crate) async fn header_value(&self) -> Result<reqwest::header::HeaderValue> {
        let text = match self {
            AtlassianAuth::Basic { email, api_token } => {
                let raw = format!("{email}:{}", api_token.expose_secret());
                format!("Basic {}", BASE64.encode(raw.as_bytes()))
            }
            AtlassianAuth::Bearer { token } => format!("Bearer {}", token.expose_secret()),
            AtlassianAuth::TokenSource(source) => {
                let token = source.bearer_token().await?;
                format!("Bearer {}", token.expose_secret())
            }
        };
        let mut value = reqwest::header::HeaderValue::from_str(&text).map_err(|_| {
            Error::Config("the credentials contain characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Which Atlassian product a gateway URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Jira,
    Confluence,
}

impl Product {
    fn gateway_segment(self) -> &'static str {
        match self {
            Product::Jira => "jira",
            Product::Confluence => "confluence",
        }
    }
}

/// Where a client sends its requests and where its credentials are valid.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The site users know, e.g. `https://acme.atlassian.net` (page URLs are checked against it).
    pub site: Url,
    /// The credentials.
    pub auth: AtlassianAuth,
    /// The OAuth/scoped-token gateway; `https://api.atlassian.com` unless a test points it elsewhere.
    pub gateway: Url,
    /// The cloud id, if known; discovered from the site when a gateway is needed and this is `None`.
    pub cloud_id: Option<String>,
}

impl SiteConfig {
    /// A configuration for `site` with `auth`, using the public gateway.
    pub fn new(site: &str, auth: AtlassianAuth) -> Result<Self> {
        Ok(SiteConfig {
            site: parse_base_url(site)?,
            auth,
            gateway: parse_base_url("https://api.atlassian.com/")?,
            cloud_id: None,
        })
    }

    /// Point the gateway elsewhere (tests, proxies).
    pub fn with_gateway(mut self, gateway: &str) -> Result<Self> {
        self.gateway = parse_base_url(gateway)?;
        Ok(self)
    }

    /// Use a known cloud id instead of discovering it.
    pub fn with_cloud_id(mut self, cloud_id: impl Into<String>) -> Self {
        self.cloud_id = Some(cloud_id.into());
        self
    }

    /// The base URL API paths are appended to: the site for basic auth, else the gateway.
    pub(crate) async fn api_base(&self, http: &reqwest::Client, product: Product) -> Result<Url> {
        if !self.auth.uses_gateway() {
            return Ok(self.site.clone());
        }
        let cloud_id = match &self.cloud_id {
            Some(id) => id.clone(),
            None => discover_cloud_id(http, &self.site).await?,
        };
        let path = format!("ex/{}/{}/", product.gateway_segment(), cloud_id);
        self.gateway
            .join(&path)
            .map_err(|e| Error::Config(format!("gateway URL: {e}")))
    }
}

/// Parse a site or gateway URL, keeping any path prefix and normalising it to end with `/`.
pub(crate) fn parse_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim())
        .map_err(|e| Error::Config(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!("{text:?} must be an http(s) URL")));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Ask the site for its cloud id (`GET {site}/_edge/tenant_info`, public, sent without credentials).
pub async fn discover_cloud_id(http: &reqwest::Client, site: &Url) -> Result<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct TenantInfo {
        cloud_id: String,
    }
    let endpoint = "GET /_edge/tenant_info".to_string();
    let url = site
        .join("_edge/tenant_info")
        .map_err(|e| Error::Config(format!("site URL: {e}")))?;
    let response = http.get(url).send().await.map_err(|e| Error::Network {
        endpoint: endpoint.clone(),
        message: e.to_string(),
        reached_server: !e.is_connect(),
    })?;
    if !response.status().is_success() {
        return Err(Error::Config(format!(
            "could not discover the cloud id of {site}: HTTP {}",
            response.status().as_u16()
        )));
    }
    // The tenant info is a few dozen bytes; anything much larger is not Atlassian answering.
    const MAX_TENANT_INFO_BYTES: usize = 64 * 1024;
    let body = crate::transport::read_body(response, MAX_TENANT_INFO_BYTES)
        .await
        .map_err(|e| e.into_error(&endpoint))?;
    let info: TenantInfo = serde_json::from_slice(&body).map_err(|e| Error::Decode {
        endpoint,
        message: e.to_string(),
    })?;
    Ok(info.cloud_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let basic = AtlassianAuth::basic("me@example.com", "s3cret-token");
        let bearer = AtlassianAuth::bearer("bearer-s3cret");
        let text = format!("{basic:?} {bearer:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("me@example.com"));
    }

    #[test]
    fn base_urls_are_normalised_with_a_trailing_slash() {
        let url = parse_base_url("https://acme.atlassian.net").unwrap();
        assert_eq!(url.as_str(), "https://acme.atlassian.net/");
        let url = parse_base_url("https://proxy.example.com/jira?x=1").unwrap();
        assert_eq!(url.as_str(), "https://proxy.example.com/jira/");
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
