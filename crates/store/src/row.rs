//! Decoding job rows (TEXT/BIGINT only, as the `Any` driver requires) into [`JobRecord`]s, and the
//! unix-millisecond timestamp convention.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::job::{JobCounters, JobId, JobProgress, JobStatus};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::StoreError;
use crate::records::{JobRecord, WorkerInfo};

/// The job columns in the order [`decode_job`] reads them; a macro so it can be `concat!`ed into
/// static SQL.
macro_rules! job_columns {
    () => {
        "id, kind, status, payload, progress, results, error, total_tickets, processed_tickets, \
         successful_tickets, failed_tickets, ticket_key, ticket_keys, story_key, story_keys, \
         attributes, lock_keys, priority, attempts, max_attempts, run_at, lease_owner, lease_until, \
         heartbeat_at, cancel_requested, timeout_ms, created_at, claimed_at, completed_at, updated_at"
    };
}
pub(crate) use job_columns;

/// Unix milliseconds of a timestamp.
pub(crate) fn to_ms(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// The current time in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    to_ms(Utc::now())
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

pub(crate) fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn small(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

struct Decoder<'r> {
    row: &'r AnyRow,
    id: String,
}

impl Decoder<'_> {
    fn json<T: DeserializeOwned>(&self, column: &'static str) -> Result<T, StoreError> {
        let text: String = self.row.try_get(column)?;
        serde_json::from_str(&text).map_err(|error| self.corrupt(column, error))
    }

    fn opt_json<T: DeserializeOwned>(&self, column: &'static str) -> Result<Option<T>, StoreError> {
        let text: Option<String> = self.row.try_get(column)?;
        text.map(|text| serde_json::from_str(&text).map_err(|error| self.corrupt(column, error)))
            .transpose()
    }

    fn corrupt(&self, column: &'static str, reason: impl ToString) -> StoreError {
        StoreError::Corrupt {
            job_id: self.id.clone(),
            column,
            reason: reason.to_string(),
        }
    }
}

/// Decodes a row selected with [`job_columns!`].
pub(crate) fn decode_job(row: &AnyRow) -> Result<JobRecord, StoreError> {
    let id_text: String = row.try_get("id")?;
    let decoder = Decoder {
        row,
        id: id_text.clone(),
    };
    let id = JobId::parse(&id_text).map_err(|error| decoder.corrupt("id", error))?;
    let status_text: String = row.try_get("status")?;
    let status: JobStatus = status_text
        .parse()
        .map_err(|error| decoder.corrupt("status", error))?;
    let progress: JobProgress = decoder.json("progress")?;
    let opt_ms = |column: &'static str| -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_ms))
    };
    Ok(JobRecord {
        id,
        kind: row.try_get("kind")?,
        status,
        payload: decoder.json("payload")?,
        progress,
        results: decoder.opt_json("results")?,
        error: row.try_get("error")?,
        counters: JobCounters {
            total_tickets: row.try_get::<Option<i64>, _>("total_tickets")?.map(count),
            processed_tickets: count(row.try_get("processed_tickets")?),
            successful_tickets: count(row.try_get("successful_tickets")?),
            failed_tickets: count(row.try_get("failed_tickets")?),
        },
        ticket_key: row.try_get("ticket_key")?,
        ticket_keys: decoder.opt_json("ticket_keys")?,
        story_key: row.try_get("story_key")?,
        story_keys: decoder.opt_json("story_keys")?,
        attributes: decoder.json("attributes")?,
        lock_keys: decoder.json("lock_keys")?,
        priority: row.try_get("priority")?,
        attempts: small(row.try_get("attempts")?),
        max_attempts: row.try_get::<Option<i64>, _>("max_attempts")?.map(small),
        run_at: from_ms(row.try_get("run_at")?),
        lease_owner: row.try_get("lease_owner")?,
        lease_until: opt_ms("lease_until")?,
        heartbeat_at: opt_ms("heartbeat_at")?,
        cancel_requested: row.try_get::<i64, _>("cancel_requested")? != 0,
        timeout: row
            .try_get::<Option<i64>, _>("timeout_ms")?
            .map(|ms| Duration::from_millis(count(ms))),
        created_at: from_ms(row.try_get("created_at")?),
        claimed_at: opt_ms("claimed_at")?,
        completed_at: opt_ms("completed_at")?,
        updated_at: from_ms(row.try_get("updated_at")?),
    })
}

/// Decodes a `workers` row.
pub(crate) fn decode_worker(row: &AnyRow) -> Result<WorkerInfo, StoreError> {
    let id: String = row.try_get("id")?;
    let kinds_text: String = row.try_get("kinds")?;
    let kinds = serde_json::from_str(&kinds_text).map_err(|error| StoreError::Corrupt {
        job_id: id.clone(),
        column: "kinds",
        reason: error.to_string(),
    })?;
    Ok(WorkerInfo {
        id,
        hostname: row.try_get("hostname")?,
        pid: small(row.try_get("pid")?),
        kinds,
        concurrency: small(row.try_get("concurrency")?),
        started_at: from_ms(row.try_get("started_at")?),
        last_seen_at: from_ms(row.try_get("last_seen_at")?),
    })
}

/// Serialises a value the store itself built; these types cannot fail to serialise.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
