//! `/health` tells the truth about the model provider: which one serves requests and how its last
//! call went, without calling it (a health check must not spend tokens).

use app::testing::TestApp;
use serde_json::{Value, json};
use store::TestDatabase;

async fn health(app: &TestApp) -> Value {
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("a JSON health report")
}

#[tokio::test]
async fn the_llm_entry_names_the_provider_and_the_outcome_of_its_last_call() {
    let emulator = llm_emulator::spawn(llm_emulator::EmulatorState::new())
        .await
        .expect("the emulator starts");
    let url = emulator.openai_url();
    let db = TestDatabase::sqlite()
        .await
        .expect("a SQLite test database");
    let app = TestApp::with(db, |settings| {
        settings.llm.provider = Some("openai".into());
        settings.llm.openai_api_key = Some(config::Secret::new("sk-health-test".to_owned()));
        settings.llm.openai_base_url = Some(url);
    })
    .await;

    let before = health(&app).await;
    let named = before["services"]["llm"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(named.starts_with("openai: "), "{before}");
    assert!(!named.contains("last call"), "no call yet: {before}");
    assert_eq!(
        emulator.state.requests().len(),
        0,
        "the probe never calls the model"
    );

    // A call the provider refuses: health says so (as an error, which degrades health).
    emulator.state.push(llm_emulator::Scripted::Fault(
        llm_emulator::Fault::Unauthorized,
    ));
    let refused = app
        .post("/generate/single", &json!({"ticket_key": "DEMO-6"}))
        .await;
    assert!(refused.status().is_client_error() || refused.status().is_server_error());
    let after_failure = health(&app).await;
    let text = after_failure["services"]["llm"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.starts_with(&format!("error: {named}; last call (openai: "))
            && text.contains("failed"),
        "{after_failure}"
    );
    assert!(text.contains("401"), "the reason is shown: {after_failure}");
    assert!(!after_failure.to_string().contains("sk-health-test"));

    // The next call succeeds: health recovers.
    let answered = app
        .post("/generate/single", &json!({"ticket_key": "DEMO-6"}))
        .await;
    assert_eq!(answered.status(), 200);
    let recovered = health(&app).await;
    let text = recovered["services"]["llm"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(&format!("{named}; last call (openai: ")) && text.contains("succeeded"),
        "{recovered}"
    );
    app.stop().await;
}
