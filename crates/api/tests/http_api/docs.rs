//! `/openapi.json`, Swagger UI at `/docs` and ReDoc at `/redoc`, all served from the binary with no
//! reference to another host.

use api::ApiSettings;

use crate::support::{TestApp, databases, json};

/// `src`/`href` attribute values in an HTML page.
fn asset_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (index, _) in html.match_indices(attribute) {
            let rest = &html[index + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

fn assert_local(page: &str, references: &[String]) {
    for reference in references {
        assert!(
            !reference.contains("://") && !reference.starts_with("//"),
            "{page} loads {reference} from another host"
        );
    }
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    for fixture in databases().await {
        let settings = ApiSettings {
            version: "1.2.3".into(),
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;
        let document = json(app.get("/openapi.json").await, 200).await;
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
        assert_eq!(document["info"]["version"], "1.2.3");
        let paths = document["paths"].as_object().unwrap();
        for path in [
            "/",
            "/health",
            "/metrics",
            "/jobs",
            "/jobs/{job_id}",
            "/jobs/ticket/{ticket_key}",
        ] {
            assert!(paths.contains_key(path), "missing {path}");
        }
        assert!(paths["/jobs/{job_id}"].get("delete").is_some());
        let list_params = paths["/jobs"]["get"]["parameters"].as_array().unwrap();
        let names: Vec<&str> = list_params
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for name in [
            "status",
            "job_type",
            "job_id",
            "ticket_key",
            "story_key",
            "sort_by",
            "sort_order",
            "offset",
            "limit",
        ] {
            assert!(names.contains(&name), "missing parameter {name}");
        }
        assert!(
            document["components"]["securitySchemes"]
                .get("basic")
                .is_some()
        );
        assert_eq!(paths["/health"]["get"]["security"], serde_json::json!([{}]));
        // Every $ref resolves.
        let text = document.to_string();
        for (index, _) in text.match_indices("\"$ref\":\"#/components/schemas/") {
            let rest = &text[index + "\"$ref\":\"#/components/schemas/".len()..];
            let name = &rest[..rest.find('"').unwrap()];
            assert!(
                document["components"]["schemas"].get(name).is_some(),
                "dangling $ref {name}"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn swagger_ui_is_self_hosted() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let page = app.get("/docs").await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.url().path(), "/docs/");
        let html = page.text().await.unwrap();
        let references = asset_references(&html);
        assert!(!references.is_empty());
        assert_local("/docs", &references);
        for reference in &references {
            let path = format!("/docs/{}", reference.trim_start_matches("./"));
            let asset = app.get(&path).await;
            assert_eq!(asset.status(), 200, "{path}");
        }
        let initializer = app
            .get("/docs/swagger-initializer.js")
            .await
            .text()
            .await
            .unwrap();
        assert!(initializer.contains("/openapi.json"));
        assert!(!initializer.contains("https://"));
        app.finish().await;
    }
}

#[tokio::test]
async fn redoc_is_self_hosted() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let page = app.get("/redoc").await;
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("spec-url=\"openapi.json\""));
        let references = asset_references(&html);
        assert_eq!(references, ["redoc/redoc.standalone.js"]);
        assert_local("/redoc", &references);
        let script = app.get("/redoc/redoc.standalone.js").await;
        assert_eq!(script.status(), 200);
        assert!(
            script.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        let bytes = script.bytes().await.unwrap();
        assert!(bytes.len() > 500_000, "the full ReDoc bundle is served");
        app.finish().await;
    }
}

/// The answers the shared layers give before a handler runs are documented on every operation
/// they can happen on: 401 on every protected operation (authentication), 400, 413 and 415 on
/// every operation with a JSON body (`ApiJson`). Routes used to list them one by one, and most
/// did not (found by `.ci/api-fuzz`).
#[tokio::test]
async fn shared_answers_are_documented_on_every_operation() {
    let fixture = databases().await.remove(0);
    let app = TestApp::spawn(fixture, ApiSettings::default()).await;
    let document = json(app.get("/openapi.json").await, 200).await;
    let public = ["/", "/health", "/metrics"];
    let mut bodies = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            let documents = |status: &str| {
                let response = &responses[status];
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} does not document {status}"
                );
            };
            if !public.contains(&path.as_str()) {
                documents("401");
                assert!(
                    responses["401"]["headers"]
                        .get("WWW-Authenticate")
                        .is_some(),
                    "{method} {path}"
                );
            }
            if operation.get("requestBody").is_some() {
                bodies += 1;
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.get(status).is_some(),
                        "{method} {path} does not document {status}"
                    );
                }
                documents("415");
                documents("413");
            }
        }
    }
    assert!(bodies >= 20, "only {bodies} operations take a body");
    assert!(document["components"]["schemas"].get("ErrorBody").is_some());
    app.finish().await;
}
