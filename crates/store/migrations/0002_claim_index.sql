-- Claiming orders by priority DESC, run_at, id: an index in exactly that order lets the claim
-- query read the first N ready rows instead of sorting the whole queue.
DROP INDEX jobs_ready;
CREATE INDEX jobs_ready ON jobs (status, priority DESC, run_at, id);
