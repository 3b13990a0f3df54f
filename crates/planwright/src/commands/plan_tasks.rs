//! `planwright plan tasks STORY... [--epic KEY] [--create] [--json]`: team tasks for stories
//! from the terminal, the same `task_generation` job `POST /plan/tasks/generate` runs (through
//! [`super::job_runner`]: queued in the database and run in this process, so it is recorded,
//! deduplicated and writes at most once). A preview unless `--create`.

use std::fmt::Write as _;

use anyhow::bail;
use config::Settings;
use domain::IssueKey;
use job_types::planning_tasks::{TaskGeneration, TaskPlanningResult};

use crate::cli::PlanTasksArgs;

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    args: PlanTasksArgs,
) -> anyhow::Result<()> {
    let payload = payload(&args)?;
    let result = super::job_runner::run_job(settings, llm, &payload, "Task planning").await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", human(&result));
    }
    if !result.success {
        bail!("some writes failed: {}", result.errors.join("; "));
    }
    Ok(())
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
