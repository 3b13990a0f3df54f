//! `planwright worker`: run jobs from the shared database until SIGTERM/SIGINT, then stop
//! claiming, let running jobs finish within the grace period, and hand the rest back.

use anyhow::Context;
use config::Settings;

use crate::cli::WorkerArgs;
use crate::wiring;

pub async fn run(settings: Settings, args: WorkerArgs) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let pool = jobs::WorkerPool::start(
        db.clone(),
        wiring::job_registry(),
        wiring::worker_settings(&settings, args.concurrency),
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
    db.close().await;
    Ok(())
}
