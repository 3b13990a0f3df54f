//! Structured output against the emulator: mechanical repair, re-asking with validation errors,
//! and retrying truncated answers with a larger budget.

mod support;

use generation::TaskKind;
use llm::{CallPurpose, LlmError};
use llm_emulator::{Fault, Scripted};
use serde_json::json;
use support::{assert_valid, request, setup};

fn valid_answer() -> serde_json::Value {
    json!({
        "purpose": "Let locked-out users regain access.",
        "scopes": ["Reset endpoint", "Email template"],
        "expected_outcome": ["Users reset their password from an emailed link"],
        "additional_sections": [],
    })
}

#[tokio::test]
async fn fenced_answers_with_prose_and_trailing_commas_are_repaired_without_a_reask() {
    let (emulator, service) = setup(|_| {}).await;
    let text = "Sure! Here it is:\n```json\n{\"purpose\": \"Let locked-out users regain access.\", \"scopes\": [\"Reset endpoint\", \"Email template\",], \"expected_outcome\": [\"Users reset their password from an emailed link\"], \"additional_sections\": [],}\n```\nAnything else?";
    emulator.state.push(Scripted::Text(text.into()));
    let generation = service
        .generate(request(&service, "claude", None))
        .await
        .unwrap();
    assert_eq!(generation.output, valid_answer());
    assert_eq!(
        generation.raw_text, text,
        "the raw text is kept as received"
    );
    assert_eq!(generation.attempts, 1);
    assert_eq!(emulator.state.requests().len(), 1);
}

#[tokio::test]
async fn schema_violations_are_re_asked_with_the_errors() {
    let (emulator, service) = setup(|_| {}).await;
    let wrong = json!({"purpose": "p", "scopes": "not an array", "expected_outcome": []});
    emulator.state.push(Scripted::Json(wrong.clone()));
    let generation = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    assert_eq!(generation.attempts, 2);
    assert_eq!(generation.history[1].purpose, CallPurpose::Reask);
    let per_call: u64 = generation
        .history
        .iter()
        .map(|a| a.usage.unwrap().output_tokens)
        .sum();
    assert_eq!(
        per_call, generation.usage.output_tokens,
        "the total is the sum of the calls"
    );
    let reask = &generation.followup_prompts[0];
    assert!(reask.contains("at /scopes"), "{reask}");
    assert!(reask.contains("additional_sections"), "{reask}");
    let second = &emulator.state.requests()[1].body;
    let messages = second["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages[0]["content"], generation.system_prompt,
        "the system prompt is unchanged"
    );
    assert_eq!(messages[1]["content"], generation.user_prompt);
    assert_eq!(
        messages[2],
        json!({"role": "assistant", "content": wrong.to_string()})
    );
    assert_eq!(messages[3], json!({"role": "user", "content": reask}));
}

#[tokio::test]
async fn re_asks_are_bounded_and_the_failure_keeps_the_raw_answer() {
    let (emulator, service) = setup(|s| s.max_reasks = 2).await;
    for n in 0..3 {
        emulator
            .state
            .push(Scripted::Text(format!("I think the answer is {n}.")));
    }
    let err = service
        .generate(request(&service, "gemini", None))
        .await
        .unwrap_err();
    match &err {
        LlmError::InvalidOutput {
            raw_text,
            attempts,
            errors,
            usage,
            ..
        } => {
            assert_eq!(raw_text, "I think the answer is 2.");
            assert_eq!(*attempts, 3);
            assert!(!errors.is_empty());
            assert!(usage.input_tokens > 0);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.raw_text(), Some("I think the answer is 2."));
    assert!(!err.is_caller_error());
    assert_eq!(emulator.state.requests().len(), 3);
}

#[tokio::test]
async fn truncated_answers_are_retried_with_a_larger_budget_for_every_protocol() {
    for (provider, field) in [
        ("openai", "/max_completion_tokens"),
        ("claude", "/max_tokens"),
        ("gemini", "/generationConfig/maxOutputTokens"),
    ] {
        let (emulator, service) = setup(|s| s.max_tokens = Some(2000)).await;
        emulator.state.push(Scripted::Fault(Fault::Truncated));
        let generation = service
            .generate(request(&service, provider, None))
            .await
            .unwrap();
        assert_valid(TaskKind::TicketDescription, &generation.output);
        assert_eq!(generation.attempts, 2, "{provider}");
        assert_eq!(generation.history[0].outcome, "length");
        assert_eq!(generation.history[1].purpose, CallPurpose::LargerBudget);
        let log = emulator.state.requests();
        assert_eq!(log[0].body.pointer(field), Some(&json!(2000)), "{provider}");
        assert_eq!(log[1].body.pointer(field), Some(&json!(4000)), "{provider}");
        assert!(
            generation.followup_prompts.is_empty(),
            "truncation is not re-asked"
        );
    }
}

#[tokio::test]
async fn truncation_at_the_model_limit_fails_with_the_partial_answer() {
    // gpt-4o's output limit is 16,384 tokens: there is no larger budget to ask for.
    let (emulator, service) = setup(|s| s.max_tokens = Some(16_384)).await;
    emulator.state.push(Scripted::Fault(Fault::Truncated));
    let err = service
        .generate(request(&service, "openai", Some("gpt-4o")))
        .await
        .unwrap_err();
    match &err {
        LlmError::Truncated {
            max_output_tokens,
            raw_text,
            attempts,
            ..
        } => {
            assert_eq!(*max_output_tokens, 16_384);
            assert!(!raw_text.is_empty());
            assert_eq!(*attempts, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("LLM_MAX_TOKENS"));
}

#[tokio::test]
async fn refusals_are_reported_not_parsed() {
    for provider in ["openai", "claude", "gemini"] {
        let (emulator, service) = setup(|_| {}).await;
        emulator
            .state
            .push(Scripted::Refusal("I can't help with that.".into()));
        let err = service
            .generate(request(&service, provider, None))
            .await
            .unwrap_err();
        assert!(
            matches!(err, LlmError::Refused { .. }),
            "{provider}: {err:?}"
        );
        assert_eq!(
            emulator.state.requests().len(),
            1,
            "{provider}: a refusal is not retried"
        );
    }
}
