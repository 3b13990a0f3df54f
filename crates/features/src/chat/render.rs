//! A message's result, per intent: Markdown for people (headings and lists, as the chat's
//! examples in docs/chat.md) and, when the message asked for `json`, the structured answer
//! beside it under `data` (each intent's schema is documented in docs/chat.md).

use generation::task::{
    ChatAnswer, ChatIntentKind, RequirementAnalysis, RiskLevel, TicketAssessment,
};
use job_types::chat::{ChatProposal, ChatResult};
use serde::Serialize;
use serde_json::{Value, json};

use super::agent::AgentState;
use super::proposal::Draft;
use super::tools::{IssueFacts, Observation};
use crate::env::JobEnv;

fn result(
    kind: &str,
    intent: ChatIntentKind,
    format: &str,
    message: String,
    content: String,
    data: impl FnOnce() -> Value,
) -> ChatResult {
    ChatResult {
        kind: kind.to_owned(),
        intent: intent.as_str().to_owned(),
        format: format.to_owned(),
        message,
        content,
        data: (format == "json").then(data),
        ..ChatResult::default()
    }
}

fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The agent needs more from the user.
pub(crate) fn clarification(intent: ChatIntentKind, format: &str, question: &str) -> ChatResult {
    result(
        "clarification",
        intent,
        format,
        question.to_owned(),
        question.to_owned(),
        || json!({ "question": question }),
    )
}

/// The user rejected the proposal: nothing was written.
pub(crate) fn cancelled(
    intent: ChatIntentKind,
    format: &str,
    proposal: Option<&ChatProposal>,
) -> ChatResult {
    let what = proposal.map_or("the proposal".to_owned(), |p| match &p.ticket_key {
        Some(key) => format!("the change to {key}"),
        None => format!("the ticket \"{}\"", p.ticket_summary),
    });
    let message = format!("Cancelled: {what} was not written.");
    result(
        "cancelled",
        intent,
        format,
        message.clone(),
        message,
        || json!({ "proposal": proposal }),
    )
}

/// The confirmed writes were made.
pub(crate) fn written(
    env: &JobEnv,
    intent: ChatIntentKind,
    format: &str,
    draft: &Draft,
    state: &AgentState,
) -> ChatResult {
    let key = state.written_key.clone();
    let url = key
        .as_deref()
        .map(|key| env.jira.browse_url(key).to_string());
    let (kind, message, content) = match draft {
        Draft::CreateTicket { fields, .. } => {
            let key = key.as_deref().unwrap_or("the ticket");
            let mut content = format!(
                "## Created {key}\n\n**{}** ({})\n",
                fields.summary, fields.issue_type
            );
            if let Some(url) = &url {
                content.push_str(&format!("\n{url}\n"));
            }
            (
                "ticket_created",
                format!("Successfully created ticket {key}"),
                content,
            )
        }
        Draft::UpdateTicket { current, .. } => {
            let changed: Vec<String> = state
                .proposal
                .iter()
                .flat_map(|p| p.changes.iter().map(|c| c.field.clone()))
                .chain(
                    state
                        .proposal
                        .iter()
                        .filter(|p| p.comment.is_some())
                        .map(|_| "comment".to_owned()),
                )
                .collect();
            (
                "ticket_updated",
                format!("Updated {}: {}", current.key, changed.join(", ")),
                format!(
                    "## Updated {}\n\nChanged: {}\n",
                    current.key,
                    changed.join(", ")
                ),
            )
        }
    };
    let mut out = result(
        kind,
        intent,
        format,
        message,
        content,
        || json!({ "key": key, "url": url, "writes": state.writes }),
    );
    out.ticket_key = key;
    out.ticket_url = url;
    out.writes = state.writes.clone();
    out
}

fn list(out: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n## {heading}\n"));
    for item in items {
        out.push_str(&format!("- {item}\n"));
    }
}

fn numbered(out: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n## {heading}\n"));
    for (index, item) in items.iter().enumerate() {
        out.push_str(&format!("{}. {item}\n", index + 1));
    }
}

/// A requirement analysis.
pub(crate) fn requirement_analysis(format: &str, analysis: &RequirementAnalysis) -> ChatResult {
    let mut out = format!(
        "# Requirement Analysis: {}\n\n{}\n",
        analysis.title, analysis.summary
    );
    if !analysis.functional_requirements.is_empty() {
        out.push_str("\n## Functional Requirements\n");
        for (index, requirement) in analysis.functional_requirements.iter().enumerate() {
            out.push_str(&format!("{}. **{}**\n", index + 1, requirement.name));
            for detail in &requirement.details {
                out.push_str(&format!("   - {detail}\n"));
            }
        }
    }
    if !analysis.non_functional_requirements.is_empty() {
        out.push_str("\n## Non-Functional Requirements\n");
        for requirement in &analysis.non_functional_requirements {
            out.push_str(&format!(
                "- **{}**: {}\n",
                requirement.category, requirement.requirement
            ));
        }
    }
    list(&mut out, "Technical Dependencies", &analysis.dependencies);
    numbered(
        &mut out,
        "Acceptance Criteria",
        &analysis.acceptance_criteria,
    );
    if !analysis.risks.is_empty() {
        out.push_str("\n## Risks & Challenges\n");
        for risk in &analysis.risks {
            let level = match risk.level {
                RiskLevel::High => "High",
                RiskLevel::Medium => "Medium",
                RiskLevel::Low => "Low",
            };
            out.push_str(&format!(
                "- **{level}**: {} — {}\n",
                risk.description, risk.mitigation
            ));
        }
    }
    list(&mut out, "Open Questions", &analysis.open_questions);
    numbered(&mut out, "Recommendations", &analysis.recommendations);
    result(
        "requirement_analysis",
        ChatIntentKind::RequirementAnalysis,
        format,
        format!("Requirement analysis: {}", analysis.title),
        out,
        || to_value(analysis),
    )
}

/// A ticket assessment.
pub(crate) fn assessment(
    format: &str,
    facts: &IssueFacts,
    assessment: &TicketAssessment,
) -> ChatResult {
    let mut out = format!(
        "# Assessment of {}: {}/10\n\n**{}**\n\n{}\n\n## Areas\n",
        facts.key, assessment.score, facts.summary, assessment.summary
    );
    for area in &assessment.areas {
        let name = to_value(&area.area)
            .as_str()
            .unwrap_or_default()
            .replace('_', " ");
        out.push_str(&format!("- **{name}**: {}/10\n", area.score));
        for finding in &area.findings {
            out.push_str(&format!("  - {finding}\n"));
        }
    }
    numbered(&mut out, "Fixes", &assessment.fixes);
    list(
        &mut out,
        "Suggested Acceptance Criteria",
        &assessment.suggested_acceptance_criteria,
    );
    out.push_str("\n## Estimate\n");
    match assessment.estimate_points {
        Some(points) => out.push_str(&format!(
            "{points} story points — {}\n",
            assessment.estimate_rationale
        )),
        None => out.push_str(&format!(
            "Not estimable yet — {}\n",
            assessment.estimate_rationale
        )),
    }
    let mut out = result(
        "ticket_assessment",
        ChatIntentKind::AssessTicket,
        format,
        format!("{} scores {}/10", facts.key, assessment.score),
        out,
        || {
            let mut value = to_value(assessment);
            if let Some(object) = value.as_object_mut() {
                object.insert("ticket_key".into(), json!(facts.key));
            }
            value
        },
    );
    out.ticket_key = Some(facts.key.clone());
    out.ticket_url = Some(facts.url.clone());
    out
}

/// Search results, summarised by status.
pub(crate) fn search_results(format: &str, data: &Value) -> ChatResult {
    let jql = data.get("jql").and_then(Value::as_str).unwrap_or_default();
    let explanation = data
        .get("explanation")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let issues = data
        .get("issues")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = data
        .get("total")
        .and_then(Value::as_u64)
        .unwrap_or(issues.len() as u64);
    let field = |issue: &Value, name: &str| {
        issue
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or("—")
            .to_owned()
    };
    let mut by_status: Vec<(String, usize)> = Vec::new();
    for issue in &issues {
        let status = field(issue, "status");
        match by_status.iter_mut().find(|(name, _)| *name == status) {
            Some((_, count)) => *count += 1,
            None => by_status.push((status, 1)),
        }
    }
    let mut out = format!("# Search results\n\n{explanation}\n\n`{jql}`\n\n");
    if issues.is_empty() {
        out.push_str("No issues match.\n");
    } else {
        let shown = if total > issues.len() as u64 {
            format!(
                "{total} issues match; the first {} are listed.",
                issues.len()
            )
        } else {
            format!("{total} issues match.")
        };
        let statuses: Vec<String> = by_status
            .iter()
            .map(|(status, count)| format!("{count} {status}"))
            .collect();
        out.push_str(&format!("{shown} By status: {}.\n\n", statuses.join(", ")));
        out.push_str("| Key | Summary | Status | Assignee |\n|---|---|---|---|\n");
        for issue in &issues {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                field(issue, "key"),
                field(issue, "summary").replace('|', "\\|"),
                field(issue, "status"),
                field(issue, "assignee"),
            ));
        }
    }
    result(
        "search_results",
        ChatIntentKind::Search,
        format,
        format!("{total} issues match"),
        out,
        || data.clone(),
    )
}

/// Content a ticket intelligence feature generated for the reply.
pub(crate) fn generated_content(format: &str, observation: &Observation) -> ChatResult {
    let title = observation
        .text
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    result(
        "answer",
        ChatIntentKind::GeneralQuery,
        format,
        title.trim_end_matches(':').to_owned(),
        observation.text.clone(),
        || observation.data.clone(),
    )
}

/// A general answer.
pub(crate) fn answer(format: &str, answer: &ChatAnswer) -> ChatResult {
    let mut content = answer.answer.clone();
    if !answer.follow_ups.is_empty() {
        content.push_str("\n\n**You could ask next:**\n");
        for follow_up in &answer.follow_ups {
            content.push_str(&format!("- {follow_up}\n"));
        }
    }
    let message = answer
        .answer
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default()
        .trim_start_matches('#')
        .trim()
        .chars()
        .take(200)
        .collect();
    result(
        "answer",
        ChatIntentKind::GeneralQuery,
        format,
        message,
        content,
        || to_value(answer),
    )
}
