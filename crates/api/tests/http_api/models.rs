//! `GET /models`: with no provider key configured, only the offline generator is offered.

use api::ApiSettings;

use crate::support::{TestApp, json};

#[tokio::test]
async fn without_keys_only_the_offline_generator_is_offered() {
    let fixture = store::TestDatabase::sqlite().await.unwrap();
    let app = TestApp::spawn(fixture, ApiSettings::default()).await;
    let body = json(app.get("/models").await, 200).await;
    assert_eq!(body["providers"], serde_json::json!(["offline"]), "{body}");
    assert_eq!(body["default_provider"], "offline");
    let offline_models = body["models"]["offline"].as_array().unwrap();
    assert!(!offline_models.is_empty(), "{body}");
    assert_eq!(
        body["current_config"]["offline"].as_str(),
        offline_models[0].as_str()
    );
    assert!(
        body["models"].get("openai").is_none(),
        "no key, no openai: {body}"
    );
    app.finish().await;
}
