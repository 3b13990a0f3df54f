//! PRD → story sync (`POST /plan/stories/sync-from-prd`; docs/reference-behaviour.md §1.4,
//! §5.4): read the epic's PRD page, find its story table (`prd-table`), match each row to a
//! story of the epic — by the key the row names, else by title — and create or update stories
//! as asked; then write a link to each row's issue into the table's ticket column.
//!
//! Fixed against the reference: a dry run writes nothing anywhere (its write plan shows the
//! Jira requests and the page update it would send); the page is saved with Confluence's
//! version check and the link edit is re-applied to a re-read page when someone saved in
//! between, so a concurrent human edit survives; only the ticket cells (and a "JIRA Ticket"
//! column, when the table has none) change. All writes go through [`crate::writes`], so a
//! retried job neither creates a story twice nor writes the page twice.
//!
//! [`link_prd_rows`] is the same write-back for `/jira/create-story-ticket` and
//! `/jira/update-story-ticket` when the request names a PRD row (`prd_row_uuid`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use atlassian::models::{Issue, IssueEdit, NewIssue};
use generation::task::IssueType;
use job_types::FailureCode;
use job_types::prd_sync::{
    ExistingTicketAction, PrdStoryDetail, PrdStorySync, PrdSyncResult, PrdTableInfo,
};
use job_types::{WriteAction, WriteOutcome};
use jobs::JobContext;
use prd_table::text::title_key;
use prd_table::{RowLink, StoryRow, StoryTable};
use serde_json::{Value, json};

use crate::custom_fields::FieldRole;
use crate::documents::link_in_field;
use crate::env::JobEnv;
use crate::epic_analysis::{read_children, read_epic};
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::tickets::description_markdown;
use crate::writes::{Executor, IssueRef, PageEdit, Write, WriteScope, WriteStep, preview};

/// The version message of the page saves.
const PAGE_MESSAGE: &str = "Planwright: Jira links for the story table";

/// The link edit of the story table: each row (by id, else title) gets a link to its issue.
#[derive(Debug, Clone)]
pub struct PrdLinkEdit {
    pub links: Vec<PrdLinkSpec>,
    /// `https://site/browse/`: a key appended gives the issue's browser URL.
    pub browse_prefix: String,
    /// The page body as planned and its story table, reused while the body is unchanged so a
    /// page is not parsed twice.
    pub snapshot: Option<Arc<(String, StoryTable)>>,
}

/// One row's link.
#[derive(Debug, Clone)]
pub struct PrdLinkSpec {
    pub row_id: String,
    pub title: String,
    pub issue: IssueRef,
}

impl PageEdit for PrdLinkEdit {
    fn apply(
        &self,
        body: &str,
        key: &dyn Fn(&IssueRef) -> Option<String>,
        report: &mut Value,
    ) -> Result<String, String> {
        let links: Vec<RowLink> = self
            .links
            .iter()
            .filter_map(|link| {
                let key = key(&link.issue)?;
                let url = format!("{}{key}", self.browse_prefix);
                Some(RowLink::new(&link.row_id, &link.title, &key, &url))
            })
            .collect();
        let written = match &self.snapshot {
            Some(snapshot) if snapshot.0 == body => {
                prd_table::write_links_to(body, &snapshot.1, &links)
            }
            _ => prd_table::write_links(body, &links),
        }
        .map_err(|error| error.to_string())?;
        *report = json!({
            "links": written.outcomes,
            "added_column": written.added_column,
        });
        Ok(written.page)
    }
}

/// `{site}/browse/` on the configured Jira site.
fn browse_prefix(env: &JobEnv) -> String {
    let url = env.jira.browse_url("KEY");
    url.strip_suffix("KEY").unwrap_or(&url).to_owned()
}

/// The PRD page address on `epic`'s PRD field, or a 422 naming the fix.
async fn epic_prd_url(env: &JobEnv, epic: &Issue) -> Result<String, Failure> {
    let resolution = env.custom_fields().resolve(&env.jira).await?;
    let Some(field) = resolution.get(FieldRole::Prd) else {
        return Err(Failure::invalid(format!(
            "Epic {} has no PRD field on this Jira site: send prd_url, or add a URL field named \"PRD URL\" (or set {})",
            epic.key,
            FieldRole::Prd.setting()
        )));
    };
    epic.fields
        .raw(&field.id)
        .and_then(link_in_field)
        .ok_or_else(|| {
            Failure::invalid(format!(
                "Epic {} does not have a PRD page: set its \"{}\" field ({}) to the page's URL, or send prd_url",
                epic.key, field.name, field.id
            ))
        })
}

/// The PRD page and its story table.
async fn read_table(
    env: &JobEnv,
    prd_url: &str,
) -> Result<
    (
        Arc<atlassian::ConfluenceClient>,
        atlassian::Page,
        StoryTable,
    ),
    Failure,
> {
    let Some(confluence) = env.confluence.clone() else {
        return Err(Failure::new(
            FailureCode::ConfluenceFailed,
            "Confluence is not configured (set CONFLUENCE_SERVER_URL, CONFLUENCE_USERNAME, CONFLUENCE_API_TOKEN)",
        ));
    };
    let page_id = confluence
        .page_id_from_url(prd_url)
        .map_err(|error| Failure::invalid(format!("prd_url {prd_url}: {error}")))?;
    let page = confluence
        .get_page(&page_id)
        .await
        .map_err(|error| match error {
            atlassian::Error::NotFound { .. } => {
                Failure::not_found(format!("PRD page {page_id} ({prd_url}) not found"))
            }
            other => Failure::new(
                FailureCode::ConfluenceFailed,
                format!("PRD page {page_id}: {other}"),
            )
            .with_hint(other.hint()),
        })?;
    let table = prd_table::find_story_table(&page.body_storage).map_err(|error| {
        Failure::invalid(format!("PRD page \"{}\" ({prd_url}): {error}", page.title))
    })?;
    Ok((confluence, page, table))
}

fn project_of(issue: &Issue) -> String {
    issue
        .fields
        .project
        .as_ref()
        .map(|project| project.key.clone())
        .filter(|key| !key.is_empty())
        .unwrap_or_else(|| issue.key.split('-').next().unwrap_or_default().to_owned())
}

fn is_story(issue: &Issue) -> bool {
    issue
        .issue_type_name()
        .is_some_and(|name| IssueType::from_name(name) == IssueType::Story)
}

/// Whitespace-insensitive comparison form of Markdown.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How one row is matched.
enum Match {
    /// The row names this issue (`prd_table`) or has its title (`jira_api`).
    Existing {
        issue: Box<Issue>,
        source: &'static str,
    },
    /// The row names a key Jira does not have.
    Missing(String),
    New,
}

impl BackgroundJob for PrdStorySync {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<PrdSyncResult, Failure> {
        sync(env, &WriteScope::of(ctx), &self).await
    }
}

/// Runs the sync as `scope`.
pub async fn sync(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &PrdStorySync,
) -> Result<PrdSyncResult, Failure> {
    let started = Instant::now();
    let epic = read_epic(env, &payload.epic_key).await?;
    let prd_url = match &payload.prd_url {
        Some(url) => url.clone(),
        None => epic_prd_url(env, &epic).await?,
    };
    let (confluence, page, table) = read_table(env, &prd_url).await?;
    let children = read_children(env, &epic.key).await?;
    let stories: Vec<&Issue> = children.iter().filter(|issue| is_story(issue)).collect();
    let by_key: HashMap<&str, &Issue> = stories.iter().map(|s| (s.key.as_str(), *s)).collect();
    let mut by_title: HashMap<String, &Issue> = HashMap::new();
    for story in &stories {
        by_title.entry(title_key(story.summary())).or_insert(story);
    }

    let mut warnings: Vec<String> = table
        .skipped
        .iter()
        .map(|s| format!("PRD row {}: skipped, {}", s.row + 1, s.reason))
        .collect();
    // Match every row first: `error` refuses before anything is planned.
    let mut matches = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let matched = match &row.ticket {
            Some(ticket) => match by_key.get(ticket.key.as_str()) {
                Some(issue) => Match::Existing {
                    issue: Box::new((*issue).clone()),
                    source: "prd_table",
                },
                None => match env.jira.get_issue(&ticket.key, &[], &[]).await {
                    Ok(issue) => {
                        warnings.push(format!(
                            "PRD row {} names {}, which is not a story of epic {}",
                            row.row + 1,
                            issue.key,
                            epic.key
                        ));
                        Match::Existing {
                            issue: Box::new(issue),
                            source: "prd_table",
                        }
                    }
                    Err(atlassian::Error::NotFound { .. }) => Match::Missing(ticket.key.clone()),
                    Err(error) => return Err(Failure::jira(&ticket.key, error)),
                },
            },
            None => match by_title.get(&title_key(&row.title)) {
                Some(issue) => Match::Existing {
                    issue: Box::new((*issue).clone()),
                    source: "jira_api",
                },
                None => Match::New,
            },
        };
        matches.push(matched);
    }
    if payload.existing_ticket_action == ExistingTicketAction::Error {
        let existing: Vec<String> = table
            .rows
            .iter()
            .zip(&matches)
            .filter_map(|(row, matched)| match matched {
                Match::Existing { issue, .. } => Some(format!(
                    "row {} \"{}\" ({})",
                    row.row + 1,
                    row.title,
                    issue.key
                )),
                _ => None,
            })
            .collect();
        if !existing.is_empty() {
            return Err(Failure::invalid(format!(
                "existing_ticket_action=error and {} PRD row(s) already have a story: {}. Send existing_ticket_action=skip or update",
                existing.len(),
                existing.join(", ")
            )));
        }
    }

    let project = project_of(&epic);
    let mut steps: Vec<WriteStep> = Vec::new();
    let mut links: Vec<PrdLinkSpec> = Vec::new();
    let mut details: Vec<PrdStoryDetail> = Vec::with_capacity(table.rows.len());
    // Per detail: the step that writes it, if any.
    let mut detail_steps: Vec<Option<String>> = Vec::with_capacity(table.rows.len());
    for (row, matched) in table.rows.iter().zip(matches) {
        let mut detail = base_detail(row);
        let mut step_name = None;
        match matched {
            Match::Missing(key) => {
                detail.action_taken = Some("error".into());
                detail.jira_key = Some(key.clone());
                detail.ticket_source = Some("prd_table".into());
                detail.reason = format!(
                    "the row names {key}, which does not exist in Jira (or is not visible): fix or clear the row's ticket cell"
                );
            }
            Match::New => {
                let step = format!("prd:create:{}", row.row_id);
                let mut issue = NewIssue::new(project.clone(), "Story", row.title.clone())
                    .with_parent(&epic.key);
                let description = row.jira_description();
                if !description.trim().is_empty() {
                    issue = issue.with_description(markup::markdown_to_adf(&description));
                }
                steps.push(WriteStep::new(step.clone(), Write::CreateIssue(issue)));
                links.push(PrdLinkSpec {
                    row_id: row.row_id.clone(),
                    title: row.title.clone(),
                    issue: IssueRef::Created(step.clone()),
                });
                detail.ticket_source = Some("newly_created".into());
                detail.action_taken = Some(
                    if payload.dry_run {
                        "would_create"
                    } else {
                        "created"
                    }
                    .into(),
                );
                detail.reason = format!(
                    "no story of epic {} is named by the row or has its title",
                    epic.key
                );
                detail.page_link = "link".into();
                step_name = Some(step);
            }
            Match::Existing { issue, source } => {
                detail.jira_key = Some(issue.key.clone());
                detail.jira_url = Some(env.jira.browse_url(&issue.key));
                detail.ticket_source = Some(source.into());
                let found = if source == "prd_table" {
                    format!("the row names {}", issue.key)
                } else {
                    format!("{} has the row's title", issue.key)
                };
                match &row.ticket {
                    Some(ticket) if ticket.key == issue.key && !ticket.is_bare_text() => {
                        detail.page_link = "already_linked".into();
                    }
                    Some(ticket) if ticket.key == issue.key => {
                        // The key typed as text becomes a clickable link.
                        detail.page_link = "link".into();
                        links.push(PrdLinkSpec {
                            row_id: row.row_id.clone(),
                            title: row.title.clone(),
                            issue: IssueRef::Existing(issue.key.clone()),
                        });
                    }
                    Some(_) => detail.page_link = "kept".into(),
                    None => {
                        detail.page_link = "link".into();
                        links.push(PrdLinkSpec {
                            row_id: row.row_id.clone(),
                            title: row.title.clone(),
                            issue: IssueRef::Existing(issue.key.clone()),
                        });
                    }
                }
                if payload.existing_ticket_action == ExistingTicketAction::Update {
                    let (edit, changed, current) = story_edit(row, &issue);
                    detail.changed_fields = changed.clone();
                    if edit.is_empty() {
                        detail.action_taken = Some("unchanged".into());
                        detail.was_updated = Some(false);
                        detail.reason = format!("{found}; it already matches the row");
                    } else {
                        let step = format!("prd:edit:{}", issue.key);
                        steps.push(WriteStep::new(
                            step.clone(),
                            Write::EditIssue {
                                key: issue.key.clone(),
                                edit,
                                current: Some(current),
                            },
                        ));
                        detail.action_taken = Some(
                            if payload.dry_run {
                                "would_update"
                            } else {
                                "updated"
                            }
                            .into(),
                        );
                        detail.was_updated = Some(!payload.dry_run);
                        detail.reason = format!("{found}; its {} differ", changed.join(" and "));
                        step_name = Some(step);
                    }
                } else {
                    detail.action_taken = Some("skipped".into());
                    detail.reason = format!("{found}; existing_ticket_action=skip");
                }
            }
        }
        details.push(detail);
        detail_steps.push(step_name);
    }

    let page_step = (!links.is_empty()).then(|| {
        WriteStep::new(
            format!("prd:page:{}", page.id),
            Write::UpdatePage {
                page: page.clone(),
                message: PAGE_MESSAGE.to_owned(),
                edit: Arc::new(PrdLinkEdit {
                    links: links.clone(),
                    browse_prefix: browse_prefix(env),
                    snapshot: Some(Arc::new((page.body_storage.clone(), table.clone()))),
                }),
            },
        )
    });
    if let Some(step) = &page_step {
        steps.push(step.clone());
    }
    let write_plan = preview(&env.jira, scope.id(), &steps).await?;
    let adds_ticket_column = table.columns.ticket.is_none() && page_step.is_some();

    let mut errors: Vec<String> = details
        .iter()
        .filter(|d| d.action_taken.as_deref() == Some("error"))
        .map(|d| format!("PRD row {} \"{}\": {}", d.prd_row + 1, d.summary, d.reason))
        .collect();
    let mut writes: Vec<WriteOutcome> = Vec::new();
    let mut created_tickets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if payload.dry_run {
        let would: Vec<String> = details
            .iter()
            .filter(|d| d.action_taken.as_deref() == Some("would_create"))
            .map(|d| format!("[DRY_RUN] {}", d.summary))
            .collect();
        created_tickets.insert("stories".into(), would);
    } else {
        let mut executor =
            Executor::new(&env.jira, &env.db, scope.clone()).with_confluence(Some(confluence));
        let jira_steps: Vec<&WriteStep> = steps
            .iter()
            .filter(|step| !matches!(step.write, Write::UpdatePage { .. }))
            .collect();
        let mut outcomes: HashMap<String, WriteOutcome> = HashMap::new();
        for step in jira_steps {
            let outcome = executor.run(step).await;
            outcomes.insert(step.step.clone(), outcome.clone());
            writes.push(outcome);
        }
        let mut created = Vec::new();
        for (detail, step) in details.iter_mut().zip(&detail_steps) {
            let Some(outcome) = step.as_ref().and_then(|s| outcomes.get(s)) else {
                continue;
            };
            if let Some(error) = &outcome.error {
                detail.action_taken = Some("error".into());
                detail.was_updated = Some(false);
                if outcome.action == WriteAction::CreateIssue {
                    // No issue, so no link.
                    detail.page_link = "none".into();
                }
                detail.reason = format!("{}; the write failed: {error}", detail.reason);
                errors.push(format!(
                    "PRD row {} \"{}\": {error}",
                    detail.prd_row + 1,
                    detail.summary
                ));
            } else if outcome.action == WriteAction::CreateIssue
                && let Some(key) = step.as_ref().and_then(|s| executor.created_key(s))
            {
                detail.jira_key = Some(key.to_owned());
                detail.jira_url = Some(env.jira.browse_url(key));
                created.push(key.to_owned());
            }
        }
        created_tickets.insert("stories".into(), created);
        if let Some(step) = &page_step {
            let outcome = executor.run(step).await;
            if let Some(error) = &outcome.error {
                errors.push(format!(
                    "The links were not written to the PRD page: {error}"
                ));
            } else {
                apply_link_report(&mut details, &outcome, &mut warnings);
            }
            writes.push(outcome);
        }
    }

    let mut stats: BTreeMap<String, usize> = BTreeMap::new();
    for detail in &details {
        if let Some(action) = &detail.action_taken {
            *stats.entry(action.clone()).or_insert(0) += 1;
        }
    }
    let columns = [
        ("title", &table.columns.title),
        ("user_story", &table.columns.user_story),
        ("description", &table.columns.description),
        ("acceptance_criteria", &table.columns.acceptance_criteria),
        ("priority", &table.columns.priority),
        ("ticket", &table.columns.ticket),
    ]
    .into_iter()
    .filter_map(|(role, column)| {
        column
            .as_ref()
            .map(|column| (role.to_owned(), column.header.clone()))
    })
    .collect();
    Ok(PrdSyncResult {
        epic_key: epic.key.clone(),
        operation_mode: "documentation".into(),
        success: errors.is_empty(),
        created_tickets,
        story_details: details,
        task_details: Vec::new(),
        summary_stats: json!({
            "total_rows": table.rows.len(),
            "skipped_rows": table.skipped.len(),
            "actions": stats,
            "links_to_write": links.len(),
        }),
        errors,
        warnings,
        execution_time_seconds: started.elapsed().as_secs_f64(),
        dry_run: payload.dry_run,
        existing_ticket_action: payload.existing_ticket_action,
        prd_url,
        table: PrdTableInfo {
            page_id: page.id.clone(),
            page_title: page.title.clone(),
            page_version: page.version,
            heading: table.heading.clone(),
            columns,
            adds_ticket_column,
            skipped_rows: table
                .skipped
                .iter()
                .map(|s| format!("row {}: {}", s.row + 1, s.reason))
                .collect(),
        },
        write_plan,
        writes,
    })
}

fn base_detail(row: &StoryRow) -> PrdStoryDetail {
    PrdStoryDetail {
        summary: row.title.clone(),
        description: row.jira_description(),
        acceptance_criteria: row.acceptance_criteria.clone(),
        prd_row_uuid: Some(row.row_id.clone()),
        user_story: row.user_story.clone(),
        priority: row.priority.clone(),
        prd_row: row.row,
        page_link: "none".into(),
        ..PrdStoryDetail::default()
    }
}

/// The edit that makes `issue` match `row` (summary; description with the acceptance criteria,
/// when the row has any), the fields that differ, and their current values.
fn story_edit(row: &StoryRow, issue: &Issue) -> (IssueEdit, Vec<String>, Value) {
    let mut edit = IssueEdit::new();
    let mut changed = Vec::new();
    let mut current = serde_json::Map::new();
    if row.title.trim() != issue.summary().trim() {
        edit = edit.set_summary(row.title.clone());
        changed.push("summary".to_owned());
        current.insert("summary".into(), json!(issue.summary()));
    }
    if row.has_content() {
        let wanted = row.jira_description();
        let present = description_markdown(issue).unwrap_or_default();
        if normalized(&wanted) != normalized(&present) {
            edit = edit.set_description(markup::markdown_to_adf(&wanted));
            changed.push("description".to_owned());
            current.insert("description".into(), json!(present));
        }
    }
    (edit, changed, Value::Object(current))
}

/// Marks each detail with what the saved page edit did to its row.
fn apply_link_report(
    details: &mut [PrdStoryDetail],
    outcome: &WriteOutcome,
    warnings: &mut Vec<String>,
) {
    let Some(links) = outcome
        .result
        .as_ref()
        .and_then(|result| result.pointer("/report/links"))
        .and_then(Value::as_array)
    else {
        return;
    };
    for link in links {
        let row_id = link.get("row_id").and_then(Value::as_str);
        let status = link.get("status").and_then(Value::as_str).unwrap_or("");
        let Some(detail) = details
            .iter_mut()
            .find(|d| d.prd_row_uuid.as_deref() == row_id)
        else {
            continue;
        };
        detail.page_link = match status {
            "written" => "link",
            "already_linked" => "already_linked",
            "kept_other" => "kept",
            _ => "none",
        }
        .into();
        if !matches!(status, "written" | "already_linked") {
            let why = link.get("detail").and_then(Value::as_str).unwrap_or(status);
            warnings.push(format!(
                "PRD row \"{}\": the link was not written: {why}",
                detail.summary
            ));
        }
    }
}

/// What [`link_prd_rows`] did: the page write (none when every row was linked already) and,
/// per row that could not be linked, its index among the rows asked for and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowLinkReport {
    pub outcome: Option<WriteOutcome>,
    pub warnings: Vec<(usize, String)>,
}

/// Writes a link to each `(row_id, key)` into that row of `epic_key`'s PRD story table, in one
/// page save: the story create/update routes' write-back. Runs as step
/// `prd:row-link:<row ids>` of `executor`'s job, so a retried job writes it once. `Err` when the
/// epic's PRD page cannot be read; a row that does not exist or cannot be linked is a warning.
pub async fn link_prd_rows(
    env: &JobEnv,
    executor: Executor<'_>,
    epic_key: &str,
    rows: &[(&str, &str)],
) -> Result<RowLinkReport, String> {
    let epic = read_epic(env, epic_key)
        .await
        .map_err(|failure| format!("epic {epic_key}: {failure}"))?;
    let prd_url = epic_prd_url(env, &epic)
        .await
        .map_err(|failure| failure.to_string())?;
    let (confluence, page, table) = read_table(env, &prd_url)
        .await
        .map_err(|failure| failure.to_string())?;
    let mut report = RowLinkReport::default();
    // (index among `rows`, the link) of each row that needs one.
    let mut links: Vec<(usize, PrdLinkSpec)> = Vec::new();
    for (index, (row_id, key)) in rows.iter().enumerate() {
        let Some(row) = table.row_by_id(row_id) else {
            report.warnings.push((
                index,
                format!(
                    "The PRD row was not linked: no row of the story table of PRD page \"{}\" \
                     has prd_row_uuid {row_id}",
                    page.title
                ),
            ));
            continue;
        };
        if row.ticket.as_ref().is_some_and(|t| t.key == *key) {
            continue;
        }
        links.push((
            index,
            PrdLinkSpec {
                row_id: row.row_id.clone(),
                title: row.title.clone(),
                issue: IssueRef::Existing((*key).to_owned()),
            },
        ));
    }
    if links.is_empty() {
        return Ok(report);
    }
    let row_ids: Vec<&str> = links.iter().map(|(_, link)| link.row_id.as_str()).collect();
    let step = WriteStep::new(
        format!("prd:row-link:{}", row_ids.join(",")),
        Write::UpdatePage {
            page: page.clone(),
            message: PAGE_MESSAGE.to_owned(),
            edit: Arc::new(PrdLinkEdit {
                links: links.iter().map(|(_, link)| link.clone()).collect(),
                browse_prefix: browse_prefix(env),
                snapshot: None,
            }),
        },
    );
    let mut executor = executor.with_confluence(Some(confluence));
    let outcome = executor.run(&step).await;
    for (position, (index, _)) in links.iter().enumerate() {
        let link = |field: &str| {
            outcome
                .result
                .as_ref()
                .and_then(|r| r.pointer(&format!("/report/links/{position}/{field}")))
                .and_then(Value::as_str)
        };
        let status = link("status").unwrap_or("");
        let warning = match (&outcome.error, status) {
            (Some(error), _) => Some(format!("The PRD row was not linked: {error}")),
            (None, "written" | "already_linked") => None,
            (None, other) => Some(format!(
                "The PRD row was not linked: {}",
                link("detail").unwrap_or(other)
            )),
        };
        report
            .warnings
            .extend(warning.map(|warning| (*index, warning)));
    }
    report.outcome = Some(outcome);
    Ok(report)
}

/// Adds what [`link_prd_rows`] did for one row to a create/update response: its write, or a
/// warning.
pub fn record_row_link(
    linked: Result<RowLinkReport, String>,
    writes: &mut Vec<WriteOutcome>,
    warnings: &mut Vec<String>,
) {
    match linked {
        Ok(report) => {
            writes.extend(report.outcome);
            warnings.extend(report.warnings.into_iter().map(|(_, warning)| warning));
        }
        Err(why) => warnings.push(format!("The PRD row was not linked: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(summary: &str, description: &str) -> Issue {
        serde_json::from_value(json!({
            "id": "10004", "key": "DEMO-4",
            "fields": {"summary": summary, "description": markup::markdown_to_adf(description)}
        }))
        .expect("an issue")
    }

    #[test]
    fn an_update_edits_only_the_fields_that_differ() {
        let page = "<h2>Story List</h2><table><tbody><tr><th><p>Title</p></th><th><p>Description</p></th><th><p>Acceptance Criteria</p></th></tr><tr><td><p>Guest checkout</p></td><td><p>Pay without an account.</p></td><td><ul><li><p>No login</p></li></ul></td></tr><tr><td><p>Bare row</p></td><td><p></p></td><td></td></tr></tbody></table>";
        let table = prd_table::find_story_table(page).expect("a table");
        let row = &table.rows[0];
        let wanted = row.jira_description();
        assert_eq!(
            wanted,
            "Pay without an account.\n\n## Acceptance Criteria\n\n- No login"
        );
        // Same text, other whitespace: unchanged.
        let (edit, changed, _) = story_edit(row, &issue("Guest checkout", &wanted));
        assert!(edit.is_empty(), "{changed:?}");
        let (edit, changed, current) = story_edit(row, &issue("Guest  checkout!", "Old text"));
        assert!(!edit.is_empty());
        assert_eq!(changed, ["summary", "description"]);
        assert_eq!(current["summary"], "Guest  checkout!");
        // A row without description or criteria never blanks the story's description.
        let (_, changed, _) = story_edit(&table.rows[1], &issue("Bare row", "Keep me"));
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn the_link_edit_resolves_keys_and_reports() {
        let page = "<h2>Story List</h2><table><tbody><tr><th><p>Title</p></th><th><p>Ticket</p></th></tr><tr><td><p>Guest checkout</p></td><td><p></p></td></tr></tbody></table>";
        let table = prd_table::find_story_table(page).expect("a table");
        let edit = PrdLinkEdit {
            links: vec![PrdLinkSpec {
                row_id: table.rows[0].row_id.clone(),
                title: "Guest checkout".into(),
                issue: IssueRef::Created("prd:create:x".into()),
            }],
            browse_prefix: "https://acme.atlassian.net/browse/".into(),
            snapshot: None,
        };
        let mut report = Value::Null;
        let body = edit
            .apply(
                page,
                &|issue| match issue {
                    IssueRef::Created(_) => Some("SHOP-9".to_owned()),
                    IssueRef::Existing(key) => Some(key.clone()),
                },
                &mut report,
            )
            .expect("applies");
        assert!(body.contains(
            "<td><p><a href=\"https://acme.atlassian.net/browse/SHOP-9\">SHOP-9</a></p></td>"
        ));
        assert_eq!(report["links"][0]["status"], "written");
        // An issue that was not created is not linked.
        let unchanged = edit.apply(page, &|_| None, &mut report).expect("applies");
        assert_eq!(unchanged, page);
    }
}
