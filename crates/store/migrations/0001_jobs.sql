-- The durable job queue. Portable between SQLite and PostgreSQL through sqlx's Any driver:
-- only TEXT and BIGINT columns (timestamps are unix milliseconds, booleans 0/1, JSON is TEXT).

CREATE TABLE jobs (
    id                 TEXT PRIMARY KEY,          -- UUIDv7
    kind               TEXT NOT NULL,             -- the response's job_type
    status             TEXT NOT NULL,             -- started|processing|completed|failed|cancelled
    payload            TEXT NOT NULL,             -- JSON handed to the handler
    progress           TEXT NOT NULL,             -- JSON {message, processed?, total?, percentage?}
    results            TEXT,                      -- JSON
    error              TEXT,
    total_tickets      BIGINT,
    processed_tickets  BIGINT NOT NULL DEFAULT 0,
    successful_tickets BIGINT NOT NULL DEFAULT 0,
    failed_tickets     BIGINT NOT NULL DEFAULT 0,
    ticket_key         TEXT,
    ticket_keys        TEXT,                      -- JSON array
    story_key          TEXT,
    story_keys         TEXT,                      -- JSON array
    attributes         TEXT NOT NULL,             -- JSON object of extra response fields
    lock_keys          TEXT NOT NULL,             -- JSON array of the dedupe keys this job holds while active
    priority           BIGINT NOT NULL DEFAULT 0,
    attempts           BIGINT NOT NULL DEFAULT 0,
    max_attempts       BIGINT,                    -- NULL: the handler's retry policy decides
    run_at             BIGINT NOT NULL,
    lease_owner        TEXT,                      -- worker id; NOT NULL exactly while a worker holds the job
    lease_until        BIGINT,
    heartbeat_at       BIGINT,
    cancel_requested   BIGINT NOT NULL DEFAULT 0,
    timeout_ms         BIGINT,
    created_at         BIGINT NOT NULL,           -- the response's started_at
    claimed_at         BIGINT,
    completed_at       BIGINT,
    updated_at         BIGINT NOT NULL
);

-- Claiming: the oldest ready job of the highest priority.
CREATE INDEX jobs_ready ON jobs (status, priority, run_at);
-- The lease reaper.
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE lease_owner IS NOT NULL;
-- Listing and retention.
CREATE INDEX jobs_created ON jobs (created_at);
CREATE INDEX jobs_completed ON jobs (completed_at);
CREATE INDEX jobs_kind_status ON jobs (kind, status);

-- Dedupe while active: one row per key held by an active job. The primary key makes the database,
-- not the application, the arbiter across processes and machines. Rows are deleted in the same
-- transaction that moves their job to a final state.
CREATE TABLE job_locks (
    lock_key TEXT PRIMARY KEY,
    job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE
);
CREATE INDEX job_locks_job ON job_locks (job_id);

-- The issue keys a job names (ticket_key/ticket_keys as role 'ticket', story_key/story_keys as
-- role 'story'), so filters and GET /jobs/ticket/{key} are index lookups rather than JSON scans.
CREATE TABLE job_keys (
    role      TEXT NOT NULL,
    issue_key TEXT NOT NULL,
    job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    PRIMARY KEY (role, issue_key, job_id)
);
CREATE INDEX job_keys_key ON job_keys (issue_key);
CREATE INDEX job_keys_job ON job_keys (job_id);

-- Live worker processes, for /health and metrics.
CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    hostname     TEXT NOT NULL,
    pid          BIGINT NOT NULL,
    kinds        TEXT NOT NULL,                  -- JSON array
    concurrency  BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
