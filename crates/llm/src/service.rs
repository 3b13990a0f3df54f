//! The language-model service: renders a task's prompts, fits the additional context into the
//! model's budget, calls the provider with structured output, repairs, validates, re-asks and
//! retries, and returns everything the job records (prompts sent, raw answer, usage, cost).

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use generation::TaskKind;
use serde::Serialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::budget::{self, FittedContext};
use crate::catalog::{ModelCatalog, StructuredMode};
use crate::error::LlmError;
use crate::listing::ModelsResponse;
use crate::prompts::PromptLibrary;
use crate::provider_id::{ProviderId, WireProtocol};
use crate::providers::{
    ChatMessage, ChatRequest, ChatResponse, FinishReason, OutputSchema, ProviderClient,
    ProviderError, Role,
};
use crate::retry::RetryPolicy;
use crate::selection::{ModelSelection, ResolvedModel, SelectionError};
use crate::settings::LlmSettings;
use crate::structured::SchemaValidator;
use crate::usage::Usage;

/// One task to generate.
#[derive(Debug, Clone)]
pub struct GenerationRequest {
    pub task: TaskKind,
    /// The task's input as JSON (validated against the task's input type).
    pub input: Value,
    /// From [`LlmService::resolve`].
    pub model: ResolvedModel,
    /// Free text to add, cut to the model's budget; the input's own `additional_context` is used
    /// when this is `None`.
    pub additional_context: Option<String>,
    /// Cancelled by the job when it is cancelled.
    pub cancel: CancellationToken,
}

/// A prompt pair and schema to run through the structured-output loop (any JSON Schema).
#[derive(Debug, Clone)]
pub struct StructuredCall {
    pub model: ResolvedModel,
    pub system_prompt: String,
    pub user_prompt: String,
    /// `^[a-zA-Z0-9_-]{1,64}$`.
    pub schema_name: String,
    pub schema: Value,
    pub cancel: CancellationToken,
}

/// Why a model call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPurpose {
    Initial,
    /// The previous answer failed validation.
    Reask,
    /// The previous answer was truncated.
    LargerBudget,
}

/// One HTTP attempt, for the job's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRecord {
    /// Model call number (1-based); HTTP retries of one call share it.
    pub call: u32,
    pub purpose: CallPurpose,
    pub max_output_tokens: u32,
    /// `"stop"`, `"length"`, … or the error of a failed attempt.
    pub outcome: String,
    /// Tokens of this attempt, when it was answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The wait before the next attempt, when one followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What happened to the additional context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextReport {
    pub original_chars: usize,
    pub sent_chars: usize,
    pub truncated: bool,
}

/// A successful generation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generation {
    /// The validated JSON answer.
    pub output: Value,
    /// The model's text as received (before repair).
    pub raw_text: String,
    /// Exactly the system prompt sent.
    pub system_prompt: String,
    /// Exactly the first user prompt sent.
    pub user_prompt: String,
    /// Re-ask prompts sent after the first answer, in order.
    pub followup_prompts: Vec<String>,
    pub provider: ProviderId,
    pub model: String,
    pub usage: Usage,
    /// Estimated at catalog list prices; `None` when the model has no known price.
    pub cost_usd: Option<f64>,
    /// Model calls answered, re-asks and larger-budget retries included.
    pub attempts: u32,
    pub history: Vec<AttemptRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<ContextReport>,
}

/// A task's output schema, compiled once.
#[derive(Debug)]
struct TaskSchema {
    validator: SchemaValidator,
    /// Pretty-printed, for prompts that carry the schema.
    pretty: String,
}

impl TaskSchema {
    /// `task`'s output schema with its validator; the error says which schema is invalid.
    fn compile(task: TaskKind) -> Result<TaskSchema, String> {
        let schema = generation::output_schema(task);
        let validator = SchemaValidator::new(&schema)
            .map_err(|e| format!("the {task} output schema is invalid: {e}"))?;
        let pretty = format!("{schema:#}");
        Ok(TaskSchema { validator, pretty })
    }
}

/// A task's prompts rendered for a model, ready to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreparedGeneration {
    pub task: TaskKind,
    #[serde(skip)]
    pub model: ResolvedModel,
    pub system_prompt: String,
    pub user_prompt: String,
    /// The validated input with defaults filled in and the fitted additional context.
    pub input: Value,
    pub additional_context: Option<ContextReport>,
}

/// The outcome of the most recent HTTP call to a model provider, for `/health`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastCall {
    pub provider: ProviderId,
    pub model: String,
    /// When the answer (or the failure) arrived.
    pub at: Instant,
    /// `None` when the provider answered; otherwise the error, without secrets.
    pub error: Option<String>,
}

/// The language-model layer's entry point. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct LlmService {
    settings: LlmSettings,
    /// Compiled on a task's first use, not at start-up: compiling all of them held about a
    /// megabyte and ran the schema compiler in every idle `serve` (docs/benchmarks.md, idle
    /// resident memory). The schemas are built from the output types, not from configuration,
    /// so there is nothing for start-up to reject; a unit test compiles each one.
    task_schemas: BTreeMap<TaskKind, OnceLock<Result<TaskSchema, String>>>,
    selection: ModelSelection,
    prompts: PromptLibrary,
    clients: BTreeMap<ProviderId, ProviderClient>,
    retry: RetryPolicy,
    last_call: Mutex<Option<LastCall>>,
}

impl LlmService {
    pub fn new(
        settings: LlmSettings,
        catalog: ModelCatalog,
        prompts: PromptLibrary,
    ) -> Result<LlmService, LlmError> {
        let selection = ModelSelection::new(&settings, std::sync::Arc::new(catalog))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("planwright/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Configuration(format!("cannot build the HTTP client: {e}")))?;
        let mut clients = BTreeMap::new();
        for id in selection.offered() {
            let (Some(entry), Some(provider)) =
                (selection.catalog().provider(*id), settings.provider(*id))
            else {
                continue;
            };
            let base_url = provider.base_url.as_deref().unwrap_or(&entry.base_url);
            // A key file is read here, so a missing or empty one fails at startup.
            let key = settings
                .key_source(*id)
                .map_err(|e| LlmError::Configuration(e.to_string()))?;
            clients.insert(
                *id,
                ProviderClient::new(
                    *id,
                    base_url,
                    None,
                    http.clone(),
                    settings.request_timeout,
                    settings.max_concurrency_per_provider,
                )
                .with_key_source(key)
                .with_max_response_bytes(settings.max_response_bytes),
            );
        }
        let retry = RetryPolicy {
            max_attempts: settings.max_http_attempts.max(1),
            base_delay: settings.retry_base_delay,
            max_wait: settings.max_retry_wait,
        };
        let task_schemas = TaskKind::ALL
            .into_iter()
            .map(|task| (task, OnceLock::new()))
            .collect();
        Ok(LlmService {
            settings,
            task_schemas,
            selection,
            prompts,
            clients,
            retry,
            last_call: Mutex::new(None),
        })
    }

    /// The outcome of the most recent provider call (`None` before the first one, and always for
    /// the offline generator, which makes none).
    pub fn last_call(&self) -> Option<LastCall> {
        self.last_call
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record_call(&self, model: &ResolvedModel, error: Option<String>) {
        let call = LastCall {
            provider: model.provider,
            model: model.model.clone(),
            at: Instant::now(),
            error,
        };
        *self
            .last_call
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(call);
    }

    /// Builds the service from settings alone: the embedded catalog merged with
    /// `LLM_MODEL_CATALOG`, and the embedded prompts overridden from `PROMPTS_DIR`.
    pub fn from_settings(settings: LlmSettings) -> Result<LlmService, LlmError> {
        let catalog = ModelCatalog::load(settings.catalog_path.as_deref())
            .map_err(|e| LlmError::Configuration(e.to_string()))?;
        let prompts = PromptLibrary::load(settings.prompts_dir.as_deref())?;
        LlmService::new(settings, catalog, prompts)
    }

    /// The compiled output schema of `task`, compiled on its first use.
    fn task_schema(&self, task: TaskKind) -> Result<&TaskSchema, LlmError> {
        let cell = self.task_schemas.get(&task).ok_or_else(|| {
            LlmError::Configuration(format!("no output schema is compiled for {task}"))
        })?;
        cell.get_or_init(|| TaskSchema::compile(task))
            .as_ref()
            .map_err(|e| LlmError::Configuration(e.clone()))
    }

    pub fn selection(&self) -> &ModelSelection {
        &self.selection
    }

    /// The selection rules of docs/reference-behaviour.md for a request's `llm_provider` / `llm_model`.
    pub fn resolve(
        &self,
        provider: Option<&str>,
        model: Option<&str>,
    ) -> Result<ResolvedModel, SelectionError> {
        self.selection.resolve(provider, model)
    }

    /// The `GET /models` body.
    pub fn models_response(&self) -> ModelsResponse {
        ModelsResponse::new(&self.selection)
    }

    /// Renders the prompts of a task exactly as [`LlmService::generate`] would send them, without
    /// calling anything: for previews and for the job's record.
    pub fn prepare(&self, request: &GenerationRequest) -> Result<PreparedGeneration, LlmError> {
        let task = request.task;
        let model = &request.model;
        let mut input = canonical_input(task, &request.input)?;
        let context = request.additional_context.clone().or_else(|| {
            input
                .get("additional_context")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if let Some(object) = input.as_object_mut() {
            object.remove("additional_context");
        }
        let compiled = self.task_schema(task)?;
        let schema_in_prompt = schema_in_prompt(model);
        let revision_json = input
            .pointer("/revision/previous_plan")
            .map(|plan| format!("{plan:#}"))
            .unwrap_or_default();
        let render_user = |additional_context: &str| {
            self.prompts.render(
                &format!("{task}.user.md"),
                json!({
                    "input": input,
                    "additional_context": additional_context,
                    "schema_in_prompt": schema_in_prompt,
                    "output_schema": compiled.pretty,
                    "revision_json": revision_json,
                }),
            )
        };
        let system_prompt = self
            .prompts
            .render(&format!("{task}.system.md"), json!({}))?;

        let (user_prompt, fitted) = match context.as_deref().filter(|c| !c.trim().is_empty()) {
            None => (render_user("")?, None),
            // The offline generator has no window: the context goes in whole.
            Some(context) if model.provider == ProviderId::Offline => {
                let fitted = budget::fit_context(context, budget::ContextRoom::Chars(usize::MAX));
                (render_user(&fitted.text)?, Some(fitted))
            }
            Some(context) => {
                let base = render_user("")?;
                let base_tokens =
                    prompt_tokens(&system_prompt, &[&base], compiled.validator.schema());
                let room = budget::context_room(
                    model.info.context_window,
                    self.reserved_output(model),
                    base_tokens,
                );
                let fitted = budget::fit_context(context, room);
                (render_user(&fitted.text)?, Some(fitted))
            }
        };
        let report = fitted.as_ref().map(|f: &FittedContext| ContextReport {
            original_chars: f.original_chars,
            sent_chars: f.text.chars().count(),
            truncated: f.truncated,
        });
        if let (Some(object), Some(fitted)) = (input.as_object_mut(), &fitted) {
            object.insert(
                "additional_context".into(),
                Value::String(fitted.text.clone()),
            );
        }
        Ok(PreparedGeneration {
            task,
            model: model.clone(),
            system_prompt,
            user_prompt,
            input,
            additional_context: report,
        })
    }

    /// Renders the task's prompts and generates its output.
    pub async fn generate(&self, request: GenerationRequest) -> Result<Generation, LlmError> {
        let prepared = self.prepare(&request)?;
        let task = prepared.task;
        let model = prepared.model;
        if model.provider == ProviderId::Offline {
            let output =
                generation::offline::generate(task, &prepared.input).map_err(LlmError::Offline)?;
            return Ok(Generation {
                raw_text: output.to_string(),
                output,
                system_prompt: prepared.system_prompt,
                user_prompt: prepared.user_prompt,
                followup_prompts: Vec::new(),
                provider: ProviderId::Offline,
                model: model.model.clone(),
                usage: Usage::default(),
                cost_usd: Some(0.0),
                attempts: 1,
                history: Vec::new(),
                additional_context: prepared.additional_context,
            });
        }
        let validator = &self.task_schema(task)?.validator;
        let call = StructuredCall {
            model,
            system_prompt: prepared.system_prompt,
            user_prompt: prepared.user_prompt,
            schema_name: task.as_str().to_owned(),
            schema: validator.schema().clone(),
            cancel: request.cancel,
        };
        let mut generation = self.run_structured(call, validator).await?;
        generation.additional_context = prepared.additional_context;
        Ok(generation)
    }

    /// Runs the structured-output loop for any prompt pair and JSON Schema: call, detect
    /// truncation (retry with a larger budget), repair and validate (re-ask with the errors).
    pub async fn complete_structured(&self, call: StructuredCall) -> Result<Generation, LlmError> {
        let validator = SchemaValidator::new(&call.schema).map_err(|e| {
            LlmError::Configuration(format!("the {} schema is invalid: {e}", call.schema_name))
        })?;
        self.run_structured(call, &validator).await
    }

    /// The structured-output loop with `call.schema` already compiled into `validator`.
    async fn run_structured(
        &self,
        call: StructuredCall,
        validator: &SchemaValidator,
    ) -> Result<Generation, LlmError> {
        let model = &call.model;
        let client = self.clients.get(&model.provider).ok_or_else(|| {
            LlmError::Configuration(format!("provider {} has no HTTP client", model.provider))
        })?;
        let schema = validator.schema();
        let window = model.info.context_window;
        let mut messages = vec![ChatMessage {
            role: Role::User,
            content: call.user_prompt.clone(),
        }];
        let tokens_of = |messages: &[ChatMessage]| {
            let texts: Vec<&str> = messages.iter().map(|m| m.content.as_str()).collect();
            prompt_tokens(&call.system_prompt, &texts, schema)
        };
        let mut max_output = budget::output_tokens(
            self.wanted_output(model),
            model.info.max_output,
            window,
            tokens_of(&messages),
        )?;
        let mut usage = Usage::default();
        let mut history = Vec::new();
        let mut followups = Vec::new();
        let (mut calls, mut reasks, mut budget_retries) = (0u32, 0u32, 0u32);
        let mut purpose = CallPurpose::Initial;
        loop {
            calls += 1;
            let request = ChatRequest {
                model: model.model.clone(),
                system: call.system_prompt.clone(),
                messages: messages.clone(),
                schema: Some(OutputSchema {
                    name: call.schema_name.clone(),
                    schema: schema.clone(),
                }),
                structured: model.structured,
                max_output_tokens: max_output,
                temperature: self
                    .settings
                    .temperature
                    .filter(|_| !model.info.fixed_temperature),
            };
            let response = self
                .send_with_retries(
                    client,
                    model,
                    &request,
                    calls,
                    purpose,
                    &call.cancel,
                    &mut history,
                )
                .await?;
            usage += response.usage;
            match &response.finish {
                FinishReason::Length => {
                    let prompt = tokens_of(&messages);
                    let ceiling = model
                        .info
                        .max_output
                        .unwrap_or(max_output.saturating_mul(4));
                    let larger = budget::output_tokens(
                        max_output.saturating_mul(2).min(ceiling),
                        model.info.max_output,
                        window,
                        prompt,
                    )
                    .unwrap_or(max_output);
                    if budget_retries < self.settings.max_budget_retries && larger > max_output {
                        budget_retries += 1;
                        max_output = larger;
                        purpose = CallPurpose::LargerBudget;
                        continue;
                    }
                    return Err(LlmError::Truncated {
                        provider: model.provider,
                        model: model.model.clone(),
                        raw_text: response.text,
                        max_output_tokens: max_output,
                        attempts: calls,
                        usage,
                    });
                }
                FinishReason::Refusal(reason) | FinishReason::Filtered(reason) => {
                    return Err(LlmError::Refused {
                        provider: model.provider,
                        model: model.model.clone(),
                        reason: if reason.is_empty() {
                            "no reason given".into()
                        } else {
                            reason.clone()
                        },
                        raw_text: response.text,
                    });
                }
                FinishReason::Stop | FinishReason::Other(_) => {}
            }
            match validator.parse(&response.text) {
                Ok(output) => {
                    return Ok(Generation {
                        output,
                        raw_text: response.text,
                        system_prompt: call.system_prompt,
                        user_prompt: call.user_prompt,
                        followup_prompts: followups,
                        provider: model.provider,
                        model: model.model.clone(),
                        cost_usd: model.info.cost_usd(&usage),
                        usage,
                        attempts: calls,
                        history,
                        additional_context: None,
                    });
                }
                Err(rejection) => {
                    let reask = (reasks < self.settings.max_reasks)
                        .then(|| {
                            self.prompts.render(
                                "reask.user.md",
                                json!({"errors": rejection.errors, "attempt": calls}),
                            )
                        })
                        .transpose()?;
                    let next = reask.and_then(|text| {
                        let mut next = messages.clone();
                        next.push(ChatMessage {
                            role: Role::Assistant,
                            content: response.text.clone(),
                        });
                        next.push(ChatMessage {
                            role: Role::User,
                            content: text.clone(),
                        });
                        // A re-ask that no longer fits the window is not sent.
                        budget::output_tokens(
                            max_output,
                            model.info.max_output,
                            window,
                            tokens_of(&next),
                        )
                        .ok()
                        .map(|out| (next, text, out))
                    });
                    match next {
                        Some((next, text, out)) => {
                            reasks += 1;
                            messages = next;
                            followups.push(text);
                            max_output = out;
                            purpose = CallPurpose::Reask;
                        }
                        None => {
                            return Err(LlmError::InvalidOutput {
                                provider: model.provider,
                                model: model.model.clone(),
                                schema: call.schema_name,
                                raw_text: response.text,
                                errors: rejection.errors,
                                attempts: calls,
                                usage,
                            });
                        }
                    }
                }
            }
        }
    }

    /// One model call with HTTP-level retries, each attempt recorded; cancellation interrupts the
    /// request in flight or the wait between attempts. A rejected key read from a file gets one
    /// immediate retry when re-reading the file yields another key (a rotation the per-request
    /// metadata check missed); a static key, or a file still holding the rejected key, fails as
    /// any authentication error does.
    #[allow(clippy::too_many_arguments)]
    async fn send_with_retries(
        &self,
        client: &ProviderClient,
        model: &ResolvedModel,
        request: &ChatRequest,
        call: u32,
        purpose: CallPurpose,
        cancel: &CancellationToken,
        history: &mut Vec<AttemptRecord>,
    ) -> Result<ChatResponse, LlmError> {
        let mut attempt = 0;
        let mut key_reloaded = false;
        loop {
            attempt += 1;
            let key = client.current_key();
            let result = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(LlmError::Cancelled),
                result = client.send_with_key(request, key.as_ref()) => result,
            };
            self.record_call(model, result.as_ref().err().map(ToString::to_string));
            match result {
                Ok(response) => {
                    history.push(AttemptRecord {
                        call,
                        purpose,
                        max_output_tokens: request.max_output_tokens,
                        outcome: finish_name(&response.finish),
                        usage: Some(response.usage),
                        waited_ms: None,
                        request_id: response.request_id.clone(),
                    });
                    return Ok(response);
                }
                Err(error) => {
                    // Once per call, so a file that keeps changing to rejected keys cannot loop.
                    let new_key = !key_reloaded
                        && matches!(error, ProviderError::Authentication { .. })
                        && client.reload_key_after_rejection(key.as_ref());
                    let wait = if new_key {
                        key_reloaded = true;
                        Some(Duration::ZERO)
                    } else {
                        self.retry.wait_after(attempt, &error)
                    };
                    history.push(AttemptRecord {
                        call,
                        purpose,
                        max_output_tokens: request.max_output_tokens,
                        outcome: error.to_string(),
                        usage: None,
                        waited_ms: wait.map(|w| w.as_millis() as u64),
                        request_id: None,
                    });
                    let Some(wait) = wait else {
                        return Err(LlmError::Provider {
                            provider: model.provider,
                            model: model.model.clone(),
                            error,
                            http_attempts: attempt,
                        });
                    };
                    if new_key {
                        tracing::info!(
                            provider = %model.provider,
                            model = %model.model,
                            attempt,
                            "the provider rejected the API key and the key file holds another one; retrying with it"
                        );
                        continue;
                    }
                    tracing::warn!(
                        provider = %model.provider,
                        model = %model.model,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        error = %error,
                        "retrying a failed model call"
                    );
                    tokio::select! {
                        biased;
                        _ = cancel.cancelled() => return Err(LlmError::Cancelled),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    /// The output budget a call wants before window limits: `LLM_MAX_TOKENS`, else the provider's
    /// default, capped by the model's output limit.
    fn wanted_output(&self, model: &ResolvedModel) -> u32 {
        let default = self
            .selection
            .catalog()
            .provider(model.provider)
            .map_or(4096, |p| p.default_max_output);
        let wanted = self.settings.max_tokens.unwrap_or(default);
        model.info.max_output.map_or(wanted, |cap| wanted.min(cap))
    }

    /// The output tokens kept free when sizing the additional context: the wanted output, but at
    /// most 30% of a known window (seed 001's reserve), so small-window models keep room for
    /// context; the call itself may still use whatever the window leaves.
    fn reserved_output(&self, model: &ResolvedModel) -> u32 {
        let wanted = self.wanted_output(model);
        match model.info.context_window {
            Some(window) => wanted.min(window / 10 * 3).max(budget::MIN_OUTPUT_TOKENS),
            None => wanted,
        }
    }

    /// The timeout applied to each HTTP request.
    pub fn request_timeout(&self) -> Duration {
        self.settings.request_timeout
    }
}

/// Whether the schema must be written into the prompt: the provider cannot enforce it natively.
fn schema_in_prompt(model: &ResolvedModel) -> bool {
    match (model.provider.protocol(), model.structured) {
        (WireProtocol::Offline, _) => false,
        (_, StructuredMode::JsonMode) => true,
        (WireProtocol::OpenAiChat, StructuredMode::Compat) => true,
        _ => false,
    }
}

/// Estimated input tokens of a call: system prompt, messages with framing, and the schema (which
/// providers count as input whether it is sent natively or in the prompt).
fn prompt_tokens(system: &str, messages: &[&str], schema: &Value) -> u64 {
    let schema_tokens = budget::estimate_tokens(&schema.to_string());
    budget::estimate_tokens(system)
        + messages
            .iter()
            .map(|m| budget::estimate_tokens(m))
            .sum::<u64>()
        + budget::MESSAGE_OVERHEAD_TOKENS * (messages.len() as u64 + 1)
        + schema_tokens
}

fn finish_name(finish: &FinishReason) -> String {
    match finish {
        FinishReason::Stop => "stop".into(),
        FinishReason::Length => "length".into(),
        FinishReason::Refusal(_) => "refusal".into(),
        FinishReason::Filtered(reason) => format!("filtered: {reason}"),
        FinishReason::Other(other) => other.clone(),
    }
}

/// Validates the input against the task's input type and returns it with every default filled in,
/// so templates see every field.
fn canonical_input(task: TaskKind, input: &Value) -> Result<Value, LlmError> {
    use generation::task::{
        ChatAnswerInput, ChatIntentInput, DraftPrPlanInput, EpicStoriesInput, JqlQueryInput,
        RequirementAnalysisInput, StoryTasksInput, TestCasesInput, TicketAssessmentInput,
        TicketDescriptionInput, TicketDraftInput, TicketUpdateInput,
    };
    fn canonical<I: generation::TaskInput>(input: &Value) -> Result<Value, LlmError> {
        let parsed: I = generation::parse_input(input).map_err(LlmError::InvalidInput)?;
        serde_json::to_value(parsed).map_err(|e| {
            LlmError::InvalidInput(generation::GenerationError::invalid_input(
                "input",
                e.to_string(),
            ))
        })
    }
    match task {
        TaskKind::TicketDescription => canonical::<TicketDescriptionInput>(input),
        TaskKind::EpicStories => canonical::<EpicStoriesInput>(input),
        TaskKind::StoryTasks => canonical::<StoryTasksInput>(input),
        TaskKind::TestCases => canonical::<TestCasesInput>(input),
        TaskKind::DraftPrPlan => canonical::<DraftPrPlanInput>(input),
        TaskKind::ChatIntent => canonical::<ChatIntentInput>(input),
        TaskKind::RequirementAnalysis => canonical::<RequirementAnalysisInput>(input),
        TaskKind::TicketDraft => canonical::<TicketDraftInput>(input),
        TaskKind::TicketAssessment => canonical::<TicketAssessmentInput>(input),
        TaskKind::TicketUpdate => canonical::<TicketUpdateInput>(input),
        TaskKind::JqlQuery => canonical::<JqlQueryInput>(input),
        TaskKind::ChatAnswer => canonical::<ChatAnswerInput>(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Start-up no longer compiles the output schemas, so this is where an invalid one fails.
    #[test]
    fn every_task_output_schema_compiles() {
        for task in TaskKind::ALL {
            let compiled = TaskSchema::compile(task).unwrap();
            assert!(
                compiled.pretty.starts_with('{'),
                "{task}: {}",
                compiled.pretty
            );
            assert!(
                !compiled
                    .validator
                    .violations(&json!({"not": "an output"}))
                    .is_empty(),
                "{task}: an object without the required fields must not validate"
            );
        }
    }
}
