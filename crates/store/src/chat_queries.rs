//! Chat conversations, tasks and their steps (migration 0005, docs/chat.md).
//!
//! A task and the job that works it are written in one transaction, both when a message
//! arrives and when the user answers a proposal, so a task is never left "processing" with no
//! job to process it. The agent's state is written after every step guarded by `version`: a
//! run that lost its job's lease (another run took over) finds its write refused and stops.
//! A waiting task past its `expires_at` turns `failed` the first time anyone reads it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::chat_batch::{PendingSend, SendOutcome, send_statements};
use crate::chat_records::{
    ChatCheckpoint, ChatError, ChatEvent, ChatOutcome, ChatStatus, ChatTaskRecord,
    ConversationRecord, NewChatTask, StartedChatTask,
};
use crate::database::{Backend, Database};
use crate::error::StoreError;
use crate::job_queries::{insert_plain_job, plain_job_binds};
use crate::records::NewJob;
use crate::row::{from_ms, now_ms, to_json};

const TASK_COLUMNS: &str = "id, conversation_id, user_id, seq, message, output_format, status, \
                            step, state, version, job_id, proposal, proposal_hash, expires_at, \
                            decision, result, reply, error, created_at, updated_at";

/// How long a conversation title is, in characters.
const TITLE_CHARS: usize = 80;

impl Database {
    /// Records a new message (and its conversation, when new) and enqueues `job` to work it, in
    /// one transaction. Refused when the conversation belongs to someone else or was deleted
    /// ([`ChatError::ConversationNotFound`]), when its previous message is still processing, or
    /// when the user has `max_active_per_user` tasks processing.
    pub async fn start_chat_task(
        &self,
        task: &NewChatTask,
        job: &NewJob,
    ) -> Result<StartedChatTask, ChatError> {
        if self.backend() == Backend::Sqlite {
            return self.start_chat_task_sqlite(task, job).await;
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        // One user's messages are recorded one at a time, so two at once cannot both pass the
        // limit (or both take the conversation's next sequence number).
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(task.user_id.clone())
            .execute(&mut *tx)
            .await?;
        let checks = read_checks(&mut tx, task).await?;
        if let Some(refusal) = checks.refusal(task) {
            return Err(refusal);
        }
        if checks.owner.is_some() {
            sqlx::query("UPDATE chat_conversations SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(task.conversation_id.clone())
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO chat_conversations (id, user_id, title, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(task.conversation_id.clone())
            .bind(task.user_id.clone())
            .bind(title_of(&task.message))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO chat_tasks (id, conversation_id, user_id, seq, message, output_format, \
             status, step, state, version, job_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'processing', $7, $8, 1, $9, $10, $10)",
        )
        .bind(task.task_id.clone())
        .bind(task.conversation_id.clone())
        .bind(task.user_id.clone())
        .bind(checks.next_seq)
        .bind(task.message.clone())
        .bind(task.output_format.clone())
        .bind(task.step.clone())
        .bind(to_json(&task.state))
        .bind(job.id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_plain_job(&mut tx, job).await?;
        tx.commit().await?;
        self.wake_job_waiters();
        Ok(started(task, now))
    }

    /// SQLite: the message, its conversation and its job written by the group-commit task
    /// (`crate::chat_batch`) with the messages sent at the same moment, the checks inside the
    /// statements: the task is inserted only if they pass, and the conversation and the job
    /// only if the task was (`changes()`). A refusal writes nothing and is explained by reading
    /// the checks afterwards. Should the group fail, the message is written alone.
    async fn start_chat_task_sqlite(
        &self,
        task: &NewChatTask,
        job: &NewJob,
    ) -> Result<StartedChatTask, ChatError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = PendingSend {
            task: task.clone(),
            job: job.clone(),
            reply,
        };
        if self.chat_send_sender().send(pending).is_ok() {
            match answer.await {
                Ok(SendOutcome::Written(at)) => return Ok(started(task, at)),
                Ok(SendOutcome::Refused) => {
                    let mut conn = self.pool().acquire().await?;
                    if let Some(refusal) = read_checks(&mut conn, task).await?.refusal(task) {
                        return Err(refusal);
                    }
                    // What refused it changed before it could be read (a task finished).
                }
                Ok(SendOutcome::Alone) | Err(_) => {}
            }
        }
        self.start_chat_task_alone(task, job).await
    }

    /// SQLite: one message in its own batch (one round trip).
    async fn start_chat_task_alone(
        &self,
        task: &NewChatTask,
        job: &NewJob,
    ) -> Result<StartedChatTask, ChatError> {
        let sql = format!("BEGIN IMMEDIATE; {}; COMMIT", send_statements());
        for _ in 0..3 {
            let now = now_ms();
            let query = plain_job_binds(&sql, job)
                .bind(task.task_id.clone())
                .bind(task.conversation_id.clone())
                .bind(task.user_id.clone())
                .bind(task.message.clone())
                .bind(task.output_format.clone())
                .bind(task.step.clone())
                .bind(to_json(&task.state))
                .bind(now)
                .bind(i64::from(task.max_active_per_user))
                .bind(title_of(&task.message));
            let affected = self
                .sqlite_write_batch(query)
                .await
                .map_err(|failed| ChatError::Store(failed.into()))?;
            if affected.get(1) == Some(&1) {
                self.wake_job_waiters();
                return Ok(started(task, now));
            }
            let mut conn = self.pool().acquire().await?;
            if let Some(refusal) = read_checks(&mut conn, task).await?.refusal(task) {
                return Err(refusal);
            }
            // What refused the message changed before it could be read (a task finished): again.
        }
        Err(ChatError::Store(StoreError::Contention(
            "the user's chat tasks kept changing while a message was recorded",
        )))
    }

    /// A task by id; a waiting task past its expiry is failed first (see the module docs).
    pub async fn chat_task(&self, id: &str) -> Result<Option<ChatTaskRecord>, StoreError> {
        let Some(task) = self.read_chat_task(id).await? else {
            return Ok(None);
        };
        match expired(&task) {
            Some(expiry) => {
                self.expire_chat_task(&task, expiry).await?;
                self.read_chat_task(id).await
            }
            None => Ok(Some(task)),
        }
    }

    async fn read_chat_task(&self, id: &str) -> Result<Option<ChatTaskRecord>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM chat_tasks WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode_task).transpose()
    }

    async fn expire_chat_task(
        &self,
        task: &ChatTaskRecord,
        expiry: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let error = format!(
            "The proposal was not confirmed before it expired at {}; nothing was written. Send the request again to get a new proposal.",
            expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE chat_tasks SET status = 'failed', error = $1, version = version + 1, \
             updated_at = $2 WHERE id = $3 AND status = 'waiting_confirmation' AND version = $4",
        )
        .bind(error.clone())
        .bind(now_ms())
        .bind(task.id.clone())
        .bind(task.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            insert_event(
                &mut tx,
                &task.id,
                "failed",
                &serde_json::json!({ "error": error }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes the agent's state after a step and, per `outcome`, keeps processing, pauses for a
    /// confirmation or ends the task. Returns the new version; [`ChatError::Stale`] when
    /// another run wrote first.
    pub async fn chat_checkpoint(
        &self,
        task_id: &str,
        checkpoint: &ChatCheckpoint,
        outcome: &ChatOutcome,
    ) -> Result<i64, ChatError> {
        let now = now_ms();
        let (status, proposal, hash, expires, result, reply, error) = match outcome {
            ChatOutcome::Continue => (ChatStatus::Processing, None, None, None, None, None, None),
            ChatOutcome::Interrupt {
                proposal,
                proposal_hash,
                expires_at,
            } => (
                ChatStatus::WaitingConfirmation,
                Some(to_json(proposal)),
                Some(proposal_hash.clone()),
                Some(expires_at.timestamp_millis()),
                None,
                None,
                None,
            ),
            ChatOutcome::Completed { result, reply } => (
                ChatStatus::Completed,
                None,
                None,
                None,
                Some(to_json(result)),
                Some(reply.clone()),
                None,
            ),
            ChatOutcome::Failed { error } => (
                ChatStatus::Failed,
                None,
                None,
                None,
                None,
                None,
                Some(error.clone()),
            ),
        };
        // A proposal stays on the record after it is answered (the audit of what was shown);
        // only a new proposal replaces it.
        const UPDATE: &str = "UPDATE chat_tasks SET status = $1, step = $2, state = $3, \
             version = version + 1, proposal = COALESCE($4, proposal), \
             proposal_hash = COALESCE($5, proposal_hash), expires_at = $6, \
             result = COALESCE($7, result), reply = COALESCE($8, reply), error = $9, \
             updated_at = $10 WHERE id = $11 AND version = $12 AND status = 'processing'";
        if self.backend() == Backend::Sqlite {
            // One round trip to the connection's thread (see `Database::sqlite_write_batch`):
            // the agent writes a checkpoint per step, and each holds the single writer.
            let mut sql = format!("BEGIN IMMEDIATE; {UPDATE}");
            if checkpoint.event.is_some() {
                // `changes()`: only when the guarded update took effect.
                sql.push_str(
                    "; INSERT INTO chat_events (task_id, seq, kind, data, created_at) \
                     SELECT $11, (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_events \
                     WHERE task_id = $11), $13, $14, $10 WHERE changes() = 1",
                );
            }
            sql.push_str("; COMMIT");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(status.as_str())
                .bind(checkpoint.step.clone())
                .bind(to_json(&checkpoint.state))
                .bind(proposal)
                .bind(hash)
                .bind(expires)
                .bind(result)
                .bind(reply)
                .bind(error)
                .bind(now)
                .bind(task_id.to_owned())
                .bind(checkpoint.version);
            if let Some((kind, data)) = &checkpoint.event {
                query = query.bind(kind.clone()).bind(to_json(data));
            }
            let affected = self
                .sqlite_write_batch(query)
                .await
                .map_err(|failed| ChatError::Store(failed.into()))?;
            return match affected.get(1) {
                Some(1) => Ok(checkpoint.version + 1),
                _ => Err(ChatError::Stale(checkpoint.version)),
            };
        }
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(UPDATE)
            .bind(status.as_str())
            .bind(checkpoint.step.clone())
            .bind(to_json(&checkpoint.state))
            .bind(proposal)
            .bind(hash)
            .bind(expires)
            .bind(result)
            .bind(reply)
            .bind(error)
            .bind(now)
            .bind(task_id.to_owned())
            .bind(checkpoint.version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(ChatError::Stale(checkpoint.version));
        }
        if let Some((kind, data)) = &checkpoint.event {
            insert_event(&mut tx, task_id, kind, data).await?;
        }
        tx.commit().await?;
        Ok(checkpoint.version + 1)
    }

    /// Records the user's answer to the waiting proposal and enqueues `job` to act on it, in one
    /// transaction. `user_id`, when given, must own the task. `expected_hash`, when given, must
    /// be the waiting proposal's. A task not waiting (answered already, expired, never asked)
    /// is [`ChatError::NotWaiting`] with its status.
    pub async fn resume_chat_task(
        &self,
        task_id: &str,
        user_id: Option<&str>,
        expected_hash: Option<&str>,
        decision: &Value,
        next_step: &str,
        job: &NewJob,
    ) -> Result<ChatTaskRecord, ChatError> {
        let task = self
            .chat_task(task_id)
            .await?
            .filter(|task| user_id.is_none_or(|user| task.user_id == user))
            .ok_or_else(|| ChatError::TaskNotFound(task_id.to_owned()))?;
        if task.status != ChatStatus::WaitingConfirmation {
            return Err(ChatError::NotWaiting {
                status: task.status,
            });
        }
        let actual = task.proposal_hash.clone().unwrap_or_default();
        if let Some(expected) = expected_hash
            && expected != actual
        {
            return Err(ChatError::ProposalMismatch {
                expected: expected.to_owned(),
                actual,
            });
        }
        let mut tx = self.begin_write().await?;
        // Guarded by status, hash and expiry: of two answers racing, one wins; the other finds
        // the task no longer waiting.
        let changed = sqlx::query(
            "UPDATE chat_tasks SET status = 'processing', step = $1, decision = $2, job_id = $3, \
             version = version + 1, expires_at = NULL, updated_at = $4 \
             WHERE id = $5 AND status = 'waiting_confirmation' AND proposal_hash = $6 \
             AND (expires_at IS NULL OR expires_at > $4)",
        )
        .bind(next_step.to_owned())
        .bind(to_json(decision))
        .bind(job.id.to_string())
        .bind(now_ms())
        .bind(task_id.to_owned())
        .bind(actual)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            drop(tx);
            let status = self
                .chat_task(task_id)
                .await?
                .map_or(ChatStatus::Failed, |task| task.status);
            return Err(ChatError::NotWaiting { status });
        }
        insert_event(&mut tx, task_id, "resumed", decision).await?;
        insert_plain_job(&mut tx, job).await?;
        tx.commit().await?;
        self.wake_job_waiters();
        self.read_chat_task(task_id)
            .await?
            .ok_or_else(|| ChatError::TaskNotFound(task_id.to_owned()))
    }

    /// The steps of a task after `after_seq`, in order.
    pub async fn chat_events(
        &self,
        task_id: &str,
        after_seq: i64,
    ) -> Result<Vec<ChatEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, kind, data, created_at FROM chat_events WHERE task_id = $1 AND seq > $2 \
             ORDER BY seq",
        )
        .bind(task_id.to_owned())
        .bind(after_seq)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                Ok(ChatEvent {
                    seq: row.try_get("seq")?,
                    kind: row.try_get("kind")?,
                    data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
                    created_at: from_ms(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// The user's conversations, most recently active first, and how many there are.
    pub async fn chat_conversations(
        &self,
        user_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<ConversationRecord>, u64), StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM chat_conversations WHERE user_id = $1 AND deleted_at IS NULL",
        )
        .bind(user_id.to_owned())
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(
            "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at, \
             (SELECT COUNT(*) FROM chat_tasks t WHERE t.conversation_id = c.id) AS turns, \
             (SELECT t.status FROM chat_tasks t WHERE t.conversation_id = c.id \
              ORDER BY t.seq DESC LIMIT 1) AS last_status \
             FROM chat_conversations c WHERE c.user_id = $1 AND c.deleted_at IS NULL \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(user_id.to_owned())
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(self.pool())
        .await?;
        let conversations = rows
            .iter()
            .map(decode_conversation)
            .collect::<Result<_, _>>()?;
        Ok((conversations, u64::try_from(total).unwrap_or(0)))
    }

    /// A conversation of `user_id` (not deleted) with its tasks in order.
    pub async fn chat_conversation(
        &self,
        id: &str,
        user_id: &str,
    ) -> Result<Option<(ConversationRecord, Vec<ChatTaskRecord>)>, StoreError> {
        let row = sqlx::query(
            "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at, \
             (SELECT COUNT(*) FROM chat_tasks t WHERE t.conversation_id = c.id) AS turns, \
             (SELECT t.status FROM chat_tasks t WHERE t.conversation_id = c.id \
              ORDER BY t.seq DESC LIMIT 1) AS last_status \
             FROM chat_conversations c WHERE c.id = $1 AND c.user_id = $2 AND c.deleted_at IS NULL",
        )
        .bind(id.to_owned())
        .bind(user_id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let conversation = decode_conversation(&row)?;
        let tasks = self.chat_tasks_of(id, i64::MAX).await?;
        Ok(Some((conversation, tasks)))
    }

    /// The tasks of a conversation before sequence number `before_seq`, oldest first, with
    /// expired waits shown as failed.
    pub async fn chat_tasks_of(
        &self,
        conversation_id: &str,
        before_seq: i64,
    ) -> Result<Vec<ChatTaskRecord>, StoreError> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM chat_tasks WHERE conversation_id = $1 AND seq < $2 \
             ORDER BY seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(conversation_id.to_owned())
            .bind(before_seq)
            .fetch_all(self.pool())
            .await?;
        let mut tasks = Vec::with_capacity(rows.len());
        for row in &rows {
            let task = decode_task(row)?;
            match expired(&task) {
                Some(expiry) => {
                    self.expire_chat_task(&task, expiry).await?;
                    if let Some(task) = self.read_chat_task(&task.id).await? {
                        tasks.push(task);
                    }
                }
                None => tasks.push(task),
            }
        }
        Ok(tasks)
    }

    /// Deletes a conversation of `user_id` (soft: its tasks stay for audit). False when there
    /// is no such conversation.
    pub async fn delete_chat_conversation(
        &self,
        id: &str,
        user_id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE chat_conversations SET deleted_at = $1 \
             WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL",
        )
        .bind(now_ms())
        .bind(id.to_owned())
        .bind(user_id.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }
}

/// What decides whether a message may start: who owns the conversation, whether it has a
/// message processing, how many of the user's are, and the next sequence number.
struct Checks {
    owner: Option<String>,
    deleted_at: Option<i64>,
    busy: Option<String>,
    active: u64,
    next_seq: i64,
}

impl Checks {
    fn refusal(&self, task: &NewChatTask) -> Option<ChatError> {
        match &self.owner {
            Some(user) if *user != task.user_id || self.deleted_at.is_some() => {
                return Some(ChatError::ConversationNotFound(
                    task.conversation_id.clone(),
                ));
            }
            _ => {}
        }
        if let Some(task_id) = &self.busy {
            return Some(ChatError::ConversationBusy {
                task_id: task_id.clone(),
            });
        }
        (self.active >= u64::from(task.max_active_per_user)).then(|| ChatError::UserBusy {
            active: self.active,
            limit: task.max_active_per_user,
        })
    }
}

/// Every check in one round trip.
async fn read_checks(conn: &mut AnyConnection, task: &NewChatTask) -> Result<Checks, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT user_id FROM chat_conversations WHERE id = $1) AS owner, \
         (SELECT deleted_at FROM chat_conversations WHERE id = $1) AS deleted_at, \
         (SELECT id FROM chat_tasks WHERE conversation_id = $1 AND status = 'processing' \
          LIMIT 1) AS busy, \
         (SELECT COUNT(*) FROM chat_tasks WHERE user_id = $2 AND status = 'processing') \
          AS active, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_tasks WHERE conversation_id = $1) \
          AS next_seq",
    )
    .bind(task.conversation_id.clone())
    .bind(task.user_id.clone())
    .fetch_one(conn)
    .await?;
    Ok(Checks {
        owner: row.try_get("owner")?,
        deleted_at: row.try_get("deleted_at")?,
        busy: row.try_get("busy")?,
        active: u64::try_from(row.try_get::<i64, _>("active")?).unwrap_or(0),
        next_seq: row.try_get("next_seq")?,
    })
}

/// What the sender of a message just recorded is told.
fn started(task: &NewChatTask, now: i64) -> StartedChatTask {
    StartedChatTask {
        task_id: task.task_id.clone(),
        conversation_id: task.conversation_id.clone(),
        created_at: from_ms(now),
    }
}

/// The expiry of a waiting task that has passed it.
fn expired(task: &ChatTaskRecord) -> Option<DateTime<Utc>> {
    match (task.status, task.expires_at) {
        (ChatStatus::WaitingConfirmation, Some(expiry)) if expiry <= Utc::now() => Some(expiry),
        _ => None,
    }
}

async fn insert_event(
    conn: &mut AnyConnection,
    task_id: &str,
    kind: &str,
    data: &Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO chat_events (task_id, seq, kind, data, created_at) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM chat_events WHERE task_id = $1",
    )
    .bind(task_id.to_owned())
    .bind(kind.to_owned())
    .bind(to_json(data))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) fn title_of(message: &str) -> String {
    let line = message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    let mut title: String = line.chars().take(TITLE_CHARS).collect();
    if line.chars().count() > TITLE_CHARS {
        title.push('…');
    }
    title
}

fn json_column(row: &AnyRow, id: &str, column: &'static str) -> Result<Option<Value>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        serde_json::from_str(&text).map_err(|error| StoreError::Corrupt {
            job_id: id.to_owned(),
            column,
            reason: error.to_string(),
        })
    })
    .transpose()
}

fn decode_task(row: &AnyRow) -> Result<ChatTaskRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    Ok(ChatTaskRecord {
        conversation_id: row.try_get("conversation_id")?,
        user_id: row.try_get("user_id")?,
        seq: row.try_get("seq")?,
        message: row.try_get("message")?,
        output_format: row.try_get("output_format")?,
        status: ChatStatus::parse(&id, &status)?,
        step: row.try_get("step")?,
        state: json_column(row, &id, "state")?.unwrap_or(Value::Null),
        version: row.try_get("version")?,
        job_id: row.try_get("job_id")?,
        proposal: json_column(row, &id, "proposal")?,
        proposal_hash: row.try_get("proposal_hash")?,
        expires_at: row.try_get::<Option<i64>, _>("expires_at")?.map(from_ms),
        decision: json_column(row, &id, "decision")?,
        result: json_column(row, &id, "result")?,
        reply: row.try_get("reply")?,
        error: row.try_get("error")?,
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
        id,
    })
}

fn decode_conversation(row: &AnyRow) -> Result<ConversationRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let last_status: Option<String> = row.try_get("last_status")?;
    Ok(ConversationRecord {
        user_id: row.try_get("user_id")?,
        title: row.try_get("title")?,
        turns: u64::try_from(row.try_get::<i64, _>("turns")?).unwrap_or(0),
        last_status: last_status
            .map(|status| ChatStatus::parse(&id, &status))
            .transpose()?,
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
        id,
    })
}
