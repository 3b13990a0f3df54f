//! The product's features: every job kind Planwright runs, each one file implementing
//! [`BackgroundJob`] for a payload type of `job-types`, on one bag of dependencies
//! ([`JobEnv`]).
//!
//! Shared machinery: [`failure`] maps Jira, Confluence, model and database errors onto the
//! failure-code table; [`writes`] turns a feature's intended writes into a previewable plan and
//! executes it exactly once; [`model`] is the typed language-model call; [`custom_fields`]
//! finds the PRD/RFC/test-case/mandays fields by name; [`documents`] gathers an epic's PRD and
//! RFC pages for prompts.

pub mod custom_fields;
pub mod documents;
pub mod env;
pub mod failure;
pub mod jira_ops;
pub mod job;
pub mod model;
pub mod tickets;
pub mod writes;

pub use env::{FieldSettings, JobEnv};
pub use failure::Failure;
pub use job::{BackgroundJob, JobAdapter};

use std::sync::Arc;

/// Every job kind of the product, ready for a worker pool or an inline runner.
pub fn registry(env: Arc<JobEnv>) -> jobs::Registry {
    let mut registry = jobs::Registry::new();
    let _ = &env;
    register_jira_ops(&mut registry, &env);
    registry
}

/// The Jira operations' job kinds (`ticket_update`, `story_ticket_update`, `ticket_creation`,
/// `story_ticket_creation`, `bulk_story_update`, `bulk_task_creation`, `bulk_story_creation`).
fn register_jira_ops(registry: &mut jobs::Registry, env: &Arc<JobEnv>) {
    use job_types::jira_ops as ops;
    let kinds: [Arc<dyn jobs::JobHandler>; 7] = [
        Arc::new(JobAdapter::<ops::UpdateTicket>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::UpdateStoryTicket>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::CreateTicket>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::CreateStoryTicket>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::BulkUpdateStories>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::BulkCreateTasks>::handler(env.clone())),
        Arc::new(JobAdapter::<ops::BulkCreateStories>::handler(env.clone())),
    ];
    for kind in kinds {
        // Each kind is registered once, here; a clash is a programming error caught by tests.
        if let Err(error) = registry.register_shared(kind) {
            tracing::error!(%error, "job kind registered twice");
        }
    }
}
