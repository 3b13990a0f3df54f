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
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref};
use utoipa::openapi::{ObjectBuilder, Type, header::HeaderBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::ErrorBody;
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
        (name = "teams", description = "Teams, team members, roles, levels, boards and capacity per sprint"),
        (name = "sprints", description = "Sprints: list, create, update, assign and remove issues; plan an epic into sprints; timelines and Gantt charts"),
        (name = "chat", description = "The chat agent: send a message, poll its result, confirm or reject what it proposes to write, conversations, live steps"),
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

/// Documents the 401 that authentication (`auth::require_caller`) answers on every operation of
/// `openapi`, for the routes it guards. Added here, once, rather than in each handler's
/// annotation, so no protected operation can forget it (and handlers do not list it).
pub(crate) fn document_authentication(openapi: &mut OpenApiDocument) {
    let unauthorized = error_response(
        "Missing or wrong credentials: send HTTP Basic or `Authorization: Bearer <api key>`",
    )
    .header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some("`Basic realm=\"planwright\"`"))
            .build(),
    )
    .build();
    for operation in operations_mut(openapi) {
        add_response(operation, "401", &unauthorized);
    }
    ensure_error_body_schema(openapi);
}

/// Documents the answers every JSON body gets from `extract::ApiJson` before its handler runs: 400
/// (the body could not be read), 413 (larger than the body limit) and 415 (not
/// `Content-Type: application/json`). A JSON syntax or field error is the 422 each operation
/// already documents.
pub(crate) fn document_json_bodies(openapi: &mut OpenApiDocument) {
    let answers = [
        ("400", "The request body could not be read"),
        (
            "413",
            "The request body is larger than the configured limit",
        ),
        (
            "415",
            "The body was not sent with `Content-Type: application/json`",
        ),
    ];
    let mut any = false;
    for operation in operations_mut(openapi) {
        if operation.request_body.is_none() {
            continue;
        }
        any = true;
        for (status, description) in answers {
            add_response(operation, status, &error_response(description).build());
        }
    }
    if any {
        ensure_error_body_schema(openapi);
    }
}

/// A response whose body is [`ErrorBody`].
fn error_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name(ErrorBody::name()))),
    )
}

/// Adds `response` under `status` unless the operation already documents that status with its
/// own, more specific description.
fn add_response(operation: &mut Operation, status: &str, response: &Response) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| response.clone().into());
}

fn ensure_error_body_schema(openapi: &mut OpenApiDocument) {
    openapi
        .components
        .get_or_insert_with(Default::default)
        .schemas
        .entry(ErrorBody::name().into_owned())
        .or_insert_with(ErrorBody::schema);
}

/// Every operation of every path.
fn operations_mut(openapi: &mut OpenApiDocument) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.options.as_mut(),
            item.head.as_mut(),
            item.patch.as_mut(),
            item.trace.as_mut(),
            item.query.as_mut(),
        ]
        .into_iter()
        .flatten()
        .chain(item.additional_operations.values_mut())
    })
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
