#![cfg(feature = "testing")]
//! The service answers what its own OpenAPI document (`/openapi.json`) says it answers: the status
//! is documented for the operation and the body validates against the documented schema.
//! `.ci/api-fuzz` checks this broadly with schemathesis; these are the answers it found
//! undocumented, kept as regressions: the `async_mode` answer of every route that takes the flag,
//! the 415 of a body sent without a JSON content type, the 401 of a protected route, and the `loc`
//! of a 422.

use app::testing::TestApp;
use serde_json::{Value, json};

/// Asserts that `document` documents `status` for `method path` and that `body` validates
/// against the schema it gives; returns the documented response.
fn assert_documented(document: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let operation = &document["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let response = &operation["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which its document does not list: {body:#}"
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status} documents no JSON body"
    );
    // The schema's `$ref`s point into the document's components, so they go along.
    let root = json!({ "allOf": [schema], "components": document["components"] });
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .expect("the documented schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match its documented schema: {errors:?}\n{body:#}"
    );
}

async fn document(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("the document is JSON")
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// Every route with `async_mode`: the synchronous result and the queued job are both what the
/// document says. The async answers used to be documented as the synchronous result only.
#[tokio::test]
async fn sync_and_async_answers_match_the_document() {
    let app = TestApp::full().await;
    let document = document(&app).await;
    let requests = [
        ("/analyze/story-coverage", json!({"story_key": "DEMO-5"})),
        ("/plan/tests/comprehensive", json!({"epic_key": "DEMO-1"})),
        ("/plan/tests/story", json!({"story_key": "DEMO-4"})),
        ("/plan/tests/task", json!({"task_key": "DEMO-12"})),
        (
            "/plan/tests/task/context-aware",
            json!({"task_key": "DEMO-12"}),
        ),
        ("/plan/tasks/generate", json!({"story_keys": ["DEMO-4"]})),
        ("/plan/tasks/team-based", json!({"story_keys": ["DEMO-4"]})),
        ("/plan/tasks/create", json!({"story_keys": ["DEMO-4"]})),
        (
            "/jira/bulk-update-stories",
            json!({"stories": [{"story_key": "DEMO-4", "summary": "Guest checkout, reworded"}]}),
        ),
        (
            "/jira/bulk-create-tasks",
            json!({"tasks": [{"summary": "Checkout API", "description": "Endpoints", "story_key": "DEMO-4"}]}),
        ),
        (
            "/jira/bulk-create-stories",
            json!({"stories": [{"parent_key": "DEMO-1", "summary": "Saved carts", "description": "Keep the cart"}]}),
        ),
        ("/plan/stories/sync-from-prd", json!({"epic_key": "DEMO-1"})),
    ];
    for (path, request) in requests {
        for async_mode in [false, true] {
            let mut request = request.clone();
            request["async_mode"] = json!(async_mode);
            let (status, body) = answer(app.post(path, &request).await).await;
            assert_eq!(status, 200, "{path} async_mode={async_mode}: {body:#}");
            // Only the queued-job answer carries a job id (a result may say `"job_id": null`).
            assert_eq!(
                body["job_id"].is_string(),
                async_mode,
                "{path} async_mode={async_mode}: {body:#}"
            );
            assert_documented(&document, "post", path, status, &body);
            // Run the queued job so the next request on the same keys is not a duplicate.
            app.drain().await;
        }
    }
    assert!(
        app.sandbox().write_log().is_empty(),
        "previews write nothing"
    );
    app.stop().await;
}

/// A body without `Content-Type: application/json` is a 415 on every route that takes one; the
/// document did not list it.
#[tokio::test]
async fn a_body_that_is_not_json_is_a_documented_415() {
    let app = TestApp::full().await;
    let document = document(&app).await;
    for path in [
        "/generate/single",
        "/jira/bulk-create-tasks",
        "/prompt/resubmit",
    ] {
        let response = app
            .http
            .post(format!("{}{path}", app.base_url))
            .header("content-type", "text/plain")
            .body(r#"{"ticket_key": "DEMO-6"}"#)
            .send()
            .await
            .expect("the request reaches the app");
        let (status, body) = answer(response).await;
        assert_eq!(status, 415, "{path}: {body:#}");
        assert_documented(&document, "post", path, status, &body);
    }
    app.stop().await;
}

/// A 422 names the field with a `loc` of names and list indexes; the document described its
/// items as objects, so no 422 the service gives matched it.
#[tokio::test]
async fn a_422_loc_of_names_and_indexes_matches_the_document() {
    let app = TestApp::full().await;
    let document = document(&app).await;
    let request = json!({"tasks": [{"summary": "Checkout API", "description": "", "story_key": "not a key"}]});
    let (status, body) = answer(app.post("/jira/bulk-create-tasks", &request).await).await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "tasks", 0, "story_key"])
    );
    assert_documented(&document, "post", "/jira/bulk-create-tasks", status, &body);
    app.stop().await;
}

/// With authentication on, a protected route called without credentials answers 401 with
/// `WWW-Authenticate`; several protected routes did not document it.
#[tokio::test]
async fn a_protected_route_documents_its_401() {
    let db = store::TestDatabase::sqlite()
        .await
        .expect("a SQLite test database");
    let app = TestApp::with(db, |settings| {
        settings.auth.enabled = true;
        // SHA-256 of "key-1"; the key itself is never sent here.
        settings.auth.api_key_hashes =
            vec!["be2974546978e3739e6d6da85c4be9f334ce32df2b9fd4b6ff1b55c0d57e9d44".to_owned()];
    })
    .await;
    let document = document(&app).await;
    for path in [
        "/generate/single",
        "/plan/tests/story",
        "/analyze/story-coverage",
    ] {
        let response = app.post(path, &json!({})).await;
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{path}"
        );
        let (status, body) = answer(response).await;
        assert_eq!(status, 401, "{path}: {body:#}");
        assert_documented(&document, "post", path, status, &body);
        let documented = &document["paths"][path]["post"]["responses"]["401"]["headers"];
        assert!(documented.get("WWW-Authenticate").is_some(), "{path}");
    }
    app.stop().await;
}
