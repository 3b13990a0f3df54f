-- The chat agent (docs/chat.md): conversations, one task per message with the agent's checkpoint,
-- and the steps each task took (for the live view). Portable like 0001: TEXT and BIGINT columns,
-- timestamps unix milliseconds, JSON as TEXT.

-- A conversation belongs to one user; another user's id is "not found". Deleting one sets
-- deleted_at (its tasks stay, for audit, and are no longer shown).
CREATE TABLE chat_conversations (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    title       TEXT NOT NULL,                -- the first message, cut short
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    deleted_at  BIGINT
);
CREATE INDEX chat_conversations_user ON chat_conversations (user_id, updated_at);

-- One message and everything the agent did with it. `state` is the checkpoint: the agent's
-- state after its last finished step and `step` the node to run next, written after every step;
-- `version` fences a stale run (every write names the version it read). While status is
-- waiting_confirmation, `proposal` holds exactly what will be written and `proposal_hash` its
-- SHA-256; `decision` is what the user answered.
CREATE TABLE chat_tasks (
    id              TEXT PRIMARY KEY,
    -- Checked at commit: SQLite records a message before its (new) conversation in one batch.
    conversation_id TEXT NOT NULL REFERENCES chat_conversations (id) DEFERRABLE INITIALLY DEFERRED,
    user_id         TEXT NOT NULL,
    seq             BIGINT NOT NULL,          -- 1, 2, ... within the conversation
    message         TEXT NOT NULL,
    output_format   TEXT NOT NULL,            -- json | markdown
    status          TEXT NOT NULL,            -- processing | waiting_confirmation | completed | failed
    step            TEXT NOT NULL,
    state           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    job_id          TEXT NOT NULL,            -- the job now (or last) running the task
    proposal        TEXT,
    proposal_hash   TEXT,
    expires_at      BIGINT,
    decision        TEXT,
    result          TEXT,
    reply           TEXT,                     -- the assistant's answer as text, for memory
    error           TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX chat_tasks_user_status ON chat_tasks (user_id, status);

-- The steps of a task, in order: what the live view streams.
CREATE TABLE chat_events (
    task_id    TEXT NOT NULL REFERENCES chat_tasks (id),
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, seq)
);
