//! The generation tasks: what each one takes, what it returns, and the JSON Schema of its output.
//!
//! Every task has a typed input (lenient: optional fields default) and a typed output (strict:
//! [`output_schema`] lists every field as required, with optional values as nullable types, so
//! OpenAI's strict structured-output mode and local validation both accept it). The LLM crate
//! sends the schema to providers and parses the answer with [`parse_output`]; the offline
//! generator produces the same output types without a model.

mod chat;
mod context;
mod draft_pr_plan;
mod epic_stories;
mod schema;
mod story_tasks;
mod test_cases;
mod ticket_description;

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::GenerationError;

pub use chat::{
    AreaAssessment, AssessmentArea, ChatAnswer, ChatAnswerInput, ChatIntent, ChatIntentInput,
    ChatIntentKind, ChatTurnText, FunctionalRequirement, JqlQuery, JqlQueryInput,
    MAX_MESSAGE_CHARS, NonFunctionalRequirement, RequirementAnalysis, RequirementAnalysisInput,
    Risk, RiskLevel, TicketAssessment, TicketAssessmentInput, TicketDraft, TicketDraftInput,
    TicketUpdate, TicketUpdateInput,
};
pub use context::{DocumentType, IssueType, ParentContext, SourceDocument};
pub use draft_pr_plan::{
    CrossRepoImpact, DraftPrPlanInput, FailureMode, FileChange, PlanFile, PlanRevision, PlanScope,
    PlanSpec, PlanTest, PlanTestType, RepoHint, ScopeHint,
};
pub use epic_stories::{EpicStories, EpicStoriesInput, Priority, StoryDraft};
pub use story_tasks::{CycleTimeEstimate, StoryTasks, StoryTasksInput, StoryType, Team, TeamTask};
pub use test_cases::{
    CoverageLevel, Domain, TechnicalContext, TestCase, TestCasesInput, TestCategory, TestPriority,
    TestSuite, TestTarget, TestType,
};
pub use ticket_description::{DescriptionSection, TicketDescription, TicketDescriptionInput};

/// The kinds of content Planwright generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A ticket description with Purpose / Scopes / Expected Outcome sections.
    TicketDescription,
    /// User stories split out of an epic and its PRD.
    EpicStories,
    /// Backend / Frontend / Mobile / QA / DevOps tasks for one story, with dependencies and
    /// estimates in man-days.
    StoryTasks,
    /// Test cases for a story or task at a coverage level.
    TestCases,
    /// The plan (PlanSpec) of a Draft PR: files, paths, failure modes, tests, rollback.
    DraftPrPlan,
    /// The chat agent: what a message asks for.
    ChatIntent,
    /// The chat agent: a requirement's functional and non-functional requirements, risks.
    RequirementAnalysis,
    /// The chat agent: a new ticket drafted from a request.
    TicketDraft,
    /// The chat agent: a ticket's quality with concrete fixes.
    TicketAssessment,
    /// The chat agent: a change to a ticket drafted from a request.
    TicketUpdate,
    /// The chat agent: JQL for a question about tickets.
    JqlQuery,
    /// The chat agent: an answer to a general question.
    ChatAnswer,
}

impl TaskKind {
    /// Every task kind, in a stable order.
    pub const ALL: [TaskKind; 12] = [
        TaskKind::TicketDescription,
        TaskKind::EpicStories,
        TaskKind::StoryTasks,
        TaskKind::TestCases,
        TaskKind::DraftPrPlan,
        TaskKind::ChatIntent,
        TaskKind::RequirementAnalysis,
        TaskKind::TicketDraft,
        TaskKind::TicketAssessment,
        TaskKind::TicketUpdate,
        TaskKind::JqlQuery,
        TaskKind::ChatAnswer,
    ];

    /// The snake_case wire name, also used as the structured-output schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::TicketDescription => "ticket_description",
            TaskKind::EpicStories => "epic_stories",
            TaskKind::StoryTasks => "story_tasks",
            TaskKind::TestCases => "test_cases",
            TaskKind::DraftPrPlan => "draft_pr_plan",
            TaskKind::ChatIntent => "chat_intent",
            TaskKind::RequirementAnalysis => "requirement_analysis",
            TaskKind::TicketDraft => "ticket_draft",
            TaskKind::TicketAssessment => "ticket_assessment",
            TaskKind::TicketUpdate => "ticket_update",
            TaskKind::JqlQuery => "jql_query",
            TaskKind::ChatAnswer => "chat_answer",
        }
    }

    /// The strict JSON Schema of this task's output; see [`output_schema`].
    pub fn output_schema(self) -> Value {
        output_schema(self)
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskKind {
    type Err = GenerationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| GenerationError::UnknownTask(s.to_owned()))
    }
}

/// Ties a task's input type to its kind and output type.
pub trait TaskInput: Serialize + DeserializeOwned {
    /// The task this input belongs to.
    const KIND: TaskKind;
    /// What the task produces.
    type Output: Serialize + DeserializeOwned + JsonSchema;

    /// Checks what serde cannot: required text is not blank, numbers are in range.
    fn validate(&self) -> Result<(), GenerationError>;
}

/// The strict JSON Schema (a draft 2020-12 subset) of `kind`'s output.
///
/// The root is an object; every object has `additionalProperties: false` and lists all its
/// properties in `required`; optional values are nullable (`["string", "null"]` or
/// `anyOf [.., {"type": "null"}]`); there are no `$ref`s, `format`s or `default`s, so OpenAI
/// strict mode, Gemini and local validators all accept it.
pub fn output_schema(kind: TaskKind) -> Value {
    // Deriving and tightening a schema takes tens of microseconds; callers ask on every
    // request, so each schema is built once.
    static SCHEMAS: LazyLock<[(TaskKind, Value); TaskKind::ALL.len()]> =
        LazyLock::new(|| TaskKind::ALL.map(|kind| (kind, build_output_schema(kind))));
    SCHEMAS
        .iter()
        .find(|(known, _)| *known == kind)
        .map(|(_, schema)| schema.clone())
        // `ALL` lists every kind, so this only builds a schema that was not cached.
        .unwrap_or_else(|| build_output_schema(kind))
}

fn build_output_schema(kind: TaskKind) -> Value {
    match kind {
        TaskKind::TicketDescription => schema::strict_schema_for::<TicketDescription>(),
        TaskKind::EpicStories => schema::strict_schema_for::<EpicStories>(),
        TaskKind::StoryTasks => schema::strict_schema_for::<StoryTasks>(),
        TaskKind::TestCases => schema::strict_schema_for::<TestSuite>(),
        TaskKind::DraftPrPlan => schema::strict_schema_for::<PlanSpec>(),
        TaskKind::ChatIntent => schema::strict_schema_for::<ChatIntent>(),
        TaskKind::RequirementAnalysis => schema::strict_schema_for::<RequirementAnalysis>(),
        TaskKind::TicketDraft => schema::strict_schema_for::<TicketDraft>(),
        TaskKind::TicketAssessment => schema::strict_schema_for::<TicketAssessment>(),
        TaskKind::TicketUpdate => schema::strict_schema_for::<TicketUpdate>(),
        TaskKind::JqlQuery => schema::strict_schema_for::<JqlQuery>(),
        TaskKind::ChatAnswer => schema::strict_schema_for::<ChatAnswer>(),
    }
}

/// Parses and validates a task input from JSON, naming the offending field on failure.
pub fn parse_input<I: TaskInput>(input: &Value) -> Result<I, GenerationError> {
    if !input.is_object() {
        return Err(GenerationError::invalid_input(
            ".",
            format!("the {} input must be a JSON object", I::KIND),
        ));
    }
    let parsed: I = serde_path_to_error::deserialize(input).map_err(|err| {
        let (field, reason) = describe_path_error(&err);
        GenerationError::invalid_input(field, reason)
    })?;
    parsed.validate()?;
    Ok(parsed)
}

/// Parses a generator's (usually a model's) JSON answer into the task's output type.
pub fn parse_output<I: TaskInput>(output: &Value) -> Result<I::Output, GenerationError> {
    serde_path_to_error::deserialize(output).map_err(|err| {
        let (path, reason) = describe_path_error(&err);
        GenerationError::InvalidOutput {
            kind: I::KIND,
            path,
            reason,
        }
    })
}

/// Turns serde's error into `(dotted field path, reason)`. Serde reports a missing field at its
/// parent's path with the name only in the message, so the name is appended to the path here.
fn describe_path_error(err: &serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let parent = err.path().to_string();
    let message = err.inner().to_string();
    let message = strip_position(&message);
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if parent == "." {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        };
        return (field, "is required".to_owned());
    }
    (parent, message.to_owned())
}

/// serde_json appends " at line L column C", which means nothing for a request built in code.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

/// Requires `value` to hold visible text.
pub(crate) fn require_text(field: &str, value: &str) -> Result<(), GenerationError> {
    if value.trim().is_empty() {
        Err(GenerationError::invalid_input(
            field,
            "must not be empty; send the ticket's one-line summary",
        ))
    } else {
        Ok(())
    }
}

/// Requires the parent context, when present, to have a summary.
pub(crate) fn validate_parent(
    field: &str,
    parent: Option<&ParentContext>,
) -> Result<(), GenerationError> {
    match parent {
        Some(parent) if parent.summary.trim().is_empty() => Err(GenerationError::invalid_input(
            format!("{field}.summary"),
            "must not be empty when a parent is given; omit the parent instead",
        )),
        _ => Ok(()),
    }
}

/// Requires every attached document to have content.
pub(crate) fn validate_documents(documents: &[SourceDocument]) -> Result<(), GenerationError> {
    for (index, document) in documents.iter().enumerate() {
        if document.content.trim().is_empty() {
            return Err(GenerationError::invalid_input(
                format!("documents[{index}].content"),
                "must not be empty; leave the document out if it has no text",
            ));
        }
    }
    Ok(())
}
