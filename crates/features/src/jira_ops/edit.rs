//! Editing tickets and stories: `/jira/update-ticket`, `/jira/update-story-ticket` and
//! `/jira/bulk-update-stories`. One edit per ticket (summary, description, test cases, mandays,
//! parent) plus one write per link, planned from the ticket as it is now; a preview shows the
//! current values beside the new ones and the exact requests.

use std::collections::BTreeMap;

use atlassian::models::IssueEdit;
use generation::task::IssueType;
use job_types::WriteOutcome;
use job_types::jira_ops::{
    BulkUpdateStories, BulkUpdateStoriesResponse, LinkResult, StoryUpdateResult, TicketChanges,
    UpdatePreview, UpdateStoryTicket, UpdateTicket, UpdateTicketResponse,
};
use jobs::JobContext;
use serde_json::{Map, Value, json};

use super::links::{link_status, plan_link};
use super::story_text::cap_summary;
use super::{
    IssueCache, ItemError, NO_MANDAYS_FIELD, NO_TEST_FIELD, OpFields, field_markdown, issue_type,
    item_done, loc, loc_with, set_total, with_test_cases_section,
};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::tickets::{description_markdown, is_epic};
use crate::writes::{Executor, Write, WriteScope, WriteStep, preview};

/// An edit planned from the ticket as read.
struct PlannedEdit {
    key: String,
    edit: Option<WriteStep>,
    links: Vec<(WriteStep, LinkResult)>,
    updates: BTreeMap<String, bool>,
    preview: UpdatePreview,
    warnings: Vec<String>,
}

impl PlannedEdit {
    fn steps(&self) -> Vec<WriteStep> {
        self.edit
            .iter()
            .cloned()
            .chain(self.links.iter().map(|(step, _)| step.clone()))
            .collect()
    }
}

/// What came of one edit, previewed or written.
#[derive(Default)]
struct EditReport {
    success: bool,
    updated_in_jira: bool,
    updates_applied: BTreeMap<String, bool>,
    links_created: Vec<LinkResult>,
    preview: Option<UpdatePreview>,
    error: Option<String>,
    writes: Vec<WriteOutcome>,
    warnings: Vec<String>,
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}

/// One ticket to edit within a request.
struct EditItem<'a> {
    key: &'a str,
    changes: &'a TicketChanges,
    /// Only a Story may be edited.
    story: bool,
    /// Keeps step names unique within a bulk job (`story:3:`).
    prefix: String,
    /// The body location of the item (`["body", "stories", 3]`).
    base: Vec<Value>,
}

/// Plans the changes of `item` from the ticket as it is now.
async fn plan_edit(
    env: &JobEnv,
    fields: &OpFields,
    cache: &mut IssueCache,
    item: EditItem<'_>,
) -> Result<PlannedEdit, ItemError> {
    let EditItem {
        key,
        changes,
        story,
        prefix,
        base,
    } = item;
    let base = base.as_slice();
    let (noun, key_field) = if story {
        ("Story", "story_key")
    } else {
        ("Ticket", "ticket_key")
    };
    let issue = cache
        .require(env, key, noun, loc_with(base, &[key_field.into()]))
        .await?;
    let (kind, type_name) = issue_type(&issue);
    if story && kind != IssueType::Story {
        return Err(ItemError::new(
            400,
            loc_with(base, &[key_field.into()]),
            format!(
                "Ticket {key} is not a Story ticket (type: {type_name}). Use /jira/update-ticket to update other ticket types."
            ),
        ));
    }
    let current_summary = issue.summary().to_owned();
    let current_description = description_markdown(&issue);
    let mut edit = IssueEdit::new();
    let mut current = Map::new();
    let mut updates = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut preview = UpdatePreview {
        ticket_key: key.to_owned(),
        story_key: story.then(|| key.to_owned()),
        current_summary: current_summary.clone(),
        current_description: current_description.clone(),
        ..UpdatePreview::default()
    };

    if let Some(summary) = given(&changes.summary) {
        let (summary, cut) = cap_summary(summary.trim());
        if cut {
            warnings.push(format!(
                "The summary was longer than 255 characters; it was cut to {} characters",
                summary.chars().count()
            ));
        }
        edit = edit.set_summary(summary.clone());
        current.insert("summary".into(), json!(current_summary));
        updates.insert("summary".into(), true);
        preview.new_summary = Some(summary);
    }
    let mut new_description = given(&changes.description).map(str::to_owned);
    if let Some(tests) = given(&changes.test_cases) {
        match &fields.test_cases {
            Some(id) => {
                edit = edit.set_rich_text(id.clone(), markup::markdown_to_adf(tests));
                let now = field_markdown(&issue, id);
                current.insert(id.clone(), json!(now));
                preview.current_test_cases = now;
            }
            None => {
                let above = new_description
                    .clone()
                    .or_else(|| current_description.clone())
                    .unwrap_or_default();
                new_description = Some(with_test_cases_section(&above, tests));
                warnings.push(NO_TEST_FIELD.to_owned());
            }
        }
        updates.insert("test_cases".into(), true);
        preview.new_test_cases = Some(tests.to_owned());
    }
    if let Some(description) = &new_description {
        edit = edit.set_description(markup::markdown_to_adf(description));
        current.insert("description".into(), json!(current_description));
        if given(&changes.description).is_some() {
            updates.insert("description".into(), true);
        }
        preview.new_description = Some(description.clone());
    }
    if let Some(mandays) = changes.mandays {
        match &fields.mandays {
            Some(id) => {
                edit = edit.set_field(id.clone(), json!(mandays));
                let now = issue.fields.raw(id).and_then(Value::as_f64);
                current.insert(id.clone(), json!(now));
                preview.current_mandays = now;
                preview.new_mandays = Some(mandays);
                updates.insert("mandays".into(), true);
            }
            None => {
                warnings.push(NO_MANDAYS_FIELD.to_owned());
                updates.insert("mandays".into(), false);
            }
        }
    }
    if story {
        preview.current_parent_key = issue.parent_key().map(str::to_owned);
    }
    if let Some(parent_key) = given(&changes.parent_key) {
        let at = loc_with(base, &["parent_key".into()]);
        let parent = cache.require(env, parent_key, "Epic", at.clone()).await?;
        if !is_epic(&parent) {
            let (_, parent_type) = issue_type(&parent);
            return Err(ItemError::new(
                400,
                at,
                format!(
                    "parent_key {parent_key} is not an Epic (type: {parent_type}); a story's parent must be an epic"
                ),
            ));
        }
        if issue.parent_key() != Some(parent_key) {
            edit = edit.set_parent(parent_key);
            current.insert("parent".into(), json!(issue.parent_key()));
        }
        updates.insert("parent_key".into(), true);
        preview.new_parent_key = Some(parent_key.to_owned());
    }

    let mut links = Vec::with_capacity(changes.links.len());
    for (index, spec) in changes.links.iter().enumerate() {
        let planned = plan_link(env, cache, &issue, spec, index, base).await?;
        links.push((
            WriteStep::new(
                format!("{prefix}link:{index}:{}", planned.step),
                planned.write,
            ),
            planned.result,
        ));
    }
    if !links.is_empty() {
        preview.links_to_create = Some(links.iter().map(|(_, result)| result.clone()).collect());
    }
    let edit = (!edit.is_empty()).then(|| {
        WriteStep::new(
            format!("{prefix}edit:{key}"),
            Write::EditIssue {
                key: key.to_owned(),
                edit,
                current: Some(Value::Object(current)),
            },
        )
    });
    Ok(PlannedEdit {
        key: key.to_owned(),
        edit,
        links,
        updates,
        preview,
        warnings,
    })
}

/// Previews `plan`, or writes it through `executor`.
async fn report(
    env: &JobEnv,
    scope: &WriteScope,
    plan: PlannedEdit,
    commit: bool,
    executor: &mut Executor<'_>,
) -> Result<EditReport, ItemError> {
    let steps = plan.steps();
    if !commit {
        let write_plan = preview(&env.jira, scope.id(), &steps)
            .await
            .map_err(|failure| ItemError::from_failure(failure, loc(&[])))?;
        let mut shown = plan.preview;
        shown.write_plan = write_plan;
        return Ok(EditReport {
            success: true,
            updates_applied: plan.updates,
            preview: Some(shown),
            warnings: plan.warnings,
            ..EditReport::default()
        });
    }
    let mut report = EditReport {
        updates_applied: plan.updates,
        warnings: plan.warnings,
        ..EditReport::default()
    };
    let mut errors = Vec::new();
    if let Some(step) = &plan.edit {
        let outcome = executor.run(step).await;
        if outcome.status == "failed" {
            errors.push(format!(
                "Updating {} failed: {}",
                plan.key,
                outcome.error.clone().unwrap_or_default()
            ));
            report.updates_applied.values_mut().for_each(|v| *v = false);
        } else {
            report.updated_in_jira = true;
        }
        report.writes.push(outcome);
    }
    for (step, planned) in &plan.links {
        let outcome = executor.run(step).await;
        let (status, error) = link_status(&outcome);
        if let Some(error) = &error {
            errors.push(format!(
                "Link {} to {} failed: {error}",
                planned.link_type, planned.target_key
            ));
        } else {
            report.updated_in_jira = true;
        }
        report.links_created.push(LinkResult {
            status: status.to_owned(),
            error,
            ..planned.clone()
        });
        report.writes.push(outcome);
    }
    report.success = errors.is_empty();
    report.error = (!errors.is_empty()).then(|| errors.join("; "));
    Ok(report)
}

async fn update_one(
    env: &JobEnv,
    scope: &WriteScope,
    key: &str,
    changes: &TicketChanges,
    commit: bool,
    story: bool,
) -> Result<UpdateTicketResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
    let item = EditItem {
        key,
        changes,
        story,
        prefix: String::new(),
        base: loc(&[]),
    };
    let planned = plan_edit(env, &fields, &mut cache, item).await;
    let outcome = match planned {
        Ok(plan) => report(env, scope, plan, commit, &mut executor).await,
        Err(error) => Err(error),
    };
    let noun = if story { "Story ticket" } else { "Ticket" };
    let report = match outcome {
        Ok(report) => report,
        Err(error) => {
            let (rejection, message) = error.into_rejection()?;
            return Ok(UpdateTicketResponse {
                ticket_key: key.to_owned(),
                message: message.clone(),
                error: Some(message),
                rejection: Some(rejection),
                ..UpdateTicketResponse::default()
            });
        }
    };
    let message = if !commit {
        format!("Preview: {noun} {key} would be updated. Set update_jira=true to commit.")
    } else if report.success {
        format!("Successfully updated {} {key}", noun.to_lowercase())
    } else {
        format!(
            "Updating {} {key} failed: {}",
            noun.to_lowercase(),
            report.error.clone().unwrap_or_default()
        )
    };
    Ok(UpdateTicketResponse {
        success: report.success,
        ticket_key: key.to_owned(),
        updated_in_jira: report.updated_in_jira,
        updates_applied: report.updates_applied,
        links_created: report.links_created,
        preview: report.preview,
        message,
        error: report.error,
        writes: report.writes,
        warnings: report.warnings,
        rejection: None,
    })
}

/// `/jira/update-ticket` as job `scope`.
pub async fn update_ticket(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &UpdateTicket,
) -> Result<UpdateTicketResponse, Failure> {
    update_one(
        env,
        scope,
        &payload.ticket_key,
        &payload.changes,
        payload.update_jira,
        false,
    )
    .await
}

/// `/jira/update-story-ticket` as job `scope`.
pub async fn update_story_ticket(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &UpdateStoryTicket,
) -> Result<UpdateTicketResponse, Failure> {
    let mut response = update_one(
        env,
        scope,
        &payload.story_key,
        &payload.changes,
        payload.update_jira,
        true,
    )
    .await?;
    if let Some(row_id) = &payload.prd_row_uuid
        && payload.update_jira
        && response.success
        && response.rejection.is_none()
    {
        // The story's epic: the new parent, else its parent now.
        let epic = match &payload.changes.parent_key {
            Some(parent) => Some(parent.clone()),
            None => env
                .jira
                .get_issue(&payload.story_key, &["parent"], &[])
                .await
                .ok()
                .and_then(|story| story.parent_key().map(str::to_owned)),
        };
        match epic {
            Some(epic) => {
                let executor = Executor::new(&env.jira, &env.db, scope.clone());
                crate::prd_sync::record_row_link(
                    crate::prd_sync::link_prd_rows(
                        env,
                        executor,
                        &epic,
                        &[(row_id, &payload.story_key)],
                    )
                    .await,
                    &mut response.writes,
                    &mut response.warnings,
                );
            }
            None => response.warnings.push(format!(
                "The PRD row {row_id} was not linked: {} has no parent epic",
                payload.story_key
            )),
        }
    }
    Ok(response)
}

/// `/jira/bulk-update-stories` as job `scope`: one story after the other, progress after
/// each, a failing story recorded and the rest carried on.
pub async fn bulk_update_stories(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &BulkUpdateStories,
    ctx: Option<&JobContext>,
) -> Result<BulkUpdateStoriesResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
    let commit = !payload.dry_run;
    let total = payload.stories.len();
    set_total(ctx, total);
    let mut results = Vec::with_capacity(total);
    for (index, item) in payload.stories.iter().enumerate() {
        let edit = EditItem {
            key: &item.story_key,
            changes: &item.changes,
            story: true,
            prefix: format!("story:{index}:"),
            base: loc(&["stories".into(), index.into()]),
        };
        let planned = plan_edit(env, &fields, &mut cache, edit).await;
        let outcome = match planned {
            Ok(plan) => report(env, scope, plan, commit, &mut executor).await,
            Err(error) => Err(error),
        };
        let result = match outcome {
            Ok(report) => StoryUpdateResult {
                story_key: item.story_key.clone(),
                success: report.success,
                updated_in_jira: report.updated_in_jira,
                updates_applied: report.updates_applied,
                links_created: report.links_created,
                error: report.error,
                preview: report.preview,
                writes: report.writes,
                warnings: report.warnings,
            },
            Err(error) => StoryUpdateResult {
                story_key: item.story_key.clone(),
                error: Some(error.message),
                ..StoryUpdateResult::default()
            },
        };
        let success = result.success;
        results.push(result);
        item_done(
            ctx,
            format!("Processed {} of {total} stories", index + 1),
            index + 1,
            total,
            Some(success),
        )
        .await?;
    }
    let successful = results.iter().filter(|r| r.success).count();
    let failed = total - successful;
    let message = if commit {
        format!("Bulk update completed: {successful} successful, {failed} failed")
    } else {
        format!(
            "Preview: {successful} stories would be updated, {failed} failed. Set dry_run=false to commit."
        )
    };
    Ok(BulkUpdateStoriesResponse {
        total_stories: total,
        successful,
        failed,
        results,
        job_id: None,
        status_url: None,
        message,
    })
}
