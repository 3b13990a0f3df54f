//! The language-model layer: providers, model selection, structured output, prompts, token
//! budgets, and the offline generator.
//!
//! * [`api_key`] — provider keys, fixed or read from a file that may be rotated.
//! * [`catalog`] — the model catalog (data, overridable) with limits and prices.
//! * [`selection`] — seed 000's provider/model selection rules, never substituting silently.
//! * [`providers`] — the OpenAI, Anthropic and Gemini wire protocols over reqwest.
//! * [`retry`] — which failures are retried and how long to wait.
//! * [`structured`] — repair and schema validation of JSON answers.
//! * [`budget`] — token budgets for `additional_context` and output.
//! * [`prompts`] — minijinja prompt templates, embedded and overridable.
//! * [`service`] — [`LlmService`], tying it together.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod api_key;
pub mod budget;
pub mod catalog;
pub mod error;
pub mod listing;
pub mod prompts;
pub mod provider_id;
pub mod providers;
pub mod retry;
pub mod selection;
pub mod service;
pub mod settings;
pub mod structured;
pub mod usage;

pub use api_key::{ApiKeySource, KeyFileError, KeyFileProblem};
pub use catalog::{ModelCatalog, ModelInfo, StructuredMode};
pub use error::LlmError;
pub use listing::ModelsResponse;
pub use prompts::{PromptError, PromptLibrary};
pub use provider_id::ProviderId;
pub use providers::ProviderError;
pub use selection::{ModelSelection, ResolvedModel, SelectionError};
pub use service::{
    AttemptRecord, CallPurpose, ContextReport, Generation, GenerationRequest, LastCall, LlmService,
    PreparedGeneration, StructuredCall,
};
pub use settings::{LlmSettings, ProviderSettings, SettingsError};
pub use tokio_util::sync::CancellationToken;
pub use usage::Usage;
