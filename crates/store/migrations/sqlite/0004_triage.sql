-- Triage: each report's priority with its explanation, the workflow (status, assignee,
-- notes), the jurisdiction derived from its locations, sharing with law-enforcement
-- agencies, and the versions of the indicator catalogue. Keep in step with the other
-- backend's 0004_triage.sql.

-- 0 immediate, 1 high, 2 normal, 3 low; 9 until assessed, so unassessed reports sort last.
ALTER TABLE reports ADD COLUMN priority_rank BIGINT NOT NULL DEFAULT 9;
-- The score in thousandths (integers cross both backends identically).
ALTER TABLE reports ADD COLUMN score_milli BIGINT NOT NULL DEFAULT 0;
-- The whole assessment (matched indicators, evidence, entities, reasons) as JSON.
ALTER TABLE reports ADD COLUMN triage_json TEXT;
ALTER TABLE reports ADD COLUMN catalogue_version BIGINT;
-- new | triaged | in_review | made_available | closed
ALTER TABLE reports ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
ALTER TABLE reports ADD COLUMN assignee BIGINT REFERENCES users(id);
-- Space-delimited with a space at each end (" CA NV "), so one LIKE finds a code.
ALTER TABLE reports ADD COLUMN states TEXT NOT NULL DEFAULT ' ';
ALTER TABLE reports ADD COLUMN countries TEXT NOT NULL DEFAULT ' ';
ALTER TABLE reports ADD COLUMN indicator_ids TEXT NOT NULL DEFAULT ' ';
CREATE INDEX reports_queue ON reports (state, priority_rank, received_at);
CREATE INDEX reports_assignee ON reports (assignee);

-- Which law-enforcement agencies a report was made available to.
CREATE TABLE report_shares (
    report_id BIGINT NOT NULL REFERENCES reports(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    shared_by BIGINT NOT NULL REFERENCES users(id),
    shared_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, org_id)
);
CREATE INDEX report_shares_org ON report_shares (org_id, report_id);

CREATE TABLE report_notes (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    author BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);

-- Every version of the indicator catalogue (TOML); the highest version is in force.
CREATE TABLE indicator_catalogues (
    version BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    edited_by BIGINT REFERENCES users(id),
    edited_at BIGINT NOT NULL,
    comment TEXT NOT NULL
);

-- The states and countries a law-enforcement agency covers, like reports.states.
ALTER TABLE organisations ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT ' ';
