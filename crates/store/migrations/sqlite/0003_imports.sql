-- Imported records: online ads and missing-child cases, and a stable external id on
-- reports so that importing the same file twice adds nothing. Keep in step with the
-- other backend's 0003_imports.sql.

ALTER TABLE reports ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX reports_external_id ON reports (external_id);

CREATE TABLE ads (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    posted_at TEXT,
    city TEXT,
    state TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- JSON array of image hashes.
    image_hashes TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
CREATE INDEX ads_state ON ads (state);

-- A missing-child case as imported; the case workflow builds on it.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    child_name TEXT NOT NULL,
    missing_from_care BIGINT NOT NULL,
    circumstance TEXT NOT NULL,
    episodes BIGINT NOT NULL,
    -- The whole record as JSON (child, custody, episodes).
    case_json TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
