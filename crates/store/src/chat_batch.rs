//! Group commit for chat messages on SQLite. People press enter at the same moments: in the chat
//! benchmark 64 clients fall into step and send within a millisecond, and each send holding
//! SQLite's single writer for its own batch made the last of a burst wait for all the others
//! (docs/benchmarks.md, "planwright — chat"). A per-process task takes every send waiting in its
//! queue and writes them all in ONE `BEGIN IMMEDIATE … COMMIT` batch — with no added delay when
//! only one is waiting: a lone send is written at once, and the sends that arrive while that
//! batch is in flight go together in the next one.
//!
//! Each send is the three statements of `Database::start_chat_task` (the task, inserted only if
//! its checks pass; its conversation and its job, only if the task was), renumbered: later
//! members see earlier members' rows, so two messages of one user in one batch count against
//! the same limit. A member whose checks fail is answered [`SendOutcome::Refused`] and explains
//! itself by reading the checks; if the batch itself fails, every member is answered
//! [`SendOutcome::Alone`] and writes itself with its own batch.

use std::sync::Weak;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::chat_records::NewChatTask;
use crate::database::{Database, Inner};
use crate::enqueue_batch::renumber;
use crate::job_queries::{JobRow, queued_record};
use crate::records::NewJob;
use crate::row::{now_ms, to_json};

/// Most messages written by one batch (26 binds each, well under SQLite's 32,766).
const MAX_SENDS: usize = 64;
/// Binds of one send: its job's row, then ten of the task's.
pub(crate) const SEND_BINDS: usize = JobRow::BINDS + 10;

/// A message waiting for the group-commit task.
pub(crate) struct PendingSend {
    pub(crate) task: NewChatTask,
    pub(crate) job: NewJob,
    pub(crate) reply: oneshot::Sender<SendOutcome>,
}

/// What became of one message handed to the group-commit task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendOutcome {
    /// Committed at this time (unix ms).
    Written(i64),
    /// Not written: its checks failed.
    Refused,
    /// Not written: the batch failed. Write it alone.
    Alone,
}

/// The queue in front of the group-commit task.
pub(crate) struct SendBatcher {
    pub(crate) sender: mpsc::UnboundedSender<PendingSend>,
    pub(crate) task: JoinHandle<()>,
}

impl SendBatcher {
    /// Starts the task for the database behind `inner`; it ends when the database is dropped.
    pub(crate) fn spawn(inner: Weak<Inner>) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<PendingSend>();
        let task = tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut group = vec![first];
                while group.len() < MAX_SENDS {
                    match receiver.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                write_group(&Database::from_inner(inner), group).await;
            }
        });
        Self { sender, task }
    }
}

/// The three statements of one send, binds `$1..$26`: the job's 16 (as `insert_job_query`),
/// then task id, conversation id, user id, message, output format, step, state, time, the
/// user's limit and the conversation's title.
pub(crate) fn send_statements() -> String {
    format!(
        "INSERT INTO chat_tasks (id, conversation_id, user_id, seq, message, output_format, \
         status, step, state, version, job_id, created_at, updated_at) \
         SELECT $17, $18, $19, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_tasks WHERE conversation_id = $18), \
         $20, $21, 'processing', $22, $23, 1, $1, $24, $24 \
         WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = $18 \
         AND (user_id <> $19 OR deleted_at IS NOT NULL)) \
         AND NOT EXISTS (SELECT 1 FROM chat_tasks WHERE conversation_id = $18 \
         AND status = 'processing') \
         AND (SELECT COUNT(*) FROM chat_tasks WHERE user_id = $19 \
         AND status = 'processing') < $25; \
         INSERT INTO chat_conversations (id, user_id, title, created_at, updated_at) \
         SELECT $18, $19, $26, $24, $24 WHERE changes() = 1 \
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at; \
         {}",
        crate::job_queries::insert_plain_job_when("changes() = 1")
    )
}

/// Writes one group and tells each member what became of it.
async fn write_group(db: &Database, group: Vec<PendingSend>) {
    let now = now_ms();
    let statements = send_statements();
    let mut sql = String::from("BEGIN IMMEDIATE");
    for member in 0..group.len() {
        sql.push_str("; ");
        sql.push_str(&renumber(&statements, member * SEND_BINDS));
    }
    sql.push_str("; COMMIT");
    // Not kept in the connection's statement cache: every group size is another text, and a
    // cached compiled batch of 64 sends is large.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).persistent(false);
    for pending in &group {
        let record = queued_record(&pending.job, &[], now);
        let task = &pending.task;
        query = JobRow::new(&pending.job, &record, &[])
            .bind(query)
            .bind(task.task_id.clone())
            .bind(task.conversation_id.clone())
            .bind(task.user_id.clone())
            .bind(task.message.clone())
            .bind(task.output_format.clone())
            .bind(task.step.clone())
            .bind(to_json(&task.state))
            .bind(now)
            .bind(i64::from(task.max_active_per_user))
            .bind(crate::chat_queries::title_of(&task.message));
    }
    let outcomes: Vec<SendOutcome> = match db.sqlite_write_batch(query).await {
        // `BEGIN` is statement 0; member m's task insert is statement 1 + 3m.
        Ok(affected) => (0..group.len())
            .map(|member| match affected.get(1 + 3 * member) {
                Some(1) => SendOutcome::Written(now),
                _ => SendOutcome::Refused,
            })
            .collect(),
        Err(failed) => {
            tracing::debug!(error = %failed.error, "a grouped chat send failed; each member writes alone");
            vec![SendOutcome::Alone; group.len()]
        }
    };
    if outcomes.contains(&SendOutcome::Written(now)) {
        db.wake_job_waiters();
    }
    for (pending, outcome) in group.into_iter().zip(outcomes) {
        let _ = pending.reply.send(outcome);
    }
}
