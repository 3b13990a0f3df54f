//! The [`JobPayload`] trait: one payload struct per job kind, carrying its kind name, the keys
//! it locks while active and the type of its result.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A job kind's payload. The route builds it, `api` enqueues it with its [`JobPayload::KIND`] and
/// [`JobPayload::lock_keys`], and the worker deserializes it again: the kind string is written
/// once, here.
pub trait JobPayload: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The job's `job_type` (the reference's names: `single`, `batch`, `story_generation`, ...).
    const KIND: &'static str;
    /// What the job stores under `results`.
    type Output: Serialize + DeserializeOwned + Send + 'static;

    /// Dedupe keys held while the job is active (a second job with one of them is a 409).
    fn lock_keys(&self) -> Vec<String> {
        Vec::new()
    }

    /// The issue keys the job is about, shown on the job and used by `GET /jobs/ticket/{key}`.
    fn subject(&self) -> JobSubject {
        JobSubject::default()
    }
}

/// The keys a job names in its status (`ticket_key`, `ticket_keys`, `story_key`, `story_keys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSubject {
    pub ticket_key: Option<String>,
    pub ticket_keys: Option<Vec<String>>,
    pub story_key: Option<String>,
    pub story_keys: Option<Vec<String>>,
}

impl JobSubject {
    /// A job about one ticket (or epic).
    pub fn ticket(key: impl Into<String>) -> Self {
        Self {
            ticket_key: Some(key.into()),
            ..Self::default()
        }
    }

    /// A job about one story.
    pub fn story(key: impl Into<String>) -> Self {
        Self {
            story_key: Some(key.into()),
            ..Self::default()
        }
    }

    /// A job about several stories.
    pub fn stories(keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            story_keys: Some(keys.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }

    /// A job about several tickets.
    pub fn tickets(keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            ticket_keys: Some(keys.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }
}

/// What the language model cost a job: provider, model, tokens and estimated price. Every job
/// result that called a model carries one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UsageRecord {
    /// `openai`, `claude`, `gemini`, `kimi`, `openai-compatible` or `offline`.
    pub provider: String,
    pub model: String,
    /// Model calls made (re-asks included).
    pub calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Estimated at list prices; `null` when the model has no known price.
    pub cost_usd: Option<f64>,
}

impl UsageRecord {
    /// Adds another call's usage (same provider and model, or the first one seen).
    pub fn add(&mut self, other: &UsageRecord) {
        if self.provider.is_empty() {
            self.provider = other.provider.clone();
            self.model = other.model.clone();
        }
        self.calls += other.calls;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            (a, None) if self.calls == other.calls => a,
            (None, b) if self.calls == other.calls => b,
            _ => None,
        };
    }
}
