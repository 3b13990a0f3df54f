//! Error shapes: 404, 405, 413, 415, 422 (query, path, body), 500 and 504, and the request id on
//! every response.

use std::time::Duration;

use api::ApiSettings;
use serde_json::json;

use crate::support::{TestApp, databases, json};

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_detail_shape() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        assert_eq!(
            json(app.get("/nope").await, 404).await,
            json!({ "detail": "Not Found" })
        );
        let post = app.client.post(app.url("/health")).send().await.unwrap();
        assert_eq!(
            json(post, 405).await,
            json!({ "detail": "Method Not Allowed" })
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_the_field() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let body = json(app.get("/jobs?status=bogus").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "status"]));
        assert_eq!(body["detail"][0]["type"], "enum");
        assert!(
            body["detail"][0]["msg"]
                .as_str()
                .unwrap()
                .contains("processing")
        );

        let body = json(app.get("/jobs?limit=0").await, 422).await;
        assert_eq!(
            body["detail"],
            json!([{ "loc": ["query", "limit"], "msg": "Input should be greater than or equal to 1", "type": "greater_than_equal" }])
        );
        let body = json(app.get("/jobs?limit=201").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "limit"]));
        assert_eq!(body["detail"][0]["type"], "less_than_equal");
        let body = json(app.get("/jobs?limit=abc").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "limit"]));
        let body = json(app.get("/jobs?sort_by=size&sort_order=up").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "sort_by"]));
        let body = json(app.get("/jobs?offset=-1").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "offset"]));
        let body = json(app.get("/jobs?ticket_key=not%20a%20key").await, 422).await;
        assert_eq!(body["detail"][0]["loc"], json!(["query", "ticket_key"]));
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_json_bodies_are_422_413_or_415() {
    for fixture in databases().await {
        let settings = ApiSettings {
            body_limit_bytes: 1024,
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;
        let post = |body: &'static str| {
            app.client
                .post(app.url("/test/echo"))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };

        let ok = json(
            post(r#"{"ticket_key":"P-1","count":2}"#).await.unwrap(),
            200,
        )
        .await;
        assert_eq!(ok["count"], 2);

        let syntax = json(post(r#"{"ticket_key": "#).await.unwrap(), 422).await;
        assert_eq!(syntax["detail"][0]["type"], "json_invalid");
        assert_eq!(syntax["detail"][0]["loc"][0], "body");

        let missing = json(post(r#"{"count": 1}"#).await.unwrap(), 422).await;
        assert_eq!(
            missing["detail"],
            json!([{ "loc": ["body", "ticket_key"], "msg": "Field required", "type": "missing" }])
        );

        let wrong_type = json(
            post(r#"{"ticket_key":"P-1","count":"many"}"#)
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(wrong_type["detail"][0]["loc"], json!(["body", "count"]));
        assert_eq!(wrong_type["detail"][0]["type"], "type_error");

        let nested = json(
            post(r#"{"ticket_key":"P-1","count":1,"tags":["a",2]}"#)
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(nested["detail"][0]["loc"], json!(["body", "tags", 1]));

        let big = format!(r#"{{"ticket_key":"{}","count":1}}"#, "x".repeat(2048));
        let too_large = app
            .client
            .post(app.url("/test/echo"))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(
            json(too_large, 413).await,
            json!({ "detail": "Request body is larger than the limit of 1024 bytes" })
        );

        let text = app
            .client
            .post(app.url("/test/echo"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(text.status(), 415);
        app.finish().await;
    }
}

#[tokio::test]
async fn request_ids_are_generated_or_propagated() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let generated = app.get("/").await;
        let id = generated.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "generated id {id}");
        let other = app.get("/nope").await;
        assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
        let propagated = app
            .client
            .get(app.url("/nope"))
            .header("x-request-id", "trace-abc-123")
            .send()
            .await
            .unwrap();
        assert_eq!(propagated.headers()["x-request-id"], "trace-abc-123");
        let oversized = "x".repeat(500);
        let replaced = app
            .client
            .get(app.url("/"))
            .header("x-request-id", oversized.as_str())
            .send()
            .await
            .unwrap();
        let replacement = replaced.headers()["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(replacement).is_ok(), "{replacement}");
        app.finish().await;
    }
}

#[tokio::test]
async fn internal_errors_and_panics_hide_their_cause() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        for path in ["/test/internal", "/test/panic"] {
            let response = app.get(path).await;
            assert!(response.headers().contains_key("x-request-id"));
            let body = json(response, 500).await;
            let detail = body["detail"].as_str().unwrap();
            assert!(!detail.contains("secret"), "{path} leaked: {detail}");
            assert!(detail.contains("x-request-id"));
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn slow_requests_time_out_with_504() {
    for fixture in databases().await {
        let settings = ApiSettings {
            request_timeout: Duration::from_millis(200),
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;
        let body = json(app.get("/test/slow").await, 504).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("did not complete")
        );
        app.finish().await;
    }
}
