//! The chat agent (docs/chat.md): a conversation over Jira in which the user confirms every
//! write. Each message is a chat task worked by a `chat_turn` job through an explicit graph
//! (`agent.rs`: classify → plan → act with tools → propose → wait → write → respond), and the
//! agent's state is checkpointed in the database after every step, so a restart continues from
//! the last step and a task waiting for confirmation waits across restarts.
//!
//! This module is the job: it loads the task, runs steps and writes each checkpoint, and turns
//! a failure into a failed task with the reason (or, for a dependency that is down, into a
//! retry of the job from the same checkpoint).

mod agent;
mod memory;
mod proposal;
mod render;
mod tools;

use std::time::Duration;

use job_types::chat::{ChatTurn, ChatTurnReport};
use jobs::{JobContext, RetryPolicy};
use store::{ChatCheckpoint, ChatError, ChatOutcome, ChatStatus};

use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;

pub(crate) use agent::{AgentState, Step};

/// How the chat agent is configured.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// How long a proposal waits for the user's answer.
    pub confirmation_expiry: Duration,
    /// The project new tickets go to when the conversation names none.
    pub default_project: Option<String>,
}

impl Default for ChatConfig {
    fn default() -> Self {
        Self {
            confirmation_expiry: Duration::from_secs(24 * 3600),
            default_project: None,
        }
    }
}

impl BackgroundJob for ChatTurn {
    fn retry_policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60),
        }
    }

    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<ChatTurnReport, Failure> {
        let report = |status: &str| ChatTurnReport {
            task_id: self.task_id.clone(),
            status: status.to_owned(),
        };
        let Some(task) = env.db.chat_task(&self.task_id).await? else {
            return Err(Failure::not_found(format!(
                "chat task {} not found",
                self.task_id
            )));
        };
        if task.status != ChatStatus::Processing {
            return Ok(report(task.status.as_str()));
        }
        let mut version = task.version;
        let mut step = Step::parse(&task.step)?;
        let mut state: AgentState = serde_json::from_value(task.state.clone())
            .map_err(|error| Failure::internal(format!("chat checkpoint: {error}")))?;
        loop {
            if ctx.cancellation().is_cancelled() {
                let outcome = ChatOutcome::Failed {
                    error: "The task was cancelled; nothing more was written.".into(),
                };
                // Best effort: a cancelled job's lease may already be gone.
                let _ = checkpoint(env, &task.id, version, step, &state, None, &outcome).await;
                return Ok(report("failed"));
            }
            let before = state.clone();
            let advanced = agent::run_step(env, ctx, &task, step, &mut state).await;
            let (next, outcome, event) = match advanced {
                Ok(advanced) => advanced,
                Err(failure) => {
                    let last_attempt = ctx.attempt() >= Self::retry_policy().max_attempts;
                    if failure.code().is_transient() && !last_attempt {
                        // The step starts again from the same checkpoint on the next attempt.
                        return Err(failure);
                    }
                    state = before;
                    let error = match &failure.0.hint {
                        hint if hint.is_empty() => failure.0.message.clone(),
                        hint => format!("{} ({hint})", failure.0.message),
                    };
                    let event = Some(("failed".to_owned(), serde_json::json!({ "error": error })));
                    let outcome = ChatOutcome::Failed { error };
                    return match checkpoint(env, &task.id, version, step, &state, event, &outcome)
                        .await
                    {
                        Ok(_) => Ok(report("failed")),
                        Err(Stop::Superseded) => Ok(report("superseded")),
                        Err(Stop::Store(failure)) => Err(failure),
                    };
                }
            };
            let status = match &outcome {
                ChatOutcome::Continue => None,
                ChatOutcome::Interrupt { .. } => Some("waiting_confirmation"),
                ChatOutcome::Completed { .. } => Some("completed"),
                ChatOutcome::Failed { .. } => Some("failed"),
            };
            match checkpoint(env, &task.id, version, next, &state, event, &outcome).await {
                Ok(new_version) => version = new_version,
                Err(Stop::Superseded) => return Ok(report("superseded")),
                // The step's work is redone from the last checkpoint on the next attempt (its
                // writes, if any, are found in write_intents rather than repeated).
                Err(Stop::Store(failure)) => return Err(failure),
            }
            if let Some(status) = status {
                return Ok(report(status));
            }
            step = next;
        }
    }
}

/// Why a checkpoint was not written.
enum Stop {
    /// Another run of the task wrote its state first: this run stops.
    Superseded,
    /// The database failed; the job is retried from the last checkpoint.
    Store(Failure),
}

async fn checkpoint(
    env: &JobEnv,
    task_id: &str,
    version: i64,
    next: Step,
    state: &AgentState,
    event: Option<(String, serde_json::Value)>,
    outcome: &ChatOutcome,
) -> Result<i64, Stop> {
    let checkpoint = ChatCheckpoint {
        version,
        step: next.as_str().to_owned(),
        state: serde_json::to_value(state).unwrap_or_default(),
        event,
    };
    match env.db.chat_checkpoint(task_id, &checkpoint, outcome).await {
        Ok(version) => Ok(version),
        Err(ChatError::Stale(_)) => Err(Stop::Superseded),
        Err(ChatError::Store(error)) => Err(Stop::Store(Failure::from(error))),
        Err(error) => Err(Stop::Store(Failure::internal(error.to_string()))),
    }
}
