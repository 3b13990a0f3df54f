//! `planwright migrate`: apply the embedded database migrations and exit.

use config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    tracing::info!(backend = db.backend().as_str(), "database migrated");
    db.close().await;
    Ok(())
}
