//! Group commit for enqueues on PostgreSQL. Every commit waits for a WAL flush, and with one
//! commit per enqueue the queue's end-to-end throughput was bound by the disk: about 70 % of the
//! active PostgreSQL samples waited on `LWLock:WALWrite` / `IO:WALSync` (docs/benchmarks.md,
//! "Honest figures (2026-12-02)"). As for completions (`crate::completion_batch`), a per-process
//! task takes every enqueue waiting in its queue and inserts them all in ONE statement — with no
//! added delay when only one is waiting: a lone enqueue is written at once, and the enqueues that
//! arrive while that write is in flight queue up and go together in the next one.
//!
//! The statement is the one-job statement of `Database::enqueue_keyed_postgres` for many rows: the
//! jobs, their issue keys and their lock rows as data-modifying `WITH` parts of one `INSERT`, so
//! a group is atomic. Lock rows are inserted sorted by key across the whole group, so two groups
//! (or a group and a lone enqueue) wanting overlapping keys take them in the same order and cannot
//! deadlock. When a lock key is taken — by another job, or by another member of the same group —
//! the statement fails and writes nothing; every member is then answered [`BatchOutcome::Alone`]
//! and enqueues itself with the one-job statement, which reports its own conflicts exactly as
//! before and leaves the other members unaffected.

use std::future::Future;
use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::job_queries::{INSERT_JOB_HEAD, INSERT_JOB_VALUES, JobRow};

/// Most jobs inserted by one statement.
const MAX_JOBS: usize = 100;
/// Most times the task yields to let answered callers send their next job before a group leaves.
const MAX_YIELDS: usize = 4;
/// Most bind parameters of one statement (PostgreSQL allows 65535); a job with many issue keys
/// waits for the next statement rather than overflow this one.
const MAX_BINDS: usize = 20_000;

/// One enqueue waiting for the group-commit task, already serialised.
pub(crate) struct PendingEnqueue {
    /// The job's row.
    pub(crate) row: JobRow,
    /// The job's `(role, issue key)` rows of `job_keys`, without repeats.
    pub(crate) issue_keys: Vec<(&'static str, String)>,
    /// The job's lock keys, without repeats.
    pub(crate) lock_keys: Vec<String>,
    /// Told what became of the job.
    pub(crate) reply: oneshot::Sender<BatchOutcome>,
}

impl PendingEnqueue {
    fn binds(&self) -> usize {
        JobRow::BINDS + 2 * self.issue_keys.len() + self.lock_keys.len()
    }
}

/// What became of one enqueue handed to the group-commit task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BatchOutcome {
    /// Committed.
    Written,
    /// Not written: it was alone in its statement, and one of its lock keys is taken.
    KeyTaken,
    /// Not written: the statement of its group failed. Enqueue it alone.
    Alone,
}

/// Why a group's statement wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WriteFailure {
    /// A unique key was taken (a lock key, held by another job or by another member).
    #[error("a lock key of the group is taken")]
    UniqueViolation,
    /// Any other failure (connection, server).
    #[error("the grouped enqueue failed")]
    Other,
}

/// Inserts one group of jobs in one statement. A trait so the grouping can be tested without a
/// database.
pub(crate) trait EnqueueWriter: Send + Sync + 'static {
    fn write(
        &self,
        group: Vec<PendingRows>,
    ) -> impl Future<Output = Result<(), WriteFailure>> + Send + '_;
}

/// A member of a group without its reply channel (the task keeps those to answer).
pub(crate) struct PendingRows {
    pub(crate) row: JobRow,
    pub(crate) issue_keys: Vec<(&'static str, String)>,
    pub(crate) lock_keys: Vec<String>,
}

impl EnqueueWriter for AnyPool {
    fn write(
        &self,
        group: Vec<PendingRows>,
    ) -> impl Future<Output = Result<(), WriteFailure>> + Send + '_ {
        write_group(self, group)
    }
}

/// The queue in front of the group-commit task.
pub(crate) struct EnqueueBatcher {
    pub(crate) sender: mpsc::UnboundedSender<PendingEnqueue>,
    pub(crate) task: JoinHandle<()>,
}

impl EnqueueBatcher {
    /// Starts the task; at most `in_flight` statements run at once (at least one).
    pub(crate) fn spawn(writer: impl EnqueueWriter, in_flight: usize) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<PendingEnqueue>();
        let writer = Arc::new(writer);
        let slots = Arc::new(Semaphore::new(in_flight.max(1)));
        let task = tokio::spawn(async move {
            // A job that did not fit the previous statement opens the next one.
            let mut carried: Option<PendingEnqueue> = None;
            loop {
                let first = match carried.take() {
                    Some(first) => first,
                    None => match receiver.recv().await {
                        Some(first) => first,
                        None => return,
                    },
                };
                // Every slot busy: what arrives meanwhile joins this group.
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                // No waiting for company: whatever queued while the previous writes were in
                // flight joins this group, and a lone enqueue is written at once. But the
                // callers the previous group just answered often send their next job at once:
                // yielding lets them run and join this group rather than wait for the next one
                // (without it the callers split into two cohorts, docs/benchmarks.md). Yields,
                // not a timer: they cost microseconds, against a round trip and a WAL flush.
                let mut binds = first.binds();
                let mut group = vec![first];
                let mut yields = 0;
                loop {
                    while group.len() < MAX_JOBS {
                        match receiver.try_recv() {
                            Ok(next) if binds + next.binds() > MAX_BINDS => {
                                carried = Some(next);
                                break;
                            }
                            Ok(next) => {
                                binds += next.binds();
                                group.push(next);
                            }
                            Err(_) => break,
                        }
                    }
                    if carried.is_some() || group.len() >= MAX_JOBS || yields >= MAX_YIELDS {
                        break;
                    }
                    tokio::task::yield_now().await;
                    yields += 1;
                }
                let writer = writer.clone();
                tokio::spawn(async move {
                    write_and_answer(&*writer, group).await;
                    drop(slot);
                });
            }
        });
        Self { sender, task }
    }
}

/// Writes one group and tells each member what became of it.
async fn write_and_answer(writer: &impl EnqueueWriter, group: Vec<PendingEnqueue>) {
    let alone = group.len() == 1;
    let (rows, replies): (Vec<_>, Vec<_>) = group
        .into_iter()
        .map(|pending| {
            let rows = PendingRows {
                row: pending.row,
                issue_keys: pending.issue_keys,
                lock_keys: pending.lock_keys,
            };
            (rows, pending.reply)
        })
        .unzip();
    let outcome = match writer.write(rows).await {
        Ok(()) => BatchOutcome::Written,
        Err(WriteFailure::UniqueViolation) if alone => BatchOutcome::KeyTaken,
        Err(_) => BatchOutcome::Alone,
    };
    for reply in replies {
        let _ = reply.send(outcome);
    }
}

/// `sql` with every `$N` replaced by `$(N + offset)`.
pub(crate) fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut number: Option<usize> = None;
        while let Some(digit) = chars.peek().and_then(|next| next.to_digit(10)) {
            number = Some(number.unwrap_or(0) * 10 + digit as usize);
            chars.next();
        }
        if let Some(number) = number {
            out.push_str(&(number + offset).to_string());
        }
    }
    out
}

/// The statement for `group`, and its lock rows as `(key, member)` in the order inserted.
/// Binds: each member's 16 row values (member `m` from `$(16m + 1)`, its id first), then role and
/// key of every issue key, then the key of every lock row; issue and lock rows name their job by
/// its id's placeholder.
fn group_sql(group: &[PendingRows]) -> (String, Vec<(&str, usize)>) {
    let id_param = |member: usize| member * JobRow::BINDS + 1;
    let mut next = group.len() * JobRow::BINDS + 1;
    let mut parts = Vec::new();
    let issue_rows: Vec<String> = group
        .iter()
        .enumerate()
        .flat_map(|(member, rows)| {
            rows.issue_keys
                .iter()
                .map(move |_| id_param(member))
                .collect::<Vec<_>>()
        })
        .map(|job| {
            let row = format!("(${}, ${}, ${job})", next, next + 1);
            next += 2;
            row
        })
        .collect();
    if !issue_rows.is_empty() {
        parts.push(format!(
            "issue_keys AS (INSERT INTO job_keys (role, issue_key, job_id) VALUES {})",
            issue_rows.join(", ")
        ));
    }
    let mut locks: Vec<(&str, usize)> = group
        .iter()
        .enumerate()
        .flat_map(|(member, rows)| rows.lock_keys.iter().map(move |key| (key.as_str(), member)))
        .collect();
    locks.sort();
    if !locks.is_empty() {
        let lock_rows: Vec<String> = locks
            .iter()
            .map(|(_, member)| {
                let row = format!("(${next}, ${})", id_param(*member));
                next += 1;
                row
            })
            .collect();
        parts.push(format!(
            "locks AS (INSERT INTO job_locks (lock_key, job_id) VALUES {})",
            lock_rows.join(", ")
        ));
    }
    let mut sql = String::new();
    if !parts.is_empty() {
        sql.push_str("WITH ");
        sql.push_str(&parts.join(", "));
        sql.push(' ');
    }
    sql.push_str(INSERT_JOB_HEAD);
    let values: Vec<String> = (0..group.len())
        .map(|member| renumber(INSERT_JOB_VALUES, member * JobRow::BINDS))
        .collect();
    sql.push_str(&values.join(", "));
    (sql, locks)
}

async fn write_group(pool: &AnyPool, group: Vec<PendingRows>) -> Result<(), WriteFailure> {
    let (sql, locks) = group_sql(&group);
    let lock_binds: Vec<String> = locks.iter().map(|(key, _)| (*key).to_owned()).collect();
    let issue_binds: Vec<(&'static str, String)> = group
        .iter()
        .flat_map(|rows| rows.issue_keys.iter().cloned())
        .collect();
    let jobs = group.len();
    // The SQL text is assembled from placeholders only; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for rows in group {
        query = rows.row.bind(query);
    }
    for (role, key) in issue_binds {
        query = query.bind(role).bind(key);
    }
    for key in lock_binds {
        query = query.bind(key);
    }
    match query.execute(pool).await {
        Ok(_) => Ok(()),
        // The job ids are new, so the only unique key the statement can hit is a lock's.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(WriteFailure::UniqueViolation)
        }
        Err(error) => {
            tracing::warn!(%error, jobs, "grouped enqueue failed; enqueueing its jobs one by one");
            Err(WriteFailure::Other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::NewJob;
    use std::sync::Mutex;
    use tokio::sync::Notify;

    fn pending(
        key: &str,
        lock_keys: &[&str],
        issue_keys: &[&str],
    ) -> (PendingEnqueue, oneshot::Receiver<BatchOutcome>) {
        let job = NewJob::new("t", serde_json::json!({ "key": key }));
        let lock_keys: Vec<String> = lock_keys.iter().map(|k| (*k).to_owned()).collect();
        let record = crate::job_queries::queued_record(&job, &lock_keys, 0);
        let (reply, answer) = oneshot::channel();
        let pending = PendingEnqueue {
            row: JobRow::new(&job, &record, &lock_keys),
            issue_keys: issue_keys
                .iter()
                .map(|k| ("ticket", (*k).to_owned()))
                .collect(),
            lock_keys,
            reply,
        };
        (pending, answer)
    }

    /// Records each group's lock keys and answers each write with the next scripted result,
    /// holding it until `release` is notified.
    #[derive(Default)]
    struct GatedWriter {
        groups: Mutex<Vec<Vec<String>>>,
        results: Mutex<Vec<Result<(), WriteFailure>>>,
        started: Notify,
        release: Notify,
    }

    impl EnqueueWriter for Arc<GatedWriter> {
        async fn write(&self, group: Vec<PendingRows>) -> Result<(), WriteFailure> {
            let keys = group
                .iter()
                .flat_map(|rows| rows.lock_keys.clone())
                .collect();
            self.groups.lock().unwrap().push(keys);
            self.started.notify_one();
            self.release.notified().await;
            let mut results = self.results.lock().unwrap();
            if results.is_empty() {
                Ok(())
            } else {
                results.remove(0)
            }
        }
    }

    async fn next_write(writer: &GatedWriter, batcher: &mut EnqueueBatcher) {
        tokio::select! {
            _ = writer.started.notified() => {}
            stopped = &mut batcher.task => panic!("the batcher stopped: {stopped:?}"),
        }
    }

    fn send(batcher: &EnqueueBatcher, key: &str) -> oneshot::Receiver<BatchOutcome> {
        let (next, answer) = pending(key, &[key], &[key]);
        batcher.sender.send(next).unwrap();
        answer
    }

    // The runtime has no timer: any sleep in the batcher panics it (and fails this test).
    #[test]
    fn a_lone_enqueue_is_written_at_once_and_later_ones_group_behind_it() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let writer = Arc::new(GatedWriter::default());
            let mut batcher = EnqueueBatcher::spawn(writer.clone(), 1);
            let first = send(&batcher, "A");
            next_write(&writer, &mut batcher).await;
            // These arrive while the first write is in flight: they go together in the next one.
            let answers: Vec<_> = ["B", "C", "D"]
                .into_iter()
                .map(|key| send(&batcher, key))
                .collect();
            writer.release.notify_one();
            assert_eq!(first.await.unwrap(), BatchOutcome::Written);
            next_write(&writer, &mut batcher).await;
            writer.release.notify_one();
            for answer in answers {
                assert_eq!(answer.await.unwrap(), BatchOutcome::Written);
            }
            assert_eq!(
                *writer.groups.lock().unwrap(),
                [
                    vec!["A".to_string()],
                    vec!["B".into(), "C".into(), "D".into()]
                ]
            );
            batcher.task.abort();
        });
    }

    #[test]
    fn a_caller_answered_by_the_previous_group_joins_the_next_one() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let writer = Arc::new(GatedWriter::default());
            let mut batcher = EnqueueBatcher::spawn(writer.clone(), 1);
            let sender = batcher.sender.clone();
            // A caller that, once answered, sends its next job after a little work of its own
            // (a yield here), as a request handler or the benchmark's enqueuers do.
            let caller = tokio::spawn(async move {
                let (first, answer) = pending("A", &["A"], &["A"]);
                sender.send(first).unwrap();
                let outcome = answer.await.unwrap();
                tokio::task::yield_now().await;
                let (next, answer) = pending("A2", &["A2"], &["A2"]);
                sender.send(next).unwrap();
                (outcome, answer.await.unwrap())
            });
            next_write(&writer, &mut batcher).await;
            // Waits for the first write to end.
            let waiting = send(&batcher, "B");
            writer.release.notify_one();
            next_write(&writer, &mut batcher).await;
            writer.release.notify_one();
            assert_eq!(waiting.await.unwrap(), BatchOutcome::Written);
            assert_eq!(
                *writer.groups.lock().unwrap(),
                [vec!["A".to_string()], vec!["B".into(), "A2".into()]]
            );
            let outcomes = caller.await.unwrap();
            assert_eq!(outcomes, (BatchOutcome::Written, BatchOutcome::Written));
            batcher.task.abort();
        });
    }

    #[test]
    fn a_failed_group_sends_every_member_alone_and_a_lone_taken_key_is_reported() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let writer = Arc::new(GatedWriter::default());
            *writer.results.lock().unwrap() = vec![
                Err(WriteFailure::UniqueViolation),
                Err(WriteFailure::UniqueViolation),
                Err(WriteFailure::Other),
            ];
            let mut batcher = EnqueueBatcher::spawn(writer.clone(), 1);
            let lone = send(&batcher, "A");
            next_write(&writer, &mut batcher).await;
            let pair = [send(&batcher, "B"), send(&batcher, "C")];
            writer.release.notify_one();
            assert_eq!(lone.await.unwrap(), BatchOutcome::KeyTaken);
            next_write(&writer, &mut batcher).await;
            let failed_alone = send(&batcher, "D");
            writer.release.notify_one();
            for answer in pair {
                assert_eq!(answer.await.unwrap(), BatchOutcome::Alone);
            }
            next_write(&writer, &mut batcher).await;
            writer.release.notify_one();
            // Not a taken key: the member retries alone and meets its own error there.
            assert_eq!(failed_alone.await.unwrap(), BatchOutcome::Alone);
            batcher.task.abort();
        });
    }

    #[test]
    fn a_job_that_does_not_fit_opens_the_next_statement() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let writer = Arc::new(GatedWriter::default());
            let mut batcher = EnqueueBatcher::spawn(writer.clone(), 1);
            let first = send(&batcher, "A");
            next_write(&writer, &mut batcher).await;
            // 8,000 issue keys: 16,016 binds; two such jobs exceed MAX_BINDS.
            let many: Vec<String> = (0..8_000).map(|i| format!("K-{i}")).collect();
            let many: Vec<&str> = many.iter().map(String::as_str).collect();
            let mut answers = Vec::new();
            for key in ["B", "C"] {
                let (big, answer) = pending(key, &[key], &many);
                batcher.sender.send(big).unwrap();
                answers.push(answer);
            }
            for _ in 0..2 {
                writer.release.notify_one();
                next_write(&writer, &mut batcher).await;
            }
            writer.release.notify_one();
            assert_eq!(first.await.unwrap(), BatchOutcome::Written);
            for answer in answers {
                assert_eq!(answer.await.unwrap(), BatchOutcome::Written);
            }
            assert_eq!(
                *writer.groups.lock().unwrap(),
                [vec!["A".to_string()], vec!["B".into()], vec!["C".into()]]
            );
            batcher.task.abort();
        });
    }

    #[test]
    fn renumbering_shifts_every_placeholder() {
        assert_eq!(renumber("($1, 'x', $16, $2)", 32), "($33, 'x', $48, $34)");
        assert_eq!(renumber("$ no number", 5), "$ no number");
    }

    #[test]
    fn lock_rows_are_sorted_across_the_group_and_name_their_job() {
        let group: Vec<PendingRows> = [
            pending("a", &["K-3", "K-1"], &["T-1"]),
            pending("b", &["K-2"], &[]),
        ]
        .into_iter()
        .map(|(pending, _)| PendingRows {
            row: pending.row,
            issue_keys: pending.issue_keys,
            lock_keys: pending.lock_keys,
        })
        .collect();
        let (sql, locks) = group_sql(&group);
        assert_eq!(locks, [("K-1", 0), ("K-2", 1), ("K-3", 0)]);
        // 32 row binds, then the issue key's role and key ($33, $34), then the three locks.
        assert!(
            sql.starts_with(
                "WITH issue_keys AS (INSERT INTO job_keys (role, issue_key, job_id) VALUES \
                 ($33, $34, $1)), locks AS (INSERT INTO job_locks (lock_key, job_id) VALUES \
                 ($35, $1), ($36, $17), ($37, $1)) INSERT INTO jobs"
            ),
            "{sql}"
        );
        assert!(sql.ends_with("NULL, NULL, $32)"), "{sql}");
    }
}
