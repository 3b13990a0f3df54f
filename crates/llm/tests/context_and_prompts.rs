//! The additional-context budget and prompt overrides, end to end.

mod support;

use generation::TaskKind;
use llm::budget::{TRUNCATION_MARKER, estimate_tokens};
use llm::{LlmService, ModelCatalog, PromptLibrary};
use support::{assert_valid, emulator, request, settings_for, setup};

#[tokio::test]
async fn context_is_cut_to_fit_a_small_window() {
    let (emulator, service) = setup(|_| {}).await;
    let mut req = request(&service, "kimi", Some("moonshot-v1-8k"));
    let context = "The reset link expires after one hour. ".repeat(5_000);
    req.additional_context = Some(context.clone());
    let generation = service.generate(req).await.unwrap();
    let report = generation.additional_context.clone().unwrap();
    assert!(report.truncated);
    assert_eq!(report.original_chars, context.chars().count());
    assert!(
        report.sent_chars > 1_000,
        "room was left for context: {report:?}"
    );
    assert!(generation.user_prompt.contains(TRUNCATION_MARKER));
    assert!(
        generation.user_prompt.contains("one hour.\n[… truncated]"),
        "cut at a sentence"
    );
    // Prompt, schema and output budget together stay inside the 8,192-token window.
    let body = &emulator.state.requests()[0].body;
    let sent_tokens = estimate_tokens(&generation.system_prompt)
        + estimate_tokens(&generation.user_prompt)
        + estimate_tokens(&generation::output_schema(TaskKind::TicketDescription).to_string());
    let max_tokens = body["max_tokens"].as_u64().unwrap();
    assert!(
        sent_tokens + max_tokens <= 8_192,
        "{sent_tokens} + {max_tokens}"
    );
}

#[tokio::test]
async fn context_that_fits_is_sent_whole_and_the_inputs_own_context_is_used() {
    let (_emulator, service) = setup(|_| {}).await;
    let mut req = request(&service, "openai", None);
    req.input["additional_context"] = "Focus on the auth module.".into();
    let generation = service.generate(req).await.unwrap();
    assert!(
        generation
            .user_prompt
            .contains("## Additional context from the requester\nFocus on the auth module.")
    );
    assert!(!generation.additional_context.unwrap().truncated);
}

#[tokio::test]
async fn offline_generation_also_gets_the_fitted_context() {
    let (_emulator, service) = setup(|_| {}).await;
    let mut req = request(&service, "offline", None);
    req.additional_context = Some("Mention the audit log.".into());
    let generation = service.generate(req).await.unwrap();
    assert_valid(TaskKind::TicketDescription, &generation.output);
    assert!(generation.user_prompt.contains("Mention the audit log."));
}

#[tokio::test]
async fn a_prompt_override_directory_replaces_templates() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ticket_description.system.md"),
        "{# overridden #}You write terse tickets.",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ticket_description.user.md"),
        "Ticket: {{ input.summary }} ({{ input.issue_type }})",
    )
    .unwrap();
    let prompts = PromptLibrary::with_overrides(dir.path()).unwrap();
    let service = LlmService::new(
        settings_for(&emulator),
        ModelCatalog::builtin().unwrap(),
        prompts,
    )
    .unwrap();
    let generation = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap();
    assert_eq!(generation.system_prompt, "You write terse tickets.");
    assert_eq!(
        generation.user_prompt,
        "Ticket: Add password reset via emailed link (story)"
    );
    let body = &emulator.state.requests()[0].body;
    assert_eq!(body["messages"][0]["content"], "You write terse tickets.");
}

#[tokio::test]
async fn every_task_renders_and_generates_against_each_protocol() {
    let inputs = [
        (TaskKind::TicketDescription, support::ticket_input()),
        (
            TaskKind::EpicStories,
            serde_json::json!({"summary": "Self-service account recovery", "documents": [
                {"kind": "prd", "title": "Recovery PRD", "content": "Users must reset passwords by email."}]}),
        ),
        (
            TaskKind::StoryTasks,
            serde_json::json!({"summary": "Reset password via emailed link",
                "acceptance_criteria": ["Given a registered email, when I request a reset, then I get a link"],
                "parent": {"key": "PROJ-1", "summary": "Account recovery"}}),
        ),
        (
            TaskKind::TestCases,
            serde_json::json!({"summary": "Reset password via emailed link", "target": "story"}),
        ),
        (
            TaskKind::DraftPrPlan,
            serde_json::json!({"summary": "Add a password reset endpoint",
                "repos": ["https://example.invalid/acme/api.git"],
                "scope": {"files": ["src/auth/"]}, "repo_files": ["src/auth/reset.rs"]}),
        ),
    ];
    let (_emulator, service) = setup(|_| {}).await;
    for (task, input) in inputs {
        for provider in ["openai", "claude", "gemini", "kimi", "offline"] {
            let mut req = request(&service, provider, None);
            req.task = task;
            req.input = input.clone();
            let generation = service
                .generate(req)
                .await
                .unwrap_or_else(|e| panic!("{task} via {provider}: {e}"));
            assert_valid(task, &generation.output);
            assert!(
                !generation.user_prompt.contains("{{"),
                "{task}: unrendered template"
            );
            assert!(generation.user_prompt.contains("**Summary:**"), "{task}");
        }
    }
}

#[tokio::test]
async fn from_settings_applies_the_catalog_and_prompt_overrides() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.yaml");
    std::fs::write(
        &catalog,
        "providers:\n  openai:\n    default_model: acme-finetune\n    models:\n      - { name: acme-finetune, context_window: 32000, max_output: 3000, input_usd_per_mtok: 1.0, output_usd_per_mtok: 1.0 }\n",
    )
    .unwrap();
    let prompts = dir.path().join("prompts");
    std::fs::create_dir(&prompts).unwrap();
    std::fs::write(prompts.join("ticket_description.system.md"), "Be brief.").unwrap();
    let mut settings = settings_for(&emulator);
    settings.catalog_path = Some(catalog);
    settings.prompts_dir = Some(prompts);
    let service = LlmService::from_settings(settings).unwrap();
    let generation = service
        .generate(request(&service, "openai", None))
        .await
        .unwrap();
    assert_eq!(generation.model, "acme-finetune");
    assert_eq!(generation.system_prompt, "Be brief.");
    let body = &emulator.state.requests()[0].body;
    assert_eq!(body["model"], "acme-finetune");
    assert_eq!(
        body["max_completion_tokens"], 3000,
        "capped by the override's max_output"
    );
}

#[tokio::test]
async fn chat_request_tasks_render_their_message_and_are_answered_from_it() {
    let conversation = serde_json::json!([
        {"role": "user", "text": "What do you think of PAY-7?"},
        {"role": "assistant", "text": "PAY-7 has no acceptance criteria."}
    ]);
    let inputs = [
        (
            TaskKind::ChatIntent,
            serde_json::json!({"message": "find open bugs in PAY", "conversation": conversation}),
            "**Message:** find open bugs in PAY",
        ),
        (
            TaskKind::TicketDraft,
            serde_json::json!({"message": "create a bug: export button does nothing on Safari",
                "conversation": conversation, "project_key": "WEB",
                "issue_types": ["Bug", "Story"], "priorities": ["High", "Low"],
                "components": ["Web App"]}),
            "**Message:** create a bug: export button does nothing on Safari",
        ),
        (
            TaskKind::TicketUpdate,
            serde_json::json!({"message": "raise it to High", "conversation": conversation,
                "ticket_key": "PAY-7", "summary": "PayPal checkout fails",
                "labels": ["checkout"], "priorities": ["High", "Low"]}),
            "**Ticket:** PAY-7",
        ),
        (
            TaskKind::JqlQuery,
            serde_json::json!({"request": "open bugs in PAY assigned to me", "project_key": "WEB"}),
            "**Request:** open bugs in PAY assigned to me",
        ),
    ];
    let (_emulator, service) = setup(|_| {}).await;
    for (task, input, line) in inputs {
        for provider in ["openai", "claude", "gemini", "kimi", "offline"] {
            let mut req = request(&service, provider, None);
            req.task = task;
            req.input = input.clone();
            let generation = service
                .generate(req)
                .await
                .unwrap_or_else(|e| panic!("{task} via {provider}: {e}"));
            assert_valid(task, &generation.output);
            let prompt = &generation.user_prompt;
            assert!(!prompt.contains("{{"), "{task}: unrendered template");
            assert!(prompt.lines().any(|l| l == line), "{task}: {prompt}");
            if task != TaskKind::JqlQuery {
                assert!(
                    prompt.contains("- **user:** What do you think of PAY-7?"),
                    "{prompt}"
                );
            }
            // The emulated models answer with the offline generator fed the prompt's lines.
            match task {
                TaskKind::ChatIntent => assert_eq!(generation.output["intent"], "search"),
                TaskKind::TicketDraft => {
                    assert_eq!(generation.output["issue_type"], "Bug");
                    assert!(prompt.contains("**Components:** Web App"), "{prompt}");
                }
                TaskKind::TicketUpdate => assert_eq!(generation.output["priority"], "High"),
                _ => assert!(
                    generation.output["jql"]
                        .as_str()
                        .unwrap()
                        .starts_with("project = PAY AND issuetype = Bug"),
                    "{provider}: {}",
                    generation.output
                ),
            }
        }
    }
}
