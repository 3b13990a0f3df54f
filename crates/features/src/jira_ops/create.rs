//! Creating tasks and stories: `/jira/create-ticket`, `/jira/create-story-ticket`,
//! `/jira/bulk-create-tasks` and `/jira/bulk-create-stories`.
//!
//! A task goes under the epic (its `parent_key`, or its story's parent epic), is linked to its
//! story with "Work item split" (story split to task) and "Blocks" each ticket in `blocks`
//! (the task blocks them). Bulk creation runs in two phases: every ticket first, then every
//! link, so a `blocks` entry naming another task of the request (its `task_id`, `task_N` or
//! summary) links to the key that task was given. Nothing is sent twice on a retried job.

use std::collections::BTreeMap;

use atlassian::KnownLinkType;
use atlassian::models::{Issue, NewIssue};
use job_types::WriteOutcome;
use job_types::jira_ops::{
    BulkCreateResult, BulkCreateStories, BulkCreateStoriesResponse, BulkCreateTasks,
    BulkCreateTasksResponse, CreatePreview, CreateStoryTicket, CreateTicket, CreateTicketResponse,
    LinkResult, StorySpec, TaskSpec,
};
use jobs::JobContext;
use serde_json::{Value, json};

use super::links::link_status;
use super::story_text::{cap_summary, story_text};
use super::task_refs::{BlockTarget, resolve_block};
use super::{
    IssueCache, ItemError, NO_MANDAYS_FIELD, NO_TEST_FIELD, OpFields, adf_value, issue_type,
    item_done, loc, loc_with, set_total, with_test_cases_section,
};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::tickets::is_epic;
use crate::writes::{Executor, IssueRef, Write, WriteScope, WriteStep, preview};

/// A link of a ticket to create: its write (none when it cannot be made) and its report.
#[derive(Debug, Clone)]
struct PlannedLink {
    step: Option<WriteStep>,
    result: LinkResult,
    /// The request's task the link points at, when it is created by the same request.
    to_task: Option<usize>,
}

/// One ticket to create, planned.
#[derive(Debug, Clone)]
struct PlannedCreate {
    create: WriteStep,
    links: Vec<PlannedLink>,
    preview: CreatePreview,
    warnings: Vec<String>,
}

/// `{{created:<step>}}`, how the plan names a ticket not created yet.
fn placeholder(step: &str) -> String {
    format!("{{{{created:{step}}}}}")
}

fn task_step(index: usize, single: bool) -> String {
    if single {
        "create:task".to_owned()
    } else {
        format!("task:{index}:create")
    }
}

/// The epic a task goes under: `parent_key` if given (it must be an epic), else the story's
/// parent epic.
async fn task_epic(
    env: &JobEnv,
    cache: &mut IssueCache,
    spec: &TaskSpec,
    story: &Issue,
    base: &[Value],
) -> Result<Issue, ItemError> {
    let at = loc_with(base, &["parent_key".into()]);
    if let Some(parent_key) = spec.parent_key.as_deref() {
        let parent = cache.require(env, parent_key, "Epic", at.clone()).await?;
        if !is_epic(&parent) {
            let (_, type_name) = issue_type(&parent);
            return Err(ItemError::new(
                400,
                at,
                format!(
                    "parent_key {parent_key} is not an Epic (type: {type_name}); tasks go under the story's epic"
                ),
            ));
        }
        return Ok(parent);
    }
    if let Some(parent_key) = story.parent_key() {
        let parent = cache
            .get(env, parent_key)
            .await
            .map_err(|failure| ItemError::from_failure(failure, at.clone()))?;
        if let Some(parent) = parent.filter(is_epic) {
            return Ok(parent);
        }
    }
    Err(ItemError::new(
        400,
        at,
        "Could not derive epic. Provide epic_key (or parent_key), or ensure the story has a parent epic in JIRA.",
    ))
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

/// The fields every new ticket shares: description (Markdown to ADF), test cases, mandays.
fn with_content(
    mut issue: NewIssue,
    fields: &OpFields,
    description: &str,
    test_cases: Option<&str>,
    mandays: Option<f64>,
    warnings: &mut Vec<String>,
) -> Result<(NewIssue, String), Failure> {
    let mut description = description.trim().to_owned();
    if let Some(tests) = test_cases.filter(|t| !t.trim().is_empty()) {
        match &fields.test_cases {
            Some(id) => issue = issue.with_custom_field(id.clone(), adf_value(tests)?),
            None => {
                description = with_test_cases_section(&description, tests);
                warnings.push(NO_TEST_FIELD.to_owned());
            }
        }
    }
    if let Some(mandays) = mandays {
        match &fields.mandays {
            Some(id) => issue = issue.with_custom_field(id.clone(), json!(mandays)),
            None => warnings.push(NO_MANDAYS_FIELD.to_owned()),
        }
    }
    if !description.is_empty() {
        issue = issue.with_description(markup::markdown_to_adf(&description));
    }
    Ok((issue, description))
}

async fn link_name(env: &JobEnv, known: KnownLinkType, at: &[Value]) -> Result<String, ItemError> {
    env.jira
        .known_link_type(known)
        .await
        .map(|t| t.name)
        .map_err(|error| ItemError::from_failure(Failure::jira("link types", error), at.to_vec()))
}

/// Plans task `index` of `tasks`. `single` is `/jira/create-ticket`, where every `blocks`
/// entry must be an existing ticket.
async fn plan_task(
    env: &JobEnv,
    fields: &OpFields,
    cache: &mut IssueCache,
    tasks: &[TaskSpec],
    index: usize,
    single: bool,
    base: &[Value],
) -> Result<PlannedCreate, ItemError> {
    let spec = tasks.get(index).ok_or_else(|| {
        ItemError::from_failure(
            Failure::internal(format!("no task at index {index}")),
            base.to_vec(),
        )
    })?;
    let story = cache
        .require(
            env,
            &spec.story_key,
            "Story",
            loc_with(base, &["story_key".into()]),
        )
        .await?;
    let epic = task_epic(env, cache, spec, &story, base).await?;
    let mut warnings = Vec::new();
    let (summary, cut) = cap_summary(spec.summary.trim());
    if cut {
        warnings.push("The summary was longer than 255 characters and was cut".to_owned());
    }
    let issue = NewIssue::new(project_of(&epic), "Task", summary.clone()).with_parent(&epic.key);
    let (issue, description) = with_content(
        issue,
        fields,
        &spec.description,
        spec.test_cases.as_deref(),
        spec.mandays,
        &mut warnings,
    )
    .map_err(|failure| ItemError::from_failure(failure, base.to_vec()))?;
    let create_step = task_step(index, single);
    let new_task = placeholder(&create_step);

    let split = link_name(env, KnownLinkType::WorkItemSplit, base).await?;
    let blocks = link_name(env, KnownLinkType::Blocks, base).await?;
    let mut links = vec![PlannedLink {
        step: Some(WriteStep::new(
            format!("{create_step}:link:split"),
            Write::CreateLink {
                link: KnownLinkType::WorkItemSplit,
                inward: IssueRef::Existing(story.key.clone()),
                outward: IssueRef::Created(create_step.clone()),
            },
        )),
        result: LinkResult {
            link_type: split,
            source_key: Some(story.key.clone()),
            target_key: new_task.clone(),
            direction: None,
            status: "planned".into(),
            error: None,
        },
        to_task: None,
    }];
    for (position, entry) in spec.blocks.iter().enumerate() {
        let at = loc_with(base, &["blocks".into(), position.into()]);
        let result = |target: String, status: &str, error: Option<String>| LinkResult {
            link_type: blocks.clone(),
            source_key: Some(new_task.clone()),
            target_key: target,
            direction: None,
            status: status.to_owned(),
            error,
        };
        let target = if single {
            match domain::IssueKey::parse(entry) {
                Ok(key) => BlockTarget::Key(key.to_string()),
                Err(error) => return Err(ItemError::new(422, at, error.to_string())),
            }
        } else {
            resolve_block(entry, index, tasks)
        };
        match target {
            BlockTarget::Key(key) => {
                let exists = cache
                    .get(env, &key)
                    .await
                    .map_err(|failure| ItemError::from_failure(failure, at.clone()))?
                    .is_some();
                if !exists && single {
                    return Err(ItemError::new(404, at, format!("Ticket {key} not found")));
                }
                links.push(if exists {
                    PlannedLink {
                        step: Some(WriteStep::new(
                            format!("{create_step}:link:blocks:{key}"),
                            Write::CreateLink {
                                link: KnownLinkType::Blocks,
                                inward: IssueRef::Created(create_step.clone()),
                                outward: IssueRef::Existing(key.clone()),
                            },
                        )),
                        result: result(key, "planned", None),
                        to_task: None,
                    }
                } else {
                    PlannedLink {
                        step: None,
                        result: result(
                            key.clone(),
                            "failed",
                            Some(format!("Ticket {key} not found")),
                        ),
                        to_task: None,
                    }
                });
            }
            BlockTarget::Task(other) => {
                let other_step = task_step(other, false);
                links.push(PlannedLink {
                    step: Some(WriteStep::new(
                        format!("{create_step}:link:blocks:task:{other}"),
                        Write::CreateLink {
                            link: KnownLinkType::Blocks,
                            inward: IssueRef::Created(create_step.clone()),
                            outward: IssueRef::Created(other_step.clone()),
                        },
                    )),
                    result: result(placeholder(&other_step), "planned", None),
                    to_task: Some(other),
                });
            }
            BlockTarget::Unresolved(message) => {
                if single {
                    return Err(ItemError::new(422, at, message));
                }
                links.push(PlannedLink {
                    step: None,
                    result: result(entry.clone(), "failed", Some(message)),
                    to_task: None,
                });
            }
        }
    }
    let preview = CreatePreview {
        parent_key: epic.key.clone(),
        story_key: Some(story.key.clone()),
        summary,
        description,
        test_cases: spec.test_cases.clone(),
        mandays: spec.mandays,
        blocks: Some(spec.blocks.clone()),
        links_to_create: Some(links.iter().map(|l| l.result.clone()).collect()),
        ..CreatePreview::default()
    };
    Ok(PlannedCreate {
        create: WriteStep::new(create_step, Write::CreateIssue(issue)),
        links,
        preview,
        warnings,
    })
}

/// Plans story `spec` under its epic.
async fn plan_story(
    env: &JobEnv,
    fields: &OpFields,
    cache: &mut IssueCache,
    spec: &StorySpec,
    step: String,
    base: &[Value],
) -> Result<PlannedCreate, ItemError> {
    let at = loc_with(base, &["parent_key".into()]);
    let epic = cache
        .require(env, &spec.parent_key, "Epic", at.clone())
        .await?;
    if !is_epic(&epic) {
        let (_, type_name) = issue_type(&epic);
        return Err(ItemError::new(
            400,
            at,
            format!(
                "parent_key {} is not an Epic (type: {type_name}); stories go under an epic",
                spec.parent_key
            ),
        ));
    }
    let text = story_text(&spec.summary, &spec.description);
    let mut warnings = Vec::new();
    if text.summary_was_truncated {
        warnings.push("The summary was longer than 255 characters and was cut".to_owned());
    }
    let issue =
        NewIssue::new(project_of(&epic), "Story", text.summary.clone()).with_parent(&epic.key);
    let (issue, description) = with_content(
        issue,
        fields,
        &text.description,
        spec.test_cases.as_deref(),
        None,
        &mut warnings,
    )
    .map_err(|failure| ItemError::from_failure(failure, base.to_vec()))?;
    let preview = CreatePreview {
        parent_key: epic.key.clone(),
        summary: text.summary,
        description,
        test_cases: spec.test_cases.clone(),
        summary_length: Some(text.summary_length),
        summary_was_truncated: Some(text.summary_was_truncated),
        ..CreatePreview::default()
    };
    Ok(PlannedCreate {
        create: WriteStep::new(step, Write::CreateIssue(issue)),
        links: Vec::new(),
        preview,
        warnings,
    })
}

fn all_steps(plans: &[&PlannedCreate]) -> Vec<WriteStep> {
    let creates = plans.iter().map(|plan| plan.create.clone());
    let links = plans
        .iter()
        .flat_map(|plan| plan.links.iter().filter_map(|link| link.step.clone()));
    creates.chain(links).collect()
}

/// Runs a plan's links after its ticket was created; reports each with the real keys.
async fn run_links(
    executor: &mut Executor<'_>,
    plan: &PlannedCreate,
    writes: &mut Vec<WriteOutcome>,
) -> Vec<LinkResult> {
    let mut results = Vec::with_capacity(plan.links.len());
    for link in &plan.links {
        let mut result = link.result.clone();
        if let Some(step) = &link.step {
            let outcome = executor.run(step).await;
            let (status, error) = link_status(&outcome);
            result.status = status.to_owned();
            result.error = error;
            writes.push(outcome);
        }
        result.source_key = result.source_key.map(|key| real_key(executor, &key));
        result.target_key = real_key(executor, &result.target_key);
        results.push(result);
    }
    results
}

/// A `{{created:<step>}}` placeholder replaced by the key that step created.
fn real_key(executor: &Executor<'_>, text: &str) -> String {
    text.strip_prefix("{{created:")
        .and_then(|rest| rest.strip_suffix("}}"))
        .and_then(|step| executor.created_key(step))
        .map(str::to_owned)
        .unwrap_or_else(|| text.to_owned())
}

fn rejected_create(error: ItemError) -> Result<CreateTicketResponse, Failure> {
    let (rejection, message) = error.into_rejection()?;
    Ok(CreateTicketResponse {
        message: message.clone(),
        error: Some(message),
        rejection: Some(rejection),
        ..CreateTicketResponse::default()
    })
}

/// Previews or creates one planned ticket for a single-ticket route. A failed creation fails
/// the job (never a success without a key).
async fn create_one(
    env: &JobEnv,
    scope: &WriteScope,
    plan: PlannedCreate,
    commit: bool,
    noun: &str,
    flag: &str,
) -> Result<CreateTicketResponse, Failure> {
    let steps = all_steps(&[&plan]);
    if !commit {
        let write_plan = preview(&env.jira, scope.id(), &steps).await?;
        let message = format!(
            "Preview: {noun} ticket would be created under {}. Set {flag}=true to commit.",
            plan.preview.parent_key
        );
        let mut shown = plan.preview;
        shown.write_plan = write_plan;
        return Ok(CreateTicketResponse {
            success: true,
            preview: Some(shown),
            message,
            warnings: plan.warnings,
            ..CreateTicketResponse::default()
        });
    }
    let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
    let created = executor.try_run(&plan.create).await?;
    let key = executor
        .created_key(&plan.create.step)
        .map(str::to_owned)
        .ok_or_else(|| Failure::internal("Jira answered the creation without a key"))?;
    let mut writes = vec![created];
    let links_created = run_links(&mut executor, &plan, &mut writes).await;
    let failed: Vec<String> = links_created
        .iter()
        .filter(|link| link.status == "failed")
        .map(|link| {
            format!(
                "{} {}: {}",
                link.link_type,
                link.target_key,
                link.error.clone().unwrap_or_default()
            )
        })
        .collect();
    let message = if failed.is_empty() {
        format!("Successfully created {} {key}", noun.to_lowercase())
    } else {
        format!(
            "Created {} {key}, but {} link(s) failed",
            noun.to_lowercase(),
            failed.len()
        )
    };
    Ok(CreateTicketResponse {
        success: true,
        ticket_key: Some(key),
        created_in_jira: true,
        links_created,
        preview: None,
        message,
        error: (!failed.is_empty()).then(|| failed.join("; ")),
        prd_row_uuid: None,
        writes,
        warnings: plan.warnings,
        rejection: None,
    })
}

/// `/jira/create-ticket` as job `scope`.
pub async fn create_ticket(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &CreateTicket,
) -> Result<CreateTicketResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let tasks = std::slice::from_ref(&payload.task);
    match plan_task(env, &fields, &mut cache, tasks, 0, true, &loc(&[])).await {
        Ok(plan) => {
            create_one(
                env,
                scope,
                plan,
                payload.create_ticket,
                "Task",
                "create_ticket",
            )
            .await
        }
        Err(error) => rejected_create(error),
    }
}

/// `/jira/create-story-ticket` as job `scope`.
pub async fn create_story_ticket(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &CreateStoryTicket,
) -> Result<CreateTicketResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let planned = plan_story(
        env,
        &fields,
        &mut cache,
        &payload.story,
        "create:story".into(),
        &loc(&[]),
    )
    .await;
    let mut response = match planned {
        Ok(plan) => {
            create_one(
                env,
                scope,
                plan,
                payload.create_ticket,
                "Story",
                "create_ticket",
            )
            .await?
        }
        Err(error) => rejected_create(error)?,
    };
    response.prd_row_uuid = payload.story.prd_row_uuid.clone();
    if let (Some(row_id), Some(key), true) = (
        payload.story.prd_row_uuid.as_deref(),
        response.ticket_key.clone(),
        payload.create_ticket,
    ) {
        let executor = Executor::new(&env.jira, &env.db, scope.clone());
        crate::prd_sync::record_row_link(
            crate::prd_sync::link_prd_rows(
                env,
                executor,
                &payload.story.parent_key,
                &[(row_id, &key)],
            )
            .await,
            &mut response.writes,
            &mut response.warnings,
        );
    }
    Ok(response)
}

/// The outcome of a bulk creation, before it is shaped per route.
struct BulkOutcome {
    results: Vec<BulkCreateResult>,
    created_tickets: Vec<String>,
    write_plan: Option<job_types::WritePlan>,
    writes: Vec<WriteOutcome>,
}

/// Previews or runs planned creations in two phases, reporting progress after every ticket.
async fn run_bulk(
    env: &JobEnv,
    scope: &WriteScope,
    planned: Vec<Result<PlannedCreate, ItemError>>,
    commit: bool,
    ctx: Option<&JobContext>,
    noun: &str,
) -> Result<BulkOutcome, Failure> {
    let total = planned.len();
    let mut results: Vec<BulkCreateResult> = planned
        .iter()
        .enumerate()
        .map(|(index, plan)| match plan {
            Ok(plan) => BulkCreateResult {
                index,
                success: true,
                warnings: plan.warnings.clone(),
                ..BulkCreateResult::default()
            },
            Err(error) => BulkCreateResult {
                index,
                error: Some(error.message.clone()),
                ..BulkCreateResult::default()
            },
        })
        .collect();
    // A link to a task of the request that could not be planned cannot be made.
    let unplanned: Vec<Option<String>> = planned
        .iter()
        .map(|plan| plan.as_ref().err().map(|error| error.message.clone()))
        .collect();
    let mut plans: Vec<Option<PlannedCreate>> = planned.into_iter().map(Result::ok).collect();
    for plan in plans.iter_mut().flatten() {
        for link in &mut plan.links {
            if let Some(reason) = link
                .to_task
                .and_then(|other| unplanned.get(other).cloned().flatten())
            {
                link.step = None;
                link.result.status = "failed".into();
                link.result.error = Some(format!("The blocked task was not created: {reason}"));
            }
        }
    }

    if !commit {
        let steps = all_steps(&plans.iter().flatten().collect::<Vec<_>>());
        let write_plan = preview(&env.jira, scope.id(), &steps).await?;
        for (result, plan) in results.iter_mut().zip(&plans) {
            if let Some(plan) = plan {
                let mut shown = plan.preview.clone();
                shown.write_plan = job_types::WritePlan {
                    writes: write_plan
                        .writes
                        .iter()
                        .filter(|write| {
                            std::iter::once(&plan.create)
                                .chain(plan.links.iter().filter_map(|l| l.step.as_ref()))
                                .any(|step| {
                                    job_types::intent_id(scope.id(), &step.step) == write.intent_id
                                })
                        })
                        .cloned()
                        .collect(),
                };
                result.preview = Some(shown);
            }
        }
        return Ok(BulkOutcome {
            results,
            created_tickets: Vec::new(),
            write_plan: Some(write_plan),
            writes: Vec::new(),
        });
    }

    set_total(ctx, total);
    let mut executor = Executor::new(&env.jira, &env.db, scope.clone());
    let mut writes = Vec::new();
    let mut created_tickets = Vec::new();
    // Phase 1: every ticket.
    for (index, (plan, result)) in plans.iter().zip(results.iter_mut()).enumerate() {
        if let Some(plan) = plan {
            let outcome = executor.run(&plan.create).await;
            match executor.created_key(&plan.create.step) {
                Some(key) if outcome.status != "failed" => {
                    result.ticket_key = Some(key.to_owned());
                    created_tickets.push(key.to_owned());
                }
                _ => {
                    result.success = false;
                    result.error = Some(
                        outcome
                            .error
                            .clone()
                            .unwrap_or_else(|| "Jira created nothing".into()),
                    );
                }
            }
            writes.push(outcome);
        }
        item_done(
            ctx,
            format!("Created {} of {total} {noun}", index + 1),
            index + 1,
            total,
            Some(result.success),
        )
        .await?;
    }
    // Phase 2: every link, now that every ticket exists.
    let has_links = plans.iter().flatten().any(|plan| !plan.links.is_empty());
    for (index, (plan, result)) in plans.iter().zip(results.iter_mut()).enumerate() {
        let Some(plan) = plan else { continue };
        if result.success {
            result.links_created = run_links(&mut executor, plan, &mut writes).await;
        } else {
            result.links_created = plan
                .links
                .iter()
                .map(|link| LinkResult {
                    status: "skipped".into(),
                    error: Some("The ticket was not created".into()),
                    ..link.result.clone()
                })
                .collect();
        }
        if has_links {
            item_done(
                ctx,
                format!("Linked {} of {total} {noun}", index + 1),
                index + 1,
                total,
                None,
            )
            .await?;
        }
    }
    Ok(BulkOutcome {
        results,
        created_tickets,
        write_plan: None,
        writes,
    })
}

/// `/jira/bulk-create-tasks` as job `scope`.
pub async fn bulk_create_tasks(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &BulkCreateTasks,
    ctx: Option<&JobContext>,
) -> Result<BulkCreateTasksResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let mut planned = Vec::with_capacity(payload.tasks.len());
    for index in 0..payload.tasks.len() {
        let base = loc(&["tasks".into(), index.into()]);
        planned.push(
            plan_task(
                env,
                &fields,
                &mut cache,
                &payload.tasks,
                index,
                false,
                &base,
            )
            .await,
        );
    }
    let outcome = run_bulk(env, scope, planned, payload.create_tickets, ctx, "tasks").await?;
    let mut results = outcome.results;
    for (result, task) in results.iter_mut().zip(&payload.tasks) {
        result.task_id = task.task_id.clone();
    }
    let total = results.len();
    let successful = results.iter().filter(|r| r.success).count();
    let failed = total - successful;
    let message = bulk_message("task", successful, failed, payload.create_tickets);
    Ok(BulkCreateTasksResponse {
        total_tasks: total,
        successful,
        failed,
        results,
        created_tickets: outcome.created_tickets,
        message,
        write_plan: outcome.write_plan,
        writes: outcome.writes,
    })
}

/// `/jira/bulk-create-stories` as job `scope`.
pub async fn bulk_create_stories(
    env: &JobEnv,
    scope: &WriteScope,
    payload: &BulkCreateStories,
    ctx: Option<&JobContext>,
) -> Result<BulkCreateStoriesResponse, Failure> {
    let fields = OpFields::resolve(env).await?;
    let mut cache = IssueCache::default();
    let mut planned = Vec::with_capacity(payload.stories.len());
    for (index, story) in payload.stories.iter().enumerate() {
        let base = loc(&["stories".into(), index.into()]);
        let step = format!("story:{index}:create");
        planned.push(plan_story(env, &fields, &mut cache, story, step, &base).await);
    }
    let outcome = run_bulk(env, scope, planned, payload.create_tickets, ctx, "stories").await?;
    let mut results = outcome.results;
    let mut writes = outcome.writes;
    // Like `/jira/create-story-ticket`, created stories fill their PRD rows' ticket cells: one
    // page save per epic, however many of its stories the request created.
    let mut by_epic: BTreeMap<&str, Vec<(usize, &str, String)>> = BTreeMap::new();
    for (index, (result, story)) in results.iter_mut().zip(&payload.stories).enumerate() {
        result.prd_row_uuid = story.prd_row_uuid.clone();
        if let (Some(row_id), Some(key), true) = (
            story.prd_row_uuid.as_deref(),
            result.ticket_key.clone(),
            payload.create_tickets,
        ) {
            by_epic
                .entry(story.parent_key.as_str())
                .or_default()
                .push((index, row_id, key));
        }
    }
    for (epic, rows) in by_epic {
        let asked: Vec<(&str, &str)> = rows
            .iter()
            .map(|(_, row, key)| (*row, key.as_str()))
            .collect();
        let executor = Executor::new(&env.jira, &env.db, scope.clone());
        let linked = crate::prd_sync::link_prd_rows(env, executor, epic, &asked).await;
        let warnings: Vec<(usize, String)> = match linked {
            Ok(report) => {
                writes.extend(report.outcome);
                report.warnings
            }
            Err(why) => (0..rows.len())
                .map(|position| (position, format!("The PRD row was not linked: {why}")))
                .collect(),
        };
        for (position, warning) in warnings {
            if let Some((index, _, _)) = rows.get(position)
                && let Some(result) = results.get_mut(*index)
            {
                result.warnings.push(warning);
            }
        }
    }
    let total = results.len();
    let successful = results.iter().filter(|r| r.success).count();
    let failed = total - successful;
    let message = bulk_message("story", successful, failed, payload.create_tickets);
    Ok(BulkCreateStoriesResponse {
        total_stories: total,
        successful,
        failed,
        results,
        created_tickets: outcome.created_tickets,
        message,
        write_plan: outcome.write_plan,
        writes,
    })
}

/// The `message` of a bulk creation: what was done, or what a preview would do.
fn bulk_message(noun: &str, successful: usize, failed: usize, create_tickets: bool) -> String {
    if create_tickets {
        format!("Bulk creation completed: {successful} successful, {failed} failed")
    } else if failed == 0 {
        format!(
            "Preview: {successful} {noun} tickets would be created. Set create_tickets=true to commit."
        )
    } else {
        format!(
            "Preview: {successful} {noun} tickets would be created, {failed} cannot be. Set create_tickets=true to commit."
        )
    }
}
