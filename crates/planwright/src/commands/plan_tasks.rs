//! `planwright plan tasks STORY... [--epic KEY] [--create] [--json]`: team tasks for stories
//! from the terminal, the same `task_generation` job `POST /plan/tasks/generate` runs (queued
//! in the database and run in this process, so it is recorded, deduplicated and writes at most
//! once). A preview unless `--create`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use config::Settings;
use domain::IssueKey;
use domain::job::JobStatus;
use job_types::JobPayload;
use job_types::planning_tasks::{TaskGeneration, TaskPlanningResult};
use store::{EnqueueError, NewJob};

use crate::cli::PlanTasksArgs;

/// How long the command waits for the job.
const WAIT: Duration = Duration::from_secs(600);

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    args: PlanTasksArgs,
) -> anyhow::Result<()> {
    let payload = payload(&args)?;
    let db = app::connect_database(&settings).await?;
    let atlassian = app::Atlassian::connect(&settings, false).await?;
    let (_env, registry) = app::job_registry(&settings, &db, Arc::new(llm), &atlassian);
    let mut job = NewJob::new(TaskGeneration::KIND, serde_json::to_value(&payload)?)
        .with_lock_keys(payload.lock_keys())
        .with_message("Running from the command line")
        .with_max_attempts(1);
    job.story_keys = payload.subject().story_keys;
    let record = db.enqueue(job).await.map_err(|error| match error {
        EnqueueError::Duplicate { conflicts } => {
            let held: Vec<String> = conflicts
                .iter()
                .map(|c| format!("{} (job {})", c.lock_key, c.job_id))
                .collect();
            anyhow::anyhow!("already being processed: {}", held.join(", "))
        }
        EnqueueError::Store(error) => anyhow::Error::new(error).context("queueing the job"),
    })?;
    let runner = jobs::InlineRunner::new(
        db.clone(),
        registry,
        app::wiring::worker_settings(&settings, Some(1)),
    );
    let finished = runner
        .run(record.id, WAIT)
        .await
        .context("running the job")?
        .with_context(|| format!("job {} did not finish within {WAIT:?}", record.id))?;
    let outcome = match finished.status {
        JobStatus::Completed => {
            let results = finished.results.clone().unwrap_or_default();
            let result: TaskPlanningResult =
                serde_json::from_value(results).context("reading the job's result")?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&result)?);
            } else {
                print!("{}", human(&result));
            }
            if result.success {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "some writes failed: {}",
                    result.errors.join("; ")
                ))
            }
        }
        status => Err(anyhow::anyhow!(
            "job {} {}: {}",
            finished.id,
            status.as_str(),
            finished.error.as_deref().unwrap_or("no reason recorded")
        )),
    };
    if let Some(sandbox) = atlassian.sandbox {
        sandbox.shutdown().await.ok();
    }
    db.close().await;
    outcome
}

fn payload(args: &PlanTasksArgs) -> anyhow::Result<TaskGeneration> {
    let mut story_keys: Vec<String> = Vec::new();
    for story in &args.stories {
        let key = IssueKey::parse(story)
            .map_err(|error| anyhow::anyhow!("{story}: {error}"))?
            .to_string();
        if !story_keys.contains(&key) {
            story_keys.push(key);
        }
    }
    if story_keys.is_empty() {
        bail!("name at least one story, e.g. `planwright plan tasks PROJ-123`");
    }
    let epic_key = args
        .epic
        .as_deref()
        .map(|epic| {
            IssueKey::parse(epic)
                .map(|key| key.to_string())
                .map_err(|error| anyhow::anyhow!("--epic {epic}: {error}"))
        })
        .transpose()?;
    if !(0.5..=10.0).contains(&args.max_task_cycle_days) {
        bail!("--max-task-cycle-days must be between 0.5 and 10");
    }
    Ok(TaskGeneration {
        story_keys,
        epic_key,
        dry_run: !args.create,
        split_oversized_tasks: true,
        max_task_cycle_days: args.max_task_cycle_days,
        max_tasks_per_story: 10,
        llm_provider: args.llm_provider.clone(),
        llm_model: args.llm_model.clone(),
        additional_context: None,
        generate_test_cases: false,
        team_separation: true,
        repos: Vec::new(),
    })
}

/// The plan as a person reads it: per story, the tasks in order with what they wait for.
fn human(result: &TaskPlanningResult) -> String {
    let mut out = String::new();
    for story in &result.story_details {
        let _ = writeln!(
            out,
            "{} {} (epic {})",
            story.jira_key.as_deref().unwrap_or("?"),
            story.summary,
            story.epic_key
        );
        for task_id in &story.tasks {
            let Some(task) = result.task_details.iter().find(|t| &t.task_id == task_id) else {
                continue;
            };
            let short = |id: &str| id.rsplit(':').next().unwrap_or(id).to_owned();
            let waits: Vec<String> = task.depends_on_tasks.iter().map(|d| short(d)).collect();
            let _ = writeln!(
                out,
                "  {:<4} {}{}  [{} d]{}",
                short(&task.task_id),
                task.jira_key
                    .as_deref()
                    .map(|key| format!("{key} "))
                    .unwrap_or_default(),
                task.summary,
                task.estimated_days.unwrap_or_default(),
                if waits.is_empty() {
                    String::new()
                } else {
                    format!("  waits for {}", waits.join(", "))
                }
            );
        }
    }
    let _ = writeln!(
        out,
        "{} tasks, {} Blocks links.",
        result.task_details.len(),
        result.relationships.len()
    );
    if result.dry_run {
        let writes = result
            .write_plan
            .as_ref()
            .map_or(0, |plan| plan.writes.len());
        let _ = writeln!(
            out,
            "Preview: nothing was written ({writes} Jira requests planned). Run again with --create to create the tasks and their links."
        );
    } else {
        let _ = writeln!(
            out,
            "Created {} tasks and {} links.",
            result
                .task_details
                .iter()
                .filter(|t| t.jira_key.is_some())
                .count(),
            result.relationships_created.len()
        );
    }
    for warning in &result.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for error in &result.errors {
        let _ = writeln!(out, "error: {error}");
    }
    out
}
