-- Exactly-once writes to Jira and Confluence (ARCHITECTURE.md, "Writes happen once"): a job
-- records each write it intends before sending it, and the result after. A job that runs again
-- after a crash finds its earlier writes here; a write still `pending` may or may not have
-- reached Jira, and is settled by searching Jira for the intent's marker before sending again.
CREATE TABLE write_intents (
    intent_id  TEXT PRIMARY KEY,              -- stable per job and step: the same on every attempt
    job_id     TEXT NOT NULL,
    action     TEXT NOT NULL,                 -- create_issue|edit_issue|create_link|...
    target     TEXT NOT NULL,                 -- what the write is about (an issue key, a summary)
    status     TEXT NOT NULL,                 -- pending|done
    result     TEXT,                          -- JSON the write produced (e.g. {"key": "PW-7"})
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX write_intents_job ON write_intents (job_id);
