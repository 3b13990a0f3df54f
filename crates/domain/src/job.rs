//! The vocabulary of background jobs shared by the store, the worker runtime and the HTTP API:
//! job ids, the seed's status names and job types, progress, ticket counters and list sorting.
//! Pure data, no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A job id: a UUIDv7, so ids sort by creation time, rendered in the usual hyphenated form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(Uuid);

impl JobId {
    /// A fresh time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the textual form a client sent (any UUID version is accepted: ids are opaque to
    /// clients, and the seed's examples are not UUIDs at all, so callers answer 404 on error).
    pub fn parse(text: &str) -> Result<Self, JobIdError> {
        Uuid::parse_str(text.trim())
            .map(Self)
            .map_err(|_| JobIdError {
                input: text.chars().take(64).collect(),
            })
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for JobId {
    type Err = JobIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A string that is not a job id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a job id (expected a UUID such as 0190c8f2-7b1e-7c3a-9d4e-2f1a3b4c5d6e)")]
pub struct JobIdError {
    /// The (truncated) rejected input.
    pub input: String,
}

/// A job's lifecycle state, with the seed's names.
///
/// `Started` means queued (the seed's wording); `Started` and `Processing` are *active*: while a job
/// is active its lock keys block duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Queued, waiting for a worker.
    Started,
    /// A worker is running it.
    Processing,
    /// Finished successfully.
    Completed,
    /// Finished with an error (after its retries, if any).
    Failed,
    /// Cancelled by a client.
    Cancelled,
}

impl JobStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Started,
        JobStatus::Processing,
        JobStatus::Completed,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Started => "started",
            JobStatus::Processing => "processing",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Queued or running: the job may still do work and may be cancelled.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Started | JobStatus::Processing)
    }

    /// Completed, failed or cancelled: the status will not change again.
    pub fn is_final(self) -> bool {
        !self.is_active()
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = UnknownJobStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownJobStatus(s.chars().take(64).collect()))
    }
}

/// A string that is not one of the five job statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown job status `{0}` (expected one of: started, processing, completed, failed, cancelled)"
)]
pub struct UnknownJobStatus(pub String);

/// The job types (`job_type`) named by the seed. Job kinds are open strings so that feature crates
/// can add their own; these constants keep the seed's spellings in one place.
pub mod job_types {
    /// Batch ticket processing (`POST /generate/batch`).
    pub const BATCH: &str = "batch";
    /// Single ticket generation (`POST /generate/single`).
    pub const SINGLE: &str = "single";
    /// Story generation for an epic.
    pub const STORY_GENERATION: &str = "story_generation";
    /// Sync story tickets from a PRD table.
    pub const PRD_STORY_SYNC: &str = "prd_story_sync";
    /// Task generation for stories.
    pub const TASK_GENERATION: &str = "task_generation";
    /// Test case generation.
    pub const TEST_GENERATION: &str = "test_generation";
    /// Sprint planning for epic tasks.
    pub const SPRINT_PLANNING: &str = "sprint_planning";
    /// Timeline schedule creation.
    pub const TIMELINE_PLANNING: &str = "timeline_planning";
    /// Draft PR orchestrator jobs.
    pub const DRAFT_PR: &str = "draft_pr";
    /// Bulk story update.
    pub const BULK_STORY_UPDATE: &str = "bulk_story_update";
    /// Bulk task creation.
    pub const BULK_TASK_CREATION: &str = "bulk_task_creation";
    /// Story coverage analysis.
    pub const STORY_COVERAGE: &str = "story_coverage";
    /// Epic planning and ticket creation.
    pub const EPIC_CREATION: &str = "epic_creation";
    /// Story creation for an epic.
    pub const STORY_CREATION: &str = "story_creation";
    /// Task creation for stories.
    pub const TASK_CREATION: &str = "task_creation";
}

/// What a job reports about its progress: the response's `progress` object.
///
/// `message` is always present; the numeric fields appear once the job knows them. `extra` carries
/// feature-specific fields (for example `coverage_percentage`) flattened into the same object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobProgress {
    /// Human-readable state, e.g. "Processing ticket PROJ-123...".
    #[serde(default)]
    pub message: String,
    /// Units of work done so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<u64>,
    /// Units of work in total, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// `processed / total` in percent (0–100), when both are known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
    /// Further fields a feature adds to the progress object.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl JobProgress {
    /// A progress report with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }

    /// A progress report with counts; the percentage is derived (rounded to one decimal).
    pub fn counted(message: impl Into<String>, processed: u64, total: u64) -> Self {
        let percentage = (total > 0)
            .then(|| ((processed.min(total) as f64 / total as f64) * 1000.0).round() / 10.0);
        Self {
            message: message.into(),
            processed: Some(processed),
            total: Some(total),
            percentage,
            extra: serde_json::Map::new(),
        }
    }
}

/// The per-ticket counters of the response (`total_tickets`, `processed_tickets`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounters {
    /// Tickets the job will handle, when known.
    #[serde(default)]
    pub total_tickets: Option<u64>,
    /// Tickets handled so far.
    #[serde(default)]
    pub processed_tickets: u64,
    /// Tickets handled successfully.
    #[serde(default)]
    pub successful_tickets: u64,
    /// Tickets that failed.
    #[serde(default)]
    pub failed_tickets: u64,
}

/// The columns `GET /jobs` may sort by (`sort_by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobSortBy {
    /// Creation time (the response's `started_at`); the default.
    #[default]
    StartedAt,
    /// Completion time; jobs without one sort last.
    CompletedAt,
    /// Status name.
    Status,
    /// Job type name.
    JobType,
    /// Job id.
    JobId,
    /// Processed ticket counter.
    ProcessedTickets,
    /// Successful ticket counter.
    SuccessfulTickets,
    /// Failed ticket counter.
    FailedTickets,
}

impl JobSortBy {
    /// Every sort column.
    pub const ALL: [JobSortBy; 8] = [
        JobSortBy::StartedAt,
        JobSortBy::CompletedAt,
        JobSortBy::Status,
        JobSortBy::JobType,
        JobSortBy::JobId,
        JobSortBy::ProcessedTickets,
        JobSortBy::SuccessfulTickets,
        JobSortBy::FailedTickets,
    ];

    /// The wire name (`sorted_by` in the response).
    pub fn as_str(self) -> &'static str {
        match self {
            JobSortBy::StartedAt => "started_at",
            JobSortBy::CompletedAt => "completed_at",
            JobSortBy::Status => "status",
            JobSortBy::JobType => "job_type",
            JobSortBy::JobId => "job_id",
            JobSortBy::ProcessedTickets => "processed_tickets",
            JobSortBy::SuccessfulTickets => "successful_tickets",
            JobSortBy::FailedTickets => "failed_tickets",
        }
    }
}

impl FromStr for JobSortBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobSortBy::ALL
            .into_iter()
            .find(|sort| sort.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown sort_by `{}` (expected one of: {})",
                    s.chars().take(64).collect::<String>(),
                    JobSortBy::ALL.map(JobSortBy::as_str).join(", ")
                )
            })
    }
}

/// Ascending or descending (`sort_order`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first; the default.
    #[default]
    Desc,
}

impl SortOrder {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in JobStatus::ALL {
            assert_eq!(status.as_str().parse::<JobStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("queued".parse::<JobStatus>().is_err());
        assert!(JobStatus::Started.is_active() && JobStatus::Processing.is_active());
        assert!(JobStatus::Cancelled.is_final());
    }

    #[test]
    fn sort_columns_round_trip_and_reject_unknown_names() {
        for sort in JobSortBy::ALL {
            assert_eq!(sort.as_str().parse::<JobSortBy>(), Ok(sort));
        }
        let error = "priority; DROP TABLE jobs"
            .parse::<JobSortBy>()
            .unwrap_err();
        assert!(error.contains("started_at"), "{error}");
    }

    #[test]
    fn progress_percentage_is_derived_and_capped() {
        let progress = JobProgress::counted("working", 1, 3);
        assert_eq!(progress.percentage, Some(33.3));
        assert_eq!(JobProgress::counted("over", 5, 4).percentage, Some(100.0));
        assert_eq!(JobProgress::counted("unknown total", 5, 0).percentage, None);
        let json = serde_json::to_value(JobProgress::message("hi")).unwrap();
        assert_eq!(json, serde_json::json!({ "message": "hi" }));
    }

    #[test]
    fn job_ids_are_time_ordered_and_parse_back() {
        let first = JobId::new();
        let second = JobId::new();
        assert!(first < second);
        assert_eq!(JobId::parse(&first.to_string()), Ok(first));
        assert!(JobId::parse("abc-123-def-456").is_err());
    }
}
