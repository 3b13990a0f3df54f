//! [`JobEnv`]: the one bag of dependencies every job gets (database, language-model layer, Jira
//! and Confluence clients, feature settings), built once by the composition root.

use std::sync::Arc;

use crate::custom_fields::CustomFields;

/// Configured ids of the custom fields features read and write; unset or unknown ids are found by
/// name on the site (see [`crate::custom_fields`]).
#[derive(Debug, Clone, Default)]
pub struct FieldSettings {
    pub prd: Option<String>,
    pub rfc: Option<String>,
    pub test_cases: Option<String>,
    pub mandays: Option<String>,
}

/// What every job can use. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct JobEnv {
    pub db: store::Database,
    pub llm: Arc<llm::LlmService>,
    pub jira: atlassian::JiraClient,
    /// `None` when no Confluence is configured: documents are then skipped with a warning.
    pub confluence: Option<Arc<atlassian::ConfluenceClient>>,
    /// Tickets processed at once within one batch job.
    pub batch_concurrency: usize,
    /// The chat agent's settings.
    pub chat: crate::chat::ChatConfig,
    fields: CustomFields,
}

impl JobEnv {
    /// The environment for `jira` and friends.
    pub fn new(
        db: store::Database,
        llm: Arc<llm::LlmService>,
        jira: atlassian::JiraClient,
        confluence: Option<Arc<atlassian::ConfluenceClient>>,
        fields: FieldSettings,
    ) -> Self {
        Self {
            db,
            llm,
            jira,
            confluence,
            batch_concurrency: 8,
            chat: crate::chat::ChatConfig::default(),
            fields: CustomFields::new(fields),
        }
    }

    /// Sets how many tickets one batch job works on at once.
    pub fn with_batch_concurrency(mut self, concurrency: usize) -> Self {
        self.batch_concurrency = concurrency.max(1);
        self
    }

    /// Sets the chat agent's settings.
    pub fn with_chat(mut self, chat: crate::chat::ChatConfig) -> Self {
        self.chat = chat;
        self
    }

    /// The custom fields, resolved against the site on first use.
    pub fn custom_fields(&self) -> &CustomFields {
        &self.fields
    }
}
