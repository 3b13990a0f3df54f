//! Model selection (seed 000, "Model Selection Rules" 1–5): turn an optional provider and an optional
//! model from a request into one concrete, callable model — or an error naming the valid choices.
//!
//! Never substitute silently: an unknown provider, a provider without a key, or a model that does not
//! belong to the provider is an error (the HTTP layer answers 422), never "the default instead".

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::{ModelCatalog, ModelInfo, ProviderEntry, StructuredMode};
use crate::provider_id::ProviderId;
use crate::settings::LlmSettings;

/// A provider and model ready to be called.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedModel {
    pub provider: ProviderId,
    /// The model's canonical catalog name (a dated alias resolves to its catalog entry's name).
    pub model: String,
    pub info: ModelInfo,
    pub structured: StructuredMode,
}

/// Why a provider/model choice cannot be honoured. Every variant names the valid choices.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown llm_provider {given:?}; valid providers: {}", valid.join(", "))]
    UnknownProvider { given: String, valid: Vec<String> },
    #[error(
        "llm_provider {provider:?} is not configured{}; configured providers: {}",
        key_variable.map(|v| format!(" (set {v})")).unwrap_or_default(),
        offered.join(", ")
    )]
    ProviderNotConfigured {
        provider: String,
        key_variable: Option<&'static str>,
        offered: Vec<String>,
    },
    #[error("llm_model {model:?} does not belong to provider {provider:?}; its models: {}", valid.join(", "))]
    ModelNotOfProvider {
        provider: String,
        model: String,
        valid: Vec<String>,
    },
    #[error(
        "unknown llm_model {model:?}; available models: {}",
        render_models(valid)
    )]
    UnknownModel {
        model: String,
        valid: BTreeMap<String, Vec<String>>,
    },
    #[error("the configured {setting}={value:?} is not usable: {reason}")]
    InvalidConfiguration {
        setting: &'static str,
        value: String,
        reason: String,
    },
}

fn render_models(valid: &BTreeMap<String, Vec<String>>) -> String {
    valid
        .iter()
        .map(|(provider, models)| format!("{provider}: {}", models.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

impl SelectionError {
    /// The request field the error is about, for a 422 body.
    pub fn field(&self) -> &'static str {
        match self {
            SelectionError::UnknownProvider { .. }
            | SelectionError::ProviderNotConfigured { .. } => "llm_provider",
            SelectionError::ModelNotOfProvider { .. } | SelectionError::UnknownModel { .. } => {
                "llm_model"
            }
            SelectionError::InvalidConfiguration { .. } => "configuration",
        }
    }
}

/// The offered providers, their default models and the default provider, derived once from settings.
#[derive(Debug, Clone)]
pub struct ModelSelection {
    catalog: Arc<ModelCatalog>,
    offered: Vec<ProviderId>,
    default_models: BTreeMap<ProviderId, String>,
    default_provider: ProviderId,
}

impl ModelSelection {
    /// Checks the configured defaults against the catalog. A configured `LLM_PROVIDER` without a key,
    /// or a `*_MODEL` that is not one of the provider's models, is a configuration error.
    pub fn new(
        settings: &LlmSettings,
        catalog: Arc<ModelCatalog>,
    ) -> Result<ModelSelection, SelectionError> {
        let offered_entries: Vec<(ProviderId, &ProviderEntry)> = ProviderId::ALL
            .into_iter()
            .filter(|id| settings.is_offered(*id))
            .filter_map(|id| Some((id, catalog.provider(id)?)))
            .collect();
        let offered: Vec<ProviderId> = offered_entries.iter().map(|(id, _)| *id).collect();
        let mut default_models = BTreeMap::new();
        for (id, entry) in &offered_entries {
            let configured = settings.provider(*id).and_then(|s| s.model.clone());
            let model = match configured {
                Some(name) => {
                    if *id != ProviderId::OpenAiCompatible && entry.model(&name).is_none() {
                        return Err(SelectionError::InvalidConfiguration {
                            setting: model_variable(*id),
                            value: name,
                            reason: format!(
                                "not a {id} model; its models: {}",
                                model_names(entry).join(", ")
                            ),
                        });
                    }
                    name
                }
                None => entry.default_model.clone(),
            };
            default_models.insert(*id, model);
        }
        let default_provider = match settings.provider.as_deref() {
            Some(name) => {
                let id = ProviderId::parse(name).ok_or_else(|| {
                    SelectionError::InvalidConfiguration {
                        setting: "LLM_PROVIDER",
                        value: name.to_owned(),
                        reason: format!(
                            "unknown provider; valid providers: {}",
                            ProviderId::ALL.map(|p| p.as_str()).join(", ")
                        ),
                    }
                })?;
                if !offered.contains(&id) {
                    return Err(SelectionError::InvalidConfiguration {
                        setting: "LLM_PROVIDER",
                        value: name.to_owned(),
                        reason: match id.key_variable() {
                            Some(var) if id == ProviderId::OpenAiCompatible => {
                                format!(
                                    "set OPENAI_COMPATIBLE_BASE_URL (and {var} if it needs one)"
                                )
                            }
                            Some(var) => format!("set {var}"),
                            None => "the provider is unavailable".to_owned(),
                        },
                    });
                }
                id
            }
            // The first provider with a key, else the offline generator.
            None => *offered
                .first()
                .ok_or_else(|| SelectionError::InvalidConfiguration {
                    setting: "LLM_PROVIDER",
                    value: String::new(),
                    reason: "the model catalog offers no provider, not even offline".to_owned(),
                })?,
        };
        Ok(ModelSelection {
            catalog,
            offered,
            default_models,
            default_provider,
        })
    }

    pub fn catalog(&self) -> &ModelCatalog {
        &self.catalog
    }

    /// Providers that can be called, in [`ProviderId::ALL`] order (`offline` always last).
    pub fn offered(&self) -> &[ProviderId] {
        &self.offered
    }

    pub fn default_provider(&self) -> ProviderId {
        self.default_provider
    }

    /// The model a request naming only `provider` gets.
    pub fn default_model(&self, provider: ProviderId) -> Option<&str> {
        self.default_models.get(&provider).map(String::as_str)
    }

    /// The models a provider offers: the catalog's, plus the configured model of an
    /// OpenAI-compatible server.
    pub fn models_of(&self, provider: ProviderId) -> Vec<String> {
        let Some(entry) = self.catalog.provider(provider) else {
            return Vec::new();
        };
        let mut models = model_names(entry);
        if let Some(configured) = self.default_models.get(&provider)
            && !models.contains(configured)
        {
            models.push(configured.clone());
        }
        models
    }

    /// Applies the selection rules to a request's `llm_provider` and `llm_model` (empty counts as
    /// absent).
    pub fn resolve(
        &self,
        provider: Option<&str>,
        model: Option<&str>,
    ) -> Result<ResolvedModel, SelectionError> {
        let provider = provider.map(str::trim).filter(|p| !p.is_empty());
        let model = model.map(str::trim).filter(|m| !m.is_empty());
        match (provider, model) {
            // Rule 1 and rule 2: the provider is given.
            (Some(name), model) => {
                let id = self.offered_provider(name)?;
                let model = match model {
                    Some(model) => model,
                    None => self.default_model_of(id)?,
                };
                self.model_of(id, model)
            }
            // Rule 3: infer the provider from the model name.
            (None, Some(model)) => {
                let listing = self.catalog.providers_of(model);
                let configured: Vec<ProviderId> = self
                    .offered
                    .iter()
                    .copied()
                    .filter(|id| listing.contains(id) || self.default_model(*id) == Some(model))
                    .collect();
                let id = if configured.contains(&self.default_provider) {
                    self.default_provider
                } else if let Some(first) = configured.first() {
                    *first
                } else if let Some(unconfigured) = listing.first() {
                    return Err(self.not_configured(*unconfigured));
                } else {
                    return Err(SelectionError::UnknownModel {
                        model: model.to_owned(),
                        valid: self
                            .offered
                            .iter()
                            .map(|id| (id.as_str().to_owned(), self.models_of(*id)))
                            .collect(),
                    });
                };
                self.model_of(id, model)
            }
            // Rule 4: the configured defaults.
            (None, None) => {
                let id = self.default_provider;
                self.model_of(id, self.default_model_of(id)?)
            }
        }
    }

    fn offered_provider(&self, name: &str) -> Result<ProviderId, SelectionError> {
        let id = ProviderId::parse(name).ok_or_else(|| SelectionError::UnknownProvider {
            given: name.to_owned(),
            valid: self.offered_names(),
        })?;
        if self.offered.contains(&id) {
            Ok(id)
        } else {
            Err(self.not_configured(id))
        }
    }

    fn not_configured(&self, id: ProviderId) -> SelectionError {
        SelectionError::ProviderNotConfigured {
            provider: id.as_str().to_owned(),
            key_variable: id.key_variable(),
            offered: self.offered_names(),
        }
    }

    fn offered_names(&self) -> Vec<String> {
        self.offered.iter().map(|p| p.as_str().to_owned()).collect()
    }

    /// The default model of an offered provider (every offered provider has one, set in `new`).
    fn default_model_of(&self, id: ProviderId) -> Result<&str, SelectionError> {
        self.default_model(id)
            .ok_or_else(|| self.not_configured(id))
    }

    fn model_of(&self, id: ProviderId, model: &str) -> Result<ResolvedModel, SelectionError> {
        let entry = self
            .catalog
            .provider(id)
            .ok_or_else(|| self.not_configured(id))?;
        let info = match entry.model(model) {
            Some(info) => info.clone(),
            // An OpenAI-compatible server serves whatever it has loaded; the server itself
            // answers 404 for a model it does not know.
            None if id == ProviderId::OpenAiCompatible => ModelInfo::unlisted(model),
            None => {
                return Err(SelectionError::ModelNotOfProvider {
                    provider: id.as_str().to_owned(),
                    model: model.to_owned(),
                    valid: self.models_of(id),
                });
            }
        };
        Ok(ResolvedModel {
            provider: id,
            model: info.name.clone(),
            structured: entry.structured_mode(&info),
            info,
        })
    }
}

fn model_names(entry: &ProviderEntry) -> Vec<String> {
    entry.models.iter().map(|m| m.name.clone()).collect()
}

fn model_variable(id: ProviderId) -> &'static str {
    match id {
        ProviderId::OpenAi => "OPENAI_MODEL",
        ProviderId::Claude => "ANTHROPIC_MODEL",
        ProviderId::Gemini => "GOOGLE_MODEL",
        ProviderId::Kimi => "MOONSHOT_MODEL",
        ProviderId::OpenAiCompatible => "OPENAI_COMPATIBLE_MODEL",
        ProviderId::Offline => "LLM_MODEL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn settings(keys: &[ProviderId]) -> LlmSettings {
        let mut settings = LlmSettings::default();
        for id in keys {
            let provider = settings.provider_mut(*id).unwrap();
            provider.api_key = Some(SecretString::from("k"));
            if *id == ProviderId::OpenAiCompatible {
                provider.base_url = Some("http://127.0.0.1:1/v1".into());
                provider.model = Some("llama3.2".into());
            }
        }
        settings
    }

    fn selection(settings: &LlmSettings) -> ModelSelection {
        ModelSelection::new(settings, Arc::new(ModelCatalog::builtin().unwrap())).unwrap()
    }

    enum Expect {
        Ok(ProviderId, &'static str),
        Err(&'static str),
    }

    /// name, settings, llm_provider, llm_model, expected outcome
    type Case<'a> = (
        &'a str,
        &'a LlmSettings,
        Option<&'a str>,
        Option<&'a str>,
        Expect,
    );

    #[test]
    fn selection_rules_table() {
        use ProviderId::*;
        let all = settings(&[OpenAi, Claude, Gemini, Kimi, OpenAiCompatible]);
        let only_claude = settings(&[Claude]);
        let mut claude_default = settings(&[OpenAi, Claude]);
        claude_default.provider = Some("claude".into());
        claude_default.anthropic.model = Some("claude-haiku-4-5".into());
        let nothing = settings(&[]);

        let cases: Vec<Case> = vec![
            (
                "rule 1 explicit",
                &all,
                Some("claude"),
                Some("claude-opus-4-1"),
                Expect::Ok(Claude, "claude-opus-4-1"),
            ),
            (
                "rule 1 alias provider",
                &all,
                Some("anthropic"),
                Some("claude-opus-4-1"),
                Expect::Ok(Claude, "claude-opus-4-1"),
            ),
            (
                "rule 1 dated model",
                &all,
                Some("claude"),
                Some("claude-sonnet-4-5-20250929"),
                Expect::Ok(Claude, "claude-sonnet-4-5"),
            ),
            (
                "rule 1 custom server model",
                &all,
                Some("openai-compatible"),
                Some("qwen3:8b"),
                Expect::Ok(OpenAiCompatible, "qwen3:8b"),
            ),
            (
                "rule 2 provider only",
                &all,
                Some("gemini"),
                None,
                Expect::Ok(Gemini, "gemini-2.5-flash"),
            ),
            (
                "rule 2 configured model",
                &claude_default,
                Some("claude"),
                None,
                Expect::Ok(Claude, "claude-haiku-4-5"),
            ),
            (
                "rule 3 model only",
                &all,
                None,
                Some("kimi-latest"),
                Expect::Ok(Kimi, "kimi-latest"),
            ),
            (
                "rule 3 configured custom model",
                &all,
                None,
                Some("llama3.2"),
                Expect::Ok(OpenAiCompatible, "llama3.2"),
            ),
            (
                "rule 3 claude model while default is openai",
                &all,
                None,
                Some("claude-3-5-haiku-latest"),
                Expect::Ok(Claude, "claude-3-5-haiku-latest"),
            ),
            (
                "rule 4 defaults, first keyed provider",
                &all,
                None,
                None,
                Expect::Ok(OpenAi, "gpt-5-mini"),
            ),
            (
                "rule 4 configured default",
                &claude_default,
                None,
                None,
                Expect::Ok(Claude, "claude-haiku-4-5"),
            ),
            (
                "rule 4 no keys -> offline",
                &nothing,
                None,
                None,
                Expect::Ok(Offline, "offline"),
            ),
            (
                "empty strings are absent",
                &only_claude,
                Some(""),
                Some(" "),
                Expect::Ok(Claude, "claude-sonnet-4-5"),
            ),
            (
                "rule 5 unknown provider",
                &all,
                Some("mistral"),
                None,
                Expect::Err("llm_provider"),
            ),
            (
                "rule 5 provider without key",
                &only_claude,
                Some("openai"),
                Some("gpt-4o"),
                Expect::Err("llm_provider"),
            ),
            (
                "rule 5 model of another provider",
                &all,
                Some("openai"),
                Some("claude-opus-4-1"),
                Expect::Err("llm_model"),
            ),
            (
                "rule 5 unknown model",
                &all,
                None,
                Some("gpt-9000"),
                Expect::Err("llm_model"),
            ),
            (
                "rule 5 model of an unconfigured provider",
                &only_claude,
                None,
                Some("gpt-4o"),
                Expect::Err("llm_provider"),
            ),
        ];
        for (name, settings, provider, model, expect) in cases {
            let result = selection(settings).resolve(provider, model);
            match (expect, result) {
                (Expect::Ok(p, m), Ok(resolved)) => {
                    assert_eq!(
                        (resolved.provider, resolved.model.as_str()),
                        (p, m),
                        "{name}"
                    );
                }
                (Expect::Err(field), Err(err)) => assert_eq!(err.field(), field, "{name}: {err}"),
                (_, other) => panic!("{name}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn errors_name_the_valid_choices() {
        let all = settings(&[ProviderId::OpenAi, ProviderId::Claude]);
        let err = selection(&all)
            .resolve(Some("openai"), Some("claude-opus-4-1"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("gpt-5-mini") && err.contains("claude-opus-4-1"),
            "{err}"
        );
        let err = selection(&all)
            .resolve(Some("mistral"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("openai, claude, offline"), "{err}");
        let only_claude = settings(&[ProviderId::Claude]);
        let err = selection(&only_claude)
            .resolve(Some("gemini"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("GOOGLE_API_KEY"), "{err}");
    }

    #[test]
    fn bad_configured_defaults_fail_at_startup() {
        let catalog = Arc::new(ModelCatalog::builtin().unwrap());
        let mut s = settings(&[ProviderId::OpenAi]);
        s.provider = Some("claude".into());
        let err = ModelSelection::new(&s, catalog.clone()).unwrap_err();
        assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
        let mut s = settings(&[ProviderId::OpenAi]);
        s.openai.model = Some("claude-opus-4-1".into());
        let err = ModelSelection::new(&s, catalog).unwrap_err();
        assert!(err.to_string().contains("OPENAI_MODEL"), "{err}");
    }
}
