//! A worker pool: the claim loop (woken by enqueue notifications, polling as a fallback), up to
//! `concurrency` jobs at once, the worker registry heartbeat, the lease reaper, the retention
//! purge, gauges, and graceful shutdown that hands unfinished jobs back to the queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;
use store::{Database, ExpiredLease, Recovery, StoreError, WorkerRegistration};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::handler::RetryPolicy;
use crate::job_metrics;
use crate::registry::Registry;
use crate::runner::{RunOutcome, RunSettings, run_job};

/// Counts running handlers; a [`HandlerSlot`] gives its slot back when dropped.
struct HandlerSlots {
    capacity: usize,
    active: Arc<AtomicUsize>,
    freed: Arc<tokio::sync::Notify>,
}

impl HandlerSlots {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            active: Arc::new(AtomicUsize::new(0)),
            freed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    fn free(&self) -> usize {
        self.capacity.saturating_sub(self.active())
    }

    fn take(&self) -> HandlerSlot {
        self.active.fetch_add(1, Ordering::SeqCst);
        HandlerSlot {
            active: self.active.clone(),
            freed: self.freed.clone(),
        }
    }

    /// Resolves when a slot was given back (possibly one given back before the call: the
    /// permit is kept, so no release is missed).
    async fn freed(&self) {
        self.freed.notified().await;
    }
}

/// One running handler's claim on the pool's concurrency.
pub(crate) struct HandlerSlot {
    active: Arc<AtomicUsize>,
    freed: Arc<tokio::sync::Notify>,
}

impl Drop for HandlerSlot {
    fn drop(&mut self) {
        self.active.fetch_sub(1, Ordering::SeqCst);
        self.freed.notify_one();
    }
}

/// How long a full pool waits for more slots to free up before claiming again.
const REFILL_WINDOW: Duration = Duration::from_millis(2);

/// How long a woken worker waits before claiming when its last claim took more than one job.
/// On a busy PostgreSQL queue every enqueue `NOTIFY` woke every worker process, and the winner
/// claimed the few jobs of one enqueue group: a claim commit and a completion commit for a
/// handful of jobs, each waiting on the WAL flush like the enqueues (docs/benchmarks.md, "jobs
/// — queue"). Waiting a moment lets several groups land, so one claim takes them all. A worker
/// whose claims take one job at a time (a quiet queue) claims at once, so an idle queue's
/// enqueue-to-start latency is unchanged.
const CLAIM_SETTLE: Duration = Duration::from_millis(5);

/// How a worker pool behaves. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Unique per process; recorded as the jobs' `lease_owner`.
    pub worker_id: String,
    /// Jobs run at once (`WORKER_MAX_JOBS`, default 10).
    pub concurrency: usize,
    /// How long a claim stays valid without a heartbeat (default 30 s).
    pub lease: Duration,
    /// How often running jobs renew their lease (default 10 s; keep well under `lease`).
    pub heartbeat_interval: Duration,
    /// The longest an idle worker waits before looking for work without a wake-up (default 5 s).
    pub poll_interval: Duration,
    /// Default per-job timeout (`WORKER_JOB_TIMEOUT`, default 3600 s).
    pub job_timeout: Duration,
    /// How long finished jobs are kept (`WORKER_KEEP_RESULT`, default 7 days).
    pub keep_result: Duration,
    /// How often expired leases are recovered (default 15 s).
    pub reap_interval: Duration,
    /// How often old finished jobs are purged (default 1 hour).
    pub purge_interval: Duration,
    /// The least time between two progress writes of one job (default 250 ms).
    pub progress_interval: Duration,
    /// How long a job asked to stop (cancel, timeout, shutdown) may take before it is aborted
    /// (default 10 s).
    pub stop_grace: Duration,
    /// Most jobs claimed in one query (default: `concurrency`).
    pub claim_batch: usize,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            worker_id: default_worker_id(),
            concurrency: 10,
            lease: Duration::from_secs(30),
            heartbeat_interval: Duration::from_secs(10),
            poll_interval: Duration::from_secs(5),
            job_timeout: Duration::from_secs(3600),
            keep_result: Duration::from_secs(7 * 24 * 3600),
            reap_interval: Duration::from_secs(15),
            purge_interval: Duration::from_secs(3600),
            progress_interval: Duration::from_millis(250),
            stop_grace: Duration::from_secs(10),
            claim_batch: 10,
        }
    }
}

impl WorkerSettings {
    pub(crate) fn run_settings(&self) -> RunSettings {
        RunSettings {
            lease: self.lease,
            heartbeat_interval: self.heartbeat_interval,
            progress_interval: self.progress_interval,
            default_timeout: self.job_timeout,
            stop_grace: self.stop_grace,
        }
    }
}

/// `<hostname>-<pid>-<random>`: unique per process, readable in the workers table.
pub fn default_worker_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}-{}", hostname(), std::process::id(), &random[..8])
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Why a pool could not start.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The settings are unusable.
    #[error("invalid worker settings: {0}")]
    Settings(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What happened at shutdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Job runs that ended (any outcome) while the pool ran or within the grace period.
    pub finished: u64,
    /// Jobs handed back to the queue for other workers.
    pub released: u64,
    /// Runs that ended because another worker had taken the job over (nothing was written).
    pub lease_lost: u64,
}

/// Starts and owns worker pools.
pub struct WorkerPool;

impl WorkerPool {
    /// Registers the worker, starts the `LISTEN` task on PostgreSQL, and spawns the claim loop
    /// and the maintenance loop (worker heartbeat, lease reaper, retention purge, gauges).
    pub async fn start(
        db: Database,
        registry: Registry,
        settings: WorkerSettings,
    ) -> Result<WorkerHandle, WorkerError> {
        if registry.is_empty() {
            return Err(WorkerError::Settings(
                "no job handlers are registered".into(),
            ));
        }
        if settings.concurrency == 0 {
            return Err(WorkerError::Settings(
                "concurrency (WORKER_MAX_JOBS) must be at least 1".into(),
            ));
        }
        if settings.heartbeat_interval >= settings.lease {
            return Err(WorkerError::Settings(
                "the heartbeat interval must be shorter than the lease".into(),
            ));
        }
        job_metrics::describe();
        db.start_listener().await?;
        let registration = WorkerRegistration {
            id: settings.worker_id.clone(),
            hostname: hostname(),
            pid: std::process::id(),
            kinds: registry.kinds().into_iter().map(str::to_owned).collect(),
            concurrency: u32::try_from(settings.concurrency).unwrap_or(u32::MAX),
        };
        db.register_worker(&registration).await?;
        let stopping = CancellationToken::new();
        let hard_stop = CancellationToken::new();
        let running = Arc::new(AtomicUsize::new(0));
        let claim_loop = tokio::spawn(claim_loop(
            db.clone(),
            registry.clone(),
            settings.clone(),
            stopping.clone(),
            hard_stop.clone(),
            running.clone(),
        ));
        let maintenance = tokio::spawn(maintenance_loop(
            db.clone(),
            registry,
            settings.clone(),
            registration,
            stopping.clone(),
        ));
        Ok(WorkerHandle {
            worker_id: settings.worker_id,
            db,
            stopping,
            hard_stop,
            running,
            claim_loop,
            maintenance,
        })
    }
}

/// A running pool. Dropping it without [`WorkerHandle::shutdown`] leaves its tasks running.
pub struct WorkerHandle {
    worker_id: String,
    db: Database,
    stopping: CancellationToken,
    hard_stop: CancellationToken,
    running: Arc<AtomicUsize>,
    claim_loop: JoinHandle<ShutdownReport>,
    maintenance: JoinHandle<()>,
}

impl WorkerHandle {
    /// This pool's worker id (the `lease_owner` of its jobs).
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Jobs this pool is running right now.
    pub fn running_jobs(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Stops claiming, lets running jobs finish within `grace`, then asks the rest to stop and
    /// hands them back to the queue (without counting the attempt) for other workers.
    pub async fn shutdown(self, grace: Duration) -> ShutdownReport {
        self.stopping.cancel();
        let mut claim_loop = self.claim_loop;
        let report = match tokio::time::timeout(grace, &mut claim_loop).await {
            Ok(joined) => joined.unwrap_or_default(),
            Err(_) => {
                self.hard_stop.cancel();
                claim_loop.await.unwrap_or_default()
            }
        };
        let _ = self.maintenance.await;
        if let Err(error) = self.db.deregister_worker(&self.worker_id).await {
            tracing::warn!(%error, "could not deregister the worker");
        }
        report
    }
}

async fn claim_loop(
    db: Database,
    registry: Registry,
    settings: WorkerSettings,
    stopping: CancellationToken,
    hard_stop: CancellationToken,
    running_count: Arc<AtomicUsize>,
) -> ShutdownReport {
    let kinds = registry.kinds();
    let run_settings = settings.run_settings();
    let wakeup = db.job_wakeup();
    let mut running: JoinSet<RunOutcome> = JoinSet::new();
    let mut report = ShutdownReport::default();
    let mut tally = |outcome: Result<RunOutcome, tokio::task::JoinError>| {
        report.finished += 1;
        running_count.fetch_sub(1, Ordering::SeqCst);
        match outcome {
            Ok(RunOutcome::Released) => report.released += 1,
            Ok(RunOutcome::LeaseLost) => report.lease_lost += 1,
            _ => {}
        }
    };
    // Handlers running now. A run gives its slot back as soon as its handler ends, while its
    // outcome is still being written (group-committed with others), so the next claim need not
    // wait for the disk; at most `concurrency` more runs may be writing at once.
    let slots = HandlerSlots::new(settings.concurrency);
    // Jobs this pool's last non-empty claim took (see CLAIM_SETTLE).
    let mut last_claimed = 0;
    while !stopping.is_cancelled() {
        while let Some(done) = running.try_join_next() {
            tally(done);
        }
        metrics::gauge!(job_metrics::JOBS_RUNNING).set(slots.active() as f64);
        let free = slots
            .free()
            .min((settings.concurrency * 2).saturating_sub(running.len()));
        if free == 0 {
            tokio::select! {
                () = slots.freed() => {
                    // Give other handlers that are about to finish a moment (until half the
                    // slots are free, at most REFILL_WINDOW), so one claim query fills several
                    // slots instead of one query per finished job. Long jobs barely notice 2 ms.
                    let refill_at = tokio::time::Instant::now() + REFILL_WINDOW;
                    while slots.active() > settings.concurrency / 2 {
                        tokio::select! {
                            () = slots.freed() => {}
                            () = tokio::time::sleep_until(refill_at) => break,
                            () = stopping.cancelled() => break,
                        }
                    }
                }
                Some(done) = running.join_next() => tally(done),
                () = stopping.cancelled() => {}
            }
            continue;
        }
        // Register interest before looking, so an enqueue between the query and the wait is
        // not missed.
        let notified = wakeup.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let wanted = free.min(settings.claim_batch.max(1));
        let wait = match db
            .claim(&settings.worker_id, &kinds, settings.lease, wanted)
            .await
        {
            Ok(jobs) => {
                // Fewer jobs than asked for: no other job was ready, so the queue is drained
                // until the next wake-up (every enqueue, retry and hand-back signals one).
                let drained = jobs.len() < wanted;
                if !jobs.is_empty() {
                    last_claimed = jobs.len();
                }
                for job in jobs {
                    running_count.fetch_add(1, Ordering::SeqCst);
                    running.spawn(run_job(
                        db.clone(),
                        registry.clone(),
                        job,
                        run_settings.clone(),
                        hard_stop.clone(),
                        Some(slots.take()),
                    ));
                }
                if !drained {
                    continue;
                }
                idle_wait(&db, &kinds, settings.poll_interval).await
            }
            Err(error) => {
                tracing::warn!(%error, "claiming jobs failed");
                settings.poll_interval
            }
        };
        // A run ending frees a slot but brings no new job: keep waiting for a wake-up rather
        // than claim again (on a busy PostgreSQL queue each such claim, and the look-up of the
        // next due job after it, was a round trip per finished batch: docs/benchmarks.md).
        let until = tokio::time::Instant::now() + wait;
        let mut woken = false;
        loop {
            tokio::select! {
                () = &mut notified => {
                    woken = true;
                    break;
                }
                () = tokio::time::sleep_until(until) => break,
                Some(done) = running.join_next() => tally(done),
                () = stopping.cancelled() => break,
            }
        }
        // Jobs are arriving faster than one per claim: let more of them land before claiming,
        // so one claim (and the completion batch after it) carries several enqueue groups.
        if woken && last_claimed > 1 {
            let settle_until = tokio::time::Instant::now() + CLAIM_SETTLE;
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(settle_until) => break,
                    Some(done) = running.join_next() => tally(done),
                    () = stopping.cancelled() => break,
                }
            }
        }
    }
    while let Some(done) = running.join_next().await {
        tally(done);
    }
    metrics::gauge!(job_metrics::JOBS_RUNNING).set(0.0);
    report
}

/// How long an idle worker may sleep: until the next delayed job is due, at most `poll`.
async fn idle_wait(db: &Database, kinds: &[&str], poll: Duration) -> Duration {
    match db.next_run_at(kinds).await {
        Ok(Some(at)) => (at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(poll),
        _ => poll,
    }
}

/// What the reaper does with a job whose worker died: retry per the kind's policy, or fail.
pub(crate) fn recovery_for(registry: &Registry, lease: &ExpiredLease) -> Recovery {
    let policy = registry
        .get(&lease.kind)
        .map(|handler| handler.retry_policy())
        .unwrap_or_default();
    let max_attempts = lease.max_attempts.unwrap_or(policy.max_attempts).max(1);
    if lease.attempts < max_attempts {
        let delay = RetryPolicy::delay(&policy, lease.id, lease.attempts);
        Recovery::Retry {
            run_at: Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX),
        }
    } else {
        Recovery::Fail {
            error: format!(
                "the worker running this job stopped responding (lease expired) on attempt {} of \
                 {max_attempts}; giving up",
                lease.attempts
            ),
        }
    }
}

async fn maintenance_loop(
    db: Database,
    registry: Registry,
    settings: WorkerSettings,
    registration: WorkerRegistration,
    stopping: CancellationToken,
) {
    let start = tokio::time::Instant::now();
    let mut heartbeat = tokio::time::interval_at(start, settings.heartbeat_interval);
    let mut reap = tokio::time::interval_at(start, settings.reap_interval);
    let mut purge = tokio::time::interval_at(start, settings.purge_interval);
    for timer in [&mut heartbeat, &mut reap, &mut purge] {
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    }
    loop {
        tokio::select! {
            () = stopping.cancelled() => return,
            _ = heartbeat.tick() => {
                if let Err(error) = db.worker_heartbeat(&registration).await {
                    tracing::warn!(%error, "worker heartbeat failed");
                }
            }
            _ = reap.tick() => {
                match db.recover_expired_leases(Utc::now(), |lease| recovery_for(&registry, lease)).await {
                    Ok(report) if report.total() > 0 => {
                        tracing::info!(?report, "recovered jobs whose worker stopped responding");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "lease recovery failed"),
                }
                if let Ok(depth) = db.queue_depth().await {
                    metrics::gauge!(job_metrics::QUEUE_DEPTH).set(depth as f64);
                }
                let since = Utc::now() - chrono::Duration::from_std(settings.lease * 2).unwrap_or_default();
                if let Ok(workers) = db.live_workers(since).await {
                    metrics::gauge!(job_metrics::WORKERS_LIVE).set(workers.len() as f64);
                }
            }
            _ = purge.tick() => {
                let cutoff = Utc::now() - chrono::Duration::from_std(settings.keep_result).unwrap_or(chrono::Duration::MAX);
                match db.purge_finished_before(cutoff).await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "purged finished jobs past retention"),
                    Err(error) => tracing::warn!(%error, "retention purge failed"),
                }
            }
        }
    }
}
