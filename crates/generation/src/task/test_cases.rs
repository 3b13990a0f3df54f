//! `test_cases`: test cases for a story or task at a coverage level, aware of the business
//! domain and the technical context.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    ParentContext, SourceDocument, TaskInput, TaskKind, Team, require_text, validate_documents,
    validate_parent,
};
use crate::error::GenerationError;

/// What test cases are generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCasesInput {
    /// Whether the item is a story (acceptance, e2e) or a task (unit, integration).
    #[serde(default)]
    pub target: TestTarget,
    /// Jira key of the story or task.
    #[serde(default, alias = "story_key", alias = "task_key", alias = "ticket_key")]
    pub key: Option<String>,
    /// Summary of the story or task (required).
    pub summary: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Acceptance criteria kept outside the description; Given/When/Then or bullet lists.
    #[serde(default)]
    pub acceptance_criteria: Vec<String>,
    /// For a task: the team doing it, which shapes the tests (API tests for backend, UI tests
    /// for frontend).
    #[serde(default)]
    pub team: Option<Team>,
    /// The parent story or epic.
    #[serde(default)]
    pub parent: Option<ParentContext>,
    /// PRD / RFC pages.
    #[serde(default)]
    pub documents: Vec<SourceDocument>,
    /// Free text from the requester.
    #[serde(default)]
    pub additional_context: Option<String>,
    /// How thorough the suite should be (default standard).
    #[serde(default)]
    pub coverage_level: CoverageLevel,
}

impl TaskInput for TestCasesInput {
    const KIND: TaskKind = TaskKind::TestCases;
    type Output = TestSuite;

    fn validate(&self) -> Result<(), GenerationError> {
        require_text("summary", &self.summary)?;
        validate_parent("parent", self.parent.as_ref())?;
        validate_documents(&self.documents)
    }
}

/// Whether tests are for a story or a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestTarget {
    /// A user story.
    #[default]
    Story,
    /// A technical task.
    Task,
}

/// How many tests, and of which kinds.
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
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CoverageLevel {
    /// Happy path only (1-2 tests).
    Minimal,
    /// Happy path and basic errors (2-4 tests).
    Basic,
    /// Happy path, errors and edge cases (3-6 tests).
    #[default]
    Standard,
    /// Everything including security and performance (5-10 tests).
    Comprehensive,
}

impl CoverageLevel {
    /// The inclusive range of test counts this level asks for.
    pub fn test_count_range(self) -> (usize, usize) {
        match self {
            CoverageLevel::Minimal => (1, 2),
            CoverageLevel::Basic => (2, 4),
            CoverageLevel::Standard => (3, 6),
            CoverageLevel::Comprehensive => (5, 10),
        }
    }
}

/// A generated test suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestSuite {
    /// The coverage level the suite was built for.
    pub coverage_level: CoverageLevel,
    /// The business domain the tests were tailored to.
    pub domain: Domain,
    /// Technical contexts the tests exercise.
    pub technical_contexts: Vec<TechnicalContext>,
    /// The test cases, most important first.
    pub test_cases: Vec<TestCase>,
}

/// Business domain of a ticket, detected from its words.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Login, passwords, sessions, SSO, MFA, permissions.
    Authentication,
    /// Payments, billing, invoices, refunds, subscriptions.
    Payments,
    /// Carts, orders, products, inventory.
    Ecommerce,
    /// Patient data, clinical workflows, HIPAA.
    Healthcare,
    /// Search, filters, autocomplete, indexing.
    Search,
    /// Emails, SMS, push notifications, alerts.
    Notifications,
    /// Reports, dashboards, analytics, exports.
    Reporting,
    /// Moving or transforming stored data.
    DataMigration,
    /// Latency, throughput, caching.
    Performance,
    /// Webhooks, third-party services, synchronisation.
    Integration,
    /// Accounts, profiles, roles, invitations.
    UserManagement,
    /// Uploads, downloads, attachments, file formats.
    FileHandling,
    /// No specific domain detected.
    General,
}

/// A technical layer a ticket touches.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TechnicalContext {
    /// HTTP endpoints, requests and responses.
    Api,
    /// Tables, queries, transactions, schema.
    Database,
    /// Web pages, components, forms.
    Ui,
    /// iOS and Android apps.
    Mobile,
    /// Caches such as Redis.
    Cache,
    /// Message queues, background jobs, events.
    Queue,
    /// Calls to external services and webhooks.
    ExternalService,
    /// File or object storage.
    Storage,
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestCase {
    /// Identifier unique within the suite, e.g. "TC-01".
    pub id: String,
    /// Descriptive name.
    pub title: String,
    /// Kind of test.
    #[serde(rename = "type")]
    pub test_type: TestType,
    /// Which kind of scenario it checks.
    pub category: TestCategory,
    /// P0 must pass for release, P1 should, P2 nice to have.
    pub priority: TestPriority,
    /// What the test checks and why.
    pub description: String,
    /// State that must hold before the test starts.
    pub preconditions: Vec<String>,
    /// Steps as Gherkin lines ("Given ...", "When ...", "And ...", "Then ...").
    pub test_steps: Vec<String>,
    /// What passing looks like.
    pub expected_result: String,
    /// The acceptance criterion this test traces to, if any.
    pub covers: Option<String>,
}

/// Kind of test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TestType {
    /// One function or module in isolation.
    Unit,
    /// Components or services together.
    Integration,
    /// Validates a user story's acceptance criteria.
    Acceptance,
    /// A complete user journey.
    E2e,
    /// Load, stress, latency.
    Performance,
    /// Authentication, authorisation, input abuse.
    Security,
    /// User interface behaviour and accessibility.
    Ui,
}

/// Which kind of scenario a test checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TestCategory {
    /// The intended path succeeds.
    Positive,
    /// Invalid input or a failing dependency is handled.
    Negative,
    /// Boundaries and unusual but valid situations.
    Edge,
    /// Abuse, access control, data exposure.
    Security,
    /// Speed and load.
    Performance,
}

/// Test priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum TestPriority {
    /// Must pass for release.
    P0,
    /// Should pass for release.
    P1,
    /// Nice to have.
    P2,
}
