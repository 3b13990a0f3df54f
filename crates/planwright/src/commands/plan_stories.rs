//! `planwright plan stories EPIC`: the `story_generation` job of `POST /plan/stories/generate`
//! from a terminal. Readable Markdown by default, the API's JSON with `--json`; nothing is
//! written without `--create`.

use std::io::Write;

use anyhow::Context;
use config::Settings;
use job_types::epic_planning::{EpicPlanOptions, OperationMode, PlanningResult, StoryGeneration};

use super::job_runner::run_job;
use crate::cli::PlanStoriesArgs;

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    args: PlanStoriesArgs,
) -> anyhow::Result<()> {
    let epic_key = domain::IssueKey::parse(&args.epic_key)
        .context("the epic argument")?
        .to_string();
    anyhow::ensure!(
        (1..=50).contains(&args.max_stories),
        "--max-stories must be between 1 and 50"
    );
    llm.resolve(args.llm_provider.as_deref(), args.llm_model.as_deref())?;
    let payload = StoryGeneration {
        options: EpicPlanOptions {
            epic_key,
            write: args.create,
            operation_mode: OperationMode::Documentation,
            max_stories: args.max_stories,
            max_tasks_per_story: 6,
            max_task_cycle_days: 3.0,
            generate_test_cases: args.test_cases,
            llm_provider: args.llm_provider,
            llm_model: args.llm_model,
        },
    };
    let result = run_job(settings, llm, &payload, "Generate stories").await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &result)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&result, args.create))?;
    }
    anyhow::ensure!(
        result.errors.is_empty(),
        "some writes failed: {}",
        result.errors.join("; ")
    );
    Ok(())
}

/// The plan as Markdown for a terminal.
fn render(result: &PlanningResult, create: bool) -> String {
    let mut text = format!("# Stories for {}\n\n", result.epic_key);
    if !result.context_sources.is_empty() {
        text.push_str(&format!(
            "Sources: {}\n\n",
            result.context_sources.join(", ")
        ));
    }
    let mut new = 0;
    for story in &result.story_details {
        text.push_str(&format!("## {}\n\n", story.summary.trim()));
        let status = match (story.action_taken.as_deref(), &story.jira_key) {
            (Some("skipped"), Some(key)) => format!("Not created: {key} already covers it."),
            (Some("skipped"), None) => "Not created: the plan repeats it.".to_owned(),
            (Some("created"), Some(key)) => format!(
                "Created: {key} {}",
                story.jira_url.as_deref().unwrap_or_default()
            ),
            _ => {
                new += 1;
                "New story.".to_owned()
            }
        };
        text.push_str(&format!("_{}_\n\n", status.trim()));
        if story.action_taken.as_deref() != Some("skipped") {
            text.push_str(story.description.trim_end());
            text.push_str("\n\n");
        }
    }
    for error in &result.errors {
        text.push_str(&format!("Failed: {error}\n"));
    }
    let footer = if create {
        let created = result
            .created_tickets
            .get("stories")
            .map(Vec::len)
            .unwrap_or(0);
        format!("{created} stories created under {}.", result.epic_key)
    } else if new == 0 {
        "Nothing to create: existing stories cover every generated one.".to_owned()
    } else {
        format!("Preview only: nothing was written. Add --create to create {new} stories.")
    };
    text.push_str(&format!("_{footer}_\n"));
    text
}
