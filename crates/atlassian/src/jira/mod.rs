//! The Jira client: one handle per site that callers share (it is cheap to clone), with typed
//! operations for issues, search, links, fields, users and agile boards/sprints.

mod agile;
mod fields;
pub(crate) mod flavour;
mod issues;
mod links;
mod preview;
pub(crate) mod search;
mod users;

use std::sync::{Arc, Mutex};

use crate::auth::{Product, SiteConfig};
use crate::error::Result;
use crate::models::{Field, LinkType};
use crate::transport::{Transport, TransportConfig, TransportStats};
use flavour::{CloudV3, Flavour};

pub use links::KnownLinkType;
pub use preview::RequestPreview;
pub use search::{SearchPage, SearchPager, SearchQuery, quote_jql};

/// Bulk create, sprint moves and backlog moves accept at most this many issues per call.
pub const MAX_ISSUES_PER_CALL: usize = 50;

/// A Jira Cloud client for one site.
#[derive(Debug, Clone)]
pub struct JiraClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    site: url::Url,
    transport: Transport,
    flavour: Box<dyn Flavour>,
    fields: Mutex<Option<Arc<Vec<Field>>>>,
    link_types: Mutex<Option<Arc<Vec<LinkType>>>>,
}

impl JiraClient {
    /// A client for `site`. With bearer credentials this discovers the cloud id (one unauthenticated
    /// request to the site) unless the config carries it.
    pub async fn connect(site: SiteConfig, config: TransportConfig) -> Result<Self> {
        let http = Transport::http_client(&config)?;
        let base = site.api_base(&http, Product::Jira).await?;
        let transport = Transport::new(http, base, site.auth, &config);
        Ok(JiraClient {
            inner: Arc::new(Inner {
                site: site.site,
                transport,
                flavour: Box::new(CloudV3),
                fields: Mutex::new(None),
                link_types: Mutex::new(None),
            }),
        })
    }

    /// The site users browse, e.g. `https://acme.atlassian.net/`.
    pub fn site(&self) -> &url::Url {
        &self.inner.site
    }

    /// The browser link of an issue (`{site}/browse/KEY`), built on the configured site rather
    /// than from `self` URLs in responses, which will move to the gateway host.
    pub fn browse_url(&self, key: &str) -> String {
        let mut url = self.inner.site.clone();
        match url.path_segments_mut() {
            Ok(mut segments) => {
                segments.pop_if_empty().extend(["browse", key]);
            }
            // Only a cannot-be-a-base URL has no path segments, and the site was checked to be
            // an http(s) URL with a host (`parse_base_url`), so this arm is never taken.
            Err(()) => return format!("{}browse/{key}", self.inner.site),
        }
        url.to_string()
    }

    /// The URL API paths are appended to (the site, or the gateway for bearer tokens).
    pub fn api_base(&self) -> &url::Url {
        self.inner.transport.base()
    }

    /// What the transport has done so far (attempts, retries, 429s, time waited).
    pub fn stats(&self) -> TransportStats {
        self.inner.transport.stats()
    }

    fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    fn flavour(&self) -> &dyn Flavour {
        self.inner.flavour.as_ref()
    }
}
