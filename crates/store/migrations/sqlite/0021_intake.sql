-- Intake (issue 24): a public tip's follow-up secret and the tipster's additions.
-- A tip's secret is shown once on its confirmation page; only its SHA-256 is kept. One per
-- tip; a report without a row (a provider's, an import, a hotline call) takes no follow-up.
CREATE TABLE tip_followup_keys (
    report_id BIGINT PRIMARY KEY REFERENCES reports(id),
    secret_hash TEXT NOT NULL
);

-- What a tipster added later, as typed; shown to analysts on the report, marked as theirs.
CREATE TABLE report_followups (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX report_followups_report ON report_followups (report_id, id);

-- Providers' own submissions, newest first.
CREATE INDEX reports_submitter_org ON reports (submitter_org, received_at);
