//! The route groups, one module each. Public routes need no credentials; everything else goes
//! through [`protected`], which the router wraps in authentication. Feature issues add their
//! module here and merge it into [`protected`].

pub(crate) mod chat;
#[cfg(debug_assertions)]
mod debug_probe;
pub(crate) mod epic_planning;
pub(crate) mod generate;
pub(crate) mod health;
pub(crate) mod jira_ops;
pub(crate) mod jobs;
pub(crate) mod metrics;
pub(crate) mod models;
pub(crate) mod planning_tasks;
pub(crate) mod prd_sync;
pub(crate) mod prompt_resubmit;
pub(crate) mod sprints;
pub(crate) mod story_coverage;
pub(crate) mod teams;
pub(crate) mod test_generation;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Routes open to everyone (`/`, `/health`).
pub(crate) fn public() -> OpenApiRouter<AppState> {
    health::routes()
}

/// Routes that require authentication when it is enabled.
pub(crate) fn protected() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .merge(jobs::routes())
        .merge(generate::routes())
        .merge(models::routes())
        .merge(jira_ops::routes())
        .merge(planning_tasks::routes())
        .merge(epic_planning::routes())
        .merge(test_generation::routes())
        .merge(story_coverage::routes())
        .merge(prompt_resubmit::routes())
        .merge(prd_sync::routes())
        .merge(teams::routes())
        .merge(sprints::routes())
        .merge(chat::routes());
    // Test-only: enqueues the `probe` job kind; absent from release builds.
    #[cfg(debug_assertions)]
    let router = router.merge(debug_probe::routes());
    router
}
