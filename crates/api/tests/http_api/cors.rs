//! CORS: development allows any origin without credentials; production only the listed origins,
//! with credentials. Preflights are answered before authentication.

use api::{ApiSettings, AuthSettings, CorsSettings};
use secrecy::SecretString;

use crate::support::{TestApp, databases};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/jobs"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn development_allows_any_origin_without_credentials() {
    for fixture in databases().await {
        let settings = ApiSettings {
            cors: CorsSettings {
                development: true,
                allowed_origins: Vec::new(),
            },
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;
        let response = preflight(&app, "http://anything.example").await;
        assert!(response.status().is_success());
        assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
        assert_eq!(header(&response, "access-control-allow-credentials"), None);
        app.finish().await;
    }
}

#[tokio::test]
async fn production_allows_only_configured_origins_with_credentials() {
    for fixture in databases().await {
        let settings = ApiSettings {
            cors: CorsSettings {
                development: false,
                allowed_origins: vec!["https://planning.example.com".into()],
            },
            auth: AuthSettings {
                enabled: true,
                username: "admin".into(),
                password_hash: Some(SecretString::from(api::api_key_hash(&SecretString::from(
                    "pw",
                )))),
                api_key_hashes: Vec::new(),
            },
            ..ApiSettings::default()
        };
        let app = TestApp::spawn(fixture, settings).await;

        let allowed = preflight(&app, "https://planning.example.com").await;
        assert!(
            allowed.status().is_success(),
            "preflight must not need credentials"
        );
        assert_eq!(
            header(&allowed, "access-control-allow-origin"),
            Some("https://planning.example.com")
        );
        assert_eq!(
            header(&allowed, "access-control-allow-credentials"),
            Some("true")
        );

        let denied = preflight(&app, "https://evil.example").await;
        assert_eq!(header(&denied, "access-control-allow-origin"), None);

        let simple = app
            .client
            .get(app.url("/"))
            .header("origin", "https://planning.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&simple, "access-control-allow-origin"),
            Some("https://planning.example.com")
        );
        // A browser can read the 401 (to prompt for credentials).
        let unauthorized = app
            .client
            .get(app.url("/jobs"))
            .header("origin", "https://planning.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(unauthorized.status(), 401);
        assert_eq!(
            header(&unauthorized, "access-control-allow-origin"),
            Some("https://planning.example.com")
        );
        assert!(
            header(&simple, "access-control-expose-headers")
                .is_some_and(|h| h.contains("x-active-job-id"))
        );
        app.finish().await;
    }
}
