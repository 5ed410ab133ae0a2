-- Link charts shared with law-enforcement agencies, and requests for analytical support
-- (issue 24). Keep in step with the other backend's 0024_shared_charts.sql.

-- A cluster (a link chart) made available to one agency: the record it was walked from,
-- a title and a note for the agency, who shared it and when. An investigator of the agency
-- sees only the chart's records that are also made available to their agency.
CREATE TABLE shared_charts (
    id INTEGER PRIMARY KEY,
    start_kind TEXT NOT NULL,
    start_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    shared_by BIGINT NOT NULL REFERENCES users(id),
    shared_at BIGINT NOT NULL
);
CREATE INDEX shared_charts_org ON shared_charts (org_id, shared_at);

-- The records in the chart when it was shared, in the chart's order (the start first).
CREATE TABLE shared_chart_records (
    chart_id BIGINT NOT NULL REFERENCES shared_charts(id),
    position BIGINT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (chart_id, position)
);

-- A request for analytical support from an investigator of an agency.
CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    need TEXT NOT NULL,
    -- One identifier a line (phones, emails, handles, web addresses), as typed.
    identifiers TEXT NOT NULL DEFAULT '',
    -- routine | urgent | immediate, and its rank (0 immediate … 2 routine) for the queue.
    urgency TEXT NOT NULL,
    urgency_rank BIGINT NOT NULL,
    -- open | in_progress | answered | closed
    status TEXT NOT NULL,
    assignee BIGINT REFERENCES users(id),
    answer TEXT,
    answer_chart BIGINT REFERENCES shared_charts(id),
    answered_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX support_requests_queue ON support_requests (status, urgency_rank, created_at);
CREATE INDEX support_requests_org ON support_requests (org_id, created_at);
