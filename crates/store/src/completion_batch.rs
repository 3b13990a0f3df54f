//! Group commit for job completions on PostgreSQL. Every commit waits for a WAL flush; when many
//! jobs finish at once (short jobs, several workers), one statement per job makes the disk the
//! bottleneck. A per-process task takes every completion waiting in its queue and records them
//! all in one statement — with no added delay when only one is waiting: a lone completion is
//! written at once, and the completions that arrive while that write is in flight queue up and
//! go together in the next one. The batches grow exactly when the disk is the bottleneck.

use std::collections::HashSet;
use std::future::Future;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::job_queries::{Bind, bind_all};

/// Most completions written by one statement (PostgreSQL allows 65535 bind parameters).
const MAX_BATCH: usize = 200;

/// One completion, already serialised; `total` is -1 for "unknown".
pub(crate) struct Completion {
    pub(crate) id: String,
    pub(crate) lease_token: String,
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

/// Writes one batch; returns the ids recorded, or `Err(())` when the statement failed.
/// A trait so the batching can be tested without a database.
pub(crate) trait BatchWriter: Send + Sync + 'static {
    fn write<'a>(
        &'a self,
        batch: &'a [Completion],
    ) -> impl Future<Output = Result<HashSet<String>, ()>> + Send + 'a;
}

impl BatchWriter for AnyPool {
    fn write<'a>(
        &'a self,
        batch: &'a [Completion],
    ) -> impl Future<Output = Result<HashSet<String>, ()>> + Send + 'a {
        write_batch(self, batch)
    }
}

impl CompletionBatcher {
    pub(crate) fn spawn(writer: impl BatchWriter) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Completion>();
        let task = tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                // No waiting for company: whatever queued while the previous write was in
                // flight joins this batch, and a lone completion is written at once.
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let written = writer.write(&batch).await;
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
            Bind::Text(completion.lease_token.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::sync::Notify;

    /// Records each batch's ids and holds every write until `release` is notified.
    #[derive(Default)]
    struct GatedWriter {
        batches: Mutex<Vec<Vec<String>>>,
        started: Notify,
        release: Notify,
    }

    impl BatchWriter for std::sync::Arc<GatedWriter> {
        async fn write(&self, batch: &[Completion]) -> Result<HashSet<String>, ()> {
            let ids: Vec<String> = batch.iter().map(|c| c.id.clone()).collect();
            self.batches.lock().unwrap().push(ids.clone());
            self.started.notify_one();
            self.release.notified().await;
            Ok(ids.into_iter().collect())
        }
    }

    fn completion(id: &str) -> (Completion, oneshot::Receiver<Result<bool, ()>>) {
        let (reply, answer) = oneshot::channel();
        let completion = Completion {
            id: id.into(),
            lease_token: "w".into(),
            results: "[]".into(),
            progress: "{}".into(),
            total: -1,
            processed: 0,
            successful: 0,
            failed: 0,
            at: 0,
            reply,
        };
        (completion, answer)
    }

    /// Waits for the writer to start a batch, failing if the batcher task died instead.
    async fn next_write(writer: &GatedWriter, batcher: &mut CompletionBatcher) {
        tokio::select! {
            _ = writer.started.notified() => {}
            stopped = &mut batcher.task => panic!("the batcher stopped: {stopped:?}"),
        }
    }

    // The runtime has no timer: any sleep in the batcher panics it (and fails this test).
    #[test]
    fn a_lone_completion_is_written_at_once_and_later_ones_batch_behind_it() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let writer = std::sync::Arc::new(GatedWriter::default());
            let mut batcher = CompletionBatcher::spawn(writer.clone());

            let (first, first_answer) = completion("a");
            batcher.sender.send(first).unwrap();
            next_write(&writer, &mut batcher).await;

            // These arrive while the first write is in flight: they go together in the next one.
            let answers: Vec<_> = ["b", "c", "d"]
                .into_iter()
                .map(|id| {
                    let (next, answer) = completion(id);
                    batcher.sender.send(next).unwrap();
                    answer
                })
                .collect();
            writer.release.notify_one();
            assert_eq!(first_answer.await.unwrap(), Ok(true));
            next_write(&writer, &mut batcher).await;
            writer.release.notify_one();
            for answer in answers {
                assert_eq!(answer.await.unwrap(), Ok(true));
            }
            assert_eq!(
                *writer.batches.lock().unwrap(),
                [
                    vec!["a".to_string()],
                    vec!["b".into(), "c".into(), "d".into()]
                ]
            );
            batcher.task.abort();
        });
    }
}
