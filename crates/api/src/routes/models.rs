//! `GET /models` (seed 000 "LLM Model Selection"): the providers this deployment can call, their
//! models, the default provider, and the model each provider uses when a request names only the
//! provider. A provider without a key is not listed; the offline generator always is.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_models))
}

/// `GET /models`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelsBody {
    /// Providers a request may name in `llm_provider`, e.g. `openai`, `claude`, `offline`.
    pub providers: Vec<String>,
    /// Provider → the models a request may name in `llm_model`.
    pub models: BTreeMap<String, Vec<String>>,
    /// The provider used when a request names neither provider nor model.
    pub default_provider: String,
    /// Provider → the model used when a request names only that provider.
    pub current_config: BTreeMap<String, String>,
}

impl From<llm::ModelsResponse> for ModelsBody {
    fn from(listing: llm::ModelsResponse) -> Self {
        Self {
            providers: listing.providers,
            models: listing.models,
            default_provider: listing.default_provider,
            current_config: listing.current_config,
        }
    }
}

/// List the language-model providers and models available to requests.
#[utoipa::path(
    get,
    path = "/models",
    tag = "models",
    responses(
        (status = 200, description = "Available providers and models", body = ModelsBody),
    )
)]
async fn list_models(State(state): State<AppState>) -> Json<ModelsBody> {
    Json(state.llm().models_response().into())
}
