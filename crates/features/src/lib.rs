//! The product's features: every job kind Planwright runs, each one file implementing
//! [`BackgroundJob`] for a payload type of `job-types`, on one bag of dependencies
//! ([`JobEnv`]).
//!
//! Shared machinery: [`failure`] maps Jira, Confluence, model and database errors onto the
//! failure-code table; [`writes`] turns a feature's intended writes into a previewable plan and
//! executes it exactly once; [`model`] is the typed language-model call; [`custom_fields`]
//! finds the PRD/RFC/test-case/mandays fields by name; [`documents`] gathers an epic's PRD and
//! RFC pages for prompts.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod chat;
pub mod coverage_analysis;
pub mod custom_fields;
pub mod cycle_time;
pub mod documents;
pub mod env;
pub mod epic_analysis;
pub mod epic_planning;
pub mod failure;
pub mod generate;
pub mod jira_ops;
pub mod job;
pub mod model;
pub mod plan_tasks;
pub mod prd_sync;
pub mod prompt_resubmit;
pub mod requirement_coverage;
pub mod sprints;
pub mod story_coverage;
pub mod task_graph;
pub mod test_dedupe;
pub mod test_generation;
pub mod test_levels;
pub mod tickets;
pub mod writes;

pub use env::{FieldSettings, JobEnv};
pub use failure::Failure;
pub use job::{BackgroundJob, JobAdapter};

use std::sync::Arc;

/// Every job kind of the product, ready for a worker pool or an inline runner. Fails only if
/// two job kinds share a name.
pub fn registry(env: Arc<JobEnv>) -> Result<jobs::Registry, jobs::DuplicateKind> {
    let mut registry = jobs::Registry::new();
    add::<job_types::generate::GenerateSingle>(&mut registry, &env)?;
    add::<job_types::generate::GenerateBatch>(&mut registry, &env)?;
    add::<job_types::epic_planning::EpicAnalysis>(&mut registry, &env)?;
    add::<job_types::epic_planning::EpicValidation>(&mut registry, &env)?;
    add::<job_types::epic_planning::StoryGeneration>(&mut registry, &env)?;
    add::<job_types::epic_planning::StoryCreation>(&mut registry, &env)?;
    add::<job_types::epic_planning::EpicPlanning>(&mut registry, &env)?;
    add::<job_types::epic_planning::EpicCreation>(&mut registry, &env)?;
    add::<job_types::jira_ops::UpdateTicket>(&mut registry, &env)?;
    add::<job_types::jira_ops::UpdateStoryTicket>(&mut registry, &env)?;
    add::<job_types::jira_ops::CreateTicket>(&mut registry, &env)?;
    add::<job_types::jira_ops::CreateStoryTicket>(&mut registry, &env)?;
    add::<job_types::jira_ops::BulkUpdateStories>(&mut registry, &env)?;
    add::<job_types::jira_ops::BulkCreateTasks>(&mut registry, &env)?;
    add::<job_types::jira_ops::BulkCreateStories>(&mut registry, &env)?;
    add::<job_types::planning_tasks::TaskGeneration>(&mut registry, &env)?;
    add::<job_types::planning_tasks::TaskCreation>(&mut registry, &env)?;
    add::<job_types::planning_tasks::CycleTimeEstimateJob>(&mut registry, &env)?;
    add::<job_types::test_generation::GenerateTests>(&mut registry, &env)?;
    add::<job_types::story_coverage::AnalyzeStoryCoverage>(&mut registry, &env)?;
    add::<job_types::story_coverage::UpdateCoverageTask>(&mut registry, &env)?;
    add::<job_types::story_coverage::CreateCoverageTask>(&mut registry, &env)?;
    add::<job_types::prompt_resubmit::PromptResubmit>(&mut registry, &env)?;
    add::<job_types::prd_sync::PrdStorySync>(&mut registry, &env)?;
    add::<job_types::sprints::ListBoardSprints>(&mut registry, &env)?;
    add::<job_types::sprints::ReadSprint>(&mut registry, &env)?;
    add::<job_types::sprints::ReadSprintIssues>(&mut registry, &env)?;
    add::<job_types::sprints::CreateSprint>(&mut registry, &env)?;
    add::<job_types::sprints::UpdateSprint>(&mut registry, &env)?;
    add::<job_types::sprints::AssignToSprint>(&mut registry, &env)?;
    add::<job_types::sprints::RemoveFromSprint>(&mut registry, &env)?;
    add::<job_types::sprints::PlanEpicSprints>(&mut registry, &env)?;
    add::<job_types::sprints::PlanTimeline>(&mut registry, &env)?;
    add::<job_types::chat::ChatTurn>(&mut registry, &env)?;
    Ok(registry)
}

fn add<P: BackgroundJob>(
    registry: &mut jobs::Registry,
    env: &Arc<JobEnv>,
) -> Result<(), jobs::DuplicateKind> {
    registry.register(JobAdapter::<P>::handler(env.clone()))?;
    Ok(())
}
