//! Shared setup for the llm crate's integration tests: an emulator on a random port and a service
//! whose providers all point at it.

#![allow(dead_code)]

use std::time::Duration;

use llm::{
    CancellationToken, GenerationRequest, LlmService, LlmSettings, ModelCatalog, PromptLibrary,
    ResolvedModel,
};
use llm_emulator::{EmulatorState, RunningEmulator};
use secrecy::SecretString;
use serde_json::{Value, json};

pub const KEY: &str = "test-key-123";

/// Settings with every provider keyed and pointed at the emulator, and fast retries.
pub fn settings_for(emulator: &RunningEmulator) -> LlmSettings {
    let mut settings = LlmSettings::default();
    for (provider, url) in [
        (&mut settings.openai, emulator.openai_url()),
        (&mut settings.anthropic, emulator.anthropic_url()),
        (&mut settings.google, emulator.gemini_url()),
        (&mut settings.moonshot, emulator.openai_url()),
        (&mut settings.openai_compatible, emulator.openai_url()),
    ] {
        provider.api_key = Some(SecretString::from(KEY));
        provider.base_url = Some(url);
    }
    settings.openai_compatible.model = Some("llama3.2".into());
    settings.retry_base_delay = Duration::from_millis(1);
    settings.request_timeout = Duration::from_secs(10);
    settings
}

pub async fn emulator() -> RunningEmulator {
    let state = EmulatorState::new();
    state.require_api_key(KEY);
    llm_emulator::spawn(state).await.expect("emulator starts")
}

/// An emulator and a service with default settings (adjusted by `configure`).
pub async fn setup(configure: impl FnOnce(&mut LlmSettings)) -> (RunningEmulator, LlmService) {
    let emulator = emulator().await;
    let mut settings = settings_for(&emulator);
    configure(&mut settings);
    let service = LlmService::new(
        settings,
        ModelCatalog::builtin().unwrap(),
        PromptLibrary::embedded().unwrap(),
    )
    .expect("service builds");
    (emulator, service)
}

pub fn ticket_input() -> Value {
    json!({
        "ticket_key": "PROJ-123",
        "summary": "Add password reset via emailed link",
        "issue_type": "story",
        "description": "Users who forget their password are locked out.",
        "labels": ["auth"],
    })
}

pub fn request(service: &LlmService, provider: &str, model: Option<&str>) -> GenerationRequest {
    GenerationRequest {
        task: generation::TaskKind::TicketDescription,
        input: ticket_input(),
        model: resolve(service, provider, model),
        additional_context: None,
        cancel: CancellationToken::new(),
    }
}

pub fn resolve(service: &LlmService, provider: &str, model: Option<&str>) -> ResolvedModel {
    service
        .resolve(Some(provider), model)
        .expect("model resolves")
}

/// Checks a value against a task's output schema.
pub fn assert_valid(task: generation::TaskKind, value: &Value) {
    let schema = generation::output_schema(task);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{value:#}");
}
