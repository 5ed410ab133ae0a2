-- Investigators' hand-off (issue 24): what an agency did with a lead, its own notes, and the
-- questions it asked the hotline with their answers.

-- Whether the files received with a report were made available with it: the hotline
-- decides per agency (a file may be evidence the agency must not hold without process).
ALTER TABLE report_shares ADD COLUMN files_included BIGINT NOT NULL DEFAULT 0;

-- One row per report and agency once the agency acts on it.
CREATE TABLE lead_responses (
    report_id BIGINT NOT NULL REFERENCES reports(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    acknowledged_by BIGINT REFERENCES users(id),
    acknowledged_at BIGINT,
    -- investigation_opened | child_located | referred | no_action | declined
    outcome TEXT,
    outcome_reason TEXT,
    outcome_by BIGINT REFERENCES users(id),
    outcome_at BIGINT,
    PRIMARY KEY (report_id, org_id)
);
CREATE INDEX lead_responses_outcome ON lead_responses (outcome, outcome_at);

-- An agency's notes on a lead (seen by that agency only), its questions to the hotline and
-- the hotline's answers (seen by that agency and the hotline).
CREATE TABLE lead_messages (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    author BIGINT NOT NULL REFERENCES users(id),
    -- note | question | answer
    kind TEXT NOT NULL,
    -- An answer's question.
    answers BIGINT REFERENCES lead_messages(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX lead_messages_report ON lead_messages (report_id, org_id, id);
