//! `planwright plan tests STORY`: generate a story's test cases from the command line, the same
//! `test_generation` job `POST /plan/tests/story` runs, recorded in the configured database and
//! run in this process. Previews unless `--update-jira`; `--json` prints the API's response.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use config::Settings;
use job_types::test_generation::{
    CoverageLevel, GenerateTests, TestGenerationOutput, TestGenerationResponse, TestScope,
};

use crate::cli::{CoverageArg, PlanTestsArgs};

/// How long the command waits for the job.
const WAIT: Duration = Duration::from_secs(600);

impl From<CoverageArg> for CoverageLevel {
    fn from(level: CoverageArg) -> Self {
        match level {
            CoverageArg::Minimal => CoverageLevel::Minimal,
            CoverageArg::Basic => CoverageLevel::Basic,
            CoverageArg::Standard => CoverageLevel::Standard,
            CoverageArg::Comprehensive => CoverageLevel::Comprehensive,
        }
    }
}

pub async fn run(
    settings: Settings,
    llm: llm::LlmService,
    args: PlanTestsArgs,
) -> anyhow::Result<()> {
    let story_key = domain::IssueKey::parse(&args.story)
        .map(|key| key.to_string())
        .map_err(|error| anyhow::anyhow!("STORY: {error}"))?;
    llm.resolve(args.llm_provider.as_deref(), args.llm_model.as_deref())
        .context("--llm-provider/--llm-model")?;
    let db = app::connect_database(&settings).await?;
    let atlassian = app::Atlassian::connect(&settings, false).await?;
    let (_env, registry) = app::job_registry(&settings, &db, Arc::new(llm), &atlassian)?;
    let runner = jobs::InlineRunner::new(
        db.clone(),
        registry,
        app::wiring::worker_settings(&settings, Some(1)),
    );
    let payload = GenerateTests {
        test_type: TestScope::Story,
        epic_key: None,
        story_key: Some(story_key.clone()),
        task_key: None,
        coverage_level: args.coverage.into(),
        domain_context: args.domain,
        technical_context: args.technical,
        include_documents: !args.no_documents,
        llm_provider: args.llm_provider,
        llm_model: args.llm_model,
        update_jira: args.update_jira,
    };
    let job = api::job_dispatch::new_job(&payload, "Running from the command line")
        .map_err(|error| anyhow::anyhow!("{error}"))?
        .with_max_attempts(1);
    let record = db
        .enqueue(job)
        .await
        .map_err(|error| anyhow::anyhow!("cannot queue the job: {error}"))?;
    let finished = runner
        .run(record.id, WAIT)
        .await
        .context("running the job")?
        .with_context(|| format!("job {} did not finish within {WAIT:?}", record.id))?;
    let outcome = api::job_dispatch::job_output::<GenerateTests>(&finished);
    if let Some(sandbox) = atlassian.sandbox {
        sandbox.shutdown().await.ok();
    }
    db.close().await;
    let result = match outcome.map_err(|error| anyhow::anyhow!("{error}"))? {
        TestGenerationOutput::Single(result) => result,
        TestGenerationOutput::Suite(_) => bail!("the job answered a suite for one story"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", human(&result));
    }
    Ok(())
}

/// The result for a terminal: the tests as Markdown, then what happened to Jira.
fn human(result: &TestGenerationResponse) -> String {
    let mut out = format!(
        "{} tests for {} ({} coverage",
        result.test_count,
        result.story_key.as_deref().unwrap_or("the story"),
        result.coverage_level.as_str()
    );
    if let Some(domain) = &result.domain_context {
        out.push_str(&format!(", {domain} domain"));
    }
    out.push_str(")\n\n");
    out.push_str(&result.test_cases_text);
    for warning in &result.warnings {
        out.push_str(&format!("\nwarning: {warning}"));
    }
    for error in &result.errors {
        out.push_str(&format!("\nerror: {error}"));
    }
    out.push('\n');
    out.push_str(if result.updated_in_jira {
        "Written to the test-case field in Jira.\n"
    } else {
        "Preview only: nothing was written. Add --update-jira to write the tests to Jira.\n"
    });
    out
}
