-- Retention (issue 25): legal holds, and the clock a closed recovery plan's period runs
-- from. Keep in step with the other backend's 0025_retention.sql (a test compares the
-- two folders).
--
-- A hold is a row of its own rather than a flag on each record: one table serves every
-- kind (report, case, recovery plan) and the purge reads it once; a record may be held,
-- released and held again, and each hold keeps who placed it, why and when, and who
-- released it, why and when, for the record's history. A released hold is kept; a hold
-- is in force while `released_at` is NULL. No foreign key: the record is named by kind
-- and id (as links and notifications name records), and a held record is never purged.
CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY,
    -- report | case | recovery_plan
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    placed_by BIGINT NOT NULL REFERENCES users(id),
    placed_at BIGINT NOT NULL,
    released_by BIGINT REFERENCES users(id),
    released_at BIGINT,
    release_reason TEXT
);
CREATE INDEX legal_holds_record ON legal_holds (record_kind, record_id, released_at);
CREATE INDEX legal_holds_placed ON legal_holds (released_at, placed_at);

-- When a recovery plan was closed. Plans have no closing step yet (age never closes one),
-- so this stays NULL and no plan is purged until they do; the purge reads it already.
ALTER TABLE recovery_plans ADD COLUMN closed_at BIGINT;
