//! The chat agent's analysis tasks (requirement_analysis, ticket_assessment, chat_answer): their
//! prompts render the input's main text on its own line, show the conversation and facts, and
//! every protocol returns a schema-valid answer.

mod support;

use generation::TaskKind;
use serde_json::json;
use support::{assert_valid, request, setup};

#[tokio::test]
async fn chat_analysis_tasks_render_and_generate_against_each_protocol() {
    let inputs = [
        (
            TaskKind::RequirementAnalysis,
            json!({
                "requirement": "Users should be able to export their data as CSV.\nExports run in the background.",
                "conversation": [{"role": "user", "text": "This is for the EU launch."}],
                "documents": [{"kind": "prd", "title": "Exports PRD", "content": "Exports are kept for 7 days."}]
            }),
            "**Requirement:** Users should be able to export their data as CSV.\nExports run in the background.",
        ),
        (
            TaskKind::TicketAssessment,
            json!({
                "ticket_key": "PROJ-12",
                "summary": "Make the dashboard faster",
                "description": "It is slow.",
                "comments": ["Which dashboard?"],
                "links": ["is blocked by PROJ-3: Metrics API"],
                "estimate": 3.0
            }),
            "**Ticket:** PROJ-12\n**Summary:** Make the dashboard faster",
        ),
        (
            TaskKind::ChatAnswer,
            json!({
                "message": "What's the status of PROJ-12?",
                "conversation": [{"role": "assistant", "text": "I assessed PROJ-12."}],
                "facts": ["PROJ-12 Make the dashboard faster | Status: In Progress"]
            }),
            "**Message:** What's the status of PROJ-12?",
        ),
    ];
    let (_emulator, service) = setup(|_| {}).await;
    for (task, input, main_text) in inputs {
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
            assert!(!prompt.contains("SCAFFOLD"), "{task}: scaffold prompt");
            assert!(prompt.contains(main_text), "{task}: {prompt}");
            assert!(!generation.system_prompt.contains("SCAFFOLD"), "{task}");
        }
    }
}

#[tokio::test]
async fn conversation_facts_and_fields_reach_the_prompts() {
    let (_emulator, service) = setup(|_| {}).await;
    let mut req = request(&service, "offline", None);
    req.task = TaskKind::ChatAnswer;
    req.input = json!({
        "message": "Who owns it?",
        "conversation": [{"role": "user", "text": "Show PAY-7"}],
        "facts": ["PAY-7 Refund API | Assignee: Bo Chen"]
    });
    let answer = service.generate(req).await.unwrap();
    assert!(answer.user_prompt.contains("- **user:** Show PAY-7"));
    assert!(
        answer
            .user_prompt
            .contains("## Facts\n- PAY-7 Refund API | Assignee: Bo Chen")
    );
    assert!(
        answer.output["answer"]
            .as_str()
            .unwrap()
            .contains("Bo Chen")
    );

    let mut req = request(&service, "offline", None);
    req.task = TaskKind::ChatAnswer;
    req.input = json!({"message": "Hello"});
    let empty = service.generate(req).await.unwrap();
    assert!(
        empty
            .user_prompt
            .contains("No tool results for this message.")
    );

    let mut req = request(&service, "offline", None);
    req.task = TaskKind::TicketAssessment;
    req.input = json!({"ticket_key": "PROJ-1", "summary": "Fix it", "comments": ["Any logs?"]});
    let assessment = service.generate(req).await.unwrap();
    let prompt = &assessment.user_prompt;
    assert!(prompt.contains("**Priority:** not set"), "{prompt}");
    assert!(prompt.contains("**Estimate:** none"), "{prompt}");
    assert!(prompt.contains("**Description:**\n(none)"), "{prompt}");
    assert!(
        prompt.contains("## Comments (oldest first)\n- Any logs?"),
        "{prompt}"
    );
    assert_eq!(assessment.output["areas"].as_array().unwrap().len(), 6);
}
