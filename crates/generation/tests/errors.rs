//! Bad input is refused with an error that names the field and says what to send.

use generation::{GenerationError, TaskKind, offline};
use serde_json::json;

fn error_for(kind: TaskKind, input: serde_json::Value) -> GenerationError {
    offline::generate(kind, &input).expect_err("input must be refused")
}

/// The one text each task cannot do without.
fn main_field(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::ChatIntent
        | TaskKind::TicketDraft
        | TaskKind::TicketUpdate
        | TaskKind::ChatAnswer => "message",
        TaskKind::RequirementAnalysis => "requirement",
        TaskKind::JqlQuery => "request",
        TaskKind::TicketAssessment => "ticket_key",
        TaskKind::TicketDescription
        | TaskKind::EpicStories
        | TaskKind::StoryTasks
        | TaskKind::TestCases
        | TaskKind::DraftPrPlan => "summary",
    }
}

#[test]
fn missing_main_text_is_named() {
    for kind in TaskKind::ALL {
        let err = error_for(kind, json!({"description": "no summary here"}));
        assert_eq!(err.field(), Some(main_field(kind)), "{kind}: {err}");
        assert!(err.is_caller_error());
        assert!(err.to_string().contains("is required"), "{err}");
    }
}

#[test]
fn blank_summary_is_refused() {
    let err = error_for(TaskKind::TicketDescription, json!({"summary": "   "}));
    assert_eq!(err.field(), Some("summary"));
    assert!(err.to_string().contains("must not be empty"), "{err}");
}

#[test]
fn wrong_types_name_their_path() {
    let err = error_for(
        TaskKind::StoryTasks,
        json!({"summary": "x", "max_tasks": "ten"}),
    );
    assert_eq!(err.field(), Some("max_tasks"), "{err}");
    let err = error_for(
        TaskKind::TicketDescription,
        json!({"summary": "x", "parent": {"key": "A-1"}}),
    );
    assert_eq!(err.field(), Some("parent.summary"), "{err}");
    let err = error_for(
        TaskKind::TestCases,
        json!({"summary": "x", "coverage_level": "exhaustive"}),
    );
    assert_eq!(err.field(), Some("coverage_level"), "{err}");
    assert!(err.to_string().contains("unknown variant"), "{err}");
    let err = error_for(
        TaskKind::DraftPrPlan,
        json!({"summary": "x", "repos": [42]}),
    );
    assert_eq!(err.field(), Some("repos[0]"), "{err}");
}

#[test]
fn out_of_range_numbers_are_refused() {
    let err = error_for(
        TaskKind::StoryTasks,
        json!({"summary": "x", "max_tasks": 0}),
    );
    assert_eq!(err.field(), Some("max_tasks"));
    let err = error_for(
        TaskKind::StoryTasks,
        json!({"summary": "x", "max_task_cycle_days": 0.1}),
    );
    assert_eq!(err.field(), Some("max_task_cycle_days"));
    let err = error_for(
        TaskKind::EpicStories,
        json!({"summary": "x", "max_stories": 500}),
    );
    assert_eq!(err.field(), Some("max_stories"));
}

#[test]
fn empty_documents_and_repos_are_refused() {
    let err = error_for(
        TaskKind::EpicStories,
        json!({"summary": "x", "documents": [{"kind": "prd", "content": " "}]}),
    );
    assert_eq!(err.field(), Some("documents[0].content"));
    let err = error_for(
        TaskKind::DraftPrPlan,
        json!({"summary": "x", "repos": [{"url": ""}]}),
    );
    assert_eq!(err.field(), Some("repos[0].url"));
}

#[test]
fn non_object_input_is_refused() {
    let err = error_for(TaskKind::TestCases, json!(["summary"]));
    assert_eq!(err.field(), Some("."));
}

#[test]
fn unknown_task_names_are_refused() {
    let err = "story_points".parse::<TaskKind>().expect_err("unknown");
    assert!(matches!(err, GenerationError::UnknownTask(ref name) if name == "story_points"));
    assert!(!err.is_caller_error() || err.field().is_none());
    for kind in TaskKind::ALL {
        assert_eq!(kind.as_str().parse::<TaskKind>().expect("known"), kind);
        assert_eq!(
            serde_json::to_value(kind).expect("serialises"),
            json!(kind.as_str())
        );
    }
}

#[test]
fn model_output_errors_point_into_the_output() {
    use generation::parse_output;
    use generation::task::TestCasesInput;
    let err = parse_output::<TestCasesInput>(&json!({
        "coverage_level": "standard",
        "domain": "general",
        "technical_contexts": [],
        "test_cases": [{"id": "TC-01", "title": "t", "type": "smoke"}]
    }))
    .expect_err("invalid type");
    match err {
        GenerationError::InvalidOutput { kind, path, .. } => {
            assert_eq!(kind, TaskKind::TestCases);
            assert_eq!(path, "test_cases[0].type");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn aliases_from_the_seed_are_accepted() {
    let output = offline::generate(
        TaskKind::EpicStories,
        &json!({"epic_summary": "Saved carts", "epic_description": "- Save cart for later"}),
    )
    .expect("aliases accepted");
    assert_eq!(output["stories"][0]["summary"], "Save cart for later");
    let output = offline::generate(
        TaskKind::StoryTasks,
        &json!({"summary": "Add an orders API", "generate_test_cases": true, "max_tasks_per_story": 2}),
    )
    .expect("aliases accepted");
    let tasks = output["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 2);
    assert!(!tasks[0]["test_cases"].as_array().expect("tests").is_empty());
}
