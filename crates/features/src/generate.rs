//! `single` and `batch`: a ticket's description generated from the ticket, its parent and its
//! epic's PRD/RFC pages, previewed (the exact edit beside the current description) or written.
//!
//! A batch reads its tickets with one search, reads the parents and epics they share once, and
//! works `JobEnv::batch_concurrency` tickets at a time; one failing ticket never fails the batch,
//! and progress is reported after every ticket.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use atlassian::SearchQuery;
use atlassian::models::{Issue, IssueEdit};
use futures::StreamExt;
use generation::task::{IssueType, TicketDescriptionInput};
use job_types::generate::{GenerateBatch, GenerateSingle, TicketResult};
use jobs::{JobContext, RetryPolicy};
use llm::ResolvedModel;
use serde_json::json;

use crate::documents::{EpicDocuments, epic_documents};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::tickets::{description_markdown, is_epic, parent_context, read_issue};
use crate::writes::{Executor, Write, WriteScope, WriteStep, preview};

/// Why a ticket's description is left alone when writing.
pub const HAS_DESCRIPTION: &str = "Ticket already has description";

impl BackgroundJob for GenerateSingle {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<TicketResult, Failure> {
        let model = env.resolve_model(self.llm_provider.as_deref(), self.llm_model.as_deref())?;
        ctx.update_counters(|counters| counters.total_tickets = Some(1));
        ctx.message(format!("Generating the description of {}", self.ticket_key))
            .await
            .map_err(|_| Failure::internal("cancelled"))?;
        let issue = read_issue(env, &self.ticket_key, "Ticket").await?;
        let surroundings = Surroundings::gather(env, std::slice::from_ref(&issue)).await?;
        let request = Request {
            model: &model,
            update_jira: self.update_jira,
            additional_context: self.additional_context.as_deref(),
        };
        let result = describe(env, ctx, issue, &surroundings, &request).await?;
        ctx.record_ticket(result.success);
        Ok(result)
    }
}

impl BackgroundJob for GenerateBatch {
    fn retry_policy() -> RetryPolicy {
        // Tickets already written are found in the write ledger, so a retry only redoes the rest.
        RetryPolicy::default()
    }

    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<Vec<TicketResult>, Failure> {
        let model = env.resolve_model(self.llm_provider.as_deref(), self.llm_model.as_deref())?;
        ctx.message(format!("Searching: {}", self.jql))
            .await
            .map_err(|_| Failure::internal("cancelled"))?;
        let issues = env
            .jira
            .search_all(
                SearchQuery::new(self.jql.clone()).with_fields(["*all"]),
                self.max_results as usize,
            )
            .await
            .map_err(|error| Failure::jira("the batch's JQL search", error))?;
        let total = issues.len() as u64;
        ctx.update_counters(|counters| counters.total_tickets = Some(total));
        let surroundings = Arc::new(Surroundings::gather(env, &issues).await?);
        let request = Request {
            model: &model,
            update_jira: self.update_jira,
            additional_context: None,
        };
        // Progress is reported inside each ticket's future, never in the loop that collects
        // them: a future that is not being polled may hold the database's writer slot, and
        // awaiting the database there would wait for it forever.
        let done = std::sync::atomic::AtomicU64::new(0);
        let done = &done;
        let mut results: Vec<(usize, TicketResult)> =
            futures::stream::iter(issues.into_iter().enumerate())
                .map(|(index, issue)| {
                    let surroundings = surroundings.clone();
                    let request = &request;
                    async move {
                        let key = issue.key.clone();
                        let summary = issue.summary().to_owned();
                        if ctx.checkpoint().is_err() {
                            return (
                                index,
                                TicketResult {
                                    ticket_key: key,
                                    summary,
                                    error: Some("cancelled".into()),
                                    ..TicketResult::default()
                                },
                            );
                        }
                        let result = match describe(env, ctx, issue, &surroundings, request).await {
                            Ok(result) => result,
                            Err(failure) => TicketResult {
                                ticket_key: key,
                                summary,
                                success: false,
                                error: Some(failure.0.error_text()),
                                ..TicketResult::default()
                            },
                        };
                        // A batch's results are kept whole in the job: a written ticket's
                        // outcome (`writes`) already says what was sent, so its plan goes.
                        let mut result = result;
                        if result.updated_in_jira {
                            result.write_plan = None;
                        }
                        ctx.record_ticket(result.success);
                        let done = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                        let message =
                            format!("Processed {} ({done} of {total})", result.ticket_key);
                        // A cancellation is seen by the checkpoint after the stream.
                        let _ = ctx.progress(message, done, total).await;
                        (index, result)
                    }
                })
                .buffer_unordered(env.batch_concurrency)
                .collect()
                .await;
        if ctx.checkpoint().is_err() {
            return Err(Failure::internal("cancelled"));
        }
        results.sort_by_key(|(index, _)| *index);
        Ok(results.into_iter().map(|(_, result)| result).collect())
    }
}

/// What every ticket of one request shares.
struct Request<'a> {
    model: &'a ResolvedModel,
    update_jira: bool,
    additional_context: Option<&'a str>,
}

/// The parents and epics of a set of tickets, and the epics' documents, each read once.
#[derive(Debug, Default)]
pub struct Surroundings {
    issues: BTreeMap<String, Issue>,
    documents: BTreeMap<String, EpicDocuments>,
}

impl Surroundings {
    /// Reads the parents of `tickets`, their parents when those are not epics, and the documents
    /// of every epic found.
    pub async fn gather(env: &JobEnv, tickets: &[Issue]) -> Result<Self, Failure> {
        // Only the issues above the tickets are kept: a batch already holds the tickets, and
        // a second copy of a thousand issues is memory for nothing.
        let mut surroundings = Self::default();
        let in_batch: BTreeSet<&str> = tickets.iter().map(|t| t.key.as_str()).collect();
        let mut wanted: BTreeSet<String> = tickets
            .iter()
            .filter_map(|issue| issue.parent_key())
            .filter(|key| !in_batch.contains(key))
            .map(str::to_owned)
            .collect();
        for ticket in tickets
            .iter()
            .filter(|t| is_epic(t) || wanted.contains(&t.key))
        {
            surroundings
                .issues
                .insert(ticket.key.clone(), ticket.clone());
        }
        // Tickets whose parent is in the batch need it as context too.
        for ticket in tickets {
            if let Some(parent) = ticket.parent_key()
                && in_batch.contains(parent)
                && let Some(issue) = tickets.iter().find(|t| t.key == parent)
            {
                surroundings.issues.insert(issue.key.clone(), issue.clone());
            }
        }
        for _level in 0..2 {
            wanted.retain(|key| !surroundings.issues.contains_key(key));
            if wanted.is_empty() {
                break;
            }
            let mut found_now = Vec::new();
            for chunk in wanted.iter().cloned().collect::<Vec<_>>().chunks(50) {
                let keys: Vec<String> = chunk
                    .iter()
                    .map(|k| atlassian::jira::quote_jql(k))
                    .collect();
                let jql = format!("key in ({})", keys.join(", "));
                let found = env
                    .jira
                    .search_all(SearchQuery::new(jql).with_fields(["*all"]), chunk.len())
                    .await
                    .map_err(|error| Failure::jira("the tickets' parents", error))?;
                found_now.extend(found);
            }
            wanted = found_now
                .iter()
                .filter_map(|issue| issue.parent_key().map(str::to_owned))
                .collect();
            for issue in found_now {
                surroundings.issues.insert(issue.key.clone(), issue);
            }
        }
        let epics: Vec<Issue> = surroundings
            .issues
            .values()
            .filter(|issue| is_epic(issue))
            .cloned()
            .collect();
        for epic in epics {
            let documents = epic_documents(env, &epic).await;
            surroundings.documents.insert(epic.key, documents);
        }
        Ok(surroundings)
    }

    fn parent_of<'a>(&'a self, issue: &Issue) -> Option<&'a Issue> {
        issue.parent_key().and_then(|key| self.issues.get(key))
    }

    fn epic_of<'a>(&'a self, issue: &'a Issue) -> Option<&'a Issue> {
        if is_epic(issue) {
            return Some(issue);
        }
        let parent = self.parent_of(issue)?;
        if is_epic(parent) {
            Some(parent)
        } else {
            self.parent_of(parent).filter(|grand| is_epic(grand))
        }
    }
}

/// Generates one ticket's description and previews or writes it.
async fn describe(
    env: &JobEnv,
    ctx: &JobContext,
    issue: Issue,
    surroundings: &Surroundings,
    request: &Request<'_>,
) -> Result<TicketResult, Failure> {
    let key = issue.key.clone();
    let current = description_markdown(&issue);
    let parent = surroundings.parent_of(&issue);
    let documents = surroundings
        .epic_of(&issue)
        .and_then(|epic| surroundings.documents.get(&epic.key))
        .cloned()
        .unwrap_or_default();
    let input = TicketDescriptionInput {
        ticket_key: Some(key.clone()),
        summary: issue.summary().to_owned(),
        issue_type: issue
            .issue_type_name()
            .map(IssueType::from_name)
            .unwrap_or_default(),
        description: current.clone(),
        parent: parent.map(parent_context),
        documents: documents.documents.clone(),
        additional_context: request.additional_context.map(str::to_owned),
        linked_changes: Vec::new(),
        labels: issue.fields.labels.clone(),
        components: Vec::new(),
    };
    let generated = env
        .generate(&input, request.model, ctx.cancellation().clone())
        .await?;
    let markdown = generated.output.to_markdown();
    let step = WriteStep::new(
        format!("describe:{key}"),
        Write::EditIssue {
            key: key.clone(),
            edit: IssueEdit::new().set_description(markup::markdown_to_adf(&markdown)),
            current: Some(json!({ "description": current })),
        },
    );
    let job_id = ctx.job_id().to_string();
    let plan = preview(&env.jira, &job_id, std::slice::from_ref(&step)).await?;
    let mut result = TicketResult {
        ticket_key: key.clone(),
        summary: issue.summary().to_owned(),
        assignee_name: issue
            .fields
            .assignee
            .as_ref()
            .map(|user| user.display_name.clone()),
        parent_name: parent.map(|parent| parent.summary().to_owned()),
        generated_description: Some(markdown),
        success: true,
        llm_provider: Some(generated.usage.provider.clone()),
        llm_model: Some(generated.usage.model.clone()),
        system_prompt: Some(generated.system_prompt),
        user_prompt: Some(generated.user_prompt),
        additional_context: request.additional_context.map(str::to_owned),
        current_description: current.clone(),
        write_plan: Some(plan),
        context_sources: documents.source_names(),
        usage: Some(generated.usage),
        ..TicketResult::default()
    };
    if request.update_jira {
        if current.as_deref().is_some_and(|text| !is_placeholder(text)) {
            result.skipped_reason = Some(HAS_DESCRIPTION.to_owned());
        } else {
            let mut executor = Executor::new(&env.jira, &env.db, WriteScope::of(ctx));
            let outcome = executor.run(&step).await;
            result.updated_in_jira = outcome.status != "failed";
            if let Some(error) = &outcome.error {
                result.success = false;
                result.error = Some(error.clone());
            }
            result.writes.push(outcome);
        }
    }
    Ok(result)
}

/// Whether a description is only a placeholder: empty, "TBD"-like, or nothing but the headings
/// of a template, so writing a generated one loses nothing.
pub fn is_placeholder(markdown: &str) -> bool {
    let words: Vec<String> = markdown
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.starts_with('#')
                && !line.starts_with("h1.")
                && !line.starts_with("h2.")
                && !line.starts_with("h3.")
        })
        .flat_map(str::split_whitespace)
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|word| !word.is_empty())
        .collect();
    const FILLER: [&str; 11] = [
        "tbd",
        "todo",
        "tba",
        "n/a",
        "na",
        "none",
        "wip",
        "later",
        "placeholder",
        "description",
        "details",
    ];
    words.is_empty()
        || (words.len() <= 3 && words.iter().all(|word| FILLER.contains(&word.as_str())))
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_are_recognised_and_real_text_is_kept() {
        for text in [
            "",
            "TBD",
            "tbd.",
            "N/A",
            "## Description\n\n## Acceptance Criteria\n",
            "TODO: later",
        ] {
            assert!(is_placeholder(text), "{text:?}");
        }
        for text in [
            "Users cannot log in on Safari.",
            "Add CSV export to the orders page",
        ] {
            assert!(!is_placeholder(text), "{text:?}");
        }
    }
}
