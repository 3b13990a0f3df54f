//! Proposals: the ticket to create or the change to make, drafted from the message, checked
//! against Jira (the project's create metadata, the assignee's account, the parent), shown to
//! the user as exactly the requests a confirmation sends, and written once when confirmed.
//!
//! A proposal is rendered from the stored draft alone, so the proposal the write re-renders is
//! byte for byte the one shown, and its hash proves it (docs/chat.md, "Confirmation").

use atlassian::models::{IssueEdit, NewIssue};
use generation::task::{TicketDraft, TicketDraftInput, TicketUpdate, TicketUpdateInput};
use job_types::WriteOutcome;
use job_types::chat::{ChatProposal, FieldChange};
use jobs::JobContext;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use store::ChatTaskRecord;

use super::agent::AgentState;
use super::tools::{CreateOptions, IssueFacts};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::writes::{Executor, Write, WriteScope, WriteStep, preview};

/// Jira's limit on a summary, in characters.
const MAX_SUMMARY_CHARS: usize = 255;
/// Lines a text diff compares at most on each side (beyond: the whole text replaced).
const MAX_DIFF_LINES: usize = 400;

/// A user Jira knows, as an assignee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Assignee {
    pub account_id: String,
    pub display_name: String,
    /// The name the user wrote, which this account was found for.
    pub asked_for: String,
}

/// What the user is asked to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub(crate) enum Draft {
    CreateTicket {
        options: CreateOptions,
        fields: TicketDraft,
        assignee: Option<Assignee>,
        /// What validation changed or could not honour.
        notes: Vec<String>,
        /// What the user's last edit could not apply.
        #[serde(default)]
        edit_notes: Vec<String>,
    },
    UpdateTicket {
        current: IssueFacts,
        update: TicketUpdate,
        notes: Vec<String>,
        #[serde(default)]
        edit_notes: Vec<String>,
    },
}

/// Drafts the proposal for the message: `Err(question)` when the agent cannot (the project
/// does not exist, the ticket cannot be read, the change is not understood).
pub(crate) async fn draft(
    env: &JobEnv,
    task: &ChatTaskRecord,
    state: &mut AgentState,
    model: &llm::ResolvedModel,
    cancel: llm::CancellationToken,
) -> Result<Result<Draft, String>, Failure> {
    let intent = state
        .intent
        .as_ref()
        .map(|intent| intent.intent)
        .unwrap_or(generation::task::ChatIntentKind::GeneralQuery);
    if intent == generation::task::ChatIntentKind::CreateTicket {
        let meta = state.observations.iter().find(|o| o.tool == "create_meta");
        let options = match meta {
            Some(found) if found.ok => serde_json::from_value::<CreateOptions>(found.data.clone())
                .map_err(|error| Failure::internal(format!("create options: {error}")))?,
            Some(found) => return Ok(Err(format!("I cannot create it: {}.", found.text))),
            None => return Ok(Err("Which project should the ticket go to?".into())),
        };
        let input = TicketDraftInput {
            message: task.message.clone(),
            conversation: state.conversation.clone(),
            project_key: Some(options.project_key.clone()),
            issue_types: options.issue_types.clone(),
            priorities: options.priorities.clone(),
            components: options.components.clone(),
        };
        let generated = env.generate(&input, model, cancel).await?;
        state.usage.add(&generated.usage);
        return Ok(Ok(Draft::CreateTicket {
            options,
            fields: generated.output,
            assignee: None,
            notes: Vec::new(),
            edit_notes: Vec::new(),
        }));
    }
    let read = state.observations.iter().find(|o| o.tool == "read_issue");
    let current = match read {
        Some(found) if found.ok => serde_json::from_value::<IssueFacts>(found.data.clone())
            .map_err(|error| Failure::internal(format!("issue facts: {error}")))?,
        Some(found) => return Ok(Err(format!("I cannot change it: {}.", found.text))),
        None => return Ok(Err("Which ticket should I change?".into())),
    };
    let input = TicketUpdateInput {
        message: task.message.clone(),
        conversation: state.conversation.clone(),
        ticket_key: current.key.clone(),
        summary: current.summary.clone(),
        description: current.description.clone(),
        priority: current.priority.clone(),
        labels: current.labels.clone(),
        priorities: Vec::new(),
    };
    let generated = env.generate(&input, model, cancel).await?;
    state.usage.add(&generated.usage);
    let update = generated.output;
    if is_empty_update(&update) {
        return Ok(Err(format!(
            "I did not find a change to make to {} in your message ({}). Say what to change, for example \"set the priority of {} to High\" or \"add the label backend\".",
            current.key, update.rationale, current.key
        )));
    }
    Ok(Ok(Draft::UpdateTicket {
        current,
        update,
        notes: Vec::new(),
        edit_notes: Vec::new(),
    }))
}

fn is_empty_update(update: &TicketUpdate) -> bool {
    update.summary.is_none()
        && update.description.is_none()
        && update.priority.is_none()
        && update.labels_to_add.is_empty()
        && update.labels_to_remove.is_empty()
        && update.comment.is_none()
}

/// Checks the draft against Jira and the project's options, fixing what it can and noting
/// every change it made so the user sees it before confirming.
pub(crate) async fn validate(env: &JobEnv, draft: &mut Draft) -> Result<(), Failure> {
    match draft {
        Draft::CreateTicket {
            options,
            fields,
            assignee,
            notes,
            ..
        } => {
            notes.clear();
            fields.summary = one_line(&fields.summary);
            if fields.summary.is_empty() {
                fields.summary = "Untitled request".into();
                notes.push("The summary was empty; edit it before confirming.".into());
            }
            if fields.summary.chars().count() > MAX_SUMMARY_CHARS {
                fields.summary = fields.summary.chars().take(MAX_SUMMARY_CHARS).collect();
                notes.push(format!(
                    "The summary was cut to Jira's {MAX_SUMMARY_CHARS} characters."
                ));
            }
            match pick(&options.issue_types, &fields.issue_type) {
                Some(name) => fields.issue_type = name,
                None => {
                    let fallback = options
                        .issue_types
                        .iter()
                        .find(|t| t.eq_ignore_ascii_case("task"))
                        .or_else(|| options.issue_types.first())
                        .cloned()
                        .unwrap_or_else(|| "Task".into());
                    notes.push(format!(
                        "Project {} has no issue type \"{}\"; using \"{fallback}\" (types: {}).",
                        options.project_key,
                        fields.issue_type,
                        options.issue_types.join(", ")
                    ));
                    fields.issue_type = fallback;
                }
            }
            if let Some(priority) = fields.priority.clone() {
                if options.priorities.is_empty() {
                    // The create screen does not offer a priority: Jira would refuse one.
                    notes.push(format!(
                        "Project {} does not set priorities on create; \"{priority}\" was left out.",
                        options.project_key
                    ));
                    fields.priority = None;
                } else {
                    match pick(&options.priorities, &priority) {
                        Some(name) => fields.priority = Some(name),
                        None => {
                            notes.push(format!(
                                "There is no priority \"{priority}\" (priorities: {}); the project's default applies.",
                                options.priorities.join(", ")
                            ));
                            fields.priority = None;
                        }
                    }
                }
            }
            let mut components = Vec::new();
            for component in &fields.components {
                // A project without components has none to pick: every name is unknown.
                let found = if options.components.is_empty() {
                    None
                } else {
                    pick(&options.components, component)
                };
                match found {
                    Some(name) if !components.contains(&name) => components.push(name),
                    Some(_) => {}
                    None => notes.push(format!(
                        "Project {} has no component \"{component}\"; left out.",
                        options.project_key
                    )),
                }
            }
            fields.components = components;
            fields.labels = labels(&fields.labels);
            match fields
                .assignee
                .clone()
                .filter(|name| !name.trim().is_empty())
            {
                Some(name) => {
                    let known = assignee.as_ref().is_some_and(|a| a.asked_for == name);
                    if !known {
                        *assignee = find_user(env, &name).await?;
                    }
                    if assignee.is_none() {
                        notes.push(format!(
                            "No single Jira user matches \"{name}\"; the ticket will be unassigned (edit `assignee` with their e-mail address to pick one)."
                        ));
                    }
                }
                None => *assignee = None,
            }
            if let Some(parent) = fields.parent_key.clone() {
                match domain::IssueKey::parse(&parent) {
                    Ok(key) => {
                        let key = key.to_string();
                        match env.jira.get_issue(&key, &["summary"], &[]).await {
                            Ok(_) => fields.parent_key = Some(key),
                            Err(atlassian::Error::NotFound { .. }) => {
                                notes.push(format!("The parent {key} does not exist; left out."));
                                fields.parent_key = None;
                            }
                            Err(error) => return Err(Failure::jira(&key, error)),
                        }
                    }
                    Err(_) => {
                        notes.push(format!("\"{parent}\" is not an issue key; no parent set."));
                        fields.parent_key = None;
                    }
                }
            }
            for field in &options.required_unfilled {
                notes.push(format!(
                    "The create screen requires {field}, which the agent does not fill; Jira may refuse the ticket."
                ));
            }
        }
        Draft::UpdateTicket {
            current,
            update,
            notes,
            ..
        } => {
            notes.clear();
            if let Some(summary) = update.summary.as_mut() {
                *summary = one_line(summary);
                if summary.chars().count() > MAX_SUMMARY_CHARS {
                    *summary = summary.chars().take(MAX_SUMMARY_CHARS).collect();
                    notes.push(format!(
                        "The summary was cut to Jira's {MAX_SUMMARY_CHARS} characters."
                    ));
                }
            }
            if update.summary.as_deref().is_some_and(str::is_empty)
                || update.summary.as_deref() == Some(current.summary.as_str())
            {
                update.summary = None;
            }
            if update.description.as_deref().map(str::trim) == current.description.as_deref() {
                update.description = None;
            }
            if update.priority.is_some() && update.priority == current.priority {
                update.priority = None;
            }
            update.labels_to_add = labels(&update.labels_to_add)
                .into_iter()
                .filter(|label| !current.labels.contains(label))
                .collect();
            let removable: Vec<String> = update
                .labels_to_remove
                .iter()
                .filter(|label| current.labels.contains(label))
                .cloned()
                .collect();
            for label in &update.labels_to_remove {
                if !removable.contains(label) {
                    notes.push(format!(
                        "{} has no label \"{label}\" to remove.",
                        current.key
                    ));
                }
            }
            update.labels_to_remove = removable;
            if update
                .comment
                .as_deref()
                .is_some_and(|c| c.trim().is_empty())
            {
                update.comment = None;
            }
            if is_empty_update(update) {
                notes.push(format!(
                    "Nothing would change on {}: the ticket already has these values.",
                    current.key
                ));
            }
        }
    }
    Ok(())
}

/// The allowed name matching `wanted` (case-insensitive; else the one containing it).
fn pick(allowed: &[String], wanted: &str) -> Option<String> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return None;
    }
    if allowed.is_empty() {
        return Some(wanted.to_owned());
    }
    allowed
        .iter()
        .find(|name| name.eq_ignore_ascii_case(wanted))
        .or_else(|| {
            let lower = wanted.to_lowercase();
            allowed.iter().find(|name| {
                let name = name.to_lowercase();
                name.contains(&lower) || lower.contains(&name)
            })
        })
        .cloned()
}

/// Jira labels: no spaces, lower-case, unique.
fn labels(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in raw {
        let label: String = label
            .trim()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-");
        if !label.is_empty() && label.len() <= 255 && !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The one active user `name` (a display name or an e-mail address) denotes, if exactly one.
async fn find_user(env: &JobEnv, name: &str) -> Result<Option<Assignee>, Failure> {
    let users = env
        .jira
        .search_users(name, 10)
        .await
        .map_err(|error| Failure::jira("the user search", error))?;
    let active: Vec<_> = users
        .iter()
        .filter(|user| user.active && user.account_type.as_deref() != Some("app"))
        .collect();
    let exact: Vec<_> = active
        .iter()
        .filter(|user| {
            user.display_name.eq_ignore_ascii_case(name)
                || user
                    .email_address
                    .as_deref()
                    .is_some_and(|email| email.eq_ignore_ascii_case(name))
        })
        .collect();
    let chosen = match (exact.as_slice(), active.as_slice()) {
        ([one], _) => Some(**one),
        ([], [one]) => Some(*one),
        _ => None,
    };
    Ok(chosen.map(|user| Assignee {
        account_id: user.account_id.clone(),
        display_name: user.display_name.clone(),
        asked_for: name.to_owned(),
    }))
}

/// Applies the user's edits to the draft; validation runs again before it is shown again.
/// Unknown fields are noted, not silently dropped.
pub(crate) fn apply_edits(draft: &mut Draft, edits: &Map<String, Value>) {
    let text = |value: &Value| -> Option<String> {
        value
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let list = |value: &Value| -> Vec<String> {
        match value {
            Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(str::to_owned)
                .collect(),
            Value::String(text) => text.split(',').map(|s| s.trim().to_owned()).collect(),
            _ => Vec::new(),
        }
    };
    let mut unknown = Vec::new();
    match draft {
        Draft::CreateTicket { fields, .. } => {
            for (name, value) in edits {
                match name.as_str() {
                    "summary" | "ticket_summary" => {
                        if let Some(v) = text(value) {
                            fields.summary = v;
                        }
                    }
                    "description" | "ticket_description" => {
                        fields.description = value.as_str().unwrap_or_default().to_owned();
                    }
                    "issue_type" | "type" => {
                        if let Some(v) = text(value) {
                            fields.issue_type = v;
                        }
                    }
                    "priority" => fields.priority = text(value),
                    "labels" => fields.labels = list(value),
                    "components" => fields.components = list(value),
                    "assignee" => fields.assignee = text(value),
                    "parent_key" | "parent" | "epic" => fields.parent_key = text(value),
                    other => unknown.push(other.to_owned()),
                }
            }
        }
        Draft::UpdateTicket { update, .. } => {
            for (name, value) in edits {
                match name.as_str() {
                    "summary" | "ticket_summary" => update.summary = text(value),
                    "description" | "ticket_description" => update.description = text(value),
                    "priority" => update.priority = text(value),
                    "labels_to_add" | "add_labels" => update.labels_to_add = list(value),
                    "labels_to_remove" | "remove_labels" => update.labels_to_remove = list(value),
                    "comment" => update.comment = text(value),
                    other => unknown.push(other.to_owned()),
                }
            }
        }
    }
    let (Draft::CreateTicket { edit_notes, .. } | Draft::UpdateTicket { edit_notes, .. }) = draft;
    edit_notes.clear();
    if !unknown.is_empty() {
        edit_notes.push(format!(
            "Ignored edits of unknown fields: {} (a new ticket takes summary, description, issue_type, priority, labels, components, assignee, parent_key; a change takes summary, description, priority, labels_to_add, labels_to_remove, comment).",
            unknown.join(", ")
        ));
    }
}

/// The writes a confirmation sends for `draft`.
fn steps(draft: &Draft) -> Vec<WriteStep> {
    match draft {
        Draft::CreateTicket {
            options,
            fields,
            assignee,
            ..
        } => {
            let mut issue = NewIssue::new(
                options.project_key.clone(),
                fields.issue_type.clone(),
                fields.summary.clone(),
            )
            .with_labels(fields.labels.clone());
            if !fields.description.trim().is_empty() {
                issue = issue.with_description(markup::markdown_to_adf(&fields.description));
            }
            if let Some(parent) = &fields.parent_key {
                issue = issue.with_parent(parent.clone());
            }
            issue.priority_name = fields.priority.clone();
            issue.component_names = fields.components.clone();
            issue.assignee_account_id = assignee.as_ref().map(|a| a.account_id.clone());
            vec![WriteStep::new("create:ticket", Write::CreateIssue(issue))]
        }
        Draft::UpdateTicket {
            current, update, ..
        } => {
            let mut out = Vec::new();
            let mut edit = IssueEdit::new();
            let mut before = Map::new();
            if let Some(summary) = &update.summary {
                edit = edit.set_summary(summary.clone());
                before.insert("summary".into(), json!(current.summary));
            }
            if let Some(description) = &update.description {
                edit = edit.set_description(markup::markdown_to_adf(description));
                before.insert("description".into(), json!(current.description));
            }
            if let Some(priority) = &update.priority {
                edit = edit.set_field("priority", json!({ "name": priority }));
                before.insert("priority".into(), json!({ "name": current.priority }));
            }
            for label in &update.labels_to_add {
                edit = edit.add_label(label.clone());
            }
            for label in &update.labels_to_remove {
                edit = edit.remove_label(label.clone());
            }
            if !update.labels_to_add.is_empty() || !update.labels_to_remove.is_empty() {
                before.insert("labels".into(), json!(current.labels));
            }
            if !edit.is_empty() {
                out.push(WriteStep::new(
                    "edit:ticket",
                    Write::EditIssue {
                        key: current.key.clone(),
                        edit,
                        current: Some(Value::Object(before)),
                    },
                ));
            }
            if let Some(comment) = &update.comment {
                out.push(WriteStep::new(
                    "comment:ticket",
                    Write::AddComment {
                        key: current.key.clone(),
                        body: markup::markdown_to_adf(comment),
                    },
                ));
            }
            out
        }
    }
}

/// The scope of a task's write intents: every attempt of every job of the task shares it.
fn scope(task: &ChatTaskRecord) -> String {
    format!("chat:{}", task.id)
}

/// The proposal shown for `draft`: its fields and the exact requests.
pub(crate) async fn render(
    env: &JobEnv,
    task: &ChatTaskRecord,
    draft: &Draft,
) -> Result<ChatProposal, Failure> {
    let plan = preview(&env.jira, &scope(task), &steps(draft)).await?;
    Ok(match draft {
        Draft::CreateTicket {
            fields,
            assignee,
            notes,
            edit_notes,
            ..
        } => ChatProposal {
            action: "create_ticket".into(),
            ticket_key: None,
            ticket_summary: fields.summary.clone(),
            ticket_description: Some(fields.description.clone()),
            issue_type: Some(fields.issue_type.clone()),
            priority: fields.priority.clone(),
            labels: fields.labels.clone(),
            components: fields.components.clone(),
            assignee: assignee
                .as_ref()
                .map(|a| json!({ "display_name": a.display_name, "account_id": a.account_id })),
            parent_key: fields.parent_key.clone(),
            changes: Vec::new(),
            comment: None,
            notes: notes.iter().chain(edit_notes).cloned().collect(),
            write_plan: plan,
        },
        Draft::UpdateTicket {
            current,
            update,
            notes,
            edit_notes,
        } => {
            let mut changes = Vec::new();
            if let Some(summary) = &update.summary {
                changes.push(text_change("summary", &current.summary, summary));
            }
            if let Some(description) = &update.description {
                changes.push(text_change(
                    "description",
                    current.description.as_deref().unwrap_or_default(),
                    description,
                ));
            }
            if let Some(priority) = &update.priority {
                changes.push(FieldChange {
                    field: "priority".into(),
                    before: json!(current.priority),
                    after: json!(priority),
                    diff: None,
                });
            }
            if !update.labels_to_add.is_empty() || !update.labels_to_remove.is_empty() {
                let mut after: Vec<String> = current
                    .labels
                    .iter()
                    .filter(|label| !update.labels_to_remove.contains(label))
                    .cloned()
                    .collect();
                after.extend(update.labels_to_add.iter().cloned());
                changes.push(FieldChange {
                    field: "labels".into(),
                    before: json!(current.labels),
                    after: json!(after),
                    diff: None,
                });
            }
            ChatProposal {
                action: "update_ticket".into(),
                ticket_key: Some(current.key.clone()),
                ticket_summary: update.summary.clone().unwrap_or(current.summary.clone()),
                ticket_description: None,
                issue_type: Some(current.issue_type.clone()),
                priority: update.priority.clone().or(current.priority.clone()),
                labels: Vec::new(),
                components: Vec::new(),
                assignee: None,
                parent_key: None,
                changes,
                comment: update.comment.clone(),
                notes: notes.iter().chain(edit_notes).cloned().collect(),
                write_plan: plan,
            }
        }
    })
}

fn text_change(field: &str, before: &str, after: &str) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: json!(before),
        after: json!(after),
        diff: Some(line_diff(before, after)),
    }
}

/// A unified-style diff of two texts, line by line (longest common subsequence).
pub(crate) fn line_diff(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let mut out = String::from("--- before\n+++ after\n");
    if old.len() > MAX_DIFF_LINES || new.len() > MAX_DIFF_LINES {
        for line in &old {
            out.push_str(&format!("-{line}\n"));
        }
        for line in &new {
            out.push_str(&format!("+{line}\n"));
        }
        return out;
    }
    // lcs[i][j]: common lines of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            let value = if old.get(i) == new.get(j) {
                cell(&lcs, i + 1, j + 1) + 1
            } else {
                cell(&lcs, i + 1, j).max(cell(&lcs, i, j + 1))
            };
            if let Some(slot) = lcs.get_mut(i).and_then(|row| row.get_mut(j)) {
                *slot = value;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) if a == b => {
                out.push_str(&format!(" {a}\n"));
                i += 1;
                j += 1;
            }
            (Some(a), Some(_)) if cell(&lcs, i + 1, j) >= cell(&lcs, i, j + 1) => {
                out.push_str(&format!("-{a}\n"));
                i += 1;
            }
            (_, Some(b)) => {
                out.push_str(&format!("+{b}\n"));
                j += 1;
            }
            (Some(a), None) => {
                out.push_str(&format!("-{a}\n"));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

fn cell(table: &[Vec<usize>], i: usize, j: usize) -> usize {
    table
        .get(i)
        .and_then(|row| row.get(j))
        .copied()
        .unwrap_or(0)
}

/// Sends the confirmed proposal's writes, each exactly once (a retried or recovered job finds
/// its earlier writes), after checking the draft still renders the proposal the user
/// confirmed (`hash`). Returns what each write did and the key written.
pub(crate) async fn write(
    env: &JobEnv,
    ctx: &JobContext,
    task: &ChatTaskRecord,
    draft: &Draft,
    hash: &str,
) -> Result<(Vec<WriteOutcome>, Option<String>), Failure> {
    let shown = render(env, task, draft).await?;
    if shown.hash() != hash {
        return Err(Failure::internal(format!(
            "the proposal to write (hash {}) is not the one confirmed ({hash}); nothing was written",
            shown.hash()
        )));
    }
    let mut executor = Executor::new(
        &env.jira,
        &env.db,
        WriteScope::fenced(scope(task), ctx.fence()),
    );
    let mut outcomes = Vec::new();
    for step in steps(draft) {
        outcomes.push(executor.try_run(&step).await?);
    }
    let key = match draft {
        Draft::CreateTicket { .. } => executor.created_key("create:ticket").map(str::to_owned),
        Draft::UpdateTicket { current, .. } => Some(current.key.clone()),
    };
    Ok((outcomes, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_mark_removed_and_added_lines() {
        let diff = line_diff("a\nb\nc", "a\nB\nc\nd");
        assert_eq!(diff, "--- before\n+++ after\n a\n-b\n+B\n c\n+d\n");
    }

    #[test]
    fn names_are_matched_case_insensitively_then_by_containment() {
        let allowed = vec!["Bug".to_owned(), "Story".to_owned(), "Task".to_owned()];
        assert_eq!(pick(&allowed, "bug").as_deref(), Some("Bug"));
        assert_eq!(pick(&allowed, "User Story").as_deref(), Some("Story"));
        assert_eq!(pick(&allowed, "Epic"), None);
        assert_eq!(pick(&[], "Anything").as_deref(), Some("Anything"));
    }

    #[test]
    fn labels_are_jira_safe() {
        assert_eq!(
            labels(&[
                "Production Blocker".into(),
                "login".into(),
                "LOGIN".into(),
                " ".into()
            ]),
            ["production-blocker", "login"]
        );
    }
}
