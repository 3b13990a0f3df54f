//! The error of a generation, classified so callers can tell a user what to do and keep the raw
//! answer for the job's record.

use generation::GenerationError;

use crate::budget::ContextOverflow;
use crate::prompts::PromptError;
use crate::provider_id::ProviderId;
use crate::providers::ProviderError;
use crate::selection::SelectionError;
use crate::usage::Usage;

/// Why a generation failed.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The request named a provider or model that cannot be used (HTTP 422).
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// The task input is invalid (HTTP 422).
    #[error(transparent)]
    InvalidInput(GenerationError),
    /// The provider failed or refused the call, after any retries.
    #[error("{provider} ({model}) failed after {http_attempts} attempt(s): {error}")]
    Provider {
        provider: ProviderId,
        model: String,
        error: ProviderError,
        http_attempts: u32,
    },
    /// The model's answers never satisfied the schema, re-asks included.
    #[error("{provider} ({model}) gave no answer matching the {schema} schema after {attempts} attempt(s): {}", errors.join("; "))]
    InvalidOutput {
        provider: ProviderId,
        model: String,
        schema: String,
        raw_text: String,
        errors: Vec<String>,
        attempts: u32,
        usage: Usage,
    },
    /// The answer was cut off even at the largest output budget allowed.
    #[error(
        "{provider} ({model}) answer was truncated at {max_output_tokens} output tokens; raise LLM_MAX_TOKENS or choose a model with a larger output limit"
    )]
    Truncated {
        provider: ProviderId,
        model: String,
        raw_text: String,
        max_output_tokens: u32,
        attempts: u32,
        usage: Usage,
    },
    /// The model declined, or a safety filter stopped the answer.
    #[error("{provider} ({model}) declined to answer: {reason}")]
    Refused {
        provider: ProviderId,
        model: String,
        raw_text: String,
        reason: String,
    },
    #[error(transparent)]
    ContextOverflow(#[from] ContextOverflow),
    #[error(transparent)]
    Prompt(#[from] PromptError),
    /// The offline generator could not answer.
    #[error("the offline generator failed: {0}")]
    Offline(GenerationError),
    /// The job was cancelled while the call was waiting or in flight.
    #[error("the generation was cancelled")]
    Cancelled,
    /// The service is configured in a way that cannot work.
    #[error("language-model configuration error: {0}")]
    Configuration(String),
}

impl LlmError {
    /// The model's last raw answer, when there was one, for the job's record.
    pub fn raw_text(&self) -> Option<&str> {
        match self {
            LlmError::InvalidOutput { raw_text, .. }
            | LlmError::Truncated { raw_text, .. }
            | LlmError::Refused { raw_text, .. } => Some(raw_text),
            _ => None,
        }
    }

    /// True when the request must change (a 4xx at the HTTP edge), false when the model, the
    /// provider or the configuration failed.
    pub fn is_caller_error(&self) -> bool {
        match self {
            LlmError::Selection(_) | LlmError::ContextOverflow(_) => true,
            LlmError::InvalidInput(e) | LlmError::Offline(e) => e.is_caller_error(),
            _ => false,
        }
    }

    /// True when the same job may succeed later without any change (the provider was busy).
    pub fn is_transient(&self) -> bool {
        matches!(self, LlmError::Provider { error, .. } if error.is_retryable())
    }
}
