//! Retries and their limits, the per-provider concurrency limit, timeouts and cancellation,
//! against the emulator over real HTTP.

mod support;

use std::time::Duration;

use llm::{LlmError, ProviderError};
use llm_emulator::Fault;
use support::{request, setup};

#[tokio::test]
async fn rate_limits_wait_for_retry_after_then_succeed() {
    for provider in ["openai", "claude", "gemini"] {
        let (emulator, service) = setup(|_| {}).await;
        emulator.state.push_fault(Fault::RateLimited {
            retry_after: Duration::from_millis(120),
        });
        let generation = service
            .generate(request(&service, provider, None))
            .await
            .unwrap();
        assert_eq!(emulator.state.requests().len(), 2, "{provider}");
        let waited = generation.history[0]
            .waited_ms
            .expect("a wait was recorded");
        assert!(waited >= 120, "{provider}: waited {waited} ms");
        assert!(generation.history[0].outcome.contains("429"), "{provider}");
        assert_eq!(generation.attempts, 1, "HTTP retries are not model re-asks");
    }
}

#[tokio::test]
async fn overload_server_errors_and_malformed_bodies_are_retried() {
    for fault in [Fault::Overloaded, Fault::ServerError, Fault::MalformedJson] {
        for provider in ["openai", "claude", "gemini"] {
            let (emulator, service) = setup(|_| {}).await;
            emulator.state.push_fault(fault.clone());
            emulator.state.push_fault(fault.clone());
            let generation = service.generate(request(&service, provider, None)).await;
            assert!(generation.is_ok(), "{fault:?} {provider}: {generation:?}");
            assert_eq!(emulator.state.requests().len(), 3, "{fault:?} {provider}");
        }
    }
}

#[tokio::test]
async fn anthropic_overload_is_a_529() {
    let (emulator, service) = setup(|s| s.max_http_attempts = 1).await;
    emulator.state.push_fault(Fault::Overloaded);
    let err = service
        .generate(request(&service, "claude", None))
        .await
        .unwrap_err();
    match err {
        LlmError::Provider {
            error: ProviderError::Unavailable { status, .. },
            http_attempts,
            ..
        } => {
            assert_eq!((status, http_attempts), (529, 1));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn retries_are_bounded() {
    let (emulator, service) = setup(|s| s.max_http_attempts = 3).await;
    for _ in 0..5 {
        emulator.state.push_fault(Fault::ServerError);
    }
    let err = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Provider {
                http_attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(emulator.state.requests().len(), 3);
}

#[tokio::test]
async fn final_errors_are_not_retried_and_say_what_to_do() {
    let cases = [
        (Fault::QuotaExhausted, "quota or spend limit"),
        (Fault::Unauthorized, "check the API key"),
        (Fault::BadRequest, "rejected the request"),
        (Fault::NotFound, "check the model name"),
    ];
    for (fault, advice) in cases {
        for provider in ["openai", "claude", "gemini"] {
            let (emulator, service) = setup(|_| {}).await;
            emulator.state.push_fault(fault.clone());
            let err = service
                .generate(request(&service, provider, None))
                .await
                .unwrap_err();
            assert_eq!(
                emulator.state.requests().len(),
                1,
                "{fault:?} {provider} retried"
            );
            assert!(!err.is_transient(), "{fault:?} {provider}");
            let text = err.to_string();
            assert!(text.contains(advice), "{fault:?} {provider}: {text}");
            assert!(!text.contains(support::KEY), "the key leaked: {text}");
        }
    }
}

#[tokio::test]
async fn a_wrong_key_is_an_authentication_error() {
    let (emulator, service) = setup(|s| {
        s.openai.api_key = Some(secrecy::SecretString::from("wrong-key"));
    })
    .await;
    let err = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Provider {
                error: ProviderError::Authentication { status: 401, .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(emulator.state.requests().len(), 1);
}

#[tokio::test]
async fn concurrency_is_limited_per_provider() {
    let (emulator, service) = setup(|s| s.max_concurrency_per_provider = 3).await;
    emulator.state.set_latency(Duration::from_millis(50));
    let calls = (0..12).map(|_| service.generate(request(&service, "openai", None)));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(emulator.state.requests().len(), 12);
    let peak = emulator.state.max_in_flight();
    assert!(peak <= 3, "{peak} requests in flight with a limit of 3");
    // Another provider has its own slots.
    let (other, gemini) = futures::future::join(
        service.generate(request(&service, "gemini", None)),
        service.generate(request(&service, "claude", None)),
    )
    .await;
    assert!(other.is_ok() && gemini.is_ok());
}

#[tokio::test]
async fn a_request_that_hangs_times_out() {
    let (emulator, service) = setup(|s| {
        s.request_timeout = Duration::from_millis(200);
        s.max_http_attempts = 2;
    })
    .await;
    emulator.state.push_fault(Fault::Hang);
    emulator.state.push_fault(Fault::Hang);
    let err = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Provider {
                error: ProviderError::Timeout(_),
                http_attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn cancellation_interrupts_a_call_in_flight() {
    let (emulator, service) = setup(|_| {}).await;
    emulator.state.push_fault(Fault::Hang);
    let req = request(&service, "claude", None);
    let cancel = req.cancel.clone();
    let call = service.generate(req);
    let canceller = async {
        assert!(
            emulator
                .state
                .wait_for_requests(1, Duration::from_secs(10))
                .await
        );
        cancel.cancel();
    };
    let (result, ()) = tokio::time::timeout(
        Duration::from_secs(10),
        futures::future::join(call, canceller),
    )
    .await
    .expect("cancellation ends the call");
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
}

#[tokio::test]
async fn cancellation_interrupts_the_wait_between_attempts() {
    let (emulator, service) = setup(|_| {}).await;
    emulator.state.push_fault(Fault::RateLimited {
        retry_after: Duration::from_secs(30),
    });
    let req = request(&service, "gemini", None);
    let cancel = req.cancel.clone();
    let call = service.generate(req);
    let canceller = async {
        assert!(
            emulator
                .state
                .wait_for_requests(1, Duration::from_secs(10))
                .await
        );
        cancel.cancel();
    };
    let (result, ()) = tokio::time::timeout(
        Duration::from_secs(10),
        futures::future::join(call, canceller),
    )
    .await
    .expect("cancellation ends the wait");
    assert!(matches!(result, Err(LlmError::Cancelled)), "{result:?}");
    assert_eq!(emulator.state.requests().len(), 1);
}
