//! The Confluence Cloud client (REST v2): read a page's storage-format body and update it with
//! optimistic concurrency, re-applying the caller's edit when someone else saved in between.

mod page_url;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use crate::auth::{Product, SiteConfig};
use crate::error::{Error, Result};
use crate::transport::{ApiRequest, Transport, TransportConfig, TransportStats};

/// How many times [`ConfluenceClient::edit_page`] re-reads and re-applies after a 409.
pub const MAX_EDIT_ATTEMPTS: u32 = 4;

/// A page with its storage-format body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: String,
    pub title: String,
    /// `current`, `draft`, …
    pub status: String,
    pub space_id: Option<String>,
    /// The version number; an update must send this + 1.
    pub version: u32,
    /// The body in storage format (XHTML).
    pub body_storage: String,
    /// The browser URL of the page, when Confluence gave one.
    pub web_url: Option<String>,
}

/// A Confluence Cloud client for one site.
#[derive(Debug)]
pub struct ConfluenceClient {
    transport: Transport,
    site: Url,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageWire {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    space_id: Option<String>,
    version: VersionWire,
    #[serde(default)]
    body: Option<BodyWire>,
    #[serde(default, rename = "_links")]
    links: Option<LinksWire>,
}

#[derive(Deserialize)]
struct VersionWire {
    number: u32,
}

#[derive(Deserialize)]
struct BodyWire {
    #[serde(default)]
    storage: Option<StorageWire>,
}

#[derive(Deserialize)]
struct StorageWire {
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct LinksWire {
    #[serde(default)]
    webui: Option<String>,
    #[serde(default)]
    base: Option<String>,
}

impl PageWire {
    fn into_page(self, site: &Url) -> Page {
        let web_url = self.links.and_then(|links| {
            let webui = links.webui?;
            // Links are rebuilt on the configured site; a `base` naming another host is ignored.
            let base = links
                .base
                .and_then(|b| Url::parse(&b).ok())
                .filter(|b| b.host_str() == site.host_str())
                .map(|b| b.to_string())
                .unwrap_or_else(|| format!("{}wiki", site));
            Some(format!("{}{}", base.trim_end_matches('/'), webui))
        });
        Page {
            id: self.id,
            title: self.title,
            status: self.status,
            space_id: self.space_id,
            version: self.version.number,
            body_storage: self
                .body
                .and_then(|b| b.storage)
                .map(|s| s.value)
                .unwrap_or_default(),
            web_url,
        }
    }
}

impl ConfluenceClient {
    /// A client for `site`; bearer credentials go through the gateway (cloud id discovered).
    pub async fn connect(site: SiteConfig, config: TransportConfig) -> Result<Self> {
        let http = Transport::http_client(&config)?;
        let base = site.api_base(&http, Product::Confluence).await?;
        Ok(ConfluenceClient {
            transport: Transport::new(http, base, site.auth, &config),
            site: site.site,
        })
    }

    /// What the transport has done so far.
    pub fn stats(&self) -> TransportStats {
        self.transport.stats()
    }

    /// The page id in a pasted page URL (or a bare id); URLs of other hosts are refused.
    pub fn page_id_from_url(&self, url_or_id: &str) -> Result<String> {
        page_url::page_id_from_url(&self.site, url_or_id)
    }

    /// A cheap authenticated read (one space), proving the site answers and the credentials work:
    /// what health probes call.
    pub async fn ping(&self) -> Result<()> {
        let path: Vec<String> = ["wiki", "api", "v2", "spaces"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let request =
            ApiRequest::new(Method::GET, "GET /wiki/api/v2/spaces", path).query("limit", "1");
        self.transport.send(&request).await.map(drop)
    }

    /// Read a page with its storage-format body.
    pub async fn get_page(&self, page_id: &str) -> Result<Page> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /wiki/api/v2/pages/{id}",
            pages_path(page_id),
        )
        .query("body-format", "storage");
        let wire: PageWire = self.transport.json(&request).await?;
        Ok(wire.into_page(&self.site))
    }

    /// Replace the body of `page` (as read) with `new_body`, as version `page.version + 1`.
    /// A concurrent change answers [`Error::Conflict`].
    pub async fn update_page(
        &self,
        page: &Page,
        new_body: &str,
        message: Option<&str>,
    ) -> Result<Page> {
        let body = update_body(page, new_body, message);
        let request = ApiRequest::new(
            Method::PUT,
            "PUT /wiki/api/v2/pages/{id}",
            pages_path(&page.id),
        )
        .json_body(&body);
        let wire: PageWire = self.transport.json(&request).await?;
        let mut updated = wire.into_page(&self.site);
        if updated.body_storage.is_empty() {
            // The PUT answer usually omits the body unless asked; we know what we wrote.
            updated.body_storage = new_body.to_string();
        }
        Ok(updated)
    }

    /// Read the page, apply `edit` to its storage body and save it. If someone else saves in
    /// between (409), re-read and re-apply `edit` to their version, up to [`MAX_EDIT_ATTEMPTS`]
    /// times, so their change is never overwritten. An unchanged body is not saved.
    pub async fn edit_page<F, E>(
        &self,
        page_id: &str,
        message: Option<&str>,
        edit: F,
    ) -> Result<Page>
    where
        F: Fn(&str) -> std::result::Result<String, E>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        for attempt in 1..=MAX_EDIT_ATTEMPTS {
            let page = self.get_page(page_id).await?;
            let new_body = edit(&page.body_storage).map_err(|e| Error::EditRejected(e.into()))?;
            if new_body == page.body_storage {
                return Ok(page);
            }
            match self.update_page(&page, &new_body, message).await {
                Ok(updated) => return Ok(updated),
                Err(Error::Conflict { .. }) => {
                    tracing::info!(page_id, attempt, "page changed while editing; re-applying");
                }
                Err(other) => return Err(other),
            }
        }
        Err(Error::EditConflict {
            page_id: page_id.to_string(),
            attempts: MAX_EDIT_ATTEMPTS,
        })
    }
}

/// The JSON body [`ConfluenceClient::update_page`] sends.
fn update_body(page: &Page, new_body: &str, message: Option<&str>) -> serde_json::Value {
    let mut version = serde_json::Map::new();
    version.insert("number".into(), json!(page.version + 1));
    if let Some(message) = message {
        version.insert("message".into(), json!(message));
    }
    json!({
        "id": page.id,
        "status": if page.status.is_empty() { "current" } else { page.status.as_str() },
        "title": page.title,
        "body": { "representation": "storage", "value": new_body },
        "version": version,
    })
}

impl ConfluenceClient {
    /// What [`ConfluenceClient::update_page`] would send to save `new_body` over `page` (as
    /// read), for previews: the same body builder as the real request.
    pub fn preview_update_page(
        page: &Page,
        new_body: &str,
        message: Option<&str>,
    ) -> crate::RequestPreview {
        crate::RequestPreview {
            method: "PUT",
            path: format!("/{}", pages_path(&page.id).join("/")),
            body: update_body(page, new_body, message),
        }
    }
}

fn pages_path(page_id: &str) -> Vec<String> {
    ["wiki", "api", "v2", "pages", page_id]
        .iter()
        .map(|s| s.to_string())
        .collect()
}
