//! Authentication: 401 shapes, Basic with argon2 and legacy SHA-256, Bearer API keys, public
//! routes.

use api::{ApiSettings, AuthSettings};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::support::{TestApp, databases, json};

fn settings(password_hash: String) -> ApiSettings {
    ApiSettings {
        auth: AuthSettings {
            enabled: true,
            username: "admin".into(),
            password_hash: Some(SecretString::from(password_hash)),
            api_key_hashes: vec![api::api_key_hash(&SecretString::from("key-123"))],
        },
        ..ApiSettings::default()
    }
}

async fn assert_unauthorized(response: reqwest::Response, detail: &str) {
    assert_eq!(
        response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        Some("Basic realm=\"planwright\"")
    );
    let body = json(response, 401).await;
    assert_eq!(body, serde_json::json!({ "detail": detail }));
}

#[tokio::test]
async fn protected_routes_require_credentials_and_public_routes_stay_open() {
    let hash = api::hash_password(&SecretString::from("correct horse")).expect("hash");
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, settings(hash.clone())).await;
        let label = app.label();

        assert_unauthorized(app.get("/jobs").await, "Not authenticated").await;
        assert_unauthorized(app.get("/metrics").await, "Not authenticated").await;
        let wrong = app
            .client
            .get(app.url("/jobs"))
            .basic_auth("admin", Some("wrong"))
            .send()
            .await
            .unwrap();
        assert_unauthorized(wrong, "Invalid authentication credentials").await;
        let wrong_user = app
            .client
            .get(app.url("/jobs"))
            .basic_auth("root", Some("correct horse"))
            .send()
            .await
            .unwrap();
        assert_unauthorized(wrong_user, "Invalid authentication credentials").await;
        let wrong_key = app
            .client
            .get(app.url("/jobs"))
            .bearer_auth("key-999")
            .send()
            .await
            .unwrap();
        assert_unauthorized(wrong_key, "Invalid authentication credentials").await;

        // argon2, twice (the second is served from the verification cache).
        for _ in 0..2 {
            let ok = app
                .client
                .get(app.url("/jobs"))
                .basic_auth("admin", Some("correct horse"))
                .send()
                .await
                .unwrap();
            assert_eq!(ok.status(), 200, "{label}");
        }
        let key = app
            .client
            .get(app.url("/jobs"))
            .bearer_auth("key-123")
            .send()
            .await
            .unwrap();
        assert_eq!(key.status(), 200, "{label}");

        for path in [
            "/",
            "/health",
            "/openapi.json",
            "/docs/",
            "/redoc",
            "/redoc/redoc.standalone.js",
        ] {
            let response = app.get(path).await;
            assert!(
                response.status() == 200 || response.status() == 503,
                "{label}: public {path} answered {}",
                response.status()
            );
        }
        let root = json(app.get("/").await, 200).await;
        assert_eq!(root["authentication"], "enabled");
        app.finish().await;
    }
}

#[tokio::test]
async fn legacy_sha256_hash_is_accepted() {
    let legacy = hex::encode(Sha256::digest(b"old-password"));
    let settings = settings(legacy);
    assert!(settings.auth.is_legacy_sha256());
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, settings.clone()).await;
        let ok = app
            .client
            .get(app.url("/jobs"))
            .basic_auth("admin", Some("old-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200, "{}", app.label());
        let bad = app
            .client
            .get(app.url("/jobs"))
            .basic_auth("admin", Some("old-passwor"))
            .send()
            .await
            .unwrap();
        assert_unauthorized(bad, "Invalid authentication credentials").await;
        app.finish().await;
    }
}

#[tokio::test]
async fn metrics_can_be_made_public_and_auth_can_be_disabled() {
    for fixture in databases().await {
        let mut settings = settings(hex::encode(Sha256::digest(b"pw")));
        settings.metrics_public = true;
        let app = TestApp::spawn(fixture, settings).await;
        assert_eq!(app.get("/metrics").await.status(), 200);
        assert_eq!(app.get("/jobs").await.status(), 401);
        app.finish().await;
    }
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        assert_eq!(app.get("/jobs").await.status(), 200);
        let root = json(app.get("/").await, 200).await;
        assert_eq!(root["authentication"], "disabled");
        app.finish().await;
    }
}
