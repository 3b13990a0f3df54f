//! The agent's graph as plain Rust: its state (what is checkpointed) and one function per node.
//!
//! ```text
//! classify ─► plan ─► act (one tool call per step, repeated) ─┬─► respond ─► (completed)
//!                                                             └─► propose ─► (waiting)
//! resume ─► decide ─┬─ confirmed ─► write ─► respond
//!                   ├─ edited ────► propose (validated and shown again)
//!                   └─ rejected ──► respond (nothing written)
//! ```
//!
//! [`run_step`] runs one node and says which comes next and whether the task goes on, waits or
//! ends; the job writes the checkpoint between steps (`mod.rs`).

use generation::task::{
    ChatAnswerInput, ChatIntent, ChatIntentInput, ChatIntentKind, ChatTurnText,
    RequirementAnalysisInput, SourceDocument, TicketAssessmentInput,
};
use job_types::UsageRecord;
use job_types::chat::{ChatDecision, ChatProposal, ChatResult};
use jobs::JobContext;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::{ChatOutcome, ChatTaskRecord};

use super::memory;
use super::proposal::{self, Draft};
use super::render;
use super::tools::{self, IssueFacts, Observation, ToolCall};
use crate::env::JobEnv;
use crate::failure::Failure;

/// Tool calls one message may make at most (a runaway plan ends here).
const MAX_TOOL_CALLS: usize = 12;
/// Times a proposal may be edited and shown again.
const MAX_PROPOSAL_ROUNDS: u32 = 10;

/// The nodes of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Classify,
    Plan,
    Act,
    Propose,
    Decide,
    Write,
    Respond,
    Done,
}

impl Step {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::Classify => "classify",
            Step::Plan => "plan",
            Step::Act => "act",
            Step::Propose => "propose",
            Step::Decide => "decide",
            Step::Write => "write",
            Step::Respond => "respond",
            Step::Done => "done",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, Failure> {
        [
            Step::Classify,
            Step::Plan,
            Step::Act,
            Step::Propose,
            Step::Decide,
            Step::Write,
            Step::Respond,
            Step::Done,
        ]
        .into_iter()
        .find(|step| step.as_str() == text)
        .ok_or_else(|| Failure::internal(format!("unknown chat step {text:?}")))
    }
}

/// Where the agent goes once its tool calls are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AfterTools {
    Respond,
    Propose,
}

/// Everything the agent knows about the message so far: the checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AgentState {
    /// The conversation before this message, as prompts carry it.
    pub conversation: Vec<ChatTurnText>,
    pub intent: Option<ChatIntent>,
    /// Tool calls still to make, in order.
    pub pending: Vec<ToolCall>,
    pub calls_made: usize,
    pub observations: Vec<Observation>,
    pub after_tools: Option<AfterTools>,
    /// The ticket to create or the change to make, once drafted.
    pub draft: Option<Draft>,
    /// The proposal last shown.
    pub proposal: Option<ChatProposal>,
    pub proposal_rounds: u32,
    /// The agent needs more from the user (which ticket, which project).
    pub clarification: Option<String>,
    pub rejected: bool,
    /// What the confirmed writes did.
    pub writes: Vec<job_types::WriteOutcome>,
    pub written_key: Option<String>,
    pub usage: UsageRecord,
}

/// What one step produced: the next node, how the task stands, and the step's event.
pub(crate) type Advanced = (Step, ChatOutcome, Option<(String, Value)>);

fn event(kind: &str, data: Value) -> Option<(String, Value)> {
    Some((kind.to_owned(), data))
}

/// Runs node `step` of `task`, updating `state`.
pub(crate) async fn run_step(
    env: &JobEnv,
    ctx: &JobContext,
    task: &ChatTaskRecord,
    step: Step,
    state: &mut AgentState,
) -> Result<Advanced, Failure> {
    let model = env.resolve_model(None, None)?;
    let cancel = ctx.cancellation().clone();
    match step {
        Step::Classify => {
            let earlier = env
                .db
                .chat_tasks_of(&task.conversation_id, task.seq)
                .await?;
            state.conversation = memory::context(&earlier);
            let input = ChatIntentInput {
                message: task.message.clone(),
                conversation: state.conversation.clone(),
            };
            let generated = env.generate(&input, &model, cancel).await?;
            state.usage.add(&generated.usage);
            let mut intent = generated.output;
            intent.ticket_keys = normalise_keys(&intent.ticket_keys);
            let data = json!({
                "intent": intent.intent.as_str(),
                "confidence": intent.confidence,
                "ticket_keys": intent.ticket_keys,
                "reasoning": intent.reasoning,
            });
            state.intent = Some(intent);
            Ok((Step::Plan, ChatOutcome::Continue, event("classified", data)))
        }
        Step::Plan => {
            let intent = state.intent.clone().ok_or_else(|| missing("intent"))?;
            plan(env, task, state, &intent);
            let data = json!({
                "tools": state.pending.iter().map(ToolCall::name).collect::<Vec<_>>(),
                "then": state.after_tools,
                "clarification": state.clarification,
            });
            let next = if state.clarification.is_some() {
                Step::Respond
            } else if state.pending.is_empty() {
                after_tools(state)
            } else {
                Step::Act
            };
            Ok((next, ChatOutcome::Continue, event("planned", data)))
        }
        Step::Act => {
            if state.pending.is_empty() || state.calls_made >= MAX_TOOL_CALLS {
                state.pending.clear();
                return Ok((after_tools(state), ChatOutcome::Continue, None));
            }
            let call = state.pending.remove(0);
            let (observation, follow_ups) = tools::run(
                env,
                &call,
                &state.conversation,
                &model,
                cancel,
                &mut state.usage,
            )
            .await?;
            state.calls_made += 1;
            for (index, follow_up) in follow_ups.into_iter().enumerate() {
                state.pending.insert(index, follow_up);
            }
            let data = json!({
                "tool": call.name(),
                "call": call,
                "ok": observation.ok,
                "summary": first_line(&observation.text),
            });
            state.observations.push(observation);
            let next = if state.pending.is_empty() {
                after_tools(state)
            } else {
                Step::Act
            };
            Ok((next, ChatOutcome::Continue, event("tool", data)))
        }
        Step::Propose => {
            if state.draft.is_none() {
                match proposal::draft(env, task, state, &model, cancel).await? {
                    Ok(draft) => state.draft = Some(draft),
                    Err(clarification) => {
                        state.clarification = Some(clarification);
                        return Ok((Step::Respond, ChatOutcome::Continue, None));
                    }
                }
            }
            let Some(draft) = state.draft.as_mut() else {
                return Err(missing("draft"));
            };
            proposal::validate(env, draft).await?;
            let shown = proposal::render(env, task, draft).await?;
            let hash = shown.hash();
            state.proposal_rounds += 1;
            let data = json!({ "proposal": shown, "proposal_hash": hash });
            let expires_at = chrono::Utc::now()
                + chrono::Duration::from_std(env.chat.confirmation_expiry)
                    .unwrap_or_else(|_| chrono::Duration::hours(24));
            let proposal_value = serde_json::to_value(&shown)
                .map_err(|error| Failure::internal(format!("proposal: {error}")))?;
            state.proposal = Some(shown);
            Ok((
                Step::Decide,
                ChatOutcome::Interrupt {
                    proposal: proposal_value,
                    proposal_hash: hash,
                    expires_at,
                },
                event("waiting_confirmation", data),
            ))
        }
        Step::Decide => {
            let decision: ChatDecision = task
                .decision
                .clone()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|error| Failure::internal(format!("decision: {error}")))?
                .unwrap_or_default();
            if !decision.confirmation {
                state.rejected = true;
                return Ok((
                    Step::Respond,
                    ChatOutcome::Continue,
                    event("rejected", json!({})),
                ));
            }
            match decision.user_input.filter(|edits| !edits.is_empty()) {
                Some(edits) => {
                    if state.proposal_rounds >= MAX_PROPOSAL_ROUNDS {
                        return Err(Failure::invalid(format!(
                            "the proposal was edited {MAX_PROPOSAL_ROUNDS} times; send a new message to start over"
                        )));
                    }
                    let Some(draft) = state.draft.as_mut() else {
                        return Err(missing("draft"));
                    };
                    let fields: Vec<String> = edits.keys().cloned().collect();
                    proposal::apply_edits(draft, &edits);
                    Ok((
                        Step::Propose,
                        ChatOutcome::Continue,
                        event("edited", json!({ "fields": fields })),
                    ))
                }
                None => Ok((
                    Step::Write,
                    ChatOutcome::Continue,
                    event("confirmed", json!({})),
                )),
            }
        }
        Step::Write => {
            let Some(draft) = state.draft.as_ref() else {
                return Err(missing("draft"));
            };
            let hash = task.proposal_hash.clone().unwrap_or_default();
            let (outcomes, key) = proposal::write(env, ctx, task, draft, &hash).await?;
            state.writes = outcomes;
            state.written_key = key;
            let data = json!({ "writes": state.writes, "key": state.written_key });
            Ok((Step::Respond, ChatOutcome::Continue, event("written", data)))
        }
        Step::Respond => {
            let result = respond(env, task, state, &model, cancel).await?;
            let reply = result.content.clone();
            let data = json!({ "type": result.kind, "message": result.message });
            let result = serde_json::to_value(&result)
                .map_err(|error| Failure::internal(format!("result: {error}")))?;
            Ok((
                Step::Done,
                ChatOutcome::Completed { result, reply },
                event("completed", data),
            ))
        }
        Step::Done => Err(Failure::internal("the chat task already finished")),
    }
}

fn missing(what: &str) -> Failure {
    Failure::internal(format!("the chat checkpoint has no {what}"))
}

fn after_tools(state: &AgentState) -> Step {
    match state.after_tools {
        Some(AfterTools::Propose) => Step::Propose,
        _ => Step::Respond,
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// Upper-case, deduplicated, well-formed keys.
fn normalise_keys(keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        if let Ok(parsed) = domain::IssueKey::parse(key) {
            let key = parsed.to_string();
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// Confluence page addresses in a message.
fn page_links(message: &str) -> Vec<String> {
    message
        .split_whitespace()
        .map(|word| word.trim_end_matches(['.', ',', ')', ';']))
        .filter(|word| {
            (word.starts_with("http://") || word.starts_with("https://")) && word.contains("/wiki/")
        })
        .map(str::to_owned)
        .collect()
}

/// The project a message (or its tickets, or the configuration) names.
fn project_for(env: &JobEnv, message: &str, keys: &[String]) -> Option<String> {
    let words: Vec<&str> = message
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ':' | ';' | '(' | ')'))
        .filter(|word| !word.is_empty())
        .collect();
    for pair in words.windows(2) {
        if let [before, word] = pair
            && matches!(
                before.to_ascii_lowercase().as_str(),
                "in" | "project" | "to" | "into"
            )
            && word.len() >= 2
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        {
            return Some((*word).to_owned());
        }
    }
    keys.first()
        .and_then(|key| key.split('-').next())
        .map(str::to_owned)
        .or_else(|| env.chat.default_project.clone())
}

/// The tool calls for an intent, and where to go after them.
fn plan(env: &JobEnv, task: &ChatTaskRecord, state: &mut AgentState, intent: &ChatIntent) {
    let message = task.message.as_str();
    let keys = intent.ticket_keys.clone();
    let read_keys = |keys: &[String]| -> Vec<ToolCall> {
        keys.iter()
            .take(5)
            .map(|key| ToolCall::ReadIssue { key: key.clone() })
            .collect()
    };
    let pages: Vec<ToolCall> = page_links(message)
        .into_iter()
        .take(3)
        .map(|page| ToolCall::ReadPage { page })
        .collect();
    // "Write test cases for PROJ-7", "break PROJ-7 down into tasks": a ticket intelligence
    // feature answers, whichever of the two reading intents the message was taken for.
    if matches!(
        intent.intent,
        ChatIntentKind::GeneralQuery | ChatIntentKind::RequirementAnalysis
    ) && let Some(call) = keys.first().and_then(|key| feature_tool(message, key))
    {
        state.pending = vec![call];
        state.after_tools = Some(AfterTools::Respond);
        return;
    }
    match intent.intent {
        ChatIntentKind::RequirementAnalysis => {
            state.pending = read_keys(&keys);
            state.pending.extend(pages);
            state.after_tools = Some(AfterTools::Respond);
        }
        ChatIntentKind::CreateTicket => match project_for(env, message, &keys) {
            Some(project_key) => {
                state.pending = vec![ToolCall::CreateMeta { project_key }];
                // A parent named in the message is read so the proposal can check it exists.
                state.pending.extend(read_keys(&keys));
                state.pending.extend(pages);
                state.after_tools = Some(AfterTools::Propose);
            }
            None => {
                state.clarification = Some(
                    "Which project should the ticket go to? Name it in your message (for example \"in PROJ\"), or set JIRA_PROJECT_KEY for a default.".into(),
                );
            }
        },
        ChatIntentKind::AssessTicket | ChatIntentKind::UpdateTicket => match keys.first() {
            Some(key) => {
                state.pending = vec![ToolCall::ReadIssue { key: key.clone() }];
                state.after_tools = Some(if intent.intent == ChatIntentKind::AssessTicket {
                    AfterTools::Respond
                } else {
                    AfterTools::Propose
                });
            }
            None => {
                state.clarification = Some(format!(
                    "Which ticket should I {}? Give its key, for example PROJ-123.",
                    if intent.intent == ChatIntentKind::AssessTicket {
                        "assess"
                    } else {
                        "change"
                    }
                ));
            }
        },
        ChatIntentKind::Search => {
            state.pending = vec![ToolCall::TranslateToJql {
                request: message.to_owned(),
                project_key: project_for(env, message, &keys),
            }];
            state.after_tools = Some(AfterTools::Respond);
        }
        ChatIntentKind::GeneralQuery => {
            state.pending = read_keys(&keys);
            state.pending.extend(pages);
            state.after_tools = Some(AfterTools::Respond);
        }
    }
}

/// The ticket intelligence feature a message asks for about `key`, if any.
fn feature_tool(message: &str, key: &str) -> Option<ToolCall> {
    let lower = message.to_lowercase();
    let key = key.to_owned();
    if lower.contains("test case") || lower.contains("tests for") {
        Some(ToolCall::WriteTestCases { key })
    } else if (lower.contains("break") && lower.contains("down"))
        || lower.contains("breakdown")
        || lower.contains("split")
        || lower.contains("tasks for")
    {
        Some(ToolCall::BreakDownStory { key })
    } else if lower.contains("description")
        && ["write", "generate", "draft", "suggest"]
            .iter()
            .any(|verb| lower.contains(verb))
    {
        Some(ToolCall::GenerateDescription { key })
    } else {
        None
    }
}

/// The final answer of the message.
async fn respond(
    env: &JobEnv,
    task: &ChatTaskRecord,
    state: &mut AgentState,
    model: &llm::ResolvedModel,
    cancel: llm::CancellationToken,
) -> Result<ChatResult, Failure> {
    let intent = state
        .intent
        .as_ref()
        .map_or(ChatIntentKind::GeneralQuery, |i| i.intent);
    let format = task.output_format.as_str();
    if let Some(question) = &state.clarification {
        return Ok(render::clarification(intent, format, question));
    }
    if state.rejected {
        return Ok(render::cancelled(intent, format, state.proposal.as_ref()));
    }
    if let Some(draft) = &state.draft
        && (!state.writes.is_empty() || state.written_key.is_some())
    {
        let mut result = render::written(env, intent, format, draft, state);
        result.usage = usage(state);
        return Ok(result);
    }
    let failed_reads: Vec<&Observation> = state.observations.iter().filter(|o| !o.ok).collect();
    let generated = state.observations.iter().find(|o| {
        o.ok && matches!(
            o.tool.as_str(),
            "generate_description" | "break_down_story" | "write_test_cases"
        )
    });
    if let Some(generated) = generated {
        let mut result = render::generated_content(format, generated);
        result.intent = intent.as_str().to_owned();
        result.usage = usage(state);
        return Ok(result);
    }
    let mut result = match intent {
        ChatIntentKind::RequirementAnalysis => {
            let documents = state
                .observations
                .iter()
                .filter(|o| o.ok)
                .map(|o| SourceDocument {
                    kind: generation::task::DocumentType::Prd,
                    title: Some(o.tool.clone()),
                    url: None,
                    content: o.text.clone(),
                })
                .collect();
            let input = RequirementAnalysisInput {
                requirement: task.message.clone(),
                conversation: state.conversation.clone(),
                documents,
            };
            let generated = env.generate(&input, model, cancel).await?;
            state.usage.add(&generated.usage);
            render::requirement_analysis(format, &generated.output)
        }
        ChatIntentKind::AssessTicket => {
            let facts = state
                .observations
                .iter()
                .find(|o| o.ok && o.tool == "read_issue")
                .and_then(|o| serde_json::from_value::<IssueFacts>(o.data.clone()).ok());
            let Some(facts) = facts else {
                let why = failed_reads
                    .first()
                    .map_or("the ticket could not be read".to_owned(), |o| {
                        o.text.clone()
                    });
                return Ok(render::clarification(
                    intent,
                    format,
                    &format!("I could not assess it: {why}. Check the key and try again."),
                ));
            };
            let input = TicketAssessmentInput {
                ticket_key: facts.key.clone(),
                summary: facts.summary.clone(),
                issue_type: generation::task::IssueType::from_name(&facts.issue_type),
                description: facts.description.clone(),
                status: facts.status.clone(),
                priority: facts.priority.clone(),
                labels: facts.labels.clone(),
                components: facts.components.clone(),
                comments: facts.comments.clone(),
                links: facts.links.clone(),
                estimate: facts.estimate,
            };
            let generated = env.generate(&input, model, cancel).await?;
            state.usage.add(&generated.usage);
            render::assessment(format, &facts, &generated.output)
        }
        ChatIntentKind::Search => {
            let search = state
                .observations
                .iter()
                .find(|o| o.ok && o.tool == "search_jql");
            match search {
                Some(found) => render::search_results(format, &found.data),
                None => {
                    let why = failed_reads
                        .first()
                        .map_or("no query was made".to_owned(), |o| o.text.clone());
                    render::clarification(
                        intent,
                        format,
                        &format!(
                            "I could not search: {why}. Try rephrasing, e.g. \"open bugs in PROJ updated this week\"."
                        ),
                    )
                }
            }
        }
        ChatIntentKind::CreateTicket | ChatIntentKind::UpdateTicket => {
            // Reached only when nothing was proposed (the draft step asked a question instead).
            render::clarification(
                intent,
                format,
                "I could not prepare a change from that; say what to change, for example \"set the priority of PROJ-7 to High\".",
            )
        }
        ChatIntentKind::GeneralQuery => {
            let facts: Vec<String> = state.observations.iter().map(|o| o.text.clone()).collect();
            let input = ChatAnswerInput {
                message: task.message.clone(),
                conversation: state.conversation.clone(),
                facts,
            };
            let generated = env.generate(&input, model, cancel).await?;
            state.usage.add(&generated.usage);
            render::answer(format, &generated.output)
        }
    };
    result.intent = intent.as_str().to_owned();
    result.usage = usage(state);
    Ok(result)
}

fn usage(state: &AgentState) -> Option<UsageRecord> {
    (state.usage.calls > 0).then(|| state.usage.clone())
}
