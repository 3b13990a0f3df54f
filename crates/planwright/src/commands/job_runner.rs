//! Running one product job from the command line: the same typed payload and job code the API
//! uses, enqueued in the configured database and run in this process (so the job is recorded and
//! `GET /jobs/{id}` shows it), with a progress bar on a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use config::Settings;
use domain::job::JobStatus;
use job_types::JobPayload;

/// Runs `payload` to its end and returns its output; a failed job is an error with its hint.
pub async fn run_job<P: JobPayload>(
    settings: Settings,
    llm: llm::LlmService,
    payload: &P,
    label: &str,
) -> anyhow::Result<P::Output> {
    let options = app::AppOptions {
        no_worker: true,
        ..app::AppOptions::default()
    };
    let application = app::Application::build(settings, llm, options)
        .await
        .context("starting Planwright")?;
    let result = run_on(&application, payload, label).await;
    application.shutdown(Duration::from_secs(5)).await;
    result
}

async fn run_on<P: JobPayload>(
    application: &app::Application,
    payload: &P,
    label: &str,
) -> anyhow::Result<P::Output> {
    let job = api::job_dispatch::new_job(payload, format!("{label} (command line)"))
        .map_err(|error| anyhow::anyhow!("{error}"))?
        .with_max_attempts(1);
    let record = application
        .db
        .enqueue(job)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let runner = application
        .state
        .inline_runner()
        .context("this build runs no jobs")?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let run = runner.run(record.id, Duration::from_secs(24 * 3600));
    tokio::pin!(run);
    let finished = loop {
        tokio::select! {
            finished = &mut run => break finished?,
            () = tokio::time::sleep(Duration::from_millis(250)) => {
                if let (Some(bar), Ok(Some(job))) = (&bar, application.db.get(record.id).await) {
                    bar.set_length(job.counters.total_tickets.unwrap_or(0));
                    bar.set_position(job.counters.processed_tickets);
                    bar.set_message(job.progress.message.clone());
                }
            }
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let job = finished.context("the job did not finish")?;
    match job.status {
        JobStatus::Completed => Ok(serde_json::from_value(job.results.unwrap_or_default())?),
        status => anyhow::bail!(
            "job {} {}: {}",
            job.id,
            status.as_str(),
            job.error.unwrap_or_default()
        ),
    }
}
