//! `planwright serve`: the HTTP API, the in-process worker pool (unless `--no-worker`), and the
//! in-process Jira + Confluence sandbox when no Jira is configured (or `--sandbox`); assembled by
//! `app::Application`.

use std::net::SocketAddr;

use anyhow::Context;
use config::Settings;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

pub async fn run(settings: Settings, llm: llm::LlmService, args: ServeArgs) -> anyhow::Result<()> {
    let api_settings = app::wiring::api_settings(&settings);
    warn_about_exposure(&args, &api_settings);
    let grace = settings.worker.shutdown_grace();
    let options = app::AppOptions {
        force_sandbox: args.sandbox,
        no_worker: args.no_worker,
        worker_concurrency: None,
    };
    let application = app::Application::build(settings, llm, options)
        .await
        .context("starting Planwright")?;

    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr} (is the port in use? try --port)"))?;
    let local = listener.local_addr()?;
    // On stdout so scripts and tests started with `--port 0` can read the chosen port.
    println!("Planwright listening on http://{local}");
    tracing::info!(%local, "serving the API; docs at /docs");

    axum::serve(listener, application.router())
        .with_graceful_shutdown(super::shutdown_signal())
        .await
        .context("serving HTTP")?;

    tracing::info!("shutting down");
    application.shutdown(grace).await;
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
