//! API documentation: the OpenAPI document generated from the handlers, Swagger UI at `/docs` and
//! ReDoc at `/redoc`.
//!
//! Both UIs are served from assets compiled into the binary (Swagger UI through
//! `utoipa-swagger-ui`'s `vendored` feature, ReDoc from `assets/redoc/`), so the pages work on a
//! machine with no internet access and no browser request leaves the deployment.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::state::AppState;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/openapi.json";
/// Swagger UI.
pub const SWAGGER_PATH: &str = "/docs";
/// ReDoc.
pub const REDOC_PATH: &str = "/redoc";
/// The vendored ReDoc bundle (see `assets/redoc/README.md`).
pub const REDOC_SCRIPT_PATH: &str = "/redoc/redoc.standalone.js";

const REDOC_SCRIPT: &[u8] = include_bytes!("../assets/redoc/redoc.standalone.js");

/// The security scheme names used by protected operations.
pub(crate) const BASIC_SCHEME: &str = "basic";
pub(crate) const BEARER_SCHEME: &str = "api_key";

/// The static part of the OpenAPI document; operations are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Planwright",
        description = "Language models at work on Jira and Confluence: ticket descriptions, \
            story and task planning, test cases, sprint planning and draft pull requests. \
            Nothing is written to Jira, Confluence or git unless a request asks for it explicitly.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "jobs", description = "Background jobs: status, listing and cancellation"),
        (name = "generation", description = "Ticket descriptions: preview, write, batch"),
        (name = "planning", description = "Epic planning: gap analysis, validation, stories and team tasks"),
        (name = "jira", description = "Jira operations: update tickets and stories, create tasks and stories, one at a time or in bulk"),
        (name = "planning", description = "Team task planning for stories, task creation with links, cycle-time estimates"),
        (name = "tests", description = "Test cases for stories, tasks and whole epics, by coverage level"),
        (name = "coverage", description = "Story coverage by its tasks, and applying the suggestions"),
        (name = "prompts", description = "Rerunning a generation with edited prompts"),
    )
)]
pub(crate) struct ApiDoc;

/// Declares HTTP Basic and API-key (Bearer) authentication and requires one of them by default;
/// public operations override this with an empty requirement.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BASIC_SCHEME,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        openapi.security = Some(vec![
            SecurityRequirement::new(BASIC_SCHEME, Vec::<String>::new()),
            SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
        ]);
    }
}

/// Routes serving the document and both UIs.
pub(crate) fn routes(openapi: OpenApiDocument) -> Router<AppState> {
    let swagger = SwaggerUi::new(SWAGGER_PATH)
        .url(OPENAPI_PATH, openapi)
        // "none" turns off the badge that would send the document to validator.swagger.io.
        .config(
            Config::default()
                .validator_url("none")
                .persist_authorization(true),
        );
    Router::from(swagger)
        .route(REDOC_PATH, get(redoc_page))
        .route(REDOC_SCRIPT_PATH, get(redoc_script))
}

/// The ReDoc page. Paths are relative so the page also works behind a reverse proxy prefix.
async fn redoc_page() -> Html<&'static str> {
    Html(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Planwright API reference</title>
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="openapi.json"></redoc>
    <script src="redoc/redoc.standalone.js"></script>
  </body>
</html>
"#,
    )
}

async fn redoc_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        REDOC_SCRIPT,
    )
}
