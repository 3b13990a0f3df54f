//! Group commit for job completions on PostgreSQL. Every commit waits for a WAL flush; when many
//! jobs finish at once (short jobs, several workers), one statement per job makes the disk the
//! bottleneck. A per-process task takes every completion waiting in its queue and records them
//! all in one statement — with no added delay when only one is waiting.

use std::collections::HashSet;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::job_queries::{Bind, bind_all};

/// Most completions written by one statement (PostgreSQL allows 65535 bind parameters).
const MAX_BATCH: usize = 200;

/// How long the writer waits for more completions after the first (a commit's WAL flush takes
/// longer than this under load).
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(1);

/// One completion, already serialised; `total` is -1 for "unknown".
pub(crate) struct Completion {
    pub(crate) id: String,
    pub(crate) worker_id: String,
    pub(crate) results: String,
    pub(crate) progress: String,
    pub(crate) total: i64,
    pub(crate) processed: i64,
    pub(crate) successful: i64,
    pub(crate) failed: i64,
    pub(crate) at: i64,
    /// `Ok(true)`: recorded. `Ok(false)`: not processing under this worker (cancelled or lost;
    /// the caller takes the careful path). `Err(())`: the batch failed; the caller retries alone.
    pub(crate) reply: oneshot::Sender<Result<bool, ()>>,
}

/// The queue in front of the writer task.
pub(crate) struct CompletionBatcher {
    pub(crate) sender: mpsc::UnboundedSender<Completion>,
    pub(crate) task: JoinHandle<()>,
}

impl CompletionBatcher {
    pub(crate) fn spawn(pool: AnyPool) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Completion>();
        let task = tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                // Runs claimed together tend to finish together: a short gather window turns
                // their completions into one write instead of a lone first one and the rest.
                tokio::time::sleep(GATHER_WINDOW).await;
                while batch.len() < MAX_BATCH {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let written = write_batch(&pool, &batch).await;
                for completion in batch {
                    let answer = match &written {
                        Ok(recorded) => Ok(recorded.contains(&completion.id)),
                        Err(()) => Err(()),
                    };
                    let _ = completion.reply.send(answer);
                }
            }
        });
        Self { sender, task }
    }
}

async fn write_batch(pool: &AnyPool, batch: &[Completion]) -> Result<HashSet<String>, ()> {
    let rows: Vec<String> = (0..batch.len())
        .map(|row| {
            let first = row * 9 + 1;
            let params: Vec<String> = (first..first + 9).map(|n| format!("${n}")).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    // The SQL text is assembled from placeholders only; every value is bound.
    let sql = format!(
        "WITH v (id, worker, results, progress, total, processed, successful, failed, at) AS \
         (VALUES {}), \
         done AS (UPDATE jobs j SET status = 'completed', results = v.results, \
         progress = v.progress, total_tickets = NULLIF(v.total, -1), \
         processed_tickets = v.processed, successful_tickets = v.successful, \
         failed_tickets = v.failed, error = NULL, lease_owner = NULL, lease_until = NULL, \
         completed_at = v.at, updated_at = v.at FROM v \
         WHERE j.id = v.id AND j.lease_owner = v.worker AND j.status = 'processing' \
         RETURNING j.id), \
         freed AS (DELETE FROM job_locks WHERE job_id IN (SELECT id FROM done)) \
         SELECT id FROM done",
        rows.join(", ")
    );
    let mut binds = Vec::with_capacity(batch.len() * 9);
    for completion in batch {
        binds.extend([
            Bind::Text(completion.id.clone()),
            Bind::Text(completion.worker_id.clone()),
            Bind::Text(completion.results.clone()),
            Bind::Text(completion.progress.clone()),
            Bind::Int(completion.total),
            Bind::Int(completion.processed),
            Bind::Int(completion.successful),
            Bind::Int(completion.failed),
            Bind::Int(completion.at),
        ]);
    }
    let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds);
    match query.fetch_all(pool).await {
        Ok(rows) => Ok(rows
            .iter()
            .filter_map(|row| sqlx::Row::try_get::<String, _>(row, "id").ok())
            .collect()),
        Err(error) => {
            tracing::warn!(%error, jobs = batch.len(), "batched job completion failed");
            Err(())
        }
    }
}
