//! Snapshot tests: the offline generator's answers to realistic, different inputs, kept in
//! `tests/snapshots/` so reviewers can read what the generator writes.

mod fixtures;

use generation::offline::{OfflineTask, generate_typed};
use generation::task::{
    ChatAnswerInput, ChatIntentInput, DraftPrPlanInput, EpicStoriesInput, JqlQueryInput,
    RequirementAnalysisInput, StoryTasksInput, TestCasesInput, TicketAssessmentInput,
    TicketDescriptionInput, TicketDraftInput, TicketUpdateInput,
};
use generation::{TaskInput, TaskKind, parse_input};
use serde_json::Value;

fn typed<I: OfflineTask>(input: &Value) -> I::Output {
    let parsed: I = parse_input(input).expect("fixture parses");
    generate_typed(&parsed).expect("fixture generates")
}

fn snapshot_all(kind: TaskKind, fixtures: Vec<fixtures::Fixture>) {
    for fixture in fixtures {
        assert_eq!(fixture.kind, kind);
        let name = format!("{}__{}", kind, fixture.name);
        match kind {
            TaskKind::TicketDescription => {
                let output = typed::<TicketDescriptionInput>(&fixture.input);
                insta::assert_snapshot!(format!("{name}__markdown"), output.to_markdown());
            }
            TaskKind::EpicStories => {
                insta::assert_yaml_snapshot!(name, typed::<EpicStoriesInput>(&fixture.input));
            }
            TaskKind::StoryTasks => {
                insta::assert_yaml_snapshot!(name, typed::<StoryTasksInput>(&fixture.input));
            }
            TaskKind::TestCases => {
                insta::assert_yaml_snapshot!(name, typed::<TestCasesInput>(&fixture.input));
            }
            TaskKind::DraftPrPlan => {
                insta::assert_yaml_snapshot!(name, typed::<DraftPrPlanInput>(&fixture.input));
            }
            TaskKind::ChatIntent => {
                insta::assert_yaml_snapshot!(name, typed::<ChatIntentInput>(&fixture.input));
            }
            TaskKind::RequirementAnalysis => {
                insta::assert_yaml_snapshot!(
                    name,
                    typed::<RequirementAnalysisInput>(&fixture.input)
                );
            }
            TaskKind::TicketDraft => {
                insta::assert_yaml_snapshot!(name, typed::<TicketDraftInput>(&fixture.input));
            }
            TaskKind::TicketAssessment => {
                insta::assert_yaml_snapshot!(name, typed::<TicketAssessmentInput>(&fixture.input));
            }
            TaskKind::TicketUpdate => {
                insta::assert_yaml_snapshot!(name, typed::<TicketUpdateInput>(&fixture.input));
            }
            TaskKind::JqlQuery => {
                insta::assert_yaml_snapshot!(name, typed::<JqlQueryInput>(&fixture.input));
            }
            TaskKind::ChatAnswer => {
                insta::assert_yaml_snapshot!(name, typed::<ChatAnswerInput>(&fixture.input));
            }
        }
    }
}

#[test]
fn ticket_descriptions() {
    snapshot_all(TaskKind::TicketDescription, fixtures::ticket_descriptions());
}

#[test]
fn epic_stories() {
    snapshot_all(TaskKind::EpicStories, fixtures::epic_stories());
}

#[test]
fn story_tasks() {
    snapshot_all(TaskKind::StoryTasks, fixtures::story_tasks());
}

#[test]
fn test_cases() {
    snapshot_all(TaskKind::TestCases, fixtures::test_cases());
}

#[test]
fn draft_pr_plans() {
    snapshot_all(TaskKind::DraftPrPlan, fixtures::draft_pr_plans());
}

#[test]
fn chat_requests() {
    for fixture in fixtures::chat_requests() {
        snapshot_all(fixture.kind, vec![fixture]);
    }
}

#[test]
fn chat_analysis() {
    for fixture in fixtures::chat_analysis() {
        snapshot_all(fixture.kind, vec![fixture]);
    }
}

/// The structured form of a ticket description, next to its Markdown, for one fixture.
#[test]
fn ticket_description_structure() {
    let fixture = &fixtures::ticket_descriptions()[0];
    let output = typed::<TicketDescriptionInput>(&fixture.input);
    assert_eq!(
        <TicketDescriptionInput as TaskInput>::KIND,
        TaskKind::TicketDescription
    );
    insta::assert_yaml_snapshot!("ticket_description__login_bug__structure", output);
}
