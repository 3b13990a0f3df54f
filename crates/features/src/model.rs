//! The typed language-model call: a task input in, its output type out, with the exact prompts
//! sent and the usage recorded for the job's result.

use generation::TaskInput;
use job_types::UsageRecord;
use llm::{CancellationToken, GenerationRequest, ResolvedModel};
use serde::de::DeserializeOwned;

use crate::env::JobEnv;
use crate::failure::Failure;

/// A generated output with what it took.
#[derive(Debug, Clone)]
pub struct Generated<T> {
    pub output: T,
    /// Exactly the system prompt sent.
    pub system_prompt: String,
    /// Exactly the first user prompt sent.
    pub user_prompt: String,
    pub usage: UsageRecord,
}

impl JobEnv {
    /// The selection rules of docs/reference-behaviour.md for a request's `llm_provider` / `llm_model`.
    pub fn resolve_model(
        &self,
        provider: Option<&str>,
        model: Option<&str>,
    ) -> Result<ResolvedModel, Failure> {
        self.llm
            .resolve(provider, model)
            .map_err(|error| Failure::from(llm::LlmError::Selection(error)))
    }

    /// Generates `I`'s output for `input` with `model`; cancelled with `cancel`.
    pub async fn generate<I>(
        &self,
        input: &I,
        model: &ResolvedModel,
        cancel: CancellationToken,
    ) -> Result<Generated<I::Output>, Failure>
    where
        I: TaskInput,
        I::Output: DeserializeOwned,
    {
        let input = serde_json::to_value(input).map_err(|error| {
            Failure::internal(format!("cannot encode the {} input: {error}", I::KIND))
        })?;
        let generation = self
            .llm
            .generate(GenerationRequest {
                task: I::KIND,
                input,
                model: model.clone(),
                additional_context: None,
                cancel,
            })
            .await?;
        let output = generation::parse_output::<I>(&generation.output)?;
        Ok(Generated {
            output,
            system_prompt: generation.system_prompt,
            user_prompt: generation.user_prompt,
            usage: UsageRecord {
                provider: generation.provider.to_string(),
                model: generation.model,
                calls: generation.attempts,
                input_tokens: generation.usage.input_tokens,
                output_tokens: generation.usage.output_tokens,
                cost_usd: generation.cost_usd,
            },
        })
    }
}
