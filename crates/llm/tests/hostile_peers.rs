//! Provider answers built to hurt: absurd `Retry-After` / `retry-after-ms` / Gemini
//! `retryDelay` values must neither panic nor stretch a wait past the policy's cap, and answer
//! bodies beyond the size limit must fail the call after reading at most the limit.

use std::time::Duration;

use llm::ProviderError;
use llm::ProviderId;
use llm::StructuredMode;
use llm::providers::{ChatMessage, ChatRequest, ProviderClient, Role};
use llm::retry::RetryPolicy;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(id: ProviderId, base: &str) -> ProviderClient {
    ProviderClient::new(
        id,
        base,
        Some(SecretString::from("key")),
        reqwest::Client::new(),
        Duration::from_secs(10),
        4,
    )
}

fn chat() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        system: "be brief".into(),
        messages: vec![ChatMessage {
            role: Role::User,
            content: "hi".into(),
        }],
        schema: None,
        structured: StructuredMode::JsonMode,
        max_output_tokens: 100,
        temperature: None,
    }
}

async fn answer_once(id: ProviderId, template: ResponseTemplate) -> Result<String, ProviderError> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(template)
        .mount(&server)
        .await;
    client(id, &server.uri())
        .send(&chat())
        .await
        .map(|r| r.text)
}

#[tokio::test]
async fn absurd_retry_after_headers_never_panic_and_are_capped_by_the_policy() {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_wait: Duration::from_secs(60),
    };
    let cases = [
        ("retry-after", "1e20", true),
        ("retry-after", "18446744073709551615", true),
        ("retry-after", "1e400", true),
        ("retry-after", "inf", true),
        ("retry-after", "-1", false),
        ("retry-after", "NaN", false),
        ("retry-after-ms", "1e30", true),
        ("retry-after-ms", "inf", true),
        ("retry-after-ms", "-5", false),
    ];
    for (id, (header, value, asked)) in [ProviderId::OpenAi, ProviderId::Claude, ProviderId::Gemini]
        .into_iter()
        .flat_map(|id| cases.iter().map(move |case| (id, case)))
    {
        let error = answer_once(
            id,
            ResponseTemplate::new(429)
                .insert_header(*header, *value)
                .set_body_json(json!({"error": {"message": "slow down"}})),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(error, ProviderError::RateLimited { .. }),
            "{id:?} {header}: {value}: {error:?}"
        );
        assert_eq!(error.retry_after().is_some(), *asked, "{header}: {value}");
        let wait = policy.wait_after(1, &error).expect("retryable");
        assert!(wait <= policy.max_wait, "{header}: {value}: {wait:?}");
        if *asked {
            assert_eq!(wait, policy.max_wait, "{header}: {value}");
        }
    }
}

#[tokio::test]
async fn an_absurd_gemini_retry_delay_never_panics() {
    for delay in ["1e300s", "1e20s", "-3s", "NaNs"] {
        let body = json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "slow",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]}});
        let error = answer_once(
            ProviderId::Gemini,
            ResponseTemplate::new(429).set_body_json(body),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(error, ProviderError::RateLimited { .. }),
            "{delay}: {error:?}"
        );
        let policy = RetryPolicy::default();
        assert!(policy.wait_after(1, &error).unwrap() <= policy.max_wait);
    }
}

#[test]
fn a_huge_configured_max_wait_does_not_panic_the_jitter() {
    let policy = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::MAX,
        max_wait: Duration::MAX,
    };
    let busy = ProviderError::Unavailable {
        status: 503,
        message: String::new(),
        retry_after: Some(Duration::MAX),
    };
    for attempt in 1..10 {
        assert!(policy.wait_after(attempt, &busy).is_some());
    }
}

#[tokio::test]
async fn an_answer_over_the_size_limit_fails_naming_the_limit() {
    let server = MockServer::start().await;
    let text = "x".repeat(200 * 1024);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "c1", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        })))
        .mount(&server)
        .await;
    let limited = client(ProviderId::OpenAi, &server.uri()).with_max_response_bytes(64 * 1024);
    let error = limited.send(&chat()).await.unwrap_err();
    assert_eq!(error, ProviderError::ResponseTooLarge { limit: 64 * 1024 });
    assert!(error.to_string().contains("65536 bytes"), "{error}");
    assert!(
        !error.is_retryable(),
        "the same request would get the same answer"
    );

    let roomy = client(ProviderId::OpenAi, &server.uri());
    assert_eq!(roomy.send(&chat()).await.unwrap().text.len(), text.len());
}

/// A peer that answers every request with a chunked body that never ends.
async fn endless_body_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                // Until the client hangs up: only a capped reader ever stops this.
                while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn an_endless_answer_stops_at_the_limit() {
    let base = endless_body_server().await;
    let error = client(ProviderId::OpenAiCompatible, &base)
        .with_max_response_bytes(1024 * 1024)
        .send(&chat())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ProviderError::ResponseTooLarge { limit: 1024 * 1024 }
    );
}
