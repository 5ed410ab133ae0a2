-- Reports: provider submissions through the CyberTipline-compatible API, public tips and
-- staff intake, stored as structured data (JSON of the typed model) with the original XML
-- kept verbatim. Keep in step with the other backend's 0002_reports.sql.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    -- provider | public | staff
    source TEXT NOT NULL,
    -- The account that submitted it (a provider API account or staff); NULL for public tips.
    submitted_by BIGINT REFERENCES users(id),
    submitter_org BIGINT REFERENCES organisations(id),
    -- open (a provider is still adding files) | finished (visible to analysts) | retracted
    state TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    incident_at TEXT,
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    retracted_at BIGINT,
    -- A short plain-text line for lists, and lower-cased text for search.
    summary TEXT NOT NULL,
    search_text TEXT NOT NULL,
    report_json TEXT NOT NULL,
    original_xml TEXT
);
CREATE INDEX reports_state_received ON reports (state, received_at);
CREATE INDEX reports_submitted_by ON reports (submitted_by);

CREATE TABLE report_files (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    -- The fileId given to the provider.
    file_id TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    size BIGINT NOT NULL,
    md5 TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    details_json TEXT,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX report_files_report ON report_files (report_id);
