//! Jira operations (docs/reference-behaviour.md §1.8; docs/reference-behaviour.md §1.8, §5.8): edit a ticket or a story,
//! create a task (under the epic, split from its story, blocking other tickets) or a story, and
//! the bulk versions: stories updated one by one, tasks created in two phases (every task, then
//! every link, so links between tasks of the same request resolve).
//!
//! Every job first plans its writes ([`crate::writes::WriteStep`]s) from what it read, then
//! either renders the plan ([`crate::writes::preview`], nothing written) or runs it through the
//! exactly-once [`crate::writes::Executor`] under the job id, so a retried job never creates a
//! ticket or a link twice. Descriptions and test cases arrive as Markdown and are written as ADF;
//! test cases go to the site's test-case field, or under "## Test Cases" in the description when
//! the site has none (with a warning).

mod create;
mod edit;
mod job_kinds;
mod links;
pub mod story_text;
pub mod task_refs;

use std::collections::HashMap;

use atlassian::models::Issue;
use generation::task::IssueType;
use job_types::jira_ops::Rejection;
use jobs::JobContext;
use serde_json::Value;

use crate::custom_fields::FieldRole;
use crate::env::JobEnv;
use crate::failure::Failure;

pub use create::{bulk_create_stories, bulk_create_tasks, create_story_ticket, create_ticket};
pub use edit::{bulk_update_stories, update_story_ticket, update_ticket};

/// Why one ticket of a request cannot be worked: the status a single-ticket request answers
/// with, where in the body the culprit is, and what to do.
#[derive(Debug, Clone)]
pub(crate) struct ItemError {
    pub status: u16,
    pub loc: Vec<Value>,
    pub message: String,
    /// The failure behind it when Jira (or the database) failed, so a single-ticket job can
    /// fail (and be retried) instead of answering a refusal.
    pub failure: Option<Failure>,
}

impl ItemError {
    pub fn new(status: u16, loc: Vec<Value>, message: impl Into<String>) -> Self {
        Self {
            status,
            loc,
            message: message.into(),
            failure: None,
        }
    }

    pub fn from_failure(failure: Failure, loc: Vec<Value>) -> Self {
        Self {
            status: failure.code().http_status(),
            loc,
            message: failure.0.message.clone(),
            failure: Some(failure),
        }
    }

    /// For a single-ticket job: a refusal to answer, or a failure of the job itself (Jira
    /// unavailable, a bug) when the ticket is not to blame.
    pub fn into_rejection(self) -> Result<(Rejection, String), Failure> {
        match self.failure {
            Some(failure) if self.status >= 500 => Err(failure),
            _ => Ok((
                Rejection {
                    status: self.status,
                    loc: self.loc,
                },
                self.message,
            )),
        }
    }
}

/// `["body", a, b, ...]` from path segments.
pub(crate) fn loc(path: &[Value]) -> Vec<Value> {
    let mut out = vec![Value::from("body")];
    out.extend(path.iter().cloned());
    out
}

/// A body location extended by more segments.
pub(crate) fn loc_with(base: &[Value], more: &[Value]) -> Vec<Value> {
    let mut out = base.to_vec();
    out.extend(more.iter().cloned());
    out
}

/// Issues read during one job, so a story or an epic named by many items is read once.
#[derive(Default)]
pub(crate) struct IssueCache {
    issues: HashMap<String, Option<Issue>>,
}

impl IssueCache {
    /// The issue, `None` when it does not exist (or is not visible).
    pub async fn get(&mut self, env: &JobEnv, key: &str) -> Result<Option<Issue>, Failure> {
        if let Some(found) = self.issues.get(key) {
            return Ok(found.clone());
        }
        let found = match env.jira.get_issue(key, &[], &[]).await {
            Ok(issue) => Some(issue),
            Err(atlassian::Error::NotFound { .. }) => None,
            Err(error) => return Err(Failure::jira(key, error)),
        };
        self.issues.insert(key.to_owned(), found.clone());
        Ok(found)
    }

    /// The issue, or a 404 item error at `at` naming it as `noun`.
    pub async fn require(
        &mut self,
        env: &JobEnv,
        key: &str,
        noun: &str,
        at: Vec<Value>,
    ) -> Result<Issue, ItemError> {
        match self.get(env, key).await {
            Ok(Some(issue)) => Ok(issue),
            Ok(None) => Err(ItemError::new(404, at, format!("{noun} {key} not found"))),
            Err(failure) => Err(ItemError::from_failure(failure, at)),
        }
    }
}

/// The issue type of `issue` as generation classifies it, and its name on the site.
pub(crate) fn issue_type(issue: &Issue) -> (IssueType, String) {
    let name = issue.issue_type_name().unwrap_or("Task").to_owned();
    (IssueType::from_name(&name), name)
}

/// The custom fields the operations write, as found on the site.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpFields {
    pub test_cases: Option<String>,
    pub mandays: Option<String>,
}

impl OpFields {
    pub async fn resolve(env: &JobEnv) -> Result<Self, Failure> {
        let resolution = env.custom_fields().resolve(&env.jira).await?;
        Ok(Self {
            test_cases: resolution.id(FieldRole::TestCases).map(str::to_owned),
            mandays: resolution.id(FieldRole::Mandays).map(str::to_owned),
        })
    }
}

/// The warning when test cases go into the description.
pub(crate) const NO_TEST_FIELD: &str = "This Jira site has no test-case field (set JIRA_TEST_CASE_CUSTOM_FIELD or add a field named \"Test cases\"): the test cases were put in the description under \"## Test Cases\"";

/// The warning when mandays cannot be written.
pub(crate) const NO_MANDAYS_FIELD: &str = "This Jira site has no mandays field (set JIRA_MANDAYS_CUSTOM_FIELD or add a number field named \"Mandays\"): mandays were not written";

/// `description` with the test cases appended under "## Test Cases".
pub(crate) fn with_test_cases_section(description: &str, test_cases: &str) -> String {
    let description = description.trim_end();
    if description.is_empty() {
        format!("## Test Cases\n\n{}", test_cases.trim())
    } else {
        format!("{description}\n\n## Test Cases\n\n{}", test_cases.trim())
    }
}

/// Markdown as the ADF JSON value of a rich-text custom field.
pub(crate) fn adf_value(markdown: &str) -> Result<Value, Failure> {
    serde_json::to_value(markup::markdown_to_adf(markdown))
        .map_err(|error| Failure::internal(format!("cannot encode ADF: {error}")))
}

/// A rich-text field's current value as Markdown.
pub(crate) fn field_markdown(issue: &Issue, field_id: &str) -> Option<String> {
    let raw = issue.fields.raw(field_id)?;
    match raw {
        Value::Null => None,
        Value::String(text) => Some(text.clone()).filter(|t| !t.trim().is_empty()),
        other => serde_json::from_value::<markup::AdfDoc>(other.clone())
            .ok()
            .map(|doc| markup::adf_to_markdown(&doc).trim().to_owned())
            .filter(|t| !t.is_empty()),
    }
}

/// Counts the job's progress after an item and stops when the job is cancelled.
pub(crate) async fn item_done(
    ctx: Option<&JobContext>,
    message: String,
    done: usize,
    total: usize,
    success: Option<bool>,
) -> Result<(), Failure> {
    let Some(ctx) = ctx else { return Ok(()) };
    if let Some(success) = success {
        ctx.record_ticket(success);
    }
    ctx.progress(message, done as u64, total as u64)
        .await
        .map_err(|error| Failure::internal(format!("stopped: {error}")))
}

/// Sets the job's ticket total.
pub(crate) fn set_total(ctx: Option<&JobContext>, total: usize) {
    if let Some(ctx) = ctx {
        ctx.update_counters(|counters| counters.total_tickets = Some(total as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cases_go_under_their_own_heading_when_the_site_has_no_field() {
        assert_eq!(
            with_test_cases_section("Store tokens.\n", "- token stored\n"),
            "Store tokens.\n\n## Test Cases\n\n- token stored"
        );
        assert_eq!(
            with_test_cases_section("", "- one"),
            "## Test Cases\n\n- one"
        );
        let adf = adf_value("- one\n- two").expect("encodable");
        assert_eq!(adf["type"], "doc");
    }
}
