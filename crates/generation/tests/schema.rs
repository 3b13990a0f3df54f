//! The output schemas are strict-mode compatible, and every offline answer, for realistic and
//! for arbitrary inputs, validates against its schema, parses back into the typed output and
//! is the same on every run.

mod fixtures;

use generation::task::{
    ChatAnswerInput, ChatIntentInput, DraftPrPlanInput, EpicStoriesInput, JqlQueryInput,
    RequirementAnalysisInput, StoryTasksInput, TestCasesInput, TicketAssessmentInput,
    TicketDescriptionInput, TicketDraftInput, TicketUpdateInput,
};
use generation::{GenerationError, TaskKind, offline, output_schema, parse_output};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

/// Collects every way `schema` breaks OpenAI strict mode, with JSON-pointer-like paths.
fn strict_mode_violations(schema: &Value, path: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            for forbidden in [
                "$ref",
                "$defs",
                "definitions",
                "format",
                "default",
                "oneOf",
                "allOf",
                "title",
                "$schema",
            ] {
                if object.contains_key(forbidden) {
                    out.push(format!("{path}: has `{forbidden}`"));
                }
            }
            if let Some(Value::Object(properties)) = object.get("properties") {
                if object.get("additionalProperties") != Some(&Value::Bool(false)) {
                    out.push(format!(
                        "{path}: object without additionalProperties: false"
                    ));
                }
                let required: Vec<&str> = object
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|items| items.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for key in properties.keys() {
                    if !required.contains(&key.as_str()) {
                        out.push(format!("{path}: property `{key}` not required"));
                    }
                }
                if object.get("type") != Some(&json!("object")) {
                    out.push(format!("{path}: properties without type object"));
                }
            }
            if object.get("type") == Some(&json!("array")) && !object.contains_key("items") {
                out.push(format!("{path}: array without items"));
            }
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("properties", Value::Object(properties)) => {
                        for (name, property) in properties {
                            strict_mode_violations(
                                property,
                                &format!("{path}/properties/{name}"),
                                out,
                            );
                        }
                    }
                    _ => strict_mode_violations(value, &format!("{path}/{key}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strict_mode_violations(item, &format!("{path}/{index}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_schema_is_strict_mode_compatible() {
    for kind in TaskKind::ALL {
        let schema = output_schema(kind);
        assert_eq!(schema["type"], "object", "{kind}: root must be an object");
        let mut violations = Vec::new();
        strict_mode_violations(&schema, "#", &mut violations);
        assert!(violations.is_empty(), "{kind}: {violations:#?}");
        jsonschema::validator_for(&schema)
            .unwrap_or_else(|err| panic!("{kind}: invalid schema: {err}"));
    }
}

#[test]
fn optional_output_fields_are_nullable_not_omitted() {
    let schema = output_schema(TaskKind::TestCases);
    let covers = &schema["properties"]["test_cases"]["items"]["properties"]["covers"];
    assert_eq!(covers["type"], json!(["string", "null"]));
    let priority = &schema["properties"]["test_cases"]["items"]["properties"]["priority"];
    assert_eq!(priority["enum"], json!(["P0", "P1", "P2"]));
    // Property names that are also schema keywords survive.
    assert_eq!(
        schema["properties"]["test_cases"]["items"]["properties"]["title"]["type"],
        "string"
    );
}

#[test]
fn the_checker_catches_a_loose_schema() {
    let loose =
        json!({"type": "object", "properties": {"a": {"type": "string", "format": "email"}}});
    let mut violations = Vec::new();
    strict_mode_violations(&loose, "#", &mut violations);
    assert_eq!(violations.len(), 3, "{violations:#?}");
}

fn assert_valid(kind: TaskKind, output: &Value, context: &str) {
    let validator = jsonschema::validator_for(&output_schema(kind)).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(output)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{kind} {context}: {errors:#?}\n{output:#}"
    );
}

fn assert_parses_back(kind: TaskKind, output: &Value) {
    let result = match kind {
        TaskKind::TicketDescription => parse_output::<TicketDescriptionInput>(output).map(|_| ()),
        TaskKind::EpicStories => parse_output::<EpicStoriesInput>(output).map(|_| ()),
        TaskKind::StoryTasks => parse_output::<StoryTasksInput>(output).map(|_| ()),
        TaskKind::TestCases => parse_output::<TestCasesInput>(output).map(|_| ()),
        TaskKind::DraftPrPlan => parse_output::<DraftPrPlanInput>(output).map(|_| ()),
        TaskKind::ChatIntent => parse_output::<ChatIntentInput>(output).map(|_| ()),
        TaskKind::RequirementAnalysis => {
            parse_output::<RequirementAnalysisInput>(output).map(|_| ())
        }
        TaskKind::TicketDraft => parse_output::<TicketDraftInput>(output).map(|_| ()),
        TaskKind::TicketAssessment => parse_output::<TicketAssessmentInput>(output).map(|_| ()),
        TaskKind::TicketUpdate => parse_output::<TicketUpdateInput>(output).map(|_| ()),
        TaskKind::JqlQuery => parse_output::<JqlQueryInput>(output).map(|_| ()),
        TaskKind::ChatAnswer => parse_output::<ChatAnswerInput>(output).map(|_| ()),
    };
    result.unwrap_or_else(|err| panic!("{kind}: {err}"));
}

#[test]
fn fixture_outputs_validate_and_parse_back() {
    for fixture in fixtures::all() {
        let output = offline::generate(fixture.kind, &fixture.input).expect("fixture generates");
        assert_valid(fixture.kind, &output, fixture.name);
        assert_parses_back(fixture.kind, &output);
    }
}

/// The LLM crate serialises parsed inputs (defaults filled in) for its prompt templates; the
/// result must parse again to the same input.
#[test]
fn inputs_round_trip_with_defaults_filled_in() {
    fn round_trip<I: generation::TaskInput + PartialEq + std::fmt::Debug>(input: &Value) {
        let parsed: I = generation::parse_input(input).expect("fixture parses");
        let canonical = serde_json::to_value(&parsed).expect("serialises");
        let again: I = generation::parse_input(&canonical).expect("canonical form parses");
        assert_eq!(parsed, again);
    }
    for fixture in fixtures::all() {
        match fixture.kind {
            TaskKind::TicketDescription => round_trip::<TicketDescriptionInput>(&fixture.input),
            TaskKind::EpicStories => round_trip::<EpicStoriesInput>(&fixture.input),
            TaskKind::StoryTasks => round_trip::<StoryTasksInput>(&fixture.input),
            TaskKind::TestCases => round_trip::<TestCasesInput>(&fixture.input),
            TaskKind::DraftPrPlan => round_trip::<DraftPrPlanInput>(&fixture.input),
            TaskKind::ChatIntent => round_trip::<ChatIntentInput>(&fixture.input),
            TaskKind::RequirementAnalysis => round_trip::<RequirementAnalysisInput>(&fixture.input),
            TaskKind::TicketDraft => round_trip::<TicketDraftInput>(&fixture.input),
            TaskKind::TicketAssessment => round_trip::<TicketAssessmentInput>(&fixture.input),
            TaskKind::TicketUpdate => round_trip::<TicketUpdateInput>(&fixture.input),
            TaskKind::JqlQuery => round_trip::<JqlQueryInput>(&fixture.input),
            TaskKind::ChatAnswer => round_trip::<ChatAnswerInput>(&fixture.input),
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for fixture in fixtures::all() {
        let first = offline::generate(fixture.kind, &fixture.input).expect("generates");
        for _ in 0..3 {
            let again = offline::generate(fixture.kind, &fixture.input).expect("generates");
            assert_eq!(first, again, "{} {}", fixture.kind, fixture.name);
        }
        let from_thread = {
            let input = fixture.input.clone();
            let kind = fixture.kind;
            std::thread::spawn(move || offline::generate(kind, &input).expect("generates"))
                .join()
                .expect("thread finishes")
        };
        assert_eq!(first, from_thread, "{} {}", fixture.kind, fixture.name);
    }
}

#[test]
fn story_tasks_dependencies_point_backwards_and_qa_waits_for_implementation() {
    for fixture in fixtures::story_tasks() {
        let output = offline::generate(TaskKind::StoryTasks, &fixture.input).expect("generates");
        let tasks = output["tasks"].as_array().expect("tasks");
        let ids: Vec<&str> = tasks
            .iter()
            .map(|t| t["id"].as_str().expect("id"))
            .collect();
        for (position, task) in tasks.iter().enumerate() {
            for dep in task["depends_on_tasks"].as_array().expect("deps") {
                let dep_position = ids.iter().position(|id| Some(*id) == dep.as_str());
                assert!(
                    dep_position.is_some_and(|d| d < position),
                    "{}: {} depends on {dep} which is not earlier",
                    fixture.name,
                    ids[position]
                );
            }
        }
        let qa = tasks.iter().find(|t| t["team"] == "qa").expect("a QA task");
        assert!(
            !qa["depends_on_tasks"].as_array().expect("deps").is_empty(),
            "{}",
            fixture.name
        );
        let total: f64 = tasks
            .iter()
            .map(|t| t["estimate"]["total_days"].as_f64().expect("days"))
            .sum();
        assert!((total - output["total_estimate_days"].as_f64().expect("total")).abs() < 1e-9);
    }
}

#[test]
fn pure_backend_story_gets_no_frontend_task() {
    let fixture = fixtures::story_tasks()
        .into_iter()
        .find(|f| f.name == "rate_limit_backend_only")
        .expect("fixture");
    let output = offline::generate(TaskKind::StoryTasks, &fixture.input).expect("generates");
    let teams: Vec<&str> = output["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["team"].as_str().expect("team"))
        .collect();
    assert!(!teams.contains(&"frontend"), "{teams:?}");
    assert!(
        teams.contains(&"backend") && teams.contains(&"qa"),
        "{teams:?}"
    );
}

#[test]
fn test_counts_follow_the_coverage_level() {
    for (level, min, max) in [
        ("minimal", 1, 2),
        ("basic", 2, 4),
        ("standard", 3, 6),
        ("comprehensive", 5, 10),
    ] {
        for target in ["story", "task"] {
            let input = json!({
                "summary": "Export invoices to CSV",
                "description": "Finance exports invoices of a month. Dates use UTC.",
                "target": target,
                "coverage_level": level
            });
            let output = offline::generate(TaskKind::TestCases, &input).expect("generates");
            let count = output["test_cases"].as_array().expect("cases").len();
            assert!(
                (min..=max).contains(&count),
                "{level}/{target}: {count} tests"
            );
        }
    }
}

/// Input pieces that exercise the parsers: headings, bullets, Gherkin, tables, endpoints,
/// unicode and stray punctuation.
fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z ]{0,30}",
        Just("\n## Acceptance Criteria\n".to_owned()),
        Just("\n- ".to_owned()),
        Just("\n  - nested ".to_owned()),
        Just("\nGiven a user\nWhen they act\nThen it works\n".to_owned()),
        Just("| Title | Description |\n|---|---|\n| a | b |\n".to_owned()),
        Just(" POST /api/v1/things/{id} ".to_owned()),
        Just(" as a ".to_owned()),
        Just(" so that ".to_owned()),
        Just("h3. Steps".to_owned()),
        Just(" émoji 🚀 ünïcödé ".to_owned()),
        Just(" `snake_case` fails with 500 when ".to_owned()),
        Just(":;,.*#|[]()\"'".to_owned()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn input_for(kind: TaskKind, summary: &str, description: &str, flag: bool) -> Value {
    match kind {
        TaskKind::TicketDescription => json!({
            "summary": summary,
            "description": description,
            "issue_type": if flag { "Bug" } else { "Story" },
            "parent": {"summary": description.chars().take(40).collect::<String>() + "x"}
        }),
        TaskKind::EpicStories => {
            json!({"summary": summary, "description": description, "max_stories": 5})
        }
        TaskKind::StoryTasks => json!({
            "summary": summary,
            "description": description,
            "include_test_cases": flag,
            "max_task_cycle_days": 1.0
        }),
        TaskKind::TestCases => json!({
            "summary": summary,
            "description": description,
            "target": if flag { "task" } else { "story" },
            "coverage_level": "comprehensive"
        }),
        TaskKind::DraftPrPlan => json!({
            "summary": summary,
            "description": description,
            "repo_files": ["src/lib.rs", description.chars().take(20).collect::<String>()],
            "scope": {"files": if flag { vec!["src/"] } else { vec![] }}
        }),
        TaskKind::ChatIntent => json!({
            "message": summary,
            "conversation": [{"role": "user", "text": description}]
        }),
        TaskKind::RequirementAnalysis => json!({
            "requirement": summary,
            "documents": if flag { vec![json!({"kind": "prd", "content": description.to_owned() + "x"})] } else { vec![] }
        }),
        TaskKind::TicketDraft => json!({
            "message": summary,
            "conversation": [{"role": "assistant", "text": description}],
            "issue_types": if flag { vec!["Bug", "Task"] } else { vec![] },
            "priorities": ["High", "Low"]
        }),
        TaskKind::TicketAssessment => json!({
            "ticket_key": "PROJ-1",
            "summary": summary,
            "description": description,
            "comments": [description],
            "estimate": if flag { Some(3.0) } else { None }
        }),
        TaskKind::TicketUpdate => json!({
            "message": summary,
            "ticket_key": "PROJ-2",
            "summary": format!("{description}x"),
            "labels": [description.chars().take(10).collect::<String>()]
        }),
        TaskKind::JqlQuery => json!({
            "request": summary,
            "conversation": [{"role": "user", "text": description}],
            "project_key": if flag { Some("PROJ") } else { None }
        }),
        TaskKind::ChatAnswer => json!({
            "message": summary,
            "facts": [description]
        }),
    }
}

#[test]
fn arbitrary_text_never_panics_and_always_validates() {
    for kind in TaskKind::ALL {
        let validator = jsonschema::validator_for(&output_schema(kind)).expect("schema compiles");
        let mut runner = TestRunner::new(Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(
                &(text_strategy(), text_strategy(), any::<bool>()),
                |(summary, description, flag)| {
                    let input = input_for(kind, &summary, &description, flag);
                    match offline::generate(kind, &input) {
                        Ok(output) => {
                            prop_assert!(!summary.trim().is_empty());
                            let errors: Vec<String> = validator
                                .iter_errors(&output)
                                .map(|e| e.to_string())
                                .collect();
                            prop_assert!(errors.is_empty(), "{}: {:?}", kind, errors);
                        }
                        Err(GenerationError::InvalidInput { field, .. }) => {
                            prop_assert!(
                                summary.trim().is_empty(),
                                "unexpected error on {:?}",
                                field
                            );
                            // The one required text of each task, named as the task names it.
                            prop_assert!(
                                matches!(
                                    field.as_str(),
                                    "summary" | "message" | "requirement" | "request"
                                ),
                                "{}",
                                field
                            );
                        }
                        Err(other) => prop_assert!(false, "unexpected error {}", other),
                    }
                    Ok(())
                },
            )
            .unwrap_or_else(|failure| panic!("{kind}: {failure}"));
    }
}
