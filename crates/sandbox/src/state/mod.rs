//! The emulator's state: the data model, the store with Jira's and Confluence's rules, and the
//! shared handle (`SandboxState`) the HTTP handlers and tests use.

mod config;
mod model;
mod query;
mod store;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use config::{
    MANDAYS_FIELD, PRD_URL_FIELD, RANK_FIELD, RFC_URL_FIELD, SPRINT_FIELD, STATUS_DONE,
    STATUS_IN_PROGRESS, STATUS_IN_REVIEW, STATUS_TODO, STORY_POINTS_FIELD, TEST_CASES_FIELD,
    TYPE_BUG, TYPE_EPIC, TYPE_STORY, TYPE_SUBTASK, TYPE_TASK,
};
pub(crate) use model::adf_plain_text;
pub use model::{
    Board, ChangeHistory, Comment, FieldDef, FieldKind, Issue, IssueLink, IssueType, LinkType,
    Page, PageVersion, Priority, Project, RemoteLink, Space, Sprint, SprintState, Status,
    StatusCategory, Transition, User,
};
pub(crate) use query::{IssueView, StoreContext};
pub use store::{FieldChange, NewIssue, NewPage, SprintChanges, Store};

use crate::auth::Credentials;
use crate::faults::Faults;
use crate::write_log::WriteLog;

/// Errors in Jira's `ErrorCollection` terms: general messages plus messages per field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JiraErrors {
    pub messages: Vec<String>,
    pub fields: BTreeMap<String, String>,
}

impl JiraErrors {
    /// One general message.
    pub fn message(text: impl Into<String>) -> Self {
        Self {
            messages: vec![text.into()],
            fields: BTreeMap::new(),
        }
    }

    /// One message about one field.
    pub fn field(field: impl Into<String>, text: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.into(), text.into());
        Self {
            messages: Vec::new(),
            fields,
        }
    }

    /// Adds a message about a field (the first message per field wins, as in Jira).
    pub fn add_field(&mut self, field: impl Into<String>, text: impl Into<String>) {
        self.fields
            .entry(field.into())
            .or_insert_with(|| text.into());
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.fields.is_empty()
    }
}

/// Why a store operation was refused; each maps to the HTTP status the real product uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The entity does not exist (Jira does not distinguish "not visible").
    #[error("{0}")]
    NotFound(String),
    /// The request broke a validation or workflow rule (400).
    #[error("invalid request: {0:?}")]
    Invalid(JiraErrors),
    /// The request conflicts with the current state (409), e.g. a stale page version.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl StoreError {
    /// A 400 with one general message.
    pub fn invalid(text: impl Into<String>) -> Self {
        Self::Invalid(JiraErrors::message(text))
    }

    /// A 400 about one field.
    pub fn invalid_field(field: impl Into<String>, text: impl Into<String>) -> Self {
        Self::Invalid(JiraErrors::field(field, text))
    }
}

/// The message Jira answers for an unknown or invisible issue.
pub const ISSUE_NOT_FOUND: &str = "Issue does not exist or you do not have permission to see it.";

/// Everything one running sandbox shares between requests: the store, the credentials, the
/// fault configuration, the write log and (with the `contract` feature) the contract checker.
/// Cloning is cheap; all clones see the same sandbox.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) inner: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) store: RwLock<Store>,
    pub(crate) base_url: RwLock<String>,
    pub(crate) credentials: Credentials,
    pub(crate) faults: Faults,
    pub(crate) write_log: WriteLog,
    pub(crate) events: tokio::sync::broadcast::Sender<crate::webhooks::WebhookEvent>,
    /// One-shot edits a "person" saves just before the next API update of a page (see
    /// [`SandboxState::edit_before_next_page_update`]).
    pub(crate) page_hooks: std::sync::Mutex<Vec<(String, PageHook)>>,
    #[cfg(feature = "contract")]
    pub(crate) contract: Option<crate::contract::ContractCheck>,
}

/// A concurrent edit: the new storage body for the current one.
pub(crate) type PageHook = Box<dyn FnOnce(&str) -> String + Send>;

impl std::fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxState")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl SandboxState {
    /// The URL clients reach the sandbox at; `self` links in responses start with it.
    pub fn base_url(&self) -> String {
        self.inner
            .base_url
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }

    /// Sets the URL used in `self` links (the server does this once it knows its port; mount
    /// points that embed the router call it themselves).
    pub fn set_base_url(&self, url: impl Into<String>) {
        let mut guard = self
            .inner
            .base_url
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        *guard = url.into().trim_end_matches('/').to_string();
    }

    /// Read access to the store.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.inner
            .store
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Write access to the store, e.g. to seed issues directly in a test.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.inner
            .store
            .write()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The credentials the sandbox accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// The runtime fault switches.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// The log of mutating requests.
    pub fn write_log(&self) -> &WriteLog {
        &self.inner.write_log
    }

    /// Webhook events for every write made through the API from now on (see
    /// [`crate::WebhookEvent`]). A receiver that falls more than 1024 events behind loses the
    /// oldest ones.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::webhooks::WebhookEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn publish(&self, event: crate::webhooks::WebhookEvent) {
        // No subscriber is the normal case; the event is then simply dropped.
        let _ = self.inner.events.send(event);
    }

    /// Simulates a person saving page `page_id` while a client is editing it: when the next
    /// update of that page arrives through the API (v2 or v1), `edit` is applied to the current
    /// body and saved as a new version first, by the page's author, so the client's update
    /// (made from the version it read) meets Confluence's 409. Fires once.
    pub fn edit_before_next_page_update(
        &self,
        page_id: impl Into<String>,
        edit: impl FnOnce(&str) -> String + Send + 'static,
    ) {
        self.inner
            .page_hooks
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .push((page_id.into(), Box::new(edit)));
    }

    /// Runs the pending concurrent edit of `page_id`, if any (see
    /// [`Self::edit_before_next_page_update`]).
    pub(crate) fn run_page_hook(&self, page_id: &str, store: &mut Store) {
        let hook = {
            let mut hooks = self
                .inner
                .page_hooks
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            hooks
                .iter()
                .position(|(id, _)| id == page_id)
                .map(|index| hooks.remove(index).1)
        };
        let Some(hook) = hook else { return };
        let Some(page) = store.page(page_id) else {
            return;
        };
        let current = page.current();
        let (title, number, author) = (
            current.title.clone(),
            current.number,
            page.author_id.clone(),
        );
        let storage = hook(&current.storage);
        let _ = store.update_page(
            page_id,
            &title,
            storage,
            number + 1,
            "concurrent edit".into(),
            &author,
            chrono::Utc::now(),
        );
    }

    /// Creates an issue as the default user, now; returns its key. For seeding tests.
    pub fn create_issue(&self, issue: NewIssue) -> Result<String, StoreError> {
        let actor = self.credentials().default_account().account_id.clone();
        let mut store = self.write();
        let id = store.create_issue(issue, &actor, chrono::Utc::now())?;
        Ok(store.issue(&id).map(|i| i.key.clone()).unwrap_or(id))
    }

    /// Contract violations recorded so far (responses that did not match the official schema,
    /// and requests that did not, when not in strict mode).
    #[cfg(feature = "contract")]
    pub fn contract_violations(&self) -> Vec<crate::contract::ContractViolation> {
        self.inner
            .contract
            .as_ref()
            .map(|check| check.violations())
            .unwrap_or_default()
    }
}
