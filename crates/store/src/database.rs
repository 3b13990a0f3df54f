//! The connection pool for SQLite or PostgreSQL behind one code path (sqlx's `Any` driver), the
//! embedded migrations, health, transactions with the right locking per backend, and wake-ups
//! (in-process `Notify`, plus PostgreSQL `LISTEN/NOTIFY` so workers on other machines wake too).

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};
use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Notify, OwnedMutexGuard};
use tokio::task::JoinHandle;

use crate::chat_batch::{PendingSend, SendBatcher};
use crate::completion_batch::{Completion, CompletionBatcher};
use crate::enqueue_batch::{EnqueueBatcher, PendingEnqueue};
use crate::error::StoreError;
use tokio::sync::mpsc;

/// The PostgreSQL channel announcing that jobs were enqueued (payload: the job kind).
pub(crate) const JOBS_CHANNEL: &str = "planwright_jobs";
/// The PostgreSQL channel announcing that a running job was asked to cancel (payload: the job id).
pub(crate) const CANCEL_CHANNEL: &str = "planwright_job_cancel";

/// Grouped enqueue statements one process runs at once. One, as for completions: while it is in
/// flight the next group gathers; more in flight measured no faster (docs/benchmarks.md).
const ENQUEUE_STATEMENTS_IN_FLIGHT: usize = 1;

/// The least time between two enqueue `NOTIFY`s sent by one process.
const NOTIFY_GAP: Duration = Duration::from_millis(3);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// An embedded SQLite file (the default; one machine).
    Sqlite,
    /// A PostgreSQL server (scale-out: many API replicas and worker machines).
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What `/health` reports about the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DbHealth {
    /// A trivial query succeeded.
    pub reachable: bool,
    /// Every migration embedded in this binary has been applied successfully.
    pub migrations_applied: bool,
    /// The engine.
    pub backend: Backend,
}

/// Pool tuning; the defaults suit the service.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Maximum open connections.
    pub max_connections: u32,
    /// How long a query waits for a free connection before failing as [`StoreError::Unavailable`].
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for the file lock before failing.
    pub sqlite_busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A handle on the database: cheap to clone, shared by the API and the workers of one process.
#[derive(Clone)]
pub struct Database {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Kept to open the dedicated `LISTEN` connection; may contain a password.
    url: SecretString,
    /// Signalled when jobs may be ready to claim.
    pub(crate) job_wakeup: Arc<Notify>,
    /// Signalled when a running job was asked to cancel.
    pub(crate) cancel_wakeup: Arc<Notify>,
    listener: Mutex<Option<JoinHandle<()>>>,
    /// SQLite allows one writer: writers of this process queue here, in order, instead of
    /// colliding on the file lock (whose busy handler sleeps in steps of up to 100 ms).
    /// Other processes still meet `busy_timeout`.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// PostgreSQL: asks the notifier task to send one `NOTIFY` for all enqueues since its last.
    notify_request: Arc<Notify>,
    notifier: Mutex<Option<JoinHandle<()>>>,
    /// PostgreSQL: the group-commit writer for completions, started on first use.
    completions: Mutex<Option<CompletionBatcher>>,
    /// PostgreSQL: the group-commit writer for enqueues, started on first use.
    enqueues: Mutex<Option<EnqueueBatcher>>,
    /// SQLite: the group-commit writer for chat messages, started on first use.
    chat_sends: Mutex<Option<SendBatcher>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in [&self.listener, &self.notifier] {
            if let Some(task) = take(task) {
                task.abort();
            }
        }
        if let Some(batcher) = take(&self.completions) {
            batcher.task.abort();
        }
        if let Some(batcher) = take(&self.enqueues) {
            batcher.task.abort();
        }
        if let Some(batcher) = take(&self.chat_sends) {
            batcher.task.abort();
        }
    }
}

/// The background task in `slot`, if one was started (a poisoned lock counts as none).
fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock().map(|mut guard| guard.take()).ok().flatten()
}

/// A write transaction that, on SQLite, also holds this process's writer slot.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _slot: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _slot } = self;
        tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// Why a SQLite write batch ([`Database::sqlite_write_batch`]) failed, and how far it got.
#[derive(Debug)]
pub(crate) struct BatchError {
    /// The error of the statement that failed.
    pub(crate) error: sqlx::Error,
    /// How many statements completed before it (so `BEGIN IMMEDIATE` is statement 0).
    pub(crate) completed: usize,
}

impl From<BatchError> for StoreError {
    fn from(batch: BatchError) -> Self {
        StoreError::from(batch.error)
    }
}

/// A pooled connection running a hand-written SQLite transaction. sqlx does not know about a
/// `BEGIN` it did not issue, so nothing would roll it back if the connection went back to the
/// pool midway (an error, or the request's future dropped while awaiting): until the batch is
/// `settled` (committed, rolled back, or never begun), dropping this closes the connection instead
/// of returning it, and closing a SQLite connection rolls back its open transaction.
struct BatchConnection {
    conn: PoolConnection<Any>,
    settled: bool,
}

impl Drop for BatchConnection {
    fn drop(&mut self) {
        if !self.settled {
            self.conn.close_on_drop();
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.inner.backend)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects with default pool settings. See [`Database::connect_with`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, &PoolSettings::default()).await
    }

    /// Connects to `sqlite://path/to/file.db` (parent directories and the file are created; WAL
    /// journal, `busy_timeout`, foreign keys on) or `postgres://…` / `postgresql://…`.
    /// Does not migrate: call [`Database::migrate`].
    pub async fn connect_with(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options: AnyConnectOptions =
            url.parse()
                .map_err(|error: sqlx::Error| StoreError::InvalidUrl {
                    reason: error.to_string(),
                })?;
        let busy_ms = settings.sqlite_busy_timeout.as_millis();
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            // sqlx pings every idle connection it hands out. A PostgreSQL connection is a socket
            // that can die unnoticed; a SQLite connection is a thread of this process with the
            // file open, and its ping is one more round trip to that thread per query.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
                        // WAL lets readers run beside the single writer; NORMAL sync is durable
                        // across process crashes (only an OS crash may lose the last commits).
                        let pragmas = format!(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {busy_ms}; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                        );
                        conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
                    } else {
                        // A process cut off from the server in the middle of a transaction
                        // must not hold its row locks until TCP gives up (hours): the server
                        // ends a session idle inside a transaction for 10 s. No transaction of
                        // ours waits on anything but SQL (ARCHITECTURE.md, invariants).
                        conn.execute("SET idle_in_transaction_session_timeout = '10s'")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::from)?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                backend,
                url: SecretString::from(url),
                job_wakeup: Arc::new(Notify::new()),
                cancel_wakeup: Arc::new(Notify::new()),
                listener: Mutex::new(None),
                write_lock: Arc::new(tokio::sync::Mutex::new(())),
                notify_request: Arc::new(Notify::new()),
                notifier: Mutex::new(None),
                completions: Mutex::new(None),
                enqueues: Mutex::new(None),
                chat_sends: Mutex::new(None),
            }),
        })
    }

    /// Applies the embedded migrations (idempotent; safe to run from several processes at once on
    /// PostgreSQL, which takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.inner.pool).await?;
        Ok(())
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The underlying pool, for crates that keep their own tables in this database.
    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// Probes the database: reachable, and every embedded migration applied.
    pub async fn health(&self) -> DbHealth {
        let backend = self.backend();
        let reachable = sqlx::query("SELECT 1")
            .execute(&self.inner.pool)
            .await
            .is_ok();
        let migrations_applied = reachable && self.all_migrations_applied().await.unwrap_or(false);
        DbHealth {
            reachable,
            migrations_applied,
            backend,
        }
    }

    async fn all_migrations_applied(&self) -> Result<bool, StoreError> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.inner.pool)
                .await?;
        Ok(MIGRATOR
            .iter()
            .all(|migration| applied.contains(&migration.version)))
    }

    /// Closes every connection and stops the `LISTEN` task. Other clones become unusable.
    pub async fn close(&self) {
        for task in [&self.inner.listener, &self.inner.notifier] {
            if let Some(task) = task.lock().ok().and_then(|mut guard| guard.take()) {
                task.abort();
            }
        }
        if let Some(batcher) = self
            .inner
            .completions
            .lock()
            .ok()
            .and_then(|mut guard| guard.take())
        {
            batcher.task.abort();
        }
        if let Some(batcher) = self
            .inner
            .enqueues
            .lock()
            .ok()
            .and_then(|mut guard| guard.take())
        {
            batcher.task.abort();
        }
        self.inner.pool.close().await;
    }

    /// Signalled (`notify_waiters`) whenever a job may have become ready: an enqueue in this
    /// process, or — once [`Database::start_listener`] ran on PostgreSQL — in any process.
    /// Waiters must `enable()` their `Notified` before checking the queue to not miss a wake-up.
    pub fn job_wakeup(&self) -> Arc<Notify> {
        self.inner.job_wakeup.clone()
    }

    /// Signalled whenever a running job was asked to cancel (same sources as [`Self::job_wakeup`]),
    /// so workers heartbeat at once instead of at their next interval.
    pub fn cancel_wakeup(&self) -> Arc<Notify> {
        self.inner.cancel_wakeup.clone()
    }

    /// On PostgreSQL, starts (once) a task that `LISTEN`s for enqueues and cancellations from
    /// every process and forwards them to [`Self::job_wakeup`] / [`Self::cancel_wakeup`]. After a
    /// lost connection it reconnects and wakes everyone, since notifications may have been missed.
    /// On SQLite (one machine) it does nothing: in-process signals and polling suffice.
    pub async fn start_listener(&self) -> Result<(), StoreError> {
        if self.backend() != Backend::Postgres {
            return Ok(());
        }
        if self
            .inner
            .listener
            .lock()
            .map(|guard| guard.is_some())
            .unwrap_or(true)
        {
            return Ok(());
        }
        let mut listener =
            sqlx::postgres::PgListener::connect(self.inner.url.expose_secret()).await?;
        listener.listen_all([JOBS_CHANNEL, CANCEL_CHANNEL]).await?;
        let jobs = self.inner.job_wakeup.clone();
        let cancels = self.inner.cancel_wakeup.clone();
        let task = tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        if notification.channel() == CANCEL_CHANNEL {
                            cancels.notify_waiters();
                        } else {
                            jobs.notify_waiters();
                        }
                    }
                    Ok(None) => {
                        // The connection dropped and was re-established by the next call:
                        // anything sent meanwhile is lost, so make everyone look.
                        jobs.notify_waiters();
                        cancels.notify_waiters();
                    }
                    Err(error) => {
                        tracing::warn!(%error, "job notification listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        jobs.notify_waiters();
                        cancels.notify_waiters();
                    }
                }
            }
        });
        let mut guard = self
            .inner
            .listener
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if guard.is_some() {
            task.abort();
        } else {
            *guard = Some(task);
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken up
    /// front so a transaction that reads before writing can never fail with a lock upgrade.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let slot = self.writer_slot().await;
        let tx = match self.backend() {
            Backend::Sqlite => self.inner.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.inner.pool.begin().await?,
        };
        Ok(WriteTx { tx, _slot: slot })
    }

    /// SQLite only: runs `query` — `BEGIN IMMEDIATE; <writes>; COMMIT` in one string — as ONE
    /// command on one connection, holding this process's writer slot. sqlx-sqlite runs each
    /// connection on its own thread and every command is a channel round trip with two context
    /// switches; a transaction issued statement by statement costs one per statement, this costs
    /// one in all. sqlx-sqlite (0.9.0, `SqliteArguments::bind` in arguments.rs) binds each
    /// statement's `$N` to the N-th argument of the whole query, so the statements share one
    /// global numbering and one argument list. Returns the rows affected by each statement, in
    /// order (`BEGIN` is index 0).
    ///
    /// On an error the transaction is rolled back on the same connection before it returns to the
    /// pool; if that fails too, the connection is closed rather than returned (see
    /// [`BatchConnection`]). A failed `BEGIN IMMEDIATE` opened nothing and needs no rollback.
    pub(crate) async fn sqlite_write_batch(
        &self,
        query: Query<'_, Any, AnyArguments>,
    ) -> Result<Vec<u64>, BatchError> {
        debug_assert_eq!(self.backend(), Backend::Sqlite);
        let _slot = self.writer_slot().await;
        let conn = self
            .inner
            .pool
            .acquire()
            .await
            .map_err(|error| BatchError {
                error,
                completed: 0,
            })?;
        let mut batch = BatchConnection {
            conn,
            settled: false,
        };
        let mut affected = Vec::with_capacity(6);
        let failed = {
            let mut results = batch.conn.execute_many(query);
            loop {
                match results.try_next().await {
                    Ok(Some(result)) => affected.push(result.rows_affected()),
                    Ok(None) => break None,
                    Err(error) => break Some(error),
                }
            }
        };
        let Some(error) = failed else {
            batch.settled = true;
            return Ok(affected);
        };
        let completed = affected.len();
        if completed == 0 {
            batch.settled = true;
        } else {
            match batch.conn.execute("ROLLBACK").await {
                Ok(_) => batch.settled = true,
                Err(rollback_error) => tracing::warn!(
                    %rollback_error,
                    "could not roll back a failed write batch; closing its connection"
                ),
            }
        }
        Err(BatchError { error, completed })
    }

    /// What a `SELECT` inside a write transaction appends to lock the rows it reads until commit:
    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write transactions (`BEGIN
    /// IMMEDIATE`) already exclude every other writer.
    pub(crate) fn row_lock(&self) -> &'static str {
        match self.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// On SQLite, waits for this process's writer slot; hold it across a single-statement write.
    pub(crate) async fn writer_slot(&self) -> Option<OwnedMutexGuard<()>> {
        match self.backend() {
            Backend::Sqlite => Some(self.inner.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Announces committed enqueues: wakes in-process waiters now and, on PostgreSQL, has the
    /// notifier task `NOTIFY` other processes. Under load one `NOTIFY` covers every enqueue
    /// committed while the previous one was in flight (a `NOTIFY` inside each enqueue
    /// transaction would serialise all commits on PostgreSQL's notification queue lock).
    pub(crate) fn wake_job_waiters(&self) {
        self.inner.job_wakeup.notify_waiters();
        if self.backend() == Backend::Postgres {
            self.ensure_notifier();
            self.inner.notify_request.notify_one();
        }
    }

    /// The queue of the completion group-commit task (started on first use).
    pub(crate) fn completion_sender(&self) -> mpsc::UnboundedSender<Completion> {
        let mut guard = self
            .inner
            .completions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        guard
            .get_or_insert_with(|| CompletionBatcher::spawn(self.inner.pool.clone()))
            .sender
            .clone()
    }

    /// The queue of the enqueue group-commit task (started on first use, and again if the
    /// runtime that ran it has shut down: a handle may outlive one runtime in tests).
    /// SQLite: the queue of the chat messages' group-commit task (`crate::chat_batch`).
    pub(crate) fn chat_send_sender(&self) -> mpsc::UnboundedSender<PendingSend> {
        let mut guard = self
            .inner
            .chat_sends
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if guard
            .as_ref()
            .is_some_and(|batcher| batcher.sender.is_closed())
        {
            *guard = None;
        }
        guard
            .get_or_insert_with(|| SendBatcher::spawn(Arc::downgrade(&self.inner)))
            .sender
            .clone()
    }

    /// The handle of the database behind `inner` (for tasks that hold it weakly).
    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    pub(crate) fn enqueue_sender(&self) -> mpsc::UnboundedSender<PendingEnqueue> {
        let mut guard = self
            .inner
            .enqueues
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if guard
            .as_ref()
            .is_some_and(|batcher| batcher.sender.is_closed())
        {
            *guard = None;
        }
        guard
            .get_or_insert_with(|| {
                EnqueueBatcher::spawn(self.inner.pool.clone(), ENQUEUE_STATEMENTS_IN_FLIGHT)
            })
            .sender
            .clone()
    }

    fn ensure_notifier(&self) {
        let Ok(mut notifier) = self.inner.notifier.lock() else {
            return;
        };
        if notifier.is_some() {
            return;
        }
        let pool = self.inner.pool.clone();
        let requests = self.inner.notify_request.clone();
        *notifier = Some(tokio::spawn(async move {
            loop {
                requests.notified().await;
                if pool.is_closed() {
                    return;
                }
                // At most one NOTIFY per gap: busy workers claim again as soon as a slot frees
                // and need no wake-up, so a burst of enqueues needs only its first announcement
                // (plus one at the end, held as the pending permit).
                let next_allowed = tokio::time::Instant::now() + NOTIFY_GAP;
                let sent = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(JOBS_CHANNEL)
                    .execute(&pool)
                    .await;
                if let Err(error) = sent {
                    tracing::warn!(%error, "could not notify workers of new jobs; they will poll");
                }
                tokio::time::sleep_until(next_allowed).await;
            }
        }));
    }

    pub(crate) fn wake_cancel_waiters(&self) {
        self.inner.cancel_wakeup.notify_waiters();
    }
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::InvalidUrl {
            reason: "unknown scheme".to_owned(),
        })
    }
}

/// Normalises a SQLite URL to `sqlite://<path>?mode=rwc`, creating the parent directory.
/// `sqlite::memory:` is rewritten to a shared-cache in-memory database: with a plain `:memory:`
/// every pooled connection would see its own empty database.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::InvalidUrl {
            reason: "the SQLite URL has no file path".to_owned(),
        });
    }
    if path == ":memory:" {
        let name = uuid::Uuid::new_v4().simple();
        return Ok(format!(
            "sqlite:file:planwright-{name}?mode=memory&cache=shared"
        ));
    }
    let file = PathBuf::from(path);
    if let Some(parent) = file
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(StoreError::CreateFile)?;
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    Ok(format!(
        "sqlite://{}?{}",
        display_path(&file),
        params.join("&")
    ))
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_normalised_and_create_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/deeper/planwright.db");
        let url = prepare_sqlite_url(&format!("sqlite://{}", file.display())).unwrap();
        assert_eq!(url, format!("sqlite://{}?mode=rwc", file.display()));
        assert!(file.parent().unwrap().is_dir());
        assert!(
            prepare_sqlite_url("sqlite::memory:")
                .unwrap()
                .contains("mode=memory")
        );
        assert!(prepare_sqlite_url("sqlite://").is_err());
    }

    #[test]
    fn unknown_schemes_are_rejected_without_echoing_the_url() {
        let error = backend_of("mysql://root:hunter2@db/x").unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}
