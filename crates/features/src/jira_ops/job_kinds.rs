//! The job kinds of the Jira operations: each runs its operation under the job id, so the
//! write intents of a retried job are the ones its first attempt recorded.

use job_types::jira_ops::{
    BulkCreateStories, BulkCreateTasks, BulkUpdateStories, CreateStoryTicket, CreateTicket,
    UpdateStoryTicket, UpdateTicket,
};
use jobs::JobContext;

use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::writes::WriteScope;

impl BackgroundJob for UpdateTicket {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::update_ticket(env, &WriteScope::of(ctx), &self).await
    }
}

impl BackgroundJob for UpdateStoryTicket {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::update_story_ticket(env, &WriteScope::of(ctx), &self).await
    }
}

impl BackgroundJob for CreateTicket {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::create_ticket(env, &WriteScope::of(ctx), &self).await
    }
}

impl BackgroundJob for CreateStoryTicket {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::create_story_ticket(env, &WriteScope::of(ctx), &self).await
    }
}

impl BackgroundJob for BulkUpdateStories {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::bulk_update_stories(env, &WriteScope::of(ctx), &self, Some(ctx)).await
    }
}

impl BackgroundJob for BulkCreateTasks {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::bulk_create_tasks(env, &WriteScope::of(ctx), &self, Some(ctx)).await
    }
}

impl BackgroundJob for BulkCreateStories {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Self::Output, Failure> {
        super::bulk_create_stories(env, &WriteScope::of(ctx), &self, Some(ctx)).await
    }
}
