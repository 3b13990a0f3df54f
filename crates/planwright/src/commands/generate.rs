//! `planwright generate single KEY` and `planwright generate batch --jql …`: the description jobs
//! of `POST /generate/single` and `/generate/batch`, from a terminal. Readable Markdown by
//! default, the API's JSON with `--json`.

use std::io::Write;

use anyhow::Context;
use config::Settings;
use job_types::generate::{GenerateBatch, GenerateSingle, TicketResult};

use super::job_runner::run_job;
use crate::cli::{GenerateBatchArgs, GenerateCommand, GenerateSingleArgs};

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    command: GenerateCommand,
) -> anyhow::Result<()> {
    match command {
        GenerateCommand::Single(args) => single(settings, llm, args).await,
        GenerateCommand::Batch(args) => batch(settings, llm, args).await,
    }
}

async fn single(
    settings: Settings,
    llm: llm::LlmService,
    args: GenerateSingleArgs,
) -> anyhow::Result<()> {
    let ticket_key = domain::IssueKey::parse(&args.ticket_key)
        .context("the ticket argument")?
        .to_string();
    llm.resolve(args.llm_provider.as_deref(), args.llm_model.as_deref())?;
    let payload = GenerateSingle {
        ticket_key,
        update_jira: args.update_jira,
        llm_provider: args.llm_provider,
        llm_model: args.llm_model,
        additional_context: args.context,
    };
    let result = run_job(settings, llm, &payload, "Generate a description").await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &result)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render_ticket(&result, args.update_jira))?;
    }
    Ok(())
}

async fn batch(
    settings: Settings,
    llm: llm::LlmService,
    args: GenerateBatchArgs,
) -> anyhow::Result<()> {
    jql::validate(&args.jql).map_err(|error| anyhow::anyhow!("--jql: {error}"))?;
    anyhow::ensure!(
        (1..=1000).contains(&args.max_results),
        "--max-results must be between 1 and 1000"
    );
    llm.resolve(args.llm_provider.as_deref(), args.llm_model.as_deref())?;
    let payload = GenerateBatch {
        jql: args.jql,
        max_results: args.max_results,
        update_jira: args.update_jira,
        llm_provider: args.llm_provider,
        llm_model: args.llm_model,
    };
    let results = run_job(settings, llm, &payload, "Generate descriptions").await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
        return Ok(());
    }
    for result in &results {
        write!(out, "{}", render_ticket(result, args.update_jira))?;
        writeln!(out)?;
    }
    let failed = results.iter().filter(|r| !r.success).count();
    let written = results.iter().filter(|r| r.updated_in_jira).count();
    writeln!(
        out,
        "{} tickets: {written} written, {failed} failed, {} skipped.",
        results.len(),
        results
            .iter()
            .filter(|r| r.skipped_reason.is_some())
            .count()
    )?;
    Ok(())
}

/// A ticket's result as Markdown for a terminal.
fn render_ticket(result: &TicketResult, update_jira: bool) -> String {
    let mut text = format!("# {} — {}\n\n", result.ticket_key, result.summary);
    if let Some(error) = &result.error {
        text.push_str(&format!("Failed: {error}\n"));
        return text;
    }
    if let Some(description) = &result.generated_description {
        text.push_str(description.trim_end());
        text.push_str("\n\n");
    }
    let status = match (&result.skipped_reason, result.updated_in_jira, update_jira) {
        (Some(reason), _, _) => format!("Not written: {reason}."),
        (None, true, _) => "Written to Jira.".to_owned(),
        (None, false, false) => {
            "Preview only: nothing was written. Add --update-jira to write it.".to_owned()
        }
        (None, false, true) => "Not written.".to_owned(),
    };
    text.push_str(&format!("_{status}_\n"));
    text
}
