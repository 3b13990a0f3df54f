//! The chat agent's tasks: classify a message's intent, analyse a requirement, draft a ticket
//! from a request, assess a ticket, propose a change to a ticket, turn a question into JQL, and
//! answer a general question from what the agent has read. The agent itself (graph, tools,
//! confirmation) lives in the `features` crate; these are only its model calls.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{IssueType, SourceDocument, TaskInput, TaskKind};
use crate::error::GenerationError;

/// The longest message the chat accepts, in characters (the API rejects longer ones).
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// One earlier turn of the conversation, as the prompt shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatTurnText {
    /// `user`, `assistant`, or `summary` (older turns condensed into one text).
    pub role: String,
    pub text: String,
}

fn require_message(field: &str, message: &str) -> Result<(), GenerationError> {
    if message.trim().is_empty() {
        return Err(GenerationError::invalid_input(
            field,
            "must not be empty; send what the user wrote",
        ));
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(GenerationError::invalid_input(
            field,
            format!("is longer than {MAX_MESSAGE_CHARS} characters; shorten it"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// chat_intent

/// What the user wants from one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatIntentKind {
    /// Analyse a requirement: functional and non-functional requirements, dependencies, risks.
    RequirementAnalysis,
    /// Create a new Jira ticket.
    CreateTicket,
    /// Assess an existing ticket's quality.
    AssessTicket,
    /// Change an existing ticket (summary, description, priority, labels, a comment).
    UpdateTicket,
    /// Find tickets (natural language → JQL).
    Search,
    /// Anything else: questions, explanations, chit-chat.
    GeneralQuery,
}

impl ChatIntentKind {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatIntentKind::RequirementAnalysis => "requirement_analysis",
            ChatIntentKind::CreateTicket => "create_ticket",
            ChatIntentKind::AssessTicket => "assess_ticket",
            ChatIntentKind::UpdateTicket => "update_ticket",
            ChatIntentKind::Search => "search",
            ChatIntentKind::GeneralQuery => "general_query",
        }
    }
}

/// Classify a message, with the conversation so far for context ("make it high priority"
/// after a drafted ticket is an update of that draft's request, not a general question).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatIntentInput {
    pub message: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
}

impl TaskInput for ChatIntentInput {
    const KIND: TaskKind = TaskKind::ChatIntent;
    type Output = ChatIntent;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("message", &self.message)
    }
}

/// The classification of one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChatIntent {
    pub intent: ChatIntentKind,
    /// 0.0 to 1.0.
    pub confidence: f64,
    /// Jira issue keys the message (or, for "it"/"this ticket", the conversation) refers to,
    /// upper-case, in order of mention.
    pub ticket_keys: Vec<String>,
    /// One sentence: why this intent.
    pub reasoning: String,
}

// ---------------------------------------------------------------------------------------------
// requirement_analysis

/// Analyse a requirement written in the message (and documents the agent read for it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementAnalysisInput {
    pub requirement: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
    /// Pages or tickets the agent read for context.
    #[serde(default)]
    pub documents: Vec<SourceDocument>,
}

impl TaskInput for RequirementAnalysisInput {
    const KIND: TaskKind = TaskKind::RequirementAnalysis;
    type Output = RequirementAnalysis;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("requirement", &self.requirement)
    }
}

/// A structured requirement analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementAnalysis {
    /// A short name for the feature, e.g. "Data Export".
    pub title: String,
    /// Two or three sentences: what is asked and for whom.
    pub summary: String,
    pub functional_requirements: Vec<FunctionalRequirement>,
    pub non_functional_requirements: Vec<NonFunctionalRequirement>,
    /// External systems, teams or prerequisites the work depends on.
    pub dependencies: Vec<String>,
    /// Measurable criteria of done.
    pub acceptance_criteria: Vec<String>,
    pub risks: Vec<Risk>,
    /// What the requirement leaves unanswered, as questions to ask its author.
    pub open_questions: Vec<String>,
    pub recommendations: Vec<String>,
}

/// One capability the feature must have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionalRequirement {
    pub name: String,
    pub details: Vec<String>,
}

/// A quality the feature must have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NonFunctionalRequirement {
    /// Performance, Scalability, Security, Reliability, Usability, Compliance, Observability...
    pub category: String,
    pub requirement: String,
}

/// How likely and how bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    High,
    Medium,
    Low,
}

/// A risk with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Risk {
    pub level: RiskLevel,
    pub description: String,
    pub mitigation: String,
}

// ---------------------------------------------------------------------------------------------
// ticket_draft

/// Draft a new ticket from a request. The lists of allowed values come from the project's
/// create metadata, so a model picks names that exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDraftInput {
    pub message: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
    /// The project the ticket goes to.
    #[serde(default)]
    pub project_key: Option<String>,
    /// Issue type names the project allows (empty: any).
    #[serde(default)]
    pub issue_types: Vec<String>,
    /// Priority names the site has (empty: any).
    #[serde(default)]
    pub priorities: Vec<String>,
    /// Component names the project has (empty: none known).
    #[serde(default)]
    pub components: Vec<String>,
}

impl TaskInput for TicketDraftInput {
    const KIND: TaskKind = TaskKind::TicketDraft;
    type Output = TicketDraft;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("message", &self.message)
    }
}

/// A ticket ready to be proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketDraft {
    /// One line, at most 255 characters.
    pub summary: String,
    /// Markdown: headings, lists, code.
    pub description: String,
    /// One of the allowed issue types, e.g. "Bug", "Story", "Task".
    pub issue_type: String,
    /// One of the allowed priorities, when the request implies one.
    pub priority: Option<String>,
    /// Lower-case Jira labels without spaces.
    pub labels: Vec<String>,
    /// Names of existing components.
    pub components: Vec<String>,
    /// The assignee as the user named them ("Alice Smith", "alice@example.com"), when named.
    pub assignee: Option<String>,
    /// The parent epic's key, when the request names one.
    pub parent_key: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// ticket_assessment

/// Assess an existing ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketAssessmentInput {
    pub ticket_key: String,
    pub summary: String,
    #[serde(default)]
    pub issue_type: IssueType,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    /// Comment bodies as plain text, oldest first.
    #[serde(default)]
    pub comments: Vec<String>,
    /// "blocks PROJ-2: Summary" lines.
    #[serde(default)]
    pub links: Vec<String>,
    /// Story points or man-days, when the ticket has an estimate.
    #[serde(default)]
    pub estimate: Option<f64>,
}

impl TaskInput for TicketAssessmentInput {
    const KIND: TaskKind = TaskKind::TicketAssessment;
    type Output = TicketAssessment;

    fn validate(&self) -> Result<(), GenerationError> {
        super::require_text("summary", &self.summary)?;
        if self.ticket_key.trim().is_empty() {
            return Err(GenerationError::invalid_input(
                "ticket_key",
                "must not be empty; send the assessed ticket's key",
            ));
        }
        Ok(())
    }
}

/// A ticket's quality, area by area, with concrete fixes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketAssessment {
    /// Overall quality, 1 (unworkable) to 10 (ready to start).
    pub score: u8,
    /// Two sentences: the verdict.
    pub summary: String,
    /// One entry per area, in the order of [`AssessmentArea`].
    pub areas: Vec<AreaAssessment>,
    /// Concrete edits that would raise the score, most valuable first.
    pub fixes: Vec<String>,
    /// Acceptance criteria to add (Given/When/Then), when the ticket lacks testable ones.
    pub suggested_acceptance_criteria: Vec<String>,
    /// Story points a team would likely give it, when it can be estimated at all.
    pub estimate_points: Option<f64>,
    /// Why that estimate, or why none.
    pub estimate_rationale: String,
}

/// The areas a ticket is assessed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentArea {
    Clarity,
    Completeness,
    AcceptanceCriteria,
    Testability,
    Estimability,
    Dependencies,
}

/// One area's score and what was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AreaAssessment {
    pub area: AssessmentArea,
    /// 1 to 10.
    pub score: u8,
    pub findings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// ticket_update

/// Propose a change to an existing ticket from a request ("raise PROJ-7 to High and add the
/// label payments").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketUpdateInput {
    pub message: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
    pub ticket_key: String,
    /// The ticket as it is now.
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Priority names the site has (empty: any).
    #[serde(default)]
    pub priorities: Vec<String>,
}

impl TaskInput for TicketUpdateInput {
    const KIND: TaskKind = TaskKind::TicketUpdate;
    type Output = TicketUpdate;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("message", &self.message)?;
        super::require_text("summary", &self.summary)
    }
}

/// The change asked for; `null` / empty means "leave as is".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketUpdate {
    /// The new summary.
    pub summary: Option<String>,
    /// The whole new description (Markdown), not a fragment.
    pub description: Option<String>,
    pub priority: Option<String>,
    pub labels_to_add: Vec<String>,
    pub labels_to_remove: Vec<String>,
    /// A comment to add (Markdown).
    pub comment: Option<String>,
    /// One sentence: what changes and why.
    pub rationale: String,
}

// ---------------------------------------------------------------------------------------------
// jql_query

/// Turn a question about tickets into JQL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JqlQueryInput {
    pub request: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
    /// The default project, when the request names none.
    #[serde(default)]
    pub project_key: Option<String>,
}

impl TaskInput for JqlQueryInput {
    const KIND: TaskKind = TaskKind::JqlQuery;
    type Output = JqlQuery;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("request", &self.request)
    }
}

/// A JQL query with what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JqlQuery {
    /// Valid Jira JQL, with an ORDER BY.
    pub jql: String,
    /// One sentence in plain words.
    pub explanation: String,
}

// ---------------------------------------------------------------------------------------------
// chat_answer

/// Answer a general question from the conversation and what the agent read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatAnswerInput {
    pub message: String,
    #[serde(default)]
    pub conversation: Vec<ChatTurnText>,
    /// What the agent's tools returned for this message (issues read, search results), as text.
    #[serde(default)]
    pub facts: Vec<String>,
}

impl TaskInput for ChatAnswerInput {
    const KIND: TaskKind = TaskKind::ChatAnswer;
    type Output = ChatAnswer;

    fn validate(&self) -> Result<(), GenerationError> {
        require_message("message", &self.message)
    }
}

/// A reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChatAnswer {
    /// Markdown.
    pub answer: String,
    /// Up to three things the user could ask next.
    pub follow_ups: Vec<String>,
}
