//! `test_generation`: test cases for an epic's stories and tasks, one story, or one task, at a
//! coverage level (docs/reference-behaviour.md §1.6, §5.3; reference `TestGenerationResponse` and
//! `ComprehensiveTestSuiteResponse`, docs/reference-behaviour.md §1.6). Generated tests are written to the
//! test-case field only when the request says `update_jira=true`; otherwise the result carries
//! the write plan with the field's current value beside the new one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payload::{JobPayload, JobSubject, UsageRecord};
use crate::write_plan::{WriteOutcome, WritePlan};

/// How thorough a suite is; counts per item are inclusive ranges (api-decisions "Coverage
/// levels").
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CoverageLevel {
    /// Happy path only: 1-2 tests per item.
    Minimal,
    /// Happy path and basic errors: 2-4 tests.
    Basic,
    /// Happy path, errors and edge cases: 3-6 tests.
    #[default]
    Standard,
    /// Everything, including performance and security: 5-10 tests.
    Comprehensive,
}

impl CoverageLevel {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageLevel::Minimal => "minimal",
            CoverageLevel::Basic => "basic",
            CoverageLevel::Standard => "standard",
            CoverageLevel::Comprehensive => "comprehensive",
        }
    }

    /// The inclusive range of tests per story or task.
    pub fn test_count_range(self) -> (usize, usize) {
        match self {
            CoverageLevel::Minimal => (1, 2),
            CoverageLevel::Basic => (2, 4),
            CoverageLevel::Standard => (3, 6),
            CoverageLevel::Comprehensive => (5, 10),
        }
    }
}

/// Which of the four test routes queued the job (the reference worker's `test_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestScope {
    /// Every story and task of an epic.
    Comprehensive,
    /// One story.
    Story,
    /// One task, from its own text.
    Task,
    /// One task, with the story it belongs to and the epic's documents as context.
    TaskContextAware,
}

/// Generate test cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateTests {
    pub test_type: TestScope,
    /// The epic of a comprehensive suite (derived from `story_key` by the job when absent).
    pub epic_key: Option<String>,
    pub story_key: Option<String>,
    pub task_key: Option<String>,
    pub coverage_level: CoverageLevel,
    /// Business domain to tailor tests to (financial, healthcare, ecommerce, security, ...).
    pub domain_context: Option<String>,
    /// Technical layer to tailor tests to (api, database, ui, microservice, ...).
    pub technical_context: Option<String>,
    pub include_documents: bool,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Write the tests to the test-case field (default false: preview).
    pub update_jira: bool,
}

impl GenerateTests {
    /// The key the job is about: the task, the story, or the epic.
    pub fn primary_key(&self) -> Option<&str> {
        match self.test_type {
            TestScope::Task | TestScope::TaskContextAware => self.task_key.as_deref(),
            TestScope::Story => self.story_key.as_deref(),
            TestScope::Comprehensive => self.epic_key.as_deref().or(self.story_key.as_deref()),
        }
    }
}

impl JobPayload for GenerateTests {
    const KIND: &'static str = "test_generation";
    type Output = TestGenerationOutput;

    fn lock_keys(&self) -> Vec<String> {
        self.primary_key().map(str::to_owned).into_iter().collect()
    }

    fn subject(&self) -> JobSubject {
        match (self.test_type, self.primary_key()) {
            (TestScope::Story, Some(key)) => JobSubject::story(key),
            (_, Some(key)) => JobSubject::ticket(key),
            (_, None) => JobSubject::default(),
        }
    }
}

/// A test-generation job's result: a whole suite (comprehensive) or one item's tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TestGenerationOutput {
    Suite(ComprehensiveTestSuiteResponse),
    Single(TestGenerationResponse),
}

/// One test case (the reference's `TestCaseModel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestCaseModel {
    pub title: String,
    /// unit, integration, acceptance, e2e, performance, security or ui.
    #[serde(rename = "type")]
    pub test_type: String,
    pub description: String,
    pub expected_result: String,
    /// P0 (release blocker), P1 or P2.
    pub priority: Option<String>,
    /// The acceptance criterion or requirement the test traces to.
    pub traceability: Option<String>,
    /// What must hold before the test starts.
    pub precondition: Option<String>,
    /// Gherkin lines, newline separated.
    pub test_steps: Option<String>,
    /// `llm_ai` (a model wrote it), `offline` (the built-in generator) or `pattern` (added to
    /// reach the level's count or required types).
    pub source: Option<String>,
}

/// Tests for one story or task (the reference's `TestGenerationResponse`, plus the write plan,
/// prompts and usage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestGenerationResponse {
    pub success: bool,
    pub coverage_level: CoverageLevel,
    pub epic_key: Option<String>,
    pub story_key: Option<String>,
    pub task_key: Option<String>,
    pub test_cases: Vec<TestCaseModel>,
    pub test_count: usize,
    /// The domain the tests were tailored to (requested, else detected).
    pub domain_context: Option<String>,
    /// The technical context the tests were tailored to (requested, else detected).
    pub technical_context: Option<String>,
    /// The story a task belongs to, as given to the generator.
    pub story_context: Option<String>,
    /// The PRD/RFC material given to the generator.
    pub document_context: Option<String>,
    /// Where context came from: `story: KEY`, `PRD: url`, ...
    pub context_sources: Vec<String>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub execution_time_seconds: f64,
    /// Near-duplicate tests dropped.
    pub duplicates_removed: usize,
    /// The tests as the test-case field would hold them (Markdown).
    pub test_cases_text: String,
    /// The test-case field's current value (Markdown), beside the new one.
    pub current_test_cases: Option<String>,
    /// Whether the tests were written to Jira.
    pub updated_in_jira: bool,
    /// The write a preview would make, or the write made.
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Exactly the prompts sent.
    pub system_prompt: Option<String>,
    pub user_prompt: Option<String>,
    pub usage: Option<UsageRecord>,
}

/// A story's tests within a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryTests {
    pub story_summary: String,
    pub test_cases: Vec<TestCaseModel>,
    pub test_count: usize,
    pub coverage_level: CoverageLevel,
    /// Exactly the user prompt sent for this story.
    pub user_prompt: Option<String>,
}

/// A task's tests within a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskTests {
    pub task_summary: String,
    /// The story the task belongs to (its parent or the story it was split from).
    pub parent_story: Option<String>,
    pub test_cases: Vec<TestCaseModel>,
    pub test_count: usize,
    pub coverage_level: CoverageLevel,
    /// Exactly the user prompt sent for this task.
    pub user_prompt: Option<String>,
}

/// Counts over a whole suite.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestStatistics {
    pub stories: usize,
    pub tasks: usize,
    pub by_type: BTreeMap<String, usize>,
    pub by_priority: BTreeMap<String, usize>,
    pub average_per_item: f64,
    pub duplicates_removed: usize,
}

/// Tests for every story and task of an epic (the reference's
/// `ComprehensiveTestSuiteResponse`, plus the write plan, prompts and usage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComprehensiveTestSuiteResponse {
    pub success: bool,
    pub epic_key: String,
    pub coverage_level: CoverageLevel,
    pub story_tests: BTreeMap<String, StoryTests>,
    pub task_tests: BTreeMap<String, TaskTests>,
    pub total_test_cases: usize,
    pub test_statistics: TestStatistics,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub execution_time_seconds: f64,
    pub domain_context: Option<String>,
    pub technical_context: Option<String>,
    pub context_sources: Vec<String>,
    /// Whether the tests were written to Jira.
    pub updated_in_jira: bool,
    /// One test-case field edit per item, with each field's current value.
    pub write_plan: Option<WritePlan>,
    pub writes: Vec<WriteOutcome>,
    pub llm_provider: Option<String>,
    pub llm_model: Option<String>,
    /// Exactly the system prompt sent (the same for every item).
    pub system_prompt: Option<String>,
    pub usage: Option<UsageRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_round_trip_through_the_untagged_enum() {
        let suite = TestGenerationOutput::Suite(ComprehensiveTestSuiteResponse {
            epic_key: "DEMO-1".into(),
            ..Default::default()
        });
        let single = TestGenerationOutput::Single(TestGenerationResponse {
            story_key: Some("DEMO-4".into()),
            ..Default::default()
        });
        for output in [suite, single] {
            let json = serde_json::to_value(&output).expect("serializable");
            let back: TestGenerationOutput = serde_json::from_value(json).expect("readable");
            assert_eq!(back, output);
        }
    }
}
