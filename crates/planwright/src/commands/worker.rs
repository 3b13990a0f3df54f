//! `planwright worker`: run jobs from the shared database until SIGTERM/SIGINT, then stop
//! claiming, let running jobs finish within the grace period, and hand the rest back.

use std::sync::Arc;

use anyhow::Context;
use config::Settings;

use crate::cli::WorkerArgs;

pub async fn run(settings: Settings, llm: llm::LlmService, args: WorkerArgs) -> anyhow::Result<()> {
    let db = app::connect_database(&settings).await?;
    let atlassian = app::Atlassian::connect(&settings, false).await?;
    let (_env, registry) = app::job_registry(&settings, &db, Arc::new(llm), &atlassian)?;
    let pool = jobs::WorkerPool::start(
        db.clone(),
        registry,
        app::wiring::worker_settings(&settings, args.concurrency),
    )
    .await
    .context("starting the worker pool")?;
    // On stdout so a supervisor or test can see the worker is up.
    println!("Planwright worker {} started", pool.worker_id());
    tracing::info!(worker_id = pool.worker_id(), "worker started");

    super::shutdown_signal().await;
    tracing::info!("stopping: no new jobs are claimed");
    let report = pool.shutdown(settings.worker.shutdown_grace()).await;
    tracing::info!(
        finished = report.finished,
        released = report.released,
        "worker stopped"
    );
    if let Some(sandbox) = atlassian.sandbox {
        sandbox.shutdown().await.ok();
    }
    db.close().await;
    Ok(())
}
