//! [`BackgroundJob`]: a typed job kind (payload in, result out) and [`JobAdapter`], the one
//! generic bridge to the worker runtime's untyped `JobHandler`. A feature implements the trait
//! for its payload type in one file and adds `JobAdapter::<P>::handler(env)` to
//! [`crate::registry`].

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use job_types::JobPayload;
use jobs::{BoxFuture, JobContext, JobError, JobHandler, RetryPolicy};
use serde_json::{Map, Value, json};

use crate::env::JobEnv;
use crate::failure::Failure;

/// A job kind: how its payload is worked.
pub trait BackgroundJob: JobPayload {
    /// How failures are retried; transient failures only (the code decides).
    fn retry_policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// Does the work. Report progress through `ctx` and stop at its checkpoints; make every
    /// external write through [`crate::writes`] so a re-run never repeats it.
    fn run(
        self,
        env: &JobEnv,
        ctx: &JobContext,
    ) -> impl Future<Output = Result<Self::Output, Failure>> + Send;
}

/// Runs a [`BackgroundJob`] as a `JobHandler`: parses the payload, runs it, stores the output as
/// the job's `results`, and records a failure's code and hint on the job (attributes
/// `error_code`, `error_hint`).
pub struct JobAdapter<P> {
    env: Arc<JobEnv>,
    kind: PhantomData<fn() -> P>,
}

impl<P: BackgroundJob> JobAdapter<P> {
    /// The handler of `P` on `env`.
    pub fn handler(env: Arc<JobEnv>) -> Self {
        Self {
            env,
            kind: PhantomData,
        }
    }
}

impl<P: BackgroundJob> JobHandler for JobAdapter<P> {
    fn kind(&self) -> &'static str {
        P::KIND
    }

    fn retry_policy(&self) -> RetryPolicy {
        P::retry_policy()
    }

    fn run<'a>(
        &'a self,
        ctx: &'a JobContext,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, JobError>> {
        Box::pin(async move {
            let payload: P = serde_json::from_value(payload).map_err(|error| {
                JobError::permanent(format!("invalid {} payload: {error}", P::KIND))
            })?;
            match payload.run(&self.env, ctx).await {
                Ok(output) => serde_json::to_value(output).map_err(|error| {
                    JobError::permanent(format!("cannot store the {} result: {error}", P::KIND))
                }),
                Err(_) if ctx.cancellation().is_cancelled() => Err(JobError::Cancelled),
                Err(Failure(failure)) => {
                    let mut attributes = Map::new();
                    attributes.insert("error_code".into(), json!(failure.code));
                    attributes.insert("error_hint".into(), json!(failure.hint));
                    // Best effort: the error text below carries the code and hint as well.
                    let _ = ctx.merge_attributes(attributes).await;
                    let text = failure.error_text();
                    if failure.code.is_transient() {
                        Err(JobError::Transient(text))
                    } else {
                        Err(JobError::Permanent(text))
                    }
                }
            }
        })
    }
}
