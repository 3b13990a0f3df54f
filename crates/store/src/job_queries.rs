//! The client side of the job table, used by the HTTP API: enqueue with database-enforced dedupe,
//! read, list, find by issue key, cancel, metrics counts and retention.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use domain::job::{JobId, JobProgress, JobSortBy, JobStatus, SortOrder};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::database::{Backend, CANCEL_CHANNEL, Database, WriteTx};
use crate::enqueue_batch::{BatchOutcome, PendingEnqueue};
use crate::error::{ActiveConflict, CancelError, EnqueueError, StoreError};
use crate::records::{JobCount, JobFilter, JobPage, JobRecord, NewJob};
use crate::row::{decode_job, duration_ms, from_ms, job_columns, now_ms, to_json, to_ms};

/// How often enqueue retries when a conflicting lock vanished between the failed insert and the
/// look-up of its holder (the holder finished in that instant).
const ENQUEUE_ATTEMPTS: usize = 5;

/// A bind value for dynamically assembled SQL (filters, `IN` lists). Only values are bound; the
/// SQL text itself is assembled from constants, never from input.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for bind in binds {
        query = match bind {
            Bind::Text(text) => query.bind(text.as_str()),
            Bind::Int(int) => query.bind(*int),
        };
    }
    query
}

/// `$first, $first+1, ...` for `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Database {
    /// Enqueues a job. In ONE transaction the job row, its issue keys and all its lock keys are
    /// inserted; if an active job already holds any lock key, nothing is written and every
    /// conflicting key is reported. Atomic across processes and machines: the `job_locks`
    /// primary key decides. Wakes workers (in-process and, on PostgreSQL, via `NOTIFY`).
    /// On PostgreSQL the job goes into one statement with the other enqueues of this process
    /// waiting at that moment (group commit, `crate::enqueue_batch`), with the same outcome.
    pub async fn enqueue(&self, job: NewJob) -> Result<JobRecord, EnqueueError> {
        let lock_keys: Vec<String> = dedupe(job.lock_keys.iter().cloned());
        let has_issue_keys = job.ticket_key.is_some()
            || job
                .ticket_keys
                .as_ref()
                .is_some_and(|keys| !keys.is_empty())
            || job.story_key.is_some()
            || job.story_keys.as_ref().is_some_and(|keys| !keys.is_empty());
        if self.backend() == Backend::Postgres
            && let Some(record) = self.enqueue_grouped(&job, &lock_keys).await?
        {
            return Ok(record);
        }
        if lock_keys.is_empty() && !has_issue_keys {
            // One row, one statement: atomic without a transaction. The record is built here
            // rather than read back, which saves decoding a row per enqueue.
            let record = queued_record(&job, &lock_keys, now_ms());
            let slot = self.writer_slot().await;
            insert_job_query(INSERT_JOB_PLAIN, &job, &record, &lock_keys, &[], &[])
                .execute(&self.inner.pool)
                .await
                .map_err(StoreError::from)?;
            drop(slot);
            self.wake_job_waiters();
            return Ok(record);
        }
        if self.backend() == Backend::Sqlite {
            return self.enqueue_keyed_sqlite(&job, &lock_keys).await;
        }
        self.enqueue_keyed_postgres(&job, &lock_keys).await
    }

    /// PostgreSQL: hands the job to this process's enqueue group-commit task
    /// (`crate::enqueue_batch`), which inserts it in one statement together with every other
    /// enqueue waiting at that moment. `Ok(Some(record))`: committed. `Ok(None)`: not written —
    /// the statement failed for the group (a lock key taken, perhaps by another member) or the
    /// task is gone — and the caller enqueues the job alone, which reports its own conflicts.
    /// A group of one that hit a taken key looks the holders up at once, as the one-job path does.
    async fn enqueue_grouped(
        &self,
        job: &NewJob,
        lock_keys: &[String],
    ) -> Result<Option<JobRecord>, EnqueueError> {
        let record = queued_record(job, lock_keys, now_ms());
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = PendingEnqueue {
            row: JobRow::new(job, &record, lock_keys),
            issue_keys: issue_keys(job)
                .into_iter()
                .map(|(role, key)| (role, key.to_owned()))
                .collect(),
            lock_keys: lock_keys.to_vec(),
            reply,
        };
        if self.enqueue_sender().send(pending).is_err() {
            return Ok(None);
        }
        match answer.await {
            Ok(BatchOutcome::Written) => {
                self.wake_job_waiters();
                Ok(Some(record))
            }
            Ok(BatchOutcome::KeyTaken) => {
                let conflicts = self.lock_holders(lock_keys).await?;
                if conflicts.is_empty() {
                    // The holder finished in the meantime: the one-job path tries again.
                    Ok(None)
                } else {
                    Err(EnqueueError::Duplicate { conflicts })
                }
            }
            Ok(BatchOutcome::Alone) | Err(_) => Ok(None),
        }
    }

    /// PostgreSQL: a job with lock keys or issue keys, enqueued in ONE statement: the job row,
    /// its issue keys and its lock rows as data-modifying `WITH` parts of one `INSERT`. A
    /// statement is atomic, so a lock key held by another job (the `job_locks` primary key)
    /// fails the whole statement and writes nothing; the holders are then looked up, as on
    /// SQLite. Lock keys are inserted sorted, so two enqueues wanting overlapping keys take
    /// them in the same order and cannot deadlock. The record is built here (no `RETURNING`).
    async fn enqueue_keyed_postgres(
        &self,
        job: &NewJob,
        lock_keys: &[String],
    ) -> Result<JobRecord, EnqueueError> {
        let issue_keys = issue_keys(job);
        let mut sorted = lock_keys.to_vec();
        sorted.sort();
        // Binds as in `insert_job_query`: $1..$16 the job row, two per issue key, one per lock.
        let mut parts = Vec::new();
        let mut next = 17;
        if !issue_keys.is_empty() {
            parts.push(format!(
                "issue_keys AS (INSERT INTO job_keys (role, issue_key, job_id) VALUES {})",
                (0..issue_keys.len())
                    .map(|i| format!("(${}, ${}, $1)", next + 2 * i, next + 2 * i + 1))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            next += 2 * issue_keys.len();
        }
        if !sorted.is_empty() {
            parts.push(format!(
                "locks AS (INSERT INTO job_locks (lock_key, job_id) VALUES {})",
                (0..sorted.len())
                    .map(|i| format!("(${}, $1)", next + i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut sql = String::new();
        if !parts.is_empty() {
            sql.push_str("WITH ");
            sql.push_str(&parts.join(", "));
            sql.push(' ');
        }
        sql.push_str(INSERT_JOB_PLAIN);
        for _ in 0..ENQUEUE_ATTEMPTS {
            let record = queued_record(job, lock_keys, now_ms());
            let query = insert_job_query(&sql, job, &record, lock_keys, &issue_keys, &sorted);
            match query.execute(&self.inner.pool).await {
                Ok(_) => {
                    self.wake_job_waiters();
                    return Ok(record);
                }
                // The job id is new, so the only unique key the statement can hit is a lock's.
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {}
                Err(error) => return Err(EnqueueError::Store(error.into())),
            }
            let conflicts = self.lock_holders(lock_keys).await?;
            if !conflicts.is_empty() {
                return Err(EnqueueError::Duplicate { conflicts });
            }
            // The holders finished between our insert and the look-up: try again.
        }
        Err(EnqueueError::Store(StoreError::Contention(
            "lock keys kept changing hands while enqueueing",
        )))
    }

    /// SQLite: a job with lock keys or issue keys, enqueued in ONE round trip to the connection's
    /// thread (see [`Database::sqlite_write_batch`]): `BEGIN IMMEDIATE`, the job row, its issue
    /// keys, its lock rows, `COMMIT`. A lock key held by another job fails the `job_locks` insert
    /// on its primary key; the batch is then rolled back and the holders are looked up, as on
    /// PostgreSQL. The record is built here rather than read back (no `RETURNING`).
    async fn enqueue_keyed_sqlite(
        &self,
        job: &NewJob,
        lock_keys: &[String],
    ) -> Result<JobRecord, EnqueueError> {
        let issue_keys = issue_keys(job);
        // Binds: $1..$16 the job row (`INSERT_JOB_PLAIN`), then two per issue key, then one per
        // lock key. sqlx-sqlite numbers `$N` across all statements of one query string.
        let mut sql = String::from("BEGIN IMMEDIATE; ");
        sql.push_str(INSERT_JOB_PLAIN);
        let mut statements = 2;
        let mut next = 17;
        if !issue_keys.is_empty() {
            let values: Vec<String> = (0..issue_keys.len())
                .map(|i| format!("(${}, ${}, $1)", next + 2 * i, next + 2 * i + 1))
                .collect();
            sql.push_str("; INSERT INTO job_keys (role, issue_key, job_id) VALUES ");
            sql.push_str(&values.join(", "));
            next += 2 * issue_keys.len();
            statements += 1;
        }
        // The statement whose failure means "a lock key is taken".
        let locks_statement = statements;
        if !lock_keys.is_empty() {
            sql.push_str("; INSERT INTO job_locks (lock_key, job_id) VALUES ");
            sql.push_str(
                &(0..lock_keys.len())
                    .map(|i| format!("(${}, $1)", next + i))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        sql.push_str("; COMMIT");

        for _ in 0..ENQUEUE_ATTEMPTS {
            let record = queued_record(job, lock_keys, now_ms());
            let query = insert_job_query(&sql, job, &record, lock_keys, &issue_keys, lock_keys);
            let failed = match self.sqlite_write_batch(query).await {
                Ok(_) => {
                    self.wake_job_waiters();
                    return Ok(record);
                }
                Err(failed) => failed,
            };
            let key_taken = !lock_keys.is_empty()
                && failed.completed == locks_statement
                && matches!(&failed.error, sqlx::Error::Database(db) if db.is_unique_violation());
            if !key_taken {
                return Err(EnqueueError::Store(failed.into()));
            }
            // Rolled back: every holder of one of our keys is another job.
            let conflicts = self.lock_holders(lock_keys).await?;
            if !conflicts.is_empty() {
                return Err(EnqueueError::Duplicate { conflicts });
            }
            // The holders finished between our insert and the look-up: try again.
        }
        Err(EnqueueError::Store(StoreError::Contention(
            "lock keys kept changing hands while enqueueing",
        )))
    }

    /// The active jobs holding any of `keys`, in the order of `keys`.
    pub async fn lock_holders(&self, keys: &[String]) -> Result<Vec<ActiveConflict>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT l.lock_key, l.job_id, j.status FROM job_locks l JOIN jobs j ON j.id = l.job_id \
             WHERE l.lock_key IN ({})",
            placeholders(1, keys.len())
        );
        let binds: Vec<Bind> = keys.iter().cloned().map(Bind::Text).collect();
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_all(&self.inner.pool)
            .await?;
        let mut conflicts = Vec::with_capacity(rows.len());
        for row in &rows {
            let job_id: String = row.try_get("job_id")?;
            let status: String = row.try_get("status")?;
            let corrupt = |column, reason: String| StoreError::Corrupt {
                job_id: job_id.clone(),
                column,
                reason,
            };
            conflicts.push(ActiveConflict {
                lock_key: row.try_get("lock_key")?,
                job_id: JobId::parse(&job_id).map_err(|e| corrupt("id", e.to_string()))?,
                status: status
                    .parse()
                    .map_err(|e: domain::job::UnknownJobStatus| corrupt("status", e.to_string()))?,
            });
        }
        conflicts.sort_by_key(|conflict| keys.iter().position(|key| *key == conflict.lock_key));
        Ok(conflicts)
    }

    /// One job by id.
    pub async fn get(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?;
        row.as_ref().map(decode_job).transpose()
    }

    /// A filtered, sorted page of jobs and the total number of matches.
    pub async fn list(&self, filter: &JobFilter) -> Result<JobPage, StoreError> {
        let (where_sql, mut binds) = filter_clause(filter);
        let count_sql = format!("SELECT COUNT(*) FROM jobs{where_sql}");
        let total: i64 = {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql));
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text.as_str()),
                    Bind::Int(int) => query.bind(*int),
                };
            }
            query.fetch_one(&self.inner.pool).await?
        };
        let column = sort_column(filter.sort_by);
        let direction = match filter.sort_order {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        };
        let next = binds.len() + 1;
        let sql = format!(
            "SELECT {} FROM jobs{where_sql} ORDER BY CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, \
             {column} {direction}, id {direction} LIMIT ${next} OFFSET ${}",
            job_columns!(),
            next + 1
        );
        binds.push(Bind::Int(i64::try_from(filter.limit).unwrap_or(i64::MAX)));
        binds.push(Bind::Int(i64::try_from(filter.offset).unwrap_or(i64::MAX)));
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_all(&self.inner.pool)
            .await?;
        let jobs = rows.iter().map(decode_job).collect::<Result<Vec<_>, _>>()?;
        Ok(JobPage {
            jobs,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// `GET /jobs/ticket/{key}`: the active job holding or naming `key` (as lock key, ticket or
    /// story key), else the most recent job naming it.
    pub async fn find_for_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs JOIN (SELECT job_id FROM job_keys WHERE issue_key = $1 \
             UNION SELECT job_id FROM job_locks WHERE lock_key = $1) named ON named.job_id = id \
             ORDER BY CASE WHEN status IN ('started', 'processing') THEN 0 ELSE 1 END, \
             created_at DESC, id DESC LIMIT 1"
        ))
        .bind(key)
        .fetch_optional(&self.inner.pool)
        .await?;
        row.as_ref().map(decode_job).transpose()
    }

    /// Cancels a job and answers at once. A queued job becomes `cancelled` and frees its locks
    /// immediately. A running job becomes `cancelled` with `cancel_requested` set: its worker (in
    /// any process) stops at its next checkpoint and then frees the locks; it can no longer change
    /// the status.
    pub async fn cancel(&self, id: JobId) -> Result<JobRecord, CancelError> {
        let mut tx = self.begin_write().await?;
        let select = match self.backend() {
            Backend::Postgres => {
                concat!(
                    "SELECT ",
                    job_columns!(),
                    " FROM jobs WHERE id = $1 FOR UPDATE"
                )
            }
            Backend::Sqlite => concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1"),
        };
        let row = sqlx::query(select)
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(CancelError::NotFound);
        };
        let mut record = decode_job(&row)?;
        if !record.status.is_active() {
            return Err(CancelError::NotActive(record.status));
        }
        let now = now_ms();
        let was_running = record.status == JobStatus::Processing;
        record.progress.message = "Job cancelled".to_owned();
        sqlx::query(
            "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, progress = $2, \
             completed_at = $3, updated_at = $3 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(to_json(&record.progress))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if was_running {
            if self.backend() == Backend::Postgres {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CANCEL_CHANNEL)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        } else {
            release_locks(&mut tx, id).await?;
        }
        tx.commit().await?;
        if was_running {
            self.wake_cancel_waiters();
        }
        record.status = JobStatus::Cancelled;
        record.cancel_requested = true;
        record.completed_at = Some(crate::row::from_ms(now));
        record.updated_at = crate::row::from_ms(now);
        Ok(record)
    }

    /// Merges `patch` into a job's extra response fields (a `null` value removes the field).
    /// With `lease_token`, only the run holding that lease may write. Returns whether the job was
    /// updated. The read and the write happen under the row's write lock (PostgreSQL: `FOR
    /// UPDATE`; SQLite: the single writer), so two concurrent merges never lose each other's keys.
    pub async fn merge_attributes(
        &self,
        id: JobId,
        lease_token: Option<&str>,
        patch: &Map<String, Value>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let lock = self.row_lock();
        let sql = format!("SELECT attributes, lease_owner FROM jobs WHERE id = $1{lock}");
        let current: Option<(String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some((text, owner)) = current else {
            return Ok(false);
        };
        if lease_token.is_some() && owner.as_deref() != lease_token {
            return Ok(false);
        }
        let mut attributes: Map<String, Value> =
            serde_json::from_str(&text).map_err(|error| StoreError::Corrupt {
                job_id: id.to_string(),
                column: "attributes",
                reason: error.to_string(),
            })?;
        for (name, value) in patch {
            if value.is_null() {
                attributes.remove(name);
            } else {
                attributes.insert(name.clone(), value.clone());
            }
        }
        sqlx::query("UPDATE jobs SET attributes = $2, updated_at = $3 WHERE id = $1")
            .bind(id.to_string())
            .bind(to_json(&attributes))
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Jobs waiting to run (status `started`).
    pub async fn queue_depth(&self) -> Result<u64, StoreError> {
        let depth: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'started'")
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(u64::try_from(depth).unwrap_or(0))
    }

    /// Job counts by kind and status, for metrics.
    pub async fn counts_by_kind_and_status(&self) -> Result<Vec<JobCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status ORDER BY kind, status",
        )
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|row: &AnyRow| {
                let kind: String = row.try_get("kind")?;
                let status: String = row.try_get("status")?;
                let count: i64 = row.try_get("n")?;
                Ok(JobCount {
                    status: status.parse().map_err(|e: domain::job::UnknownJobStatus| {
                        StoreError::Corrupt {
                            job_id: format!("(kind {kind})"),
                            column: "status",
                            reason: e.to_string(),
                        }
                    })?,
                    kind,
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Retention: deletes jobs that reached a final status before `cutoff` (and whose worker has
    /// let go). Returns how many were deleted.
    pub async fn purge_finished_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        let _slot = self.writer_slot().await;
        let done = sqlx::query(
            "DELETE FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') \
             AND lease_owner IS NULL AND completed_at < $1",
        )
        .bind(to_ms(cutoff))
        .execute(&self.inner.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn dedupe(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    keys.filter(|key| seen.insert(key.clone())).collect()
}

/// An enqueue's query with its binds: $1..$16 the job row ([`INSERT_JOB_PLAIN`]), then
/// role and key of each issue key, then each of `lock_rows` (the lock keys in the order the
/// statement inserts them). `lock_keys` is the job's own list, stored on the row.
fn insert_job_query<'q>(
    sql: &'q str,
    job: &'q NewJob,
    record: &JobRecord,
    lock_keys: &[String],
    issue_keys: &[(&'q str, &'q str)],
    lock_rows: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = JobRow::new(job, record, lock_keys).bind(sqlx::query(sqlx::AssertSqlSafe(sql)));
    for (role, key) in issue_keys {
        query = query.bind(*role).bind(*key);
    }
    for key in lock_rows {
        query = query.bind(key.as_str());
    }
    query
}

/// One job's row, serialised once, as bound to `$1..$16` of [`INSERT_JOB_PLAIN`] (the one-job
/// statements here, and each row of a grouped enqueue, `crate::enqueue_batch`).
pub(crate) struct JobRow {
    pub(crate) id: String,
    kind: String,
    payload: String,
    progress: String,
    total_tickets: Option<i64>,
    ticket_key: Option<String>,
    ticket_keys: Option<String>,
    story_key: Option<String>,
    story_keys: Option<String>,
    attributes: String,
    lock_keys: String,
    priority: i64,
    max_attempts: Option<i64>,
    run_at: i64,
    timeout_ms: Option<i64>,
    created_at: i64,
}

impl JobRow {
    /// Bind parameters per job row.
    pub(crate) const BINDS: usize = 16;

    /// `record` is [`queued_record`]'s for `job`; `lock_keys` the job's deduplicated keys.
    pub(crate) fn new(job: &NewJob, record: &JobRecord, lock_keys: &[String]) -> Self {
        Self {
            id: job.id.to_string(),
            kind: job.kind.clone(),
            payload: to_json(&job.payload),
            progress: to_json(&record.progress),
            total_tickets: job
                .total_tickets
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            ticket_key: job.ticket_key.clone(),
            ticket_keys: job.ticket_keys.as_ref().map(to_json),
            story_key: job.story_key.clone(),
            story_keys: job.story_keys.as_ref().map(to_json),
            attributes: to_json(&job.attributes),
            lock_keys: to_json(&lock_keys),
            priority: job.priority,
            max_attempts: job.max_attempts.map(i64::from),
            run_at: to_ms(record.run_at),
            timeout_ms: job.timeout.map(duration_ms),
            created_at: to_ms(record.created_at),
        }
    }

    /// Appends the row's 16 binds to `query`, in the order of [`INSERT_JOB_PLAIN`].
    pub(crate) fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        query
            .bind(self.id)
            .bind(self.kind)
            .bind(self.payload)
            .bind(self.progress)
            .bind(self.total_tickets)
            .bind(self.ticket_key)
            .bind(self.ticket_keys)
            .bind(self.story_key)
            .bind(self.story_keys)
            .bind(self.attributes)
            .bind(self.lock_keys)
            .bind(self.priority)
            .bind(self.max_attempts)
            .bind(self.run_at)
            .bind(self.timeout_ms)
            .bind(self.created_at)
    }
}

/// Inserts `job` (which has no lock or issue keys) inside the caller's transaction, so a row of
/// another table and the job that works it commit together. The caller wakes workers after the
/// commit ([`Database::wake_job_waiters`]).
pub(crate) async fn insert_plain_job(
    conn: &mut sqlx::AnyConnection,
    job: &NewJob,
) -> Result<JobRecord, StoreError> {
    debug_assert!(job.lock_keys.is_empty());
    let record = queued_record(job, &[], now_ms());
    insert_job_query(INSERT_JOB_PLAIN, job, &record, &[], &[], &[])
        .execute(conn)
        .await?;
    Ok(record)
}

/// A statement inserting one queued job (binds `$1..$16` as [`insert_job_query`]) only when
/// `condition` holds, for a write batch whose earlier statement decides whether the job exists.
pub(crate) fn insert_plain_job_when(condition: &str) -> String {
    let head = INSERT_JOB_HEAD.trim_end().trim_end_matches("VALUES");
    let values = INSERT_JOB_VALUES
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    format!("{head} SELECT {values} WHERE {condition}")
}

/// [`insert_job_query`] for a job without lock or issue keys: the job's binds (`$1..$16`) first,
/// for `sql` to add its own after them.
pub(crate) fn plain_job_binds<'q>(
    sql: &'q str,
    job: &'q NewJob,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    insert_job_query(sql, job, &queued_record(job, &[], now_ms()), &[], &[], &[])
}

/// The head of the insert of queued jobs, up to `VALUES`.
macro_rules! insert_job_head {
    () => {
        "INSERT INTO jobs (id, kind, status, payload, progress, results, error, total_tickets, \
     processed_tickets, successful_tickets, failed_tickets, ticket_key, ticket_keys, story_key, \
     story_keys, attributes, lock_keys, priority, attempts, max_attempts, run_at, lease_owner, \
     lease_until, heartbeat_at, cancel_requested, timeout_ms, created_at, claimed_at, \
     completed_at, updated_at) VALUES "
    };
}
/// One queued job's values; binds in the order of [`JobRow::bind`].
macro_rules! insert_job_values {
    () => {
        "($1, $2, 'started', $3, $4, NULL, NULL, $5, 0, 0, 0, $6, \
     $7, $8, $9, $10, $11, $12, 0, $13, $14, NULL, NULL, NULL, 0, $15, $16, NULL, NULL, $16)"
    };
}
/// Inserts a queued job; binds in the order of [`insert_job_query`].
const INSERT_JOB_PLAIN: &str = concat!(insert_job_head!(), insert_job_values!());
/// [`INSERT_JOB_PLAIN`] up to `VALUES `, for a statement inserting several jobs.
pub(crate) const INSERT_JOB_HEAD: &str = insert_job_head!();
/// [`INSERT_JOB_PLAIN`]'s row of values (`$1..$16`), to be renumbered for each further row.
pub(crate) const INSERT_JOB_VALUES: &str = insert_job_values!();

/// The record a freshly queued job has, as the database holds it (timestamps at millisecond
/// precision) after an insert with the binds of [`insert_job_query`]; `lock_keys` deduplicated.
pub(crate) fn queued_record(job: &NewJob, lock_keys: &[String], now: i64) -> JobRecord {
    let at = from_ms(now);
    JobRecord {
        id: job.id,
        kind: job.kind.clone(),
        status: JobStatus::Started,
        payload: job.payload.clone(),
        progress: JobProgress::message(job.message.clone()),
        results: None,
        error: None,
        counters: domain::job::JobCounters {
            total_tickets: job.total_tickets,
            ..Default::default()
        },
        ticket_key: job.ticket_key.clone(),
        ticket_keys: job.ticket_keys.clone(),
        story_key: job.story_key.clone(),
        story_keys: job.story_keys.clone(),
        attributes: job.attributes.clone(),
        lock_keys: lock_keys.to_vec(),
        priority: job.priority,
        attempts: 0,
        max_attempts: job.max_attempts,
        run_at: job
            .run_at
            .map(|run_at| from_ms(to_ms(run_at)))
            .unwrap_or(at),
        lease_owner: None,
        lease_until: None,
        heartbeat_at: None,
        cancel_requested: false,
        timeout: job
            .timeout
            .map(|timeout| std::time::Duration::from_millis(duration_ms(timeout).max(0) as u64)),
        created_at: at,
        claimed_at: None,
        completed_at: None,
        updated_at: at,
    }
}

/// The `(role, issue_key)` rows of `job_keys` a job gets, without repeats.
fn issue_keys(job: &NewJob) -> Vec<(&'static str, &str)> {
    let tickets = job
        .ticket_key
        .iter()
        .chain(job.ticket_keys.iter().flatten())
        .map(|key| ("ticket", key.as_str()));
    let stories = job
        .story_key
        .iter()
        .chain(job.story_keys.iter().flatten())
        .map(|key| ("story", key.as_str()));
    let mut seen = BTreeSet::new();
    tickets
        .chain(stories)
        .filter(|pair| seen.insert(*pair))
        .collect()
}

/// Frees a job's dedupe keys; called in the transaction that ends the job's activity.
pub(crate) async fn release_locks(tx: &mut WriteTx, id: JobId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM job_locks WHERE job_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn filter_clause(filter: &JobFilter) -> (String, Vec<Bind>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut push = |clause: &str, bind: Bind| {
        binds.push(bind);
        clauses.push(clause.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(status) = filter.status {
        push("status = $?", Bind::Text(status.as_str().to_owned()));
    }
    if let Some(kind) = &filter.job_type {
        push("kind = $?", Bind::Text(kind.clone()));
    }
    if let Some(id) = &filter.job_id {
        push("id = $?", Bind::Text(id.clone()));
    }
    if let Some(key) = &filter.ticket_key {
        push(
            "id IN (SELECT job_id FROM job_keys WHERE role = 'ticket' AND issue_key = $?)",
            Bind::Text(key.clone()),
        );
    }
    if let Some(key) = &filter.story_key {
        push(
            "id IN (SELECT job_id FROM job_keys WHERE role = 'story' AND issue_key = $?)",
            Bind::Text(key.clone()),
        );
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, binds)
}

/// The column for a sort key: a closed mapping, so no input ever reaches the SQL text.
fn sort_column(sort: JobSortBy) -> &'static str {
    match sort {
        JobSortBy::StartedAt => "created_at",
        JobSortBy::CompletedAt => "completed_at",
        JobSortBy::Status => "status",
        JobSortBy::JobType => "kind",
        JobSortBy::JobId => "id",
        JobSortBy::ProcessedTickets => "processed_tickets",
        JobSortBy::SuccessfulTickets => "successful_tickets",
        JobSortBy::FailedTickets => "failed_tickets",
    }
}
