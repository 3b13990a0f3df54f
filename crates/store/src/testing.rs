//! Test fixtures (feature `testing`): a fresh, migrated database per test — a temporary SQLite
//! file always, and a uniquely named PostgreSQL database when `PLANWRIGHT_TEST_POSTGRES_URL` points
//! at a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). The PostgreSQL database is
//! dropped by [`TestDatabase::cleanup`] or, failing that, on drop.

use std::ops::Deref;

use crate::database::{Backend, Database, PoolSettings};
use crate::error::StoreError;

/// The environment variable naming the PostgreSQL server used by tests.
pub const POSTGRES_URL_VAR: &str = "PLANWRIGHT_TEST_POSTGRES_URL";

/// Small pools: many tests run at once against one PostgreSQL server (`max_connections`).
fn test_pool() -> PoolSettings {
    PoolSettings {
        max_connections: 6,
        ..PoolSettings::default()
    }
}

/// A throwaway database for one test.
pub struct TestDatabase {
    db: Database,
    url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    /// Keeps the temporary directory (and so the SQLite file) alive.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// The server's admin URL and the database to drop.
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A migrated SQLite database in a fresh temporary file.
    pub async fn sqlite() -> Result<Self, StoreError> {
        let dir = tempfile::tempdir().map_err(StoreError::CreateFile)?;
        let url = format!(
            "sqlite://{}",
            dir.path().join("planwright-test.db").display()
        );
        let db = Database::connect(&url).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            url,
            cleanup: Some(Cleanup::Sqlite(dir)),
        })
    }

    /// A migrated, uniquely named PostgreSQL database, or `None` when the environment variable
    /// is not set.
    pub async fn postgres() -> Result<Option<Self>, StoreError> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            return Ok(None);
        };
        let name = format!("planwright_test_{}", uuid::Uuid::now_v7().simple());
        let admin = Database::connect_with(&admin_url, &single_connection()).await?;
        // The name is generated above from hex digits only, never from input.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await?;
        admin.close().await;
        let url = with_database(&admin_url, &name)?;
        let cleanup = Some(Cleanup::Postgres { admin_url, name });
        let db = Database::connect_with(&url, &test_pool()).await?;
        let fixture = Self { db, url, cleanup };
        fixture.db.migrate().await?;
        Ok(Some(fixture))
    }

    /// The same database with a new connection pool, as a restarted process would open it
    /// (the old pool may have been closed).
    pub async fn reopen(mut self) -> Self {
        let cleanup = self.cleanup.take();
        let url = self.url.clone();
        let db = Database::connect_with(&url, &test_pool())
            .await
            .unwrap_or_else(|error| panic!("reopening {url}: {error}"));
        Self { db, url, cleanup }
    }

    /// SQLite, plus PostgreSQL when configured: run one test body against each.
    pub async fn all() -> Result<Vec<Self>, StoreError> {
        let mut all = vec![Self::sqlite().await?];
        all.extend(Self::postgres().await?);
        Ok(all)
    }

    /// The database handle.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The connection URL, to open further independent pools ("other processes").
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Another, independent pool on the same database: stands in for another process.
    pub async fn connect_another(&self) -> Result<Database, StoreError> {
        Database::connect_with(&self.url, &test_pool()).await
    }

    /// `sqlite` or `postgres`, for assertion messages.
    pub fn label(&self) -> &'static str {
        self.db.backend().as_str()
    }

    /// Closes the pool and drops the PostgreSQL database (or deletes the SQLite file).
    pub async fn cleanup(mut self) {
        self.db.close().await;
        if let Some(Cleanup::Postgres { admin_url, name }) = self.cleanup.take() {
            drop_postgres_database(&admin_url, &name).await;
        }
    }
}

impl Deref for TestDatabase {
    type Target = Database;
    fn deref(&self) -> &Database {
        &self.db
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(Cleanup::Postgres { admin_url, name }) = self.cleanup.take() {
            // A test that panicked never reached `cleanup`: drop the database from a helper
            // thread with its own runtime, since `Drop` cannot await.
            let dropper = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(drop_postgres_database(&admin_url, &name));
                }
            });
            let _ = dropper.join();
        }
    }
}

async fn drop_postgres_database(admin_url: &str, name: &str) {
    let Ok(admin) = Database::connect_with(admin_url, &single_connection()).await else {
        return;
    };
    debug_assert_eq!(admin.backend(), Backend::Postgres);
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    if let Err(error) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(admin.pool())
        .await
    {
        tracing::warn!(%error, database = name, "could not drop the test database");
    }
    admin.close().await;
}

fn single_connection() -> PoolSettings {
    PoolSettings {
        max_connections: 1,
        ..PoolSettings::default()
    }
}

fn with_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    let mut url = url::Url::parse(admin_url).map_err(|error| StoreError::InvalidUrl {
        reason: format!("{POSTGRES_URL_VAR}: {error}"),
    })?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
