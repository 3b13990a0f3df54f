//! The body of `GET /models` (seed 000): offered providers, their models, the default provider and
//! each offered provider's configured model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::selection::ModelSelection;

/// `GET /models` response. Only providers that can be called are listed (a provider without a key
/// is not offered); `offline` is always there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsResponse {
    pub providers: Vec<String>,
    pub models: BTreeMap<String, Vec<String>>,
    pub default_provider: String,
    /// Provider → the model a request naming only that provider gets.
    pub current_config: BTreeMap<String, String>,
}

impl ModelsResponse {
    pub fn new(selection: &ModelSelection) -> ModelsResponse {
        let offered = selection.offered();
        ModelsResponse {
            providers: offered.iter().map(|p| p.as_str().to_owned()).collect(),
            models: offered
                .iter()
                .map(|p| (p.as_str().to_owned(), selection.models_of(*p)))
                .collect(),
            default_provider: selection.default_provider().as_str().to_owned(),
            current_config: offered
                .iter()
                .filter_map(|p| {
                    selection
                        .default_model(*p)
                        .map(|m| (p.as_str().to_owned(), m.to_owned()))
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ModelCatalog;
    use crate::settings::LlmSettings;
    use secrecy::SecretString;
    use std::sync::Arc;

    #[test]
    fn lists_only_keyed_providers_in_the_seed_shape() {
        let mut settings = LlmSettings::default();
        settings.anthropic.api_key = Some(SecretString::from("k"));
        settings.google.api_key = Some(SecretString::from("k"));
        settings.google.model = Some("gemini-2.5-pro".into());
        let selection =
            ModelSelection::new(&settings, Arc::new(ModelCatalog::builtin().unwrap())).unwrap();
        let body = serde_json::to_value(ModelsResponse::new(&selection)).unwrap();
        assert_eq!(
            body["providers"],
            serde_json::json!(["claude", "gemini", "offline"])
        );
        assert_eq!(body["default_provider"], "claude");
        assert_eq!(body["current_config"]["gemini"], "gemini-2.5-pro");
        assert_eq!(body["current_config"]["claude"], "claude-sonnet-4-5");
        assert!(
            body["models"]["claude"]
                .as_array()
                .unwrap()
                .contains(&"claude-opus-4-1".into())
        );
        assert!(body["models"].get("openai").is_none());
    }
}
