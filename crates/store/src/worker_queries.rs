//! The worker side of the job table: batch claiming with leases, heartbeats that carry
//! cancellation, progress, the final writes, graceful hand-back, crash recovery of expired leases,
//! and the registry of live worker processes. Every claim writes a fresh lease token
//! (`<worker id>#<claim nonce>`) into `lease_owner`, and every write about a claimed job is guarded
//! by that token, so a run that lost its lease — even to a later claim by the same process — can
//! never overwrite the outcome of the run that took over: each outcome is written once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::job::{JobCounters, JobId, JobProgress};
use serde_json::Value;
use sqlx::Row;

use crate::completion_batch::Completion;
use crate::database::{Backend, Database, WriteTx};
use crate::error::StoreError;
use crate::job_queries::{Bind, bind_all, placeholders, release_locks};
use crate::records::{
    ClaimedJob, ExpiredLease, FinishOutcome, HeartbeatOutcome, Recovery, RecoveryReport,
    WorkerInfo, WorkerRegistration,
};
use crate::row::{
    decode_job, decode_worker, duration_ms, from_ms, job_columns, now_ms, to_json, to_ms,
};

/// A fresh lease token for one claim by `worker_id`: the worker id (so operators can still see
/// which process runs a job) and a random nonce (so two claims of one job by the same process —
/// after its first lease lapsed while the database was unreachable — are told apart).
fn lease_token(worker_id: &str) -> String {
    format!("{worker_id}#{}", uuid::Uuid::new_v4().simple())
}

fn counter(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The values a completion writes, bound as `$1`..`$9` by [`bind_completion`].
struct Completed<'a> {
    id: JobId,
    lease_token: &'a str,
    results: &'a Value,
    progress: &'a JobProgress,
    counters: &'a JobCounters,
    now: i64,
}

/// Binds a completion's values to either of `complete`'s queries (the one-round-trip SQLite batch
/// and the transactional path).
fn bind_completion<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    completed: Completed<'_>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let counters = completed.counters;
    query
        .bind(completed.id.to_string())
        .bind(completed.lease_token.to_owned())
        .bind(to_json(completed.results))
        .bind(to_json(completed.progress))
        .bind(counters.total_tickets.map(counter))
        .bind(counter(counters.processed_tickets))
        .bind(counter(counters.successful_tickets))
        .bind(counter(counters.failed_tickets))
        .bind(completed.now)
}

impl Database {
    /// Claims up to `max` ready jobs of the given kinds for `worker_id`, leasing each for `lease`:
    /// status `processing`, `attempts + 1`. Highest priority first, then oldest `run_at`. Each
    /// returned job's `lease_owner` is this claim's own lease token (see [`lease_token`]): the
    /// fence every later write about the job must present.
    /// PostgreSQL skips rows other workers are claiming (`FOR UPDATE SKIP LOCKED`); SQLite has a
    /// single writer, so the one `UPDATE` is atomic.
    pub async fn claim(
        &self,
        worker_id: &str,
        kinds: &[&str],
        lease: Duration,
        max: usize,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        self.claim_due_by(worker_id, kinds, lease, max, Utc::now())
            .await
    }

    /// Like [`Self::claim`], but also takes jobs whose `run_at` is as late as `due_by`: lets tests
    /// and `drain` skip retry backoff without sleeping.
    pub async fn claim_due_by(
        &self,
        worker_id: &str,
        kinds: &[&str],
        lease: Duration,
        max: usize,
        due_by: DateTime<Utc>,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        if kinds.is_empty() || max == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        // PostgreSQL: skip rows other workers are claiming, and take the ids as an array: with
        // `id IN (subquery)` the cached generic plan (LIMIT unknown) hashes the whole table,
        // so every claim would scan every job ever kept.
        let (select_open, select_close) = match self.backend() {
            Backend::Postgres => ("= ANY(ARRAY(", " FOR UPDATE SKIP LOCKED))"),
            Backend::Sqlite => ("IN (", ")"),
        };
        let sql = format!(
            "UPDATE jobs SET status = 'processing', lease_owner = $1, lease_until = $2, \
             heartbeat_at = $3, claimed_at = $3, updated_at = $3, attempts = attempts + 1 \
             WHERE id {select_open}SELECT id FROM jobs WHERE status = 'started' AND run_at <= $5 \
             AND kind IN ({}) ORDER BY priority DESC, run_at, id LIMIT $4{select_close} \
             RETURNING {}",
            placeholders(6, kinds.len()),
            job_columns!()
        );
        let mut binds = vec![
            Bind::Text(lease_token(worker_id)),
            Bind::Int(now.saturating_add(duration_ms(lease))),
            Bind::Int(now),
            Bind::Int(i64::try_from(max).unwrap_or(i64::MAX)),
            Bind::Int(to_ms(due_by).max(now)),
        ];
        binds.extend(kinds.iter().map(|kind| Bind::Text((*kind).to_owned())));
        let _slot = self.writer_slot().await;
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_all(&self.inner.pool)
            .await?;
        let mut jobs = rows.iter().map(decode_job).collect::<Result<Vec<_>, _>>()?;
        jobs.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.run_at.cmp(&b.run_at))
                .then(a.id.cmp(&b.id))
        });
        Ok(jobs)
    }

    /// Claims one specific queued job for `worker_id`, whatever its `run_at`: how a request that
    /// answers synchronously runs the job it just enqueued in its own process. `None` when the
    /// job is no longer queued (another worker took it, or it was cancelled). Like [`Self::claim`],
    /// the job's `lease_owner` is a fresh lease token.
    pub async fn claim_by_id(
        &self,
        id: JobId,
        worker_id: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let now = now_ms();
        let sql = format!(
            "UPDATE jobs SET status = 'processing', lease_owner = $1, lease_until = $2, \
             heartbeat_at = $3, claimed_at = $3, updated_at = $3, attempts = attempts + 1 \
             WHERE id = $4 AND status = 'started' RETURNING {}",
            job_columns!()
        );
        let _slot = self.writer_slot().await;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lease_token(worker_id))
            .bind(now.saturating_add(duration_ms(lease)))
            .bind(now)
            .bind(id.to_string())
            .fetch_optional(&self.inner.pool)
            .await?;
        row.as_ref().map(decode_job).transpose()
    }

    /// Extends the lease and reports whether the worker should go on. A lease that has already
    /// lapsed is not revived: the reaper may be handing the job to another run at this moment, so
    /// the answer is [`HeartbeatOutcome::LeaseLost`].
    pub async fn heartbeat(
        &self,
        id: JobId,
        lease_token: &str,
        lease: Duration,
    ) -> Result<HeartbeatOutcome, StoreError> {
        let now = now_ms();
        let _slot = self.writer_slot().await;
        let cancel: Option<i64> = sqlx::query_scalar(
            "UPDATE jobs SET lease_until = $3, heartbeat_at = $4 WHERE id = $1 AND lease_owner = $2 \
             AND lease_until >= $4 RETURNING cancel_requested",
        )
        .bind(id.to_string())
        .bind(lease_token)
        .bind(now.saturating_add(duration_ms(lease)))
        .bind(now)
        .fetch_optional(&self.inner.pool)
        .await?;
        Ok(heartbeat_outcome(cancel))
    }

    /// Persists progress and counters (and extends the lease like a heartbeat, on the same terms).
    pub async fn report_progress(
        &self,
        id: JobId,
        lease_token: &str,
        lease: Duration,
        progress: &JobProgress,
        counters: &JobCounters,
    ) -> Result<HeartbeatOutcome, StoreError> {
        let now = now_ms();
        let slot = self.writer_slot().await;
        let cancel: Option<i64> = sqlx::query_scalar(
            "UPDATE jobs SET progress = $3, total_tickets = $4, processed_tickets = $5, \
             successful_tickets = $6, failed_tickets = $7, lease_until = $8, heartbeat_at = $9, \
             updated_at = $9 WHERE id = $1 AND lease_owner = $2 AND status = 'processing' \
             AND lease_until >= $9 RETURNING cancel_requested",
        )
        .bind(id.to_string())
        .bind(lease_token)
        .bind(to_json(progress))
        .bind(counters.total_tickets.map(counter))
        .bind(counter(counters.processed_tickets))
        .bind(counter(counters.successful_tickets))
        .bind(counter(counters.failed_tickets))
        .bind(now.saturating_add(duration_ms(lease)))
        .bind(now)
        .fetch_optional(&self.inner.pool)
        .await?;
        drop(slot);
        match cancel {
            Some(_) => Ok(heartbeat_outcome(cancel)),
            // Not processing any more: either cancelled (still ours) or lost.
            None => self.heartbeat(id, lease_token, lease).await,
        }
    }

    /// Records success: status `completed`, results, counters, final progress; frees the locks in
    /// the same transaction. If the job was cancelled meanwhile the status stays `cancelled` (the
    /// results are kept for inspection) and the locks are freed.
    pub async fn complete(
        &self,
        id: JobId,
        lease_token: &str,
        results: &Value,
        progress: &JobProgress,
        counters: &JobCounters,
    ) -> Result<FinishOutcome, StoreError> {
        let now = now_ms();
        if self.backend() == Backend::Postgres {
            // Group commit: the batcher records this completion together with any others
            // waiting, in one statement that also frees the locks. The rare cancelled /
            // lease-lost cases (and a failed batch) take the transaction below.
            let (reply, answer) = tokio::sync::oneshot::channel();
            let completion = Completion {
                id: id.to_string(),
                lease_token: lease_token.to_owned(),
                results: to_json(results),
                progress: to_json(progress),
                total: counters.total_tickets.map(counter).unwrap_or(-1),
                processed: counter(counters.processed_tickets),
                successful: counter(counters.successful_tickets),
                failed: counter(counters.failed_tickets),
                at: now,
                reply,
            };
            if self.completion_sender().send(completion).is_ok()
                && let Ok(Ok(true)) = answer.await
            {
                return Ok(FinishOutcome::Recorded);
            }
        }
        if self.backend() == Backend::Sqlite {
            // One round trip to the connection's thread for every job, with or without lock keys
            // (see `Database::sqlite_write_batch`). `changes()` is the row count of the most
            // recently *completed* INSERT/UPDATE/DELETE on the connection (sqlite3_changes; BEGIN
            // does not touch it), so inside the DELETE it is the UPDATE's: the locks go only when
            // this run's completion was recorded. A cancelled job or a lost lease (the UPDATE
            // matched nothing) takes the transaction below.
            let affected = self
                .sqlite_write_batch(bind_completion(
                    sqlx::query(
                        "BEGIN IMMEDIATE; UPDATE jobs SET status = 'completed', results = $3, \
                         progress = $4, total_tickets = $5, processed_tickets = $6, \
                         successful_tickets = $7, failed_tickets = $8, error = NULL, \
                         lease_owner = NULL, lease_until = NULL, completed_at = $9, \
                         updated_at = $9 WHERE id = $1 AND lease_owner = $2 \
                         AND status = 'processing'; \
                         DELETE FROM job_locks WHERE job_id = $1 AND changes() = 1; COMMIT",
                    ),
                    Completed {
                        id,
                        lease_token,
                        results,
                        progress,
                        counters,
                        now,
                    },
                ))
                .await?;
            if affected.get(1) == Some(&1) {
                return Ok(FinishOutcome::Recorded);
            }
        }
        let mut tx = self.begin_write().await?;
        let lock_keys: Option<String> = bind_completion(
            sqlx::query(
                "UPDATE jobs SET status = 'completed', results = $3, progress = $4, \
                 total_tickets = $5, processed_tickets = $6, successful_tickets = $7, \
                 failed_tickets = $8, error = NULL, lease_owner = NULL, lease_until = NULL, \
                 completed_at = $9, updated_at = $9 \
                 WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING lock_keys",
            ),
            Completed {
                id,
                lease_token,
                results,
                progress,
                counters,
                now,
            },
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| row.try_get("lock_keys"))
        .transpose()?;
        let outcome = match lock_keys {
            Some(keys) => {
                if keys != "[]" {
                    release_locks(&mut tx, id).await?;
                }
                FinishOutcome::Recorded
            }
            None => finish_cancelled(&mut tx, id, lease_token, Some(results), now).await?,
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records a failure. With `retry_at` the job goes back to the queue (`started`, runnable
    /// from `retry_at`, the error visible meanwhile, locks kept); without it the job is `failed`
    /// and its locks are freed in the same transaction.
    pub async fn fail(
        &self,
        id: JobId,
        lease_token: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        progress: &JobProgress,
        counters: &JobCounters,
    ) -> Result<FinishOutcome, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let (status, completed_at, run_at) = match retry_at {
            Some(at) => ("started", None, Some(to_ms(at))),
            None => ("failed", Some(now), None),
        };
        let lock_keys: Option<String> = sqlx::query_scalar(
            "UPDATE jobs SET status = $3, error = $4, progress = $5, total_tickets = $6, \
             processed_tickets = $7, successful_tickets = $8, failed_tickets = $9, \
             lease_owner = NULL, lease_until = NULL, completed_at = $10, \
             run_at = COALESCE($11, run_at), updated_at = $12 \
             WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING lock_keys",
        )
        .bind(id.to_string())
        .bind(lease_token)
        .bind(status)
        .bind(error)
        .bind(to_json(progress))
        .bind(counters.total_tickets.map(counter))
        .bind(counter(counters.processed_tickets))
        .bind(counter(counters.successful_tickets))
        .bind(counter(counters.failed_tickets))
        .bind(completed_at)
        .bind(run_at)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match lock_keys {
            Some(keys) => {
                if retry_at.is_none() && keys != "[]" {
                    release_locks(&mut tx, id).await?;
                }
                FinishOutcome::Recorded
            }
            None => finish_cancelled(&mut tx, id, lease_token, None, now).await?,
        };
        tx.commit().await?;
        if retry_at.is_some() && outcome == FinishOutcome::Recorded {
            self.wake_job_waiters();
        }
        Ok(outcome)
    }

    /// Graceful hand-back (shutdown): the job returns to the queue, runnable now, without counting
    /// the interrupted attempt. A cancelled job is finalised instead.
    pub async fn release(&self, id: JobId, lease_token: &str) -> Result<FinishOutcome, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let released = sqlx::query(
            "UPDATE jobs SET status = 'started', lease_owner = NULL, lease_until = NULL, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, run_at = $3, \
             updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'processing'",
        )
        .bind(id.to_string())
        .bind(lease_token)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let outcome = if released.rows_affected() == 1 {
            FinishOutcome::Recorded
        } else {
            finish_cancelled(&mut tx, id, lease_token, None, now).await?
        };
        tx.commit().await?;
        if outcome == FinishOutcome::Recorded {
            self.wake_job_waiters();
        }
        Ok(outcome)
    }

    /// Crash recovery, run periodically by any process: every job whose lease lapsed before `now`
    /// is handled once. A `processing` job is requeued or failed as `decide` says (it knows the
    /// kind's retry policy); a cancelled job whose worker died just frees its locks. Each row is
    /// updated only if its lease is still the expired one, so concurrent reapers and a late
    /// heartbeat cannot both win.
    pub async fn recover_expired_leases(
        &self,
        now: DateTime<Utc>,
        decide: impl Fn(&ExpiredLease) -> Recovery,
    ) -> Result<RecoveryReport, StoreError> {
        let now_ms = to_ms(now);
        let rows = sqlx::query(
            "SELECT id, kind, status, attempts, max_attempts, lease_owner FROM jobs \
             WHERE lease_owner IS NOT NULL AND lease_until < $1 ORDER BY lease_until LIMIT 500",
        )
        .bind(now_ms)
        .fetch_all(&self.inner.pool)
        .await?;
        let mut report = RecoveryReport::default();
        for row in rows {
            let id_text: String = row.try_get("id")?;
            let Ok(id) = JobId::parse(&id_text) else {
                continue;
            };
            let status: String = row.try_get("status")?;
            let lease = ExpiredLease {
                id,
                kind: row.try_get("kind")?,
                attempts: u32::try_from(row.try_get::<i64, _>("attempts")?.max(0)).unwrap_or(0),
                max_attempts: row
                    .try_get::<Option<i64>, _>("max_attempts")?
                    .map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
                lease_owner: row.try_get("lease_owner")?,
            };
            let mut tx = self.begin_write().await?;
            let guard = "id = $1 AND lease_owner = $2 AND lease_until < $3";
            if status == "processing" {
                match decide(&lease) {
                    Recovery::Retry { run_at } => {
                        let sql = format!(
                            "UPDATE jobs SET status = 'started', lease_owner = NULL, \
                             lease_until = NULL, run_at = $4, updated_at = $3, \
                             error = 'worker stopped responding; retrying' WHERE {guard} \
                             AND status = 'processing'"
                        );
                        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(id.to_string())
                            .bind(lease.lease_owner.as_str())
                            .bind(now_ms)
                            .bind(to_ms(run_at))
                            .execute(&mut *tx)
                            .await?;
                        report.requeued += done.rows_affected();
                    }
                    Recovery::Fail { error } => {
                        let sql = format!(
                            "UPDATE jobs SET status = 'failed', lease_owner = NULL, \
                             lease_until = NULL, error = $4, completed_at = $3, updated_at = $3 \
                             WHERE {guard} AND status = 'processing'"
                        );
                        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(id.to_string())
                            .bind(lease.lease_owner.as_str())
                            .bind(now_ms)
                            .bind(error)
                            .execute(&mut *tx)
                            .await?;
                        if done.rows_affected() == 1 {
                            release_locks(&mut tx, id).await?;
                        }
                        report.failed += done.rows_affected();
                    }
                }
            } else {
                let sql = format!(
                    "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, updated_at = $3 \
                     WHERE {guard}"
                );
                let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id.to_string())
                    .bind(lease.lease_owner.as_str())
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 1 {
                    release_locks(&mut tx, id).await?;
                }
                report.cancelled_released += done.rows_affected();
            }
            tx.commit().await?;
        }
        if report.requeued > 0 {
            self.wake_job_waiters();
        }
        Ok(report)
    }

    /// The earliest `run_at` of a queued job of these kinds, so an idle worker can sleep exactly
    /// until a delayed retry is due.
    pub async fn next_run_at(&self, kinds: &[&str]) -> Result<Option<DateTime<Utc>>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT MIN(run_at) FROM jobs WHERE status = 'started' AND kind IN ({})",
            placeholders(1, kinds.len())
        );
        let mut query = sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(sql));
        for kind in kinds {
            query = query.bind(*kind);
        }
        Ok(query.fetch_one(&self.inner.pool).await?.map(from_ms))
    }

    /// Announces a worker process (or refreshes it: an upsert, so a worker whose row was pruned
    /// reappears at its next heartbeat).
    pub async fn register_worker(&self, worker: &WorkerRegistration) -> Result<(), StoreError> {
        self.worker_heartbeat(worker).await
    }

    /// Refreshes a worker's `last_seen_at`.
    pub async fn worker_heartbeat(&self, worker: &WorkerRegistration) -> Result<(), StoreError> {
        let now = now_ms();
        let _slot = self.writer_slot().await;
        sqlx::query(
            "INSERT INTO workers (id, hostname, pid, kinds, concurrency, started_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        )
        .bind(worker.id.as_str())
        .bind(worker.hostname.as_str())
        .bind(i64::from(worker.pid))
        .bind(to_json(&worker.kinds))
        .bind(i64::from(worker.concurrency))
        .bind(now)
        .execute(&self.inner.pool)
        .await?;
        Ok(())
    }

    /// Removes a worker (graceful shutdown) and prunes workers silent for a day.
    pub async fn deregister_worker(&self, worker_id: &str) -> Result<(), StoreError> {
        let stale = now_ms() - duration_ms(Duration::from_secs(24 * 3600));
        let _slot = self.writer_slot().await;
        sqlx::query("DELETE FROM workers WHERE id = $1 OR last_seen_at < $2")
            .bind(worker_id)
            .bind(stale)
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }

    /// Workers seen since `since`, newest first.
    pub async fn live_workers(&self, since: DateTime<Utc>) -> Result<Vec<WorkerInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, hostname, pid, kinds, concurrency, started_at, last_seen_at FROM workers \
             WHERE last_seen_at >= $1 ORDER BY last_seen_at DESC, id",
        )
        .bind(to_ms(since))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(decode_worker).collect()
    }
}

fn heartbeat_outcome(cancel_requested: Option<i64>) -> HeartbeatOutcome {
    match cancel_requested {
        None => HeartbeatOutcome::LeaseLost,
        Some(0) => HeartbeatOutcome::Continue,
        Some(_) => HeartbeatOutcome::CancelRequested,
    }
}

/// The worker of a job that was cancelled while running has stopped: keep the `cancelled` status,
/// optionally keep the results it produced, let go of the lease and free the locks.
async fn finish_cancelled(
    tx: &mut WriteTx,
    id: JobId,
    lease_token: &str,
    results: Option<&Value>,
    now: i64,
) -> Result<FinishOutcome, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, updated_at = $3, \
         results = COALESCE($4, results) WHERE id = $1 AND lease_owner = $2 AND status = 'cancelled'",
    )
    .bind(id.to_string())
    .bind(lease_token)
    .bind(now)
    .bind(results.map(to_json))
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        release_locks(tx, id).await?;
        Ok(FinishOutcome::Cancelled)
    } else {
        Ok(FinishOutcome::LeaseLost)
    }
}
