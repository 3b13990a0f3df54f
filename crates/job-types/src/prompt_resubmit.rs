//! `prompt_resubmit`: rerun a generation with edited prompts and compare it with the run on the
//! default prompts (reference `/prompt/resubmit`, docs/reference-behaviour.md §1.9).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject};

/// The operation whose prompts were edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResubmitOperation {
    /// A ticket description (`/generate/single`).
    GenerateSingle,
    /// A story's team tasks (`/plan/tasks/generate`).
    PlanTasks,
    /// A story's coverage analysis (`/analyze/story-coverage`).
    AnalyzeCoverage,
}

impl ResubmitOperation {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResubmitOperation::GenerateSingle => "generate_single",
            ResubmitOperation::PlanTasks => "plan_tasks",
            ResubmitOperation::AnalyzeCoverage => "analyze_coverage",
        }
    }
}

/// Rerun `operation_type` on `key` with the edited prompts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptResubmit {
    pub operation_type: ResubmitOperation,
    /// The ticket (generate_single) or story (plan_tasks, analyze_coverage), normalized.
    pub key: String,
    /// The original request as sent, for the record.
    pub original_request: Value,
    /// Free text of the original request, if it had any.
    pub additional_context: Option<String>,
    pub modified_system_prompt: Option<String>,
    pub modified_user_prompt: String,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
}

impl JobPayload for PromptResubmit {
    const KIND: &'static str = "prompt_resubmit";
    type Output = PromptResubmitResponse;

    fn subject(&self) -> JobSubject {
        JobSubject::ticket(&self.key)
    }
}

/// What the edited run used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromptsUsed {
    /// The edited system prompt, or "Using default system prompt".
    pub modified_system_prompt: String,
    pub modified_user_prompt: String,
    /// The provider, or "default" when the request named none.
    pub llm_provider: String,
    /// The model, or "default" when the request named none.
    pub llm_model: String,
}

/// Both runs side by side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromptResubmitResponse {
    pub success: bool,
    pub operation_type: String,
    /// The operation run with its default prompts: its output, the exact prompts, provider,
    /// model and usage.
    #[schema(value_type = Object)]
    pub original_result: Value,
    /// The operation run with the edited prompts, in the same shape.
    #[schema(value_type = Object)]
    pub new_result: Value,
    pub prompts_used: PromptsUsed,
    pub comparison_notes: Option<String>,
    pub error: Option<String>,
}
