//! `planwright sprint plan EPIC --board N [--apply]` and `planwright sprint timeline EPIC --board
//! N [--svg FILE]`: the `sprint_planning` and `timeline_planning` jobs of `POST /sprint/plan/epic`
//! and `POST /sprint/timeline`, run through [`super::job_runner`] (recorded, deduplicated, writing
//! at most once). The plan is a preview unless `--apply`; a timeline never writes to Jira.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use config::Settings;
use domain::IssueKey;
use job_types::sprints::{
    CapacitySource, EpicPlanSpec, PlanEpicSprints, PlanTimeline, SprintPlanningResponse,
};

use crate::cli::{SprintCommand, SprintPlanArgs, SprintTimelineArgs};

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    command: SprintCommand,
) -> anyhow::Result<()> {
    match command {
        SprintCommand::Plan(args) => plan(settings, llm, args).await,
        SprintCommand::Timeline(args) => timeline(settings, llm, args).await,
    }
}

fn spec(
    epic: &str,
    board: u64,
    capacity: Option<f64>,
    team: Option<i64>,
    start: Option<&str>,
    sprint_days: u32,
) -> anyhow::Result<EpicPlanSpec> {
    let epic_key = IssueKey::parse(epic)
        .map_err(|error| anyhow::anyhow!("{epic}: {error}"))?
        .to_string();
    let capacity = match (capacity, team) {
        (Some(days), _) if !(days.is_finite() && days > 0.0) => {
            bail!("--capacity must be more than 0 person-days, not {days}")
        }
        (Some(days), _) => CapacitySource::Days(days),
        (None, Some(team)) => CapacitySource::Team(team),
        (None, None) => CapacitySource::Default,
    };
    let start_date = match start {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .with_context(|| format!("--start {text}: use YYYY-MM-DD"))?,
        None => Utc::now().date_naive(),
    };
    if !(1..=90).contains(&sprint_days) {
        bail!("--sprint-days must be 1 to 90");
    }
    Ok(EpicPlanSpec {
        epic_key,
        board_id: board,
        capacity,
        start_date,
        sprint_duration_days: sprint_days,
    })
}

async fn plan(
    settings: Settings,
    llm: llm::LlmService,
    args: SprintPlanArgs,
) -> anyhow::Result<()> {
    let payload = PlanEpicSprints {
        spec: spec(
            &args.epic,
            args.board,
            args.capacity,
            args.team,
            args.start.as_deref(),
            args.sprint_days,
        )?,
        auto_create_sprints: args.create_sprints,
        dry_run: !args.apply,
    };
    let result = super::job_runner::run_job(settings, llm, &payload, "Sprint planning").await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", table(&result));
    }
    if !result.success {
        bail!("some writes failed: {}", result.errors.join("; "));
    }
    Ok(())
}

/// The plan as a person reads it: one row per task, then the sprints' load.
fn table(plan: &SprintPlanningResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Sprint plan of {} on board {} ({} days a sprint, {})",
        plan.epic_key, plan.board_id, plan.capacity.days_per_sprint, plan.capacity.source
    );
    let _ = writeln!(out, "| Task | Summary | Days | Sprint |");
    let _ = writeln!(out, "|---|---|---|---|");
    for task in &plan.assignments {
        let sprint = match (&task.sprint_name, task.sprint_id) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            (Some(name), None) => format!("{name} (new)"),
            _ => "unassigned".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {} |",
            task.task_key,
            task.task_summary.replace('|', "\\|"),
            task.estimated_days,
            if task.oversized { " (oversized)" } else { "" },
            sprint
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| Sprint | Dates | Used / capacity | Utilisation |");
    let _ = writeln!(out, "|---|---|---|---|");
    for sprint in &plan.sprints {
        let _ = writeln!(
            out,
            "| {}{} | {} – {} | {} / {} | {:.0} % |",
            sprint.name,
            if sprint.new { " (new)" } else { "" },
            sprint.start_date,
            sprint.end_date,
            sprint.used_days,
            sprint.capacity_days,
            sprint.utilisation * 100.0
        );
    }
    if let Some(done) = plan.estimated_completion_date {
        let _ = writeln!(out, "\nEstimated completion: {done}");
    }
    for skipped in &plan.skipped {
        let _ = writeln!(out, "skipped: {} ({})", skipped.key, skipped.reason);
    }
    if plan.dry_run {
        let _ = writeln!(
            out,
            "Preview: nothing was written ({} Jira requests planned). Run again with --apply to create the sprints and move the issues.",
            plan.write_plan.writes.len()
        );
    } else {
        let _ = writeln!(
            out,
            "Applied: {} sprint(s) created, {} Jira request(s) sent.",
            plan.sprints_created.len(),
            plan.writes.iter().filter(|w| w.status == "written").count()
        );
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for error in &plan.errors {
        let _ = writeln!(out, "error: {error}");
    }
    out
}

async fn timeline(
    settings: Settings,
    llm: llm::LlmService,
    args: SprintTimelineArgs,
) -> anyhow::Result<()> {
    let payload = PlanTimeline {
        spec: spec(
            &args.epic,
            args.board,
            args.capacity,
            args.team,
            args.start.as_deref(),
            args.sprint_days,
        )?,
    };
    let result = super::job_runner::run_job(settings, llm, &payload, "Timeline planning").await?;
    let chart: sprint_planning::Timeline =
        serde_json::from_value(result.chart.clone()).context("the timeline's chart data")?;
    print!("{}", sprint_planning::render_markdown(&chart));
    if let Some(path) = &args.svg {
        let svg = sprint_planning::render_svg(&chart, Utc::now().date_naive());
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
        println!("Gantt chart written to {}", path.display());
    }
    Ok(())
}
