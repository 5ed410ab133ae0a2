-- Missing-child cases as the product works them: the owning child-welfare agency, the
-- hotline's review (status, assignee, priority with its explanation, like reports), the
-- child's record, publication with the recorded consent, the episodes with
-- statistics-ready columns, sharing with law-enforcement agencies, and alerts from link
-- analysis. Keep in step with the other backend's 0006_cases.sql.

-- The child-welfare agency whose child it is; NULL for the hotline's own and imported cases.
ALTER TABLE cases ADD COLUMN owner_org BIGINT REFERENCES organisations(id);
-- import | caseworker | hotline
ALTER TABLE cases ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
ALTER TABLE cases ADD COLUMN reported_by BIGINT REFERENCES users(id);
-- needs_review | open | closed
ALTER TABLE cases ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE cases ADD COLUMN assignee BIGINT REFERENCES users(id);
-- As on reports: 0 immediate … 3 low, 9 until assessed; the score in thousandths.
ALTER TABLE cases ADD COLUMN priority_rank BIGINT NOT NULL DEFAULT 9;
ALTER TABLE cases ADD COLUMN score_milli BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN triage_json TEXT;
ALTER TABLE cases ADD COLUMN catalogue_version BIGINT;
-- The child (casework's model) and the identifiers link analysis compares, as JSON. NULL
-- for rows imported before this migration: the service derives it from case_json.
ALTER TABLE cases ADD COLUMN child_json TEXT;
-- Lower-case name, aliases and case number, for search.
ALTER TABLE cases ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN currently_missing BIGINT NOT NULL DEFAULT 0;
-- YYYY-MM-DD of the current episode, and the state (USPS code) the child was last seen in.
ALTER TABLE cases ADD COLUMN missing_since TEXT;
ALTER TABLE cases ADD COLUMN last_seen_state TEXT;
-- Publication of a poster, with the guardian's or agency's consent.
ALTER TABLE cases ADD COLUMN published BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN consent_given_by TEXT;
ALTER TABLE cases ADD COLUMN consent_recorded_on TEXT;
ALTER TABLE cases ADD COLUMN published_by BIGINT REFERENCES users(id);
ALTER TABLE cases ADD COLUMN published_at BIGINT;
ALTER TABLE cases ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET circumstance = 'non_family_abduction' WHERE circumstance = 'nonfamily_abduction';
UPDATE cases SET search_text = LOWER(child_name || ' ' || external_id), updated_at = imported_at;
CREATE INDEX cases_queue ON cases (status, priority_rank, imported_at);
CREATE INDEX cases_owner ON cases (owner_org);
CREATE INDEX cases_assignee ON cases (assignee);

-- One time the child went missing: casework's episode as JSON, the caseworker's account of
-- the circumstances (free text, never on a poster), and the columns statistics group by.
CREATE TABLE case_episodes (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    episode_json TEXT NOT NULL,
    narrative TEXT NOT NULL DEFAULT '',
    -- YYYY-MM-DD, for ordering.
    reported_on TEXT NOT NULL,
    year BIGINT NOT NULL,
    circumstance TEXT NOT NULL,
    -- under_6 | 6_to_11 | 12_to_14 | 15_to_17 | 18_or_older; NULL when the age is unknown.
    age_band TEXT,
    state TEXT NOT NULL,
    recovered BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_episodes_case ON case_episodes (case_id, reported_on);
CREATE INDEX case_episodes_stats ON case_episodes (year, circumstance, state);

-- Which law-enforcement agencies a case was made available to.
CREATE TABLE case_shares (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    shared_by BIGINT NOT NULL REFERENCES users(id),
    shared_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, org_id)
);
CREATE INDEX case_shares_org ON case_shares (org_id, case_id);

-- A record that link analysis tied to a case (same phone, email or handle; a probable
-- person match), for the case's assigned analyst. One alert per source and reason.
CREATE TABLE case_alerts (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    -- report | ad | case
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    -- phone | email | handle | person
    reason TEXT NOT NULL,
    -- The shared identifier, or the person match's label.
    value TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    weight_milli BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    dismissed_by BIGINT REFERENCES users(id),
    dismissed_at BIGINT,
    dismiss_reason TEXT,
    UNIQUE (case_id, source_kind, source_id, reason)
);
CREATE INDEX case_alerts_open ON case_alerts (case_id, dismissed_at);
