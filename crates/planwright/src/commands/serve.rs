//! `planwright serve`: the HTTP API, the in-process worker pool (unless `--no-worker`), and the
//! in-process Jira + Confluence sandbox when no Jira is configured (or `--sandbox`).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use config::Settings;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::probes::JiraProbe;
use crate::wiring;

pub async fn run(settings: Settings, llm: llm::LlmService, args: ServeArgs) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let metrics = api::Metrics::new();
    if metrics.install_global().is_err() {
        tracing::warn!("a metrics recorder was already installed; job metrics go there");
    }
    let api_settings = wiring::api_settings(&settings);
    warn_about_exposure(&args, &api_settings);
    let state = api::AppState::new(db.clone(), api_settings, metrics)
        .context("invalid HTTP settings")?
        .with_llm(Arc::new(llm));

    let (sandbox, jira_site) = match wiring::JiraSite::configured(&settings) {
        Some(site) if !args.sandbox => (None, site),
        _ => {
            let sandbox = super::sandbox::start_in_process().await?;
            let site = super::sandbox::site_of(&sandbox);
            (Some(sandbox), site)
        }
    };
    let jira = jira_site
        .probe_client(&settings)
        .await
        .context("setting up the Jira client (check JIRA_SERVER_URL)")?;
    let state = state.with_probe(Arc::new(JiraProbe::new(jira)));

    let workers = if args.no_worker {
        None
    } else {
        let pool = jobs::WorkerPool::start(
            db.clone(),
            wiring::job_registry(),
            wiring::worker_settings(&settings, None),
        )
        .await
        .context("starting the worker pool")?;
        tracing::info!(worker_id = pool.worker_id(), "worker pool started");
        Some(pool)
    };

    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr} (is the port in use? try --port)"))?;
    let local = listener.local_addr()?;
    // On stdout so scripts and tests started with `--port 0` can read the chosen port.
    println!("Planwright listening on http://{local}");
    tracing::info!(%local, "serving the API; docs at /docs");

    let shutdown = super::shutdown_signal();
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;

    tracing::info!("shutting down");
    if let Some(pool) = workers {
        let report = pool.shutdown(settings.worker.shutdown_grace()).await;
        tracing::info!(
            finished = report.finished,
            released = report.released,
            "worker pool stopped"
        );
    }
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await.ok();
    }
    db.close().await;
    Ok(())
}

/// An API reachable from other machines without auth is a loud mistake; a legacy password hash
/// is a quiet one.
fn warn_about_exposure(args: &ServeArgs, settings: &api::ApiSettings) {
    if !settings.auth.enabled && !args.host.is_loopback() {
        let banner = format!(
            "WARNING: serving on {} with authentication DISABLED: anyone who can reach this \
             address can read and write your Jira through Planwright. Set AUTH_ENABLED=true with \
             AUTH_PASSWORD_HASH (see `planwright hash-password`) or AUTH_API_KEY_HASHES.",
            args.host
        );
        eprintln!("\n{banner}\n");
        tracing::warn!("{banner}");
    }
    if settings.auth.enabled && settings.auth.is_legacy_sha256() {
        tracing::warn!(
            "AUTH_PASSWORD_HASH is an unsalted SHA-256 digest (accepted for deployments migrated \
             from the Python service); replace it with `planwright hash-password` output"
        );
    }
}
