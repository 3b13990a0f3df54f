//! The write-intent ledger behind exactly-once writes (ARCHITECTURE.md, "Writes happen once"):
//! a job records a write before sending it ([`Database::begin_intent`]) and its result after
//! ([`Database::finish_intent`]); a job that runs again reads both back. Recording a write is
//! fenced by the run's lease: a run whose lease lapsed can never start a write that the run which
//! took its job over is settling at the same time.

use serde_json::Value;

use crate::database::Database;
use crate::error::StoreError;
use crate::records::LeaseFence;
use crate::row::{now_ms, to_json};

/// What the ledger knows about one intended write.
#[derive(Debug, Clone, PartialEq)]
pub enum IntentState {
    /// Never recorded: the write was not attempted yet.
    New,
    /// Recorded but not finished: the write may or may not have reached the peer.
    Pending,
    /// Finished with this result.
    Done(Value),
}

impl Database {
    /// Records that `intent_id` is about to be sent, and says what an earlier attempt left:
    /// [`IntentState::New`] the first time, otherwise the earlier state (unchanged). With a
    /// `fence`, fails with [`StoreError::LeaseLost`] unless that run still holds a live lease on
    /// its job (the job row is locked until the intent is recorded, so no reaper or new claim
    /// slips in between).
    pub async fn begin_intent(
        &self,
        intent_id: &str,
        job_id: &str,
        fence: Option<&LeaseFence>,
        action: &str,
        target: &str,
    ) -> Result<IntentState, StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(fence) = fence {
            let lock = self.row_lock();
            let sql = format!(
                "SELECT 1 FROM jobs WHERE id = $1 AND lease_owner = $2 AND lease_until >= $3{lock}"
            );
            let held: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(fence.job_id.to_string())
                .bind(fence.token.clone())
                .bind(now_ms())
                .fetch_optional(&mut *tx)
                .await?;
            if held.is_none() {
                return Err(StoreError::LeaseLost {
                    job_id: fence.job_id.to_string(),
                });
            }
        }
        let existing: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT status, result FROM write_intents WHERE intent_id = $1")
                .bind(intent_id.to_owned())
                .fetch_optional(&mut *tx)
                .await?;
        let state = match existing {
            Some((status, result)) if status == "done" => {
                IntentState::Done(decode_result(intent_id, result)?)
            }
            Some(_) => IntentState::Pending,
            None => {
                let now = now_ms();
                sqlx::query(
                    "INSERT INTO write_intents (intent_id, job_id, action, target, status, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
                )
                .bind(intent_id.to_owned())
                .bind(job_id.to_owned())
                .bind(action.to_owned())
                .bind(target.to_owned())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                IntentState::New
            }
        };
        tx.commit().await?;
        Ok(state)
    }

    /// Records the result of a write that was sent (or found to have been sent earlier).
    pub async fn finish_intent(&self, intent_id: &str, result: &Value) -> Result<(), StoreError> {
        let _slot = self.writer_slot().await;
        sqlx::query(
            "UPDATE write_intents SET status = 'done', result = $2, updated_at = $3 \
             WHERE intent_id = $1",
        )
        .bind(intent_id.to_owned())
        .bind(to_json(result))
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets a write that provably never reached the peer (it was rejected), so a later attempt
    /// sends it afresh.
    pub async fn abandon_intent(&self, intent_id: &str) -> Result<(), StoreError> {
        let _slot = self.writer_slot().await;
        sqlx::query("DELETE FROM write_intents WHERE intent_id = $1 AND status = 'pending'")
            .bind(intent_id.to_owned())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The state of one intent, without recording anything.
    pub async fn intent_state(&self, intent_id: &str) -> Result<IntentState, StoreError> {
        let existing: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT status, result FROM write_intents WHERE intent_id = $1")
                .bind(intent_id.to_owned())
                .fetch_optional(self.pool())
                .await?;
        Ok(match existing {
            None => IntentState::New,
            Some((status, result)) if status == "done" => {
                IntentState::Done(decode_result(intent_id, result)?)
            }
            Some(_) => IntentState::Pending,
        })
    }
}

fn decode_result(intent_id: &str, result: Option<String>) -> Result<Value, StoreError> {
    match result {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(&text).map_err(|error| StoreError::Corrupt {
            job_id: intent_id.to_owned(),
            column: "write_intents.result",
            reason: error.to_string(),
        }),
    }
}
