//! The model catalog: which models each provider offers, their context window, output limit and
//! prices, and how each asks for structured output.
//!
//! The catalog is data (`catalog.yaml`, embedded with `include_str!`) rather than code so operators
//! can add a model or correct a price with a file of the same shape (`ModelCatalog::merge`) instead
//! of waiting for a release.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::provider_id::ProviderId;
use crate::usage::Usage;

const BUILTIN_CATALOG: &str = include_str!("../catalog.yaml");

/// How a model is asked for JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructuredMode {
    /// Native schema-constrained output: OpenAI `response_format.json_schema` strict, Anthropic
    /// `output_config.format`, Gemini `responseJsonSchema`.
    JsonSchema,
    /// The older native mechanism: Anthropic forced tool use, Gemini OpenAPI-subset
    /// `responseSchema`, OpenAI `json_object`.
    Compat,
    /// JSON mode only (or nothing, for Anthropic); the schema is written into the prompt.
    JsonMode,
}

/// One model and what the catalog knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    /// Other names that resolve to this model (dated snapshots).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Total tokens (input + output) the model accepts; unknown for custom servers.
    #[serde(default)]
    pub context_window: Option<u32>,
    /// Most output tokens one call may ask for.
    #[serde(default)]
    pub max_output: Option<u32>,
    #[serde(default)]
    pub input_usd_per_mtok: Option<f64>,
    #[serde(default)]
    pub output_usd_per_mtok: Option<f64>,
    /// The model rejects any temperature but its default (OpenAI reasoning models).
    #[serde(default)]
    pub fixed_temperature: bool,
    /// Overrides the provider's structured-output mode for this model.
    #[serde(default)]
    pub structured: Option<StructuredMode>,
}

impl ModelInfo {
    /// A model the catalog does not list (an OpenAI-compatible server's own model): nothing known.
    pub fn unlisted(name: &str) -> ModelInfo {
        ModelInfo {
            name: name.to_owned(),
            aliases: Vec::new(),
            context_window: None,
            max_output: None,
            input_usd_per_mtok: None,
            output_usd_per_mtok: None,
            fixed_temperature: false,
            structured: None,
        }
    }

    /// Estimated cost of `usage` at list prices, when both prices are known.
    pub fn cost_usd(&self, usage: &Usage) -> Option<f64> {
        let input = self.input_usd_per_mtok?;
        let output = self.output_usd_per_mtok?;
        Some(
            (usage.input_tokens as f64 * input + usage.output_tokens as f64 * output) / 1_000_000.0,
        )
    }

    fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|alias| alias == name)
    }
}

/// One provider's defaults and models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderEntry {
    pub default_model: String,
    pub base_url: String,
    pub default_max_output: u32,
    pub structured: StructuredMode,
    pub models: Vec<ModelInfo>,
}

impl ProviderEntry {
    /// Finds a model by name or alias.
    pub fn model(&self, name: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.answers_to(name))
    }

    /// The structured-output mode for a model of this provider.
    pub fn structured_mode(&self, model: &ModelInfo) -> StructuredMode {
        model.structured.unwrap_or(self.structured)
    }
}

/// The file shape: every provider field optional so an override file may set only what it changes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    providers: BTreeMap<ProviderId, ProviderFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    default_model: Option<String>,
    base_url: Option<String>,
    default_max_output: Option<u32>,
    structured: Option<StructuredMode>,
    #[serde(default)]
    models: Vec<ModelInfo>,
}

/// All providers and their models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelCatalog {
    providers: BTreeMap<ProviderId, ProviderEntry>,
}

/// A catalog file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the model catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the model catalog is not valid YAML of the catalog's shape: {0}")]
    Parse(String),
    #[error("the model catalog lacks `{field}` for provider `{provider}`")]
    Incomplete {
        provider: ProviderId,
        field: &'static str,
    },
}

impl ModelCatalog {
    /// The catalog shipped with the binary (its validity is tested, so this does not fail).
    pub fn builtin() -> Result<ModelCatalog, CatalogError> {
        let mut catalog = ModelCatalog {
            providers: BTreeMap::new(),
        };
        catalog.merge_yaml(BUILTIN_CATALOG)?;
        Ok(catalog)
    }

    /// The builtin catalog with an override file merged in, when one is configured.
    pub fn load(override_file: Option<&Path>) -> Result<ModelCatalog, CatalogError> {
        let mut catalog = ModelCatalog::builtin()?;
        if let Some(path) = override_file {
            let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
                path: path.display().to_string(),
                source,
            })?;
            catalog.merge_yaml(&text)?;
        }
        Ok(catalog)
    }

    /// Merges a catalog document: provider fields it sets replace ours, models replace ours of the
    /// same name and are otherwise appended. New providers must be complete.
    pub fn merge_yaml(&mut self, yaml: &str) -> Result<(), CatalogError> {
        let file: CatalogFile =
            yaml_serde::from_str(yaml).map_err(|e| CatalogError::Parse(e.to_string()))?;
        for (id, overlay) in file.providers {
            let entry = match self.providers.remove(&id) {
                Some(mut entry) => {
                    if let Some(v) = overlay.default_model {
                        entry.default_model = v;
                    }
                    if let Some(v) = overlay.base_url {
                        entry.base_url = v;
                    }
                    if let Some(v) = overlay.default_max_output {
                        entry.default_max_output = v;
                    }
                    if let Some(v) = overlay.structured {
                        entry.structured = v;
                    }
                    for model in overlay.models {
                        match entry.models.iter_mut().find(|m| m.name == model.name) {
                            Some(existing) => *existing = model,
                            None => entry.models.push(model),
                        }
                    }
                    entry
                }
                None => {
                    let missing = |field| CatalogError::Incomplete {
                        provider: id,
                        field,
                    };
                    ProviderEntry {
                        default_model: overlay.default_model.ok_or(missing("default_model"))?,
                        base_url: overlay.base_url.ok_or(missing("base_url"))?,
                        default_max_output: overlay
                            .default_max_output
                            .ok_or(missing("default_max_output"))?,
                        structured: overlay.structured.ok_or(missing("structured"))?,
                        models: overlay.models,
                    }
                }
            };
            self.providers.insert(id, entry);
        }
        Ok(())
    }

    /// One provider's entry.
    pub fn provider(&self, id: ProviderId) -> Option<&ProviderEntry> {
        self.providers.get(&id)
    }

    /// Every provider listing `model_name` (by name or alias), in [`ProviderId::ALL`] order.
    pub fn providers_of(&self, model_name: &str) -> Vec<ProviderId> {
        ProviderId::ALL
            .into_iter()
            .filter(|id| {
                self.provider(*id)
                    .is_some_and(|entry| entry.model(model_name).is_some())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_lists_every_provider_with_its_default_model() {
        let catalog = ModelCatalog::builtin().unwrap();
        for id in ProviderId::ALL {
            let entry = catalog.provider(id).expect("provider present");
            if id != ProviderId::OpenAiCompatible {
                assert!(
                    entry.model(&entry.default_model).is_some(),
                    "{id}'s default model is listed"
                );
            }
        }
        // Seed 000's table.
        for (provider, model) in [
            (ProviderId::OpenAi, "gpt-5-mini"),
            (ProviderId::OpenAi, "o3"),
            (ProviderId::Claude, "claude-opus-4-1"),
            (ProviderId::Gemini, "gemini-2.0-flash-lite"),
            (ProviderId::Kimi, "kimi-k2-turbo-preview"),
        ] {
            assert_eq!(catalog.providers_of(model), vec![provider], "{model}");
        }
    }

    #[test]
    fn cost_uses_list_prices_per_million_tokens() {
        let catalog = ModelCatalog::builtin().unwrap();
        let model = catalog
            .provider(ProviderId::OpenAi)
            .unwrap()
            .model("gpt-4o")
            .unwrap();
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 500_000,
        };
        assert_eq!(model.cost_usd(&usage), Some(2.5 + 5.0));
        assert_eq!(ModelInfo::unlisted("x").cost_usd(&usage), None);
    }

    #[test]
    fn an_override_replaces_fields_and_models_and_adds_new_ones() {
        let mut catalog = ModelCatalog::builtin().unwrap();
        catalog
            .merge_yaml(
                r#"
providers:
  openai:
    default_model: gpt-4o
    models:
      - { name: gpt-4o, context_window: 64000, max_output: 1000 }
      - { name: my-finetune, context_window: 16000, max_output: 2000 }
  openai-compatible:
    models:
      - { name: qwen3, context_window: 32768, max_output: 8192 }
"#,
            )
            .unwrap();
        let openai = catalog.provider(ProviderId::OpenAi).unwrap();
        assert_eq!(openai.default_model, "gpt-4o");
        assert_eq!(openai.model("gpt-4o").unwrap().context_window, Some(64000));
        assert!(openai.model("my-finetune").is_some());
        assert!(openai.model("gpt-5").is_some(), "untouched models stay");
        assert_eq!(
            catalog.providers_of("qwen3"),
            vec![ProviderId::OpenAiCompatible]
        );
    }

    #[test]
    fn a_malformed_override_is_an_error_not_ignored() {
        let mut catalog = ModelCatalog::builtin().unwrap();
        let err = catalog
            .merge_yaml("providers:\n  openai:\n    default_modle: x\n")
            .unwrap_err();
        assert!(matches!(err, CatalogError::Parse(_)), "{err}");
        let err = catalog
            .merge_yaml("providers:\n  mistral: {}\n")
            .unwrap_err();
        assert!(matches!(err, CatalogError::Parse(_)), "{err}");
    }

    #[test]
    fn dated_aliases_resolve() {
        let catalog = ModelCatalog::builtin().unwrap();
        let claude = catalog.provider(ProviderId::Claude).unwrap();
        assert_eq!(
            claude.model("claude-sonnet-4-5-20250929").unwrap().name,
            "claude-sonnet-4-5"
        );
    }
}
