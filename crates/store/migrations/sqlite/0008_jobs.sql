-- Durable background work: a job is written in the transaction of the record that needs
-- it (linking a finished report, a tip, a case), so a crash after the commit cannot lose
-- it. A worker claims a job for a lease (claimed_until); a job whose worker died is
-- claimed again once the lease has passed. A finished job is deleted; one that kept
-- failing stays, as failed, with its last error, for the administrators. Keep in step
-- with the other backend's 0008_jobs.sql.
CREATE TABLE jobs (
    -- Never reused (AUTOINCREMENT), so a stale claim cannot touch a later job.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- What to do (`link`), and its input as JSON.
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- pending | failed
    state TEXT NOT NULL DEFAULT 'pending',
    -- Claims so far; a claim is identified by the count it set.
    attempts BIGINT NOT NULL DEFAULT 0,
    -- Not before this time (microseconds): backoff after a failure.
    run_after BIGINT NOT NULL,
    -- Claimed until this time; NULL when nobody holds it.
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    -- When it was recorded as failed.
    failed_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_after);
